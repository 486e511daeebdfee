"""A list shown a screen at a time behind a command ("/lich 2", "/chuanop 3"): which page was
typed, and the line and buttons that move between pages."""

from __future__ import annotations

import re

from domain.conversation import Action, Button
from messages_vi import t

_PAGE = re.compile(r"[0-9]{1,4}")


def pages(count: int, size: int) -> int:
    """How many screens `count` entries take, `size` a screen (one at least)."""
    return max(1, -(-count // size))


def typed_page(typed: str, total: int) -> int:
    """The page typed after the command (1 for the first), as an index within `total` pages:
    the first for anything that is not a page number, the last for one past it."""
    typed = typed.strip()
    return min(int(typed), total) - 1 if _PAGE.fullmatch(typed) and int(typed) > 0 else 0


def navigation(command: str, page: int, total: int) -> tuple[str | None, list[Button]]:
    """The "Trang 2/3" line (None for a single page) and the buttons to the pages beside `page`."""
    if total <= 1:
        return None, []
    buttons = []
    if page > 0:
        buttons.append(Button(t("units.prev"), Action.command(command, page)))
    if page + 1 < total:
        buttons.append(Button(t("units.next"), Action.command(command, page + 2)))
    return t("ot.list.page", page=page + 1, pages=total), buttons
