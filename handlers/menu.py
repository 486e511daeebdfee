"""The home menu and help: what a person can do, as buttons."""

from __future__ import annotations

from handlers.context import Request, Route, Services
from domain.conversation import Button, Reply, rows
from messages_vi import t


def home_buttons(request: Request) -> tuple[tuple[Button, ...], ...]:
    """The buttons of the home menu for this person's role, plus "continue" for an open form."""
    if request.identity.is_officer:
        buttons = [
            Button(t("menu.digest"), "cmd:tonghop"), Button(t("menu.export"), "cmd:xuat"),
            Button(t("menu.deadlines"), "cmd:lich"), Button(t("menu.units"), "cmd:chidoan"),
            Button(t("menu.me"), "cmd:toi"),
        ]
    else:
        buttons = [
            Button(t("menu.meeting"), "cmd:sinhhoat"), Button(t("menu.oneplusone"), "cmd:motcongmot"),
            Button(t("menu.deadlines"), "cmd:lich"), Button(t("menu.reports"), "cmd:baocao"),
            Button(t("menu.digest"), "cmd:tonghop"), Button(t("menu.card"), "cmd:chidoan"),
            Button(t("menu.me"), "cmd:toi"),
        ]
    session = request.session
    resume = []
    if session is not None:
        title = t(f"{session.form}.title")
        resume = [Button(t("form.button.keep_old", title=title), f"f:{session.id}:{session.version}:r")]
    return rows(*resume, width=1) + rows(*buttons)


def help_text(request: Request) -> str:
    return t("help.officer" if request.identity.is_officer else "help.branch")


async def show_home(services: Services, request: Request) -> list[Reply]:
    """Say what the bot can do for this person, with the menu's buttons."""
    return [Reply(help_text(request), home_buttons(request))]


COMMANDS = {
    "menu": Route(show_home),
    "trogiup": Route(show_home),
    "help": Route(show_home),
}
