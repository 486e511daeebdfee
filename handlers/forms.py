"""Starting, resuming and cancelling forms: /sinhhoat, /motcongmot, /capnhat, /huy.

A person has one form open at a time; starting another asks whether to drop the first.
"""

from __future__ import annotations

from handlers.context import BRANCH_STAFF, Request, Route, Services
from domain.conversation import Button, Reply, rows
from messages_vi import t


async def open_form(services: Services, request: Request, target: str) -> list[Reply]:
    """Start a form (or a correction, target "meeting:12"), asking first if another one is open."""
    form_name, _, report = target.partition(":")
    session = request.session
    if session is not None:
        if session.form == form_name and not report:
            return [services.engine.current(request.identity, session)]      # resume it
        old, new = t(f"{session.form}.title"), t(f"{form_name}.title")
        return [Reply(t("form.open_other", title=old, new=new), rows(
            Button(t("form.button.keep_old", title=old), f"f:{session.id}:{session.version}:r"),
            Button(t("form.button.drop_old", new=new), f"o:{session.id}:{target}"),
            width=1,
        ))]
    return await _begin(services, request, target, replace=False)


async def _begin(services: Services, request: Request, target: str, replace: bool) -> list[Reply]:
    from handlers.reports import correction            # reports imports this module

    form_name, _, report = target.partition(":")
    if report:
        prepared = await correction(services, request, form_name, report)
        if isinstance(prepared, list):
            return prepared                            # refused: not theirs, or the period closed
        answers, flags, report_id = prepared
        return await services.engine.begin(request.identity, form_name, request.incoming, answers=answers,
                                           flags=flags, report_id=report_id, replace=replace)
    return await services.engine.begin(request.identity, form_name, request.incoming, replace=replace)


async def replace_form(services: Services, request: Request) -> list[Reply]:
    """Button o:<session>:<target>: drop the open form and start the one asked for."""
    session_id, _, target = request.arg.partition(":")
    session = request.session
    if session is None or str(session.id) != session_id:
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
