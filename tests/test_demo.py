"""The demo province the terminal chat opens: on any day, each of the last three months has the
meetings a real province would have, and the first reminders call late only the branches that
did not meet."""

from __future__ import annotations

import json
from datetime import date, datetime, timezone

import pytest

from bot import app, demo
from domain import periods
from domain.deadlines.calendar import load_calendar
from domain.reminders import Reminders
from messages_vi.formatting import LOCAL_TZ
from tests.support import Clock


def local(y, mo, d, h=9) -> datetime:
    return datetime(y, mo, d, h, tzinfo=LOCAL_TZ).astimezone(timezone.utc)


async def open_demo(tmp_path, now: datetime):
    services = await app.open_services(tmp_path / "demo.sqlite3", clock=Clock(now))
    await demo.ensure(services.storage, now)
    return services


async def met_in(services, branches, month: periods.Period) -> set[str]:
    """The codes of the branches with a meeting recorded in that month."""
    met = set()
    for unit in branches:
        meetings = await services.storage.reports.meetings(unit.id, month.start)
        if any(month.start <= m.held_on <= month.end for m in meetings):
            met.add(unit.code)
    return met


@pytest.mark.parametrize("now", [local(2026, 12, 2), local(2027, 3, 1), local(2026, 7, 31), local(2027, 1, 1)])
async def test_each_of_the_last_three_months_has_its_meetings(tmp_path, now):
    services = await open_demo(tmp_path, now)
    try:
        branches = [u for u in await services.storage.units.all() if u.level == "branch"]
        codes = {u.code for u in branches}
        last = periods.month(now.astimezone(LOCAL_TZ).date()).previous()
        before, third = last.previous(), last.previous().previous()
        assert await met_in(services, branches, last) == codes - set(demo.LATE_BRANCHES)
        assert await met_in(services, branches, before) == codes
        assert len(await met_in(services, branches, third)) >= len(codes) * 2 // 3
    finally:
        await app.close_services(services)


async def test_in_early_december_the_officers_hear_of_no_branch_that_met_in_november(tmp_path):
    now = local(2026, 12, 3)                   # November's meetings are escalated 3 days after the 30th
    services = await open_demo(tmp_path, now)
    try:
        await Reminders(services.storage, load_calendar()).tick(now)
        named = {}
        for person in (await services.storage.people.on_channel(demo.CHANNEL)):
            for key, _, payload in await services.storage.outbox.sent_to(person[0].chat_id):
                if key.startswith("e:") and ":sinh-hoat-thang:" in key:
                    text = json.loads(payload)["text"]
                    named[key.split(":")[3]] = named.get(key.split(":")[3], set()) | {
                        line[2:] for line in text.splitlines() if line.startswith("• ")}
        units = {u.code: u for u in await services.storage.units.all()}
        late = {units[code].name for code in demo.LATE_BRANCHES if not units[code].border}
        assert named == {"2026-11": late}          # November, and only the branches that did not meet
    finally:
        await app.close_services(services)


async def test_demo_reports_name_who_filed_them(tmp_path):
    services = await open_demo(tmp_path, local(2026, 12, 2))
    try:
        branch = await services.storage.units.by_code("CD-TANPHU-1")
        [meeting, *_] = await services.storage.reports.meetings(branch.id, date(2026, 9, 1))
        [created] = await services.storage.reports.audit_trail(branch.id, "meeting", meeting.id)
        assert created.person_name == "Nguyễn Thị Lan (Bí thư ấp Phú Lợi)"
    finally:
        await app.close_services(services)


async def test_the_demo_is_a_merged_province_as_the_union_is_since_2025(tmp_path):
    # DOMAIN.md: Tỉnh đoàn → Đoàn xã/phường → (Đoàn cơ sở) → chi đoàn, no district; one border branch
    services = await open_demo(tmp_path, local(2026, 12, 2))
    try:
        units = {u.code: u for u in await services.storage.units.all()}
        root = next(u for u in units.values() if u.parent_id is None)
        assert (root.name, root.level_name) == ("Tỉnh đoàn Vĩnh Long", "province")
        under_root = {u.level_name for u in units.values() if u.parent_id == root.id}
        assert under_root <= {"commune", "ward"} and "district" not in {u.level_name for u in units.values()}
        parent = {u.id: u for u in units.values()}
        branches = [u for u in units.values() if u.level == "branch"]
        depths = {len(u.path.strip("/").split("/")) for u in branches}
        assert depths == {3, 4}            # directly under a Đoàn xã, and under a Đoàn cơ sở below it
        assert {parent[b.parent_id].level_name for b in branches} == {"commune", "ward", "school", "grassroots"}
        assert sum(b.border for b in branches) == 1
        by_name = {u.name: u for u in units.values()}
        officers = {by_name[unit].level_name for _, role, unit in await services.storage.people.on_channel(demo.CHANNEL)
                    if role == "officer"}
        assert {"province", "commune"} <= officers
    finally:
        await app.close_services(services)
