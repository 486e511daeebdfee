"""Joining through an invite link (/start CODE), and the one answer strangers get."""

from __future__ import annotations

from domain.invites import hash_code, looks_like_code, mistyped_code, typed_code
from handlers.context import Services
from handlers.menu import help_text, home_buttons
from handlers.context import Request
from domain.conversation import Incoming, Reply
from handlers.units import chain_text
from messages_vi import role_in, t
from messages_vi.formatting import number
from storage.people import Identity

BRANCH_MENU = ("sinhhoat", "motcongmot", "lich", "baocao", "tonghop", "chidoan", "lichsu", "toi", "huy", "trogiup")
OFFICER_MENU = ("tonghop", "xuat", "lich", "chuanop", "bachudong", "chidoan", "toi", "trogiup")


def command_menu(role: str | None) -> tuple[tuple[str, str], ...]:
    """The commands offered to a role, with their descriptions."""
    names = OFFICER_MENU if role == "officer" else BRANCH_MENU
    return tuple((name, t(f"cmd.{name}")) for name in names)


def stranger_reply(text: str | None = None) -> list[Reply]:
    """The only thing someone without a role is told: how to get a link, or, for what looks like a
    code typed wrong (Zalo), that the code does not work. Nothing about any unit."""
    if text and mistyped_code(text):
        return [Reply(t("start.bad_code"))]
    return [Reply(t("stranger"))]


async def start(services: Services, incoming: Incoming, code: str, identity: Identity | None) -> list[Reply]:
    """Greet someone who tapped an invite link, or tell them how to get one."""
    if not code:
        if identity is None or identity.role is None:
            return stranger_reply()
        return await _welcome(services, incoming, identity, "start.again")
    code = typed_code(code) or code          # a capital put by the phone, spaces between groups
    if not looks_like_code(code):
        return [Reply(t("start.bad_code"))]
    # several bots of one messenger: a code is answered by its unit's bot only (another says "unknown")
    takes = incoming.bot_units.takes if incoming.bot_units is not None else None
    result = await services.storage.invites.redeem(
        hash_code(code), incoming.channel, incoming.user_id, incoming.chat_id,
        incoming.display_name, services.clock(), takes=takes,
    )
    if result.status not in ("joined", "again"):
        return [Reply(t("start.bad_code"))]
    identity = await services.storage.people.identify(incoming.channel, incoming.user_id)
    if result.status == "again":
        return await _welcome(services, incoming, identity, "start.again")
    replies = []
    if result.previous_unit and result.previous_unit.id != result.unit.id:
        replies.append(Reply(t("start.moved", unit=result.previous_unit.name)))
    return replies + await _welcome(services, incoming, identity, f"start.welcome.{result.role}")


async def _welcome(services: Services, incoming: Incoming, identity: Identity, key: str) -> list[Reply]:
    unit = identity.unit
    count = await services.storage.units.count_below(unit.id, "branch")
    greeting = t(key, unit=unit.name, who=role_in(identity.role, unit.name, unit.level_name), chain=await chain_text(services, unit),
                 count=number(count))
    request = Request(incoming, identity, None)
    return [Reply(f"{greeting}\n\n{await help_text(services, request)}", home_buttons(request),
                  command_menu=command_menu(identity.role))]
