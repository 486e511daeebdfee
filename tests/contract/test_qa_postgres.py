"""A province on PostgreSQL, used as people use it: the same conversations on SQLite and on
PostgreSQL, and the moments PostgreSQL runs side by side what SQLite's one writer runs one after
the other (two people tapping at once, a message delivered twice at once). Whatever the backend,
a person sees the same answers and every count is kept once."""

from __future__ import annotations

import asyncio
from datetime import date, timedelta

import pytest

from bot import app
from tests.contract.conftest import BACKENDS
from tests.support import Chat, Clock, joined, make_invite, open_services, seed_tree

INTERNAL_ERROR = "mã lỗi"


@pytest.fixture(params=BACKENDS)
async def province(request, tmp_path):
    """The services of a province, its sample tree seeded, on SQLite or on PostgreSQL."""
    database = tmp_path / "test.sqlite3"
    if request.param == "postgres":
        database = request.getfixturevalue("postgres_cluster").emptied()
    services = await open_services(database, Clock())
    services.out_dir = tmp_path / "out"
    await seed_tree(services)
    yield services
    await app.close_services(services)


async def meetings_of(services, code: str) -> list:
    unit = await services.storage.units.by_code(code)
    return await services.storage.reports.meetings(unit.id, date(2025, 1, 1))


async def ready_to_save(chat: Chat, attended: str) -> None:
    await chat.say("/sinhhoat")
    await chat.tap("Hôm nay")
    await chat.tap("Sinh hoạt chi đoàn")
    await chat.say(attended)
    assert any("Lưu" in label for label in chat.buttons()), chat.text


async def test_secretaries_of_many_branches_saving_at_the_same_moment_each_keep_their_own_report(province):
    codes = ("B1", "B2", "B3", "B4", "B5")
    chats = [await joined(province, f"s{code}", code) for code in codes]
    for number, chat in enumerate(chats):
        await ready_to_save(chat, str(5 + number))
    saves = [chat.tap_data(chat.button("Lưu").action.encode(), update_key=f"save-{number}")
             for number, chat in enumerate(chats)]
    answers = await asyncio.gather(*saves)
    for replies in answers:
        assert "Đã lưu" in "\n".join(r.text for r in replies)
    for number, code in enumerate(codes):
        [meeting] = await meetings_of(province, code)
        assert (meeting.held_on, meeting.attended) == (date(2026, 11, 23), 5 + number)


async def test_luu_tapped_twice_at_once_keeps_one_report(province):
    chat = await joined(province, "u1", "B1")
    await ready_to_save(chat, "18")
    save = chat.button("Lưu").action.encode()
    answers = await asyncio.gather(chat.tap_data(save, update_key="tap-1"), chat.tap_data(save, update_key="tap-2"))
    texts = ["\n".join(r.text for r in replies) for replies in answers]
    assert sum("Đã lưu" in text for text in texts) == 1, texts
    assert not any(INTERNAL_ERROR in text.lower() for text in texts), texts
    assert [m.attended for m in await meetings_of(province, "B1")] == [18]


async def test_the_same_save_delivered_twice_at_once_is_handled_once(province):
    chat = await joined(province, "u1", "B1")
    await ready_to_save(chat, "18")
    save = chat.button("Lưu").action.encode()
    answers = await asyncio.gather(chat.tap_data(save, update_key="same"), chat.tap_data(save, update_key="same"))
    assert sum(bool(replies) for replies in answers) == 1, answers
    assert [m.attended for m in await meetings_of(province, "B1")] == [18]


async def test_secretary_and_deputy_saving_the_same_day_at_once_keep_exactly_the_reports_they_were_told_were_saved(province):
    secretary = await joined(province, "sec", "B1")
    deputy = await joined(province, "dep", "B1")
    await ready_to_save(secretary, "12")
    await ready_to_save(deputy, "13")
    answers = await asyncio.gather(
        secretary.tap_data(secretary.button("Lưu").action.encode(), update_key="a"),
        deputy.tap_data(deputy.button("Lưu").action.encode(), update_key="b"))
    texts = ["\n".join(r.text for r in replies) for replies in answers]
    assert not any(INTERNAL_ERROR in text.lower() for text in texts), texts
    saved = sorted(m.attended for m in await meetings_of(province, "B1"))
    assert saved == sorted(number for number, text in zip((12, 13), texts) if "Đã lưu" in text)
    assert saved, texts


async def test_one_invite_typed_by_two_people_at_once_lets_one_in_and_answers_the_other(province):
    code = await make_invite(province, "B1", "officer")
    first, second = Chat(province, "p1", "Người Một"), Chat(province, "p2", "Người Hai")
    answers = await asyncio.gather(first.say(f"/start {code}"), second.say(f"/start {code}"))
    texts = ["\n".join(r.text for r in replies) for replies in answers]
    assert not any(INTERNAL_ERROR in text.lower() for text in texts), texts
    members = [await province.storage.people.identify("terminal", who) for who in ("p1", "p2")]
    assert sum(1 for identity in members if identity is not None and identity.role) == 1, texts


# A NUL character (U+0000) is invisible, and a person can type or paste one; SQLite stores it,
# PostgreSQL's text cannot hold it: it is stored without it, and nothing is lost.

async def test_a_meeting_note_pasted_with_an_invisible_nul_character_is_saved(province):
    chat = await joined(province, "u1", "B1")
    await ready_to_save(chat, "18")
    await chat.tap("Thêm nội dung")
    await chat.say("Học\x00 nghị quyết")
    await chat.tap("Lưu")
    assert "Đã lưu" in chat.text, chat.text
    [meeting] = await meetings_of(province, "B1")
    assert (meeting.attended, meeting.note.replace("\x00", "")) == (18, "Học nghị quyết")


async def test_a_person_whose_messenger_name_has_a_nul_character_joins_and_is_known_again(province):
    chat = Chat(province, "u2", "Lan\x00 Nguyễn")
    await chat.say(f"/start {await make_invite(province, 'B2')}")
    assert "Chào mừng" in chat.text, chat.text
    await chat.say("/toi")
    assert "Chi đoàn ấp Hai" in chat.text, chat.text


async def test_a_unit_list_with_a_nul_character_in_a_name_is_imported_whole(province):
    from storage.units import UnitRow

    rows = [UnitRow("B9", "Chi đoàn\x00 ấp Chín", "branch", "G1", False, 9),
            UnitRow("B8", "Chi đoàn ấp Tám", "branch", "G1", False, 8)]
    await province.storage.units.import_rows(rows, province.clock())
    names = {unit.code: unit.name.replace("\x00", "") for unit in await province.storage.units.all()}
    assert (names["B9"], names["B8"]) == ("Chi đoàn ấp Chín", "Chi đoàn ấp Tám")


async def test_moving_to_postgresql_a_file_where_a_note_holds_a_nul_character_copies_every_row(tmp_path, postgres_cluster):
    from storage import Storage, to_postgres

    services = await open_services(tmp_path / "test.sqlite3", Clock())
    await seed_tree(services)
    chat = await joined(services, "u1", "B1")
    await ready_to_save(chat, "18")
    await chat.tap("Thêm nội dung")
    await chat.say("Học\x00 nghị quyết")
    await chat.tap("Lưu")
    await app.close_services(services)

    url = postgres_cluster.new_database()
    copied = to_postgres.copy(tmp_path / "test.sqlite3", url)
    assert all(table.same for table in copied) and any(table.source for table in copied)
    async with await Storage.open(url) as moved:
        unit = await moved.units.by_code("B1")
        [meeting] = await moved.reports.meetings(unit.id, date(2025, 1, 1))
    assert (meeting.attended, meeting.note) == (18, "Học nghị quyết")


async def test_a_message_quoting_a_nul_character_does_not_stop_zalos_spent_quota(backend, clock):
    """Once the month's Zalo quota is spent, the sender reads each queued message's wording: one
    whose text holds a NUL (JSON's \\u0000, which PostgreSQL's json cannot turn into text) must
    not stop the reminders behind it."""
    import json

    from storage.outbox import NewMessage
    from tests.contract.helpers import body, join, seed, text_of

    storage = await backend.open()
    tree = await seed(storage, clock())
    a = (await join(storage, clock(), "a", tree["B1"], channel="zalo")).person.id
    b = (await join(storage, clock(), "b", tree["B5"], channel="zalo")).person.id
    reminder = json.dumps({"text": "hạn gần", "buttons": [],
                           "wording": {"kind": "deadline", "title": "hạn gần", "due": "2026-11-25", "nudge": False}})
    await storage.outbox.enqueue([NewMessage("note", a, body("Ghi chú: Học\x00 nghị quyết")),
                                  NewMessage("r-b", b, reminder)], clock())
    now = clock()
    assert await storage.quota.set_aside("zalo", "bot-a", "2026-11", 3000, now, now + timedelta(days=8)) == 1
    assert [text_of(row.payload) for row in await storage.quota.claim("zalo", now, 10)] == ["hạn gần"]
