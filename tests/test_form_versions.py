"""Forms changed or removed while people have them open, and the edit picker's numbers.

Each test opens a form as a person would, then swaps the engine's definitions (as an upgrade
does) and checks that the person is carried onto the new definition, told what to answer again,
or told the form is gone: never the internal error, never stuck.
"""

from __future__ import annotations

import dataclasses
from datetime import date, datetime, timezone

import pytest

from domain.forms.definitions import MEETING, MEMBERS
from domain.forms.engine import PICK_EDIT, SUMMARY, Event, advance, new_state
from domain.forms.model import Form, FormContext, Option, Step, UnknownStep
from domain.forms.versions import carry_over
from messages_vi import MESSAGES, t
from storage.units import Unit
from tests.support import joined

INTERNAL_ERROR = t("error.internal", ref="")[:40]        # the part before the reference


@pytest.fixture
def test_messages(monkeypatch):
    for key, text in {
        "vtest.q.guests": "Có bao nhiêu khách mời?",
        "vtest.l.guests": "Khách mời",
        "vtest.q.place": "Sinh hoạt ở đâu?",
        "vtest.l.place": "Địa điểm",
    }.items():
        monkeypatch.setitem(MESSAGES, key, text)


def steps_of(form: Form) -> dict[str, Step]:
    return {s.name: s for s in form.steps}


def upgraded(form: Form, *steps: Step, **changes) -> Form:
    """`form` as the next release defines it: other steps, version + 1, answers recorded."""
    return dataclasses.replace(form, steps=tuple(steps), version=form.version + 1, write=_recorder, **changes)


written: list[dict] = []


def _recorder(tx, ctx, answers, report_id):
    written.append(dict(answers))
    return len(written)


@pytest.fixture(autouse=True)
def _nothing_written_yet():
    written.clear()


def install(services, *forms: Form, drop: tuple[str, ...] = ()) -> None:
    """Swap the engine's definitions, as a restart on a new release does."""
    services.engine.forms = {name: f for name, f in {**services.engine.forms, **{f.name: f for f in forms}}.items()
                             if name not in drop}


async def session_of(services, user_id="u1"):
    return (await services.storage.forms.conversation("terminal", user_id)).session


async def at_summary(services, chat):
    for text in ("/sinhhoat", "hom nay", "sinh hoat", "12"):
        await chat.say(text)
    assert "Bấm Lưu" in chat.text or t("form.summary_footer") in chat.text


def no_error(chat):
    assert INTERNAL_ERROR not in chat.text
    assert chat.replies, "the person got no answer"


# --- a step renamed, removed, added; an option removed ---------------------------------------

async def test_step_renamed_while_at_the_summary_is_asked_again(services):
    chat = await joined(services, "u1", "B1")
    await at_summary(services, chat)
    s = steps_of(MEETING)
    install(services, upgraded(MEETING, s["held_on"], s["kind"], s["mode"],
                               dataclasses.replace(s["attended"], name="present"), s["note"]))
    await chat.say("luu")
    no_error(chat)
    assert "Vui lòng trả lời lại: Số tham dự." in chat.text
    assert "Có bao nhiêu đoàn viên tham dự?" in chat.text
    assert written == []
    await chat.say("14")
    assert "Số tham dự: 14" in chat.text and "Loại: Sinh hoạt chi đoàn" in chat.text     # kept
    await chat.say("luu")
    assert written[-1] == {"held_on": "2026-11-23", "kind": "branch", "mode": "in_person", "present": 14}
    assert await session_of(services) is None


async def test_step_renamed_while_answering_it_asks_the_new_one(services):
    chat = await joined(services, "u1", "B1")
    for text in ("/sinhhoat", "hom nay", "sinh hoat"):
        await chat.say(text)
    s = steps_of(MEETING)
    install(services, upgraded(MEETING, s["held_on"], s["kind"], s["mode"],
                               dataclasses.replace(s["attended"], name="present"), s["note"]))
    await chat.say("12")
    no_error(chat)
    assert "vừa được cập nhật" in chat.text and "Có bao nhiêu đoàn viên tham dự?" in chat.text
    session = await session_of(services)
    assert session.state["at"] == "present" and session.state["version"] == MEETING.version + 1
    assert session.state["answers"]["kind"] == "branch"
    await chat.say("12")
    assert "Số tham dự: 12" in chat.text


async def test_step_removed_at_the_summary_saves_without_it(services):
    chat = await joined(services, "u1", "B1")
    await at_summary(services, chat)
    s = steps_of(MEETING)
    install(services, upgraded(MEETING, s["held_on"], s["mode"], s["attended"], s["note"]))
    await chat.say("luu")
    no_error(chat)
    assert written[-1] == {"held_on": "2026-11-23", "mode": "in_person", "attended": 12}


async def test_step_removed_while_answering_it_goes_to_the_next_question(services):
    chat = await joined(services, "u1", "B1")
    for text in ("/sinhhoat", "hom nay"):
        await chat.say(text)
    s = steps_of(MEETING)
    install(services, upgraded(MEETING, s["held_on"], s["mode"], s["attended"], s["note"]))
    await chat.say("sinh hoat")
    no_error(chat)
    assert "vừa được cập nhật" in chat.text and "bao nhiêu đoàn viên tham dự" in chat.text
    await chat.say("9")
    await chat.say("luu")
    assert written[-1] == {"held_on": "2026-11-23", "mode": "in_person", "attended": 9}


async def test_step_added_behind_the_person_is_asked_then_the_summary(services, test_messages):
    chat = await joined(services, "u1", "B1")
    await at_summary(services, chat)
    s = steps_of(MEETING)
    guests = Step("guests", "vtest.q.guests", "vtest.l.guests", "count")
    install(services, upgraded(MEETING, s["held_on"], s["kind"], s["mode"], s["attended"], guests, s["note"]))
    await chat.say("luu")
    no_error(chat)
    assert "Vui lòng trả lời lại: Khách mời." in chat.text and "Có bao nhiêu khách mời?" in chat.text
    await chat.say("3")
    assert "Khách mời: 3" in chat.text and "Số tham dự: 12" in chat.text
    await chat.say("luu")
    assert written[-1]["guests"] == 3 and written[-1]["attended"] == 12


async def test_step_added_ahead_is_simply_asked_in_turn(services, test_messages):
    chat = await joined(services, "u1", "B1")
    for text in ("/sinhhoat", "hom nay"):
        await chat.say(text)
    s = steps_of(MEETING)
    guests = Step("guests", "vtest.q.guests", "vtest.l.guests", "count")
    install(services, upgraded(MEETING, s["held_on"], s["kind"], s["mode"], s["attended"], guests, s["note"]))
    await chat.say("sinh hoat")              # the question asked is unchanged: the answer counts
    no_error(chat)
    assert "vừa được cập nhật" not in chat.text and "bao nhiêu đoàn viên tham dự" in chat.text
    await chat.say("12")
    assert "Có bao nhiêu khách mời?" in chat.text
    await chat.say("2")
    await chat.say("luu")
    assert written[-1] == {"held_on": "2026-11-23", "kind": "branch", "mode": "in_person", "attended": 12,
                           "guests": 2}


async def test_step_added_before_the_current_one_is_asked_first(services, test_messages):
    chat = await joined(services, "u1", "B1")
    for text in ("/sinhhoat", "hom nay", "sinh hoat"):
        await chat.say(text)
    s = steps_of(MEETING)
    place = Step("place", "vtest.q.place", "vtest.l.place", "text")
    install(services, upgraded(MEETING, s["held_on"], place, s["kind"], s["mode"], s["attended"], s["note"]))
    await chat.say("12")
    no_error(chat)
    assert "Vui lòng trả lời lại: Địa điểm." in chat.text and "Sinh hoạt ở đâu?" in chat.text
    await chat.say("Nhà văn hóa ấp")
    assert "bao nhiêu đoàn viên tham dự" in chat.text         # then where the person was
    await chat.say("12")
    await chat.say("luu")
    assert written[-1] == {"held_on": "2026-11-23", "place": "Nhà văn hóa ấp", "kind": "branch",
                           "mode": "in_person", "attended": 12}


async def test_choice_option_removed_asks_that_choice_again(services):
    chat = await joined(services, "u1", "B1")
    for text in ("/sinhhoat", "hom nay", "hop bch", "12"):
        await chat.say(text)
    s = steps_of(MEETING)
    branch_only = dataclasses.replace(s["kind"], options=s["kind"].options[:1])
    install(services, upgraded(MEETING, s["held_on"], branch_only, s["mode"], s["attended"], s["note"]))
    await chat.tap("Lưu")
    no_error(chat)
    assert "Vui lòng trả lời lại: Loại." in chat.text and "Đó là buổi gì?" in chat.text
    assert "Họp BCH" not in chat.buttons()
    await chat.tap("Sinh hoạt chi đoàn")
    assert "Loại: Sinh hoạt chi đoàn" in chat.text and "Số tham dự: 12" in chat.text
    await chat.tap("Lưu")
    assert written[-1]["kind"] == "branch" and written[-1]["attended"] == 12


async def test_option_removed_from_a_summary_choice_asks_it(services):
    chat = await joined(services, "u1", "B1")
    await at_summary(services, chat)
    await chat.tap("Sửa")
    await chat.tap("Hình thức")
    await chat.tap("Kết hợp")
    s = steps_of(MEETING)
    no_hybrid = dataclasses.replace(s["mode"], options=s["mode"].options[:2])
    install(services, upgraded(MEETING, s["held_on"], s["kind"], no_hybrid, s["attended"], s["note"]))
    await chat.say("luu")
    assert "Vui lòng trả lời lại: Hình thức." in chat.text and "Tổ chức theo hình thức nào?" in chat.text
    await chat.tap("Trực tuyến")
    assert "Hình thức: Trực tuyến" in chat.text
    await chat.say("luu")
    assert written[-1]["mode"] == "online"


async def test_nothing_fits_any_more_starts_again_and_says_so(services):
    chat = await joined(services, "u1", "B1")
    for text in ("/sinhhoat", "hom nay", "sinh hoat"):
        await chat.say(text)
    s = steps_of(MEETING)
    install(services, upgraded(MEETING, dataclasses.replace(s["held_on"], name="day"),
                               dataclasses.replace(s["kind"], name="type"), s["mode"], s["attended"], s["note"]))
    await chat.say("12")
    no_error(chat)
    assert "bắt đầu lại từ đầu" in chat.text and "Buổi sinh hoạt diễn ra ngày nào?" in chat.text
    await chat.say("hom nay")
    assert "Đó là buổi gì?" in chat.text


async def test_resuming_with_the_command_carries_and_stores_it(services):
    chat = await joined(services, "u1", "B1")
    await at_summary(services, chat)
    s = steps_of(MEETING)
    install(services, upgraded(MEETING, s["held_on"], s["kind"], s["mode"],
                               dataclasses.replace(s["attended"], name="present"), s["note"]))
    await chat.say("/sinhhoat")
    assert "Vui lòng trả lời lại: Số tham dự." in chat.text
    assert (await session_of(services)).state["at"] == "present"      # stored: the next answer fits
    await chat.say("15")
    assert "Số tham dự: 15" in chat.text and "vừa được cập nhật" not in chat.text


async def test_a_state_from_before_versions_is_carried_silently(services):
    chat = await joined(services, "u1", "B1")
    for text in ("/sinhhoat", "hom nay"):
        await chat.say(text)
    session = await session_of(services)
    old = {k: v for k, v in session.state.items() if k != "version"}       # as stored before
    await services.storage.forms.save(session.id, session.version, old, services.clock())
    await chat.say("sinh hoat")
    assert "vừa được cập nhật" not in chat.text and "bao nhiêu đoàn viên tham dự" in chat.text
    assert (await session_of(services)).state["version"] == MEETING.version


# --- a form removed while open ----------------------------------------------------------------

async def test_removed_form_is_dropped_at_the_next_message_and_the_person_told(services):
    chat = await joined(services, "u1", "B1")
    for text in ("/sinhhoat", "hom nay"):
        await chat.say(text)
    install(services, drop=("meeting",))
    await chat.say("sinh hoat")
    no_error(chat)
    assert "không còn được dùng nữa" in chat.text and "Báo cáo sinh hoạt" in chat.text
    assert any("Menu" in label for label in chat.buttons())
    assert await session_of(services) is None
    await chat.say("xin chào")                   # and the next message is answered as usual
    no_error(chat)
    assert t("help.no_form") in chat.text


async def test_cancel_works_on_a_removed_form(services):
    chat = await joined(services, "u1", "B1")
    for text in ("/sinhhoat", "hom nay"):
        await chat.say(text)
    install(services, drop=("meeting",))
    await chat.say("/huy")
    no_error(chat)
    assert "không còn được dùng nữa" in chat.text
    assert await session_of(services) is None
    await chat.say("/huy")
    assert t("form.nothing_open") in chat.text


async def test_menu_and_other_forms_with_a_removed_form_open(services):
    chat = await joined(services, "u1", "B1")
    await chat.say("/capnhat")
    await chat.say("23")
    install(services, drop=("members",))
    await chat.say("/menu")
    no_error(chat)
    await chat.tap("Điền tiếp")                  # the menu's "continue", for a form now gone
    no_error(chat)
    assert "không còn được dùng nữa" in chat.text
    await chat.say("/capnhat")                   # its command, still typed by habit
    no_error(chat)
    assert t("form.unavailable") in chat.text


async def test_starting_a_form_while_a_removed_one_is_open(services):
    chat = await joined(services, "u1", "B1")
    await chat.say("/capnhat")
    install(services, drop=("members",))
    await chat.say("/sinhhoat")
    no_error(chat)
    assert "Cập nhật số đoàn viên bạn đang điền dở không còn được dùng nữa" in chat.text
    assert "Buổi sinh hoạt diễn ra ngày nào?" in chat.text
    assert (await session_of(services)).form == "meeting"


async def test_removed_form_without_its_sentences_expires_and_menus_without_crashing(services, clock, monkeypatch):
    chat = await joined(services, "u1", "B1")
    await chat.say("/capnhat")
    install(services, drop=("members",))
    monkeypatch.delitem(MESSAGES, "members.title")
    await chat.say("/menu")
    no_error(chat)
    assert not any("Điền tiếp" in label for label in chat.buttons())
    clock.advance(days=8)
    await chat.say("/menu")
    no_error(chat)
    assert "Biểu mẫu cũ bạn bắt đầu" in chat.text


# --- the edit picker ----------------------------------------------------------------------------

@pytest.mark.parametrize("typed", ["①", "²", "9" * 5000, "0", "6", "٣", "-1", "1e3"])
async def test_edit_picker_refuses_what_is_not_an_item_number(services, typed):
    chat = await joined(services, "u1", "B1")
    await at_summary(services, chat)
    await chat.tap("Sửa")
    await chat.say(typed)
    no_error(chat)
    assert t("form.pick_edit_hint") in chat.text
    assert (await session_of(services)).state["at"] == PICK_EDIT


@pytest.mark.parametrize("typed, step", [("4", "attended"), (" 2. ", "kind"), ("so tham du", "attended"),
                                         ("Hình thức", "mode"), ("noi dung", "note"), ("tham du", "attended")])
async def test_edit_picker_takes_a_number_or_a_label(services, typed, step):
    chat = await joined(services, "u1", "B1")
    await at_summary(services, chat)
    await chat.say("sua")
    await chat.say(typed)
    assert (await session_of(services)).state["at"] == step


UNIT = Unit(7, "B1", "Chi đoàn Thử", "branch", 1, "/1/7/", False, 20, None,
            datetime(2026, 1, 1, tzinfo=timezone.utc))
CTX = FormContext(UNIT, 1, datetime(2026, 11, 23, 2, tzinfo=timezone.utc), date(2026, 11, 23), date(2025, 11, 23))


@pytest.mark.parametrize("code", ["goto①", "goto²", "goto" + "9" * 5000, "goto", "goto-1"])
def test_edit_picker_buttons_out_of_range_or_not_numbers(code):
    state = {**new_state(MEETING, CTX, {"held_on": "2026-11-23", "kind": "branch", "attended": 3}), "at": PICK_EDIT}
    result = advance(MEETING, state, Event("action", code), CTX)
    assert result.notice == "form.pick_edit_hint" and result.state["at"] == PICK_EDIT


# --- the pure part --------------------------------------------------------------------------------

def test_form_step_names_the_missing_step():
    with pytest.raises(KeyError) as raised:
        MEETING.step("present")
    assert isinstance(raised.value, UnknownStep) and "present" in str(raised.value)
    assert MEETING.find("present") is None and MEETING.find("kind") is MEETING.steps[1]


def test_new_state_records_the_version():
    assert new_state(MEETING, CTX)["version"] == MEETING.version == 1
    assert all(form.version == 1 for form in (MEETING, MEMBERS))


@pytest.mark.parametrize("state", [
    None, [], "x", {}, {"at": 5}, {"answers": "x", "at": "kind"}, {"at": "nowhere", "trail": "kind"},
    {"at": SUMMARY, "answers": {"attended": "mười"}, "flags": {"attended": 3}},
    {"at": "attended", "pending": {"step": "gone", "value": 30}},
    {"at": "attended", "pending": {"step": "attended", "value": 30, "message": "no.such.key", "params": {}}},
    {"at": "kind", "answers": {"held_on": "31/02"}, "trail": ["held_on"], "refill": ["x", 3]},
])
def test_any_stored_state_is_carried_without_raising(state):
    for event in (Event("text", "12"), Event("action", "back"), Event("action", "resume"), Event("option", 0),
                  Event("action", "save")):
        result = advance(MEETING, state, event, CTX)
        at = result.state["at"]
        assert at in (SUMMARY, PICK_EDIT) or MEETING.find(at) is not None
        pending = result.state["pending"]
        assert pending is None or MEETING.find(pending["step"]) is not None


def test_confirmed_answer_keeps_its_flag_only_if_the_step_still_checks():
    state = new_state(MEETING, CTX, {"held_on": "2026-11-23", "kind": "branch", "attended": 30,
                                     "over_members": True}, flags={"attended": "over_members"})
    assert carry_over(MEETING, state, CTX).state == state                  # same definition: unchanged
    s = steps_of(MEETING)
    unchecked = dataclasses.replace(MEETING, version=2, steps=(
        s["held_on"], s["kind"], s["mode"], dataclasses.replace(s["attended"], confirm=None), s["note"]))
    carried = carry_over(unchecked, state, CTX)
    assert "attended" not in carried.state["answers"] and "over_members" not in carried.state["answers"]
    assert carried.state["at"] == "attended" and carried.notice == "form.updated.redo"


def test_count_above_a_lowered_maximum_is_asked_again():
    state = new_state(MEETING, CTX, {"held_on": "2026-11-23", "kind": "branch", "attended": 500})
    s = steps_of(MEETING)
    lowered = dataclasses.replace(MEETING, version=2, steps=(
        s["held_on"], s["kind"], s["mode"], dataclasses.replace(s["attended"], limits={"maximum": 100}), s["note"]))
    carried = carry_over(lowered, state, CTX)
    assert carried.state["at"] == "attended" and carried.params["items"] == "Số tham dự"


def test_a_pending_check_on_a_step_still_there_is_kept():
    state = advance(MEETING, new_state(MEETING, CTX, {"held_on": "2026-11-23", "kind": "branch"}) | {"at": "attended"},
                    Event("text", "30"), CTX).state
    assert state["pending"]["value"] == 30
    carried = carry_over(dataclasses.replace(MEETING, version=2), state, CTX)
    assert carried.notice is None and carried.state["pending"] == state["pending"]
    assert advance(dataclasses.replace(MEETING, version=2), state, Event("text", "co"), CTX).state["answers"]["attended"] == 30


def test_period_options_moving_with_the_calendar_are_not_a_definition_change():
    from domain.forms.definitions import ONE_PLUS_ONE

    state = new_state(ONE_PLUS_ONE, CTX, None) | {"answers": {"period": "2024"}, "at": "participants",
                                                  "trail": ["period"]}
    carried = carry_over(ONE_PLUS_ONE, state, CTX)
    assert carried.notice is None and carried.state["answers"]["period"] == "2024"
    legacy = {k: v for k, v in state.items() if k != "version"}       # from before versions
    assert carry_over(ONE_PLUS_ONE, legacy, CTX).state["answers"]["period"] == "2024"
    moved = carry_over(dataclasses.replace(ONE_PLUS_ONE, version=2), state, CTX)
    assert moved.notice == "form.updated.restart"                      # a new definition checks them


def test_a_simple_new_form_defined_in_a_test_still_runs():
    form = Form("vtest", "meeting.title", (Step("only", "meeting.q.kind", "meeting.l.kind", "choice",
                                                options=(Option("a", "meeting.o.branch"),)),),
                write=_recorder, saved="meeting.saved")
    result = advance(form, new_state(form, CTX), Event("option", 0), CTX)
    assert result.state["at"] == SUMMARY and result.state["answers"] == {"only": "a"}


def test_a_whole_line_answer_waiting_for_its_check_is_carried_while_it_fits():
    state = advance(MEETING, new_state(MEETING, CTX), Event("text", "hop bch 3/12 25 nguoi"), CTX).state
    assert state["pending"]["step"] == "held_on" and state["held"] == {"attended": {"value": 25}}
    assert carry_over(MEETING, state, CTX).state == state                      # same definition: unchanged
    s = steps_of(MEETING)
    lowered = dataclasses.replace(MEETING, version=2, steps=(
        s["held_on"], s["kind"], s["mode"], dataclasses.replace(s["attended"], limits={"maximum": 20}), s["note"]))
    assert "held" not in carry_over(lowered, state, CTX).state                 # 25 no longer fits: asked
    renamed = dataclasses.replace(MEETING, version=2, steps=(
        s["held_on"], s["kind"], s["mode"], dataclasses.replace(s["attended"], name="present"), s["note"]))
    assert "held" not in carry_over(renamed, state, CTX).state
    for broken in ({"attended": 25}, {"attended": {"value": "x"}}, {"mode": {"value": "online"}}, ["attended"]):
        assert "held" not in carry_over(MEETING, {**state, "held": broken}, CTX).state


def test_what_the_form_recalled_at_opening_is_carried_as_it_was():
    recalled = {"branch": {"attended": 18, "mode": "online"}}
    state = new_state(MEETING, CTX) | {"recalled": recalled}
    assert carry_over(dataclasses.replace(MEETING, version=2), state, CTX).state["recalled"] == recalled
    assert "recalled" not in carry_over(MEETING, {**state, "recalled": "x"}, CTX).state
