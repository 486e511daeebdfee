"""Invite codes: random, single-use, expiring; only their hash is stored."""

from __future__ import annotations

import hashlib
import re
import secrets

# 24 characters of 31 that cannot be mistaken for one another (no 0/o, 1/l/i, no '-' that a
# command line would read as an option): 118 bits nobody guesses, easy to type on Zalo where
# there is no deep link, and well inside Telegram's 64-character deep-link payload.
CODE_ALPHABET = "abcdefghjkmnpqrstuvwxyz23456789"
CODE_LENGTH = 24
CODE_SHAPE = re.compile(r"^[A-Za-z0-9_-]{1,64}$")
HINT_LENGTH = 4


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
    """The code in a message that is only a code (typed on Zalo, spaces and case forgiven)."""
    candidate = "".join(text.split()).lower()
    if len(candidate) == CODE_LENGTH and all(c in CODE_ALPHABET for c in candidate):
        return candidate
    return None


def deep_link(bot_username: str, code: str) -> str:
    """The link a secretary taps to join: it opens the bot and sends /start with the code."""
    return f"https://t.me/{bot_username}?start={code}"
