""""3 chủ động" (seed 004) through the handlers, as people use it: a grassroots unit's officer
registers next year's plan by 15/10 (004 step 1), the level above follows who registered (step 2),
reviews each item and decides the recognition (step 3); both templates at the end of 004 come back
as Word files, read here with python-docx."""

from __future__ import annotations

from datetime import datetime, timezone

import pytest
from docx import Document

from bot import app
from bot.channels.terminal import TerminalChat
from domain.three_active.rules import REGISTRATION_ITEM
from messages_vi import t
from tests.support import Chat, Clock, joined, open_services, seed_tree

# 2026-10-01 09:00 in Vietnam: the plans being registered are 2027's
REGISTRATION_SEASON = datetime(2026, 10, 1, 2, 0, tzinfo=timezone.utc)
# 2027-10-20 09:00: the 2027 plans are reviewed
REVIEW_SEASON = datetime(2027, 10, 20, 2, 0, tzinfo=timezone.utc)


@pytest.fixture
def clock() -> Clock:
    return Clock(REGISTRATION_SEASON)


def docx_text(path) -> str:
    """Every paragraph of a Word file, its header and signature tables' cells included."""
    document = Document(str(path))
    cells = [cell.text for table in document.tables for row in table.rows for cell in row.cells]
    return "\n".join([*cells, *(p.text for p in document.paragraphs)])


async def register(chat, *messages: str):
    """A plan typed from the start: each message, then "xong" after each part (a message "|" ends a part)."""
    await chat.say("/bachudong")
    for message in messages:
        await chat.say("xong" if message == "|" else message)
    return chat.replies


async def test_the_whole_cycle_registration_follow_up_review_decision(services, clock):
    g1 = await joined(services, "o-g1", "G1", "officer")
    d1 = await joined(services, "o-d1", "D1", "officer")

    # the grassroots unit's officer registers, part by part (004 step 1)
    replies = await g1.say("/bachudong")
    assert "năm 2027 — Đoàn xã Biên Giới" in replies[0].text and "Phần 1/3" in replies[0].text
    assert "quản lý đoàn viên và chăm lo, nắm bắt tình hình thanh niên" in replies[0].text
    await g1.say("xong")
    assert "ít nhất một nội dung" in g1.text                      # an empty part is not a part
    await g1.say("- Rà soát, lập danh sách đoàn viên khó khăn\n• Tuyên truyền Nghị quyết cho 100% đoàn viên\nok")
    assert "Đã thêm 2 nội dung" in g1.text and "«ok»: ngắn quá" in g1.text
    assert "1.1. Rà soát, lập danh sách đoàn viên khó khăn\n1.2. Tuyên truyền Nghị quyết" in g1.text
    await g1.tap("Xong phần này")
    assert "Phần 2/3. Chủ động xây dựng và thực hiện kế hoạch công tác" in g1.text
    await g1.say("1. Tổ chức sinh hoạt chi đoàn định kỳ hằng tháng")
    await g1.say("Phát động công trình thanh niên cấp xã")
    await g1.say("xoa 2")
    assert "Đã bỏ nội dung 2: «Phát động công trình thanh niên cấp xã»" in g1.text
    await g1.say("xong")
    await g1.say("Giới thiệu 02 đoàn viên ưu tú cho Đảng xem xét, kết nạp")
    await g1.say("xong")
    assert "📋 Kế hoạch đăng ký xây dựng Đoàn cơ sở “3 chủ động” năm 2027 — Đoàn xã Biên Giới" in g1.text
    assert "2.1. Tổ chức sinh hoạt chi đoàn định kỳ hằng tháng" in g1.text and "Phát động" not in g1.text
    await g1.say("Thêm một việc nữa")                              # at the summary nothing is guessed
    assert "không thêm gì" in g1.text and "Thêm một việc nữa" not in g1.text
    await g1.tap("Số văn bản")
    await g1.say("05")
    assert "Số văn bản: 05" in g1.text
    replies = await g1.tap("Gửi đăng ký")
    assert "Đã gửi kế hoạch đăng ký “3 chủ động” năm 2027 của Đoàn xã Biên Giới lên Huyện đoàn Một" in replies[0].text
    plan = docx_text(replies[0].attachment)
    assert "HUYỆN ĐOÀN MỘT" in plan and "BCH ĐOÀN XÃ BIÊN GIỚI" in plan and "ĐOÀN TNCS HỒ CHÍ MINH" in plan
    assert "Số: 05-KH/ĐTN" in plan and "Biên Giới, ngày 01 tháng 10 năm 2026" in plan
    assert "KẾ HOẠCH\nĐăng ký xây dựng Đoàn cơ sở “3 chủ động” năm 2027" in plan
    assert "I. MỤC ĐÍCH, YÊU CẦU" in plan and "II. NỘI DUNG ĐĂNG KÝ" in plan and "III. TỔ CHỨC THỰC HIỆN" in plan
    assert ("1. Chủ động thực hiện công tác quản lý đoàn viên và chăm lo, nắm bắt tình hình thanh niên ở địa "
            "phương, đơn vị.\n1.1. Rà soát, lập danh sách đoàn viên khó khăn\n1.2. Tuyên truyền") in plan
    assert "3.1. Giới thiệu 02 đoàn viên ưu tú cho Đảng xem xét, kết nạp" in plan
    assert "TM. BAN CHẤP HÀNH\nBÍ THƯ" in plan
    assert "Nơi nhận:\n- Ban Thường vụ Huyện đoàn Một;\n- Các chi đoàn trực thuộc;\n- Lưu." in plan
    # registering confirmed the calendar's 15/10 item: its reminders stop
    g1_unit = await services.storage.units.by_code("G1")
    assert not await services.storage.deadlines.confirm(g1_unit.id, REGISTRATION_ITEM, "2026", 1, clock())

    # the level above follows who registered (004 step 2)
    replies = await d1.say("ba chu dong")
    assert "📝 Đăng ký năm 2027 (hạn 15/10/2026): 1/2 đơn vị đã đăng ký." in replies[0].text
    assert "✅ Đã đăng ký: Đoàn xã Biên Giới" in replies[0].text
    assert "⏳ Chưa đăng ký: Đoàn phường Giữa" in replies[0].text

    # still before any review, the unit corrects its plan
    await g1.say("/bachudong")
    assert "Chờ Đoàn cấp trên đánh giá" in g1.text
    await g1.tap("Sửa kế hoạch")
    await g1.say("sua 3")
    await g1.say("Phối hợp Hội Nông dân hỗ trợ thanh niên lập nghiệp")
    await g1.say("xong")
    replies = await g1.say("gui")
    assert "Đã sửa kế hoạch “3 chủ động” năm 2027" in replies[0].text
    assert "3.2. Phối hợp Hội Nông dân hỗ trợ thanh niên lập nghiệp" in docx_text(replies[0].attachment)

    # a year on, the level above reviews each item and decides (004 step 3)
    clock.now = REVIEW_SEASON
    replies = await d1.say("/bachudong")
    assert "🔎 Đánh giá năm 2027: 0/1 kế hoạch đã có quyết định." in replies[0].text
    assert "✍️ Chờ đánh giá: Đoàn xã Biên Giới (0/5)" in replies[0].text
    await d1.tap("Đánh giá: Đoàn xã Biên Giới")
    assert "Nội dung 1/5" in d1.text and "1.1. Rà soát, lập danh sách đoàn viên khó khăn" in d1.text
    await d1.tap("✅ Đạt")
    assert "Nội dung 2/5" in d1.text
    await d1.say("chua dat")                                      # typed words answer as well
    assert "Nội dung 3/5" in d1.text
    await d1.tap("Dừng")
    assert "Đã dừng" in d1.text
    await d1.say("/bachudong")
    assert "Đoàn xã Biên Giới (2/5)" in d1.text
    await g1.say("/bachudong")                  # the unit sees how its plan stands, and registers 2028's
    assert "Kế hoạch năm 2027: Đang được đánh giá: 2/5 nội dung." in g1.text and "năm 2028" in g1.text
    await g1.say("huy")
    assert "Đã bỏ phần đang soạn" in g1.text
    await d1.tap("Đánh giá: Đoàn xã Biên Giới")
    assert "Nội dung 3/5" in d1.text                              # where it stopped
    await d1.tap_data(f"ba:rc:{(await services.storage.three_active.plan(g1_unit.id, 2027)).id}:1")
    assert "Còn 3 nội dung chưa đánh giá" in d1.text and "Nội dung 3/5" in d1.text   # not before the end
    for _ in range(3):
        await d1.tap("✅ Đạt")
    assert "📊 Đoàn xã Biên Giới — “3 chủ động” năm 2027: 4/5 nội dung đạt." in d1.text
    assert "❌ 1.2. Tuyên truyền Nghị quyết" in d1.text and "Còn 1 nội dung chưa đạt" in d1.text
    await d1.tap("🏅 Công nhận")
    assert "Đã ghi: công nhận Đoàn xã Biên Giới đạt Đoàn cơ sở “3 chủ động” năm 2027." in d1.text
    await d1.tap("Quyết định công nhận năm 2027")
    assert "1 đơn vị được công nhận" in d1.text
    await d1.say("số mười lăm")
    assert "không giống số văn bản" in d1.text
    replies = await d1.say("15")
    assert replies[0].attachment.suffix == ".docx"
    decision = docx_text(replies[0].attachment)
    assert "TỈNH ĐOÀN THỬ" in decision and "BCH HUYỆN ĐOÀN MỘT" in decision and "ĐOÀN TNCS HỒ CHÍ MINH" in decision
    assert "Số: 15-QĐ/HĐTN" in decision and "Một, ngày 20 tháng 10 năm 2027" in decision
    assert "QUYẾT ĐỊNH\nV/v công nhận Đoàn cơ sở “3 chủ động” năm 2027\n-----\nBAN THƯỜNG VỤ HUYỆN ĐOÀN MỘT" in decision
    assert "Điều 1. Công nhận 01 Đoàn cơ sở đạt danh hiệu Đoàn cơ sở “3 chủ động” năm 2027" in decision
    assert "Điều 2." in decision and "TM. BAN THƯỜNG VỤ\nBÍ THƯ" in decision
    assert "Nơi nhận:\n- Ban Thường vụ Tỉnh đoàn Thử;\n- Như Điều 2;\n- Lưu." in decision
    assert "DANH SÁCH\nĐoàn cơ sở đạt danh hiệu Đoàn cơ sở “3 chủ động” năm 2027" in decision
    assert "(Kèm theo Quyết định số 15-QĐ/HĐTN, ngày 20/10/2027 của Ban Thường vụ Huyện đoàn Một)" in decision
    assert "STT\nĐoàn cơ sở\nTrực thuộc\nNội dung đạt\n1\nĐoàn xã Biên Giới\nHuyện đoàn Một\n4/5" in decision

    # decided: the marks stay as they are, the plan shows its result
    saved = await services.storage.three_active.plan(g1_unit.id, 2027)
    await d1.tap_data(f"ba:rv:{saved.id}")
    assert "Đã quyết định: công nhận" in d1.text and "✅ Đạt" not in d1.buttons()
    await d1.tap_data(f"ba:m:{saved.items[1].id}:1")               # an old button
    assert "đã có quyết định" in d1.text
    assert (await services.storage.three_active.plan_by_id(saved.id)).achieved == 4
    await g1.tap_data(f"ba:v:{saved.id}")
    assert "🏅 Đã được công nhận Đoàn cơ sở “3 chủ động” (4/5 nội dung đạt)." in g1.text


async def test_a_plan_half_typed_goes_on_after_a_restart(tmp_path, clock):
    path = tmp_path / "restart.sqlite3"
    services = await open_services(path, clock)
    await seed_tree(services)
    g3 = await joined(services, "o-g3", "G3", "officer")
    await register(g3, "Nắm tình hình tư tưởng đoàn viên hằng quý", "|", "Sinh hoạt chuyên đề hằng quý")
    await app.close_services(services)

    clock.advance(days=2)
    services = await open_services(path, clock)
    g3.services = services
    await g3.say("Thành lập đội hình thanh niên tình nguyện")
    assert "2.1. Sinh hoạt chuyên đề hằng quý\n2.2. Thành lập đội hình thanh niên tình nguyện" in g3.text
    await g3.say("/bachudong")                                   # the command finds it where it was
    assert "Bạn đang soạn dở kế hoạch năm 2027" in g3.text and "Phần 2/3" in g3.text
    await g3.say("xong")
    await g3.say("Tham mưu Đảng ủy đối thoại với thanh niên")
    await g3.say("xong")
    replies = await g3.say("gửi")
    assert "Đã gửi kế hoạch" in replies[0].text and replies[0].attachment.exists()
    await app.close_services(services)


async def test_a_correction_sent_after_the_review_began_is_refused_and_the_plan_kept(services, clock):
    g1 = await joined(services, "o-g1", "G1", "officer")
    d1 = await joined(services, "o-d1", "D1", "officer")
    await register(g1, "Rà soát đoàn viên có hoàn cảnh khó khăn", "|", "Sinh hoạt chi đoàn hằng tháng", "|",
                   "Giới thiệu đoàn viên ưu tú", "|", "gui")
    await g1.tap("Sửa kế hoạch")
    await g1.say("sua 1")
    await g1.say("Một nội dung thêm vào sau")
    await d1.say("/bachudong")
    await d1.tap("Xem kế hoạch năm 2027")
    await d1.tap("Đoàn xã Biên Giới")
    assert "1.1. Rà soát đoàn viên có hoàn cảnh khó khăn" in d1.text
    assert "Rà soát đoàn viên" in docx_text(d1.replies[1].attachment)
    await d1.tap("Đánh giá: Đoàn xã Biên Giới")
    await d1.tap("✅ Đạt")
    await g1.say("xong")
    await g1.say("gui")
    assert g1.text == "Kế hoạch năm 2027 của Đoàn xã Biên Giới đã được Đoàn cấp trên đánh giá nên không sửa được nữa."
    saved = await services.storage.three_active.plan((await services.storage.units.by_code("G1")).id, 2027)
    assert [i.text for i in saved.items if i.part == 1] == ["Rà soát đoàn viên có hoàn cảnh khó khăn"]
    assert await services.storage.three_active.session(saved.person_id, "plan") is None


async def test_a_draft_left_longer_than_a_form_is_kept_takes_no_stray_text(services, clock):
    g2 = await joined(services, "o-g2", "G2", "officer")
    await g2.say("/bachudong")
    clock.advance(days=8)                                        # services.form_max_idle is 7 days
    await g2.say("Một câu chào hỏi bình thường")
    assert "Đã thêm" not in g2.text
    await g2.say("/bachudong")
    assert "Bạn đang soạn dở kế hoạch năm 2027" in g2.text and "(chưa có nội dung)" not in g2.text


async def test_slash_huy_ends_a_draft_as_huy_typed_does(services, clock):
    g2 = await joined(services, "o-g2", "G2", "officer")
    await g2.say("/bachudong")
    await g2.say("Rà soát đoàn viên có hoàn cảnh khó khăn")
    assert "Đã thêm" in g2.text
    await g2.say("/huy")
    assert "Đã bỏ phần đang soạn" in g2.text
    await g2.say("Một câu chào hỏi bình thường")                 # no draft takes it any more
    assert "Đã thêm" not in g2.text
    await g2.say("/huy")                                          # nothing open at all
    assert g2.text == t("form.nothing_open")


async def test_strangers_secretaries_and_other_officers_are_refused(services, clock):
    g1 = await joined(services, "o-g1", "G1", "officer")
    await register(g1, "Rà soát đoàn viên có hoàn cảnh khó khăn", "|", "Sinh hoạt chi đoàn hằng tháng", "|",
                   "Giới thiệu đoàn viên ưu tú", "|", "gui")
    saved = await services.storage.three_active.plan((await services.storage.units.by_code("G1")).id, 2027)
    item = saved.items[0].id

    secretary = await joined(services, "s-b1", "B1")
    for say in ("/bachudong", "3 chu dong"):
        await secretary.say(say)
        assert secretary.text == t("bcd.for_branches")           # what it is, nothing of any plan
    await secretary.tap_data(f"ba:v:{saved.id}")
    assert secretary.text == t("not_allowed")
    stranger = Chat(services, "nobody")
    await stranger.say("/bachudong")
    assert stranger.text == t("stranger")
    await stranger.tap_data(f"ba:m:{item}:1")
    assert stranger.text == t("stranger")

    d2 = await joined(services, "o-d2", "D2", "officer")          # another district
    for data in (f"ba:v:{saved.id}", f"ba:rv:{saved.id}", f"ba:m:{item}:1", f"ba:rc:{saved.id}:1"):
        await d2.tap_data(data)
        assert d2.text == "Bạn chỉ xem được đơn vị của mình và các đơn vị trực thuộc.", data
    g2 = await joined(services, "o-g2", "G2", "officer")          # a neighbour
    await g2.tap_data(f"ba:v:{saved.id}")
    assert g2.text == "Bạn chỉ xem được đơn vị của mình và các đơn vị trực thuộc."
    await g1.tap_data(f"ba:m:{item}:1")                           # never one's own plan
    assert g1.text == "Đơn vị không tự đánh giá kế hoạch của mình: việc này do Đoàn cấp trên làm."
    assert all(i.achieved is None for i in (await services.storage.three_active.plan_by_id(saved.id)).items)
    await d2.say("/bachudong")                                    # D2 follows only G3
    assert "0/1 đơn vị đã đăng ký" in d2.text and "Đoàn xã Biên Giới" not in d2.text
    province = await joined(services, "o-p", "P", "officer")
    await province.say("/bachudong")
    assert "1/3 đơn vị đã đăng ký" in province.text


async def test_numbered_answers_as_on_zalo(services, clock):
    g1 = await joined(services, "o-g1", "G1", "officer")
    d1 = await joined(services, "o-d1", "D1", "officer")
    terminal = TerminalChat(services)                             # renders and reads menus exactly as Zalo
    terminal.user_id, terminal.name = g1.user_id, g1.name
    out = await terminal.say("bachudong")
    assert "1. ✖ Hủy" in out
    await terminal.say("Rà soát đoàn viên có hoàn cảnh khó khăn")
    out = await terminal.say("1")                                 # 1. ✅ Xong phần này
    assert "Phần 2/3" in out
    await terminal.say("Sinh hoạt chi đoàn hằng tháng")
    await terminal.say("1")
    await terminal.say("Giới thiệu đoàn viên ưu tú cho Đảng")
    out = await terminal.say("1")
    assert "1. 📨 Gửi đăng ký" in out and "5. 🔢 Số văn bản" in out
    out = await terminal.say("5")
    assert "• Để trống" in out                                   # a number is asked: digits answer it
    out = await terminal.say("05")
    assert "Số văn bản: 05" in out
    out = await terminal.say("1")
    assert "Đã gửi kế hoạch" in out and "ke-hoach-3-chu-dong-2027-G1.docx" in out

    clock.now = REVIEW_SEASON
    terminal.user_id, terminal.name = d1.user_id, d1.name
    out = await terminal.say("3 chủ động")
    assert "1. ✍️ Đánh giá: Đoàn xã Biên Giới" in out
    out = await terminal.say("1")
    assert "Nội dung 1/3" in out and "1. ✅ Đạt" in out and "2. ❌ Chưa đạt" in out
    await terminal.say("1")
    await terminal.say("2")
    out = await terminal.say("dat")                               # the words of a choice
    assert "2/3 nội dung đạt" in out and "1. 🗂 Theo dõi" in out and "2. 🏅 Công nhận" in out
    out = await terminal.say("1")                                 # one "1" too many: only the follow-up
    assert "🔎 Đánh giá năm 2027: 0/1 kế hoạch đã có quyết định." in out
    saved = await services.storage.three_active.plan((await services.storage.units.by_code("G1")).id, 2027)
    await terminal.say("1")                                       # ✍️ Đánh giá: back to the tally
    out = await terminal.say("3")                                 # 3. ✖ Không công nhận
    assert "Đoàn xã Biên Giới không được công nhận" in out and "1. 🗂 Theo dõi" in out
    out = await terminal.say("2")                                 # 2. 🏅 Công nhận, changed
    assert "Đã ghi: công nhận Đoàn xã Biên Giới" in out and "2. 📄 Quyết định công nhận năm 2027" in out
    out = await terminal.say("2")
    assert "• Để trống" in out
    out = await terminal.say("15")
    assert "quyet-dinh-3-chu-dong-2027-D1.docx" in out
    saved = await services.storage.three_active.plan_by_id(saved.id)
    assert saved.recognised is True and [i.achieved for i in saved.items] == [True, False, True]


async def test_the_digest_and_the_spreadsheet_of_the_level_above_show_the_season(services, clock, tmp_path):
    from openpyxl import load_workbook
    g1 = await joined(services, "o-g1", "G1", "officer")
    d1 = await joined(services, "o-d1", "D1", "officer")
    await d1.say("/tonghop")
    assert "🗂 Đoàn cơ sở “3 chủ động”" not in d1.replies[0].text  # nobody uses the cycle here yet
    await register(g1, "Rà soát đoàn viên có hoàn cảnh khó khăn", "|", "Sinh hoạt chi đoàn hằng tháng", "|",
                   "Giới thiệu đoàn viên ưu tú", "|", "gui")
    replies = await d1.say("/tonghop")
    assert ("🗂 Đoàn cơ sở “3 chủ động”\n📝 Đăng ký năm 2027 (báo cáo lên trên trước 25/10/2026): 1/2 đơn vị đã "
            "đăng ký.\n⏳ Chưa đăng ký: Đoàn phường Giữa") in replies[0].text
    replies = await d1.say("/xuat")
    sheet = load_workbook(replies[0].attachment)["3 chủ động"]
    rows = [r for r in sheet.iter_rows(values_only=True) if r[0] in ("Đơn vị", "Đoàn xã Biên Giới", "Đoàn phường Giữa")]
    assert rows[0][:5] == ("Đơn vị", "Trực thuộc", "Đăng ký năm 2027", "Số nội dung đăng ký", "Kết quả năm 2026")
    assert rows[1][:2] == ("Đoàn xã Biên Giới", "Huyện đoàn Một") and rows[1][2].date().isoformat() == "2026-10-01"
    assert rows[1][3] == 3 and rows[2][2] == "Chưa đăng ký"
    await d1.say("/tonghop thang 9")                              # before the season
    assert "🗂 Đoàn cơ sở “3 chủ động”" not in d1.replies[0].text


async def test_the_calendar_nudges_the_units_until_they_register(services, clock):
    """The shipped calendar's 15/10 item (004 step 1) reminds each grassroots unit's officers, and
    a registration confirms it for that unit: its reminders stop, the others' go on."""
    from domain.deadlines.calendar import load_calendar
    from domain.reminders import Reminders
    from messages_vi.formatting import LOCAL_TZ

    g1 = await joined(services, "o-g1", "G1", "officer")
    await joined(services, "o-g2", "G2", "officer")
    ticker = Reminders(services.storage, load_calendar())

    def steps(keys, unit_id):
        return [k.split(":")[4] for k in keys if k.startswith(f"r:{unit_id}:{REGISTRATION_ITEM}:2026:")]

    async def keys(chat_id):
        return [row[0] for row in await services.storage.outbox.sent_to(chat_id)]

    g1_unit, g2_unit = (await services.storage.units.by_code("G1")), (await services.storage.units.by_code("G2"))
    await ticker.tick(datetime(2026, 10, 8, 9, tzinfo=LOCAL_TZ))
    assert steps(await keys("o-g1"), g1_unit.id) == ["before-7"] == steps(await keys("o-g2"), g2_unit.id)
    clock.now = datetime(2026, 10, 9, 9, tzinfo=LOCAL_TZ).astimezone(timezone.utc)
    await register(g1, "Rà soát đoàn viên có hoàn cảnh khó khăn", "|", "Sinh hoạt chi đoàn hằng tháng", "|",
                   "Giới thiệu đoàn viên ưu tú", "|", "gui")
    await ticker.tick(datetime(2026, 10, 14, 9, tzinfo=LOCAL_TZ))
    await ticker.tick(datetime(2026, 10, 18, 9, tzinfo=LOCAL_TZ))
    assert steps(await keys("o-g1"), g1_unit.id) == ["before-7"]
    assert steps(await keys("o-g2"), g2_unit.id) == ["before-7", "before-1", "late-1"]
