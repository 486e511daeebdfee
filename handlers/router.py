"""The one entry point of the conversation: find who is writing, then the handler that answers.

Channels call `handle` with an `Incoming` and send back what it returns, in order.
"""

from __future__ import annotations

import asyncio
import logging
import secrets
from dataclasses import replace

from handlers import (
    deadlines, digests, forms, history, menu, nudges, onboarding, photos, reports, three_active, units,
)
from handlers.context import Request, Route, Services
from domain.conversation import FORM_ROUTE, Action, Incoming, Reply
from domain import invites
from domain.textnorm import closest, fold, visible, whole_characters
from messages_vi import t
from messages_vi.formatting import local_today
from storage.forms import Stale

log = logging.getLogger(__name__)
# Longer than any honest answer (an export of a province takes seconds): past it, the person
# is told and the chat is free again.
HANDLER_TIMEOUT = 60
# Several workers: an update whose chat has an earlier one still waiting in another worker is
# claimed again every TURN_POLL seconds, and after TURN_PATIENCE without waiting any longer.
TURN_POLL = 0.02
TURN_PATIENCE = 10.0
_LATER = object()
# What may follow a command ("/tonghop doan xa tan phu thang 10"): longer is never an honest period,
# unit or year, and is refused once here rather than read (and quoted back) by each handler.
MAX_ARGUMENT = 200

FEATURES = (menu, units, forms, reports, deadlines, digests, nudges, history, three_active)
COMMANDS: dict[str, Route] = {name: route for f in FEATURES for name, route in getattr(f, "COMMANDS", {}).items()}
BUTTONS: dict[str, Route] = {prefix: route for f in FEATURES for prefix, route in getattr(f, "BUTTONS", {}).items()}
# Features keeping a conversation of their own in storage (a "3 chủ động" plan typed item by item)
# read plain text first, when no form is open; each returns None for text that is not for it.
TEXT_TAKERS = tuple(f.TAKES_TEXT for f in FEATURES if hasattr(f, "TAKES_TEXT"))


async def handle(services: Services, incoming: Incoming) -> list[Reply]:
    """Answer one incoming message or button; never raises, never waits past HANDLER_TIMEOUT.

    A failure is logged with a short reference that the person is shown, so that what they
    report to the office can be found in the log (which holds no message text).
    """
    try:
        async with asyncio.timeout(HANDLER_TIMEOUT):
            return await _handle(services, incoming)
    except Stale:
        return []             # the same answer, taken already by a concurrent delivery
    except TimeoutError:
        ref = secrets.token_hex(3)
        log.error("an update from %s took over %s s [ref %s]", incoming.channel, HANDLER_TIMEOUT, ref)
        return [Reply(t("error.slow", ref=ref))]
    except Exception:
        ref = secrets.token_hex(3)
        log.exception("handling an update from %s failed [ref %s]", incoming.channel, ref)
        return [Reply(t("error.internal", ref=ref))]


async def _handle(services: Services, incoming: Incoming) -> list[Reply]:
    if incoming.text is not None:
        incoming = replace(incoming, text=visible(whole_characters(incoming.text)))
    if incoming.display_name:
        incoming = replace(incoming, display_name=whole_characters(incoming.display_name))
    route, arg, action = _route(incoming)
    if route is None and incoming.text and (help_word := typed_command(incoming.text)) in HELP:
        # help asked in words mid-form: no question's answer is "giúp", and the menu resumes it
        route = COMMANDS[help_word]
    now = services.clock()

    def read_and_answer(tx, patient: bool):
        # One transaction: who is writing, the claim on this update (a redelivered one is
        # answered once), and, for a plain answer to an open form, the answer taken and stored.
        # An image is never an answer: it is evidence for a meeting (handlers.photos, below).
        conversation = tx.forms.conversation(incoming.channel, incoming.user_id)
        if incoming.update_key:
            # a pushed update leaves the webhooks' inbox as it is claimed: never handled twice;
            # with several workers, after the earlier updates of its chat (storage/inbox.py)
            if not tx.inbox.turn(incoming.update_key, patient):
                return _LATER, None, None
            if not tx.forms.claim(incoming.update_key, now):
                return None, None, None
        identity, session = conversation.identity, conversation.session
        if (route is not None or incoming.command or identity is None or identity.role is None
                or session is None or now - session.updated_at > services.form_max_idle
                or _left_behind(identity, session)
                or incoming.photo is not None):
            return conversation, None, None
        turn = services.engine.step_inside(tx, identity, session, incoming)
        # a meeting saved: the photos sent while its form was open go to it, in this transaction
        return conversation, turn, photos.on_turn(tx, identity, turn, now)

    waited = 0.0
    while (found := await services.storage.atomic(read_and_answer, waited < TURN_PATIENCE))[0] is _LATER:
        await asyncio.sleep(TURN_POLL)
        waited += TURN_POLL
    conversation, turn, waiting = found
    if conversation is None:
        return []
    if turn is not None:
        return await photos.after_turn(services, waiting, services.engine.replies(turn))
    identity, session = conversation.identity, conversation.session
    command = incoming.command
    if command and command[0] == "start":
        return await onboarding.start(services, incoming, command[1], identity)
    if not command and invites.typed_code(incoming.text or ""):
        # on Zalo there is no deep link: the code is typed, alone — by a stranger, by someone whose
        # role was removed, or by a secretary moving to another branch (a form open took it first)
        return await onboarding.start(services, incoming, invites.typed_code(incoming.text), identity)
    if identity is None or identity.role is None:
        return onboarding.stranger_reply(incoming.text)
    if identity.person.chat_id != incoming.chat_id or identity.person.unreachable or (
        incoming.display_name and identity.person.display_name != incoming.display_name
    ):
        # a person marked unreachable (they blocked the bot) who writes again has unblocked it
        await services.storage.people.touch(identity.person.id, incoming.chat_id,
                                            incoming.display_name or identity.person.display_name)

    notices: list[Reply] = []
    if session is not None and now - session.updated_at > services.form_max_idle:
        await services.storage.forms.finish(session.id, session.version)
        notices.append(Reply(t("form.expired", title=services.engine.title_of(session),
                               started=local_today(session.started_at), days=services.form_max_idle.days)))
        session = None
    elif session is not None and _left_behind(identity, session):
        left = await services.storage.units.get(session.unit_id)
        await services.storage.forms.finish(session.id, session.version)
        notices.append(Reply(t("form.left_behind", title=services.engine.title_of(session),
                               unit=left.name if left else "")))
        session = None

    request = Request(incoming, identity, session, arg, action)
    if route is COMMANDS["huy"] and session is None:
        # no form open: /huy (or its button) ends the "3 chủ động" draft or review typed text goes
        # to, as "huy" typed does
        typed_huy = Request(replace(incoming, text="huy", button=None), identity, None, "", Action("none"))
        for take_text in TEXT_TAKERS:
            taken = await take_text(services, typed_huy, "huy")
            if taken is not None:
                return notices + taken
    if route is None and not command and session is None and incoming.text:
        typed = typed_command(incoming.text)
        for take_text in TEXT_TAKERS:
            taken = await take_text(services, request, typed)
            if taken is not None:
                return notices + taken
        route = COMMANDS.get(typed or "")
        if route is None:
            # a whole report in one message ("sinh hoat hom qua 18 nguoi"): its form, filled
            opened = await forms.from_line(services, request)
            if opened is not None:
                return notices + opened
            # else a command and what it is asked for, typed as words ("tong hop thang 10")
            spelled = _spelled_out(incoming.text)
            if spelled is not None and spelled[0] in TAKES_WORDS:
                typed, arg = spelled
                route, request = COMMANDS[typed], replace(request, arg=arg)
    if route is not None:
        if not route.allows(identity):
            return notices + [Reply(t("not_allowed"))]
        if len(arg) > MAX_ARGUMENT:
            return notices + [Reply(t("command.arg_too_long", command=command[0] if command else typed,
                                      most=MAX_ARGUMENT))]
        return notices + await route.handler(services, request)
    if command:
        return notices + [Reply(t("unknown_command"), menu.home_buttons(request))]
    if incoming.button and incoming.button.route == FORM_ROUTE:
        return notices + [Reply(t("form.gone"))]
    if incoming.photo is not None:
        return notices + await photos.receive(services, request)
    if incoming.other == "edited":
        return notices + [Reply(t("edited_no_form"))]
    if incoming.other:
        return notices + [Reply(t("other_no_form"), menu.home_buttons(request))]
    return notices + [Reply(t("help.no_form"), menu.home_buttons(request))]


def _left_behind(identity, session) -> bool:
    """Whether the open form was started for a unit the person no longer holds a role in (moved
    to another branch by a new invite): its answers were about that unit, never the new one's."""
    return identity.unit is not None and session.unit_id != identity.unit.id


# Commands as people type them where no menu of commands exists (Zalo): without the slash, as
# words, with or without diacritics. Only when no form is open: then what is typed answers it.
COMMAND_WORDS = {
    "menu": "menu", "tro giup": "trogiup", "giup": "trogiup", "huong dan": "trogiup",
    "sinh hoat": "sinhhoat", "bao cao sinh hoat": "sinhhoat", "sinh hoat chi doan": "sinhhoat",
    "mot cong mot": "motcongmot", "1+1": "motcongmot", "bao cao 1+1": "motcongmot", "1cong1": "motcongmot",
    "cap nhat": "capnhat", "so doan vien": "capnhat",
    "bao cao": "baocao", "bao cao da gui": "baocao",
    "lich": "lich", "lich nop": "lich", "han nop": "lich",
    "tong hop": "tonghop", "xuat": "xuat", "xuat file": "xuat",
    "chi doan": "chidoan", "toi": "toi", "toi la ai": "toi", "huy": "huy",
    "3 chu dong": "bachudong", "ba chu dong": "bachudong",
    "chua nop": "chuanop", "ai chua nop": "chuanop", "nhac": "chuanop", "nhac nho": "chuanop",
    "nhac tat ca": "chuanop", "lich su": "lichsu", "lich su hoat dong": "lichsu",
}


HELP = ("trogiup", "menu", "help")
# the commands that read what follows them (a period, a unit's name, a page): typed as words with it
TAKES_WORDS = frozenset({"tonghop", "xuat", "lichsu", "chidoan", "lich", "chuanop"})
# every way a command is spelled, for a typo of one ("sinh hot", "cap nhap")
_SPELLINGS = (*COMMAND_WORDS, *COMMANDS)


def typed_command(text: str) -> str | None:
    """The command a typed text names ("bao cao", "Báo cáo", "baocao"), or None."""
    folded = fold(text).strip(" .!?")
    if folded in COMMANDS:
        return folded
    named = COMMAND_WORDS.get(folded) or COMMAND_WORDS.get(folded.replace(" ", ""))
    if named is None and (near := closest(folded, _SPELLINGS)) is not None:
        named = _SPELLINGS[near] if _SPELLINGS[near] in COMMANDS else COMMAND_WORDS[_SPELLINGS[near]]
    return named


def _spelled_out(text: str) -> tuple[str, str] | None:
    """A command typed after the slash as words or with diacritics, as on Zalo ("/hủy", "/sinh
    hoạt", "/tổng hợp tháng 10"): its name and what follows it; None when it names none."""
    parts = text.split()
    for count in range(min(len(parts), 4), 0, -1):        # the longest command words first
        name = typed_command(" ".join(parts[:count]))
        if name:
            return name, " ".join(parts[count:])
    return None


def _route(incoming: Incoming) -> tuple[Route | None, str, Action]:
    """The route for a command or a choice, with the command's argument and the choice's action;
    no route for anything else."""
    command = incoming.command
    if command:
        name, arg = command
        if name not in COMMANDS:
            name, arg = _spelled_out(incoming.text[1:]) or command
        return COMMANDS.get(name), arg, Action("none")
    action = incoming.button
    if action is None:
        return None, "", Action("none")
    if action.route == "cmd":
        return COMMANDS.get(action.text(0)), " ".join(map(str, action.args[1:])), action
    return BUTTONS.get(action.route), "", action
