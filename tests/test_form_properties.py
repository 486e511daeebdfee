"""Generated answers at every step of every form (hypothesis): the engine never raises, never changes
an answer at the summary without saying so, writes the note only when the person chose the note,
and saves exactly what the summary on the screen showed."""

from __future__ import annotations

import copy
from datetime import date, datetime, timezone

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from domain.forms.definitions import FORMS, MEETING, MEMBERS, ONE_PLUS_ONE
from domain.forms.engine import PICK_EDIT, SUMMARY, Event, advance, new_state, render, show
from domain.forms.model import Form, FormContext
from domain.textnorm import fold, words
from messages_vi import t
from storage.units import Unit


def _unit(border: bool) -> Unit:
    return Unit(7, "B1", "Chi đoàn ấp Thử", "branch", 1, "/1/7/", border, 20, None,
                datetime(2026, 1, 1, tzinfo=timezone.utc))


NOW = datetime(2026, 11, 23, 2, tzinfo=timezone.utc)
CTX = FormContext(_unit(False), 1, NOW, date(2026, 11, 23), date(2025, 11, 23))
BORDER_CTX = FormContext(_unit(True), 1, NOW, date(2026, 11, 23), date(2025, 11, 23))

# answers that take each form through its questions, in order
PATHS = {
    "meeting": [Event("text", "hom nay"), Event("text", "sinh hoat"), Event("text", "12")],
    "oneplusone": [Event("option", 0), Event("text", "10"), Event("text", "12"), Event("text", "1"),
                   Event("text", "0")],
    "members": [Event("text", "23"), Event("text", "ket nap")],
}

WORDS = [
    "ok", "OK", "luu", "Lưu", "gửi", "xong", "sua", "sửa", "huy", "quay lai", "bo qua", "co", "có", "khong",
    "không", "dung", "ừ", "truc tuyen", "trực tuyến", "truc tiep", "online", "ket hop", "ca hai", "hom nay",
    "hôm qua", "15/6", "3/12", "25/12", "29/2", "31/11", "20/11/2026", "1/1/2024", "0", "1", "2", "3", "9",
    "12", "25", "1200", "1.200", "-3", "mười hai", "12 người", "sinh hoat", "sinh hoạt trực tuyến",
    "hop bch truc tuyen", "họp BCH", "noi dung", "Nội dung", "so tham du", "them noi dung", "ghi chu",
    "giu ca hai", "sua bao cao", "ky nay", "ca nam", "ky truoc", "ket nap", "chuyen di", "xoa ten",
    "Học tập Nghị quyết Đại hội Đoàn", "12 truc tuyen", "hom qua online", "💥", "", " ", "/", "x" * 600,
    # whole reports in one message, and last time's answers
    "sinh hoat hom qua 18 nguoi truc tuyen", "hop bch 3/12 25 nguoi", "hom qua 18 nguoi, noi dung: hoc nghi quyet",
    "1+1 6 thang dau nam: 12 tham gia, 30 thanh nien, 5 ket nap", "6 thang dau nam, 12 tham gia, 26 vao dang",
    "3 vao hoi", "ca nam 12", "sinh hoat 30/11/2026 18 nguoi 20 nguoi", "nhu lan truoc", "Như tháng trước",
]
texts = st.one_of(
    st.sampled_from(WORDS),
    st.text(max_size=30),
    st.integers(min_value=0, max_value=20_000).map(str),
    st.builds(lambda d, m: f"{d}/{m}", st.integers(0, 32), st.integers(0, 13)),
)
ACTIONS = ["save", "edit", "cancel", "back", "skip", "yes", "no", "summary", "resume", "add", "goto0", "goto3",
           "goto9", "previous"]
events = st.one_of(
    texts.map(lambda text: Event("text", text)),
    texts.map(lambda text: Event("text", text)),                     # typing is the common case
    st.integers(min_value=-1, max_value=8).map(lambda i: Event("option", i)),
    st.sampled_from(ACTIONS).map(lambda a: Event("action", a)),
    st.sampled_from(["sticker", "edited"]).map(lambda k: Event("other", k)),
)


# what each form's `recall` keeps when the branch reported before (the meeting's attendance
# above its 20 members: taking the offer asks first)
RECALLED = {"meeting": {"branch": {"attended": 18, "mode": "online"}, "committee": {"attended": 25, "mode": "hybrid"}},
            "oneplusone": {"period": "2026-H1", "participants": 15}}


def starts() -> list[tuple[Form, FormContext, int]]:
    """Every form at each of its questions (after that many answers) and at its summary; the forms
    that recall last time's answers also with them (answers counted from 100)."""
    cases = [(form, CTX, k) for form in FORMS.values() for k in range(len(PATHS[form.name]) + 1)]
    cases += [(FORMS[name], CTX, 100 + k) for name in RECALLED for k in range(len(PATHS[name]) + 1)]
    return cases + [(MEETING, BORDER_CTX, len(PATHS["meeting"]))]


def reach(form: Form, ctx: FormContext, answered: int) -> dict:
    state = new_state(form, ctx)
    if answered >= 100:
        state["recalled"], answered = RECALLED[form.name], answered - 100
    for event in PATHS[form.name][:answered]:
        result = advance(form, state, event, ctx)
        assert result.outcome == "continue" and result.notice is None, result
        state = result.state
    return state


def on_screen_summary(state: dict) -> bool:
    return state["at"] == SUMMARY and not state["pending"] and not state.get("ask")


class _Written:
    """A transaction's repositories as the writers use them, recording what they are handed."""

    def __init__(self):
        self.values: dict | None = None
        self.reports, self.units = self, self

    def get_meeting(self, report_id):
        return None

    def add_meeting(self, unit_id, person_id, values, now):
        self.values = dict(values)
        return 1

    def save_recruitment(self, unit_id, person_id, values, now):
        self.values = dict(values)
        return 1

    def set_members(self, unit_id, members, reason, note, person_id, now):
        self.values = {"members": members, "reason": reason, "note": note}


def _note_named(form: Form, before: dict, event: Event, note: str) -> bool:
    """Whether `event` is a whole report typed as the first question's answer, naming the note
    ("..., nội dung: học Nghị quyết")."""
    step = form.step(note)
    typed = fold(event.value or "") if event.kind == "text" else ""
    return (before["at"] == form.asked()[0].name and not before["trail"]
            and any(name in typed for name in (fold(t(step.label)), *step.names)))


def _note_picked(form: Form, before: dict, event: Event, note: str) -> bool:
    """Whether `event`, at the "which line is it for?" question, picks the note."""
    ask = before.get("ask") or {}
    if ask.get("kind") != "which" or note not in ask["steps"]:
        return False
    if event.kind == "option":
        return event.value == ask["steps"].index(note)
    return event.kind == "text" and words(event.value or "") == words(t(form.step(note).label))


@pytest.mark.parametrize("form, ctx, answered", starts(),
                         ids=lambda v: v.name if isinstance(v, Form) else ("border" if v is BORDER_CTX else
                                                                           "" if isinstance(v, FormContext) else str(v)))
@settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(sequence=st.lists(events, min_size=1, max_size=14))
def test_generated_answers_never_crash_never_change_silently_and_save_what_was_shown(form, ctx, answered,
                                                                                    sequence):
    state = reach(form, ctx, answered)
    note = form.typed_on_summary()
    last_summary = copy.deepcopy(state["answers"]) if on_screen_summary(state) else None
    for event in sequence:
        before = copy.deepcopy(state)
        result = advance(form, state, event, ctx)                       # never raises
        assert state == before                                          # the stored state is never changed
        reply = render(form, 1, 1, result.state, ctx, result.notice, result.notice_params)
        assert reply.text
        after = result.state

        if result.outcome == "save":
            # only once a summary was on the screen (Lưu on it, or a save word typed at the
            # question asked from it), with exactly the answers it showed
            assert last_summary is not None and after["answers"] == before["answers"] == last_summary
            assert on_screen_summary(before) or before.get("ask", {}).get("kind") == "which"
            shown = render(form, 1, 1, {**before, "ask": None}, ctx).text
            for step in form.steps:
                assert t("form.summary_line", label=t(step.label),
                         value=show(step, before["answers"].get(step.name), ctx)) in shown
            tx = _Written()
            form.write(tx, ctx, after["answers"], after["report_id"])
            for step in form.steps:
                stored = tx.values.get(step.name)
                expected = before["answers"].get(step.name)
                assert stored == expected or (step.kind == "text" and not stored and expected is None)
            return
        if result.outcome == "cancel":
            return

        # at the summary, an answer changes only where the person said so, and they are told
        if on_screen_summary(before) and on_screen_summary(after) and after["answers"] != before["answers"]:
            assert result.notice == "form.set", (event, result.notice)
        # the note is written only when the person was asked for it, or chose it for what they typed
        if note is not None and after["answers"].get(note.name) != before["answers"].get(note.name):
            assert (before["at"] == note.name and not before["pending"] and not before.get("ask")) \
                or _note_picked(form, before, event, note.name) or _note_named(form, before, event, note.name), \
                (event, before)
        # a count question says so: digits are the number there, also at "keep this number?"
        if after["pending"]:
            assert reply.number_answer == (form.step(after["pending"]["step"]).kind == "count")
        elif after["at"] not in (SUMMARY, PICK_EDIT) and not after.get("ask"):
            assert reply.number_answer == (form.step(after["at"]).kind == "count")
        if on_screen_summary(after):
            last_summary = copy.deepcopy(after["answers"])
        state = after


def test_the_forms_under_test_are_all_the_forms():
    assert set(FORMS) == {MEETING.name, ONE_PLUS_ONE.name, MEMBERS.name} == set(PATHS)
