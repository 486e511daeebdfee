"""Invites: stored by hash, revoked while unused, redeemed once into a role (a second secretary
becomes deputy; an officer stays officer; the same person tapping again is told so)."""

from __future__ import annotations

from datetime import timedelta

import pytest

from storage.people import Redeemed
from tests.contract.helpers import join


async def invite(storage, clock, unit, role="secretary", code="code-1", days=30):
    now = clock()
    return await storage.invites.create(code, code[:4], unit.id, role, now, now + timedelta(days=days))


async def test_create_returns_a_new_id_each_time(storage, clock, tree):
    first = await invite(storage, clock, tree["B1"], code="code-1")
    second = await invite(storage, clock, tree["B1"], code="code-2")
    assert isinstance(first, int) and isinstance(second, int) and first != second


async def test_the_same_code_hash_cannot_be_stored_twice(storage, clock, tree):
    await invite(storage, clock, tree["B1"], code="code-1")
    with pytest.raises(Exception):
        await invite(storage, clock, tree["B2"], code="code-1")
    assert (await storage.invites.redeem("code-1", "terminal", "u", "c", "U", clock())).unit == tree["B1"]


async def test_redeeming_gives_the_role_and_unit(storage, clock, tree):
    await invite(storage, clock, tree["B1"])
    result = await storage.invites.redeem("code-1", "terminal", "u1", "chat-u1", "Lê Văn C", clock())
    assert result == Redeemed("joined", "secretary", tree["B1"], None)
    found = await storage.people.identify("terminal", "u1")
    assert (found.role, found.unit, found.person.chat_id, found.person.display_name) == (
        "secretary", tree["B1"], "chat-u1", "Lê Văn C")


async def test_an_unknown_code_is_unknown(storage, clock, tree):
    assert await storage.invites.redeem("nope", "terminal", "u1", "c", "U", clock()) == Redeemed("unknown")
    assert await storage.people.identify("terminal", "u1") is None


async def test_a_used_code_is_again_for_its_owner_and_used_for_anyone_else(storage, clock, tree):
    await invite(storage, clock, tree["B1"])
    await storage.invites.redeem("code-1", "terminal", "u1", "c1", "U1", clock())
    again = await storage.invites.redeem("code-1", "terminal", "u1", "c1", "U1", clock())
    assert again == Redeemed("again", "secretary", tree["B1"])
    assert await storage.invites.redeem("code-1", "terminal", "u2", "c2", "U2", clock()) == Redeemed("used")
    assert await storage.people.identify("terminal", "u2") is None
    assert len(await storage.people.members_of(tree["B1"].id)) == 1


async def test_a_used_code_is_used_for_its_owner_once_the_role_ended(storage, clock, tree):
    await invite(storage, clock, tree["B1"])
    await storage.invites.redeem("code-1", "terminal", "u1", "c1", "U1", clock())
    owner = await storage.people.identify("terminal", "u1")
    await storage.people.remove_role(owner.role_id, owner.person.id, clock())
    assert await storage.invites.redeem("code-1", "terminal", "u1", "c1", "U1", clock()) == Redeemed("used")
    assert (await storage.people.identify("terminal", "u1")).role is None


async def test_a_second_secretary_becomes_deputy_and_an_officer_stays_officer(storage, clock, tree):
    await join(storage, clock(), "s1", tree["B1"])
    await invite(storage, clock, tree["B1"], code="code-2")
    assert await storage.invites.redeem("code-2", "terminal", "u2", "c", "U2", clock()) == Redeemed(
        "joined", "deputy", tree["B1"], None)
    await invite(storage, clock, tree["D1"], role="officer", code="code-3")
    assert await storage.invites.redeem("code-3", "terminal", "u3", "c", "U3", clock()) == Redeemed(
        "joined", "officer", tree["D1"], None)


async def test_a_code_expires_at_its_moment(storage, clock, tree):
    await invite(storage, clock, tree["B1"], code="code-1", days=1)
    await invite(storage, clock, tree["B2"], code="code-2", days=1)
    clock.advance(days=1)
    assert await storage.invites.redeem("code-1", "terminal", "u1", "c", "U", clock()) == Redeemed("expired")
    assert await storage.people.identify("terminal", "u1") is None
    late = clock() - timedelta(seconds=1)
    assert (await storage.invites.redeem("code-2", "terminal", "u2", "c", "U", late)).status == "joined"


async def test_revoke_an_unused_code_once(storage, clock, tree):
    await invite(storage, clock, tree["B1"])
    assert await storage.invites.revoke("code-1", clock()) == "revoked"
    assert await storage.invites.revoke("code-1", clock()) == "already_revoked"
    assert await storage.invites.redeem("code-1", "terminal", "u1", "c", "U", clock()) == Redeemed("revoked")
    assert await storage.people.identify("terminal", "u1") is None


async def test_revoke_tells_unknown_and_used_codes(storage, clock, tree):
    assert await storage.invites.revoke("nope", clock()) == "unknown"
    await invite(storage, clock, tree["B1"])
    await storage.invites.redeem("code-1", "terminal", "u1", "c", "U", clock())
    assert await storage.invites.revoke("code-1", clock()) == "used"
    assert (await storage.people.identify("terminal", "u1")).role == "secretary"        # the role stays


async def test_joining_another_unit_moves_the_person(storage, clock, tree):
    await join(storage, clock(), "u1", tree["B1"])
    await invite(storage, clock, tree["B5"], code="code-move")
    moved = await storage.invites.redeem("code-move", "terminal", "u1", "chat-2", "New Name", clock())
    assert moved == Redeemed("joined", "secretary", tree["B5"], tree["B1"])
    found = await storage.people.identify("terminal", "u1")
    assert (found.unit, found.person.chat_id, found.person.display_name) == (tree["B5"], "chat-2", "New Name")
    assert await storage.people.members_of(tree["B1"].id) == []
    assert [m.person_id for m in await storage.people.members_of(tree["B5"].id)] == [found.person.id]
    assert len(await storage.people.on_channel("terminal")) == 1                  # the same person


async def test_redeeming_clears_a_block(storage, clock, tree):
    person = (await join(storage, clock(), "u1", tree["B1"])).person
    await storage.people.set_unreachable(person.id, clock())
    await invite(storage, clock, tree["B2"], code="code-2")
    await storage.invites.redeem("code-2", "terminal", "u1", "c", "U", clock())
    assert (await storage.people.get(person.id)).unreachable is False


async def test_a_secretary_joining_another_unit_hands_the_old_one_to_its_deputy(storage, clock, tree):
    await join(storage, clock(), "s1", tree["B1"])
    await join(storage, clock(), "d1", tree["B1"])                              # deputy
    await invite(storage, clock, tree["B5"], code="code-move")
    await storage.invites.redeem("code-move", "terminal", "s1", "c", "S", clock())
    assert (await storage.people.identify("terminal", "d1")).role == "secretary"


async def test_pending_lists_the_codes_still_good_under_a_unit_oldest_first(storage, clock, tree):
    first = await invite(storage, clock, tree["B1"], code="code-1")
    clock.advance(minutes=1)
    second = await invite(storage, clock, tree["B2"], code="code-2")
    await invite(storage, clock, tree["B1"], code="code-3")
    await invite(storage, clock, tree["B1"], code="code-4", days=1)
    await storage.invites.redeem("code-3", "terminal", "u1", "c1", "U1", clock())
    await storage.invites.revoke("code-4", clock())
    pending = await storage.invites.pending(tree["P"].path, clock())
    assert [(p.id, p.hint, p.unit_code, p.role) for p in pending] == [(first, "code", "B1", "secretary"),
                                                                         (second, "code", "B2", "secretary")]
    assert [p.id for p in await storage.invites.pending(tree["B2"].path, clock())] == [second]
    clock.advance(days=31)
    assert await storage.invites.pending(tree["P"].path, clock()) == []


async def test_revoke_id_revokes_a_listed_code_once(storage, clock, tree):
    listed = await invite(storage, clock, tree["B1"])
    assert await storage.invites.revoke_id(listed, clock()) == "revoked"
    assert await storage.invites.revoke_id(listed, clock()) == "already_revoked"
    assert await storage.invites.revoke_id(listed + 1000, clock()) == "unknown"
    assert await storage.invites.redeem("code-1", "terminal", "u1", "c1", "U1", clock()) == Redeemed("revoked")
