"""The terminal chat: talk to the bot with no token and no network, as any demo person.

Choices print as a numbered menu, exactly as Zalo shows them (bot/channels/numbered.py): typing
"1" or the words of a choice picks it. Lines starting with ':' are for the terminal itself
(switch person, quit) and never reach the handlers.
"""

from __future__ import annotations

import asyncio
import re
import sys
from collections.abc import Iterable

from bot import demo
from bot.channels.numbered import NumberedMenus
from domain.conversation import Incoming, Reply
from domain.services import Services
from handlers.router import handle
from messages_vi import t


class TerminalChat:
    """One terminal, one person at a time; `say` takes a line and returns what to print."""

    def __init__(self, services: Services):
        self.services = services
        self.user_id = demo.STRANGER_ID
        self.name = t("terminal.guest")
        self.menus = NumberedMenus(services.storage, "terminal", services.clock)
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
        picked = await self.menus.read(self.user_id, line)
        if picked.out_of_range:
            return t("numbered.out_of_range", last=picked.out_of_range)
        if picked.action is not None:
            incoming = Incoming("terminal", self.user_id, self.user_id, self.name, button=picked.action)
        else:
            incoming = Incoming("terminal", self.user_id, self.user_id, self.name, text=line)
        return await self.show(await handle(self.services, incoming), self.user_id)

    async def show(self, replies: Iterable[Reply], chat_id: str) -> str:
        """Replies as the chat sees them: choices numbered, the last ones becoming its menu."""
        out = []
        for reply in replies:
            out.append(await self.menus.shown(chat_id, reply))
            if reply.attachment:
                out.append(t("terminal.file", path=reply.attachment))
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
            self.user_id, self.name = demo.STRANGER_ID, t("terminal.guest")
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
        if not re.fullmatch(r"[0-9]{1,4}", number) or not 1 <= int(number) <= len(people):
            return t("terminal.bad_person", number=number)
        person = people[int(number) - 1]
        self.user_id, self.name = person.external_id, person.display_name
        return t("terminal.now", name=self.name)


async def run(services: Services, stdin=sys.stdin, stdout=sys.stdout, *, calendar=None,
              tick_seconds: int = 60, extra_ticks=()) -> None:
    """Chat on this terminal until :thoat or end of input; with a calendar, reminders print too."""
    chat = TerminalChat(services)
    print(await chat.start(), file=stdout, flush=True)
    scheduler = None
    if calendar is not None:
        from bot.scheduler import Scheduler
        from domain.sender import Limits

        services.calendar = calendar
        scheduler = Scheduler(services, calendar, TerminalTransport(chat, stdout), tick_seconds=tick_seconds,
                              extra_ticks=extra_ticks,
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
        text = await self.chat.show([reply], chat_id)
        if chat_id != self.chat.user_id:
            people = await self.chat.services.storage.people.on_channel("terminal")
            name = next((p.display_name for p, _, _ in people if p.chat_id == chat_id), chat_id)
            text = t("dl.terminal.to", name=name) + "\n" + text
        print(f"\n{text}", file=self.stdout, flush=True)
        return f"terminal-{self._sent}"
