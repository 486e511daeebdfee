"""Where there is no command menu (Zalo), commands are typed as words and codes typed alone."""

from __future__ import annotations

from tests.support import Chat, joined, make_invite


async def test_commands_work_as_words_with_or_without_diacritics(services):
    chat = await joined(services, "u1", "B1")
    [listing] = await chat.say("/baocao")
    for typed in ("bao cao", "Báo cáo", "baocao", "BAO CAO!"):
        assert (await chat.say(typed))[0].text == listing.text
    [reply] = await chat.say("sinh hoat")
    assert "ngày nào" in reply.text
    await chat.say("huy")
    for typed in ("sinh hoat chi doan", "Sinh hoạt chi đoàn"):
        assert "ngày nào" in (await chat.say(typed))[0].text, typed
        await chat.say("huy")
    for typed in ("1cong1", "/1cong1", "1 cộng 1", "1+1"):
        assert "Báo cáo cho kỳ nào?" in (await chat.say(typed))[0].text, typed
        await chat.say("huy")


async def test_with_a_form_open_the_words_answer_the_form(services):
    chat = await joined(services, "u1", "B1")
    await chat.say("/sinhhoat")
    await chat.say("hom nay")
    await chat.say("sinh hoat")                     # answers "which kind", not a new form
    [reply] = await chat.say("12")
    assert "Số tham dự: 12" in reply.text


async def test_a_code_typed_alone_joins(services):
    code = await make_invite(services, "B1")
    chat = Chat(services, "zalo-user", "Lan")
    spaced = " ".join(code[i:i + 4] for i in range(0, len(code), 4)).upper()
    await chat.say(spaced)
    identity = await services.storage.people.identify("terminal", "zalo-user")
    assert identity is not None and identity.role == "secretary"


async def test_a_stranger_typing_words_is_not_taken_for_a_code(services):
    chat = Chat(services, "someone", "Ai đó")
    [reply] = await chat.say("xin chao")
    assert "liên kết mời" in reply.text or "mã mời" in reply.text
    assert await services.storage.people.identify("terminal", "someone") is None


async def test_a_command_and_what_it_asks_for_typed_as_words_as_on_zalo(services):
    """"tong hop thang 10" is "/tonghop thang 10": Zalo has no slash menu, and people type the
    period or the unit after the words as they would after the command."""
    officer = await joined(services, "o1", "G1", "officer")
    [slashed] = (await officer.say("/tonghop thang 10"))[:1]
    for typed in ("tong hop thang 10", "Tổng hợp tháng 10", "tong hpo thang 10"):
        assert (await officer.say(typed))[0].text == slashed.text, typed
    assert "tháng 10/2026" in slashed.text
    [history] = (await officer.say("lich su ap mot"))[:1]
    assert history.text.startswith("📊 Lịch sử hoạt động — Chi đoàn ấp Một")
    [card] = (await officer.say("chi doan ap hai"))[:1]
    assert "Chi đoàn ấp Hai" in card.text.split("\n", 1)[0]
    [other] = await officer.say("toi muon hoi cai nay")               # no command in it: the menu
    assert "Bạn muốn làm gì?" in other.text
