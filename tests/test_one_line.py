"""A whole report in one message (domain/forms/one_line.py, engine.fill): read in any order, with or
without diacritics, through the same checks as step by step; what is not understood is quoted back,
nothing is guessed; two messages for a secretary who writes it in one line, also on Zalo."""

from __future__ import annotations

from datetime import date, datetime, timezone

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bot import app
from domain.forms import one_line
from domain.forms.definitions import FORMS, MEETING, ONE_PLUS_ONE
from domain.forms.engine import SUMMARY, Event, advance, new_state
from domain.forms.model import FormContext
from messages_vi import t
from storage.units import Unit
from tests.support import Chat, joined, make_invite, open_services, seed_tree
from tests.support.fake_zalo import FakeZalo
from tests.test_zalo_channel import LAN, running, say

@pytest.fixture
async def zalo():
    async with FakeZalo(poll_cap=0.2) as fake:
        yield fake


NOW = datetime(2026, 11, 23, 2, tzinfo=timezone.utc)          # 09:00 on Monday 23/11/2026 in Vietnam
UNIT = Unit(7, "B1", "Chi đoàn ấp Thử", "branch", 1, "/1/7/", False, 20, None, NOW)
CTX = FormContext(UNIT, 1, NOW, date(2026, 11, 23), date(2025, 11, 23))


def parts(reading: one_line.Reading) -> dict:
    return {p.step: p.value if p.value is not None else p.text for p in reading.parts}


# --- reading a line -------------------------------------------------------------------------------

@pytest.mark.parametrize("line, expected", [
    ("sinh hoat hom qua 18 nguoi truc tuyen",
     {"held_on": "hom qua", "kind": "branch", "mode": "online", "attended": "18"}),
    ("Sinh hoạt chi đoàn ngày 20/11, 15 đoàn viên, trực tiếp",
     {"held_on": "ngày 20/11", "kind": "branch", "mode": "in_person", "attended": "15"}),
    ("hop bch 3/12 9 nguoi", {"held_on": "3/12", "kind": "committee", "attended": "9"}),
    ("18 người trực tuyến hôm qua sinh hoạt", {"held_on": "hôm qua", "kind": "branch", "mode": "online",
                                              "attended": "18"}),
    ("SINH HOẠT HÔM QUA, MƯỜI HAI NGƯỜI", {"held_on": "HÔM QUA", "kind": "branch", "attended": "MƯỜI HAI"}),
    ("sinh hoat hom qua 18 nguoi truc tuyn", {"held_on": "hom qua", "kind": "branch", "mode": "online",
                                             "attended": "18"}),                       # a typo forgiven
    ("sinh hoat 15-11 co mat 14", {"held_on": "15-11", "kind": "branch", "attended": "14"}),
    ("hop bch hom qua 7 nguoi, noi dung: Học Nghị quyết, 3 người vắng",
     {"held_on": "hom qua", "kind": "committee", "attended": "7", "note": "Học Nghị quyết, 3 người vắng"}),
])
def test_a_meeting_line_gives_each_step_its_part(line, expected):
    reading = one_line.read(MEETING, line, CTX)
    assert parts(reading) == expected
    assert reading.unknown == () and reading.notes == () and reading.named


@pytest.mark.parametrize("line, expected", [
    ("1+1 6 thang dau nam: 12 tham gia, 30 thanh nien, 5 ket nap",
     {"period": "2026-H1", "participants": "12", "youth_reached": "30", "new_members": "5"}),
    ("1 + 1 cả năm: tham gia 15, thanh niên 40, kết nạp 4, giới thiệu vào Đảng 1",
     {"period": "2026", "participants": "15", "youth_reached": "40", "new_members": "4", "party_introduced": "1"}),
    ("bao cao 1+1 nam 2026 15 doan vien tham gia 2 vao dang 40 thanh nien",
     {"period": "2026", "participants": "15", "party_introduced": "2", "youth_reached": "40"}),
    ("1+1 6 thang cuoi nam, 10 nguoi tham gia, 3 dv moi",
     {"period": "2026-H2", "participants": "10", "new_members": "3"}),
])
def test_a_one_plus_one_line_maps_its_words_to_the_forms_counts(line, expected):
    reading = one_line.read(ONE_PLUS_ONE, line, CTX)
    assert parts(reading) == expected
    assert reading.unknown == () and reading.notes == ()


def test_vao_hoi_names_nothing_the_form_holds_and_a_month_is_no_period_of_1_1():
    # seeds 000 item 5, 002 note 2, 004 item 2.4: 1+1 brings youth "into the Union or the
    # Association, or their activities" — one count; the form has none for the Association alone,
    # and 1+1 is reviewed per half-year and year, not per month
    reading = one_line.read(ONE_PLUS_ONE, "1+1 thang 11: 5 vao doan, 3 vao hoi", CTX)
    assert parts(reading) == {"new_members": "5"}
    assert [(key, params["text"]) for key, params in reading.notes] == [
        ("form.line.period", "thang 11"), ("oneplusone.line.association", "3 vao hoi")]
    assert "tháng 11/2026 thuộc 6 tháng cuối năm 2026" in t(*reading.notes[0][:1], **reading.notes[0][1])


def test_what_is_not_understood_is_kept_as_typed_and_a_step_named_twice_is_taken_from_neither():
    reading = one_line.read(MEETING, "sinh hoạt hôm qua 18 người tại nhà văn hóa ấp, vui lắm", CTX)
    assert parts(reading) == {"held_on": "hôm qua", "kind": "branch", "attended": "18"}
    assert reading.unknown == ("tại nhà văn hóa ấp", "vui lắm")
    twice = one_line.read(MEETING, "sinh hoat hom qua 18 nguoi, 20 nguoi", CTX)
    assert "attended" not in parts(twice) and twice.notes[0][0] == "form.line.twice"
    lone = one_line.read(ONE_PLUS_ONE, "1+1 ca nam 12", CTX)                 # four counts: 12 of which?
    assert parts(lone) == {"period": "2026"} and lone.unknown == ("12",)


@pytest.mark.parametrize("line", [
    "sinh hoat", "sinh hoat la gi", "cam on ban", "sinh hoat truc tuyen", "hom qua 18 nguoi",
    "1+1", "Báo cáo tháng này: chi đoàn sinh hoạt đều đặn.", "sinh hoat 1+1 hom qua 12 nguoi", "x" * 900,
])
def test_a_line_that_reports_nothing_or_names_no_single_form_is_not_recognised(line):
    assert one_line.recognise(FORMS.values(), line, CTX) is None


PIECES = ["sinh hoạt", "hop bch", "1+1", "1 + 1", "hôm qua", "20/11", "31/2", "ngày 3 tháng 12", "18", "mười hai",
          "người", "đoàn viên", "trực tuyến", "truc tuyn", "tham gia", "vào hội", "kết nạp", "vào Đảng", "6 tháng đầu năm",
          "tháng 11", "cả năm", "nội dung:", "ghi chú", ",", ";", ":", "\n", "-", "và", "💥", "0", "-3", "99999999"]


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(line=st.one_of(st.text(max_size=80), st.lists(st.sampled_from(PIECES), max_size=12).map(" ".join)))
def test_any_line_is_read_without_raising_and_every_part_is_its_own_text(line):
    for form in FORMS.values():
        reading = one_line.read(form, line, CTX)
        assert len({p.step for p in reading.parts}) == len(reading.parts)
        for part in reading.parts:
            assert part.text and part.text in line                      # as typed, never rewritten
    one_line.recognise(FORMS.values(), line, CTX)


def test_recognising_finds_the_form_the_line_names():
    assert one_line.recognise(FORMS.values(), "hop bch 3/12 9 nguoi", CTX).form is MEETING
    assert one_line.recognise(FORMS.values(), "1+1 thang 11: 3 vao hoi", CTX).form is ONE_PLUS_ONE


# --- the engine: the same checks as step by step --------------------------------------------------

def filled(form, line, ctx=CTX):
    return advance(form, new_state(form, ctx), Event("text", line), ctx)


def test_the_first_questions_answer_read_whole_lands_on_the_summary():
    result = filled(MEETING, "sinh hoat hom qua 18 nguoi truc tuyen")
    assert result.state["at"] == SUMMARY and result.notice is None
    assert result.state["answers"] == {"held_on": "2026-11-22", "kind": "branch", "mode": "online",
                                       "attended": 18}


def test_an_answer_to_the_first_question_alone_is_read_as_before():
    result = filled(MEETING, "hom qua truc tuyen")                         # the date, and the mode beside it
    assert result.state["at"] == "kind" and result.notice == "form.set"


def test_an_impossible_part_is_said_why_and_asked_again():
    result = filled(MEETING, "sinh hoat 30/11/2026 18 nguoi")
    assert result.state["at"] == "held_on" and "held_on" not in result.state["answers"]
    assert t("parse.date_future") in result.notice_params["notes"] and "“30/11/2026”" in result.notice_params["notes"]
    assert result.state["answers"]["attended"] == 18


def test_doubted_answers_are_asked_in_turn_with_their_usual_question():
    result = filled(MEETING, "hop bch 3/12 25 nguoi")           # a closed month, and more than 20 members
    assert result.state["pending"]["message"] == "meeting.confirm_late"
    result = advance(MEETING, result.state, Event("text", "dung"), CTX)
    assert result.state["pending"]["message"] == "meeting.confirm_over"
    result = advance(MEETING, result.state, Event("text", "dung"), CTX)
    assert result.state["at"] == SUMMARY
    assert result.state["answers"] == {"held_on": "2025-12-03", "kind": "committee", "mode": "in_person",
                                       "attended": 25, "filed_late": True, "over_members": True}
    assert result.state["assumed"] == {"held_on": 2025}      # "3/12" had no year: the summary says which


def test_a_doubt_answered_no_asks_the_question_and_back_goes_to_what_the_line_gave():
    result = filled(MEETING, "sinh hoat hom qua 25 nguoi")
    result = advance(MEETING, result.state, Event("text", "khong"), CTX)
    assert result.state["at"] == "attended" and result.notice == "form.enter_again"
    result = advance(MEETING, result.state, Event("action", "back"), CTX)
    assert result.state["at"] == "kind"
    result = advance(MEETING, result.state, Event("text", "hop bch"), CTX)
    assert result.state["at"] == "attended"
    result = advance(MEETING, result.state, Event("text", "12"), CTX)
    assert result.state["at"] == SUMMARY and result.state["answers"]["kind"] == "committee"


def test_a_check_that_depends_on_another_answer_sees_the_lines_other_numbers():
    # seed 001: outstanding members introduced to the Party; more than the members plus the new ones is asked
    result = filled(ONE_PLUS_ONE, "6 thang dau nam: 12 tham gia, 30 thanh nien, 5 ket nap, 26 vao dang")
    assert result.state["pending"]["message"] == "oneplusone.confirm_party"
    assert result.state["pending"]["params"] == {"value": 26, "ceiling": 20 + 5}
    assert filled(ONE_PLUS_ONE, "6 thang dau nam: 12 tham gia, 30 thanh nien, 5 ket nap, 22 vao dang"
                  ).state["at"] == SUMMARY                     # 22 <= 20 + 5: no question


def test_a_line_meant_for_another_form_is_not_read_into_the_open_one():
    result = filled(MEETING, "1+1 nam 2026 15 tham gia 40 thanh nien")
    assert result.notice == "parse.date_unreadable" and result.state == new_state(MEETING, CTX)


# --- through the handlers: two messages ------------------------------------------------------------

async def meetings_of(services, code="B1"):
    unit = await services.storage.units.by_code(code)
    return await services.storage.reports.meetings(unit.id, date(2025, 1, 1))


@pytest.mark.parametrize("line, expected", [
    ("sinh hoat hom qua 18 nguoi truc tuyen", (date(2026, 11, 22), "branch", "online", 18)),
    ("Sinh hoạt chi đoàn ngày 20/11, 15 đoàn viên, trực tiếp", (date(2026, 11, 20), "branch", "in_person", 15)),
    ("hop bch 20/11 9 nguoi", (date(2026, 11, 20), "committee", "in_person", 9)),
])
async def test_a_whole_meeting_report_in_two_messages(services, line, expected):
    chat = await joined(services, "u1", "B1")
    await chat.say(line)
    assert t("form.summary_footer") in chat.text and "Chưa hiểu" not in chat.text
    await chat.say("Lưu")
    [meeting] = await meetings_of(services)
    assert (meeting.held_on, meeting.kind, meeting.mode, meeting.attended) == expected
    assert "Đã lưu" in chat.text


async def test_the_1_1_line_of_the_issue_asks_only_what_it_did_not_say(services):
    chat = await joined(services, "u1", "B1")
    await chat.say("1+1 thang 11: 5 vao doan, 3 vao hoi")
    assert "“thang 11”" in chat.text and "thuộc 6 tháng cuối năm 2026" in chat.text
    assert "“3 vao hoi”" in chat.text and "không có mục riêng cho thanh niên vào Hội" in chat.text
    assert t("oneplusone.q.period") in chat.text
    await chat.tap("6 tháng cuối năm 2026")
    for answer in ("12", "30", "1"):                        # participants, youth reached, Party: not new members
        await chat.say(answer)
    assert "Đoàn viên mới kết nạp: 5" in chat.text
    await chat.say("luu")
    unit = await services.storage.units.by_code("B1")
    report = await services.storage.reports.recruitment_for(unit.id, "2026-H2")
    assert (report.participants, report.youth_reached, report.new_members, report.party_introduced) == (12, 30, 5, 1)


async def test_the_1_1_line_as_the_answer_to_the_first_question(services):
    chat = await joined(services, "u1", "B1")
    await chat.say("/motcongmot")
    await chat.say("6 thang dau nam: 12 tham gia, 30 thanh nien, 5 ket nap, 1 vao dang")
    assert "Kỳ: 6 tháng đầu năm 2026" in chat.text and t("form.summary_footer") in chat.text
    await chat.say("luu")
    unit = await services.storage.units.by_code("B1")
    assert (await services.storage.reports.recruitment_for(unit.id, "2026-H1")).participants == 12


async def test_the_period_typed_alone_at_its_question_is_the_one_named(services):
    chat = await joined(services, "u1", "B1")
    await chat.say("/motcongmot")
    await chat.say("6 thang dau nam")          # not the current half, which "6 tháng" alone means
    await chat.say("12")
    await chat.say("huy")
    await chat.say("/motcongmot")
    await chat.say("6 tháng đầu năm, 12 tham gia, 30 thanh niên, 0 kết nạp, 0 vào Đảng")
    assert "Kỳ: 6 tháng đầu năm 2026" in chat.text


async def test_not_understood_parts_are_quoted_and_nothing_is_lost(services):
    chat = await joined(services, "u1", "B1")
    await chat.say("sinh hoạt hôm qua 18 người tại nhà văn hóa ấp")
    assert "Chưa hiểu: “tại nhà văn hóa ấp”" in chat.text
    assert "Số tham dự: 18" in chat.text and t("form.summary_footer") in chat.text


async def test_sinh_hoat_alone_still_opens_the_form_and_idle_chat_gets_the_menu(services):
    chat = await joined(services, "u1", "B1")
    await chat.say("sinh hoat")
    assert t("meeting.q.held_on") in chat.text
    await chat.say("huy")
    await chat.say("sinh hoat la gi")
    assert chat.text == t("help.no_form")


async def test_an_officer_may_not_report_a_meeting_in_one_line(services):
    officer = await joined(services, "o1", "G1", "officer")
    await officer.say("sinh hoat hom qua 18 nguoi")
    assert officer.text == t("not_allowed")
    assert (await services.storage.forms.conversation("terminal", "o1")).session is None


async def test_a_stranger_gets_the_stranger_answer(services):
    stranger = Chat(services, "x1")
    await stranger.say("sinh hoat hom qua 18 nguoi")
    assert stranger.text == t("stranger")


async def test_a_held_doubt_survives_a_restart(tmp_path, clock):
    services = await open_services(tmp_path / "db.sqlite3", clock)
    await seed_tree(services)
    chat = await joined(services, "u1", "B1")
    await chat.say("hop bch 3/12 25 nguoi")
    assert t("meeting.button.late_yes") in chat.buttons()
    await app.close_services(services)
    services = await open_services(tmp_path / "db.sqlite3", clock)
    chat.services = services
    await chat.say("dung")
    assert "Giữ số 25?" in chat.text                      # the second doubt, after the restart
    await chat.say("dung")
    await chat.say("luu")
    [meeting] = await meetings_of(services)
    assert (meeting.attended, meeting.over_members, meeting.filed_late) == (25, True, True)
    await app.close_services(services)


# --- on Zalo: the one message, then the confirmation -----------------------------------------------

async def test_on_zalo_the_whole_report_is_two_messages(services, zalo):
    code = await make_invite(services, "B1")
    async with running(services, zalo) as channel:
        await say(channel, zalo, LAN, f"/start {code}")
        transcript = []
        for typed in ("sinh hoat hom qua 18 nguoi truc tuyen", "1"):
            transcript.append((typed, await say(channel, zalo, LAN, typed)))
    assert len(transcript) == 2
    assert "1. ✅ Lưu" in transcript[0][1] and "Số tham dự: 18" in transcript[0][1]
    assert "Đã lưu Báo cáo sinh hoạt" in transcript[1][1]
    [meeting] = await meetings_of(services)
    assert (meeting.held_on, meeting.kind, meeting.mode, meeting.attended) == (
        date(2026, 11, 22), "branch", "online", 18)
    print("\n".join(f"> {typed}\n{answer}\n" for typed, answer in transcript))
