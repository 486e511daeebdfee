"""Every sentence a person reads, looked up by key with named values (see catalog.py)."""

from __future__ import annotations

from datetime import date

from messages_vi import catalog, channels, deadlines, digests, zalo_bots, officer_tools, forms, three_active, levels, database, office_setup
from messages_vi.formatting import short_date

MESSAGES: dict[str, str] = {}
for _part in (catalog, channels, deadlines, digests, zalo_bots, officer_tools, forms, three_active, levels, database, office_setup):
    _clash = MESSAGES.keys() & _part.MESSAGES.keys()
    if _clash:
        raise RuntimeError(f"message keys defined twice: {sorted(_clash)}")
    MESSAGES.update(_part.MESSAGES)


def t(key: str, **params) -> str:
    """The sentence for `key`, with dates written dd/mm/yyyy; a missing key is a bug (KeyError)."""
    text = MESSAGES[key]
    if not params:
        return text
    shown = {k: short_date(v) if isinstance(v, date) else v for k, v in params.items()}
    return text.format(**shown)


def role_in(role: str, unit: str, level_name: str = "") -> str:
    """Someone's role and unit as one phrase: "Bí thư Chi đoàn ấp Tân Đông", "cán bộ Đoàn xã Tân
    Phú", "cán bộ Tỉnh đoàn Vĩnh Long". A unit's name says its level already ("Chi đoàn", "Đoàn
    xã") and is not preceded by it again; a branch named without it ("12A1") gets it: "Bí thư chi
    đoàn 12A1", and so does an officer's unit of a known level named without any "Đoàn" ("Tân Phú"
    of level commune: "cán bộ Đoàn xã Tân Phú")."""
    if role != "officer" and not unit.lower().startswith(("chi đoàn", "chi doan")):
        unit = t("role.branch_word", unit=unit)
    elif role == "officer" and f"level.{level_name}" in MESSAGES and not _says_doan(unit):
        unit = f"{t(f'level.{level_name}')} {unit}"
    return t(f"role.in.{role}", unit=unit)


def _says_doan(name: str) -> bool:
    """Whether a unit's name has the word "Đoàn" (with or without its marks): it names its level."""
    return any(word in ("đoàn", "doan", "đoan") for word in name.lower().split())


def period_name(kind: str, year: int, number: int) -> str:
    """tháng 6/2026, quý 2/2026, 6 tháng đầu năm 2026, năm 2026"""
    if kind == "half":
        return t(f"period.half{number}", year=year)
    return t(f"period.{kind}", year=year, number=number)
