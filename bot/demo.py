"""The demo database the terminal chat opens when no token is set: a small province with its
people and a few months of reports, built through the same code paths as real data."""

from __future__ import annotations

import csv
from datetime import datetime, timedelta
from importlib import resources

from bot import invites, units_csv
from messages_vi.formatting import local_today
from storage import Storage

CHANNEL = "terminal"
STRANGER_ID = "guest"
OPEN_BRANCH = "CD-TANLAP-2"        # has no secretary yet: the demo's invite link is for it


def _data(name: str) -> str:
    return (resources.files("bot") / "demo_data" / name).read_text(encoding="utf-8")


async def ensure(storage: Storage, now: datetime) -> bool:
    """Fill an empty database with the demo province; False if it had units already."""
    existing = await storage.units.all()
    if existing:
        return False
    await storage.units.import_rows(units_csv.parse(_data("units.csv"), []), now)
    people = list(csv.DictReader(_data("people.csv").splitlines()))
    for number, person in enumerate(people, start=1):
        unit = await storage.units.by_code(person["unit_code"])
        code = invites.new_code()
        await storage.invites.create(invites.hash_code(code), code[:4], unit.id, person["role"], now,
                                     now + timedelta(days=1))
        await storage.invites.redeem(invites.hash_code(code), CHANNEL, f"demo-{number}", f"demo-{number}",
                                     person["name"], now)
    await _past_meetings(storage, now)
    return True


async def invite_for_trying(storage: Storage, now: datetime) -> str:
    """A fresh secretary code for a branch with nobody on it, to try joining in the demo."""
    unit = await storage.units.by_code(OPEN_BRANCH)
    code = invites.new_code()
    await storage.invites.create(invites.hash_code(code), code[:4], unit.id, "secretary", now, now + timedelta(days=1))
    return code


async def _past_meetings(storage: Storage, now: datetime) -> None:
    """Three months of meetings, with gaps, so digests and lists have something to show."""
    today = local_today(now)
    branches = [u for u in await storage.units.all() if u.level == "branch"]

    def write(conn) -> None:
        for position, unit in enumerate(branches):
            for months_back in (1, 2, 3):
                if (position + months_back) % 4 == 0:
                    continue                                  # this branch skipped that month
                first = (today.replace(day=1) - timedelta(days=31 * months_back)).replace(day=1)
                held_on = first + timedelta(days=(position * 3) % 25)
                mode = "online" if unit.border else "in_person"
                attended = max(0, unit.members - (position + months_back) % 5)
                storage.reports.add_meeting(conn, unit.id, None, {
                    "held_on": held_on, "kind": "branch", "mode": mode, "attended": attended,
                }, now)

    await storage.db.run(write)

