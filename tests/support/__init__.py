"""Shared test helpers: a settable clock, a small unit tree, and a chat driver for handlers."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from pathlib import Path

from bot import app
from domain import invites, units_csv
from handlers.router import handle
from domain.conversation import Action, Button, Incoming, Reply

# A small province: district D1 with grassroots G1 (branches B1, B2 border) and G2 (B5);
# district D2 with branch B3 hanging directly under it and grassroots G3 with B4.
TREE = """code,name,level,parent_code,border,members
P,Tỉnh đoàn Thử,province,,0,0
D1,Huyện đoàn Một,district,P,0,0
D2,Huyện đoàn Hai,district,P,0,0
G1,Đoàn xã Biên Giới,grassroots,D1,1,0
G2,Đoàn phường Giữa,grassroots,D1,0,0
G3,Đoàn xã Ba,grassroots,D2,0,0
B1,Chi đoàn ấp Một,branch,G1,0,20
B2,Chi đoàn ấp Hai,branch,G1,1,10
B5,Chi đoàn khu phố Năm,branch,G2,0,15
B3,Chi đoàn Bệnh viện,branch,D2,0,30
B4,Chi đoàn ấp Bốn,branch,G3,0,12
"""

# 2026-11-23 09:00 in Vietnam
START = datetime(2026, 11, 23, 2, 0, tzinfo=timezone.utc)


class Clock:
    """A clock tests move by hand."""

    def __init__(self, now: datetime = START):
        self.now = now

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **delta) -> None:
        self.now += timedelta(**delta)


async def open_services(path: Path, clock: Clock):
    return await app.open_services(path, clock=clock, bot_username="chidoan_test_bot")


async def seed_tree(services) -> None:
    rows = units_csv.parse(TREE, await services.storage.units.all())
    await services.storage.units.import_rows(rows, services.clock())


async def make_invite(services, unit_code: str, role: str = "secretary", days: int = 30) -> str:
    unit = await services.storage.units.by_code(unit_code)
    code = invites.new_code()
    now = services.clock()
    await services.storage.invites.create(invites.hash_code(code), code[:4], unit.id, role, now,
                                          now + timedelta(days=days))
    return code


@dataclass
class Chat:
    """One person talking to the handlers, remembering the buttons of the last replies."""

    services: object
    user_id: str
    name: str = "Người thử"
    channel: str = "terminal"
    replies: list[Reply] = field(default_factory=list)
    _update: int = 0

    async def send(self, incoming: Incoming) -> list[Reply]:
        self.replies = await handle(self.services, incoming)
        return self.replies

    async def say(self, text: str, update_key: str | None = None) -> list[Reply]:
        return await self.send(Incoming(self.channel, self.user_id, self.user_id, self.name, text=text,
                                        update_key=update_key))

    async def other(self, kind: str) -> list[Reply]:
        return await self.send(Incoming(self.channel, self.user_id, self.user_id, self.name, other=kind))

    async def tap_data(self, data: str, update_key: str | None = None) -> list[Reply]:
        """Press a button by its payload, as a channel decodes it (a forged one included)."""
        action = Action.decode(data) or Action("stale")
        return await self.send(Incoming(self.channel, self.user_id, self.user_id, self.name, button=action,
                                        update_key=update_key))

    def button(self, label_part: str) -> Button:
        """A button of the last replies whose label contains `label_part`."""
        for reply in reversed(self.replies):
            for row in reply.buttons:
                for button in row:
                    if label_part in button.label:
                        return button
        raise AssertionError(f"no button {label_part!r} in {self.buttons()}")

    async def tap(self, label_part: str) -> list[Reply]:
        return await self.tap_data(self.button(label_part).action.encode())

    def buttons(self) -> list[str]:
        return [b.label for r in self.replies for row in r.buttons for b in row]

    @property
    def text(self) -> str:
        return "\n".join(r.text for r in self.replies)


async def joined(services, user_id: str, unit_code: str, role: str = "secretary", name: str | None = None) -> Chat:
    chat = Chat(services, user_id, name or f"Người {user_id}")
    code = await make_invite(services, unit_code, role)
    await chat.say(f"/start {code}")
    return chat
