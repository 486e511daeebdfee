"""The one entry point of the conversation: find who is writing, then the handler that answers.

Channels call `handle` with an `Incoming` and send back what it returns, in order.
"""

from __future__ import annotations

import logging

from handlers import deadlines, digests, forms, menu, onboarding, reports, units
from handlers.context import Request, Route, Services
from domain.conversation import Incoming, Reply
from messages_vi import t
from messages_vi.formatting import local_today
from storage.forms import Stale

log = logging.getLogger(__name__)

FEATURES = (menu, units, forms, reports, deadlines, digests)
COMMANDS: dict[str, Route] = {name: route for f in FEATURES for name, route in getattr(f, "COMMANDS", {}).items()}
BUTTONS: dict[str, Route] = {prefix: route for f in FEATURES for prefix, route in getattr(f, "BUTTONS", {}).items()}


async def handle(services: Services, incoming: Incoming) -> list[Reply]:
    """Answer one incoming message or button; never raises."""
    try:
        return await _handle(services, incoming)
    except Stale:
        return []
    except Exception:
        log.exception("handling an update from %s failed", incoming.channel)
        return [Reply(t("error.internal"))]


async def _handle(services: Services, incoming: Incoming) -> list[Reply]:
    route, arg = _route(incoming)
    now = services.clock()

    def read_and_answer(tx):
        # One transaction: who is writing, the claim on this update (a redelivered one is
        # answered once), and, for a plain answer to an open form, the answer taken and stored.
        conversation = tx.forms.conversation(incoming.channel, incoming.user_id)
        if incoming.update_key and not tx.forms.claim(incoming.update_key, now):
            return None, None
        identity, session = conversation.identity, conversation.session
        if (route is not None or incoming.command or identity is None or identity.role is None
                or session is None or now - session.updated_at > services.form_max_idle):
            return conversation, None
        return conversation, services.engine.step_inside(tx, identity, session, incoming)

    conversation, turn = await services.storage.atomic(read_and_answer)
    if conversation is None:
        return []
    if turn is not None:
        return services.engine.replies(turn)
    identity, session = conversation.identity, conversation.session
    command = incoming.command
    if command and command[0] == "start":
        return await onboarding.start(services, incoming, command[1], identity)
    if identity is None or identity.role is None:
        return onboarding.stranger_reply()
    if identity.person.chat_id != incoming.chat_id or (
        incoming.display_name and identity.person.display_name != incoming.display_name
    ):
        await services.storage.people.touch(identity.person.id, incoming.chat_id,
                                            incoming.display_name or identity.person.display_name)

    notices: list[Reply] = []
    if session is not None and now - session.updated_at > services.form_max_idle:
        await services.storage.forms.finish(session.id, session.version)
        notices.append(Reply(t("form.expired", title=t(f"{session.form}.title"),
                               started=local_today(session.started_at), days=services.form_max_idle.days)))
        session = None

    request = Request(incoming, identity, session, arg)
    if route is not None:
        if not route.allows(identity):
            return notices + [Reply(t("not_allowed"))]
        return notices + await route.handler(services, request)
    if command:
        return notices + [Reply(t("unknown_command"), menu.home_buttons(request))]
    if incoming.button and incoming.button.startswith("f:"):
        return notices + [Reply(t("form.gone"))]
    if incoming.other == "edited":
        return notices + [Reply(t("edited_no_form"))]
    if incoming.other:
        return notices + [Reply(t("other_no_form"), menu.home_buttons(request))]
    return notices + [Reply(t("help.no_form"), menu.home_buttons(request))]


def _route(incoming: Incoming) -> tuple[Route | None, str]:
    """The route for a command or a button, with its argument; (None, "") for anything else."""
    command = incoming.command
    if command:
        return COMMANDS.get(command[0]), command[1]
    if incoming.button:
        prefix, _, rest = incoming.button.partition(":")
        if prefix == "cmd":
            name, _, arg = rest.partition(":")
            return COMMANDS.get(name), arg
        return BUTTONS.get(prefix), rest
    return None, ""

