"""The form engine on its own: a form defined here, in the test, runs with no engine change."""

from __future__ import annotations

from datetime import date, datetime, timezone

import pytest

from domain.forms.engine import SUMMARY, Event, advance, new_state, render
from domain.forms.model import Confirm, Form, FormContext, Option, Step
from messages_vi import MESSAGES
from storage.units import Unit

# A third form, defined entirely here: a youth-situation survey with its own sentences.
MESSAGES.update({
    "survey.title": "Khảo sát thanh niên",
    "survey.saved": "Đã lưu khảo sát.",
    "survey.q.youth": "Có bao nhiêu thanh niên trên địa bàn?",
    "survey.l.youth": "Thanh niên",
    "survey.q.working": "Phần lớn đang đi làm xa?",
    "survey.l.working": "Đi làm xa",
    "survey.q.season": "Mùa nào khó tập hợp nhất?",
    "survey.l.season": "Mùa khó",
    "survey.o.harvest": "Mùa gặt",
    "survey.o.tet": "Dịp Tết",
    "survey.q.note": "Ghi chú?",
    "survey.l.note": "Ghi chú",
    "survey.doubt": "Nhiều hơn 500 thanh niên? Chắc chứ?",
    "survey.flag.big": "⚠️ Địa bàn rất đông (đã xác nhận).",
})
saved: list[dict] = []


def _write(tx, ctx, answers, report_id):
    saved.append(dict(answers))
    return len(saved)


SURVEY = Form(
    name="survey", title="survey.title", saved="survey.saved", write=_write,
    steps=(
        Step("youth", "survey.q.youth", "survey.l.youth", "count",
             confirm=lambda v, ctx, a: Confirm("survey.doubt", {}, "big") if v > 500 else None),
        Step("working", "survey.q.working", "survey.l.working", "yes_no"),
        Step("season", "survey.q.season", "survey.l.season", "choice", options=(
            Option("harvest", "survey.o.harvest", ("mua gat", "gat lua")),
            Option("tet", "survey.o.tet", ("tet", "tet nguyen dan")),
        )),
        Step("note", "survey.q.note", "survey.l.note", "text", optional=True),
    ),
)
UNIT = Unit(7, "B1", "Chi đoàn Thử", "branch", 1, "/1/7/", False, 20, None,
            datetime(2026, 1, 1, tzinfo=timezone.utc))
CTX = FormContext(UNIT, 1, datetime(2026, 11, 23, 2, tzinfo=timezone.utc), date(2026, 11, 23), date(2025, 11, 23))


def run(state, *events):
    result = None
    for kind, value in events:
        result = advance(SURVEY, state, Event(kind, value), CTX)
        state = result.state
    return result


def test_happy_path_reaches_summary_then_saves():
    result = run(new_state(SURVEY, CTX), ("text", "120"), ("text", "khong"), ("text", "mua gat"), ("text", "bo qua"))
    assert result.state["at"] == SUMMARY
    assert result.state["answers"] == {"youth": 120, "working": False, "season": "harvest", "note": None}
    assert run(result.state, ("action", "save")).outcome == "save"


def test_bad_answer_keeps_state_and_names_the_problem():
    state = new_state(SURVEY, CTX)
    result = run(state, ("text", "nhieu lam"))
    assert result.state == state and result.notice == "parse.count_unreadable"


def test_soft_check_asks_then_keeps_and_flags():
    result = run(new_state(SURVEY, CTX), ("text", "900"))
    assert result.state["pending"]["value"] == 900
    result = run(result.state, ("text", "co"))
    assert result.state["answers"]["youth"] == 900 and result.state["answers"]["big"] is True
    assert "Địa bàn rất đông" in render(SURVEY, 1, 0, {**result.state, "at": SUMMARY}, CTX).text


def test_soft_check_refused_asks_again_and_a_new_number_replaces_it():
    result = run(new_state(SURVEY, CTX), ("text", "900"), ("action", "no"))
    assert result.state["at"] == "youth" and "youth" not in result.state["answers"]
    result = run(new_state(SURVEY, CTX), ("text", "900"), ("text", "90"))
    assert result.state["answers"]["youth"] == 90 and "big" not in result.state["answers"]


def test_back_goes_one_step_and_edit_returns_to_summary():
    result = run(new_state(SURVEY, CTX), ("text", "10"), ("text", "co"), ("text", "quay lai"))
    assert result.state["at"] == "working"
    done = run(new_state(SURVEY, CTX), ("text", "10"), ("text", "co"), ("text", "tet"), ("action", "skip"))
    result = run(done.state, ("action", "edit"), ("action", "goto0"), ("text", "12"))
    assert result.state["at"] == SUMMARY and result.state["answers"]["youth"] == 12


def test_cancel_word_and_other_inputs():
    assert run(new_state(SURVEY, CTX), ("text", "Hủy")).outcome == "cancel"
    result = run(new_state(SURVEY, CTX), ("other", "sticker"))
    assert result.notice == "form.other" and result.outcome == "continue"
    assert run(new_state(SURVEY, CTX), ("other", "edited")).notice == "form.other.edited"


def test_required_step_cannot_be_skipped_and_first_step_has_no_back():
    assert run(new_state(SURVEY, CTX), ("action", "skip")).notice == "form.cannot_skip"
    assert run(new_state(SURVEY, CTX), ("action", "back")).notice == "form.cannot_go_back"


def test_option_buttons_out_of_range_are_old():
    state = run(new_state(SURVEY, CTX), ("text", "10"), ("text", "co")).state
    assert run(state, ("option", 99)).notice == "form.button_old"
    assert run(state, ("option", 1)).state["answers"]["season"] == "tet"


@pytest.mark.parametrize("text", ["", " ", "💥" * 2000, "\x00", "/", "1" * 5000])
def test_nothing_a_person_types_raises(text):
    for at in ("youth", "working", "season", "note", SUMMARY):
        state = {**new_state(SURVEY, CTX), "at": at}
        advance(SURVEY, state, Event("text", text), CTX)


async def test_the_test_form_runs_through_the_real_engine(tmp_path, clock):
    from domain.forms.engine import FormEngine
    from tests.support import joined, open_services, seed_tree

    services = await open_services(tmp_path / "f.sqlite3", clock)
    await seed_tree(services)
    services.engine = FormEngine(services.storage, {**services.engine.forms, "survey": SURVEY}, clock)
    chat = await joined(services, "u1", "B1")
    identity = await services.storage.people.identify("terminal", "u1")
    chat.replies = await services.engine.begin(identity, "survey", chat_incoming(chat))
    for text in ("45", "co", "tet"):
        await chat.say(text)
    await chat.tap("Bỏ qua")
    await chat.tap("Lưu")
    assert saved[-1] == {"youth": 45, "working": True, "season": "tet", "note": None}
    from bot import app
    await app.close_services(services)


def chat_incoming(chat):
    from domain.conversation import Incoming
    return Incoming("terminal", chat.user_id, chat.user_id, chat.name, text="/khaosat")
