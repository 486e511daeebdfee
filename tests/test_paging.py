"""A list a screen at a time behind a command: the page typed, and the way between pages."""

from __future__ import annotations

from handlers import paging
from tests.support import joined


def test_the_page_typed_is_read_within_the_pages():
    assert paging.pages(0, 8) == 1 and paging.pages(8, 8) == 1 and paging.pages(9, 8) == 2
    assert [paging.typed_page(typed, 3) for typed in ("", "1", " 2 ", "3", "9", "0", "-1", "²", "①", "abc")] \
        == [0, 0, 1, 2, 2, 0, 0, 0, 0, 0]
    assert paging.typed_page("9" * 5000, 3) == 0


def test_the_way_between_pages():
    assert paging.navigation("lich", 0, 1) == (None, [])
    line, buttons = paging.navigation("lich", 1, 3)
    assert line == "Trang 2/3"
    assert [b.action.encode() for b in buttons] == ["cmd:lich:1", "cmd:lich:3"]


async def test_a_page_typed_as_a_superscript_opens_the_first(services):
    officer = await joined(services, "o-g1", "G1", "officer")
    for typed in ("/lich ²", "/chuanop ②", "/lich 99"):
        await officer.say(typed)
        assert "Mã lỗi" not in officer.text, typed
