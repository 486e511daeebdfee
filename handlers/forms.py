"""Starting, resuming and cancelling forms: /sinhhoat, /motcongmot, /capnhat, /huy, and a whole
report typed in one message ("sinh hoat hom qua 18 nguoi truc tuyen") with no form open.

A person has one form open at a time; starting another asks whether to drop the first.
"""

from __future__ import annotations

from handlers.context import BRANCH_STAFF, Request, Route, Services
from handlers.corrections import correction
from domain.conversation import FORM_ROUTE, Action, Button, Reply, rows
from domain.forms import one_line
from domain.forms.engine import gone_reply
from messages_vi import t


async def open_form(services: Services, request: Request, target: str) -> list[Reply]:
    """Start a form (or a correction, target "meeting:12"), asking first if another one is open."""
    form_name, _, report = target.partition(":")
    session = request.session
    engine = services.engine
    if form_name not in engine.forms:                  # a form this bot no longer has
        return [gone_reply(t("form.unavailable"))]
    if session is not None and session.form not in engine.forms:
        # the open form was removed from the bot: it goes, and the one asked for starts
        dropped = Reply(t("form.removed.dropped", title=engine.title_of(session)))
        if not await engine.cancel(request.identity, session, request.incoming):
            return []                                  # it moved meanwhile: that update answers
        return [dropped] + await _begin(services, request, target, replace=True)
    if session is not None:
        if session.form == form_name and not report:
            return await engine.resume(request.identity, session)          # resume it
        old, new = engine.title_of(session), t(engine.forms[form_name].title)
        if session.form == form_name:          # a correction asked for while a new report is open
            text, drop = t("form.open_same", title=old), t("form.button.drop_for_fix")
        else:
            text, drop = t("form.open_other", title=old, new=new), t("form.button.drop_old", new=new)
        return [Reply(text, rows(
            Button(t("form.button.keep_old", title=old), Action(FORM_ROUTE, (session.id, session.version, "r"))),
            Button(drop, Action("o", (session.id, *target.split(":")))),
            width=1,
        ))]
    return await _begin(services, request, target, replace=False)


async def _begin(services: Services, request: Request, target: str, replace: bool) -> list[Reply]:
    form_name, _, report = target.partition(":")
    if report:
        prepared = await correction(services, request, form_name, report)
        if isinstance(prepared, list):
            return prepared                            # refused: not theirs, or the period closed
        answers, flags, report_id = prepared
        return await services.engine.begin(request.identity, form_name, request.incoming, answers=answers,
                                           flags=flags, report_id=report_id, replace=replace)
    return await services.engine.begin(request.identity, form_name, request.incoming, replace=replace)


async def from_line(services: Services, request: Request) -> list[Reply] | None:
    """A whole report typed in one message with no form open: its form opens with every answer
    the line gives, asking only for the rest. None when the line reports nothing."""
    engine = services.engine
    reading = one_line.recognise(engine.forms.values(), request.incoming.text or "",
                                 engine.context(request.identity))
    if reading is None:
        return None
    if request.identity.role not in reading.form.roles:           # an officer: the way to their own menu
        return [Reply(t("not_allowed"), rows(Button(t("menu.home"), Action.command("menu"))))]
    return await engine.begin(request.identity, reading.form.name, request.incoming, reading=reading)


async def replace_form(services: Services, request: Request) -> list[Reply]:
    """Button o:<session>:<target>: drop the open form and start the one asked for."""
    session_id, target = request.action.number(0), ":".join(map(str, request.action.args[1:]))
    session = request.session
    if session is None or session.id != session_id:
        return [Reply(t("form.gone"))]
    if target.partition(":")[0] not in services.engine.forms:
        return [Reply(t("button_stale"))]
    return await _begin(services, request, target, replace=True)


async def cancel(services: Services, request: Request) -> list[Reply]:
    """/huy: drop the open form."""
    if request.session is None:
        return [Reply(t("form.nothing_open"))]
    return await services.engine.cancel(request.identity, request.session, request.incoming)


def _starter(form_name: str):
    async def start(services: Services, request: Request) -> list[Reply]:
        return await open_form(services, request, form_name)

    start.__doc__ = f"Open the {form_name} form."
    return start


COMMANDS = {
    "sinhhoat": Route(_starter("meeting"), BRANCH_STAFF),
    "motcongmot": Route(_starter("oneplusone"), BRANCH_STAFF),
    "capnhat": Route(_starter("members"), BRANCH_STAFF),
    "huy": Route(cancel),
}
BUTTONS = {
    "o": Route(replace_form),
}
