"""The demo database the terminal chat opens when no token is set: a small merged province as the
Union is since 2025 (Tỉnh đoàn Vĩnh Long, its Đoàn xã/phường, a school's Đoàn trường and a
company's Đoàn cơ sở under two of them, branches directly under a Đoàn xã or under those, one
border-commune branch), its people (an officer at the Tỉnh đoàn, one at a Đoàn xã, one at a Đoàn
phường) and a few months of reports, built through the same code paths as real data."""

from __future__ import annotations

import csv
from datetime import datetime, timedelta
from importlib import resources

from domain import invites, periods, units_csv
from domain.deadlines.calendar import load_calendar
from domain.deadlines.schedule import occurrences_between
from messages_vi.formatting import local_today
from storage import Storage
from storage.units import path_ids

CHANNEL = "terminal"
GUEST_PREFIX = "guest-"             # the terminal's strangers: guest-1, guest-2, ... (":khach")
OPEN_BRANCH = "CD-TANPHU-2"        # has no secretary yet: the demo's invite link is for it


def is_guest(external_id: str) -> bool:
    """Whether a terminal identity is one of the strangers `:khach` makes, not a demo person
    ("guest" alone: the one fixed stranger of databases made before)."""
    return external_id == "guest" or external_id.startswith(GUEST_PREFIX)


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
    await _past_recruitment(storage, now)
    await _past_confirmations(storage, now)
    return True


async def invite_for_trying(storage: Storage, now: datetime) -> str:
    """A fresh code to try joining with: the demo's open branch's; on a province's own database
    (`chat --database`), a secretary's for its first branch with nobody on it (else its first
    branch), or an officer's for its top unit if it has no branch."""
    unit, role = await storage.units.by_code(OPEN_BRANCH), "secretary"
    if unit is None:
        units = await storage.units.all()
        branches = [u for u in units if u.level == "branch"]
        unit = branches[0] if branches else min(units, key=lambda u: len(u.path))
        for branch in branches:
            if not await storage.people.members_of(branch.id):
                unit = branch
                break
        role = "secretary" if unit.level == "branch" else "officer"
    code = invites.new_code()
    await storage.invites.create(invites.hash_code(code), code[:4], unit.id, role, now, now + timedelta(days=1))
    return code


async def _past_meetings(storage: Storage, now: datetime) -> None:
    """Meetings of this month so far and of each of the three calendar months before it.

    Every branch met in the month just closed except the late ones (LATE_BRANCHES), so the first
    escalations name only those; every branch met the month before it; the third month back has
    a few gaps for the digests to show. Each is filed by the branch's secretary when it has one."""
    today = local_today(now)
    branches = [u for u in await storage.units.all() if u.level == "branch"]
    filers = {u.id: await _filer(storage, u.id) for u in branches}
    months = [periods.month(today)]
    for _ in range(3):
        months.append(months[-1].previous())

    def write(tx) -> None:
        for position, unit in enumerate(branches):
            for months_back, month in enumerate(months):
                if _skipped(unit.code, position, months_back):
                    continue
                held_on = month.start + timedelta(days=(position * 3) % 25)
                if held_on > today:
                    continue                                  # not yet, this month
                mode = "online" if unit.border else "in_person"
                attended = max(0, unit.members - (position + months_back) % 5)
                tx.reports.add_meeting(unit.id, filers[unit.id], {
                    "held_on": held_on, "kind": "branch", "mode": mode, "attended": attended,
                }, now)

    await storage.atomic(write)


def _skipped(code: str, position: int, months_back: int) -> bool:
    """Whether a branch held no meeting that month (0: this month, 1: the month before, ...)."""
    if months_back == 1:
        return code in LATE_BRANCHES
    return months_back == 3 and (position + months_back) % 4 == 0


async def _filer(storage: Storage, unit_id: int) -> int | None:
    """The person a branch's demo reports are filed by: its secretary, else a deputy, else nobody."""
    members = [m for m in await storage.people.members_of(unit_id) if m.role in ("secretary", "deputy")]
    return members[0].person_id if members else None


# these show up as late: under the Đoàn xã and the Đoàn phường that have an officer, who hear of them
LATE_BRANCHES = ("CD-PHUOCHAU-2", "CD-TANPHU-12A2", "CD-MAY-2")


async def _past_recruitment(storage: Storage, now: datetime) -> None:
    """1+1 counts for the last half-year from every branch, and for this one from a few."""
    today = local_today(now)
    this_half = periods.half_year(today)
    branches = [u for u in await storage.units.all() if u.level == "branch"]
    filers = {u.id: await _filer(storage, u.id) for u in branches}

    def write(tx) -> None:
        for position, unit in enumerate(branches):
            for period in (this_half.previous(), this_half):
                if period is this_half and position % 3:
                    continue
                participants = max(1, unit.members - position % 4)
                tx.reports.save_recruitment(unit.id, filers[unit.id], {
                    "period": period.key, "participants": participants,
                    "youth_reached": participants + position % 5, "new_members": position % 3,
                    "party_introduced": position % 2,
                }, now)

    await storage.atomic(write)


async def _past_confirmations(storage: Storage, now: datetime) -> None:
    """Deadlines that passed more than a week ago were met, except by a few late branches, so
    the demo's first reminders are the ones a real week would bring."""
    calendar = load_calendar()
    today = local_today(now)
    units = await storage.units.all()
    level_of = {u.id: u.level for u in units}
    for unit in units:
        if unit.code in LATE_BRANCHES or unit.level == "province":
            continue
        chain = [level_of[i] for i in reversed(path_ids(unit.path))]
        for item in calendar.items:
            for occurrence in occurrences_between(item, chain, calendar.settings, today - timedelta(days=400),
                                                  today - timedelta(days=7)):
                await storage.deadlines.confirm(unit.id, item.id, occurrence.key, None, now)
