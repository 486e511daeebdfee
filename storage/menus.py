"""The numbered menu each chat saw last, on messengers without buttons: so that a reply "2"
means the same choice after a restart, or on another worker."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime

from storage.repository import Repository, iso, unit_of_work
from storage.sql import Connection


@dataclass(frozen=True)
class OpenMenu:
    choices: tuple[tuple[str, str], ...]     # (label, payload) in the order shown, numbered from 1
    number_answer: bool                      # the question takes a number: digits answer it
    shown_at: datetime


class Menus(Repository):
    @unit_of_work
    def remember(self, conn: Connection, channel: str, chat_id: str,
                 choices: list[tuple[str, str]], number_answer: bool, now: datetime) -> None:
        """The menu just shown to a chat replaces the one before; no choices forgets it."""
        if not choices:
            conn.execute("DELETE FROM open_menus WHERE channel = ? AND chat_id = ?", (channel, chat_id))
            return
        conn.execute(
            "INSERT INTO open_menus (channel, chat_id, choices, typed_numbers, shown_at) VALUES (?, ?, ?, ?, ?)"
            " ON CONFLICT (channel, chat_id) DO UPDATE SET choices = excluded.choices,"
            " typed_numbers = excluded.typed_numbers, shown_at = excluded.shown_at",
            (channel, chat_id, json.dumps(choices, ensure_ascii=False), int(number_answer), iso(now)),
        )

    @unit_of_work
    def last(self, conn: Connection, channel: str, chat_id: str) -> OpenMenu | None:
        """The menu the chat saw last, if it had choices."""
        row = conn.execute("SELECT choices, typed_numbers, shown_at FROM open_menus WHERE channel = ? AND chat_id = ?",
                           (channel, chat_id)).fetchone()
        if row is None:
            return None
        choices = tuple((label, payload) for label, payload in json.loads(row[0]))
        return OpenMenu(choices, bool(row[1]), datetime.fromisoformat(row[2]))
