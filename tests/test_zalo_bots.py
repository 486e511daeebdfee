"""Several Zalo bots in one deployment (issue 11, item 6), against the fake Zalo Bot API on loopback:
each bot answers the invite codes of its units only, counts its own monthly quota and warns at its
own 80%, and what the bot sends a person goes through the bot they joined with; `python -m bot`
runs them all in one process (a poller each, or a webhook path each), and a bot whose token Zalo
refuses stops alone. And files on Zalo (item 3): offered as the web app's signed link, or with how
to get them when no web app runs."""

from __future__ import annotations

import asyncio
import json
import os
import sys
import time
from contextlib import AsyncExitStack, asynccontextmanager
from pathlib import Path

import httpx
import pytest

from bot import app
from bot.channels.links import ExportLinks
from bot.channels.zalo import ZaloChannel, open_channels
from bot.channels.zalo_api import ZaloBotAPI
from bot.settings import load
from bot.web import ChatHasher, create_app
from domain.conversation import BotUnits, Reply
from domain.sender import Limits, Sender
from messages_vi import t
from storage.outbox import NewMessage
from tests.contract.helpers import join
from tests.support import make_invite, seed_tree
from tests.support.fake_zalo import TOKEN, FakeZalo
from tests.support.web import free_port

# Shaped like tokens, not real. The tree (tests/support): P > D1 > G1 > B1, B2; D1 > G2 > B5;
# P > D2 > B3; D2 > G3 > B4. Bot "mot" has G1's subtree, bot "hai" D2's.
MOT_TOKEN = "4718093452916839022:aQ7vN2xLp9WmR4tYbZ8cHsD1fJ6gUa3eXo5iVn0qTrKyM"
HAI_TOKEN = "5818093452916839033:bR8wO3yMq0XnS5uZcA9dItE2gK7hVb4fYp6jWo1rUsLzN"
BOTS = {"mot": (MOT_TOKEN, ("G1",)), "hai": (HAI_TOKEN, ("D2",))}
LAN, NAM, HOA = "7a0c1e9b3f5d2b8e4c6a", "3b9d5f7a1c2e4b6d8f0a", "9c8b7a6f5e4d3c2b1a0f"
PUBLIC_URL = "https://chidoan.example.vn"
SECRET = "zalo-webhook-secret-42"


def bots_file(folder: Path, bots: dict = BOTS, extra: str = "") -> Path:
    path = folder / "zalo-bots.toml"
    path.write_text("".join(f'[[bot]]\nkey = "{key}"\ntoken = "{token}"\nunits = {json.dumps(list(units))}\n{extra}\n'
                            for key, (token, units) in bots.items()), encoding="utf-8")
    return path


@pytest.fixture
async def fakes():
    """One fake platform: bot "mot" serving "hai" and the ZALO_BOT_TOKEN bot too (one base URL)."""
    async with FakeZalo(MOT_TOKEN, poll_cap=0.2) as mot:
        hai, first = FakeZalo(HAI_TOKEN, poll_cap=0.2), FakeZalo(TOKEN, poll_cap=0.2)
        mot.serve_also(hai, first)
        yield {"mot": mot, "hai": hai, None: first}


def settings_for(tmp_path: Path, fakes: dict, **env: str):
    """Settings with a bots file (by default BOTS'), the API at the fakes, the data under tmp_path."""
    if "ZALO_BOTS_FILE" not in env:
        env["ZALO_BOTS_FILE"] = str(bots_file(tmp_path))
    env = {"ZALO_API_BASE_URL": fakes["mot"].base_url, "DATA_DIR": str(tmp_path), **env}
    return load(env=env, env_file=tmp_path / "none.env")


@asynccontextmanager
async def polling(channels: list[ZaloChannel]):
    """The channels polling in tasks; stopped (their work in flight finished) and closed at the end."""
    stop = asyncio.Event()
    tasks = [asyncio.create_task(channel.run(stop)) for channel in channels]
    try:
        yield {channel.key: channel for channel in channels}
    finally:
        stop.set()
        await asyncio.wait_for(asyncio.gather(*tasks), 10)
        for channel in channels:
            await channel.close()


async def until(condition, timeout: float = 10.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError("timed out")
        await asyncio.sleep(0.01)


async def say(channel: ZaloChannel, fake: FakeZalo, user: str, text: str, name: str = "Nguyễn Thị Lan") -> str:
    """`user` types `text` to the bot of `channel`; returns everything that bot sent back, joined."""
    before, sent = channel.stats["updates"], len(fake.texts(user))
    fake.push_text(user, text, display_name=name)
    await until(lambda: fake.pending == 0 and channel.stats["updates"] > before and channel.in_flight == 0)
    return "\n".join(fake.texts(user)[sent:])


def no_token(text: str) -> bool:
    return all(token not in text and token.split(":")[1] not in text for token in (MOT_TOKEN, HAI_TOKEN, TOKEN))


# --- which bot answers a code ---------------------------------------------------------------------------

def test_a_bot_takes_the_codes_of_its_subtrees_but_not_of_a_subtree_named_for_another_bot():
    commune = BotUnits(own=frozenset({"G1"}), others=frozenset({"B2", "D2"}))
    first = BotUnits(others=frozenset({"G1", "B2", "D2"}), rest=True)
    assert commune.takes(["P", "D1", "G1"]) and commune.takes(["P", "D1", "G1", "B1"])
    assert not commune.takes(["P", "D1", "G1", "B2"])              # the nearest bot named is B2's
    assert not commune.takes(["P", "D2", "B3"]) and not commune.takes(["P", "D1", "G2", "B5"])
    assert first.takes(["P", "D1", "G2", "B5"]) and first.takes(["P"])
    assert not first.takes(["P", "D1", "G1", "B1"]) and not first.takes(["P", "D1", "G1", "B2"])


async def test_each_bot_answers_its_units_codes_only_and_a_code_to_another_bot_is_a_bad_code(services, tmp_path,
                                                                                           fakes):
    mot_code, hai_code = await make_invite(services, "B1"), await make_invite(services, "B3")
    settings = settings_for(tmp_path, fakes)
    async with polling(await open_channels(settings, services)) as bots:
        assert set(bots) == {"mot", "hai"} and {c.name for c in bots.values()} == {"zalo:mot", "zalo:hai"}
        wrong = await say(bots["hai"], fakes["hai"], LAN, mot_code)              # B1 is "mot"'s
        assert wrong == t("start.bad_code") and "Chi đoàn" not in wrong
        assert await say(bots["hai"], fakes["hai"], LAN, f"/start {mot_code}") == t("start.bad_code")
        welcome = await say(bots["mot"], fakes["mot"], LAN, mot_code)            # not used up by the refusal
        assert "Chi đoàn ấp Một" in welcome.split("\n")[0]
        assert "Chi đoàn Bệnh viện" in await say(bots["hai"], fakes["hai"], NAM, hai_code, name="Trần Văn Nam")
        assert await say(bots["mot"], fakes["mot"], HOA, hai_code) == t("start.bad_code")
    # who joined through which bot: the person's channel names it
    assert [(p.external_id, role) for p, role, _ in await services.storage.people.on_channel("zalo:mot")] == \
        [(LAN, "secretary")]
    assert [(p.external_id, role) for p, role, _ in await services.storage.people.on_channel("zalo:hai")] == \
        [(NAM, "secretary")]
    assert await services.storage.people.on_channel("zalo") == []
    assert fakes[None].calls == []                                                # no ZALO_BOT_TOKEN: no such bot


async def test_what_the_bot_sends_a_person_goes_through_their_bot_counted_in_that_bots_quota(services, tmp_path,
                                                                                            fakes):
    settings = settings_for(tmp_path, fakes)
    lan = await join(services.storage, services.clock(), LAN, await services.storage.units.by_code("B1"),
                     channel="zalo:mot")
    nam = await join(services.storage, services.clock(), NAM, await services.storage.units.by_code("B4"),
                     channel="zalo:hai")
    bots = {channel.key: channel for channel in await open_channels(settings, services)}
    try:
        messages = [NewMessage(f"r-{person.person.id}-{i}", person.person.id,
                               json.dumps(Reply(f"⏰ Nhắc hạn số {i}").to_dict(), ensure_ascii=False))
                    for person in (lan, nam) for i in range(3)]
        await services.storage.outbox.enqueue(messages, services.clock())
        # one sender a bot, as the scheduler runs them (each drains until the whole outbox is sent)
        await asyncio.gather(*(Sender(services.storage, channel, Limits(rate=200, chat_gap=0), clock=services.clock,
                                      budget=channel.budget).drain(timeout=20) for channel in bots.values()))
        assert fakes["mot"].texts() == [f"⏰ Nhắc hạn số {i}" for i in range(3)]
        assert {s.chat_id for s in fakes["mot"].sent} == {lan.person.chat_id}
        assert fakes["hai"].texts() == [f"⏰ Nhắc hạn số {i}" for i in range(3)]
        assert {s.chat_id for s in fakes["hai"].sent} == {nam.person.chat_id}
        await bots["mot"].deliver(lan.person.chat_id, Reply("một câu trả lời"), urgent=True)
        assert (await bots["mot"].quota.used(), await bots["hai"].quota.used()) == (4, 3)
        assert await bots["mot"].quota.bot() != await bots["hai"].quota.bot()
        assert no_token(await bots["mot"].quota.bot() + await bots["hai"].quota.bot())
    finally:
        for channel in bots.values():
            await channel.close()


async def test_each_bot_warns_the_officers_at_its_own_80_percent(services, tmp_path, fakes):
    settings = settings_for(tmp_path, fakes, ZALO_BOTS_FILE=str(bots_file(tmp_path, extra="quota = 5")))
    officer = await join(services.storage, services.clock(), "p", await services.storage.units.by_code("P"),
                         role="officer")

    async def warnings() -> list[tuple[str, str]]:
        return [(key, json.loads(payload)["text"]) for key, _, payload in
                await services.storage.outbox.sent_to(officer.person.chat_id) if key.startswith("quota:")]

    bots = {channel.key: channel for channel in await open_channels(settings, services)}
    try:
        assert bots["mot"].quota.limit == 5 and bots["mot"].quota.warn_at == 4
        for i in range(4):
            await bots["mot"].deliver("chat-lan", Reply(f"trả lời {i}"), urgent=True)
        [(key, text)] = await warnings()
        assert key.startswith("quota:zalo:mot:") and no_token(key)
        assert text == t("quota.warning", channel="Zalo (tài khoản mot)", count="4", limit="5", month="11/2026")
        for i in range(3):
            await bots["hai"].deliver("chat-nam", Reply(f"trả lời {i}"), urgent=True)
        assert len(await warnings()) == 1                                    # "hai" has sent 3 of its 5
        await bots["hai"].deliver("chat-nam", Reply("thêm"), urgent=True)
        assert sorted(text for _, text in await warnings()) == sorted(
            t("quota.warning", channel=f"Zalo (tài khoản {key})", count="4", limit="5", month="11/2026")
            for key in ("mot", "hai"))
    finally:
        for channel in bots.values():
            await channel.close()


async def test_the_zalo_bot_token_bot_beside_a_file_answers_the_units_no_bot_of_the_file_names(services, tmp_path,
                                                                                              fakes):
    b5, b1 = await make_invite(services, "B5"), await make_invite(services, "B1")
    settings = settings_for(tmp_path, fakes, ZALO_BOT_TOKEN=TOKEN)
    async with polling(await open_channels(settings, services)) as bots:
        assert set(bots) == {None, "mot", "hai"} and bots[None].name == "zalo"
        assert await say(bots[None], fakes[None], LAN, b1) == t("start.bad_code")           # "mot"'s
        assert "Chi đoàn khu phố Năm" in await say(bots[None], fakes[None], LAN, b5)       # nobody else's
        assert await say(bots["mot"], fakes["mot"], NAM, b5) == t("start.bad_code")
    assert [p.external_id for p, _, _ in await services.storage.people.on_channel("zalo")] == [LAN]


async def test_a_refused_bot_stops_alone_and_its_queued_messages_wait_unsent(services, fakes, capsys):
    revoked = "6918093452916839044:" + "r" * 45
    lan = await join(services.storage, services.clock(), LAN, await services.storage.units.by_code("B1"),
                     channel="zalo:cu")
    async with ZaloBotAPI(revoked, fakes["mot"].base_url) as api:
        channel = ZaloChannel(services, api, key="cu", stops_alone=True, typing_after=None)
        await asyncio.wait_for(channel.run(asyncio.Event()), 10)                # returns: no CannotStart
        assert channel.refused
        err = capsys.readouterr().err
        assert t("startup.zalo_bot_refused", bot="cu") in err.splitlines() and revoked.split(":")[1] not in err
        await services.storage.outbox.enqueue(
            [NewMessage("r1", lan.person.id, json.dumps(Reply("⏰ Nhắc hạn").to_dict()))], services.clock())
        sender = Sender(services.storage, channel, Limits(rate=200, chat_gap=0), clock=services.clock,
                        budget=channel.budget)
        assert await sender.drain_once() == 1
        await sender.settle()
    assert sender.stats["retry_after"] == 1 and sender.stats["sent"] == 0
    assert (await services.storage.outbox.counts()).get("queued") == 1           # kept for a good token
    assert fakes["mot"].calls == ["getMe"]                                        # and nothing was tried


# --- python -m bot with a bots file ---------------------------------------------------------------------

async def prepared(settings, *invites: str | tuple[str, str]) -> list[str]:
    """The database of `settings` with the tree and an invite code for each unit code (or (code, role))."""
    services = await app.open_services(settings.database_path)
    await seed_tree(services)
    made = [await make_invite(services, *((unit,) if isinstance(unit, str) else unit)) for unit in invites]
    await app.close_services(services)
    return made


async def test_python_m_bot_polls_every_bot_in_one_process(tmp_path, fakes):
    settings = settings_for(tmp_path, fakes)
    mot_code, hai_code = await prepared(settings, "B2", "B4")
    stop = asyncio.Event()
    serving = asyncio.create_task(app.serve(settings, stop=stop))
    try:
        fakes["hai"].push_text(NAM, mot_code)                                  # B2 is "mot"'s
        await until(lambda: fakes["hai"].texts(NAM), timeout=30)
        fakes["mot"].push_text(LAN, mot_code)
        fakes["hai"].push_text(NAM, hai_code)
        await until(lambda: fakes["mot"].texts(LAN) and len(fakes["hai"].texts(NAM)) >= 2, timeout=30)
    finally:
        stop.set()
        assert await asyncio.wait_for(serving, 30) == 0
    refused, welcome = fakes["hai"].texts(NAM)
    assert refused == t("start.bad_code") and "Chi đoàn ấp Bốn" in welcome
    assert "Chi đoàn ấp Hai" in fakes["mot"].texts(LAN)[0]
    assert fakes["mot"].calls[0] == fakes["hai"].calls[0] == "getMe"


async def test_a_bot_whose_token_zalo_refuses_stops_alone_naming_its_key(tmp_path, fakes, capsys):
    revoked = "6918093452916839044:" + "r" * 45
    settings = settings_for(tmp_path, fakes, ZALO_BOTS_FILE=str(bots_file(
        tmp_path, {"mot": BOTS["mot"], "cu": (revoked, ("G2",)), "hai": BOTS["hai"]})))
    [code] = await prepared(settings, "B3")
    stop = asyncio.Event()
    serving = asyncio.create_task(app.serve(settings, stop=stop))
    await until(lambda: "bot cu" in capsys.readouterr().err or serving.done(), timeout=30)
    assert not serving.done()                                               # the others run on
    fakes["hai"].push_text(NAM, code)
    await until(lambda: fakes["hai"].texts(NAM), timeout=30)
    stop.set()
    assert await asyncio.wait_for(serving, 30) == 0
    assert "Chi đoàn Bệnh viện" in fakes["hai"].texts(NAM)[0]
    err = capsys.readouterr()
    assert no_token(err.out + err.err) and revoked.split(":")[1] not in err.out + err.err



async def test_python_m_bot_with_every_bot_refused_says_so_and_stops(tmp_path, fakes):
    """Nothing left to run: one line per refused bot, naming its key, then the stop; no traceback."""
    revoked, old = "6918093452916839044:" + "r" * 45, "7018093452916839055:" + "o" * 45
    env = {"PATH": os.environ.get("PATH", ""), "HOME": str(tmp_path), "NO_PROXY": "*", "LOG_LEVEL": "DEBUG",
           "TELEGRAM_BOT_TOKEN": "", "ZALO_BOT_TOKEN": "", "ZALO_API_BASE_URL": fakes["mot"].base_url,
           "DATA_DIR": str(tmp_path),
           "ZALO_BOTS_FILE": str(bots_file(tmp_path, {"cu": (revoked, ("G2",)), "xua": (old, ("G3",))}))}
    process = await asyncio.create_subprocess_exec(sys.executable, "-m", "bot", cwd=tmp_path, env=env,
                                                   stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE)
    out, err = (part.decode() for part in await asyncio.wait_for(process.communicate(), 60))
    assert process.returncode == 1
    lines = err.splitlines()
    assert {t("startup.zalo_bot_refused", bot=key) for key in ("cu", "xua")} <= set(lines)
    assert t("startup.zalo_no_bot_left") in lines and "Traceback" not in err
    assert revoked.split(":")[1] not in out + err and old.split(":")[1] not in out + err


async def test_python_m_bot_serve_takes_each_bots_webhook_at_its_key_and_offers_files_as_links(tmp_path, fakes):
    port = free_port()
    settings = settings_for(tmp_path, fakes, ZALO_WEBHOOK_SECRET=SECRET, PUBLIC_URL=PUBLIC_URL, PORT=str(port))
    code, officer_code = await prepared(settings, "B1", ("D2", "officer"))
    base = f"http://127.0.0.1:{port}"
    stop = asyncio.Event()
    serving = asyncio.create_task(app.serve(settings, stop=stop, web=True))
    try:
        async with httpx.AsyncClient(timeout=10) as client:
            await until(lambda: fakes["mot"].webhook_url and fakes["hai"].webhook_url, timeout=30)
            assert fakes["mot"].webhook_url == f"{PUBLIC_URL}/zalo/mot"          # the key, never the token
            assert fakes["hai"].webhook_url == f"{PUBLIC_URL}/zalo/hai"
            assert fakes["mot"].webhook_secret == fakes["hai"].webhook_secret == SECRET

            async def post(key: str, user: str, text: str) -> None:
                update = fakes[key].text_update(user, text, "Người thử")
                for _ in range(200):                       # 503 until the webhook takes updates
                    response = await client.post(f"{base}/zalo/{key}", json={"ok": True, "result": update},
                                                 headers={"X-Bot-Api-Secret-Token": SECRET})
                    if response.status_code == 200:
                        return
                    await asyncio.sleep(0.05)
                raise AssertionError(f"/zalo/{key} answered {response.status_code}")

            assert (await client.post(f"{base}/zalo/mot", json={}, headers={})).status_code == 403
            assert (await client.post(f"{base}/zalo/{MOT_TOKEN}", json={},
                                      headers={"X-Bot-Api-Secret-Token": SECRET})).status_code == 404
            await post("mot", LAN, code)
            await until(lambda: fakes["mot"].texts(LAN), timeout=30)
            assert "Chi đoàn ấp Một" in fakes["mot"].texts(LAN)[0]
            await post("hai", NAM, officer_code)
            await until(lambda: fakes["hai"].texts(NAM), timeout=30)
            await post("hai", NAM, "xuat")
            await until(lambda: len(fakes["hai"].texts(NAM)) >= 2, timeout=30)
            answer = fakes["hai"].texts(NAM)[1]
            assert "Huyện đoàn Hai" in answer and "📎" in answer
            [url] = [line for line in answer.splitlines() if line.startswith(f"{PUBLIC_URL}/export/D2/")]
            got = await client.get(base + url.removeprefix(PUBLIC_URL))
            assert got.status_code == 200 and got.content.startswith(b"PK")          # the XLSX, through the app
    finally:
        stop.set()
        assert await asyncio.wait_for(serving, 30) == 0


async def test_under_serve_a_refused_bot_stops_alone_and_its_webhook_path_takes_nothing(tmp_path, fakes, capsys):
    revoked = "6918093452916839044:" + "r" * 45
    port = free_port()
    settings = settings_for(tmp_path, fakes, ZALO_WEBHOOK_SECRET=SECRET, PUBLIC_URL=PUBLIC_URL, PORT=str(port),
                            ZALO_BOTS_FILE=str(bots_file(tmp_path, {"mot": BOTS["mot"], "cu": (revoked, ("G2",))})))
    await prepared(settings)
    stop = asyncio.Event()
    serving = asyncio.create_task(app.serve(settings, stop=stop, web=True))
    try:
        await until(lambda: fakes["mot"].webhook_url, timeout=30)
        await until(lambda: "bot cu" in capsys.readouterr().err, timeout=30)
        async with httpx.AsyncClient(timeout=10) as client:
            health = (await client.get(f"http://127.0.0.1:{port}/healthz")).json()
            assert health["webhooks"]["zalo:mot"]["taking"] and not health["webhooks"]["zalo:cu"]["taking"]
            update = fakes["mot"].text_update(LAN, "Xin chào")
            refused = await client.post(f"http://127.0.0.1:{port}/zalo/cu", json=update,
                                        headers={"X-Bot-Api-Secret-Token": SECRET})
            assert refused.status_code == 503
        assert not serving.done()
    finally:
        stop.set()
        assert await asyncio.wait_for(serving, 30) == 0


# --- files on Zalo ----------------------------------------------------------------------------------------

async def test_a_file_reply_arrives_as_a_link_that_opens_that_file_through_the_app(services, tmp_path, fakes):
    links = ExportLinks(b"key", tmp_path / "links", PUBLIC_URL)
    officer = await make_invite(services, "D1", "officer")
    async with AsyncExitStack() as stack:
        api = await stack.enter_async_context(ZaloBotAPI(MOT_TOKEN, fakes["mot"].base_url))
        channel = ZaloChannel(services, api, typing_after=None, links=links)
        await stack.enter_async_context(polling([channel]))
        await say(channel, fakes["mot"], HOA, officer, name="Lê Thị Hoa")
        answer = await say(channel, fakes["mot"], HOA, "xuat", name="Lê Thị Hoa")
    assert answer.startswith(t("export.caption", unit="Huyện đoàn Một", period="tháng 11/2026"))
    assert t("zalo.no_document", name="tonghop-D1-2026-11.xlsx") not in answer
    [url] = [line for line in answer.splitlines() if line.startswith(PUBLIC_URL)]
    assert url.startswith(f"{PUBLIC_URL}/export/D1/tonghop-D1-2026-11.xlsx?expires=")   # the asker's unit
    assert "1. " in answer                                          # its choice (the CSV files) still offered
    asgi = create_app([], lambda: None, hash_chat=ChatHasher(b"k"), links=links, clock=services.clock)
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=asgi), base_url="http://bot") as client:
        path = url.removeprefix(PUBLIC_URL)
        got = await client.get(path)
        assert got.status_code == 200 and got.content.startswith(b"PK")
        assert (await client.get(path.replace("/D1/", "/D2/"))).status_code == 404        # one unit's only


async def test_with_no_web_app_a_file_reply_says_how_to_get_it(services, fakes):
    officer = await make_invite(services, "D1", "officer")
    async with ZaloBotAPI(MOT_TOKEN, fakes["mot"].base_url) as api:
        channel = ZaloChannel(services, api, typing_after=None)
        async with polling([channel]):
            await say(channel, fakes["mot"], HOA, officer, name="Lê Thị Hoa")
            answer = await say(channel, fakes["mot"], HOA, "xuat", name="Lê Thị Hoa")
    assert t("zalo.no_document", name="tonghop-D1-2026-11.xlsx") in answer and PUBLIC_URL not in answer
