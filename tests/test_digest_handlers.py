"""/tonghop, /xuat and the weekly digest through the handlers: scope, buttons, files, the outbox."""

from __future__ import annotations

import asyncio
import json
import os
import time
from datetime import date

import pytest
from openpyxl import load_workbook

from bot import app
from domain.digests import weekly
from handlers import digests as digest_handlers
from tests.support import joined, open_services, seed_tree
from tests.test_digests import meet, oneplusone


@pytest.fixture
def out(tmp_path):
    """Where the handlers write their files: "out" beside the test's database, in the test's folder."""
    return tmp_path / "out"


async def unit_id(services, code) -> int:
    return (await services.storage.units.by_code(code)).id


async def test_officer_gets_the_digest_and_its_chart(services):
    await meet(services, "B1", date(2026, 11, 3), 18)
    await meet(services, "B2", date(2026, 10, 3), 7, mode="online")
    officer = await joined(services, "o-d1", "D1", "officer")
    replies = await officer.say("/tonghop")
    assert replies[0].text.startswith("📊 Tổng hợp tháng 11/2026 — Huyện đoàn Một")
    assert "• Đoàn xã Biên Giới: 2/2 đạt (100%)" in replies[0].text
    assert "⏳ Chưa sinh hoạt, chưa hết hạn: Chi đoàn khu phố Năm" in replies[0].text
    photo = replies[1]
    assert photo.attachment_kind == "photo" and photo.attachment.read_bytes().startswith(b"\x89PNG")

    await officer.tap("Quý này")
    assert officer.replies[0].text.startswith("📊 Tổng hợp quý 4/2026 — Huyện đoàn Một")
    await officer.tap("Chọn tháng")
    await officer.tap("Tháng 9/2026")
    assert officer.replies[0].text.startswith("📊 Tổng hợp tháng 9/2026 — Huyện đoàn Một")
    await officer.tap("Đoàn phường Giữa")
    assert officer.replies[0].text.startswith("📊 Tổng hợp tháng 9/2026 — Đoàn phường Giữa")
    assert "Chi đoàn ấp Một" not in officer.replies[0].text


async def test_officer_cannot_see_another_district(services):
    officer = await joined(services, "o-d1", "D1", "officer")
    await officer.say("/tonghop D2")
    assert officer.text == "Bạn chỉ xem được đơn vị của mình và các đơn vị trực thuộc."
    for data in (f"tg:{await unit_id(services, 'D2')}:2026-11", f"tx:{await unit_id(services, 'B3')}:2026",
                 f"tc:{await unit_id(services, 'P')}:2026-Q3", f"tgm:{await unit_id(services, 'G3')}"):
        await officer.tap_data(data)
        assert officer.text == "Bạn chỉ xem được đơn vị của mình và các đơn vị trực thuộc.", data
        assert not any(r.attachment for r in officer.replies)
    await officer.say("/xuat D2 2026-Q3")
    assert not officer.replies[0].attachment


async def test_secretary_gets_only_their_branch(services):
    await meet(services, "B1", date(2026, 11, 3), 18)
    await oneplusone(services, "B1", "2026-H2", 10, 12, 2, 1)
    secretary = await joined(services, "s-b1", "B1")
    replies = await secretary.say("/tonghop")
    assert len(replies) == 1 and not replies[0].attachment          # no chart for one branch
    assert replies[0].text.startswith("📊 Tổng hợp tháng 11/2026 — Chi đoàn ấp Một")
    assert "✅ đạt (1/1 tháng)" in replies[0].text
    assert "10 đoàn viên tham gia · 12 thanh niên được vận động" in replies[0].text
    await secretary.say("/tonghop G1")
    assert secretary.text == "Bạn chỉ xem được đơn vị của mình và các đơn vị trực thuộc."
    await secretary.tap_data(f"tg:{await unit_id(services, 'B2')}:2026-11")
    assert secretary.text == "Bạn chỉ xem được đơn vị của mình và các đơn vị trực thuộc."


async def test_period_arguments(services):
    officer = await joined(services, "o-g1", "G1", "officer")
    await officer.say("/tonghop 2026-Q2")
    assert officer.replies[0].text.startswith("📊 Tổng hợp quý 2/2026 — Đoàn xã Biên Giới")
    await officer.say("/tonghop B2 2026-H1")
    assert officer.replies[0].text.startswith("📊 Tổng hợp 6 tháng đầu năm 2026 — Chi đoàn ấp Hai")
    await officer.say("/tonghop 2027")
    assert officer.text == "Kỳ năm 2027 chưa bắt đầu."
    await officer.say("/tonghop thang-truoc")
    assert officer.text.startswith("Trợ lý chưa hiểu “thang-truoc”.") and "thang 11, 11/2026, quy 4" in officer.text


@pytest.mark.parametrize("typed, title", [
    ("thang 11", "tháng 11/2026"),
    ("Tháng 11", "tháng 11/2026"),
    ("tháng 11/2026", "tháng 11/2026"),
    ("11/2026", "tháng 11/2026"),
    ("thang 12 2025", "tháng 12/2025"),
    ("thang 12", "tháng 12/2025"),             # on 23/11/2026 December 2026 has not begun: the last one
    ("quy 4", "quý 4/2026"),
    ("quý IV/2025", "quý 4/2025"),
    ("quy 3 nam 2025", "quý 3/2025"),
    ("nam 2026", "năm 2026"),
    ("năm 2025", "năm 2025"),
    ("6 tháng đầu năm", "6 tháng đầu năm 2026"),
    ("thang truoc", "tháng 10/2026"),
    ("năm ngoái", "năm 2025"),
    ("nam ngoai", "năm 2025"),
    ("ca nam", "năm 2026"),
    ("cả năm nay", "năm 2026"),
    ("ca nam 2025", "năm 2025"),
    ("2026-Q2", "quý 2/2026"),
    ("B2 thang 10", "tháng 10/2026 — Chi đoàn ấp Hai"),
    ("thang 10 b2", "tháng 10/2026 — Chi đoàn ấp Hai"),
])
async def test_a_period_typed_as_people_say_it(services, typed, title):
    officer = await joined(services, "o-g1", "G1", "officer")         # today: 23/11/2026
    await officer.say(f"/tonghop {typed}")
    assert officer.replies[0].text.startswith(f"📊 Tổng hợp {title}"), officer.text
    await officer.say(f"/xuat {typed}")
    assert officer.replies[0].attachment is not None and title.split(" — ")[0] in officer.replies[0].text


async def test_a_period_that_does_not_exist_is_named_back(services):
    officer = await joined(services, "o-g1", "G1", "officer")
    await officer.say("/tonghop thang 13")
    assert officer.text.startswith("Trợ lý chưa hiểu “thang 13”.") and not officer.replies[0].attachment
    await officer.say("/tonghop quy 4 XYZ")
    assert officer.text.startswith("Trợ lý chưa hiểu “XYZ”.")


async def test_export_sends_the_spreadsheet_then_csv(services, out):
    await meet(services, "B1", date(2026, 11, 3), 18)
    officer = await joined(services, "o-d1", "D1", "officer")
    [reply] = await officer.say("/xuat")
    assert reply.attachment.suffix == ".xlsx" and reply.attachment_kind == "document"
    assert reply.attachment.name == "tonghop-D1-2026-11.xlsx" and reply.attachment.is_relative_to(out)
    assert reply.attachment.read_bytes()[:2] == b"PK"
    assert "Huyện đoàn Một" in reply.text
    replies = await officer.tap("CSV")
    assert [r.attachment.name for r in replies] == [
        f"tonghop-D1-2026-11-{slug}.csv" for slug in
        ("chi-doan", "theo-don-vi", "sinh-hoat", "1-cong-1", "han-bao-cao", "lich-su-sua", "can-chu-y")]
    assert all(r.attachment.exists() for r in replies)
    assert len({r.attachment.parent for r in replies}) == 1 and replies[0].attachment.parent != reply.attachment.parent
    await officer.say("/tonghop")
    await officer.tap("Excel")
    assert officer.replies[0].attachment.suffix == ".xlsx"


async def test_files_go_beside_the_database_whatever_folder_the_bot_runs_in(services, out, tmp_path, monkeypatch):
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    monkeypatch.chdir(elsewhere)                           # started from another folder
    officer = await joined(services, "o-d1", "D1", "officer")
    replies = await officer.say("/tonghop")
    [sheet] = await officer.say("/xuat")
    files = [r.attachment for r in replies if r.attachment] + [sheet.attachment]
    assert len(files) == 2 and all(f.is_file() and f.is_relative_to(out) for f in files)
    assert list(elsewhere.iterdir()) == []


async def test_files_go_to_the_folder_the_services_name(services, tmp_path):
    services.out_dir = tmp_path / "exports"
    officer = await joined(services, "o-d1", "D1", "officer")
    [sheet] = await officer.say("/xuat")
    assert sheet.attachment.is_relative_to(tmp_path / "exports") and not (tmp_path / "out").exists()


async def test_exports_at_once_each_get_a_whole_file_of_their_own(services, out):
    await meet(services, "B1", date(2026, 11, 3), 18)
    officers = [await joined(services, f"o-d1-{i}", "D1", "officer") for i in range(2)]
    first, second = await asyncio.gather(*(officer.say("/xuat") for officer in officers))
    paths = [first[0].attachment, second[0].attachment]
    assert paths[0] != paths[1] and paths[0].name == paths[1].name == "tonghop-D1-2026-11.xlsx"
    for path in paths:
        book = load_workbook(path)
        assert book["Chi đoàn"]["A2"].value == "Đơn vị: Huyện đoàn Một (mã D1)"
        assert [row[2] for row in book["Chi đoàn"].iter_rows(min_row=7, values_only=True)] == ["B1", "B2", "B5"]
    assert not [p for p in out.rglob("*") if p.suffix == ".part"]


async def test_files_of_earlier_requests_are_removed_after_an_hour(services, out):
    officer = await joined(services, "o-d1", "D1", "officer")
    [recent] = await officer.say("/xuat")
    old = out / "D1-2026-11" / "old-request"
    old.mkdir()
    (old / "tonghop-D1-2026-11.xlsx").write_bytes(b"PK")
    an_hour_ago = time.time() - digest_handlers.KEEP_SECONDS - 60
    os.utime(old, (an_hour_ago, an_hour_ago))
    other = out / "D1-2026-Q4" / "old-request"
    other.mkdir(parents=True)
    os.utime(other, (an_hour_ago, an_hour_ago))
    [latest] = await officer.say("/xuat")
    assert not old.exists() and recent.attachment.exists() and latest.attachment.exists()
    assert other.exists()                                  # another period's files are not this request's to clean


async def test_weekly_day_is_chosen_with_a_button(services):
    officer = await joined(services, "o-d1", "D1", "officer")
    await officer.say("/tonghop")
    await officer.tap("Bản tin tuần")
    assert "đang bật, gửi vào Thứ Hai" in officer.text
    await officer.tap("Thứ Năm")
    assert officer.text.startswith("Đã đặt: bản tin tuần gửi vào Thứ Năm.")
    identity = await services.storage.people.identify(officer.channel, officer.user_id)
    pref = await services.storage.digests.pref(identity.person.id)
    assert (pref.weekday, pref.enabled) == (3, True)
    await officer.tap("Tắt")
    assert "đang tắt" in officer.text
    assert not (await services.storage.digests.pref(identity.person.id)).enabled
    secretary = await joined(services, "s-b1", "B1")
    await secretary.tap_data("tw:2")
    assert secretary.text == "Mục này không dành cho vai trò của bạn."


async def test_weekly_digest_queued_once_per_officer_per_week(tmp_path, clock):
    path = tmp_path / "weekly.sqlite3"
    services = await open_services(path, clock)
    try:
        officers = await _first_monday(services, clock)
    finally:
        await app.close_services(services)
    services = await open_services(path, clock)                           # a restart
    try:
        await _after_restart(services, clock, *officers)
    finally:
        await app.close_services(services)


async def _first_monday(services, clock):
    await seed_tree(services)
    await meet(services, "B1", date(2026, 11, 17), 12)                    # last week
    d1 = await joined(services, "o-d1", "D1", "officer")
    g2 = await joined(services, "o-g2", "G2", "officer")
    d2 = await joined(services, "o-d2", "D2", "officer")
    await g2.tap_data("tw:3")                                             # Thursday
    await d2.tap_data("tw:off")
    # Monday 23/11 09:00 in Vietnam: D1's Monday digest is due, once.
    assert await weekly.queue_weekly_digests(services, clock()) == 1
    assert await weekly.queue_weekly_digests(services, clock()) == 0
    return d1, d2


async def _after_restart(services, clock, d1, d2):
    assert await weekly.queue_weekly_digests(services, clock()) == 0
    [(key, status, payload)] = await services.storage.outbox.sent_to(d1.user_id)
    identity = await services.storage.people.identify(d1.channel, d1.user_id)
    assert key == f"digest:{identity.person.id}:2026-W48" and status == "queued"
    body = json.loads(payload)["text"]
    assert body.startswith("🗞 Bản tin tuần — Huyện đoàn Một\nTuần qua (16/11/2026 – 22/11/2026):")
    assert "1 buổi sinh hoạt chi đoàn (1 chi đoàn)" in body and "Tổng hợp tháng 11/2026" in body

    clock.advance(days=3, hours=-2, minutes=29)                           # Thursday 07:29
    assert await weekly.queue_weekly_digests(services, clock()) == 0
    clock.advance(minutes=2)                                              # Thursday 07:31: G2's
    assert await weekly.queue_weekly_digests(services, clock()) == 1
    clock.advance(days=4)                                                 # next Monday 07:31
    assert await weekly.queue_weekly_digests(services, clock()) == 1
    assert [k for k, _, _ in await services.storage.outbox.sent_to(d1.user_id)] == [
        f"digest:{identity.person.id}:2026-W48", f"digest:{identity.person.id}:2026-W49"]
    assert await services.storage.outbox.sent_to(d2.user_id) == []
