"""People: who is writing and the role they hold; the members of a unit; roles ended (a
secretary's passing to the longest-serving deputy); chats that block the bot; a new chat or name."""

from __future__ import annotations

from datetime import timedelta

from storage.people import Person
from tests.contract.helpers import join


async def test_a_stranger_is_unknown(storage, tree):
    assert await storage.people.identify("terminal", "nobody") is None


async def test_identify_gives_the_person_their_role_and_unit(storage, clock, tree):
    joined = await join(storage, clock(), "s1", tree["B1"], name="Trần Thị Bích")
    found = await storage.people.identify("terminal", "s1")
    assert found == joined
    assert found.person.channel == "terminal" and found.person.external_id == "s1"
    assert found.person.chat_id == "chat-s1" and found.person.display_name == "Trần Thị Bích"
    assert found.person.unreachable is False
    assert (found.role, found.unit) == ("secretary", tree["B1"])
    assert isinstance(found.role_id, int)
    assert not found.is_officer
    assert await storage.people.identify("telegram", "s1") is None        # an id is per channel


async def test_is_officer_follows_the_role(storage, clock, tree):
    await join(storage, clock(), "s1", tree["B1"])
    deputy = await join(storage, clock(), "d1", tree["B1"])                 # a second secretary: deputy
    officer = await join(storage, clock(), "o1", tree["D1"], role="officer")
    assert deputy.role == "deputy" and not deputy.is_officer
    assert officer.role == "officer" and officer.is_officer
    assert officer.unit == tree["D1"]


async def test_get_reads_a_person_by_id(storage, clock, tree):
    joined = await join(storage, clock(), "s1", tree["B1"])
    assert await storage.people.get(joined.person.id) == joined.person
    assert await storage.people.get(joined.person.id + 1000) is None


async def test_on_channel_lists_everyone_of_a_channel_with_role_and_unit_name(storage, clock, tree):
    s1 = await join(storage, clock(), "s1", tree["B1"])
    o1 = await join(storage, clock(), "o1", tree["D1"], role="officer")
    t1 = await join(storage, clock(), "t1", tree["B3"], channel="telegram")
    assert await storage.people.on_channel("terminal") == [
        (s1.person, "secretary", "Branch One"), (o1.person, "officer", "District One")]
    assert await storage.people.on_channel("telegram") == [(t1.person, "secretary", "Branch Hospital")]
    await storage.people.remove_role(o1.role_id, s1.person.id, clock())
    assert (await storage.people.on_channel("terminal"))[1] == (o1.person, None, None)
    assert await storage.people.on_channel("zalo") == []


async def test_members_of_lists_the_secretary_then_deputies_then_officers(storage, clock, tree):
    b1 = tree["B1"]
    officer = await join(storage, clock(), "o1", b1, role="officer", name="Officer")
    clock.advance(minutes=1)
    secretary = await join(storage, clock(), "s1", b1, name="Secretary")
    clock.advance(minutes=1)
    deputy = await join(storage, clock(), "d1", b1, name="Deputy One")
    clock.advance(minutes=1)
    second = await join(storage, clock(), "d2", b1, name="Deputy Two")
    await join(storage, clock(), "x1", tree["B2"])                              # another unit
    members = await storage.people.members_of(b1.id)
    assert [(m.role, m.display_name) for m in members] == [
        ("secretary", "Secretary"), ("deputy", "Deputy One"), ("deputy", "Deputy Two"), ("officer", "Officer")]
    first = members[0]
    assert (first.role_id, first.person_id, first.unreachable) == (secretary.role_id, secretary.person.id, False)
    assert first.granted_at == clock() - timedelta(minutes=2)
    assert [m.person_id for m in members] == [secretary.person.id, deputy.person.id, second.person.id,
                                              officer.person.id]
    assert await storage.people.members_of(tree["B4"].id) == []


async def test_role_reads_a_role_still_held_and_its_unit(storage, clock, tree):
    secretary = await join(storage, clock(), "s1", tree["B1"], name="Secretary")
    member, unit_id = await storage.people.role(secretary.role_id)
    assert unit_id == tree["B1"].id
    assert (member.role_id, member.person_id, member.role, member.display_name, member.granted_at) == (
        secretary.role_id, secretary.person.id, "secretary", "Secretary", clock())
    await storage.people.remove_role(secretary.role_id, secretary.person.id, clock())
    assert await storage.people.role(secretary.role_id) is None
    assert await storage.people.role(secretary.role_id + 1000) is None


async def test_a_secretary_leaving_hands_the_unit_to_the_longest_serving_deputy(storage, clock, tree):
    b1 = tree["B1"]
    secretary = await join(storage, clock(), "s1", b1, name="Secretary")
    clock.advance(days=1)
    senior = await join(storage, clock(), "d1", b1)
    clock.advance(days=1)
    junior = await join(storage, clock(), "d2", b1)
    officer = await join(storage, clock(), "o1", tree["G1"], role="officer")
    left = await storage.people.remove_role(secretary.role_id, officer.person.id, clock())
    assert (left.role, left.person_id, left.display_name) == ("secretary", secretary.person.id, "Secretary")
    gone = await storage.people.identify("terminal", "s1")
    assert (gone.role, gone.role_id, gone.unit) == (None, None, None)
    assert (await storage.people.identify("terminal", "d1")).role == "secretary"
    assert (await storage.people.identify("terminal", "d2")).role == "deputy"
    assert [m.person_id for m in await storage.people.members_of(b1.id)] == [senior.person.id, junior.person.id]
    assert await storage.people.remove_role(secretary.role_id, officer.person.id, clock()) is None


async def test_deputies_joined_at_the_same_moment_hand_over_in_joining_order(storage, clock, tree):
    b1 = tree["B1"]
    secretary = await join(storage, clock(), "s1", b1)
    await join(storage, clock(), "d1", b1)
    await join(storage, clock(), "d2", b1)
    await storage.people.remove_role(secretary.role_id, secretary.person.id, clock())
    assert (await storage.people.identify("terminal", "d1")).role == "secretary"
    assert (await storage.people.identify("terminal", "d2")).role == "deputy"


async def test_a_deputy_leaving_promotes_no_one(storage, clock, tree):
    b1 = tree["B1"]
    await join(storage, clock(), "s1", b1)
    deputy = await join(storage, clock(), "d1", b1)
    await join(storage, clock(), "d2", b1)
    left = await storage.people.remove_role(deputy.role_id, deputy.person.id, clock())
    assert left.role == "deputy"
    assert [(m.role, m.display_name) for m in await storage.people.members_of(b1.id)] == [
        ("secretary", "Person s1"), ("deputy", "Person d2")]


async def test_set_unreachable_marks_and_clears_once(storage, clock, tree):
    person = (await join(storage, clock(), "s1", tree["B1"])).person
    assert await storage.people.set_unreachable(person.id, clock()) is True
    assert await storage.people.set_unreachable(person.id, clock()) is False
    assert (await storage.people.get(person.id)).unreachable is True
    assert (await storage.people.identify("terminal", "s1")).person.unreachable is True
    assert [m.unreachable for m in await storage.people.members_of(tree["B1"].id)] == [True]
    assert await storage.people.set_unreachable(person.id, None) is True
    assert await storage.people.set_unreachable(person.id, None) is False
    assert (await storage.people.get(person.id)).unreachable is False


async def test_touch_remembers_the_chat_and_name_and_clears_a_block(storage, clock, tree):
    person = (await join(storage, clock(), "s1", tree["B1"])).person
    await storage.people.set_unreachable(person.id, clock())
    assert await storage.people.touch(person.id, "chat-new", "Tên Mới") is None
    assert await storage.people.get(person.id) == Person(person.id, "terminal", "s1", "chat-new", "Tên Mới", False)
    await storage.people.touch(person.id, "chat-new", "Tên Mới")                   # the same again: no change
    assert await storage.people.get(person.id) == Person(person.id, "terminal", "s1", "chat-new", "Tên Mới", False)
