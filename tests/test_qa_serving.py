"""QA of the bot as deployed (`python -m bot serve`): Zalo pushing to the web app's webhook, files
offered as signed links, what a person or a stranger sees when something goes wrong. Each test is
named for what someone did; the Zalo side is the fake Bot API on loopback (tests/support/fake_zalo.py)."""

from __future__ import annotations

import asyncio
import json
from contextlib import asynccontextmanager
from datetime import datetime, timedelta, timezone

import httpx
import pytest

from bot import app as wiring
from bot.channels.links import ExportLinks
from bot.channels.zalo import ZaloChannel, read_update
from bot.channels.zalo_api import ZaloBotAPI, ZaloTokenRejected
from bot.scheduler import Scheduler
from bot.web import Accepted, ChatHasher, Intake, Webhook, create_app
from domain.deadlines.calendar import load_calendar
from messages_vi import t
from tests.support import make_invite
from tests.support.fake_zalo import TOKEN, FakeZalo

SECRET = "zalo-webhook-secret-42"
HEADER = "X-Bot-Api-Secret-Token"
PUBLIC_URL = "https://bot.example.org"
LAN = "7a0c1e9b3f5d2b8e4c6a"
JPEG = b"\xff\xd8\xff\xe0" + b"\x00" * 64


class Pushed:
    """The Zalo channel behind the web app's /zalo webhook (as `serve` wires it), the fake Zalo
    behind the channel, and an httpx client on the ASGI app."""

    def __init__(self, fake: FakeZalo, channel: ZaloChannel, client: httpx.AsyncClient, hook, task: asyncio.Task):
        self.fake, self.channel, self.client, self.hook, self.task = fake, channel, client, hook, task

    async def post(self, body, secret: str = SECRET) -> httpx.Response:
        if isinstance(body, (bytes, str)):
            return await self.client.post(self.hook.path, content=body, headers={HEADER: secret})
        return await self.client.post(self.hook.path, json=body, headers={HEADER: secret})

    async def say(self, update: dict) -> str:
        """Post one update; everything the bot sent back to its chat, joined."""
        chat = update["message"]["chat"]["id"]
        before = len(self.fake.texts(chat))
        assert (await self.post(update)).status_code == 200
        for _ in range(500):
            await asyncio.sleep(0.01)
            if len(self.fake.texts(chat)) > before and self.channel.in_flight == 0:
                break
        return "\n".join(self.fake.texts(chat)[before:])


@asynccontextmanager
async def pushed(services, links: ExportLinks | None = None, **options):
    async with FakeZalo(poll_cap=0.2) as fake, ZaloBotAPI(TOKEN, fake.base_url, timeout=2.0) as api:
        channel = ZaloChannel(services, api, typing_after=None, links=links, **options)
        stop = asyncio.Event()
        intake = Intake(services.storage, services.clock)
        pushes = wiring.ZaloPushes(channel, stop, intake)
        push = wiring.Push(f"{PUBLIC_URL}/zalo", SECRET, HEADER)
        hook = pushes.webhook(push)
        scheduler = Scheduler(services, load_calendar(None), [channel], tick_seconds=60)
        health = wiring.Health(services, scheduler, 60, stop, [hook])
        asgi = create_app([hook], health.check, hash_chat=ChatHasher(b"k"), links=links, clock=services.clock)
        task = asyncio.create_task(wiring._zalo_pushes(channel, pushes, stop, push))
        for _ in range(300):
            if pushes.open:
                break
            await asyncio.sleep(0.01)
        transport = httpx.ASGITransport(app=asgi, raise_app_exceptions=False)
        async with httpx.AsyncClient(transport=transport, base_url="http://bot") as client:
            try:
                yield Pushed(fake, channel, client, hook, task)
            finally:
                stop.set()
                await asyncio.wait_for(asyncio.gather(task, return_exceptions=True), 10)
                await intake.close()


# --- the webhook -------------------------------------------------------------------------------------

async def test_a_body_nested_thousands_deep_on_the_zalo_webhook_is_400_not_an_internal_error(services, caplog):
    async with pushed(services) as bot:
        for body in (b"[" * 100_000, b'{"a":' * 50_000 + b"1" + b"}" * 50_000):
            response = await bot.post(body)
            assert response.status_code == 400
        assert bot.hook.counts["400"] == 2 and bot.fake.sent == []
    assert "Traceback" not in caplog.text and "RecursionError" in caplog.text


REVOKED = "3618093452916839011:" + "r" * 45        # the token Zalo holds after the old one was revoked


async def test_a_token_revoked_while_zalo_pushes_stops_the_bot_in_vietnamese_as_when_polling(services):
    async with pushed(services) as bot:
        assert await bot.say(bot.fake.text_update(LAN, "Xin chào")) == t("stranger")
        bot.fake.token = REVOKED
        assert (await bot.post(bot.fake.text_update(LAN, "Xin chào"))).status_code == 200
        with pytest.raises(ZaloTokenRejected) as caught:
            await asyncio.wait_for(asyncio.shield(bot.task), 5)
    assert str(caught.value) == t("zalo.token_rejected")


async def test_one_bot_of_several_whose_token_is_revoked_under_webhooks_stops_alone_and_says_so(services, capsys):
    async with pushed(services, key="cu", stops_alone=True) as bot:
        bot.fake.token = REVOKED
        update = bot.fake.text_update(LAN, "Xin chào")
        assert (await bot.post(update)).status_code == 200
        await asyncio.wait_for(asyncio.shield(bot.task), 5)             # this bot stopped; the process goes on
        assert bot.channel.refused and (await bot.post(bot.fake.text_update(LAN, "Alo"))).status_code == 503
    assert t("startup.zalo_bot_refused", bot="cu") in capsys.readouterr().err.splitlines()


async def test_an_update_zalo_posts_with_a_utf8_bom_is_still_answered_after_a_crash(services):
    """The body went to the inbox as posted; a process killed after the 200 must find it readable."""
    hang, taken = asyncio.Event(), []

    def accept(data):
        taken.append(data)
        return Accepted(chat=LAN, kind="message.text.received", update="m1", key="zalo:m1",
                        start=lambda: asyncio.create_task(hang.wait()))       # killed before it answered

    intake = Intake(services.storage, services.clock)
    hook = Webhook("zalo", "/zalo", HEADER, SECRET, accept, ready=lambda: True, intake=intake)
    asgi = create_app([hook], lambda: None, hash_chat=ChatHasher(b"k"))
    update = {"event_name": "message.text.received",
              "message": {"message_id": "m1", "text": "Chi đoàn ấp Một", "from": {"id": LAN},
                          "chat": {"id": LAN, "chat_type": "PRIVATE"}}}
    body = "\ufeff".encode() + json.dumps(update, ensure_ascii=False).encode()
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=asgi), base_url="http://bot") as client:
        assert (await client.post("/zalo", content=body, headers={HEADER: SECRET})).status_code == 200
    assert await Intake(services.storage, services.clock).replay(hook) == 1    # the next start
    assert taken == [update, update]
    hang.set()
    await intake.close()


# --- images ------------------------------------------------------------------------------------------

def test_an_image_whose_url_zalo_sends_as_photo_is_read_as_a_photo_to_fetch():
    def image(**fields):
        return {"event_name": "message.image.received",
                "message": {"message_id": "m1", "date": 1, "from": {"id": "u1", "display_name": "Lan"},
                            "chat": {"id": "u1", "chat_type": "PRIVATE"}, **fields}}

    assert read_update(image(photo="https://f.zdn.vn/a.jpg", caption="Biên bản")).photo_url == "https://f.zdn.vn/a.jpg"
    assert read_update(image(photo_url=" https://f.zdn.vn/b.jpg ")).photo_url == "https://f.zdn.vn/b.jpg"
    assert read_update(image(photo_url="", photo="https://f.zdn.vn/c.jpg")).photo_url == "https://f.zdn.vn/c.jpg"
    assert read_update(image(photo={"width": 3})).photo_url is None
    assert read_update(image()).other == "photo" and read_update(image()).photo_url is None


async def test_a_secretary_sending_an_evidence_photo_zalo_pushes_as_photo_gets_it_kept(services):
    code = await make_invite(services, "B1")
    async with pushed(services) as bot:
        await bot.say(bot.fake.text_update(LAN, f"/start {code}"))
        assert "1. Hôm nay" in await bot.say(bot.fake.text_update(LAN, "sinh hoat"))
        update = bot.fake.text_update(LAN, "")
        message = {k: v for k, v in update["message"].items() if k != "text"}
        image = {"event_name": "message.image.received",
                 "message": message | {"photo": bot.fake.photo_url_for("bien-ban.jpg", JPEG)}}
        answer = await bot.say(image)
    assert answer.startswith(t("photo.waiting", count=1, most=10))
    assert not answer.startswith(t("other_no_form"))


# --- export links ------------------------------------------------------------------------------------

NOW = datetime(2026, 11, 23, 2, 0, tzinfo=timezone.utc)


@asynccontextmanager
async def serving_links(tmp_path, clock):
    links = ExportLinks(b"key", tmp_path / "links", PUBLIC_URL)
    source = tmp_path / "tonghop-B1-2026-11.xlsx"
    source.write_bytes(b"PK spreadsheet")
    url, _ = links.publish("B1", source, NOW)
    asgi = create_app([], lambda: None, hash_chat=ChatHasher(b"k"), links=links, clock=lambda: clock["now"])
    transport = httpx.ASGITransport(app=asgi, raise_app_exceptions=False)
    async with httpx.AsyncClient(transport=transport, base_url="http://bot") as client:
        yield client, url.removeprefix(PUBLIC_URL)


async def test_a_link_whose_expiry_is_a_superscript_digit_is_404_not_an_internal_error(tmp_path):
    async with serving_links(tmp_path, {"now": NOW}) as (client, path):
        assert (await client.get(path)).status_code == 200
        for expires in ("%C2%B2", "%C2%B9%C2%B2", "%D9%A1%D9%A2"):           # ², ¹², Arabic-Indic 12
            response = await client.get(f"/export/B1/tonghop-B1-2026-11.xlsx?expires={expires}&sig=ab")
            assert response.status_code == 404
        assert (await client.get(path.replace(".xlsx?", ".xlsx%0A?"))).status_code == 404


async def test_an_expired_link_tapped_in_zalo_says_in_vietnamese_how_to_get_a_new_one(tmp_path):
    clock = {"now": NOW}
    async with serving_links(tmp_path, clock) as (client, path):
        first, again = await client.get(path), await client.get(path)      # fetched twice: the same file
        assert first.content == again.content == b"PK spreadsheet"
        clock["now"] = NOW + timedelta(hours=24, seconds=1)
        expired = await client.get(path)
        other_unit = await client.get(path.replace("/B1/", "/B2/"))
    assert expired.status_code == 410 and other_unit.status_code == 404
    for response, key in ((expired, "export_link.expired"), (other_unit, "export_link.not_found")):
        assert response.headers["content-type"] == "text/html; charset=utf-8"
        assert t(key) in response.text and '<html lang="vi">' in response.text
        assert response.headers["cache-control"] == "no-store"
    assert "24 giờ" in expired.text and "PK" not in expired.text
