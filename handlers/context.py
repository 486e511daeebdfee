"""What every handler is handed: the shared services, and the request being answered."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass

from domain.conversation import Action, Incoming, Reply
from domain.rules import BRANCH_ROLES
from domain.services import Services
from storage.forms import FormSession
from storage.people import Identity


@dataclass(frozen=True)
class Request:
    """One thing to answer, with who asked and the form they have open."""

    incoming: Incoming
    identity: Identity
    session: FormSession | None
    arg: str = ""                         # what was typed after the command
    action: Action = Action("none")       # the choice picked, with its arguments


Handler = Callable[[Services, Request], Awaitable[list[Reply]]]


@dataclass(frozen=True)
class Route:
    """A command or a button prefix, the handler behind it, and who may use it."""

    handler: Handler
    roles: tuple[str, ...] = ("secretary", "deputy", "officer")

    def allows(self, identity: Identity) -> bool:
        return identity.role in self.roles


BRANCH_STAFF = BRANCH_ROLES
OFFICERS = ("officer",)
