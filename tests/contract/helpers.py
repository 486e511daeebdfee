"""Shared helpers of the storage contract tests: a small tree, people joining through invites,
and message payloads. Everything goes through the public repository API."""

from __future__ import annotations

import itertools
import json
from datetime import datetime, timedelta

from storage import Storage
from storage.people import Identity
from storage.units import Unit, UnitRow

# A small province; ASCII names so that "by name" means the same under any collation.
#   P
#   ├── D1 District One
#   │   ├── G1 Grassroots Border (border)  ── B1 Branch One (20), B2 Branch Two (border, 10)
#   │   └── G2 Grassroots Middle           ── B5 Branch Five (15)
#   └── D2 District Two
#       ├── B3 Branch Hospital (30), directly under the district
#       └── G3 Grassroots Three            ── B4 Branch Four (12)
TREE = [
    UnitRow("P", "Province", "province", None, False, 0),
    UnitRow("D1", "District One", "district", "P", False, 0),
    UnitRow("D2", "District Two", "district", "P", False, 0),
    UnitRow("G1", "Grassroots Border", "grassroots", "D1", True, 0),
    UnitRow("G2", "Grassroots Middle", "grassroots", "D1", False, 0),
    UnitRow("G3", "Grassroots Three", "grassroots", "D2", False, 0),
    UnitRow("B1", "Branch One", "branch", "G1", False, 20),
    UnitRow("B2", "Branch Two", "branch", "G1", True, 10),
    UnitRow("B5", "Branch Five", "branch", "G2", False, 15),
    UnitRow("B3", "Branch Hospital", "branch", "D2", False, 30),
    UnitRow("B4", "Branch Four", "branch", "G3", False, 12),
]

_codes = itertools.count(1)


async def seed(storage: Storage, now: datetime) -> dict[str, Unit]:
    await storage.units.import_rows(TREE, now)
    return {unit.code: unit for unit in await storage.units.all()}


async def join(storage: Storage, now: datetime, external_id: str, unit: Unit, role: str = "secretary",
               name: str | None = None, channel: str = "terminal") -> Identity:
    """A person joins `unit` with a fresh invite (a secretary invite makes a second one deputy)."""
    code_hash = f"hash-{next(_codes)}-{external_id}"
    await storage.invites.create(code_hash, code_hash[:8], unit.id, role, now, now + timedelta(days=30))
    result = await storage.invites.redeem(code_hash, channel, external_id, f"chat-{external_id}",
                                          name or f"Person {external_id}", now)
    assert result.status == "joined", result
    identity = await storage.people.identify(channel, external_id)
    assert identity is not None
    return identity


def body(text: str) -> str:
    """A payload as the sender stores it (Reply.to_dict() as JSON)."""
    return json.dumps({"text": text, "buttons": []}, ensure_ascii=False)


def text_of(payload: str) -> str:
    return json.loads(payload)["text"]


def assert_tree_order(units: list[Unit]) -> None:
    """Every unit comes after its parent (when listed) and each unit's listed descendants follow
    it as one block: a pre-order walk, whatever order siblings take."""
    position = {unit.id: number for number, unit in enumerate(units)}
    parent = {unit.id: unit.parent_id for unit in units}

    def ancestors(unit_id):
        found = []
        while parent.get(unit_id) in position:
            unit_id = parent[unit_id]
            found.append(unit_id)
        return found

    for unit in units:
        if unit.parent_id in position:
            assert position[unit.parent_id] < position[unit.id], (unit.code, "before its parent")
    for unit in units:
        block = [u.id for u in units if unit.id in ancestors(u.id)]
        start = position[unit.id] + 1
        assert [u.id for u in units[start:start + len(block)]] == block, (unit.code, "subtree not contiguous")
