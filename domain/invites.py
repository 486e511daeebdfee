"""Invite codes: random, single-use, expiring; only their hash is stored."""

from __future__ import annotations

import hashlib
import re
import secrets

from domain.textnorm import fold

# 24 characters of 31 that cannot be mistaken for one another (no 0/o, 1/l/i, no '-' that a
# command line would read as an option): 118 bits nobody guesses, easy to type on Zalo where
# there is no deep link, and well inside Telegram's 64-character deep-link payload.
CODE_ALPHABET = "abcdefghjkmnpqrstuvwxyz23456789"
CODE_LENGTH = 24
CODE_SHAPE = re.compile(r"^[A-Za-z0-9_-]{1,64}$")
HINT_LENGTH = 4
_ATTEMPT = re.compile(r"[a-z0-9]{20,30}")
_LABELS = ("ma", "start", "code")


def new_code() -> str:
    """A fresh invite code."""
    return "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))


def hash_code(code: str) -> str:
    """What the database keeps of a code."""
    return hashlib.sha256(code.encode()).hexdigest()


def looks_like_code(text: str) -> bool:
    """True when the text could be a code at all (Telegram's deep-link alphabet and length)."""
    return bool(CODE_SHAPE.match(text))


def typed_code(text: str) -> str | None:
    """The code in a message that is only a code (typed on Zalo, spaces and case forgiven), also
    after the label it was handed out with ("Mã: …") or "start" without its slash."""
    candidate = "".join(_unlabelled(text.split())).lower()
    if len(candidate) == CODE_LENGTH and all(c in CODE_ALPHABET for c in candidate):
        return candidate
    return None


def codes_in(words: list[str]) -> list[str]:
    """The codes among words typed on a command line: each a code, or a code's groups of four
    ("ABCD EFGH …", copied from a printed sheet without quotes) run together; words left over that
    make no code are one more entry, as typed, for the caller to answer as an unknown code. The
    label a code was printed with ("Mã:") is no part of it."""
    codes, pending = [], []
    for word in words:
        if fold(word).strip("/:") in _LABELS:
            continue
        whole = typed_code(word)
        if whole:
            codes += [" ".join(pending), whole]
            pending = []
            continue
        pending.append(word)
        joined = typed_code("".join(pending))
        if joined:
            codes.append(joined)
            pending = []
    codes.append(" ".join(pending))
    return [code.strip() for code in codes if code.strip()]


def _unlabelled(words: list[str]) -> list[str]:
    """The words of a message without a leading label of the code: "Mã:", "ma", "start", "/start"."""
    if len(words) > 1 and fold(words[0]).strip("/:") in _LABELS:
        return words[1:]
    return words


def mistyped_code(text: str) -> bool:
    """Whether a message that is not a code looks like one typed wrong (a letter missing, a 0 for an
    o): 20 to 30 letters and digits, both, in groups of at least 3 (a code read out in fours). A
    phone number has no letters, a sentence has short words or marks."""
    groups = _unlabelled(text.split())
    candidate = "".join(groups).lower()
    return (all(len(g) >= 3 for g in groups) and bool(_ATTEMPT.fullmatch(candidate))
            and any(c.isdigit() for c in candidate) and any(c.isalpha() for c in candidate))


def deep_link(bot_username: str, code: str) -> str:
    """The link a secretary taps to join: it opens the bot and sends /start with the code."""
    return f"https://t.me/{bot_username}?start={code}"
