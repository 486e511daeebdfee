"""Forms: the claim on each update, open forms saved step by step under a version check, ended,
dropped when untouched; and a form's answer written with its report in one transaction."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from storage.forms import Stale
from tests.contract.helpers import join

STATE = {"step": "attended", "answers": {"held_on": "2026-11-20", "ghi_chú": "Sinh hoạt chủ điểm"}, "n": [1, 2]}
MEETING = {"held_on": date(2026, 11, 20), "kind": "branch", "mode": "in_person", "attended": 12}


@pytest.fixture
async def secretary(storage, clock, tree):
    return await join(storage, clock(), "s1", tree["B1"])


async def start(storage, clock, secretary, form="meeting", state=STATE, replace=False):
    return await storage.forms.start(secretary.person.id, secretary.unit.id, form, state, clock(), replace)


async def test_a_strangers_conversation_is_empty(storage):
    conversation = await storage.forms.conversation("terminal", "nobody")
    assert (conversation.identity, conversation.session) == (None, None)


async def test_a_conversation_without_a_form_has_the_identity_only(storage, secretary):
    conversation = await storage.forms.conversation("terminal", "s1")
    assert conversation.identity == secretary and conversation.session is None
    assert (await storage.forms.conversation("telegram", "s1")).identity is None


async def test_an_update_is_claimed_once(storage, clock):
    assert await storage.forms.claim("telegram:1001", clock()) is True
    assert await storage.forms.claim("telegram:1001", clock()) is False
    clock.advance(hours=1)
    assert await storage.forms.claim("telegram:1001", clock()) is False
    assert await storage.forms.claim("telegram:1002", clock()) is True
    assert await storage.forms.claim("zalo:1001", clock()) is True


async def test_forget_processed_drops_claims_older_than_a_moment(storage, clock):
    await storage.forms.claim("old-1", clock())
    await storage.forms.claim("old-2", clock())
    clock.advance(hours=25)
    await storage.forms.claim("new", clock())
    assert await storage.forms.forget_processed(clock() - timedelta(hours=24)) == 2
    assert await storage.forms.forget_processed(clock() - timedelta(hours=24)) == 0
    assert await storage.forms.claim("old-1", clock()) is True                 # forgotten: claimable again
    assert await storage.forms.claim("new", clock()) is False                  # kept
    assert await storage.forms.forget_processed(clock()) == 0                  # claimed at `before`: kept


async def test_start_opens_a_form_with_version_zero(storage, clock, secretary):
    session = await start(storage, clock, secretary)
    assert (session.person_id, session.unit_id, session.form, session.state, session.version) == (
        secretary.person.id, secretary.unit.id, "meeting", STATE, 0)
    assert session.started_at == clock() and session.updated_at == clock()
    conversation = await storage.forms.conversation("terminal", "s1")
    assert conversation.session == session and conversation.identity == secretary


async def test_one_open_form_per_person_unless_replaced(storage, clock, secretary, tree):
    first = await start(storage, clock, secretary)
    with pytest.raises(Exception):
        await start(storage, clock, secretary, form="recruitment", state={})
    assert (await storage.forms.conversation("terminal", "s1")).session == first
    clock.advance(minutes=1)
    second = await start(storage, clock, secretary, form="recruitment", state={"a": 1}, replace=True)
    assert (second.form, second.state, second.version) == ("recruitment", {"a": 1}, 0)
    assert second.started_at == clock()
    assert (await storage.forms.conversation("terminal", "s1")).session == second
    other = await join(storage, clock(), "s2", tree["B2"])
    assert (await start(storage, clock, other)).person_id == other.person.id          # one each
    assert (await storage.forms.conversation("terminal", "s1")).session == second


@pytest.mark.parametrize("ending", ["finish", "replace", "drop_untouched"])
async def test_an_answer_for_a_form_that_ended_never_lands_on_the_next_one(storage, clock, secretary, ending):
    old = await start(storage, clock, secretary)
    if ending == "finish":
        await storage.forms.finish(old.id, old.version)
    elif ending == "drop_untouched":
        clock.advance(days=8)
        assert await storage.forms.drop_untouched(clock() - timedelta(days=7)) == [old]
    new = await start(storage, clock, secretary, form="recruitment", state={}, replace=ending == "replace")
    with pytest.raises(Stale):
        await storage.forms.save(old.id, old.version, {"answer": "meant for the old form"}, clock())
    assert (await storage.forms.conversation("terminal", "s1")).session == new


async def test_replace_without_an_open_form_just_starts(storage, clock, secretary):
    session = await start(storage, clock, secretary, replace=True)
    assert (await storage.forms.conversation("terminal", "s1")).session == session


async def test_save_bumps_the_version_and_keeps_the_state(storage, clock, secretary):
    session = await start(storage, clock, secretary)
    clock.advance(minutes=3)
    new_state = {**STATE, "step": "mode", "answers": {**STATE["answers"], "attended": 12}}
    assert await storage.forms.save(session.id, 0, new_state, clock()) == 1
    assert await storage.forms.save(session.id, 1, {**new_state, "step": "note"}, clock()) == 2
    saved = (await storage.forms.conversation("terminal", "s1")).session
    assert (saved.id, saved.version, saved.state) == (session.id, 2, {**new_state, "step": "note"})
    assert saved.started_at == session.started_at and saved.updated_at == clock()


async def test_save_with_a_wrong_version_is_stale_and_writes_nothing(storage, clock, secretary):
    session = await start(storage, clock, secretary)
    await storage.forms.save(session.id, 0, {"step": 1}, clock())
    for version in (0, 2, -1):
        with pytest.raises(Stale):
            await storage.forms.save(session.id, version, {"step": "overwritten"}, clock())
    saved = (await storage.forms.conversation("terminal", "s1")).session
    assert (saved.version, saved.state) == (1, {"step": 1})
    with pytest.raises(Stale):
        await storage.forms.save(session.id + 1000, 0, {}, clock())


async def test_finish_ends_the_form_once(storage, clock, secretary):
    session = await start(storage, clock, secretary)
    await storage.forms.save(session.id, 0, {"step": 1}, clock())
    with pytest.raises(Stale):
        await storage.forms.finish(session.id, 0)
    assert (await storage.forms.conversation("terminal", "s1")).session.version == 1
    assert await storage.forms.finish(session.id, 1) is None
    assert (await storage.forms.conversation("terminal", "s1")).session is None
    with pytest.raises(Stale):
        await storage.forms.finish(session.id, 1)
    with pytest.raises(Stale):
        await storage.forms.save(session.id, 1, {}, clock())


async def test_drop_untouched_removes_and_returns_forms_idle_since_a_moment(storage, clock, secretary, tree):
    idle = await start(storage, clock, secretary)
    busy_person = await join(storage, clock(), "s2", tree["B2"])
    busy = await start(storage, clock, busy_person)
    clock.advance(days=7)
    await storage.forms.save(busy.id, 0, {"step": "later"}, clock())
    edge_person = await join(storage, clock(), "s3", tree["B5"])
    cutoff = clock() - timedelta(days=1)
    edge = await storage.forms.start(edge_person.person.id, tree["B5"].id, "meeting", {}, cutoff)
    assert await storage.forms.drop_untouched(cutoff) == [idle]
    assert (await storage.forms.conversation("terminal", "s1")).session is None
    assert (await storage.forms.conversation("terminal", "s2")).session.version == 1
    assert (await storage.forms.conversation("terminal", "s3")).session == edge       # touched at `before`
    assert await storage.forms.drop_untouched(cutoff) == []
    assert sorted(s.id for s in await storage.forms.drop_untouched(clock() + timedelta(seconds=1))) == sorted(
        [busy.id, edge.id])


# --- a form answer and its report: one transaction ------------------------------------------------

def _last_answer(session, unit_id, person_id, now, fail):
    """What the form engine does on the last answer: save the state, write the report, end the form."""
    def answer(tx):
        version = tx.forms.save(session.id, session.version, {**session.state, "step": "done"}, now)
        meeting_id = tx.reports.add_meeting(unit_id, person_id, MEETING, now)
        if fail:
            raise RuntimeError("the reply could not be built")
        tx.forms.finish(session.id, version)
        return meeting_id
    return answer


def _step_answer(session, unit_id, person_id, now, fail):
    """An answer that saves the form's state and writes a report in the same transaction."""
    def answer(tx):
        tx.forms.save(session.id, session.version, {**session.state, "step": "next"}, now)
        meeting_id = tx.reports.add_meeting(unit_id, person_id, MEETING, now)
        if fail:
            raise RuntimeError("the reply could not be built")
        return meeting_id
    return answer


@pytest.mark.parametrize("make", [_step_answer, _last_answer], ids=["save+report", "save+report+finish"])
async def test_a_failed_answer_stores_neither_the_form_state_nor_the_report(storage, clock, secretary, make):
    session = await start(storage, clock, secretary)
    clock.advance(minutes=1)
    with pytest.raises(RuntimeError):
        await storage.atomic(make(session, secretary.unit.id, secretary.person.id, clock(), True))
    assert (await storage.forms.conversation("terminal", "s1")).session == session
    assert await storage.reports.meetings(secretary.unit.id, date(2026, 1, 1)) == []
    assert await storage.reports.last_report_at(secretary.unit.id) is None


async def test_an_answer_stores_the_form_state_and_the_report_together(storage, clock, secretary):
    session = await start(storage, clock, secretary)
    clock.advance(minutes=1)
    meeting_id = await storage.atomic(_step_answer(session, secretary.unit.id, secretary.person.id, clock(), False))
    saved = (await storage.forms.conversation("terminal", "s1")).session
    assert (saved.version, saved.state["step"]) == (1, "next")
    assert [m.id for m in await storage.reports.meetings(secretary.unit.id, date(2026, 1, 1))] == [meeting_id]


async def test_a_last_answer_stores_the_report_and_ends_the_form_together(storage, clock, secretary):
    session = await start(storage, clock, secretary)
    meeting_id = await storage.atomic(_last_answer(session, secretary.unit.id, secretary.person.id, clock(), False))
    assert (await storage.forms.conversation("terminal", "s1")).session is None
    assert (await storage.reports.get_meeting(meeting_id)).attended == 12


async def test_an_answer_to_a_form_that_moved_on_writes_no_report(storage, clock, secretary):
    session = await start(storage, clock, secretary)
    await storage.forms.save(session.id, 0, {"step": "elsewhere"}, clock())      # another answer got there first

    def answer(tx):
        meeting_id = tx.reports.add_meeting(secretary.unit.id, secretary.person.id, MEETING, clock())
        tx.forms.finish(session.id, session.version)                             # version 0: stale
        return meeting_id

    with pytest.raises(Stale):
        await storage.atomic(answer)
    assert await storage.reports.meetings(secretary.unit.id, date(2026, 1, 1)) == []
    assert (await storage.forms.conversation("terminal", "s1")).session.state == {"step": "elsewhere"}
