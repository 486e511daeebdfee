"""Units: one tree, read by id, code, chain, subtree and children; imported all or nothing;
member counts with their history."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, timedelta, timezone

import pytest

from storage.units import ImportSummary, MemberChange, UnitRow
from tests.contract.helpers import TREE, assert_tree_order, join


def codes(units) -> list[str]:
    return [u.code for u in units]


async def test_import_creates_the_tree(storage, clock):
    assert await storage.units.import_rows(TREE, clock()) == ImportSummary(created=11, updated=0, unchanged=0)
    p, g1, b2 = [await storage.units.by_code(code) for code in ("P", "G1", "B2")]
    assert (b2.code, b2.name, b2.level, b2.border, b2.members, b2.parent_id) == (
        "B2", "Branch Two", "branch", True, 10, g1.id)
    assert b2.founded_on is None and b2.created_at == clock()
    assert p.parent_id is None and p.border is False
    assert await storage.units.get(b2.id) == b2


async def test_importing_the_same_rows_again_changes_nothing(storage, clock, tree):
    clock.advance(days=1)
    assert await storage.units.import_rows(TREE, clock()) == ImportSummary(created=0, updated=0, unchanged=11)
    assert {u.code: u for u in await storage.units.all()} == tree


async def test_an_import_updates_renames_moves_and_logs_member_counts(storage, clock, tree):
    later = clock() + timedelta(hours=1)
    rows = [replace(r, name="Branch One Renamed", members=25) if r.code == "B1" else
            replace(r, parent_code="G1") if r.code == "B5" else r for r in TREE]
    assert await storage.units.import_rows(rows, later) == ImportSummary(created=0, updated=2, unchanged=9)
    b1 = await storage.units.by_code("B1")
    assert (b1.name, b1.members, b1.id, b1.created_at) == ("Branch One Renamed", 25, tree["B1"].id, clock())
    assert await storage.units.member_history(b1.id, clock()) == [
        MemberChange(20, 25, "import", "", later, None)]
    # B5 moved from G2 to G1: every reading of the tree follows
    assert codes(await storage.units.chain(tree["B5"].id)) == ["P", "D1", "G1", "B5"]
    assert codes(await storage.units.children(tree["G1"].id)) == ["B5", "B1", "B2"]     # by name
    assert await storage.units.children(tree["G2"].id) == []
    assert set(codes(await storage.units.below(tree["G1"].id))) == {"B1", "B2", "B5"}
    assert await storage.units.below(tree["G2"].id) == []
    assert await storage.units.count_below(tree["G2"].id, "branch") == 0
    assert (await storage.units.by_code("B5")).parent_id == tree["G1"].id


async def test_an_import_adds_units_under_existing_ones_and_keeps_their_founding_day(storage, clock, tree):
    rows = [UnitRow("B6", "Chi đoàn ấp Sáu", "branch", "G3", False, 8, date(2001, 3, 26))]
    assert await storage.units.import_rows(rows, clock()) == ImportSummary(created=1, updated=0, unchanged=0)
    b6 = await storage.units.by_code("B6")
    assert (b6.name, b6.founded_on, b6.parent_id, b6.members) == ("Chi đoàn ấp Sáu", date(2001, 3, 26),
                                                                    tree["G3"].id, 8)
    assert codes(await storage.units.chain(b6.id)) == ["P", "D2", "G3", "B6"]
    assert b6.id not in {u.id for u in tree.values()}


async def test_an_import_is_all_or_nothing(storage, clock, tree):
    rows = [replace(TREE[6], members=99),                                   # B1: an update
            UnitRow("NEW", "New Branch", "branch", "G1", False, 5),          # a new unit
            UnitRow("BAD", "Bad Unit", "squad", "G1", False, 1)]             # not a level
    with pytest.raises(Exception):
        await storage.units.import_rows(rows, clock())
    assert await storage.units.by_code("NEW") is None
    assert await storage.units.by_code("BAD") is None
    assert (await storage.units.by_code("B1")).members == 20
    assert await storage.units.member_history(tree["B1"].id, clock() - timedelta(days=1)) == []


async def test_get_and_by_code_of_an_unknown_unit_are_none(storage, tree):
    assert await storage.units.get(max(u.id for u in tree.values()) + 1000) is None
    assert await storage.units.by_code("NOPE") is None
    assert await storage.units.by_code("b1") is None                         # codes are exact


async def test_chain_goes_from_the_root_down_to_the_unit(storage, tree):
    assert codes(await storage.units.chain(tree["B1"].id)) == ["P", "D1", "G1", "B1"]
    assert codes(await storage.units.chain(tree["B3"].id)) == ["P", "D2", "B3"]
    assert await storage.units.chain(tree["P"].id) == [tree["P"]]
    assert await storage.units.chain(max(u.id for u in tree.values()) + 1000) == []


async def test_below_lists_the_subtree_without_the_unit_in_tree_order(storage, tree):
    everything = await storage.units.below(tree["P"].id)
    assert set(codes(everything)) == set(tree) - {"P"}
    assert_tree_order(everything)
    assert set(codes(await storage.units.below(tree["D1"].id))) == {"G1", "G2", "B1", "B2", "B5"}
    assert set(codes(await storage.units.below(tree["D2"].id))) == {"B3", "G3", "B4"}
    branches = await storage.units.below(tree["P"].id, level="branch")
    assert codes(branches) == [u.code for u in everything if u.level == "branch"]
    assert codes(await storage.units.below(tree["D1"].id, "grassroots")) in (["G1", "G2"], ["G2", "G1"])
    assert await storage.units.below(tree["B1"].id) == []
    assert await storage.units.below(max(u.id for u in tree.values()) + 1000) == []


async def test_count_below_counts_one_level_of_the_subtree(storage, tree):
    assert await storage.units.count_below(tree["P"].id, "branch") == 5
    assert await storage.units.count_below(tree["P"].id, "district") == 2
    assert await storage.units.count_below(tree["D1"].id, "grassroots") == 2
    assert await storage.units.count_below(tree["D2"].id, "branch") == 2
    assert await storage.units.count_below(tree["B1"].id, "branch") == 0
    assert await storage.units.count_below(max(u.id for u in tree.values()) + 1000, "branch") == 0


async def test_children_are_the_units_directly_under_by_name(storage, tree):
    assert codes(await storage.units.children(tree["P"].id)) == ["D1", "D2"]
    assert codes(await storage.units.children(tree["D2"].id)) == ["B3", "G3"]
    assert codes(await storage.units.children(tree["G1"].id)) == ["B1", "B2"]
    assert await storage.units.children(tree["B4"].id) == []


async def test_all_lists_every_unit_in_tree_order(storage, tree):
    units = await storage.units.all()
    assert sorted(codes(units)) == sorted(u.code for u in TREE)
    assert_tree_order(units)
    assert codes(units)[0] == "P"


async def test_subtrees_do_not_leak_into_units_whose_ids_share_digits(storage, clock):
    # enough units for ids of one and two digits: a subtree is never found by a bare prefix
    rows = [UnitRow("R", "Root", "province", None, False, 0)]
    for n in range(14):
        rows += [UnitRow(f"D{n}", f"District {n:02}", "district", "R", False, 0),
                 UnitRow(f"B{n}", f"Branch {n:02}", "branch", f"D{n}", False, n)]
    await storage.units.import_rows(rows, clock())
    units = {u.code: u for u in await storage.units.all()}
    for n in range(14):
        district = units[f"D{n}"]
        assert codes(await storage.units.below(district.id)) == [f"B{n}"]
        assert await storage.units.count_below(district.id, "branch") == 1
        assert codes(await storage.units.chain(units[f"B{n}"].id)) == ["R", f"D{n}", f"B{n}"]
        assert {u.code for u in units.values() if district.contains(u)} == {f"D{n}", f"B{n}"}


async def test_unit_contains_itself_and_what_lies_below_it(tree):
    assert tree["P"].contains(tree["B1"]) and tree["G1"].contains(tree["B2"])
    assert tree["B1"].contains(tree["B1"])
    assert not tree["B1"].contains(tree["G1"])
    assert not tree["G1"].contains(tree["B5"]) and not tree["D1"].contains(tree["D2"])


async def test_set_members_returns_the_old_count_and_keeps_the_history(storage, clock, tree):
    b1 = tree["B1"].id
    secretary = await join(storage, clock(), "s1", tree["B1"], name="Nguyễn Văn A")
    first = clock()
    assert await storage.units.set_members(b1, 18, "moved_away", "Chuyển đi Hà Nội", secretary.person.id, first) == 20
    clock.advance(days=2)
    second = clock()
    assert await storage.units.set_members(b1, 19, "admitted", "", None, second) == 18
    assert (await storage.units.get(b1)).members == 19
    assert await storage.units.member_history(b1, first - timedelta(days=1)) == [
        MemberChange(20, 18, "moved_away", "Chuyển đi Hà Nội", first, "Nguyễn Văn A"),
        MemberChange(18, 19, "admitted", "", second, None),
    ]
    assert await storage.units.member_history(b1, second) == [MemberChange(18, 19, "admitted", "", second, None)]
    assert await storage.units.member_history(b1, second + timedelta(seconds=1)) == []
    assert await storage.units.member_history(tree["B2"].id, first - timedelta(days=1)) == []
    (change, _) = await storage.units.member_history(b1, first.astimezone(timezone(timedelta(hours=7))))
    assert change.changed_at.utcoffset() == timedelta(0)


async def test_the_path_helpers_agree_with_what_storage_returns(storage, tree):
    from storage.units import ancestor_ids, child_path, path_ids, subtree_span, within

    for unit in tree.values():
        chain = await storage.units.chain(unit.id)
        assert path_ids(unit.path) == [u.id for u in chain]
        assert ancestor_ids(unit.path) == [u.id for u in chain[:-1]]
        parent = tree_by_id(tree).get(unit.parent_id)
        assert child_path(parent.path if parent else "", unit.id) == unit.path
        low, high = subtree_span(unit.path)
        below = {u.id for u in await storage.units.below(unit.id)} | {unit.id}
        assert {u.id for u in tree.values() if low <= u.path < high} == below
        assert {u.id for u in tree.values() if within(u.path, unit.path)} == below


def tree_by_id(tree):
    return {u.id: u for u in tree.values()}
