"""Zalo, through the Zalo Bot Platform (bot/channels/zalo_api.py): one long poll in, numbered menus out.

The only module that knows Zalo's updates. Zalo has no buttons, no documents and no deep links, so:

- choices go out as a numbered menu (bot/channels/numbered.py), kept per chat in storage; a typed
  "2" or "hom qua" comes back to the handlers as the choice (`Incoming.button`), anything else as
  typed text, commands with or without the slash left to the router;
- a photo or a document the handlers attach cannot be sent (sendPhoto takes a URL; there is no
  sendDocument): its caption goes with the file's signed 24-hour download link when the web app
  serves them (`python -m bot serve` with PUBLIC_URL: bot/channels/links.py), published under the
  asker's unit; otherwise with a sentence telling how to get the file. Once, here, for every file
  a handler returns;
- texts are cut at Zalo's 2000 characters, on line ends.

Receiving: ONE poller (getUpdates hands out one update per call; 408 when none came), each update
answered in a task of its own, in order within a chat and concurrently across chats
(bot/channels/ordering.py): a slow chat never holds up another. getUpdates has no offset, so an
update can come twice: it carries `update_key = "zalo:<message_id>"`, which the router claims in
the database (answered once, even across a restart), and the poller also skips a message id it
has just handed out. Pushed to the web app's webhook instead (`python -m bot serve`), an update
goes through the same `take` and `start`, with the webhooks' inbox between them (bot/web.py).

Sending: every call takes its turn in the channel's `Budget` (domain.sender), shared with the
outbox sender (the Scheduler takes a transport's `budget`): replies to people as urgent, ahead of
queued reminders and digests; a 429 holds both back. `deliver` is also the sender's Transport.
`python -m bot` builds the channels with `open_channels` (bot/app.py).

Several bots (ZALO_BOTS_FILE, bot/settings.py; a Zalo bot has 50 users on the free plan, so a
province runs one a commune): one ZaloChannel each, in one process, each with its own poller (or
webhook path, `webhook_path`), its own budget and its own monthly quota and warning. A bot's
channel is "zalo:<key>" (ZALO_BOT_TOKEN's stays "zalo"): people, their open menus and the outbox
rows are keyed by it, so what is sent to a person goes through the bot they joined with. Each
Incoming carries the bot's units (`BotUnits`): an invite code is answered by its unit's bot only.
A bot whose token Zalo refuses stops alone, with one Vietnamese line naming its key; the others
go on (a commune's revoked token must not silence the province), and its queued messages wait.

No log line carries a message's text or the token (the API client keeps the token out of every
URL httpx sees and of every error).
"""

from __future__ import annotations

import asyncio
import logging
import secrets
import sys
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass, replace

from bot.channels.base import CannotStart
from bot.channels.links import ExportLinks
from bot.channels.numbered import NumberedMenus
from bot.channels.ordering import KeyedOrder
from bot.channels.zalo_api import ZaloBotAPI, ZaloTokenRejected, split_text
from bot.settings import ZALO_FREE_MONTHLY_QUOTA
from bot.startup import Stopped, with_retries
from domain.conversation import BotUnits, Incoming, Photo, Reply
from domain.sender import Blocked, Budget, Limits, MonthlyQuota, PartlySent, Rejected, RetryAfter, Transient
from domain.services import Services
from handlers import router
from messages_vi import t
from messages_vi.formatting import date_time

log = logging.getLogger(__name__)

CHANNEL = "zalo"
# what an incoming event is to the handlers (Incoming.other); text is read, the rest is not
OTHER_KINDS = {
    "message.image.received": "photo",
    "message.sticker.received": "sticker",
    "message.unsupported.received": "unsupported",
}
TEXT_EVENT = "message.text.received"
RECENT_IDS = 4096          # message ids remembered to skip a redelivery before touching the database
START_ATTEMPTS = 6         # getMe at start, as Telegram's: about a minute of waiting for the network
# An incoming image's photo_url is fetched up to this many bytes (Zalo announces no size); whether
# it is kept, and up to what size, is the handlers' call (handlers/photos.py).
PHOTO_DOWNLOAD_CAP = 20 * 1024 * 1024
# A bot whose token Zalo refused sends nothing: its queued messages are looked at again this often
# (no call is made) and go once it is restarted with a good token.
REFUSED_WAIT = 300.0


def channel_of(key: str | None) -> str:
    """The channel of a bot: "zalo" for ZALO_BOT_TOKEN's, "zalo:<key>" for a bot of ZALO_BOTS_FILE."""
    return CHANNEL if key is None else f"{CHANNEL}:{key}"


def webhook_path(channel: str) -> str:
    """Where Zalo pushes a bot's updates: /zalo, or /zalo/<key> (the key, never the token)."""
    return "/" + channel.replace(":", "/", 1)


async def open_channel(settings, services: Services, *, links: ExportLinks | None = None) -> ZaloChannel:
    """The channel of ZALO_BOT_TOKEN alone; `close()` it after."""
    api = ZaloBotAPI(settings.zalo_token, settings.zalo_api_base_url)
    return ZaloChannel(services, api, owns_api=True, monthly_quota=settings.zalo_monthly_quota, links=links)


async def open_channels(settings, services: Services, *, links: ExportLinks | None = None) -> list[ZaloChannel]:
    """Every Zalo bot the settings name, a channel each (`close()` them after): ZALO_BOT_TOKEN's
    and ZALO_BOTS_FILE's. With a bots file, each answers the invite codes of its units (ZALO_BOT_TOKEN's
    those of the units no bot of the file names) and stops alone if Zalo refuses its token. A unit
    code of the file not in the database is told on stderr (its codes find no bot until imported).
    `links`: files are offered as links (the web app serves them)."""
    bots = settings.zalo_bots
    if not bots:
        return [await open_channel(settings, services, links=links)] if settings.zalo_token else []
    named = frozenset(code for bot in bots for code in bot.units)
    channels = []
    if settings.zalo_token:
        api = ZaloBotAPI(settings.zalo_token, settings.zalo_api_base_url)
        channels.append(ZaloChannel(services, api, owns_api=True, monthly_quota=settings.zalo_monthly_quota,
                                    links=links, units=BotUnits(others=named, rest=True), stops_alone=True))
    for bot in bots:
        own = frozenset(bot.units)
        api = ZaloBotAPI(bot.token, settings.zalo_api_base_url)
        channels.append(ZaloChannel(services, api, owns_api=True, key=bot.key, links=links,
                                    monthly_quota=bot.monthly_quota or settings.zalo_monthly_quota,
                                    units=BotUnits(own, named - own), stops_alone=True))
        for code in bot.units:
            if await services.storage.units.by_code(code) is None:
                print(t("startup.zalo_bot_unknown_unit", bot=bot.key, code=code), file=sys.stderr)
    return channels


@dataclass(frozen=True)
class ZaloMessage:
    """What the channel reads from one update: who, where, and what they sent."""

    chat_id: str
    user_id: str
    display_name: str
    message_id: str | None
    text: str | None = None          # set for a text, even an empty one
    other: str | None = None         # photo, sticker, unsupported
    photo_url: str | None = None     # an image's, where Zalo serves it

    @property
    def update_key(self) -> str | None:
        return f"zalo:{self.message_id}" if self.message_id else None


def read_update(update: dict) -> ZaloMessage | None:
    """The message in an update (getUpdates' result or a webhook body's update); None for what the
    bot does not answer: a bot's own message, a group chat, an event that is not a message, or a
    message without a sender or a chat."""
    event = update.get("event_name")
    message = update.get("message")
    if not isinstance(event, str) or not isinstance(message, dict):
        return None
    sender = message.get("from") if isinstance(message.get("from"), dict) else {}
    chat = message.get("chat") if isinstance(message.get("chat"), dict) else {}
    if sender.get("is_bot") is True:
        return None
    if str(chat.get("chat_type") or "PRIVATE").upper() == "GROUP":
        return None                  # groups are not where reports are made (as on Telegram)
    user_id, chat_id = _id(sender.get("id")), _id(chat.get("id")) or _id(sender.get("id"))
    if not user_id or not chat_id:
        return None
    name = sender.get("display_name")
    common = dict(chat_id=chat_id, user_id=user_id, display_name=name.strip() if isinstance(name, str) else "",
                  message_id=_id(message.get("message_id")))
    if event == TEXT_EVENT:
        text = message.get("text")
        return ZaloMessage(**common, text=text if isinstance(text, str) else "")
    if event in OTHER_KINDS:
        url = _photo_url(message) if OTHER_KINDS[event] == "photo" else None
        return ZaloMessage(**common, other=OTHER_KINDS[event], photo_url=url)
    if event.startswith("message.") and event.endswith(".received"):
        return ZaloMessage(**common, other="unsupported")      # a kind of message Zalo added later
    return None


def _photo_url(message: dict) -> str | None:
    """Where an incoming image is served: `photo_url`, or `photo` (the field Zalo's webhook
    documentation names for an image), whichever holds a URL."""
    for field in ("photo_url", "photo"):
        url = message.get(field)
        if isinstance(url, str) and url.strip():
            return url.strip()
    return None


def _id(value) -> str | None:
    if isinstance(value, bool) or value is None:
        return None
    text = str(value).strip()
    return text or None


class ZaloChannel:
    """The Zalo channel (bot/channels/base.py's Channel) and the outbox sender's Transport.

    `api`: the bot's ZaloBotAPI, closed by `close()` only when `owns_api`. `budget`: the pace of
    every send, shared with the outbox sender (the Scheduler takes a transport's `budget`); by
    default one of `Limits().rate` (Zalo publishes no rate limit; its free plan's 3,000 messages a
    month are the tighter bound). `backoff`: the first pause after a network error (then doubled, up
    to `max_backoff`). `typing_after`: a reply still being prepared after this many seconds shows
    "typing" (None: never). `monthly_quota`: the messages the bot may send a month (`quota`, a
    domain.sender.MonthlyQuota counting every message sent, replies included, per bot and month).

    Several bots in one process: `key` (a bot of ZALO_BOTS_FILE; None: ZALO_BOT_TOKEN's) makes the
    channel's name "zalo:<key>"; `units`, the invite codes it answers (Incoming.bot_units; None:
    every unit's); `stops_alone`, a refused token stops this bot only (`refused`), not the process.
    `links`: a file a handler returns goes as its signed download link (None: how to get it).
    """

    name = CHANNEL                   # ZALO_BOT_TOKEN's bot; a bot of ZALO_BOTS_FILE has its own
    channel = CHANNEL                # domain.sender.Transport's name for it
    has_buttons = False

    def __init__(self, services: Services, api: ZaloBotAPI, *, poll_timeout: float = 30,
                 budget: Budget | None = None, backoff: float = 2.0, max_backoff: float = 60.0,
                 typing_after: float | None = 1.0, reply_attempts: int = 3, start_attempts: int = START_ATTEMPTS,
                 owns_api: bool = False, monthly_quota: int = ZALO_FREE_MONTHLY_QUOTA, key: str | None = None,
                 units: BotUnits | None = None, stops_alone: bool = False, links: ExportLinks | None = None):
        self.services = services
        self.api = api
        self.owns_api = owns_api
        self.key = key
        self.name = self.channel = channel_of(key)
        self.units = units
        self.stops_alone = stops_alone
        self.refused = False             # Zalo refused the token: this bot stopped (see `stops_alone`)
        # Zalo refused the token on a send (revoked while running): what the webhook's run waits for,
        # since no poll will see it (bot/app.py `_zalo_pushes`)
        self.revoked = asyncio.Event()
        self.revoked_error: ZaloTokenRejected | None = None
        self.links = links
        self.quota = MonthlyQuota(services.storage, self.name, monthly_quota, self._bot_key, services.clock,
                                  label="Zalo" if key is None else t("zalo_bots.label", bot=key))
        self._bot: str | None = None
        self.start_attempts = start_attempts
        self.poll_timeout = poll_timeout
        self.budget = budget or Budget(Limits().rate)
        self.backoff = backoff
        self.max_backoff = max_backoff
        self.typing_after = typing_after
        self.reply_attempts = max(1, reply_attempts)
        self.menus = NumberedMenus(services.storage, self.name, services.clock)
        self.order = KeyedOrder()
        self.stats = {"updates": 0, "repeated": 0, "ignored": 0, "failed": 0, "poll_errors": 0}
        self._tasks: set[asyncio.Task] = set()
        self._recent: OrderedDict[str, None] = OrderedDict()

    # --- receiving ----------------------------------------------------------------------------------
    async def run(self, stop: asyncio.Event, *, say: Callable[[str], None] = print) -> None:
        """Poll and answer until `stop` is set, then finish the updates in flight and return.

        At start, getMe checks the token; with no network it is tried again (`start_attempts`
        times, each wait told in Vietnamese through `say`, as Telegram's start), then GaveUp;
        `stop` set meanwhile ends the waiting at once.
        A refused token raises ZaloTokenRejected (a CannotStart) with one Vietnamese line, at start
        or later (`token_refused`: a bot that `stops_alone` returns instead); at start another
        refusal (a wrong ZALO_API_BASE_URL) is a CannotStart too. Once polling, network errors, 429s
        and 5xx are waited out with growing pauses, for ever."""
        try:
            await self._check_token(say, stop)
            log.info("%s: long polling started", self.name)
            await self._poll_loop(stop)
        except ZaloTokenRejected as error:
            await self.settle()
            self.token_refused(error)
            return
        except Stopped:
            pass                         # stopped while still trying to reach Zalo
        except asyncio.CancelledError:
            for task in list(self._tasks):
                task.cancel()
            await self.settle()
            raise
        except BaseException:
            await self.settle()
            raise
        await self.settle()
        log.info("%s: long polling stopped", self.name)

    def token_refused(self, error: ZaloTokenRejected) -> None:
        """Zalo refused this bot's token (at start, or revoked since): raise ZaloTokenRejected with one
        Vietnamese line; a bot of several (`stops_alone`) says its line on stderr, naming its key and
        never the token, and is `refused` from now on instead, and the other bots go on."""
        if not self.stops_alone:
            raise ZaloTokenRejected(t("zalo.token_rejected")) from error
        self.refused = True
        log.error("%s: Zalo refused the bot's token; this bot stopped, the others go on", self.name)
        print(t("zalo.token_rejected") if self.key is None else t("startup.zalo_bot_refused", bot=self.key),
              file=sys.stderr)

    async def close(self) -> None:
        """Close the API client, when this channel opened it (open_channel)."""
        if self.owns_api:
            await self.api.aclose()

    @property
    def in_flight(self) -> int:
        """Updates being answered now."""
        return len(self._tasks)

    async def settle(self) -> None:
        """Wait for the updates being answered."""
        while self._tasks:
            await asyncio.gather(*list(self._tasks), return_exceptions=True)

    async def _check_token(self, say: Callable[[str], None], stop: asyncio.Event) -> None:
        try:
            await with_retries(self.api.get_me, attempts=self.start_attempts, first_delay=self.backoff,
                               max_delay=self.max_backoff, say=say, retry_on=(Transient, RetryAfter), stop=stop)
        except Rejected as error:
            raise CannotStart(t("zalo.cannot_start", error=error)) from error

    async def _poll_loop(self, stop: asyncio.Event) -> None:
        delay = self.backoff
        while not stop.is_set():
            try:
                update = await self._poll(stop)
            except ZaloTokenRejected:
                log.error("%s: Zalo refused the bot token while polling; stopping", self.name)
                raise
            except Exception as error:
                self.stats["poll_errors"] += 1
                wait = error.seconds if isinstance(error, RetryAfter) else delay
                if isinstance(error, (Transient, RetryAfter, Rejected)):
                    log.warning("Zalo getUpdates failed (%s); polling again in %.1f s", error, wait)
                else:
                    log.exception("Zalo getUpdates failed unexpectedly; polling again in %.1f s", wait)
                delay = min(self.max_backoff, delay * 2)
                await _wait(stop, wait)
                continue
            delay = self.backoff
            if update is not None:
                self.dispatch(update)

    async def _poll(self, stop: asyncio.Event) -> dict | None:
        """One getUpdates, given up when `stop` is set first; None when nothing came."""
        poll = asyncio.ensure_future(self.api.get_update(self.poll_timeout))
        stopping = asyncio.ensure_future(stop.wait())
        try:
            await asyncio.wait({poll, stopping}, return_when=asyncio.FIRST_COMPLETED)
        finally:
            stopping.cancel()
            if not poll.done():
                poll.cancel()
                await asyncio.gather(poll, return_exceptions=True)
        if poll.cancelled():
            return None              # stopped while waiting: an update Zalo had not handed out yet stays there
        return poll.result()

    def dispatch(self, update: dict) -> asyncio.Task | None:
        """Start answering one update the poller got; returns its task, or None for an update that
        is not answered (see read_update) or was just handed out."""
        message = self.take(update)
        return self.start(message) if message is not None else None

    def take(self, update: dict) -> ZaloMessage | None:
        """The message of one update (polled or pushed), not started yet; None for an update that
        is not answered (see read_update) or whose message was just started."""
        message = read_update(update)
        if message is None:
            self.stats["ignored"] += 1
            return None
        if message.message_id is not None and message.message_id in self._recent:
            self.stats["repeated"] += 1
            log.debug("Zalo update for message %s came again; skipped", message.message_id)
            return None
        return message

    def claim_key(self, message: ZaloMessage) -> str | None:
        """The key the router claims a message by (and the webhooks' inbox keeps it by): Zalo's
        message id, under the bot's own name when it is one of several."""
        return f"{self.name}:{message.message_id}" if message.message_id else None

    def start(self, message: ZaloMessage) -> asyncio.Task:
        """Start answering a message taken, after the messages of its chat started before it."""
        if message.message_id is not None:
            self._recent[message.message_id] = None
            while len(self._recent) > RECENT_IDS:
                self._recent.popitem(last=False)
        self.stats["updates"] += 1
        # the task enters its chat's turn before anything else awaits: the chat's order holds
        task = asyncio.create_task(self._answer(message))
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)
        return task

    async def _answer(self, message: ZaloMessage) -> None:
        async with self.order.hold(message.chat_id):
            try:
                typing = self._typing_later(message.chat_id)
                try:
                    replies = await self._replies(message)
                finally:
                    if typing is not None:
                        typing.cancel()
                        await asyncio.gather(typing, return_exceptions=True)
                for reply in replies:
                    if not await self._reply(message.chat_id, await self._offered(reply, message.user_id)):
                        break
            except Exception:
                self.stats["failed"] += 1
                log.exception("a Zalo update (message %s) could not be answered", message.message_id)

    async def _replies(self, message: ZaloMessage) -> list[Reply]:
        """The handlers' answer to one message; never raises."""
        try:
            # message ids are Zalo's; a bot of several claims them under its own name
            key = self.claim_key(message)
            incoming = Incoming(self.name, message.user_id, message.chat_id, message.display_name,
                                other=message.other, update_key=key, bot_units=self.units,
                                photo=self._photo(message.photo_url) if message.photo_url else None)
            if message.text is not None:
                picked = await self.menus.read(message.chat_id, message.text)
                if picked.out_of_range:
                    return [Reply(picked.out_of_range_text())]
                if picked.action is not None:
                    incoming = replace(incoming, button=picked.action)
                else:
                    incoming = replace(incoming, text=message.text)
        except Exception:
            ref = secrets.token_hex(3)
            log.exception("reading a Zalo message against its chat's menu failed [ref %s]", ref)
            return [Reply(t("error.internal", ref=ref))]
        replies = await router.handle(self.services, incoming)
        await self.menus.answered(message.chat_id, replies)
        return replies

    async def _offered(self, reply: Reply, user_id: str) -> Reply:
        """A reply to a person with a file: the file as its signed download link, published under
        the person's unit (bot/channels/links.py), when the web app serves links; else as it is
        (`deliver` then says how to get the file)."""
        if reply.attachment is None or self.links is None:
            return reply
        identity = await self.services.storage.people.identify(self.name, user_id)
        if identity is None or identity.unit is None:
            return reply
        try:
            url, expires = await asyncio.to_thread(self.links.publish, identity.unit.code, reply.attachment,
                                                   self.services.clock())
        except (OSError, ValueError) as error:
            # a unit code or a file name no link can carry, a file gone: the sentence instead
            log.warning("%s: a file could not be offered as a link (%s)", self.name, type(error).__name__)
            return reply
        return _noted(reply, t("zalo.file_link", name=reply.attachment.name, url=url, expires=date_time(expires)))

    def _photo(self, url: str) -> Photo:
        """An incoming image as the handlers take it: its bytes fetched from photo_url on demand."""
        api = self.api

        async def fetch(limit: int) -> bytes:
            # Zalo says nothing of the size: fetched up to the cap, the handlers judge the size
            return await api.download(url, max_bytes=max(limit, PHOTO_DOWNLOAD_CAP))

        return Photo(fetch)

    def _typing_later(self, chat_id: str) -> asyncio.Task | None:
        if self.typing_after is None:
            return None

        async def later() -> None:
            await asyncio.sleep(self.typing_after)
            await self.typing(chat_id)

        return asyncio.create_task(later())

    async def _reply(self, chat_id: str, reply: Reply) -> bool:
        """Send one reply to a person; False when the chat cannot be reached (stop sending to it)."""
        try:
            await self.deliver(chat_id, reply, urgent=True)
        except Blocked:
            log.info("a Zalo chat could not be reached (blocked or gone); its reply was dropped")
            return False
        except ZaloTokenRejected as error:
            log.error("Zalo refused the bot token while replying; the reply was dropped")
            self._token_revoked(error)
            return False
        except (Rejected, Transient, RetryAfter) as error:
            log.warning("a Zalo reply could not be sent (%s); it was dropped", error)
        return True

    # --- sending ----------------------------------------------------------------------------------
    async def deliver(self, chat_id: str, reply: Reply, *, urgent: bool = False) -> str:
        """Send one reply: its text with its choices as a numbered menu (the chat's open menu from
        now on), in parts of at most 2000 characters; returns the last part's message id ("" when
        there was nothing to send).

        `urgent=False` (the outbox sender, which took the first call's turn in the budget and
        handles its errors): later parts take their turns as bulk. `urgent=True` (a reply to a
        person): every part takes an urgent turn, and a network error is tried again a few times.
        A 429 waits in the budget and the same part is sent again. Raises Blocked, RetryAfter,
        Transient or Rejected (domain.sender), or ZaloTokenRejected; for the outbox sender, a
        network error or a 429 after the first part is PartlySent, with the parts left.

        Every part sent is counted in the bot's monthly quota (`quota`). A bot whose token was
        refused (`refused`) sends nothing: RetryAfter, so the outbox keeps the message."""
        if self.refused:
            raise RetryAfter(REFUSED_WAIT)
        text = await self.menus.shown(chat_id, _readable(reply))
        parts = split_text(text)
        message_id = ""
        try:
            for index, part in enumerate(parts):
                paid = not urgent and index == 0
                try:
                    message_id = await self._send(chat_id, part, urgent=urgent, paid=paid) or message_id
                except (Transient, RetryAfter) as error:
                    if urgent or index == 0:
                        raise
                    # the menu is in the parts' text already: the rest goes as plain text
                    raise PartlySent(Reply("\n".join(parts[index:])), error) from error
        except ZaloTokenRejected as error:
            self._token_revoked(error)
            raise
        return message_id

    def _token_revoked(self, error: ZaloTokenRejected) -> None:
        """A send found the token refused: tell whoever waits on `revoked` (a poll finds it itself)."""
        if self.revoked_error is None:
            self.revoked_error = error
        self.revoked.set()

    async def _send(self, chat_id: str, text: str, *, urgent: bool, paid: bool) -> str:
        """Send one part; count it once Zalo took it."""
        message_id = await self._send_part(chat_id, text, urgent=urgent, paid=paid)
        try:
            await self.quota.counted()
        except Exception:
            # the message went: failing here would have it sent again; the count is one short
            log.exception("a Zalo message was sent but could not be counted in the monthly quota")
        return message_id

    async def _bot_key(self) -> str:
        """Whose quota a send counts in: a hash of the bot's token (known without a call, unlike
        getMe's id; a new token for the same bot starts a new count). Never the token itself."""
        if self._bot is None:
            self._bot = "token-" + self.api.fingerprint
        return self._bot

    async def _send_part(self, chat_id: str, text: str, *, urgent: bool, paid: bool) -> str:
        def make():
            return self.api.send_message(chat_id, text)

        if paid:
            return await make()
        if not urgent:
            return await self.budget.call(make, urgent=False)
        delay = self.backoff
        for attempt in range(1, self.reply_attempts + 1):
            try:
                return await self.budget.call(make, urgent=True)
            except Transient as error:
                if attempt == self.reply_attempts:
                    raise
                log.warning("a Zalo reply failed (%s); trying again in %.1f s", error, delay)
                await asyncio.sleep(delay)
                delay = min(self.max_backoff, delay * 2)
        raise AssertionError("unreachable")

    async def typing(self, chat_id: str) -> None:
        """Show "typing…" in the chat; a failure is not worth anyone's attention."""
        try:
            await self.api.send_chat_action(chat_id, "typing")
        except Exception as error:
            log.debug("Zalo typing indicator failed: %s", type(error).__name__)


def _readable(reply: Reply) -> Reply:
    """The reply as Zalo can carry it: a file becomes a sentence saying how to get it."""
    if reply.attachment is None:
        return reply
    key = "zalo.no_photo" if reply.attachment_kind == "photo" else "zalo.no_document"
    return _noted(reply, t(key, name=reply.attachment.name))


def _noted(reply: Reply, note: str) -> Reply:
    """The reply without its file, `note` (how to get it) after its text."""
    text = f"{reply.text}\n\n{note}" if reply.text.strip() else note
    return replace(reply, text=text, attachment=None)


async def _wait(stop: asyncio.Event, seconds: float) -> None:
    """Sleep `seconds`, or less if `stop` is set meanwhile."""
    try:
        await asyncio.wait_for(stop.wait(), seconds)
    except TimeoutError:
        pass
