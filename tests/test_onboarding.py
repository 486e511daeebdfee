"""Joining through invite codes, and what strangers are told."""

from __future__ import annotations


from domain import invites
from tests.support import Chat, joined, make_invite


async def test_secretary_joins_and_is_greeted_by_branch(services):
    chat = await joined(services, "u1", "B1")
    assert "Chi đoàn ấp Một" in chat.text
    assert "Đoàn xã Biên Giới" in chat.text          # the units above it
    assert chat.replies[-1].command_menu                # the Vietnamese command menu
    assert "sinhhoat" in dict(chat.replies[-1].command_menu)
    identity = await services.storage.people.identify("terminal", "u1")
    assert identity.role == "secretary" and identity.unit.code == "B1"


async def test_second_secretary_becomes_deputy(services):
    await joined(services, "u1", "B1")
    second = await joined(services, "u2", "B1")
    assert "Phó Bí thư" in second.text
    assert (await services.storage.people.identify("terminal", "u2")).role == "deputy"


async def test_officer_joins_bound_to_district(services):
    chat = await joined(services, "o1", "D1", role="officer")
    assert "Huyện đoàn Một" in chat.text and "3 chi đoàn" in chat.text
    identity = await services.storage.people.identify("terminal", "o1")
    assert identity.is_officer and identity.unit.code == "D1"


async def _refused(chat: Chat, text: str) -> None:
    await chat.say(text)
    assert len(chat.replies) == 1
    reply = chat.replies[0].text
    assert "đơn vị cấp trên" in reply                      # says whom to ask
    for name in ("Chi đoàn ấp", "Biên Giới", "Tỉnh đoàn Thử"):
        assert name not in reply                            # and leaks no unit


async def test_bad_codes_all_get_the_same_polite_refusal(services, clock):
    stranger = Chat(services, "x")
    await _refused(stranger, "/start")
    await _refused(stranger, "/start khongcoma")
    await _refused(stranger, "/start " + "A" * 65)
    await _refused(stranger, "/start có dấu")

    used = await make_invite(services, "B1")
    await joined_with(services, "first", used)
    await _refused(stranger, f"/start {used}")

    revoked = await make_invite(services, "B1")
    assert await services.storage.invites.revoke(invites.hash_code(revoked), clock()) == "revoked"
    await _refused(stranger, f"/start {revoked}")

    expired = await make_invite(services, "B1", days=1)
    clock.advance(days=2)
    await _refused(stranger, f"/start {expired}")
    assert await services.storage.people.identify("terminal", "x") is None


async def joined_with(services, user_id: str, code: str) -> Chat:
    chat = Chat(services, user_id)
    await chat.say(f"/start {code}")
    return chat


async def test_stranger_typing_anything_gets_one_short_answer(services):
    stranger = Chat(services, "x")
    for text in ("/sinhhoat", "/chidoan", "/toi", "/baocao", "xin chào", "/huy", "/trogiup"):
        await _refused(stranger, text)
    await stranger.tap_data("u:1")
    assert len(stranger.replies) == 1 and "Chi đoàn" not in stranger.replies[0].text
    await stranger.other("sticker")
    assert len(stranger.replies) == 1


async def test_tapping_own_link_again_greets_again(services):
    code = await make_invite(services, "B1")
    chat = await joined_with(services, "u1", code)
    await chat.say(f"/start {code}")
    assert "đã tham gia" in chat.text


async def test_new_secretary_takes_over_and_history_stays(services):
    old = await joined(services, "old", "B1", name="Bí thư Cũ")
    await old.say("/sinhhoat")
    await old.tap("Hôm nay")
    await old.tap("Sinh hoạt chi đoàn")
    await old.say("15")
    await old.tap("Lưu")
    new = await joined(services, "new", "B1", name="Bí thư Mới")
    assert (await services.storage.people.identify("terminal", "new")).role == "deputy"

    officer = await joined(services, "o1", "D1", role="officer")
    unit = await services.storage.units.by_code("B1")
    await officer.tap_data(f"u:{unit.id}")
    await officer.tap("Gỡ Bí thư Cũ")
    await officer.tap("Gỡ")
    assert "Đã gỡ Bí thư Cũ" in officer.text and "Bí thư Mới" in officer.text
    assert (await services.storage.people.identify("terminal", "new")).role == "secretary"
    assert (await services.storage.people.identify("terminal", "old")).role is None

    await new.say("/baocao")
    assert "15 người" in new.text                    # the branch's history came with it
    await old.say("/baocao")
    assert "đơn vị cấp trên" in old.text and "15 người" not in old.text


async def test_redelivered_start_is_handled_once(services):
    code = await make_invite(services, "B1")
    chat = Chat(services, "u1")
    first = await chat.say(f"/start {code}", update_key="telegram:1")
    again = await chat.say(f"/start {code}", update_key="telegram:1")
    assert first and again == []


def test_every_command_of_each_menu_exists_and_is_open_to_that_role():
    from handlers import onboarding, router
    for role, names in (("officer", onboarding.OFFICER_MENU), ("secretary", onboarding.BRANCH_MENU)):
        for name, description in onboarding.command_menu(role):
            assert name in router.COMMANDS and role in router.COMMANDS[name].roles, (role, name)
            assert description and len(description) <= 256
