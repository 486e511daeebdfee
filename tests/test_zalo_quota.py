"""The Zalo bot's monthly message quota (issue 11, item 3), against the fake Zalo Bot API on loopback:
every message sent is counted exactly, replies included, however many go at once; the officers
are warned once a month at 80%; once it is spent replies still go, deadline reminders go nearest
deadline first and the rest waits for the next month; the next weekly digest says how many
messages were not sent, and why."""

from __future__ import annotations

import asyncio
import json
from datetime import datetime, timezone

import pytest

from bot.channels.zalo import ZaloChannel, open_channel
from bot.channels.zalo_api import ZaloBotAPI
from bot.settings import load
from domain.conversation import Reply
from domain.digests.weekly import queue_weekly_digests
from domain.sender import Budget, Limits, Sender, month_of, next_month
from messages_vi import t
from messages_vi.formatting import LOCAL_TZ
from storage.outbox import NewMessage
from storage.units import UnitRow
from tests.contract.helpers import join
from tests.support.fake_zalo import TOKEN, FakeZalo

FAST = Limits(rate=2000, chat_gap=0.0, concurrency=64, backoff=0.05)


@pytest.fixture
async def zalo():
    async with FakeZalo(poll_cap=0.2, retry_after=1) as fake:
        yield fake


def local(y, mo, d, h=9, mi=0) -> datetime:
    return datetime(y, mo, d, h, mi, tzinfo=LOCAL_TZ)


def plain(text: str) -> str:
    return json.dumps(Reply(text).to_dict(), ensure_ascii=False)


def reminder(title: str, due: str) -> str:
    """A deadline reminder as domain.reminders.reminder_payload queues it: with its "wording"."""
    data = Reply(f"⏰ {title}").to_dict()
    data["wording"] = {"kind": "deadline", "title": title, "due": due, "nudge": False}
    return json.dumps(data, ensure_ascii=False)


async def person(services, code: str, external: str, role: str = "secretary", channel: str = "zalo") -> int:
    """Someone joining unit `code`; their chat is "chat-<external>"."""
    unit = await services.storage.units.by_code(code)
    return (await join(services.storage, services.clock(), external, unit, role, channel=channel)).person.id


async def branches_with_secretaries(services, count: int) -> list[tuple[int, str]]:
    """`count` more branches under D1, each with a secretary on Zalo: [(person id, chat id)]."""
    now = services.clock()
    await services.storage.units.import_rows(
        [UnitRow(f"Z{i}", f"Chi đoàn Z{i}", "branch", "D1", False, 10) for i in range(count)], now)
    return [(await person(services, f"Z{i}", f"z{i}"), f"chat-z{i}") for i in range(count)]


def channel_at(services, api, quota: int) -> ZaloChannel:
    return ZaloChannel(services, api, budget=Budget(FAST.rate), typing_after=None, monthly_quota=quota)


def sender_of(services, channel: ZaloChannel, limits: Limits = FAST, clock=None) -> Sender:
    return Sender(services.storage, channel, limits, clock=clock or services.clock, budget=channel.budget)


async def send_due(sender: Sender) -> None:
    """What the sender may send now, sent (Sender.drain waits for every channel's rows)."""
    while await sender.drain_once():
        await sender.settle()
    await sender.settle()


def bulk_texts(fake: FakeZalo) -> list[str]:
    return [s.text for s in fake.sent if s.method == "sendMessage"]


async def test_3000_sends_through_the_sender_and_replies_meanwhile_are_counted_exactly(services, zalo):
    people = await branches_with_secretaries(services, 300)
    await services.storage.outbox.enqueue(
        [NewMessage(f"bulk:{p}:{i}", p, plain(f"tin {i} cho {p}")) for p, _ in people for i in range(10)],
        services.clock())
    for attempt, fault in ((200, "502"), (900, "429"), (1700, "502"), (2600, "502")):
        zalo.fail(attempt, fault)                   # refused: retried, and counted only once sent
    long = "\n".join(f"dòng {i}: " + "x" * 80 for i in range(40))           # over 2,000: two parts
    async with ZaloBotAPI(TOKEN, zalo.base_url) as api:
        channel = channel_at(services, api, 10_000)
        # the sender on the real clock: a refused row is tried again a moment later
        sender = sender_of(services, channel, clock=lambda: datetime.now(timezone.utc))

        async def replies():
            for i, (_, chat) in enumerate(people[:50]):
                texts = [long if i == 0 else f"trả lời {i}.0", f"trả lời {i}.1"]
                await asyncio.gather(*(channel.deliver(chat, Reply(text), urgent=True) for text in texts))

        await asyncio.gather(sender.drain(timeout=120), replies())
        accepted = [s for s in zalo.sent if s.method == "sendMessage"]
        assert len(accepted) == 3000 + 100 + 1                   # 3,000 queued, 100 replies, one in two parts
        assert await channel.quota.used() == len(accepted)
        # four sends were refused (to a reply or a queued message, as they came): none counted
        assert zalo.attempts == len(accepted) + 4 and zalo.too_many == 1
    assert await services.storage.outbox.counts() == {"sent": 3000}
    # counted in storage, per bot and month: another process (a restart) reads the same count
    async with ZaloBotAPI(TOKEN, zalo.base_url) as api:
        assert await channel_at(services, api, 10_000).quota.used() == 3101
        services.clock.now = next_month(services.clock())
        assert await channel_at(services, api, 10_000).quota.used() == 0
    async with ZaloBotAPI(TOKEN[:-1] + "Z", zalo.base_url) as other:             # another bot
        assert await channel_at(services, other, 10_000).quota.used(local(2026, 11, 30)) == 0


async def test_bulk_in_flight_never_passes_the_quota(services, zalo):
    people = await branches_with_secretaries(services, 40)
    await services.storage.outbox.enqueue([NewMessage(f"n:{p}", p, plain(f"thông báo {p}")) for p, _ in people],
                                          services.clock())
    async with ZaloBotAPI(TOKEN, zalo.base_url) as api:
        channel = channel_at(services, api, 20)
        sender = sender_of(services, channel)
        await sender.drain(timeout=30)                               # 40 at once, 64 may be in flight
        assert len(bulk_texts(zalo)) == 20 and await channel.quota.used() == 20
        assert sender.stats["sent"] == 20 and sender.stats["deferred"] == 20
        assert await channel.quota.spent()
    assert await services.storage.outbox.counts() == {"sent": 20, "queued": 20}


async def test_the_root_units_officers_are_warned_once_a_month_at_80_percent(services, zalo):
    province = await person(services, "P", "p", "officer", channel="terminal")
    await person(services, "D1", "d", "officer", channel="terminal")
    await person(services, "B1", "lan")

    async def warnings(chat: str) -> list[tuple[str, str]]:
        return [(key, json.loads(payload)["text"]) for key, _, payload in await services.storage.outbox.sent_to(chat)
                if key.startswith("quota:")]

    async with ZaloBotAPI(TOKEN, zalo.base_url) as api:
        channel = channel_at(services, api, 10)
        for i in range(7):
            await channel.deliver("chat-lan", Reply(f"trả lời {i}"), urgent=True)
        assert await warnings("chat-p") == []
        await channel.deliver("chat-lan", Reply("trả lời 8"), urgent=True)        # 8 of 10: 80%
        [(key, text)] = await warnings("chat-p")
        assert text == t("quota.warning", channel="Zalo", count="8", limit="10", month="11/2026")
        assert key.startswith("quota:zalo:") and key.endswith(f":2026-11:{province}") and TOKEN not in key
        for i in range(4):                                                       # past 80%, and spent
            await channel.deliver("chat-lan", Reply(f"thêm {i}"), urgent=True)
        assert len(await warnings("chat-p")) == 1 and await warnings("chat-d") == []
        assert len(zalo.texts("chat-lan")) == 12 and await channel.quota.used() == 12   # replies pass it
        services.clock.now = local(2026, 12, 1, 0, 5)                           # a new month, a new count
        for i in range(8):
            await channel.deliver("chat-lan", Reply(f"tháng 12: {i}"), urgent=True)
        assert [text for _, text in await warnings("chat-p")][1] == t(
            "quota.warning", channel="Zalo", count="8", limit="10", month="12/2026")
        assert await channel.quota.used() == 8


async def test_when_spent_replies_go_reminders_go_nearest_deadline_first_and_the_rest_waits(services, zalo):
    officer = await person(services, "P", "p", "officer")
    b1, b5, b3, b4 = [await person(services, code, code.lower()) for code in ("B1", "B5", "B3", "B4")]
    async with ZaloBotAPI(TOKEN, zalo.base_url) as api:
        channel = channel_at(services, api, 3)
        for i in range(3):
            await channel.deliver("chat-b1", Reply(f"trả lời {i}"), urgent=True)
        assert await channel.quota.spent()
        await services.storage.outbox.enqueue([
            NewMessage("digest:p", officer, plain("🗞 Bản tin tuần")),
            NewMessage("notice:b1", b1, plain("📣 Thông báo")),               # ahead of b1's reminder
            NewMessage("r:b1", b1, reminder("Báo cáo quý", "2026-12-01")),
            NewMessage("r:b5", b5, reminder("Báo cáo năm", "2026-12-10")),
            NewMessage("r:b3", b3, reminder("Báo cáo tháng", "2026-11-25")),
            NewMessage("r:b4", b4, reminder("Báo cáo 1+1", "2026-11-30")),
        ], services.clock())
        before = len(zalo.sent)
        sender = sender_of(services, channel, Limits(rate=2000, chat_gap=0.0, concurrency=1, backoff=0.05))
        await sender.drain(timeout=30)
        warning, *went = [(s.chat_id, s.text) for s in zalo.sent[before:]]
        # the quota's warning (queued at 80%, here the 3rd message) goes even so, first
        assert warning == ("chat-p", t("quota.warning", channel="Zalo", count="3", limit="3", month="11/2026"))
        assert [chat for chat, _ in went] == ["chat-b3", "chat-b4", "chat-b1", "chat-b5"]   # nearest deadline first
        assert [title in text for (_, text), title in zip(went, ("tháng", "1+1", "quý", "năm"))] == [True] * 4
        assert sender.stats["deferred"] == 2 and await channel.quota.used() == 8           # reminders pass it
        december = int(next_month(services.clock()).timestamp() * 1000)
        assert [(key, status) for key, status, _ in await services.storage.outbox.sent_to("chat-b1")] == [
            ("notice:b1", "queued"), ("r:b1", "sent")]
        assert await services.storage.quota.held("zalo", services.clock()) == 2
        await channel.deliver("chat-b3", Reply("Đã ghi nhận."), urgent=True)              # a reply still goes
        assert zalo.texts("chat-b3")[-1] == "Đã ghi nhận." and await channel.quota.used() == 9
        # the next month: what waited goes, counted in the new month
        services.clock.now = local(2026, 12, 1, 0, 1)
        assert int(services.clock().timestamp() * 1000) >= december
        await sender.drain(timeout=30)
        assert [s.text for s in zalo.sent[-2:]] == ["🗞 Bản tin tuần", "📣 Thông báo"]
        assert await channel.quota.used() == 2 and month_of(services.clock()) == "2026-12"
    assert await services.storage.outbox.counts() == {"sent": 7}


async def test_the_next_digest_says_how_many_messages_were_not_sent_and_why(services, zalo):
    await person(services, "P", "p", "officer", channel="terminal")
    await person(services, "D2", "d2", "officer", channel="terminal")
    b1, b5 = await person(services, "B1", "b1"), await person(services, "B5", "b5")
    line = t("weekly.quota_unsent", count="2", limit="1")

    async def digest_of(chat: str) -> str:
        rows = [payload for key, _, payload in await services.storage.outbox.sent_to(chat) if key.startswith("digest:")]
        return json.loads(rows[-1])["text"]

    assert await queue_weekly_digests(services, services.clock()) == 2          # Monday 23/11: before
    assert line not in await digest_of("chat-p")
    async with ZaloBotAPI(TOKEN, zalo.base_url) as api:
        channel = channel_at(services, api, 1)
        await channel.deliver("chat-b1", Reply("Chào bạn"), urgent=True)           # spends it
        await services.storage.outbox.enqueue([NewMessage("n:b1", b1, plain("Thông báo 1")),
                                               NewMessage("n:b5", b5, plain("Thông báo 2"))], services.clock())
        await send_due(sender_of(services, channel))
    assert zalo.texts("chat-b5") == [] and await services.storage.quota.held("zalo", services.clock()) == 2
    services.clock.now = local(2026, 11, 30, 7, 31)                             # the next Monday's digest
    assert await queue_weekly_digests(services, services.clock()) == 2
    assert line in await digest_of("chat-p")
    assert "chưa gửi được" not in await digest_of("chat-d2")                    # not under District Two


async def test_python_m_bot_takes_the_quota_from_the_settings(services, tmp_path, zalo):
    settings = load(env={"ZALO_BOT_TOKEN": TOKEN, "ZALO_API_BASE_URL": zalo.base_url, "ZALO_MONTHLY_QUOTA": "1234",
                         "DATA_DIR": str(tmp_path)}, env_file=tmp_path / "none.env")
    channel = await open_channel(settings, services)
    try:
        assert channel.quota.limit == 1234 and channel.quota.warn_at == 988
        await channel.deliver("chat-x", Reply("một"))
        assert await channel.quota.used() == 1 and zalo.calls == ["sendMessage"]     # no extra call to count
        assert TOKEN not in await channel.quota.bot()
    finally:
        await channel.close()
    default = load(env={"ZALO_BOT_TOKEN": TOKEN, "DATA_DIR": str(tmp_path)}, env_file=tmp_path / "none.env")
    channel = await open_channel(default, services)
    assert channel.quota.limit == 3000
    await channel.close()
