"""The terminal chat: talk to the bot with no token and no network, as any demo person.

Choices print as a numbered menu, exactly as Zalo shows them (bot/channels/numbered.py): typing
"1" or the words of a choice picks it. Lines starting with ':' are for the terminal itself
(switch person, quit) and never reach the handlers.
"""

from __future__ import annotations

import asyncio
import re
import sys
import threading
from collections.abc import Iterable

from bot import demo
from bot.channels.numbered import NumberedMenus
from domain.conversation import Incoming, Reply
from domain.sender import Limits
from domain.services import Services
from handlers.router import handle
from messages_vi import role_in, t


class TerminalChat:
    """One terminal, one person at a time; `say` takes a line and returns what to print."""

    def __init__(self, services: Services):
        self.services = services
        self.user_id, self.name = "", ""            # set by start(): a demo person or a stranger
        self.guests = 0                             # the last stranger's number (":khach")
        self.menus = NumberedMenus(services.storage, "terminal", services.clock)
        self.done = False

    async def start(self, person_number: int | None = 1) -> str:
        """The opening text: what this is, and who you are."""
        lines = [t("terminal.banner", database=self.services.storage.db.path)]
        code = await demo.invite_for_trying(self.services.storage, self.services.clock())
        lines.append(t("terminal.invite", code=code))
        if person_number is not None:
            lines.append(await self._switch(str(person_number)))
        else:
            lines.append(await self._stranger())
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
            return picked.out_of_range_text()
        if picked.action is not None:
            incoming = Incoming("terminal", self.user_id, self.user_id, self.name, button=picked.action)
        else:
            incoming = Incoming("terminal", self.user_id, self.user_id, self.name, text=line)
        replies = await handle(self.services, incoming)
        await self.menus.answered(self.user_id, replies)
        return await self.show(replies, self.user_id)

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
        word = word.lower()
        if word == "thoat":
            self.done = True
            return t("terminal.bye")
        if word == "ai":
            return await self._people()
        if word == "la":
            return await self._switch(rest.strip())
        if word == "khach":
            return await self._stranger()
        return t("terminal.unknown_meta")

    async def _stranger(self) -> str:
        """Become a new stranger: an identity nobody used yet, in this run or an earlier one on
        the same database, so one who joined a branch before is not who `:khach` makes next."""
        people = await self.services.storage.people.on_channel("terminal")
        numbers = [int(p.external_id[len(demo.GUEST_PREFIX):]) for p, _, _ in people
                   if p.external_id.startswith(demo.GUEST_PREFIX) and p.external_id[len(demo.GUEST_PREFIX):].isdigit()]
        self.guests = max([self.guests, *numbers]) + 1
        self.user_id = f"{demo.GUEST_PREFIX}{self.guests}"
        self.name = t("terminal.guest_name", number=self.guests)
        return t("terminal.now_guest", name=self.name)

    async def _people(self) -> str:
        people = await self.services.storage.people.on_channel("terminal")
        lines = [t("terminal.people_title")]
        for number, (person, role, unit) in enumerate(p for p in people if not demo.is_guest(p[0].external_id)):
            if role:
                lines.append(t("terminal.person", number=number + 1, name=person.display_name,
                               who=role_in(role, unit)))
            else:
                lines.append(t("terminal.person_no_role", number=number + 1, name=person.display_name))
        return "\n".join(lines)

    async def _switch(self, number: str) -> str:
        people = [p for p, _, _ in await self.services.storage.people.on_channel("terminal")
                  if not demo.is_guest(p.external_id)]
        if not number:
            return t("terminal.which_person")
        if not re.fullmatch(r"[0-9]{1,4}", number) or not 1 <= int(number) <= len(people):
            return t("terminal.bad_person", number=number)
        person = people[int(number) - 1]
        self.user_id, self.name = person.external_id, person.display_name
        return t("terminal.now", name=self.name)


class TerminalChannel:
    """The terminal as a channel (bot/channels/base.py): one person at a keyboard, no network."""

    name = channel = "terminal"
    has_buttons = False
    limits = Limits(rate=50, chat_gap=0)          # printing has no flood control; no quiet hours

    def __init__(self, services: Services, stdin=sys.stdin, stdout=sys.stdout):
        self.chat = TerminalChat(services)
        self.stdin = stdin
        self.stdout = stdout
        self.transport = TerminalTransport(self.chat, stdout)

    async def run(self, stop: asyncio.Event) -> None:
        """Chat until :thoat, the end of input, or `stop`; ending the chat stops the bot."""
        print(await self.chat.start(), file=self.stdout, flush=True)
        lines = self._read_lines()
        while not (self.chat.done or stop.is_set()):
            self.stdout.write("\n> ")
            self.stdout.flush()
            reading = asyncio.ensure_future(lines.get())
            stopping = asyncio.ensure_future(stop.wait())
            done, _ = await asyncio.wait({reading, stopping}, return_when=asyncio.FIRST_COMPLETED)
            reading.cancel()
            stopping.cancel()
            if reading not in done:
                break                            # stopped by a signal while waiting for a line
            line = reading.result()
            if not line:
                break
            answer = await self.chat.say(line)
            if answer:
                print(answer, file=self.stdout, flush=True)
        stop.set()

    def _read_lines(self) -> asyncio.Queue:
        """Lines of stdin as they come, read on a daemon thread: a blocked read never keeps the
        process from exiting once the bot stops. "" marks the end of input."""
        loop = asyncio.get_running_loop()
        lines: asyncio.Queue = asyncio.Queue()

        def read() -> None:
            while True:
                line = self.stdin.readline()
                try:
                    loop.call_soon_threadsafe(lines.put_nowait, line)
                except RuntimeError:
                    return                       # the bot stopped and its loop is closed
                if not line:
                    return

        threading.Thread(target=read, name="terminal-input", daemon=True).start()
        return lines

    async def deliver(self, chat_id: str, reply: Reply) -> str:
        return await self.transport.deliver(chat_id, reply)

    async def typing(self, chat_id: str) -> None:
        """Nothing to show: the terminal answers at once."""


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
