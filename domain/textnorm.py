"""Fold what people type into plain lower-case ASCII-ish text so it can be matched.

Vietnamese users type with or without tone marks, in any case, with stray spaces;
`fold` removes all of that so vocabulary can be written once, in folded form.
"""

import functools
import re
import unicodedata
from collections.abc import Sequence

# U+00F0 (Icelandic eth) is included because some Vietnamese keyboards and old
# encodings produce the look-alike U+00D0 instead of U+0110 for the capital D-bar.
_D_BAR = str.maketrans({"\u0111": "d", "\u00f0": "d"})
_WORD = re.compile(r"[^\W_]+")
# A typo is one letter off a phrase at least this long ("hom qau" for "hom qua"); shorter words
# ("huy", "luu") are matched exactly or not at all.
TYPO_MIN_LENGTH = 6
_DIGITS = re.compile(r"[0-9]+")
_SURROGATE = re.compile("[\ud800-\udfff]")


# The same labels and vocabulary are folded on every answer: remembering the last few thousand
# results takes a form answer's matching from a third of a millisecond to a few microseconds.
@functools.lru_cache(maxsize=4096)
def fold(text: str) -> str:
    """Lower-case, drop every combining mark, map d-bar to d and squeeze whitespace."""
    # lower() first: it can itself emit combining marks (e.g. dotted capital I).
    decomposed = unicodedata.normalize("NFD", text.lower())
    bare = "".join(c for c in decomposed if not unicodedata.category(c).startswith("M"))
    return " ".join(bare.translate(_D_BAR).split())


def visible(text: str) -> str:
    """The text without the whitespace and invisible format characters around it (zero-width
    spaces, direction marks, a byte-order mark) that phones and messengers paste in; those inside,
    an emoji's joiners, stay."""
    start, end = 0, len(text)
    while start < end and _invisible(text[start]):
        start += 1
    while end > start and _invisible(text[end - 1]):
        end -= 1
    return text[start:end]


def whole_characters(text: str) -> str:
    """The text without half characters: a lone surrogate (half an emoji, as a messenger may deliver
    a message cut in the middle of one) cannot be stored or sent, and means nothing."""
    if text.isascii() or not _SURROGATE.search(text):
        return text
    return _SURROGATE.sub("", text)


def _invisible(char: str) -> bool:
    return char.isspace() or unicodedata.category(char) == "Cf"


def closest(typed: str, phrases: Sequence[str]) -> int | None:
    """The index of the one phrase `typed` is a single typo of (both folded): one letter missing,
    added, wrong, or two swapped ("hom qau", "chi doan ap mt"), or None: too short, further off
    ("truc tiep" is a word, never a typo of "truc tuyen"), a digit changed (a branch "khu pho 3" is
    not "khu pho 1"), or as near two different phrases."""
    if len(typed) < TYPO_MIN_LENGTH:
        return None
    digits = _DIGITS.findall(typed)
    near = [index for index, phrase in enumerate(phrases)
            if len(phrase) >= TYPO_MIN_LENGTH and _DIGITS.findall(phrase) == digits and _one_typo(typed, phrase)]
    return near[0] if len({phrases[i] for i in near}) == 1 else None


def _one_typo(a: str, b: str) -> bool:
    """Whether two different texts are one insertion, deletion, substitution or swap apart."""
    if len(a) > len(b):
        a, b = b, a
    if len(b) - len(a) > 1 or a == b:
        return False
    start = next((i for i, (x, y) in enumerate(zip(a, b)) if x != y), len(a))
    if len(a) < len(b):
        return a[start:] == b[start + 1:]
    if a[start + 1:] == b[start + 1:]:
        return True                                   # one letter wrong
    swapped = a[start:start + 2] == b[start:start + 2][::-1]
    return swapped and a[start + 2:] == b[start + 2:]


def words(text: str) -> list[str]:
    """Folded words: runs of letters or digits, everything else is a separator."""
    return _WORD.findall(fold(text))


# What people open or close a short reply with, politely or out of habit ("dạ 2", "lưu nhé",
# "hôm qua ạ", "12 người nha"), folded; read around an answer, never as one.
_OPENINGS = frozenset({"da", "vang", "ok", "oke", "em"})
POLITE_ENDINGS = frozenset({"a", "nhe", "nha", "nhen", "nghen", "ne", "di", "luon", "nhaa", "ak", "ah"})
_MARKS = ".,!?~:;"


def without_politeness(folded: str) -> str:
    """Folded text without the polite words around it: "da so 2 a" -> "so 2", "luu nhe" -> "luu";
    what is left is never empty ("a" alone stays "a")."""
    tokens = folded.split()
    start, end = meant_span(tokens)
    return " ".join(tokens[start:end])


def polite(word: str) -> bool:
    """Whether a folded word is one of the polite words said around an answer ("nha", "a", "da")."""
    return word.strip(_MARKS) in POLITE_ENDINGS | _OPENINGS


def meant_span(tokens: Sequence[str]) -> tuple[int, int]:
    """The slice of folded words that is not the polite words around them (see `without_politeness`)."""
    end = len(tokens)
    while end > 1 and tokens[end - 1].strip(_MARKS) in POLITE_ENDINGS:
        end -= 1
    start = 0
    while start < end - 1 and tokens[start].strip(_MARKS) in _OPENINGS:
        start += 1
    return start, end
