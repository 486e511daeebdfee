""""3 chủ động" storage (seed 004): who registers, plans and their items, the review marks, the
recognition, and the conversations kept per person."""

from __future__ import annotations

from datetime import timedelta

import pytest

from storage.forms import Stale
from storage.three_active import Locked
from tests.contract.helpers import join

RECEIVING = ("province", "district")
PARTS = [["Rà soát đoàn viên khó khăn", "Tuyên truyền pháp luật"], ["Sinh hoạt định kỳ hằng tháng"],
         ["Giới thiệu 02 đoàn viên ưu tú"]]


async def officer(storage, clock, tree, code="G1", external_id="o1"):
    return (await join(storage, clock(), external_id, tree[code], "officer")).person.id


async def test_a_unit_registers_when_a_branch_sits_directly_under_it_and_a_unit_above(storage, tree):
    three = storage.three_active
    assert [u.code for u in await three.registering_under(tree["P"].id, RECEIVING)] == ["G1", "G2", "G3"]
    # D2 has a branch of its own (B3) but is a district: it receives plans, it sends none
    assert [u.code for u in await three.registering_under(tree["P"].id, ())] == ["G1", "G2", "D2", "G3"]
    assert [u.code for u in await three.registering_under(tree["D1"].id, RECEIVING)] == ["G1", "G2"]
    assert await three.registering_under(tree["G1"].id, RECEIVING) == []          # itself never
    assert await three.registering_under(10_000, RECEIVING) == []
    assert await three.registers(tree["G3"].id, RECEIVING)
    assert not await three.registers(tree["D2"].id, RECEIVING) and await three.registers(tree["D2"].id, ())
    assert not await three.registers(tree["B1"].id, RECEIVING)
    assert not await three.registers(tree["P"].id, ())                              # nobody above it


async def test_a_plan_is_submitted_with_its_items_and_read_back(storage, clock, tree):
    person = await officer(storage, clock, tree)
    three = storage.three_active
    assert await three.plan(tree["G1"].id, 2027) is None
    saved = await three.submit(tree["G1"].id, 2027, person, "05", PARTS, clock())
    assert (saved.unit_id, saved.year, saved.number, saved.person_id) == (tree["G1"].id, 2027, "05", person)
    assert [(i.part, i.position, i.text) for i in saved.items] == [
        (1, 1, "Rà soát đoàn viên khó khăn"), (1, 2, "Tuyên truyền pháp luật"), (2, 1, "Sinh hoạt định kỳ hằng tháng"),
        (3, 1, "Giới thiệu 02 đoàn viên ưu tú")]
    assert saved.recognised is None and saved.correctable and saved.submitted_at == clock()
    assert await three.plan(tree["G1"].id, 2027) == saved == await three.plan_by_id(saved.id)
    assert await three.plan_of_item(saved.items[2].id) == saved
    assert await three.plan_by_id(10_000) is None and await three.plan_of_item(10_000) is None


async def test_a_correction_replaces_the_items_until_one_is_reviewed(storage, clock, tree):
    person = await officer(storage, clock, tree)
    reviewer = await officer(storage, clock, tree, "D1", "o-d1")
    three = storage.three_active
    first = await three.submit(tree["G1"].id, 2027, person, "", PARTS, clock())
    clock.advance(hours=2)
    second = await three.submit(tree["G1"].id, 2027, person, "07", [["Một việc mới"], ["Hai việc"], ["Ba việc"]],
                                clock())
    assert second.id == first.id and second.submitted_at == first.submitted_at and second.updated_at == clock()
    assert [i.text for i in second.items] == ["Một việc mới", "Hai việc", "Ba việc"] and second.number == "07"
    await three.mark(second.items[0].id, True, reviewer, clock())
    with pytest.raises(Locked):
        await three.submit(tree["G1"].id, 2027, person, "", PARTS, clock())
    assert [i.text for i in (await three.plan_by_id(first.id)).items] == ["Một việc mới", "Hai việc", "Ba việc"]


async def test_marks_and_the_decision(storage, clock, tree):
    person = await officer(storage, clock, tree)
    reviewer = await officer(storage, clock, tree, "D1", "o-d1")
    three = storage.three_active
    saved = await three.submit(tree["G1"].id, 2026, person, "", PARTS, clock())
    marked = await three.mark(saved.items[1].id, False, reviewer, clock())
    assert [i.achieved for i in marked.items] == [None, False, None, None]
    assert (marked.reviewed, marked.achieved, marked.correctable) == (1, 0, False)
    for item in saved.items:
        marked = await three.mark(item.id, True, reviewer, clock())
    assert (marked.reviewed, marked.achieved) == (4, 4)
    assert await three.mark(10_000, True, reviewer, clock()) is None
    decided = await three.decide(saved.id, True, reviewer, tree["D1"].id, clock())
    assert (decided.recognised, decided.decided_unit, decided.decided_at) == (True, tree["D1"].id, clock())
    assert (await three.decide(saved.id, False, reviewer, tree["D1"].id, clock())).recognised is False
    assert await three.decide(10_000, True, reviewer, tree["D1"].id, clock()) is None


async def test_plans_under_a_unit_with_their_review_counts(storage, clock, tree):
    person = await officer(storage, clock, tree)
    other = await officer(storage, clock, tree, "G3", "o-g3")
    reviewer = await officer(storage, clock, tree, "P", "o-p")
    three = storage.three_active
    assert not await three.in_use([2026, 2027])
    g1 = await three.submit(tree["G1"].id, 2026, person, "", PARTS, clock())
    await three.submit(tree["G1"].id, 2027, person, "", PARTS, clock())
    await three.submit(tree["G3"].id, 2026, other, "", [["A b"], ["C d"], ["E f"]], clock())
    await three.mark(g1.items[0].id, True, reviewer, clock())
    await three.mark(g1.items[1].id, False, reviewer, clock())
    await three.decide(g1.id, False, reviewer, tree["P"].id, clock())
    lines = await three.plans_under(tree["P"].id, [2026])
    assert [(p.unit_name, p.above, p.year, p.items, p.reviewed, p.achieved, p.recognised, p.decided_unit)
            for p in lines] == [
        ("Grassroots Border", "District One", 2026, 4, 2, 1, False, tree["P"].id),
        ("Grassroots Three", "District Two", 2026, 3, 0, 0, None, None)]
    assert [(p.unit_name, p.year) for p in await three.plans_under(tree["D1"].id, [2026, 2027])] == [
        ("Grassroots Border", 2026), ("Grassroots Border", 2027)]
    assert await three.plans_under(tree["G1"].id, [2026]) == []                    # itself never
    assert await three.plans_under(tree["P"].id, []) == []
    assert await three.in_use([2027]) and not await three.in_use([2030]) and not await three.in_use([])


async def test_conversations_one_of_each_kind_the_latest_touched_first(storage, clock, tree):
    person = await officer(storage, clock, tree)
    three = storage.three_active
    assert await three.session(person) is None
    draft = await three.begin(person, {"kind": "plan", "at": 1}, clock())
    assert (draft.state, draft.version, draft.person_id) == ({"kind": "plan", "at": 1}, 0, person)
    clock.advance(seconds=5)
    cursor = await three.begin(person, {"kind": "review", "item": 3}, clock())
    assert (await three.session(person)).id == cursor.id
    assert (await three.session(person, "plan")).id == draft.id
    clock.advance(seconds=5)
    saved = await three.save(draft.id, 0, {"kind": "plan", "at": 2}, clock())
    assert (saved.version, saved.state["at"], saved.updated_at) == (1, 2, clock())
    assert (await three.session(person)).id == draft.id                             # touched last
    with pytest.raises(Stale):
        await three.save(draft.id, 0, {"kind": "plan", "at": 3}, clock())
    again = await three.begin(person, {"kind": "plan", "at": 1}, clock())           # replaces its kind only
    assert again.id > cursor.id and (await three.session(person, "review")).id == cursor.id
    assert await three.end(again.id) and not await three.end(again.id)
    assert await three.session(person, "plan") is None


async def test_a_conversation_outlives_closing_the_storage(backend, storage, clock, tree):
    person = await officer(storage, clock, tree)
    draft = await storage.three_active.begin(person, {"kind": "plan", "parts": [["Một việc"], [], []]},
                                             clock() - timedelta(days=1))
    await storage.close()
    backend.closed_by_test(storage)
    again = await backend.open()
    kept = await again.three_active.session(person, "plan")
    assert kept.id == draft.id and kept.state["parts"] == [["Một việc"], [], []]
