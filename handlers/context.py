"""What every handler is handed: the shared services, and the request being answered."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from bot.deadlines.calendar import Calendar
from bot.forms.engine import FormEngine
from handlers.types import Incoming, Reply
from storage import Storage
from storage.forms import FormSession
from storage.people import Identity


@dataclass
class Services:
    """Long-lived things, made once in main and passed in; nothing is a global."""

    storage: Storage
    clock: Callable[[], datetime]       # now, UTC, aware
    engine: FormEngine
    bot_username: str = ""
    form_max_idle: timedelta = timedelta(days=7)
    calendar: Calendar | None = None      # the deadline calendar; None: the shipped default


@dataclass(frozen=True)
class Request:
    """One thing to answer, with who asked and the form they have open."""

    incoming: Incoming
    identity: Identity
    session: FormSession | None
    arg: str = ""                         # the command's argument, or the button's ids


Handler = Callable[[Services, Request], Awaitable[list[Reply]]]


@dataclass(frozen=True)
class Route:
    """A command or a button prefix, the handler behind it, and who may use it."""

    handler: Handler
    roles: tuple[str, ...] = ("secretary", "deputy", "officer")

    def allows(self, identity: Identity) -> bool:
        return identity.role in self.roles


BRANCH_STAFF = ("secretary", "deputy")
OFFICERS = ("officer",)
