"""A whole report typed in one message: "sinh hoat hom qua 18 nguoi truc tuyen", "Sinh hoạt chi
đoàn ngày 20/11, 15 đoàn viên, trực tiếp", "1+1 6 thang dau nam: 12 tham gia, 30 thanh nien, 5 ket
nap".

`read` cuts a line into the parts a form's steps take, in any order, with or without diacritics
and with small typos: a day ("hôm qua", "20/11"), a period ("6 tháng đầu năm"), a count beside the
words that name its step ("5 vào đoàn", "tham gia: 12"), the words of a choice ("trực tuyến"), a
note after its name ("nội dung: ..."). It judges no value: each part goes to the engine
(`engine.fill`) as typed, to be read and checked as an answer given step by step is. What it
could not place is kept as typed, to be quoted back ("Chưa hiểu: ..."); a count the form does
not hold ("3 vào hội") comes with the form's own sentence saying so; a step named twice with two
values is taken from neither.

`recognise` finds the form a line names when no form is open ("1+1 ...", "hop bch ..."); the
engine also reads every answer typed at a form's questions with `read`, so a line fills what it
names at any question ("sinh hoat chi doan 12 nguoi truc tiep" at "Đó là buổi gì?").
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from domain import period_words, periods
from domain.forms import parsers
from domain.forms.model import Form, FormContext, Step
from domain.textnorm import POLITE_ENDINGS, closest, fold
from messages_vi import period_name, t

# A word as typed: anything between spaces and the marks that only separate.
_TOKEN = re.compile(r"[^\s,;:()\[\]!?\"“”‘’…]+")
# Marks after which a number and the words naming it no longer belong together.
_BREAK = re.compile(r"[,;\n]")
_EDGE = ".-–—"
_NEGATIVE = re.compile(r"[-\u2212\u2013][0-9]+")          # "-5", "−5", "–5": below zero
# Words that join the parts of a report and say nothing of their own.
_FILLERS = ("va", "voi", "co", "duoc", "gom", "la", "bao cao", "buoi", "ngay", "so",
            "hinh thuc", "loai", "luc", "thi", "+", *sorted(POLITE_ENDINGS))
# Words said after a number of people, naming no step: "12 người tham gia".
_UNITS = ("nguoi", "ng", "ban", "em", "luot", "doan vien", "dv", "dvtn", "dong chi", "d/c", "dc")
# A number written against the short word after it, as texted: "18ng", "12dv", "30tn".
_GLUED = re.compile(r"([0-9]+)(nguoi|ng|dv|dvtn|tn|ban|em|luot)")
_TYPO_RATIO = 0.8
MAX_LINE = 800                # characters: a report with a note of 500 fits
_TYPO_MIN_LENGTH = 6          # a word this short is matched exactly or not at all


@dataclass(frozen=True)
class Part:
    """What the line gives one step: the text as typed, or (a period, a choice named by its words)
    the option's value itself."""

    step: str
    text: str
    value: Any = None


@dataclass(frozen=True)
class Reading:
    """A line read against one form: its parts (one per step at most, in the form's order), the
    pieces not understood as typed, and the sentences (message key, values) about the pieces
    understood but not taken."""

    form: Form
    parts: tuple[Part, ...] = ()
    unknown: tuple[str, ...] = ()
    notes: tuple[tuple[str, dict], ...] = ()
    named: bool = False           # the line names the form ("1+1", "sinh hoạt")
    found: int = 0                # parts other than choices, and remarks: what makes it a report


@dataclass
class _Word:
    raw: str
    folded: str
    start: int                # where it stands in the line
    end: int
    chunk: int                # how many breaks (a comma, a semicolon, a new line) stand before it
    digit: bool               # it has a digit (it may be part of a day)


@dataclass
class _Segment:
    kind: str                 # vocab, date, period, number, unknown
    first: int                # word indexes, end excluded
    last: int
    meanings: frozenset = frozenset()
    period: periods.Period | None = None
    chunk: int = 0
    paired: bool = False
    starter: bool = False     # its words name the form


def recognise(forms: Iterable[Form], text: str, ctx: FormContext) -> Reading | None:
    """The one form a line with no form open reports, read: it names that form only, and gives at
    least a day, a count, a period or a note (the words of a choice alone, "sinh hoạt trực tuyến",
    make no report). None for anything else, and for a text longer than any report (then the line
    is no report at all)."""
    if len(text) > MAX_LINE:
        return None
    folded = fold(text)
    typed = folded.split()
    named = []
    for form in forms:
        if not _may_name(form, folded, typed):       # cheap: most lines name no form
            continue
        reading = read(form, text, ctx)
        if reading.named:
            named.append(reading)
    # a line naming two forms ("sinh hoạt" and "1+1") is not read into either
    return named[0] if len(named) == 1 and named[0].found else None


def _may_name(form: Form, folded: str, typed: list[str]) -> bool:
    """Whether a folded line has one of the form's starting words, as written or one typo off
    ("sinh hot hom qua 12 nguoi"): only such a line is worth reading whole."""
    if any(phrase in folded for phrase in form.starts):
        return True
    for phrase in form.starts:
        size = len(phrase.split())
        for i in range(len(typed) - size + 1):
            window = " ".join(typed[i:i + size])
            if abs(len(window) - len(phrase)) <= 1 and closest(window, (phrase,)) is not None:
                return True
    return False


def read(form: Form, text: str, ctx: FormContext) -> Reading:
    """`text` read as a whole report of `form` (see the module's docstring)."""
    text = parsers.of_members(text, ctx.unit.members)
    words = _words(text)
    lexicon = _lexicon(form, ctx)
    folded = [w.folded for w in words]
    segments: list[_Segment] = []
    i, note = 0, None
    while i < len(words):
        segment = _match(words, folded, i, lexicon, ctx)
        segment.chunk = words[i].chunk
        segments.append(segment)
        named = _text_step(form, segment)
        if named is not None and segment.last < len(words):
            # a note after its name ("nội dung: học Nghị quyết") takes the rest of the line as written
            note = Part(named, text[words[segment.last].start:].strip())
            segment.paired = True
            break
        i = segment.last
    return _resolve(form, ctx, lexicon, text, words, segments, note)


# --- cutting the line into words and segments ---------------------------------------------------

def _words(text: str) -> list[_Word]:
    words: list[_Word] = []
    previous_end = 0
    for match in _TOKEN.finditer(text):
        raw, start = match.group(), match.start()
        stripped = raw.strip(_EDGE)
        if not stripped or not (stripped in ("+", "\u2212") or any(c.isalnum() for c in stripped)):
            continue                               # marks and emoji ("👍", "❤️") say nothing of the report
        if _NEGATIVE.fullmatch(raw.rstrip(_EDGE)):
            stripped = raw.rstrip(_EDGE)           # "-5 người": a count below zero, said so, never 5
        start += raw.index(stripped)
        raw = stripped
        after_break = bool(words) and bool(_BREAK.search(text[previous_end:start]))
        chunk = (words[-1].chunk if words else 0) + after_break
        glued = _GLUED.fullmatch(fold(raw))
        cut = glued.end(1) if glued else len(raw)          # the digits lead in both: they end there
        words.append(_Word(raw[:cut], fold(raw[:cut]), start, start + cut, chunk, any(c.isdigit() for c in raw)))
        if glued:
            words.append(_Word(raw[cut:], glued.group(2), start + cut, start + len(raw), chunk, False))
        previous_end = start + len(raw)
    return words


@dataclass(frozen=True)
class _Lexicon:
    """What a form's words mean, built once per form and set of choices (see `_lexicon`)."""

    form: Form
    # every phrase the form knows, as folded words, with what it means: ("start",) names the form,
    # ("choice", step, value), ("name", step), ("unheld", message key), ("unit",), ("filler",)
    vocabulary: dict[tuple[str, ...], frozenset]
    longest: int
    # the phrases a typo may stand for, by their number of words: (phrase, meaning)
    typos: dict[int, tuple[tuple[str, frozenset], ...]]
    period_step: str | None


_LEXICONS: dict[tuple, _Lexicon] = {}


def _lexicon(form: Form, ctx: FormContext) -> _Lexicon:
    """The form's lexicon for the choices it offers in `ctx` (the 1+1 periods move with the day)."""
    choices = tuple((step.name, tuple((o.value, o.label, o.words, tuple(sorted(o.params.items())))
                                      for o in step.options_for(ctx)))
                    for step in form.steps if step.kind == "choice")
    key = (id(form), choices)
    found = _LEXICONS.get(key)
    if found is None or found.form is not form:
        if len(_LEXICONS) > 64:                      # a new day's periods: yesterday's go
            _LEXICONS.clear()
        found = _LEXICONS[key] = _build(form, ctx)
    return found


def _build(form: Form, ctx: FormContext) -> _Lexicon:
    meanings: dict[tuple[str, ...], set] = {}

    def add(phrase: str, meaning: tuple) -> None:
        key = tuple(w for w in (w.strip(_EDGE) for w in _TOKEN.findall(fold(phrase))) if w)
        if key:
            meanings.setdefault(key, set()).add(meaning)

    for phrase in _FILLERS:
        add(phrase, ("filler",))
    for phrase in _UNITS:
        add(phrase, ("unit",))
    for phrase in form.starts:
        add(phrase, ("start",))
    for phrase, key in form.unheld.items():
        add(phrase, ("unheld", key))
    for step in form.steps:
        for phrase in step.names:
            add(phrase, ("name", step.name))
        if step.kind == "text":
            add(t(step.label), ("name", step.name))
        if step.kind == "choice":
            for option in step.options_for(ctx):
                for phrase in (*option.words, t(option.label, **option.params)):
                    add(phrase, ("choice", step.name, option.value))
    # a phrase that means something of the form is no filler or unit word ("doan vien" names a count)
    vocabulary = {key: frozenset(m for m in found if len(found) == 1 or m[0] not in ("filler", "unit"))
                  for key, found in meanings.items()}
    typos: dict[int, list] = {}
    for key, meaning in vocabulary.items():
        phrase = " ".join(key)
        if len(phrase) >= _TYPO_MIN_LENGTH and meaning and not any(m[0] in ("filler", "unit") for m in meaning):
            typos.setdefault(len(key), []).append((phrase, meaning))
    period_step = _period_step(form, ctx)
    return _Lexicon(form, vocabulary, max(map(len, vocabulary), default=1),
                    {size: tuple(found) for size, found in typos.items()},
                    period_step.name if period_step else None)


def _match(words: list[_Word], folded: list[str], i: int, lexicon: _Lexicon, ctx: FormContext) -> _Segment:
    """The longest thing starting at word i (a phrase of the form, a day, a number, a period), or
    the word alone as not understood. On equal length: a phrase, a day, a number, a period."""
    best = _Segment("unknown", i, i + 1)
    size = 0
    vocabulary = lexicon.vocabulary
    chunk = words[i].chunk
    for length in range(min(lexicon.longest, len(words) - i), 0, -1):
        if words[i + length - 1].chunk != chunk:
            continue
        key = tuple(folded[i:i + length])
        if key in vocabulary:
            best, size = _Segment("vocab", i, i + length, vocabulary[key]), length
            break
    for length in range(min(6, len(words) - i), size, -1):
        if words[i + length - 1].chunk != chunk:
            continue
        window = folded[i:i + length]
        if not (window[0] in parsers.RELATIVE_HEADS or any(w.digit for w in words[i:i + length])):
            continue
        parsed = parsers.parse_date(" ".join(window), today=ctx.today)
        if parsed.ok or parsed.error != "date_unreadable":
            best, size = _Segment("date", i, i + length), length
            break
    number = 1 if _NEGATIVE.fullmatch(folded[i]) else parsers.number_at(folded, i)
    if number > size:
        best, size = _Segment("number", i, i + number), number
    period = period_words.at(folded, i, ctx.today)
    if period is not None and period[1] > size:
        best = _Segment("period", i, i + period[1], period=period[0])
    if best.kind == "unknown":
        best = _typo(words, folded, i, lexicon) or best
    return best


def _typo(words: list[_Word], folded: list[str], i: int, lexicon: _Lexicon) -> _Segment | None:
    """A phrase of the form typed with a small typo from word i ("truc tuyn", "ket nep"), the
    longest first, or None. Words shorter than a few letters are matched exactly or not at all."""
    for length in sorted(lexicon.typos, reverse=True):
        if i + length > len(folded) or words[i + length - 1].chunk != words[i].chunk:
            continue
        found = _closest(" ".join(folded[i:i + length]), lexicon.typos[length])
        if found is not None:
            return _Segment("vocab", i, i + length, found)
    return None


def _closest(typed: str, phrases: tuple[tuple[str, frozenset], ...]) -> frozenset | None:
    """The meaning of the one phrase most like `typed`, if alike enough; None on a tie."""
    if len(typed) < _TYPO_MIN_LENGTH:
        return None
    best, found = _TYPO_RATIO, []
    matcher = difflib.SequenceMatcher(None, "", typed)          # `typed` analysed once, for every phrase
    for phrase, meaning in phrases:
        if 2 * min(len(phrase), len(typed)) < best * (len(phrase) + len(typed)):
            continue                                           # the lengths alone rule it out
        matcher.set_seq1(phrase)
        if matcher.quick_ratio() < best:
            continue
        ratio = matcher.ratio()
        if ratio > best:
            best, found = ratio, [meaning]
        elif ratio == best:
            found.append(meaning)
    return found[0] if len(set(found)) == 1 else None


# --- what the segments give the form --------------------------------------------------------------

def _text_step(form: Form, segment: _Segment) -> str | None:
    """The free-text step a segment names ("nội dung", "ghi chú"), if it names one."""
    names = [m[1] for m in segment.meanings if m[0] == "name"]
    if len(names) == 1 and form.step(names[0]).kind == "text":
        return names[0]
    return None


def _resolve(form: Form, ctx: FormContext, lexicon: _Lexicon, text: str, words: list[_Word],
             segments: list[_Segment], note: Part | None) -> Reading:
    given: dict[str, list[tuple[_Segment | None, Part]]] = {}
    notes: list[tuple[str, dict]] = []
    unknown: list[_Segment] = []

    def span(first: int, last: int) -> str:
        return text[words[first].start:words[last - 1].end]

    def give(segment: _Segment | None, part: Part) -> None:
        given.setdefault(part.step, []).append((segment, part))

    dates = [s for s in form.steps if s.kind == "date"]
    period_step = form.step(lexicon.period_step) if lexicon.period_step else None
    for segment in segments:
        kinds = {m[0] for m in segment.meanings}
        segment.starter = "start" in kinds
        typed = span(segment.first, segment.last)
        if segment.kind == "date" and len(dates) == 1:
            give(segment, Part(dates[0].name, typed))
        elif segment.kind == "period" and period_step is not None:
            _period(ctx, period_step, segment.period, typed, lambda part: give(segment, part), notes)
        elif segment.kind == "vocab" and "choice" in kinds:
            choices = {(m[1], m[2]) for m in segment.meanings if m[0] == "choice"}
            if len(choices) == 1 and not kinds & {"name", "unheld"}:
                [(step, value)] = choices
                give(segment, Part(step, typed, value))
            else:
                unknown.append(segment)               # one phrase, two meanings: taken as neither
        elif segment.kind == "vocab" and kinds and kinds <= {"start", "filler"}:
            continue
        elif segment.kind == "vocab" and kinds & {"name", "unheld", "unit"}:
            continue                                   # numbers and their names: _counts
        elif segment.kind != "number":
            unknown.append(segment)
    _counts(form, segments, span, give, notes, unknown)
    if note is not None:
        give(None, note)

    parts: list[Part] = []
    found = len(notes)
    for step in form.steps:
        entries = given.get(step.name, [])
        if len({p.value if p.value is not None else fold(p.text) for _, p in entries}) > 1:
            notes.append(("form.line.twice", {"label": t(step.label),
                                              "values": ", ".join(f"“{p.text}”" for _, p in entries)}))
            found += 1
        elif entries:
            parts.append(entries[0][1])
            found += step.kind != "choice"          # the words of a choice alone make no report
    named = any(s.starter for s in segments)
    return Reading(form, tuple(parts), tuple(_quoted(unknown, segments, span)), tuple(notes), named, found)


def _period_step(form: Form, ctx: FormContext) -> Step | None:
    """The choice step whose options are reporting periods (the 1+1 form's "Kỳ"), if any."""
    for step in form.steps:
        if step.kind != "choice":
            continue
        options = step.options_for(ctx)
        try:
            if options and all(periods.parse(o.value) for o in options):
                return step
        except ValueError:
            continue
    return None


def _period(ctx: FormContext, step: Step, named: periods.Period, typed: str, give, notes) -> None:
    """A period named in the line: the option it is, or a sentence saying which ones the step takes
    (and which of them holds the period named, if one does: "tháng 11/2026 thuộc 6 tháng cuối năm")."""
    options = step.options_for(ctx)
    for option in options:
        if option.value == named.key:
            give(Part(step.name, typed, option.value))
            return
    offered = [(periods.parse(o.value), t(o.label, **o.params)) for o in options]
    holding = [(p, label) for p, label in offered if p.start <= named.start and named.end <= p.end]
    within = ""
    if holding:
        _, label = min(holding, key=lambda h: h[0].end - h[0].start)
        within = t("form.line.within", period=period_name(named.kind, named.year, named.number), option=label)
    notes.append(("form.line.period", {"text": typed, "choices": ", ".join(label for _, label in offered),
                                       "within": within}))


def _counts(form: Form, segments: list[_Segment], span, give, notes, unknown) -> None:
    """Numbers paired with the words naming their step ("5 vào đoàn", "tham gia: 12") in each part
    of the line between commas: the number first when the part begins with a number, the name
    first when it begins with a name, then the other way for what is left. One number standing
    alone, in digits, goes to the form's only count step when no words named that step."""
    chunks: dict[int, list[tuple[_Segment, str]]] = {}
    for segment in segments:
        role = _role(form, segment)
        if role in ("N", "K"):
            chunks.setdefault(segment.chunk, []).append((segment, role))
    pairs: list[tuple[_Segment, _Segment]] = []
    for chunk in chunks.values():
        orders = (("N", "K"), ("K", "N")) if chunk[0][1] == "N" else (("K", "N"), ("N", "K"))
        for first, second in orders:
            for index, (segment, role) in enumerate(chunk):
                if role != first or segment.paired or index + 1 == len(chunk):
                    continue
                other, other_role = chunk[index + 1]
                if other_role == second and not other.paired:
                    segment.paired = other.paired = True
                    pairs.append((segment, other) if role == "N" else (other, segment))
    named, taken = set(), {}
    for number, name in pairs:
        [meaning] = [m for m in name.meanings if m[0] in ("name", "unheld")]
        if meaning[0] == "unheld":
            notes.append((meaning[1], {"text": span(min(number.first, name.first), max(number.last, name.last))}))
        else:
            named.add(meaning[1])
            taken[number.first] = meaning[1]
            give(number, Part(meaning[1], span(number.first, number.last)))
    counts = [s for s in form.steps if s.kind == "count"]
    lone = [s for s in segments if s.kind == "number" and not s.paired]
    if len(lone) == 1 and len(counts) == 1 and counts[0].name not in named:
        digits = span(lone[0].first, lone[0].last)
        if digits[:1].isdigit():
            lone[0].paired = True
            give(lone[0], Part(counts[0].name, digits))
    for index, segment in enumerate(segments):
        role = _role(form, segment)
        if role == "K" and not segment.paired and _repeats(segments, index, taken):
            continue                                   # "vận động 20 tn": the name said twice
        if role in ("N", "K", "?", "T") and not segment.paired:
            unknown.append(segment)
        elif role == "U" and not (index and segments[index - 1].paired
                                  and segments[index - 1].chunk == segment.chunk):
            unknown.append(segment)                    # "người" with no number taken before it


def _repeats(segments: list[_Segment], index: int, taken: dict[int, str]) -> bool:
    """Whether the name at `index` names again the step of the number beside it, in the same part
    of the line, which another name already took ("vận động 20 tn", "12 dv tham gia 1+1")."""
    segment = segments[index]
    steps = {m[1] for m in segment.meanings if m[0] == "name"}
    for other in (segments[index - 1] if index else None, segments[index + 1] if index + 1 < len(segments) else None):
        if other is not None and other.chunk == segment.chunk and taken.get(other.first) in steps and other.paired:
            return True
    return False


def _role(form: Form, segment: _Segment) -> str | None:
    """A segment's part in a count: a number (N), the name of a count or of something the form
    does not hold (K), a unit word (U), a free-text step's name (T), a phrase naming two (?)."""
    if segment.kind == "number":
        return "N"
    if segment.kind != "vocab":
        return None
    names = [m for m in segment.meanings if m[0] in ("name", "unheld")]
    if not names:
        return "U" if {m[0] for m in segment.meanings} == {"unit"} else None
    if len(names) > 1:
        return "?"
    if names[0][0] == "name" and form.step(names[0][1]).kind == "text":
        return "T"
    return "K"


def _quoted(unknown: list[_Segment], segments: list[_Segment], span) -> list[str]:
    """The pieces not understood, each as typed; neighbours joined, also across the little words
    between them ("tại nhà văn hóa" whole, though "và" alone says nothing)."""
    fillers = {s.first: s for s in segments if s.kind == "vocab" and s.meanings and
               {m[0] for m in s.meanings} == {"filler"}}
    pieces: list[list] = []
    for segment in sorted(unknown, key=lambda s: s.first):
        if pieces and pieces[-1][2] == segment.chunk:
            end = pieces[-1][1]
            while end in fillers and end < segment.first and fillers[end].chunk == segment.chunk:
                end = fillers[end].last
            if end == segment.first:
                pieces[-1][1] = segment.last
                continue
        pieces.append([segment.first, segment.last, segment.chunk])
    return list(dict.fromkeys(span(first, last) for first, last, _ in pieces))
