"""The home menu and help: what a person can do, as buttons."""

from __future__ import annotations

from handlers.context import Request, Route, Services
from domain.conversation import FORM_ROUTE, Action, Button, Reply, rows
from domain.forms.engine import form_title
from messages_vi import t


def home_buttons(request: Request) -> tuple[tuple[Button, ...], ...]:
    """The buttons of the home menu for this person's role, plus "continue" for an open form."""
    if request.identity.is_officer:
        buttons = [
            Button(t("menu.digest"), Action.command("tonghop")), Button(t("menu.export"), Action.command("xuat")),
            Button(t("menu.deadlines"), Action.command("lich")), Button(t("menu.units"), Action.command("chidoan")),
            Button(t("bcd.menu"), Action.command("bachudong")), Button(t("menu.me"), Action.command("toi")),
        ]
    else:
        buttons = [
            Button(t("menu.meeting"), Action.command("sinhhoat")), Button(t("menu.oneplusone"), Action.command("motcongmot")),
            Button(t("menu.deadlines"), Action.command("lich")), Button(t("menu.reports"), Action.command("baocao")),
            Button(t("menu.digest"), Action.command("tonghop")), Button(t("menu.card"), Action.command("chidoan")),
            Button(t("menu.me"), Action.command("toi")),
        ]
    session = request.session
    resume = []
    title = form_title(session.form) if session is not None else None     # None: the form was removed
    if title is not None:
        resume = [Button(t("form.button.keep_old", title=title), Action(FORM_ROUTE, (session.id, session.version, "r")))]
    return rows(*resume, width=1) + rows(*buttons)


async def help_text(services: Services, request: Request) -> str:
    """What the bot does for this person; an officer's says on which day their weekly digest comes, if on."""
    if not request.identity.is_officer:
        return t("help.branch")
    pref = await services.storage.digests.pref(request.identity.person.id)
    weekly = t("weekly.state.on", weekday=t(f"weekly.weekday.{pref.weekday}")) if pref.enabled else t("weekly.state.off")
    return t("help.officer", weekly=weekly)


async def show_home(services: Services, request: Request) -> list[Reply]:
    """Say what the bot can do for this person, with the menu's buttons."""
    return [Reply(await help_text(services, request), home_buttons(request))]


COMMANDS = {
    "menu": Route(show_home),
    "trogiup": Route(show_home),
    "help": Route(show_home),
}
