"""QA as the officers above the branches (Đoàn xã Tân Phú, Đoàn phường Phước Hậu, a school's Đoàn
trường, the Tỉnh đoàn Vĩnh Long) use the bot on Zalo's numbered menus and Telegram's buttons, a
second pass after tests/test_qa_officer.py: each test is one thing such a person did that went
wrong, named for what they did."""

from __future__ import annotations

import json
from datetime import date, datetime, timezone

from bot import app
from bot.channels.terminal import TerminalChat
from domain import units_csv
from domain.digests import chart, weekly
from messages_vi import t
from tests.support import Clock, joined, open_services
from tests.test_chart import png_size
from tests.test_digests import meet, oneplusone
from tests.test_level_names import MERGED


def on_zalo(services, chat) -> TerminalChat:
    """The same person in a chat that renders and reads menus exactly as Zalo does."""
    terminal = TerminalChat(services)
    terminal.user_id, terminal.name = chat.user_id, chat.name
    return terminal


async def merged_at(tmp_path, now: datetime):
    """The merged province of tests/test_level_names.py, its clock at `now`."""
    services = await open_services(tmp_path / "merged.sqlite3", Clock(now))
    await services.storage.units.import_rows(units_csv.parse(MERGED, []), now)
    return services


async def test_the_monday_digest_of_the_week_28_12_to_3_1_shows_the_whole_of_december(tmp_path):
    services = await merged_at(tmp_path, datetime(2026, 12, 20, 2, 0, tzinfo=timezone.utc))
    try:
        officer = await joined(services, "o-tp", "TP", "officer")
        await meet(services, "C2", date(2026, 12, 29), 9)               # in the week, in December
        await meet(services, "C3", date(2026, 12, 5), 30)
        services.clock.now = datetime(2027, 1, 4, 1, 0, tzinfo=timezone.utc)    # Monday 08:00
        assert await weekly.queue_weekly_digests(services, services.clock()) == 1
        [(_, _, payload)] = await services.storage.outbox.sent_to(officer.user_id)
        pushed = json.loads(payload)
        month = pushed["text"].split("\n\n", 1)[1]
        assert month.startswith("Cả tháng 12/2026 (đã hết tháng):\n📊 Tổng hợp tháng 12/2026")
        assert "❌ Chưa sinh hoạt: Chi đoàn ấp Phú Lợi (quý 4/2026)" in month      # closed in the week
        assert "✅ Đã sinh hoạt: Chi đoàn ấp Phú Hòa" in month
        assert "6 tháng cuối năm 2026" in month and "tháng 1/2027" not in month
        commune = await services.storage.units.by_code("TP")
        assert [data for row in pushed["buttons"] for _, data in row][:2] == [
            f"tg:{commune.id}:2026-12", f"tx:{commune.id}:2026-12"]             # they open what was read
    finally:
        await app.close_services(services)


async def test_a_commune_officer_reads_the_history_of_a_branch_founded_in_september(tmp_path):
    now = datetime(2026, 11, 23, 2, 0, tzinfo=timezone.utc)
    services = await open_services(tmp_path / "founded.sqlite3", Clock(now))
    try:
        head, *lines = MERGED.splitlines()
        days = {"C1,": ",20/08/2026", "C2,": ",15/09/2026"}           # C1: a border-commune branch
        founded = "\n".join([head + ",founded", *(line + days.get(line[:3], ",") for line in lines)]) + "\n"
        await services.storage.units.import_rows(units_csv.parse(founded, []), now)
        officer = await joined(services, "o-tp", "TP", "officer")
        branch = await services.storage.units.by_code("C2")                 # Chi đoàn ấp Phú Hòa
        assert branch.founded_on == date(2026, 9, 15)
        await officer.tap_data(f"hi:{branch.id}")
        history = officer.text
        # September and before: no meeting owed by a branch that did not exist all month
        assert "• Tháng 9/2026: chưa có buổi nào\n" in history and "• Tháng 12/2025: chưa có buổi nào\n" in history
        assert "• Tháng 10/2026: chưa có buổi nào ⚠️ chưa sinh hoạt chi đoàn" in history
        assert "Tháng đã qua có sinh hoạt chi đoàn: 0/1." in history             # October alone, as the digest
        await officer.say("/lichsu phu loi")                      # its quarter 3 began before it was founded
        assert "Chưa có quý nào đã qua để xét (chi đoàn mới thành lập)." in officer.text
        assert "• Quý 3/2026: 0 buổi sinh hoạt chi đoàn\n" in officer.text          # no ⚠️ before it existed
    finally:
        await app.close_services(services)


async def test_a_forged_3_chu_dong_button_with_a_year_out_of_range_is_answered_as_stale(services):
    officer = await joined(services, "o-d1", "D1", "officer")
    for data in ("ba:f:1", "ba:f:-1", "ba:f:99999"):
        await officer.tap_data(data)
        assert officer.text == t("button_stale")                          # not the internal error
    await officer.tap_data("ba:f:2026")
    assert "Đăng ký năm 2026" in officer.text


async def test_a_commune_officer_who_typed_1_on_lich_by_mistake_takes_back_the_late_items_da_nop(tmp_path):
    services = await merged_at(tmp_path, datetime(2026, 11, 23, 2, 0, tzinfo=timezone.utc))
    try:
        zalo = on_zalo(services, await joined(services, "o-tp", "TP", "officer"))
        out = await zalo.say("/lich")
        assert "1. Hồ sơ, báo cáo tiêu chí Chi đoàn kiểu mẫu cấp tỉnh" in out and "quá hạn 60 ngày" in out
        out = await zalo.say("1")                                       # "1. ✅ 1. Đã nộp"
        assert out.startswith("✅ Đã ghi nhận: Đoàn xã Tân Phú đã nộp «Hồ sơ")
        assert "1. Hồ sơ" not in out                                     # a late item confirmed leaves the list
        assert "↩️ Bỏ đánh dấu đã nộp\n👉" in out                  # the way back, after every other choice
        out = await zalo.say("bo danh dau da nop")                         # typed, as on Zalo
        assert out.startswith("↩️ Đã bỏ ghi nhận «đã nộp» cho «Hồ sơ")
        assert "1. Hồ sơ, báo cáo tiêu chí Chi đoàn kiểu mẫu cấp tỉnh" in out
        commune = await services.storage.units.by_code("TP")
        assert await services.storage.deadlines.unconfirm(commune.id, "chi-doan-kieu-mau-ho-so", "2026") is False
    finally:
        await app.close_services(services)


async def test_an_officer_on_zalo_types_lichsu_and_a_branchs_name_and_reads_its_history(tmp_path):
    services = await merged_at(tmp_path, datetime(2026, 11, 23, 2, 0, tzinfo=timezone.utc))
    try:
        commune = on_zalo(services, await joined(services, "o-tp", "TP", "officer"))
        out = await commune.say("/lichsu phu loi")
        assert out.startswith("📊 Lịch sử hoạt động — Chi đoàn ấp Phú Lợi")
        out = await commune.say("/chidoan 12a1")
        assert out.startswith("🏠 Chi đoàn 12A1")
        out = await commune.say("/lichsu phu")                           # several: offered to pick
        assert out.startswith("Có 4 đơn vị hợp với “phu”") and "Chi đoàn ấp Phú Hòa" in out
        ward = on_zalo(services, await joined(services, "o-ph", "PH", "officer"))
        for typed in ("/lichsu C1", "/chidoan phu loi"):                  # another commune's code, name
            out = await ward.say(typed)
            assert out.startswith(f"Không thấy đơn vị nào tên hay mã “{typed.split(' ', 1)[1]}”")
            assert "Phú Lợi" not in out.split("\n", 1)[1] and "Chi đoàn khu phố 1" in out   # its own to pick
    finally:
        await app.close_services(services)


async def test_the_chart_of_a_digest_with_no_1_plus_1_report_yet_draws_no_zero_columns(tmp_path):
    services = await merged_at(tmp_path, datetime(2026, 11, 23, 2, 0, tzinfo=timezone.utc))
    try:
        officer = await joined(services, "o-tp", "TP", "officer")
        await officer.say("/tonghop")
        assert "🤝 1+1 (6 tháng cuối năm 2026): chưa có báo cáo." in officer.text
        _, without = png_size(officer.replies[-1].attachment)
        await oneplusone(services, "C2", "2026-H2", 8, 11, 0, 1)
        await officer.say("/tonghop")
        _, reported = png_size(officer.replies[-1].attachment)
        assert reported - without >= chart.COLUMNS_HEIGHT                 # the columns only once reported
    finally:
        await app.close_services(services)


async def test_after_15_10_a_commune_officer_reads_the_unregistered_doan_truong_as_late_not_waiting(tmp_path):
    services = await merged_at(tmp_path, datetime(2026, 10, 14, 2, 0, tzinfo=timezone.utc))
    try:
        officer = await joined(services, "o-tp", "TP", "officer")
        await officer.say("/bachudong")
        assert "⏳ Chưa đăng ký: Đoàn trường THPT Tân Phú" in officer.text      # 14/10: still in time
        services.clock.advance(days=6)                                          # 20/10
        await officer.say("/bachudong")
        assert "📝 Đăng ký năm 2027 (hạn 15/10/2026): 0/1" in officer.text
        assert "⚠️ Quá hạn, chưa đăng ký: Đoàn trường THPT Tân Phú" in officer.text and "⏳" not in officer.text
    finally:
        await app.close_services(services)


async def test_a_ward_officer_types_xuat_with_a_typo_and_the_example_names_its_own_unit_and_command(tmp_path):
    services = await merged_at(tmp_path, datetime(2026, 11, 23, 2, 0, tzinfo=timezone.utc))
    try:
        ward = await joined(services, "o-ph", "PH", "officer")
        await ward.say("/xuat thang 13")
        assert "ví dụ /xuat Chi đoàn khu phố 1 thang 11" in ward.text
        assert "Tân Phú" not in ward.text                                  # not another commune's name
    finally:
        await app.close_services(services)


async def test_an_officer_types_a_year_with_a_digit_missing_or_taps_a_forged_period_and_is_told_why(services):
    officer = await joined(services, "o-g1", "G1", "officer")
    unit = await services.storage.units.by_code("G1")
    for typed in ("/xuat 0999", "/tonghop 0001"):
        await officer.say(typed)
        assert officer.text == t("digest.too_old", year=2000)               # not the internal error
    for data in (f"tg:{unit.id}:0001", f"tx:{unit.id}:0001-01", f"tc:{unit.id}:0001-Q1"):
        await officer.tap_data(data)
        assert officer.text == t("digest.too_old", year=2000)


async def test_two_officers_of_a_doan_truong_type_the_plan_at_once_and_the_second_does_not_erase_the_first(tmp_path):
    services = await merged_at(tmp_path, datetime(2026, 10, 1, 2, 0, tzinfo=timezone.utc))
    try:
        first = on_zalo(services, await joined(services, "o-tr1", "TR", "officer", name="Lan"))
        second = on_zalo(services, await joined(services, "o-tr2", "TR", "officer", name="Hùng"))
        for chat, mark in ((first, "A"), (second, "B")):                 # both begin before either sends
            await chat.say("/bachudong")
            for said in (f"Rà soát đoàn viên {mark}", "xong", f"Sinh hoạt hằng tháng {mark}", "xong",
                         f"Tham mưu cấp ủy {mark}", "xong"):
                await chat.say(said)
        assert (await first.say("gui dang ky")).startswith("✅ Đã gửi kế hoạch")
        out = await second.say("gui dang ky")
        assert out.startswith("⚠️ Trong lúc bạn soạn, Lan đã gửi kế hoạch năm 2027 của Đoàn trường THPT Tân Phú")
        assert "1.1. Rà soát đoàn viên A" in out and "1.1. Rà soát đoàn viên B" in out   # both, to compare
        school = await services.storage.units.by_code("TR")
        plan = await services.storage.three_active.plan(school.id, 2027)
        assert [item.text for item in plan.items][0] == "Rà soát đoàn viên A"            # the first kept
        out = await second.say("gui dang ky")                              # again: knowingly replaced
        assert out.startswith("✅ Đã sửa kế hoạch")
        plan = await services.storage.three_active.plan(school.id, 2027)
        assert [item.text for item in plan.items][0] == "Rà soát đoàn viên B"
    finally:
        await app.close_services(services)


async def test_a_commune_officer_does_not_read_as_late_a_doan_truong_that_registered_on_paper_and_said_so(tmp_path):
    services = await merged_at(tmp_path, datetime(2026, 10, 20, 2, 0, tzinfo=timezone.utc))
    try:
        school = await joined(services, "o-tr", "TR", "officer")
        await school.tap_data("dl:c:3-chu-dong-dang-ky:2026")                # "Đã nộp" in /lich
        assert school.text.startswith("✅ Đã ghi nhận: Đoàn trường THPT Tân Phú đã nộp")
        commune = await joined(services, "o-tp", "TP", "officer")
        await commune.say("/bachudong")
        assert "📄 Đã báo nộp đăng ký nhưng chưa gửi kế hoạch qua trợ lý: Đoàn trường THPT Tân Phú" in commune.text
        assert "Quá hạn" not in commune.text and "Chưa đăng ký" not in commune.text
    finally:
        await app.close_services(services)


async def test_a_province_officer_on_zalo_names_a_branch_two_communes_both_have_and_picks_one(tmp_path):
    """Two "Chi đoàn ấp Một" were two identical choices: typed words picked the first silently."""
    from storage.units import UnitRow

    now = datetime(2026, 11, 23, 2, 0, tzinfo=timezone.utc)
    services = await merged_at(tmp_path, now)
    try:
        await services.storage.units.import_rows(
            [UnitRow("TP-A1", "Chi đoàn ấp Một", "branch", "TP", False, 12),
             UnitRow("PH-A1", "Chi đoàn ấp Một", "branch", "PH", False, 9)], now)
        province = on_zalo(services, await joined(services, "o-vl", "VL", "officer"))
        out = await province.say("/tonghop ap mot")
        assert "1. Chi đoàn ấp Một · TP-A1" in out and "2. Chi đoàn ấp Một · PH-A1" in out
        out = await province.say("2")
        assert out.startswith("📊") and "Chi đoàn ấp Một" in out and "Phước Hậu" in out
        ward = await joined(services, "o-ph", "PH", "officer")                  # one in its own subtree
        await ward.say("/tonghop ap mot")
        assert ward.text.startswith("📊") and "·" not in ward.text.split("\n", 1)[0]
    finally:
        await app.close_services(services)


async def test_an_officer_who_moved_the_weekly_digest_to_friday_reads_friday_in_the_help(services):
    """The help said "thứ Hai hằng tuần" whatever day the officer chose, or with the digest off."""
    officer = await joined(services, "o-d1", "D1", "officer")
    await officer.say("/trogiup")
    assert "đang bật, gửi vào Thứ Hai" in officer.text
    await officer.tap_data("tw:4")
    await officer.say("/menu")
    assert "đang bật, gửi vào Thứ Sáu" in officer.text and "Thứ Hai" not in officer.text
    await officer.tap_data("tw:off")
    await officer.say("/trogiup")
    assert "bản tổng hợp hằng tuần trợ lý tự gửi: đang tắt" in officer.text


async def test_an_officer_of_a_doan_truc_thuoc_with_only_a_branch_under_it_is_told_the_truth(services):
    """It was told its unit had no branch directly under it, beside the branch it had."""
    from storage.units import UnitRow

    await services.storage.units.import_rows(
        [UnitRow("DTT", "Đoàn Khối cơ quan", "district", "P", False, 0, level_name="affiliated"),
         UnitRow("DTT-1", "Chi đoàn Văn phòng", "branch", "DTT", False, 12)], services.clock())
    officer = await joined(services, "o-dtt", "DTT", "officer")
    await officer.say("/bachudong")
    assert "không có chi đoàn trực thuộc trực tiếp" not in officer.text
    assert "là cấp trên cơ sở nên không tự đăng ký" in officer.text and "Đoàn Khối cơ quan" in officer.text
