"""Every sentence a person reads, looked up by key with named values (see catalog.py)."""

from __future__ import annotations

from datetime import date

from messages_vi import catalog, channels, deadlines, digests
from messages_vi.formatting import short_date

MESSAGES: dict[str, str] = {}
for _part in (catalog, channels, deadlines, digests):
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


def role_in(role: str, unit: str) -> str:
    """Someone's role and unit as one phrase: "Bí thư Chi đoàn ấp Tân Đông", "cán bộ Huyện đoàn
    Tân Biên". A branch's name says "Chi đoàn" already and is not preceded by it again; a branch
    named without it ("12A1") gets it: "Bí thư chi đoàn 12A1"."""
    if role != "officer" and not unit.lower().startswith(("chi đoàn", "chi doan")):
        unit = t("role.branch_word", unit=unit)
    return t(f"role.in.{role}", unit=unit)


def period_name(kind: str, year: int, number: int) -> str:
    """tháng 6/2026, quý 2/2026, 6 tháng đầu năm 2026, năm 2026"""
    if kind == "half":
        return t(f"period.half{number}", year=year)
    return t(f"period.{kind}", year=year, number=number)
