"""Fold what people type into plain lower-case ASCII-ish text so it can be matched.

Vietnamese users type with or without tone marks, in any case, with stray spaces;
`fold` removes all of that so vocabulary can be written once, in folded form.
"""

import functools
import re
import unicodedata

# U+00F0 (Icelandic eth) is included because some Vietnamese keyboards and old
# encodings produce the look-alike U+00D0 instead of U+0110 for the capital D-bar.
_D_BAR = str.maketrans({"\u0111": "d", "\u00f0": "d"})
_WORD = re.compile(r"[^\W_]+")


# The same labels and vocabulary are folded on every answer: remembering the last few thousand
# results takes a form answer's matching from a third of a millisecond to a few microseconds.
@functools.lru_cache(maxsize=4096)
def fold(text: str) -> str:
    """Lower-case, drop every combining mark, map d-bar to d and squeeze whitespace."""
    # lower() first: it can itself emit combining marks (e.g. dotted capital I).
    decomposed = unicodedata.normalize("NFD", text.lower())
    bare = "".join(c for c in decomposed if not unicodedata.category(c).startswith("M"))
    return " ".join(bare.translate(_D_BAR).split())


def words(text: str) -> list[str]:
    """Folded words: runs of letters or digits, everything else is a separator."""
    return _WORD.findall(fold(text))
