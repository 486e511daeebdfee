"""The answers of last time, one tap away: the meeting form's attendance question offers the last
meeting of that kind ("Như lần trước: 18 đoàn viên, trực tiếp") and fills the count and the mode; the
1+1 form offers the last report's participants. Counted through Telegram's and Zalo's real paths."""

from __future__ import annotations

from datetime import date, datetime, timedelta, timezone

import pytest

from bot import app
from domain.forms.definitions import MEETING, ONE_PLUS_ONE
from domain.forms.engine import SUMMARY, Event, advance, new_state, render
from domain.forms.model import FormContext
from messages_vi import t
from storage.units import Unit
from tests.support import joined, make_invite, open_services, seed_tree
from tests.support.fake_zalo import FakeZalo
from tests.support.telegram_fake import FakeBotApi
from tests.test_telegram import secretary, settings_for, started
from tests.test_zalo_channel import LAN, running, say

@pytest.fixture
async def zalo():
    async with FakeZalo(poll_cap=0.2) as fake:
        yield fake


@pytest.fixture
def api() -> FakeBotApi:
    return FakeBotApi()


NOW = datetime(2026, 11, 23, 2, tzinfo=timezone.utc)          # 09:00 on Monday 23/11/2026 in Vietnam
CTX = FormContext(Unit(7, "B1", "Chi đoàn ấp Thử", "branch", 1, "/1/7/", False, 20, None, NOW), 1, NOW,
                  date(2026, 11, 23), date(2025, 11, 23))
LAST_MONTH = {"held_on": date(2026, 10, 20), "kind": "branch", "mode": "online", "attended": 18}


async def reported_before(services, code="B1", **changes):
    """A meeting the branch reported last month, by its secretary of then."""
    unit = await services.storage.units.by_code(code)
    values = {**LAST_MONTH, **changes}
    return await services.storage.reports.add_meeting(unit.id, None, values, services.clock() - timedelta(days=30))


async def meetings_of(services, code="B1"):
    unit = await services.storage.units.by_code(code)
    return await services.storage.reports.meetings(unit.id, date(2026, 11, 1))


# --- the engine -----------------------------------------------------------------------------------

def at_attendance(recalled: dict, kind: str = "branch") -> dict:
    state = new_state(MEETING, CTX)
    state["recalled"] = recalled
    for answer in ("hom nay", "hop bch" if kind == "committee" else "sinh hoat"):
        state = advance(MEETING, state, Event("text", answer), CTX).state
    return state


RECALLED = {"branch": {"attended": 18, "mode": "online"}, "committee": {"attended": 5, "mode": "in_person"}}


def test_the_offer_is_the_last_meeting_of_the_kind_being_reported():
    branch = render(MEETING, 1, 1, at_attendance(RECALLED), CTX)
    assert branch.buttons[0][0].label == "Như lần trước: 18 đoàn viên, trực tuyến"
    assert branch.number_answer                                   # typed digits are still the count
    committee = render(MEETING, 1, 1, at_attendance(RECALLED, "committee"), CTX)
    assert committee.buttons[0][0].label == "Như lần trước: 5 đoàn viên, trực tiếp"
    alone = render(MEETING, 1, 1, at_attendance({"committee": RECALLED["committee"]}), CTX)
    assert "Như lần trước" not in str(alone.buttons)              # no branch meeting before: no offer


@pytest.mark.parametrize("event", [Event("action", "previous"), Event("text", "nhu lan truoc"),
                                   Event("text", "Như tháng trước."), Event("text", "giong lan truoc")])
def test_the_offer_fills_the_count_and_the_mode(event):
    result = advance(MEETING, at_attendance(RECALLED), event, CTX)
    assert result.state["at"] == SUMMARY
    assert (result.state["answers"]["attended"], result.state["answers"]["mode"]) == (18, "online")


def test_the_offer_goes_through_the_same_check():
    recalled = {"branch": {"attended": 25, "mode": "online"}}          # the branch has 20 members now
    result = advance(MEETING, at_attendance(recalled), Event("action", "previous"), CTX)
    assert result.state["pending"]["message"] == "meeting.confirm_over"


def test_without_a_last_meeting_the_words_are_answered_and_nothing_changes():
    state = at_attendance({})
    result = advance(MEETING, state, Event("text", "nhu lan truoc"), CTX)
    assert result.notice == "form.as_before_none" and result.state["answers"] == state["answers"]


def test_a_stored_offer_that_no_longer_fits_is_not_offered_or_taken():
    for recalled in ({"branch": {"attended": "18", "mode": "online"}}, {"branch": {"attended": 18}},
                     {"branch": {"attended": 10**9, "mode": "online"}}):
        state = at_attendance(recalled)
        result = advance(MEETING, state, Event("action", "previous"), CTX)
        assert result.state["answers"].get("attended") is None


def test_the_1_1_form_offers_who_took_part_last_period_and_nothing_it_counts_anew():
    state = new_state(ONE_PLUS_ONE, CTX)
    state["recalled"] = {"period": "2026-H1", "participants": 15}
    state = advance(ONE_PLUS_ONE, state, Event("option", 0), CTX).state
    reply = render(ONE_PLUS_ONE, 1, 1, state, CTX)
    assert reply.buttons[0][0].label == "Như 6 tháng đầu năm 2026: 15 đoàn viên"
    state = advance(ONE_PLUS_ONE, state, Event("action", "previous"), CTX).state
    assert state["answers"]["participants"] == 15 and state["at"] == "youth_reached"
    assert "Như" not in str(render(ONE_PLUS_ONE, 1, 1, state, CTX).buttons)


# --- through the handlers -------------------------------------------------------------------------

async def test_no_meeting_before_no_offer(services):
    chat = await joined(services, "u1", "B1")
    await chat.say("/sinhhoat")
    await chat.tap("Hôm nay")
    await chat.tap("Sinh hoạt chi đoàn")
    assert not [b for b in chat.buttons() if "Như lần trước" in b]


async def test_a_withdrawn_meeting_is_not_offered_and_another_branchs_never(services):
    withdrawn = await reported_before(services)
    await services.storage.reports.delete_meeting(withdrawn, None, services.clock())
    await reported_before(services, "B5", attended=9)
    chat = await joined(services, "u1", "B1")
    await chat.say("/sinhhoat")
    await chat.tap("Hôm nay")
    await chat.tap("Sinh hoạt chi đoàn")
    assert not [b for b in chat.buttons() if "Như lần trước" in b]


async def test_the_1_1_offer_through_the_handlers(services):
    unit = await services.storage.units.by_code("B1")
    await services.storage.reports.save_recruitment(unit.id, None, {
        "period": "2026-H1", "participants": 15, "youth_reached": 30, "new_members": 4, "party_introduced": 1},
        services.clock() - timedelta(days=120))
    chat = await joined(services, "u1", "B1")
    await chat.say("/motcongmot")
    await chat.tap("6 tháng cuối năm 2026")
    await chat.tap("Như 6 tháng đầu năm 2026: 15 đoàn viên")
    for answer in ("32", "3", "1"):
        await chat.say(answer)
    await chat.say("luu")
    report = await services.storage.reports.recruitment_for(unit.id, "2026-H2")
    assert (report.participants, report.youth_reached) == (15, 32)


async def test_the_offer_read_at_opening_survives_a_restart(tmp_path, clock):
    services = await open_services(tmp_path / "db.sqlite3", clock)
    await seed_tree(services)
    await reported_before(services)
    chat = await joined(services, "u1", "B1")
    await chat.say("/sinhhoat")
    await chat.tap("Hôm nay")
    await app.close_services(services)
    services = await open_services(tmp_path / "db.sqlite3", clock)
    chat.services = services
    await chat.tap("Sinh hoạt chi đoàn")
    await chat.tap("Như lần trước")
    await chat.tap("Lưu")
    [meeting] = await meetings_of(services)
    assert (meeting.attended, meeting.mode) == (18, "online")
    await app.close_services(services)


# --- counted through the channels' own paths ------------------------------------------------------

async def test_on_telegram_the_monthly_report_is_five_taps_with_last_months_answers(services, api, tmp_path):
    await reported_before(services)
    application = await started(settings_for(tmp_path), services, api)
    try:
        lan = await secretary(application, api, services)
        transcript = []
        for label in ("Báo cáo sinh hoạt", "Hôm nay", "Sinh hoạt chi đoàn", "Như lần trước", "Lưu"):
            await lan.tap(label)
            transcript.append((label, lan.texts()[-1]))
    finally:
        await application.shutdown()
    assert len(transcript) == 5
    assert transcript[2][1] == t("meeting.q.attended", members=20)      # "Như lần trước" tapped under it
    assert "Hình thức: Trực tuyến" in transcript[3][1] and "Số tham dự: 18" in transcript[3][1]
    assert transcript[4][1] == t("meeting.saved", title=t("meeting.title"), unit="Chi đoàn ấp Một")
    [meeting] = await meetings_of(services)
    assert (meeting.held_on, meeting.kind, meeting.mode, meeting.attended) == (
        date(2026, 11, 23), "branch", "online", 18)
    print("\n".join(f"[{label}]\n{answer}\n" for label, answer in transcript))


async def test_on_zalo_the_monthly_report_is_five_messages_with_last_months_answers(services, zalo):
    await reported_before(services)
    code = await make_invite(services, "B1")
    async with running(services, zalo) as channel:
        await say(channel, zalo, LAN, f"/start {code}")
        transcript = []
        for typed in ("1", "hom qua", "sinh hoat", "nhu lan truoc", "luu"):
            transcript.append((typed, await say(channel, zalo, LAN, typed)))
        answers = dict(transcript)
        assert "• Như lần trước: 18 đoàn viên, trực tuyến" in answers["sinh hoat"]
        assert "Số tham dự: 18" in answers["nhu lan truoc"] and "Hình thức: Trực tuyến" in answers["nhu lan truoc"]
        assert "Đã lưu Báo cáo sinh hoạt" in answers["luu"]
    assert len(transcript) <= 6
    [meeting] = await meetings_of(services)
    assert (meeting.held_on, meeting.mode, meeting.attended) == (date(2026, 11, 22), "online", 18)
    print("\n".join(f"> {typed}\n{answer}\n" for typed, answer in transcript))


async def test_on_zalo_a_digit_at_the_attendance_question_is_still_the_count(services, zalo):
    # one rule for digits (bot/channels/numbered.py): where a number is asked, "1" is one person,
    # never the first choice; the offer is picked by its words
    await reported_before(services)
    code = await make_invite(services, "B1")
    async with running(services, zalo) as channel:
        await say(channel, zalo, LAN, f"/start {code}")
        for typed in ("1", "hom qua", "sinh hoat"):
            await say(channel, zalo, LAN, typed)
        assert "Số tham dự: 1\n" in await say(channel, zalo, LAN, "1")
