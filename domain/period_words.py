"""A reporting period as people type it after /tonghop or /xuat: "thang 11", "tháng 11/2026",
"tháng mười một", "quý tư", "11/2026", "quy 4", "quý IV/2026", "nam 2026", "6 thang dau nam",
"thang truoc", "năm ngoái", "cả năm", "thg 11 nha", or a key ("2026-11", "2026-Q4", "2026-H1",
"2026"). Short forms like "q1" or "t11" are not read: they may be unit codes (Quận 1).

Without a year, a month, quarter or half-year is the latest one that has begun by `today`: on
2 December 2026, "thang 11" is November 2026 and "thang 12" December 2026, "thang 1" January 2026.
"""

from __future__ import annotations

import re
from datetime import date

from domain import periods
from domain.textnorm import fold, meant_span, polite

_YEAR = re.compile(r"^(\d{4})$")
_NUMBER_YEAR = re.compile(r"^(\d{1,2}|i{1,3}|iv)(?:[/.-](\d{4}))?$")     # 11, 11/2026, iv, iv/2026
_ROMAN = {"i": 1, "ii": 2, "iii": 3, "iv": 4}
_MONTH_YEAR = re.compile(r"^(\d{1,2})[/.-](\d{4})$")                   # 11/2026, 11-2026
_KIND = {"thang": "month", "quy": "quarter"}
_SHORT = {"thg": "thang"}                                              # texting's "thg 11"
# A month or quarter's number as a word, the longest first ("muoi mot" before "muoi"); "tháng
# giêng" and "tháng chạp" are January and December. Five is left out: "tháng năm" also reads as
# the start of "tháng năm 2026", a month's year.
_SPELLED = tuple(sorted({
    ("mot",): 1, ("gieng",): 1, ("hai",): 2, ("ba",): 3, ("bon",): 4, ("tu",): 4, ("sau",): 6,
    ("bay",): 7, ("tam",): 8, ("chin",): 9, ("muoi",): 10, ("muoi", "mot"): 11, ("muoi", "hai"): 12,
    ("chap",): 12,
}.items(), key=lambda item: -len(item[0])))
_LAST = {"month": 12, "quarter": 4}


def read(text: str, today: date) -> tuple[periods.Period | None, list[str]]:
    """The period named in `text` (the last one, if several) and the words that are not part of
    it, as typed (unit codes, or words not understood). Polite words right around a period are
    not left over ("tháng 11 nha", "dạ quý 4 ạ"); elsewhere ("khu A") they may be a unit's name."""
    raw = text.split()
    words = [fold(w) for w in raw]
    start, end = meant_span(words)
    found: periods.Period | None = None
    rest: list[int] = []
    spans: list[tuple[int, int]] = []
    i = 0
    while i < len(words):
        match = at(words, i, today)
        if match is None:
            rest.append(i)
            i += 1
            continue
        found, used = match
        spans.append((i, i + used))
        i += used
    said = set()
    if all(polite(w) for w in words):
        said.update(range(len(words)))                                    # "tổng hợp nhé": no period named
    if any(s == start for s, _ in spans):
        said.update(range(start))
    if any(e == end for _, e in spans):
        said.update(range(end, len(words)))
    return found, [raw[k] for k in rest if k not in said]


def at(words: list[str], i: int, today: date) -> tuple[periods.Period, int] | None:
    """The period starting at the folded words[i] and how many words it takes, or None (also
    used to find a period inside a whole report typed in one line, domain/forms/one_line.py)."""
    word, after = _SHORT.get(words[i], words[i]), words[i + 1:]
    try:
        return periods.parse(word.upper()), 1                          # 2026-11, 2026-Q4, 2026-H1, 2026
    except ValueError:
        pass
    if (m := _MONTH_YEAR.match(word)) and 1 <= int(m[1]) <= 12:
        return periods.month(date(int(m[2]), int(m[1]), 1)), 1
    if word == "nam" and after[:1] == ["ngoai"]:                        # "năm ngoái": last year
        return periods.year(today).previous(), 2
    if word == "ca" and after[:1] == ["nam"] and not (after[1:2] and _YEAR.match(after[1])):
        return periods.year(today), 2 + (after[1:2] == ["nay"])          # "cả năm", "cả năm nay"
    if word in ("thang", "quy", "nam") and after and after[0] in ("nay", "truoc"):
        kind = {"thang": "month", "quy": "quarter", "nam": "year"}[word]
        this = {"month": periods.month, "quarter": periods.quarter, "year": periods.year}[kind](today)
        return (this if after[0] == "nay" else this.previous()), 2
    if word in ("thang", "quy") and after and (m := _NUMBER_YEAR.match(after[0])):
        found = _numbered(_KIND[word], m[1], m[2], today)
        if found:
            return _with_year(found, after[1:], 2, today)
    if word in ("thang", "quy"):
        for spelled, n in _SPELLED:                                      # "tháng mười một", "quý tư"
            if tuple(after[:len(spelled)]) == spelled and (found := _numbered(_KIND[word], str(n), None, today)):
                return _with_year(found, after[len(spelled):], 1 + len(spelled), today)
    if word == "ca" and after[:1] == ["nam"] and after[1:2] and _YEAR.match(after[1]):
        return periods.year(date(int(after[1]), 1, 1)), 3               # "cả năm 2025"
    if word == "nam" and after and _YEAR.match(after[0]):
        return periods.year(date(int(after[0]), 1, 1)), 2
    if word == "6" and after[:1] == ["thang"] and len(after) >= 2 and after[1] in ("dau", "cuoi"):
        half = 1 if after[1] == "dau" else 2
        start = date(today.year, 1 if half == 1 else 7, 1)
        found = periods.half_year(start if start <= today else start.replace(year=today.year - 1))
        used = 4 if after[2:3] == ["nam"] else 3                         # "6 tháng đầu (năm)"
        return _with_year(found, after[used - 1:], used, today)
    return None


def _numbered(kind: str, number: str, year: str | None, today: date) -> periods.Period | None:
    """Month or quarter `number` of `year`, or without a year the latest one begun by today."""
    n = _ROMAN[number] if number in _ROMAN else int(number)
    if not 1 <= n <= _LAST[kind]:
        return None
    first_month = n if kind == "month" else 3 * n - 2
    start = date(int(year) if year else today.year, first_month, 1)
    if not year and start > today:
        start = start.replace(year=today.year - 1)
    return periods.month(start) if kind == "month" else periods.quarter(start)


def _with_year(found: periods.Period, after: list[str], used: int, today: date) -> tuple[periods.Period, int]:
    """A year typed after the period ("thang 11 2026", "quy 4 nam 2026") replaces the guessed one."""
    year = None
    if after[:1] and _YEAR.match(after[0]):
        year, used = int(after[0]), used + 1
    elif after[:1] == ["nam"] and len(after) >= 2 and _YEAR.match(after[1]):
        year, used = int(after[1]), used + 2
    if year is None:
        return found, used
    start = found.start.replace(year=year)
    kind = {"month": periods.month, "quarter": periods.quarter, "half": periods.half_year}[found.kind]
    return kind(start), used
