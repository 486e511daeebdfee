"""Read what a secretary typed on a phone: counts, dates, choices, yes/no and free text.

Every parser is a pure function returning a `Parsed` and never raises. On failure the
`Parsed` carries a message key plus named params; the wording lives elsewhere.
All vocabulary here is folded ASCII (see `domain.textnorm.fold`).
"""

import difflib
import re
import unicodedata
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta

from domain.textnorm import fold, without_politeness, words


@dataclass(frozen=True)
class Parsed:
    value: object = None
    error: str | None = None
    params: Mapping[str, object] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return self.error is None


def ok(value: object) -> Parsed:
    return Parsed(value=value)


def fail(error: str, **params: object) -> Parsed:
    return Parsed(error=error, params=params)


# --- counts -------------------------------------------------------------------

_DIGITS = {
    "khong": 0, "mot": 1, "hai": 2, "ba": 3, "bon": 4, "nam": 5,
    "sau": 6, "bay": 7, "tam": 8, "chin": 9,
}
# Forms only used after "muoi"/"linh": "hai muoi tu", "ba muoi lam", "muoi nham".
_LATE_DIGITS = _DIGITS | {"tu": 4, "lam": 5, "nham": 5}
_THOUSAND = ("nghin", "ngan")
# Words allowed after the number (the polite ones people end replies with, "ạ", "nhé", "nha", are
# read past first: textnorm.without_politeness); "tham du", "co mat" repeat the question ("15 người
# tham dự"), and members are "đồng chí" (đ/c).
_COUNT_TAIL = tuple(
    tuple(p.split())
    for p in (
        "doan vien", "thanh nien", "tham gia", "nguoi", "ban", "dv", "dvtn", "tn",
        "em", "ng", "luot", "tham du", "du", "co mat", "dong chi", "dc",
    )
)
# Words allowed before it: "có 15 người", "được 15 người" (never "khoảng": a count is exact).
_COUNT_HEAD = (("co", "mat"), ("tham", "du"), ("co",), ("duoc",))        # "có mặt 15", "tham dự 15"
# "none" said in words at a count question: "không có", "chưa có ai" (a zero is asked again where
# it is doubtful, as "0" is)
_NONE = frozenset({"khong co", "ko co", "k co", "kg co", "khong co ai", "ko co ai", "khong ai", "chua co",
                   "chua co ai", "khong co nguoi nao", "khong co ai ca", "ko"})
_COUNT_TOKEN = re.compile(r"\d+(?:[.,]\d+)*|[^\W\d_]+")
_NEGATIVE = re.compile(r"[-\u2212\u2013]\s*\d")          # a minus, also as phones write it (−, –)


def parse_count(text: str, *, minimum: int = 0, maximum: int = 100_000) -> Parsed:
    """A whole number of people, as digits or Vietnamese words, with optional unit words."""
    folded = fold(text)
    if _NEGATIVE.match(folded):
        return fail("count_negative")
    folded = without_politeness(folded)                 # "12 người nha", "mười hai ạ"
    if folded in _NONE:
        return fail("count_too_small", minimum=minimum) if minimum > 0 else ok(0)
    tokens = _COUNT_TOKEN.findall(folded)
    head = next((h for h in _COUNT_HEAD if tuple(tokens[:len(h)]) == h and len(tokens) > len(h)), ())
    tokens = tokens[len(head):]
    if tokens and tokens[0][0].isdecimal():
        rest = tokens[1:]
        parsed = _digits_value(tokens[0], maximum)
    else:
        value, used = _number_words(tokens)
        rest = tokens[used:]
        parsed = ok(value) if used else fail("count_unreadable")
    if not _only_units(rest):
        return fail("count_unreadable")
    if not parsed.ok:
        return parsed
    if parsed.value < minimum:
        return fail("count_too_small", minimum=minimum)
    if parsed.value > maximum:
        return fail("count_too_large", maximum=maximum)
    return parsed


# two numbers with a slash between, not part of a day's three ("20/11/2026")
_OUT_OF = re.compile(r"(?<![0-9/])([0-9]{1,5})\s*/\s*([0-9]{1,5})(?![0-9/])")


def of_members(text: str, members: int) -> str:
    """`text` with "15/20" written 15 where the branch has 20 members, as attendance is written in
    reports ("có mặt 15/20 đồng chí"); any other "12/13" stays as typed (12 or 13? a count is
    exact), and so does one that may be a day ("8/10" of a branch of 10: 8 October?)."""
    if members <= 12:
        return text
    return _OUT_OF.sub(lambda m: m.group(1) if int(m.group(2)) == members else m.group(0), text)


_NUMBER_TOKEN = re.compile(r"\d+(?:[.,]\d+)*")


def number_at(words: Sequence[str], i: int) -> int:
    """How many of the folded `words`, from the i-th, spell one number: digits ("12", "1.200")
    or Vietnamese number words ("muoi hai"); 0 when they spell none. Its value, and whether it is
    a count at all, are `parse_count`'s to say."""
    if i < len(words) and _NUMBER_TOKEN.fullmatch(words[i]):
        return 1
    return _number_words(list(words[i:i + 8]))[1]


def _digits_value(token: str, maximum: int) -> Parsed:
    """Digits where '.' or ',' groups thousands ("1.200") unless it reads as a fraction."""
    groups = re.split(r"[.,]", token)
    seps = re.findall(r"[.,]", token)
    if len(set(seps)) <= 1 and _grouped(groups):
        whole = "".join(groups)
    elif len(seps) == 1 or (len(set(seps[:-1])) == 1 and seps[-1] != seps[0] and _grouped(groups[:-1])):
        if groups[-1].strip("0"):
            return fail("count_not_whole")
        whole = "".join(groups[:-1])
    else:
        return fail("count_unreadable")
    # More digits than `maximum` means too large; int() would refuse huge strings anyway.
    if len(whole.lstrip("0")) > len(str(max(maximum, 0))):
        return fail("count_too_large", maximum=maximum)
    return ok(int(whole))


def _grouped(groups: list[str]) -> bool:
    if len(groups) == 1:
        return True
    head = groups[0]
    return 1 <= len(head) <= 3 and head[0] != "0" and all(len(g) == 3 for g in groups[1:])


def _number_words(tokens: list[str]) -> tuple[int, int]:
    """Read Vietnamese number words from the start of tokens: (value, tokens used)."""
    high, i = _below_thousand(tokens, 0, bare_scale=1, after_thousand=False)
    if i == 0:
        return 0, 0
    if i < len(tokens) and tokens[i] in _THOUSAND and high > 0:
        # "mot nghin hai" is 1200, as "mot tram hai" is 120.
        low, j = _below_thousand(tokens, i + 1, bare_scale=100, after_thousand=True)
        return high * 1000 + low, j
    return high, i


def _below_thousand(tokens: list[str], i: int, *, bare_scale: int, after_thousand: bool) -> tuple[int, int]:
    """Read 0..999 starting at tokens[i]: (value, index after it); index unchanged if none."""
    def at(k: int) -> str:
        return tokens[k] if k < len(tokens) else ""

    value = 0
    has_hundreds = False
    if at(i) in _DIGITS and at(i + 1) == "tram" and (_DIGITS[at(i)] > 0 or after_thousand):
        value, i, has_hundreds = _DIGITS[at(i)] * 100, i + 2, True
        bare_scale = 10  # colloquial: "mot tram hai" is 120
    if at(i) in ("linh", "le") and (has_hundreds or after_thousand) and at(i + 1) in _LATE_DIGITS:
        return value + _LATE_DIGITS[at(i + 1)], i + 2
    if at(i) == "muoi":
        tens, i = 10, i + 1
    elif at(i) in _DIGITS and at(i + 1) in ("muoi", "chuc") and _DIGITS[at(i)] >= 2:    # "hai chục": 20
        tens, i = _DIGITS[at(i)] * 10, i + 2
    elif at(i) in _DIGITS and not (after_thousand and not has_hundreds and _DIGITS[at(i)] == 0):
        return value + _DIGITS[at(i)] * bare_scale, i + 1
    else:
        return value, i
    if _LATE_DIGITS.get(at(i), 0) > 0:
        return value + tens + _LATE_DIGITS[at(i)], i + 1
    return value + tens, i


def _only_units(tokens: list[str]) -> bool:
    i = 0
    while i < len(tokens):
        unit = next((u for u in _COUNT_TAIL if tuple(tokens[i : i + len(u)]) == u), None)
        if unit is None:
            return False
        i += len(unit)
    return True


# --- dates --------------------------------------------------------------------

# with the South's "bữa nay", "bữa qua" (the seeds' provinces) and texting's "hum", "wa"
_RELATIVE_DAYS = {"hom nay": 0, "nay": 0, "hom qua": 1, "qua": 1, "hom kia": 2,
                  "bua nay": 0, "bua qua": 1, "hum nay": 0, "hum qua": 1, "hom wa": 1, "hum wa": 1,
                  "bua kia": 2, "hum kia": 2}
# the time of day before a relative day: "tối qua", "sáng nay", "chiều hôm qua"
_DAY_TIMES = frozenset({"sang", "trua", "chieu", "toi", "dem"})
# the first words of a relative day, where a line is searched for one
RELATIVE_HEADS = frozenset(day.split()[0] for day in _RELATIVE_DAYS if " " in day) | _DAY_TIMES
_SEP = r"\s*[/.-]\s*"
_MONTH = r"\s*(?:thang|thg|th)\s*"                     # "tháng", and texting's "thg", "th"
# after the month in words, a year of two digits only after "năm": "tháng 11 ngày 28 13 đv" is 13 people
_YEAR = r"(?:\s*nam\s*(?P<year>\d{4}|\d{2})|\s+(?P<year4>\d{4}))?"
_DATE_FORMS = (
    re.compile(rf"(?:ngay\s*)?(?P<day>\d{{1,2}}){_SEP}(?P<month>\d{{1,2}})(?:{_SEP}(?P<year>\d{{4}}|\d{{2}}))?",
               re.ASCII),
    re.compile(rf"(?:ngay\s*)?(?P<day>\d{{1,2}}){_MONTH}(?P<month>\d{{1,2}}){_YEAR}", re.ASCII),
    # the month first: "tháng 11 ngày 20 (năm 2026)"
    re.compile(rf"{_MONTH}(?P<month>\d{{1,2}})\s*ngay\s*(?P<day>\d{{1,2}}){_YEAR}", re.ASCII),
)


# a day said as one ("ngày 15") with no month: the latest one, this month or the last
_DAY_NAMED = re.compile(r"ngay\s*(\d{1,2})", re.ASCII)


def _day_words(text: str) -> str:
    """What was typed for a day, folded, without the polite words and a time of day around it:
    "tối qua ạ" -> "qua", "ngày 20/11 nha" -> "ngay 20/11"."""
    folded = without_politeness(fold(text).rstrip(".!?,;: ")).rstrip(".!?,;: ")
    head, _, rest = folded.partition(" ")
    return rest if head in _DAY_TIMES and rest in _RELATIVE_DAYS else folded


def _day_match(folded: str) -> re.Match | None:
    return next((m for form in _DATE_FORMS if (m := form.fullmatch(folded))), None)


def _year(match: re.Match) -> str | None:
    return match.groupdict().get("year") or match.groupdict().get("year4")


def parse_date(text: str, *, today: date, earliest: date | None = None) -> Parsed:
    """A past day: relative words ("tối qua ạ") or numbers, day first or after "tháng" ("tháng 11
    ngày 20"); a missing year means the latest past one, and so does a missing month after "ngày"
    ("ngày 15": this month's or, before the 15th, last month's)."""
    folded = _day_words(text)
    match = _day_match(folded)
    try:
        if folded in _RELATIVE_DAYS:
            day = today - timedelta(days=_RELATIVE_DAYS[folded])
        elif match is None:
            named = _DAY_NAMED.fullmatch(folded)
            if named is None:
                return fail("date_unreadable")
            month = today if int(named[1]) <= today.day else today.replace(day=1) - timedelta(days=1)
            try:
                day = month.replace(day=int(named[1]))
            except ValueError:
                return fail("date_invalid", text=f"{int(named[1])}/{month.month}")
        else:
            parts = (match["day"], match["month"], _year(match))
            try:
                day = _resolve(*parts, today=today)
            except (ValueError, OverflowError):
                # the day as numbers only: the sentence says "Ngày" itself ("ngày 31/2" typed)
                return fail("date_invalid", text="/".join(g for g in parts if g is not None))
    except OverflowError:
        return fail("date_invalid", text=text.strip())
    if day > today:
        return fail("date_future")
    if earliest is not None and day < earliest:
        return fail("date_too_old", earliest=earliest)
    return ok(day)


def without_year(text: str) -> bool:
    """Whether `text` is a day and a month with no year ("25/12", "ngay 3 thang 12"): the engine
    then says on the summary which year it took."""
    match = _day_match(_day_words(text))
    return match is not None and _year(match) is None


def _resolve(day: str, month: str, year: str | None, *, today: date) -> date:
    """Build the date; raises ValueError when no such calendar day exists."""
    if year is not None:
        return date(int(year) + (2000 if len(year) == 2 else 0), int(month), int(day))
    # Look back far enough to find 29/2 in a leap year.
    for y in range(today.year, today.year - 9, -1):
        try:
            candidate = date(y, int(month), int(day))
        except ValueError:
            continue
        if candidate <= today:
            return candidate
    raise ValueError("no such day")


# --- choices ------------------------------------------------------------------

@dataclass(frozen=True)
class Choice:
    value: str               # machine value, e.g. "online"
    words: tuple[str, ...]   # folded ASCII phrases that mean it, e.g. ("truc tuyen", "zoom")


_TYPO_RATIO = 0.8


def parse_choice(text: str, options: Sequence[Choice]) -> Parsed:
    """Which option was meant: exact phrase, 1-based index, phrase inside the text, or a typo."""
    key = " ".join(words(text))
    phrases = [(n, " ".join(words(p))) for n, option in enumerate(options) for p in option.words]
    phrases = [(n, p) for n, p in phrases if p]

    exact = {n for n, p in phrases if p == key}
    if exact:
        return _pick(exact, options)
    if key.isdecimal() and len(key) < 6 and 1 <= int(key) <= len(options):
        return ok(options[int(key) - 1].value)
    inside = _contained(key, phrases)
    if inside:
        beside = _number_beside(key, phrases)
        if beside is not None:
            # "3 kết nạp" at "why did the count change?": the 3 would be lost, so nothing is taken
            return fail("choice_unknown", number=beside)
        return _pick(inside, options)
    return _pick(_closest(key, phrases), options)


def _contained(key: str, phrases: list[tuple[int, str]]) -> set[int]:
    """Options with a phrase present as whole words, ignoring spans covered by a longer match.

    So "khong dong y" means the no-phrase "khong dong y", not the yes-phrase "dong y".
    """
    tokens = key.split()
    spans = []
    for n, phrase in phrases:
        size = len(phrase.split())
        spans += [
            (start, start + size, n)
            for start in range(len(tokens) - size + 1)
            if " ".join(tokens[start : start + size]) == phrase
        ]
    return {
        n for s, e, n in spans
        if not any(s2 <= s and e <= e2 and (e2 - s2) > (e - s) for s2, e2, _ in spans)
    }


def _number_beside(key: str, phrases: list[tuple[int, str]]) -> str | None:
    """The first number typed outside every phrase of the options ("3" in "3 ket nap"), or None;
    the digits of a phrase ("6 thang") are its own."""
    tokens = key.split()
    covered = set()
    for _, phrase in phrases:
        size = len(phrase.split())
        for start in range(len(tokens) - size + 1):
            if " ".join(tokens[start:start + size]) == phrase:
                covered.update(range(start, start + size))
    return next((tok for i, tok in enumerate(tokens) if i not in covered and tok.isdecimal()), None)


def _closest(key: str, phrases: list[tuple[int, str]]) -> set[int]:
    """Options whose best phrase is the most similar to key, if similar enough."""
    best, found = _TYPO_RATIO, set()
    for n, phrase in phrases:
        matcher = difflib.SequenceMatcher(None, key, phrase)
        # The cheap upper bounds skip long inputs before the quadratic ratio().
        if matcher.real_quick_ratio() < best or matcher.quick_ratio() < best:
            continue
        ratio = matcher.ratio()
        if ratio > best:
            best, found = ratio, {n}
        elif ratio == best:
            found.add(n)
    return found


def _pick(indexes: set[int], options: Sequence[Choice]) -> Parsed:
    values = list(dict.fromkeys(options[n].value for n in sorted(indexes)))
    if not values:
        return fail("choice_unknown")
    if len(values) > 1:
        return fail("choice_ambiguous", candidates=tuple(values))
    return ok(values[0])


# --- yes / no -----------------------------------------------------------------

_YES_NO = (
    Choice("yes", (
        "co", "c", "u", "uh", "ok", "oke", "dong y", "dung", "vang", "yes", "y",
        "roi", "chac chan",
    )),
    Choice("no", (
        "khong", "ko", "k", "kg", "hong", "no", "n", "sai", "chua",
        # Negations of yes-words, so "khong dong y" is not read as "dong y".
        "khong dong y", "khong dung", "chua dung", "khong co", "chua co", "khong phai",
    )),
)


def parse_yes_no(text: str) -> Parsed:
    """True for yes, False for no; short, unaccented and misspelled answers included.

    Digits are never yes or no: "1" is not the first choice of a question that shows no numbered
    menu (a number typed at "Keep 15?" is a new number, the engine's to read)."""
    if any(ch.isdigit() for ch in text):
        return fail("yes_no_unknown")
    parsed = parse_choice(text, _YES_NO)
    if not parsed.ok:
        return fail("yes_no_unknown")
    return ok(parsed.value == "yes")


# --- free text ----------------------------------------------------------------

def parse_text(text: str, *, max_length: int = 500) -> Parsed:
    """Stripped free text in NFC form (so the length counts letters, not tone marks)."""
    value = unicodedata.normalize("NFC", text).strip()
    if not value:
        return fail("text_empty")
    if len(value) > max_length:
        return fail("text_too_long", max_length=max_length, length=len(value))
    return ok(value)
