"""A failing or stuck handler answers its person with a reference and frees the chat."""

from __future__ import annotations

import asyncio
import logging
import re

from handlers import router
from handlers.context import Route
from tests.support import joined


async def test_an_error_is_answered_with_a_reference_found_in_the_log(services, monkeypatch, caplog):
    chat = await joined(services, "u1", "B1")

    async def broken(services, request):
        raise RuntimeError("a bug in a feature")

    monkeypatch.setitem(router.COMMANDS, "toi", Route(broken))
    with caplog.at_level(logging.ERROR, logger="handlers.router"):
        [reply] = await chat.say("/toi")
    ref = re.search(r"Mã lỗi ([0-9a-f]{6})", reply.text).group(1)
    assert f"[ref {ref}]" in caplog.text and "a bug in a feature" in caplog.text
    assert "Tôi" not in caplog.text                                   # no message text in the log
    assert "Chi đoàn ấp Một" in (await chat.say("/chidoan"))[0].text   # the next message works


async def test_a_stuck_handler_is_stopped_and_the_person_told(services, monkeypatch):
    chat = await joined(services, "u1", "B1")
    never = asyncio.Event()

    async def stuck(services, request):
        await never.wait()

    monkeypatch.setitem(router.COMMANDS, "toi", Route(stuck))
    monkeypatch.setattr(router, "HANDLER_TIMEOUT", 0.05)
    [reply] = await asyncio.wait_for(chat.say("/toi"), 2)
    assert "xử lý quá lâu" in reply.text and re.search(r"Mã lỗi [0-9a-f]{6}", reply.text)
