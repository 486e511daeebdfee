"""Tests for domain.textnorm: folding Vietnamese text for matching."""

import unicodedata

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from domain.textnorm import fold, words


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("  Hôm   QUA ", "hom qua"),
        ("Trực tuyến", "truc tuyen"),
        ("ĐỒNG Ý", "dong y"),
        ("đoàn viên", "doan vien"),
        ("Ðoàn", "doan"),  # U+00D0 look-alike of the capital D-bar
        (unicodedata.normalize("NFD", "Trực tuyến"), "truc tuyen"),
        (unicodedata.normalize("NFC", "Mười Hai"), "muoi hai"),
        ("a\t\n b\u00a0 c", "a b c"),
        ("", ""),
        ("   ", ""),
        ("\u0301\u0300", ""),  # combining marks only
        ("👍 ok", "👍 ok"),
        ("\x00x", "\x00x"),
        ("İ", "i"),  # lower() emits a combining dot, which must go too
    ],
)
def test_fold(text: str, expected: str) -> None:
    assert fold(text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Trực-tuyến, qua Zoom!", ["truc", "tuyen", "qua", "zoom"]),
        ("12 người/13_bạn", ["12", "nguoi", "13", "ban"]),
        ("  ", []),
        ("...", []),
    ],
)
def test_words(text: str, expected: list[str]) -> None:
    assert words(text) == expected


@settings(max_examples=300)
@given(st.text())
def test_fold_is_idempotent_and_has_no_marks(text: str) -> None:
    folded = fold(text)
    assert fold(folded) == folded
    assert not any(unicodedata.category(c).startswith("M") for c in folded)
    assert folded == folded.strip()
    assert "  " not in folded


@given(st.text())
def test_words_are_folded_and_nonempty(text: str) -> None:
    for word in words(text):
        assert word and fold(word) == word and " " not in word
