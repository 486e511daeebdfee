"""Every answer means what the person meant (issue 10): what a secretary types, what is stored,
what they read. Driven through the handlers as on Telegram (buttons; typed digits reach the form)
and as on Zalo and the terminal (numbered menus, bot/channels/numbered.py)."""

from __future__ import annotations

from datetime import date, datetime, timezone

from openpyxl import load_workbook

from bot.channels.terminal import TerminalChat
from domain import periods
from domain.deadlines.calendar import load_calendar
from domain.digests import compute, text, xlsx
from messages_vi.formatting import local_today
from tests.support import joined, make_invite

# 2 December 2026, 09:00 in Vietnam: November is still open (10 days of grace), October is not
DECEMBER_2 = datetime(2026, 12, 2, 2, 0, tzinfo=timezone.utc)


async def meetings_of(services, code="B1"):
    unit = await services.storage.units.by_code(code)
    return await services.storage.reports.meetings(unit.id, date(2024, 1, 1))


async def session_of(services, user_id="u1"):
    return (await services.storage.forms.conversation("terminal", user_id)).session


async def at_summary(chat, *answers):
    for answer in ("/sinhhoat", *(answers or ("hom nay", "sinh hoat", "12"))):
        await chat.say(answer)
    assert "Chọn Lưu để gửi" in chat.text


class Transcript:
    """A person's messages and what they read, counted: one line typed or one choice picked is
    one message."""

    def __init__(self):
        self.lines: list[str] = []
        self.messages = 0

    def sent(self, typed: str, read: str) -> None:
        self.messages += 1
        self.lines += [f"> {typed}", read, ""]

    def __str__(self) -> str:
        return "\n".join(self.lines)


async def on_zalo(services, unit_code: str, *typed: str) -> Transcript:
    """A secretary of `unit_code` typing `typed` where choices are numbered (Zalo, the terminal)."""
    chat = TerminalChat(services)
    chat.user_id, chat.name = f"z-{unit_code}", "Bí thư thử"
    await chat.say(f"/start {await make_invite(services, unit_code)}")
    transcript = Transcript()
    for line in typed:
        transcript.sent(line, await chat.say(line))
    return transcript


def with_buttons(replies) -> str:
    return "\n".join(r.text + "".join(f"\n[{b.label}]" for row in r.buttons for b in row) for r in replies)


async def on_telegram(chat, *steps: tuple[str, str]) -> Transcript:
    """("say", text) or ("tap", label) steps, as on Telegram's buttons."""
    transcript = Transcript()
    for how, what in steps:
        replies = await (chat.say(what) if how == "say" else chat.tap(what))
        transcript.sent(what if how == "say" else f"[{what}]", with_buttons(replies))
    return transcript


# --- measured: the monthly meeting report in five messages, in person and online ----------------

async def test_a_monthly_meeting_report_takes_five_messages_in_person_and_online(services):
    # a branch that is not a border-commune branch: it meets in person as a rule
    in_person = await on_zalo(services, "B1", "/sinhhoat", "1", "1", "18", "1")
    online = await on_zalo(services, "B5", "/sinhhoat", "1", "3", "12", "1")
    print("\n--- in person (Zalo, numbered menus) ---\n" + str(in_person))
    print("\n--- online (Zalo, numbered menus) ---\n" + str(online))
    assert in_person.messages <= 5 and online.messages <= 5
    [b1] = await meetings_of(services, "B1")
    [b5] = await meetings_of(services, "B5")
    assert (b1.held_on, b1.kind, b1.mode, b1.attended, b1.note) == (date(2026, 11, 23), "branch", "in_person", 18, "")
    assert (b5.held_on, b5.kind, b5.mode, b5.attended, b5.note) == (date(2026, 11, 23), "branch", "online", 12, "")
    assert "Hình thức: Trực tuyến" in str(online) and "Đã ghi hình thức: Trực tuyến." in str(online)


async def test_the_same_two_reports_in_five_messages_with_buttons(services):
    lan = await joined(services, "u1", "B1")
    in_person = await on_telegram(lan, ("say", "/sinhhoat"), ("tap", "Hôm nay"), ("tap", "Sinh hoạt chi đoàn"),
                                  ("say", "18"), ("tap", "Lưu"))
    minh = await joined(services, "u2", "B5")
    online = await on_telegram(minh, ("say", "/sinhhoat"), ("tap", "Hôm nay"), ("tap", "Sinh hoạt trực tuyến"),
                               ("say", "12"), ("tap", "Lưu"))
    print("\n--- in person (buttons) ---\n" + str(in_person))
    print("\n--- online (buttons) ---\n" + str(online))
    assert in_person.messages <= 5 and online.messages <= 5
    assert [(m.mode, m.attended) for m in await meetings_of(services, "B1")] == [("in_person", 18)]
    assert [(m.mode, m.attended) for m in await meetings_of(services, "B5")] == [("online", 12)]


async def test_the_mode_typed_beside_the_kind_is_taken_and_said(services):
    chat = await joined(services, "u1", "B1")
    for answer in ("/sinhhoat", "hom nay", "sinh hoạt trực tuyến"):
        await chat.say(answer)
    assert "Đã ghi hình thức: Trực tuyến." in chat.text and "bao nhiêu đoàn viên" in chat.text
    await chat.say("12")
    await chat.tap("Lưu")
    [meeting] = await meetings_of(services)
    assert (meeting.kind, meeting.mode) == ("branch", "online")


async def test_a_border_branch_gets_the_in_person_shortcut_instead(services):
    chat = await joined(services, "u1", "B2")                       # border commune: online by default
    for answer in ("/sinhhoat", "hom nay"):
        await chat.say(answer)
    assert "Sinh hoạt trực tiếp" in chat.buttons() and "Sinh hoạt trực tuyến" not in chat.buttons()
    await chat.tap("Sinh hoạt trực tiếp")
    await chat.say("8")
    await chat.tap("Lưu")
    [meeting] = await meetings_of(services, "B2")
    assert meeting.mode == "in_person"


# --- free text at the summary is read for what it is --------------------------------------------

async def test_save_words_typed_at_the_summary_save(services):
    chat = await joined(services, "u1", "B1")
    await at_summary(chat)
    await chat.say("ok")
    assert "Đã lưu" in chat.text
    [meeting] = await meetings_of(services)
    assert (meeting.attended, meeting.note) == (12, "")


async def test_a_mode_typed_at_the_summary_changes_the_mode_and_says_so(services):
    chat = await joined(services, "u1", "B1")
    await at_summary(chat)
    await chat.say("truc tuyen")
    assert "Đã ghi hình thức: Trực tuyến." in chat.text and "Hình thức: Trực tuyến" in chat.text
    assert "Nội dung: (không có)" in chat.text
    await chat.tap("Lưu")
    [meeting] = await meetings_of(services)
    assert (meeting.mode, meeting.note) == ("online", "")


async def test_a_date_typed_at_the_summary_changes_the_date_and_says_so(services):
    chat = await joined(services, "u1", "B1")
    await at_summary(chat)
    await chat.say("hôm qua")
    assert "Đã ghi ngày: Chủ Nhật, 22 tháng 11, 2026." in chat.text
    await chat.say("luu")
    [meeting] = await meetings_of(services)
    assert (meeting.held_on, meeting.note) == (date(2026, 11, 22), "")


async def test_a_number_typed_at_the_summary_asks_which_line_it_is_for(services):
    chat = await joined(services, "u1", "B1")
    await at_summary(chat)
    await chat.say("9")
    assert "Bạn vừa gõ “9”. Ghi vào mục nào?" in chat.text
    assert chat.buttons()[:2] == ["Số tham dự", "Nội dung"]
    assert (await session_of(services)).state["answers"].get("note") is None     # nothing written yet
    await chat.tap("Số tham dự")
    assert "Đã ghi số tham dự: 9." in chat.text and "Số tham dự: 9" in chat.text
    await chat.tap("Lưu")
    [meeting] = await meetings_of(services)
    assert (meeting.attended, meeting.note) == (9, "")


async def test_text_typed_at_the_summary_becomes_the_note_only_when_the_person_says_so(services):
    chat = await joined(services, "u1", "B1")
    await at_summary(chat)
    await chat.say("Học tập Nghị quyết Đại hội Đoàn")
    assert "Ghi vào mục nào?" in chat.text and chat.buttons()[0] == "Nội dung"
    await chat.tap("Về bản tóm tắt")                                 # not for the note after all
    assert "Nội dung: (không có)" in chat.text
    await chat.say("Học tập Nghị quyết Đại hội Đoàn")
    await chat.say("noi dung")                                        # the line named in words
    assert "Nội dung: Học tập Nghị quyết Đại hội Đoàn" in chat.text
    await chat.tap("Lưu")
    [meeting] = await meetings_of(services)
    assert meeting.note == "Học tập Nghị quyết Đại hội Đoàn"


async def test_the_note_button_asks_for_the_note(services):
    chat = await joined(services, "u1", "B1")
    await at_summary(chat)
    assert "Muốn ghi nội dung, chọn “Thêm nội dung”." in chat.text
    await chat.tap("Thêm nội dung")
    assert "Nội dung hoặc ghi chú của buổi sinh hoạt?" in chat.text
    await chat.say("Sinh hoạt chủ điểm")
    assert "Nội dung: Sinh hoạt chủ điểm" in chat.text and "Thêm nội dung" not in chat.buttons()
    await chat.tap("Lưu")
    assert (await meetings_of(services))[0].note == "Sinh hoạt chủ điểm"


async def test_what_cannot_be_any_line_is_said_and_changes_nothing(services):
    chat = await joined(services, "u1", "B1")
    await at_summary(chat)
    before = (await session_of(services)).state
    await chat.say("x" * 600)                                         # too long for the note
    assert "Trợ lý chưa hiểu" in chat.text and "Chọn Lưu để gửi" in chat.text
    assert (await session_of(services)).state == before


# --- dates: no year, and before the open period ----------------------------------------------------

async def test_a_date_without_a_year_takes_the_nearest_past_one_and_the_summary_says_which(services, clock):
    clock.now = DECEMBER_2
    chat = await joined(services, "u1", "B1")
    await chat.say("/sinhhoat")
    await chat.say("3/12")                                            # tomorrow this year: last year's
    assert "Ngày 03/12/2025 thuộc tháng 12/2025, kỳ này đã khóa sổ." in chat.text
    assert "Báo cáo bổ sung cho tháng 12/2025?" in chat.text
    await chat.tap("Không, nhập lại ngày")
    assert "diễn ra ngày nào?" in chat.text
    await chat.say("25/11")                                           # November is still open
    assert "Đó là buổi gì?" in chat.text
    for answer in ("sinh hoat", "12"):
        await chat.say(answer)
    assert "Ngày: Thứ Tư, 25 tháng 11, 2026 (không ghi năm, trợ lý hiểu là năm 2026)" in chat.text
    assert "nộp muộn" not in chat.text
    await chat.tap("Lưu")
    [meeting] = await meetings_of(services)
    assert (meeting.held_on, meeting.filed_late) == (date(2026, 11, 25), False)


async def test_a_date_with_its_year_has_no_note_about_the_year(services):
    chat = await joined(services, "u1", "B1")
    await at_summary(chat, "20/11/2026", "sinh hoat", "12")
    assert "hiểu là năm" not in chat.text


async def test_a_day_of_a_closed_month_is_asked_then_kept_and_flagged_late(services, clock, tmp_path):
    clock.now = DECEMBER_2
    chat = await joined(services, "u1", "B1")
    await chat.say("/sinhhoat")
    await chat.say("15/6")
    assert "Báo cáo bổ sung cho tháng 6/2026?" in chat.text
    await chat.tap("Đúng, báo cáo bổ sung")
    for answer in ("sinh hoat", "14"):
        await chat.say(answer)
    assert "Báo cáo bổ sung cho kỳ đã khóa sổ (ghi là nộp muộn)." in chat.text
    assert "không ghi năm, trợ lý hiểu là năm 2026" in chat.text
    await chat.tap("Lưu")
    [meeting] = await meetings_of(services)
    assert (meeting.held_on, meeting.attended, meeting.filed_late) == (date(2026, 6, 15), 14, True)

    # the district reads it, flagged, in June's digest and in December's (when it was sent)
    district = await services.storage.units.by_code("D1")
    today = local_today(clock())
    june = await compute.build(services.storage, district.id, periods.parse("2026-06"), today, load_calendar())
    assert "Báo cáo nộp muộn: Chi đoàn ấp Một (Đoàn xã Biên Giới) — buổi sinh hoạt 15/06/2026, gửi ngày 02/12/2026" in text.render(june)
    december = await compute.build(services.storage, district.id, periods.parse("2026-12"), today, load_calendar())
    assert "Báo cáo nộp muộn: Chi đoàn ấp Một" in text.render(december)
    own = await compute.build(services.storage, meeting.unit_id, periods.parse("2026-06"), today, load_calendar())
    assert "Báo cáo nộp muộn" in text.render(own)                     # the branch sees it too
    book = load_workbook(xlsx.write_xlsx(june, tmp_path / "june.xlsx"))
    flagged = [row for row in book["Cần chú ý"].iter_rows(values_only=True)
               if row[2] == "Báo cáo nộp muộn (bổ sung cho kỳ đã khóa sổ)"]       # one tree column under D1
    assert [(row[1], row[3].date(), row[4]) for row in flagged] == [
        ("Chi đoàn ấp Một", date(2026, 6, 15), "buổi sinh hoạt 15/06/2026, gửi ngày 02/12/2026")]


async def test_a_report_on_time_is_not_flagged_late(services, clock):
    chat = await joined(services, "u1", "B1")
    await at_summary(chat, "2/11", "sinh hoat", "12")
    await chat.tap("Lưu")
    district = await services.storage.units.by_code("D1")
    digest = await compute.build(services.storage, district.id, periods.parse("2026-11"), local_today(clock()),
                                 load_calendar())
    assert not digest.flags_of("filed_late") and "nộp muộn" not in text.render(digest)


# --- a second report of the same day and kind ---------------------------------------------------

async def test_a_second_report_of_the_same_day_asks_and_can_correct_the_first(services):
    chat = await joined(services, "u1", "B1", name="Bí thư Lan")
    await at_summary(chat, "20/11", "sinh hoat", "12")
    await chat.tap("Lưu")
    await at_summary(chat, "20/11", "sinh hoat", "15")
    await chat.tap("Lưu")
    assert "Chi đoàn đã gửi báo cáo cho buổi này rồi: Sinh hoạt chi đoàn ngày 20/11/2026, trực tiếp, 12 người." \
        in chat.text
    assert [m.attended for m in await meetings_of(services)] == [12]          # nothing saved yet
    await chat.tap("Sửa báo cáo đã gửi")
    assert "Đã lưu" in chat.text
    [meeting] = await meetings_of(services)
    assert meeting.attended == 15
    trail = await services.storage.reports.audit_trail(meeting.unit_id, "meeting", meeting.id)
    assert [(e.action, e.field, e.old_value, e.new_value) for e in trail] == [
        ("create", "", None, None), ("update", "attended", "12", "15")]


async def test_a_second_report_of_the_same_day_can_be_kept_beside_the_first(services):
    chat = await joined(services, "u1", "B1")
    await at_summary(chat, "20/11", "sinh hoat", "12")
    await chat.tap("Lưu")
    await at_summary(chat, "20/11", "sinh hoat", "15")
    await chat.say("luu")
    await chat.tap("Giữ cả hai")
    assert sorted(m.attended for m in await meetings_of(services)) == [12, 15]
    await at_summary(chat, "20/11", "hop bch", "7")                  # another kind: no question
    await chat.tap("Lưu")
    assert "Đã lưu" in chat.text and len(await meetings_of(services)) == 3


async def test_a_repeated_report_of_a_locked_period_can_only_be_kept_beside_it(services, clock):
    chat = await joined(services, "u1", "B1")
    await at_summary(chat, "2/10", "co", "sinh hoat", "12")          # October closed on 10 November
    await chat.tap("Lưu")
    clock.advance(days=11)                                          # its own ten days have passed
    await at_summary(chat, "2/10", "co", "sinh hoat", "13")
    await chat.tap("Lưu")
    assert "Báo cáo đó đã khóa nên không sửa được nữa." in chat.text
    assert "Sửa báo cáo đã gửi" not in chat.buttons()
    await chat.say("sua")                                           # refused: asked again
    assert len(await meetings_of(services)) == 1 and "Giữ cả hai" in " ".join(chat.buttons())
    await chat.tap("Giữ cả hai")
    assert sorted(m.attended for m in await meetings_of(services)) == [12, 13]


# --- zero attendance; digits at yes/no questions -------------------------------------------------

async def test_zero_attendance_asks_first(services):
    chat = await joined(services, "u1", "B1")
    for answer in ("/sinhhoat", "hom nay", "sinh hoat", "0"):
        await chat.say(answer)
    assert "Bạn ghi 0 người tham dự" in chat.text and chat.replies[-1].number_answer
    await chat.say("khong")
    assert "Vậy bạn nhập lại nhé." in chat.text and "bao nhiêu đoàn viên" in chat.text
    await chat.say("0")
    await chat.tap("Đúng, giữ số này")
    await chat.tap("Lưu")
    assert (await meetings_of(services))[0].attended == 0


async def test_a_digit_at_keep_this_number_is_a_number_not_the_first_button(services):
    chat = await joined(services, "u1", "B2")                        # 10 members
    for answer in ("/sinhhoat", "hom nay", "sinh hoat", "15"):
        await chat.say(answer)
    assert "Giữ số 15?" in chat.text
    assert chat.replies[-1].number_answer                            # numbered menus show words only
    await chat.say("1")                                              # the count typed again: 1
    assert "Số tham dự: 1" in chat.text and "nhiều hơn số đoàn viên" not in chat.text
    await chat.tap("Lưu")
    [meeting] = await meetings_of(services, "B2")
    assert (meeting.attended, meeting.over_members) == (1, False)


async def test_on_a_numbered_menu_a_digit_at_keep_this_number_is_the_number_too(services):
    out = await on_zalo(services, "B2", "/sinhhoat", "1", "1", "15", "1", "1")
    assert "• Đúng, giữ số này" in str(out) and "1. Đúng, giữ số này" not in str(out)
    [meeting] = await meetings_of(services, "B2")
    assert (meeting.attended, meeting.over_members) == (1, False)


async def test_where_a_yes_no_question_shows_a_numbered_menu_a_digit_picks(services, clock):
    clock.now = DECEMBER_2
    out = await on_zalo(services, "B1", "/sinhhoat", "15/6", "1", "1", "12", "1")
    assert "1. Đúng, báo cáo bổ sung" in str(out)
    [meeting] = await meetings_of(services, "B1")
    assert (meeting.held_on, meeting.filed_late, meeting.attended) == (date(2026, 6, 15), True, 12)


# --- reopening an open form ---------------------------------------------------------------------

async def test_the_command_of_an_open_form_says_so_and_shows_where_it_stood(services):
    chat = await joined(services, "u1", "B1")
    for answer in ("/sinhhoat", "hom qua", "hop bch"):
        await chat.say(answer)
    await chat.say("/sinhhoat")
    assert "Bạn đang điền dở Báo cáo sinh hoạt" in chat.text
    assert "• Ngày: Chủ Nhật, 22 tháng 11, 2026" in chat.text and "• Loại: Họp BCH" in chat.text
    assert "bao nhiêu đoàn viên" in chat.text                          # where it stood
    await chat.say("9")
    await chat.say("sinh hoat chi doan")                                # at the summary: the kind changes
    assert "Đã ghi loại: Sinh hoạt chi đoàn." in chat.text
    await chat.say("/sinhhoat")
    assert "Bạn đang điền dở Báo cáo sinh hoạt" in chat.text and "Số tham dự: 9" in chat.text
    await chat.tap("Lưu")
    [meeting] = await meetings_of(services)
    assert (meeting.held_on, meeting.kind, meeting.attended) == (date(2026, 11, 22), "branch", 9)


# --- a question asked at the summary survives a restart and an upgrade ------------------------------

async def test_the_which_line_question_and_the_assumed_year_survive_a_restart(tmp_path, clock):
    from bot import app
    from tests.support import Chat, open_services, seed_tree

    path = tmp_path / "restart.sqlite3"
    services = await open_services(path, clock)
    await seed_tree(services)
    chat = await joined(services, "u1", "B1")
    for answer in ("/sinhhoat", "20/11", "sinh hoat", "12", "Sinh hoạt chủ điểm"):
        await chat.say(answer)
    assert "Ghi vào mục nào?" in chat.text
    await app.close_services(services)
    services = await open_services(path, clock)                     # a new process on the same file
    chat = Chat(services, "u1", chat.name)
    await chat.say("noi dung")
    assert "Nội dung: Sinh hoạt chủ điểm" in chat.text and "hiểu là năm 2026" in chat.text
    await chat.say("luu")
    [meeting] = await meetings_of(services)
    assert meeting.note == "Sinh hoạt chủ điểm"
    await app.close_services(services)


def test_an_upgrade_drops_a_question_asked_at_the_summary_only_when_it_cannot_be_asked():
    import dataclasses

    from domain.forms.definitions import MEETING
    from domain.forms.engine import new_state
    from domain.forms.versions import carry_over
    from tests.test_form_properties import CTX

    state = {**new_state(MEETING, CTX, {"held_on": "2026-11-20", "kind": "branch", "attended": 12}),
             "ask": {"kind": "which", "text": "9", "steps": ["attended", "note"]},
             "assumed": {"held_on": 2026}}
    same = carry_over(MEETING, state, CTX)
    assert same.notice is None and same.state["ask"] == state["ask"] and same.state["assumed"] == {"held_on": 2026}
    kept = carry_over(dataclasses.replace(MEETING, version=MEETING.version + 1), state, CTX)
    assert kept.state["ask"] == state["ask"]                       # its lines are still there
    without_note = dataclasses.replace(MEETING, version=MEETING.version + 1,
                                       steps=tuple(s for s in MEETING.steps if s.name != "note"))
    newer = carry_over(without_note, state, CTX)
    assert "ask" not in newer.state and newer.notice == "form.updated"
    broken = carry_over(MEETING, {**state, "ask": {"kind": "which", "text": "9", "steps": ["gone"]}}, CTX)
    assert "ask" not in broken.state and broken.notice == "form.updated"


async def test_a_date_and_a_choice_typed_together_at_the_summary_change_both_and_say_both(services):
    chat = await joined(services, "u1", "B1")
    await at_summary(chat)
    await chat.say("hôm qua, họp BCH trực tuyến")
    assert "Đã ghi ngày: Chủ Nhật, 22 tháng 11, 2026; loại: Họp BCH; hình thức: Trực tuyến." in chat.text
    await chat.tap("Lưu")
    [meeting] = await meetings_of(services)
    assert (meeting.held_on, meeting.kind, meeting.mode, meeting.note) == (date(2026, 11, 22), "committee", "online", "")
