"""A unit found by the name an officer types after /tonghop or /xuat: "Đoàn xã Tân Phú", "doan xa
tan phu" and "tan phu" are one unit; with or without diacritics, with or without the words of its
level (messages_vi "level.<name>").

The best matches win: the whole name, or the name after its level's words ("Tân Phú" of "Đoàn xã
Tân Phú"), before a name that only holds the words typed ("Tân Phú" in "Đoàn trường THPT Tân
Phú"). Several units as good as each other are all returned, for the person to pick from.
"""

from __future__ import annotations

from collections.abc import Iterable

from domain.textnorm import words
from messages_vi import t
from storage.units import Unit

EXACT, BARE, CONTAINS = 3, 2, 1


def _score(unit: Unit, typed: list[str]) -> int:
    name = words(unit.name)
    if name == typed:
        return EXACT
    level = words(t(f"level.{unit.level_name}")) if unit.level_name else []
    if level and name[:len(level)] == level and name[len(level):] == typed:
        return BARE
    size = len(typed)
    return CONTAINS if any(name[i:i + size] == typed for i in range(len(name) - size + 1)) else 0


def find(units: Iterable[Unit], typed: str) -> list[Unit]:
    """The units whose names best match what was typed, in the order given; none for no match."""
    wanted = words(typed)
    if not wanted:
        return []
    scored = [(score, unit) for unit in units if (score := _score(unit, wanted))]
    best = max((score for score, _ in scored), default=0)
    return [unit for score, unit in scored if score == best]
