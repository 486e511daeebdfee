"""The terminal chat: talk to the bot with no token and no network, as any demo person.

Buttons print with a number; typing /1 presses the first. Lines starting with ':' are for the
terminal itself (switch person, quit) and never reach the handlers.
"""

from __future__ import annotations

import asyncio
import re
import sys
from collections.abc import Iterable

from bot import app, demo
from domain.services import Services
from handlers.router import handle
from domain.conversation import Button, Incoming, Reply
from messages_vi import t

BUTTON_PRESS = re.compile(r"^/(\d{1,3})$")


class TerminalChat:
    """One terminal, one person at a time; `say` takes a line and returns what to print."""

    def __init__(self, services: Services):
        self.services = services
        self.user_id = demo.STRANGER_ID
        self.name = t("terminal.guest")
        self.buttons: list[Button] = []
        self.done = False

    async def start(self, person_number: int | None = 1) -> str:
        """The opening text: what this is, and who you are."""
        lines = [t("terminal.banner", database=self.services.storage.db.path)]
        code = await demo.invite_for_trying(self.services.storage, self.services.clock())
        lines.append(t("terminal.invite", code=code))
        if person_number is not None:
            lines.append(await self._switch(str(person_number)))
        return "\n".join(lines)

    async def say(self, line: str) -> str:
        """Handle one typed line and return everything the bot answered, formatted."""
        line = line.strip()
        if not line:
            return ""
        if line.startswith(":"):
            return await self._meta(line[1:].strip())
        incoming = Incoming("terminal", self.user_id, self.user_id, self.name, text=line)
        pressed = BUTTON_PRESS.match(line)
        if pressed:
            index = int(pressed.group(1)) - 1
            if not 0 <= index < len(self.buttons):
                return t("terminal.bad_button", number=index + 1)
            incoming = Incoming("terminal", self.user_id, self.user_id, self.name, button=self.buttons[index].data)
        return self.show(await handle(self.services, incoming))

    def show(self, replies: Iterable[Reply]) -> str:
        """Replies as text, buttons numbered; remembers the last message's buttons."""
        out = []
        for reply in replies:
            out.append(reply.text)
            if reply.attachment:
                out.append(t("terminal.file", path=reply.attachment))
            if reply.buttons:
                self.buttons = [b for row in reply.buttons for b in row]
                numbered, number = [], 0
                for row in reply.buttons:
                    cells = []
                    for button in row:
                        number += 1
                        cells.append(f"[/{number} {button.label}]")
                    numbered.append("  ".join(cells))
                out.append("\n".join(numbered))
        return "\n".join(out)

    async def _meta(self, command: str) -> str:
        word, _, rest = command.partition(" ")
        if word == "thoat":
            self.done = True
            return t("terminal.bye")
        if word == "ai":
            return await self._people()
        if word == "la":
            return await self._switch(rest.strip())
        if word == "khach":
            self.user_id, self.name, self.buttons = demo.STRANGER_ID, t("terminal.guest"), []
            return t("terminal.now", name=self.name)
        return t("terminal.unknown_meta")

    async def _people(self) -> str:
        people = await self.services.storage.people.on_channel("terminal")
        lines = [t("terminal.people_title")]
        for number, (person, role, unit) in enumerate(p for p in people if p[0].external_id != demo.STRANGER_ID):
            if role:
                lines.append(t("terminal.person", number=number + 1, name=person.display_name,
                               role=t(f"role.{role}"), unit=unit))
            else:
                lines.append(t("terminal.person_no_role", number=number + 1, name=person.display_name))
        return "\n".join(lines)

    async def _switch(self, number: str) -> str:
        people = [p for p, _, _ in await self.services.storage.people.on_channel("terminal")
                  if p.external_id != demo.STRANGER_ID]
        if not number.isdigit() or not 1 <= int(number) <= len(people):
            return t("terminal.bad_person", number=number)
        person = people[int(number) - 1]
        self.user_id, self.name, self.buttons = person.external_id, person.display_name, []
        return t("terminal.now", name=self.name)


async def run(services: Services, stdin=sys.stdin, stdout=sys.stdout, *, calendar=None,
              tick_seconds: int = 60) -> None:
    """Chat on this terminal until :thoat or end of input; with a calendar, reminders print too."""
    chat = TerminalChat(services)
    print(await chat.start(), file=stdout, flush=True)
    scheduler = None
    if calendar is not None:
        from bot.scheduler import Scheduler
        from domain.sender import Limits

        services.calendar = calendar
        scheduler = Scheduler(services, calendar, TerminalTransport(chat, stdout), tick_seconds=tick_seconds,
                              extra_ticks=app.extra_ticks(),
                              limits=Limits(rate=50, chat_gap=0, quiet=(calendar.settings.quiet_start,
                                                                        calendar.settings.quiet_end)))
        scheduler.start()
    loop = asyncio.get_running_loop()
    try:
        while not chat.done:
            stdout.write("\n> ")
            stdout.flush()
            line = await loop.run_in_executor(None, stdin.readline)
            if not line:
                break
            answer = await chat.say(line)
            if answer:
                print(answer, file=stdout, flush=True)
    finally:
        if scheduler is not None:
            await scheduler.stop()


class TerminalTransport:
    """Outbox messages printed into the terminal: as a chat message for the person chatting now,
    under a line naming the person (messages_vi "dl.terminal.to") for anyone else."""

    channel = "terminal"

    def __init__(self, chat: TerminalChat, stdout=sys.stdout):
        self.chat = chat
        self.stdout = stdout
        self._sent = 0

    async def deliver(self, chat_id: str, reply: Reply) -> str:
        self._sent += 1
        if chat_id == self.chat.user_id:
            text = self.chat.show([reply])
        else:
            people = await self.chat.services.storage.people.on_channel("terminal")
            name = next((p.display_name for p, _, _ in people if p.chat_id == chat_id), chat_id)
            text = t("dl.terminal.to", name=name) + "\n" + reply.text
        print(f"\n{text}", file=self.stdout, flush=True)
        return f"terminal-{self._sent}"
