"""Telegram, through python-telegram-bot: turn updates into `Incoming`, replies into messages.

The only module that knows Telegram. Long polling (`run`), or updates pushed to the web app's
webhook (`run_webhook`, `read_webhook`, `start_pushed`: bot/web.py); every call goes through the
configured Bot API server (TELEGRAM_API_BASE_URL), file downloads included.

An update is read from its JSON (`read_update`, for polled and pushed updates alike) and a text is
sent, and its buttons closed, through `Bot.do_api_request`, keeping Telegram's answer as JSON:
python-telegram-bot's objects (an Update, a Message with its chat, sender and keyboard) cost more
to build than the rest of an answer (benchmarks/webhook.py).
"""

from __future__ import annotations

import asyncio
import logging
import warnings
from collections import OrderedDict
from collections.abc import Awaitable, Callable, Hashable
from dataclasses import dataclass, replace
from datetime import timedelta

from telegram import (
    BotCommand, BotCommandScopeChat, Update,
)
from telegram.constants import ChatAction, MessageLimit
from telegram.error import (
    BadRequest, ChatMigrated, Forbidden, InvalidToken, NetworkError, RetryAfter, TelegramError,
)
from telegram.ext import (
    Application, ApplicationBuilder, CallbackQueryHandler, ContextTypes, MessageHandler, filters,
)
from telegram.request import BaseRequest
from telegram.warnings import PTBDeprecationWarning, PTBUserWarning

from bot.channels.base import CannotStart
from bot.channels.ordering import KeyedOrder, OrderedUpdateProcessor
from bot.settings import Settings
from bot.startup import Stopped, with_retries
from domain.sender import Budget, Limits, PartlySent
from domain.services import Services
from handlers.onboarding import command_menu
from handlers.router import handle
from domain.conversation import Action, Incoming, Photo, PhotoTooLarge, Reply
from messages_vi import t

log = logging.getLogger(__name__)
ALLOWED_UPDATES = [Update.MESSAGE, Update.EDITED_MESSAGE, Update.CALLBACK_QUERY]
START_ATTEMPTS = 6          # about a minute of waiting for the network at start (2+4+8+16+32 s)
# Webhook mode (python -m bot serve): connections Telegram may open to us at once, and how many
# update ids are remembered to skip a repeat before it reaches the database.
WEBHOOK_CONNECTIONS = 40
RECENT_UPDATES = 4096
# A button this bot did not write (or a very old one): answered as stale, never parsed further.
STALE = Action("stale")


class TelegramChannel:
    """Adapts one Application to the handlers (bot/channels/base.py: Channel)."""

    name = channel = "telegram"
    has_buttons = True

    def __init__(self, services: Services):
        self.services = services
        self.application: Application | None = None       # set by build_application
        self.budget: Budget | None = None
        # Last message with buttons per chat, to close its buttons once the person answered.
        self._open_keyboards: dict[int, int] = {}
        self._closing: set[asyncio.Task] = set()
        # Webhook mode: open while updates are taken; the updates being answered; ids just taken.
        self.webhook_open = False
        self._webhook_tasks: set[asyncio.Task] = set()
        self._recent_updates: OrderedDict[int, None] = OrderedDict()
        self.order = KeyedOrder()                          # pushed updates: one chat's in order

    # --- lifecycle ----------------------------------------------------------------------------
    async def run(self, stop: asyncio.Event, *, say: Callable[[str], None] = print) -> None:
        """Long polling until `stop` is set. The Application's lifecycle is run by hand so that
        other channels and the scheduler share this event loop; with no network at start, it is
        retried with a Vietnamese line for each wait (`say`)."""
        application = self.application
        try:
            await self._initialize(say, stop)
        except Stopped:
            return                       # stopped while still trying to reach Telegram
        try:
            await self.post_init(application)
            await application.start()
            await application.updater.start_polling(allowed_updates=ALLOWED_UPDATES)
            await stop.wait()
            await application.updater.stop()
            await application.stop()
        finally:
            await self.settle()
            await application.shutdown()

    # --- webhook (python -m bot serve; bot/web.py posts what Telegram pushes) ------------------
    async def run_webhook(self, stop: asyncio.Event, url: str, secret: str, *,
                          say: Callable[[str], None] = print, replay: Callable[[], Awaitable[object]] | None = None,
                          drain: Callable[[], Awaitable[None]] | None = None) -> None:
        """As `run`, but Telegram pushes the updates to `url` (setWebhook, with `secret` sent back
        in every request's X-Telegram-Bot-Api-Secret-Token) and they come in through
        `read_webhook` and `start_pushed`. Updates pending at Telegram (the bot was down) are
        delivered then. `replay`: awaited once the bot is started, before any update is taken (the
        web app's inbox starts those a killed process took and did not answer). When `stop` is
        set: no more are taken, `drain` is awaited (those being taken are started), those started
        are answered, then it returns."""
        application = self.application
        try:
            await self._initialize(say, stop)
        except Stopped:
            return                       # stopped while still trying to reach Telegram
        try:
            await self.post_init(application)
            await application.start()
            if replay is not None:
                await replay()
            self.webhook_open = not stop.is_set()   # an old webhook may already be pushing to us

            async def set_webhook() -> None:
                try:
                    await application.bot.set_webhook(url, secret_token=secret, allowed_updates=ALLOWED_UPDATES,
                                                      max_connections=WEBHOOK_CONNECTIONS)
                except BadRequest as error:      # a NetworkError too, but waiting will not help
                    raise CannotStart(t("telegram.webhook_refused", url=url, error=error.message)) from error

            try:
                await with_retries(set_webhook, attempts=START_ATTEMPTS, first_delay=2.0, say=say,
                                   retry_on=(NetworkError,), stop=stop)
            except Stopped:
                return                   # stopped while still setting the webhook
            log.info("Telegram: webhook set, updates are pushed to the bot")
            await stop.wait()
        finally:
            self.webhook_open = False
            if drain is not None:
                await drain()
            await self.settle_webhook()
            if application.running:
                await application.stop()
            await self.settle()
            await application.shutdown()

    def read_webhook(self, data: object) -> Received | None:
        """One update Telegram posted (its JSON, decoded), read (`read_update`) and not started yet;
        None for an update id started just before (a repeat: the database's claim would answer it
        once anyway). Raises ValueError for anything that is not an update."""
        if not isinstance(data, dict) or type(data.get("update_id")) is not int:
            raise ValueError("not a Telegram update: no update_id")
        if data["update_id"] in self._recent_updates:
            return None
        return read_update(data, self.application.bot)

    def start_pushed(self, received: Received) -> asyncio.Task:
        """Start answering a pushed update in the background, after the updates of its chat started
        before it (bot/channels/ordering.py)."""
        self._recent_updates[received.update_id] = None
        while len(self._recent_updates) > RECENT_UPDATES:
            self._recent_updates.popitem(last=False)
        # created now, in arrival order: the task reaches its chat's turn before any later one
        task = asyncio.create_task(self._process_pushed(received))
        self._webhook_tasks.add(task)
        task.add_done_callback(self._webhook_tasks.discard)
        return task

    async def _process_pushed(self, received: Received) -> None:
        try:
            async with self.order.hold(received.chat_id):
                await self.answer(self.application.bot, received)
        except Exception:                      # the handlers never raise; sending can
            log.exception("update %s could not be answered", received.update_id)

    @property
    def pending(self) -> int:
        """Pushed updates taken and not yet answered."""
        return len(self._webhook_tasks)

    async def settle_webhook(self) -> None:
        """Wait until every pushed update taken is answered."""
        while self._webhook_tasks:
            await asyncio.gather(*list(self._webhook_tasks), return_exceptions=True)

    async def _initialize(self, say: Callable[[str], None], stop: asyncio.Event) -> None:
        """Initialize the Application (getMe), retrying while there is no network (until `stop`)."""
        try:
            await with_retries(self.application.initialize, attempts=START_ATTEMPTS, first_delay=2.0, say=say,
                               retry_on=(NetworkError,), stop=stop)
        except InvalidToken as error:
            raise CannotStart(t("telegram.bad_token")) from error

    async def post_init(self, application: Application) -> None:
        self.services.bot_username = application.bot.username
        await application.bot.set_my_commands([BotCommand(n, d) for n, d in command_menu("secretary")])

    async def deliver(self, chat_id: str, reply: Reply) -> str:
        """The outbox sender's way out: see TelegramTransport."""
        return await TelegramTransport(self.application.bot, self.budget).deliver(chat_id, reply)

    async def typing(self, chat_id: str) -> None:
        try:
            await self.application.bot.send_chat_action(int(chat_id), ChatAction.TYPING)
        except TelegramError:
            pass                                     # a courtesy: never worth an error

    # --- incoming -------------------------------------------------------------------------------
    async def on_update(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        """A polled update (a message, an edited one, a pressed button), read as its JSON: the same
        reading as a pushed one's."""
        received = read_update(update.to_dict(), context.bot)
        if received.incoming is not None:
            await self.answer(context.bot, received)

    async def answer(self, bot, received: Received) -> None:
        """The handlers' answer to one update, sent; a pressed button's query answered too."""
        replies = await handle(self.services, received.incoming)
        if received.query_id is not None:
            try:
                await bot.answer_callback_query(received.query_id)
            except TelegramError:
                pass                                 # an old query can no longer be answered
        try:
            await self._answer(bot, received.chat_id, replies, received.pressed)
        except Forbidden as error:                   # the person's doing, not the bot's fault
            log.warning("update %s: Telegram refused the reply, the person blocked the bot or closed the "
                        "account (%s)", received.update_id, error.message)

    # --- outgoing -------------------------------------------------------------------------------
    async def _answer(self, bot, chat_id: int, replies: list[Reply], pressed: int | None = None) -> None:
        """Send the replies, then close the buttons they answered (the pressed message's, and the
        last question's): after the reply, so the person is not kept waiting for the clean-up.

        Every call takes its turn in the channel's budget (build_application), shared with the
        outbox sender: the replies as urgent, ahead of queued reminders and digests; the clean-up
        as bulk, behind them."""
        if not replies:
            return          # a redelivered update: nothing was answered, the buttons stay
        budget: Budget | None = self.budget
        answered = {pressed, self._open_keyboards.pop(chat_id, None)} - {None}
        for reply in replies:
            sent = await send(bot, chat_id, reply, budget)
            if reply.buttons and sent is not None:
                self._open_keyboards[chat_id] = sent.message_id
            if reply.command_menu:
                commands = [BotCommand(n, d) for n, d in reply.command_menu]

                def set_menu(commands=commands):
                    return bot.set_my_commands(commands, scope=BotCommandScopeChat(chat_id))

                if budget is None:
                    await set_menu()
                else:
                    await budget.call(set_menu, urgent=True, retry_after=TelegramTransport.retry_seconds)

        async def close(message_id: int) -> None:
            if budget is None:
                await self._close_keyboard(bot, chat_id, message_id)
                return
            try:         # a RetryAfter here holds everyone back too, and the edit is made after it
                await budget.call(lambda: _close_buttons(bot, chat_id, message_id),
                                  retry_after=TelegramTransport.retry_seconds)
            except TelegramError:
                pass     # as _close_keyboard: already closed, too old to edit, or offline

        for message_id in answered - {self._open_keyboards.get(chat_id)}:
            task = asyncio.create_task(close(message_id))
            self._closing.add(task)
            task.add_done_callback(self._closing.discard)

    async def _close_keyboard(self, bot, chat_id: int, message_id: int) -> None:
        try:
            await _close_buttons(bot, chat_id, message_id)
        except TelegramError:
            pass            # already closed, too old to edit, or offline: its buttons are stale-checked anyway

    async def settle(self) -> None:
        """Wait for the buttons being closed (tests, and shutdown)."""
        while self._closing:
            await asyncio.gather(*list(self._closing), return_exceptions=True)


@dataclass(frozen=True)
class Sent:
    """A message Telegram took: its id is all the bot keeps of it (to close its buttons later)."""

    message_id: int


# A text and the closing of its buttons go through Bot.do_api_request: Telegram's answer stays JSON
# instead of becoming a Message (with its chat, sender and keyboard), which cost more than the rest
# of a reply (benchmarks/webhook.py). PTB warns on every such call that the method has one of its own.
warnings.filterwarnings("ignore", message=r"Please use 'Bot\.(sendMessage|editMessageReplyMarkup)' instead",
                        category=PTBUserWarning)


async def _send_text(bot, params: dict) -> Sent:
    return Sent((await bot.do_api_request("sendMessage", params))["message_id"])


def _close_buttons(bot, chat_id: int, message_id: int) -> Awaitable[object]:
    """Take the buttons off a message (editMessageReplyMarkup without a markup)."""
    return bot.do_api_request("editMessageReplyMarkup", {"chat_id": chat_id, "message_id": message_id})


async def send(bot, chat_id: int | str, reply: Reply, budget: Budget | None = None, *, urgent: bool = True,
               paid: bool = False) -> Sent | None:
    """Send one Reply: text split under Telegram's limit, buttons on the last part, or a file.

    With a budget, every call waits for its turn (`urgent`: a reply to a person, ahead of bulk),
    and a RetryAfter holds the whole budget back for the time asked, after which the same call is
    made again: sent once, neither dropped nor repeated. `paid`: the caller (the outbox sender)
    took the first call's turn and handles that call's RetryAfter itself; later parts take theirs
    here, as bulk, and an error after the first part is PartlySent (Telegram's error as its cause),
    with the parts left, so the sender sends only those again."""
    markup = _markup(reply)

    async def call(first: bool, make):
        if budget is None or (paid and first):
            return await make()
        return await budget.call(make, urgent=urgent, retry_after=TelegramTransport.retry_seconds)

    if reply.attachment is not None:
        caption = reply.text[: MessageLimit.CAPTION_LENGTH] or None

        async def upload():
            # opened for each attempt: a retried upload reads the file again from its start
            extra = {"reply_markup": markup} if markup else None
            with open(reply.attachment, "rb") as handle:
                if reply.attachment_kind == "photo":
                    try:
                        return Sent((await bot.send_photo(chat_id, handle, caption=caption,
                                                          api_kwargs=extra)).message_id)
                    except BadRequest as error:
                        # an image Telegram does not make a photo of (a HEIC kept from an iPhone
                        # sent "as a file"): sent as the file it is, the replies after it still go
                        log.info("a photo Telegram refused (%s) is sent as a file", error.message)
                        handle.seek(0)
                message = await bot.send_document(chat_id, handle, caption=caption, api_kwargs=extra,
                                                  filename=reply.attachment.name)
            return Sent(message.message_id)

        return await call(True, upload)
    parts = split_text(reply.text)
    sent = None
    for index, part in enumerate(parts):
        params = {"chat_id": chat_id, "text": part}
        if markup and index == len(parts) - 1:
            params["reply_markup"] = markup
        try:
            sent = await call(index == 0, lambda params=params: _send_text(bot, params))
        except TelegramError as error:
            if not paid or index == 0:
                raise
            raise PartlySent(replace(reply, text="\n".join(parts[index:])), error) from error
    return sent


def update_key(update_id: int) -> str:
    """The key the router claims an update by (and the webhooks' inbox keeps it by)."""
    return f"telegram:{update_id}"


def split_text(text: str, limit: int = MessageLimit.MAX_TEXT_LENGTH) -> list[str]:
    """Cut a long text at line ends (or, for a single huge line, anywhere) into parts that fit.
    A part of blank lines only is left out: Telegram refuses it ("message text is empty")."""
    parts, current = [], ""
    for line in text.split("\n"):
        while len(line) > limit:
            if current:
                parts.append(current)
                current = ""
            parts.append(line[:limit])
            line = line[limit:]
        candidate = f"{current}\n{line}" if current else line
        if len(candidate) > limit:
            parts.append(current)
            candidate = line
        current = candidate
    if current or not parts:
        parts.append(current)
    return [part for part in parts if part.strip()] or parts[:1]


def _markup(reply: Reply) -> dict | None:
    """The reply's buttons as Telegram's InlineKeyboardMarkup (JSON)."""
    if not reply.buttons:
        return None
    return {"inline_keyboard": [[{"text": b.label, "callback_data": b.action.encode()} for b in row]
                                for row in reply.buttons]}


# --- reading an update: Telegram's JSON as it comes, never python-telegram-bot's objects, whose
# building cost more than the rest of an answer (benchmarks/webhook.py) ------------------------------

@dataclass(frozen=True)
class Received:
    """One update as the bot reads it: what the handlers take (`incoming`; None when there is
    nothing to answer: a group's message or button, a service message, another kind of update),
    where to answer, and for a pressed button its query (answered) and the message it was on (its
    buttons closed)."""

    update_id: int
    kind: str                          # message, edited_message, callback_query, or other
    chat_id: int | None
    incoming: Incoming | None
    query_id: str | None = None
    pressed: int | None = None


KINDS = ("message", "edited_message", "callback_query")
# What a person can send besides text; a message with none of these is a service message Telegram
# writes into the chat itself (a message pinned, an auto-delete timer or a wallpaper set), not said.
SENT_KINDS = ("sticker", "photo", "voice", "video", "video_note", "animation", "document", "audio", "location",
              "venue", "contact", "poll", "dice", "story", "game", "paid_media", "checklist")


def read_update(data: dict, bot) -> Received:
    """Read one update (its JSON); ValueError for one that is not an update. `bot` fetches a photo."""
    try:
        return _read(data, bot)
    except (KeyError, TypeError, AttributeError, ValueError) as error:
        raise ValueError(f"not a Telegram update ({type(error).__name__})") from error


def _read(data: dict, bot) -> Received:
    update_id = data["update_id"]
    if type(update_id) is not int:
        raise ValueError("no update_id")
    kind = next((k for k in KINDS if k in data), "other")
    key = update_key(update_id)
    if kind == "callback_query":
        query = data[kind]
        user, message = query["from"], query.get("message")
        chat_id = message["chat"]["id"] if message else user["id"]
        if message and message["chat"]["type"] != "private":
            # a button on a message in a group (one forwarded there): what it shows is the presser's
            # own, never to be posted where others read it
            return Received(update_id, kind, chat_id, None)
        incoming = Incoming("telegram", str(user["id"]), str(chat_id), _full_name(user),
                            button=Action.decode(query.get("data") or "") or STALE, update_key=key)
        # a message too old to be shown comes as an "inaccessible" one, its date 0: nothing to close
        pressed = message["message_id"] if message and message.get("date") else None
        return Received(update_id, kind, chat_id, incoming, str(query["id"]), pressed)
    if kind == "other":
        return Received(update_id, kind, None, None)
    message = data[kind]
    chat, user = message["chat"], message.get("from")
    if chat["type"] != "private" or user is None:
        return Received(update_id, kind, chat["id"], None)        # groups are not where reports are made
    new = kind == "message"
    if new and message.get("text") is None and not any(message.get(k) for k in SENT_KINDS):
        return Received(update_id, kind, chat["id"], None)    # a service message (a pin, a timer set): nothing said
    incoming = Incoming("telegram", str(user["id"]), str(chat["id"]), _full_name(user),
                        text=message.get("text") if new else None, other=_other_kind(new, message),
                        update_key=key, photo=_photo(bot, message) if new else None)
    return Received(update_id, kind, chat["id"], incoming)


def _full_name(user: dict) -> str:
    return f"{user['first_name']} {user['last_name']}" if user.get("last_name") else user["first_name"]


def _other_kind(new: bool, message: dict) -> str | None:
    if not new:
        return "edited"
    if message.get("text") is not None:
        return None
    if _image_document(message):
        return "photo"                               # an image sent as a file is a photo too
    return next(kind for kind in SENT_KINDS if message.get(kind))


def _image_document(message: dict) -> bool:
    document = message.get("document")
    return bool(document) and (document.get("mime_type") or "").lower().startswith("image/")


def _photo(bot, message: dict) -> Photo | None:
    """A message's image (a photo, or an image sent as a file) as the handlers take it: fetched
    through the Bot API (getFile, then the file's URL under TELEGRAM_FILE_BASE_URL) on demand."""
    if message.get("photo"):
        # the sizes Telegram made of it, smallest first: the largest within the limit is fetched
        sizes = [(p["file_id"], p.get("file_size")) for p in message["photo"]]
        announced = None
    elif _image_document(message):
        document = message["document"]
        sizes = [(document["file_id"], document.get("file_size"))]
        announced = document.get("file_size")
    else:
        return None

    async def fetch(limit: int) -> bytes:
        fitting = [file_id for file_id, size in sizes if size is None or size <= limit]
        if not fitting:
            raise PhotoTooLarge()
        file = await bot.get_file(fitting[-1])
        if file.file_size is not None and file.file_size > limit:
            raise PhotoTooLarge()
        return bytes(await file.download_as_bytearray())

    return Photo(fetch, announced)


async def on_error(update: object, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Whatever escaped a handler: logged with the update's id only (no message text)."""
    update_id = update.update_id if isinstance(update, Update) else None
    log.error("update %s failed", update_id, exc_info=context.error)


def build_application(settings: Settings, *, services: Services,
                      request: BaseRequest | None = None, rate_limiter: bool = True,
                      max_concurrent_updates: int = 256) -> Application:
    """The python-telegram-bot Application, wired to our handlers. `request` replaces HTTP in tests.

    Updates are handled concurrently across chats and one at a time, in order, within a chat
    (bot.channels.ordering). The one throttle on the Telegram path is a `Budget` (domain.sender),
    `application.bot_data["budget"]`: replies take their turns in it as urgent, and the outbox
    sender (add_reminders) as bulk. `rate_limiter=False` leaves replies unpaced (tests); the
    sender then paces itself with a budget of its own.
    """
    channel = TelegramChannel(services)
    channel.budget = Budget(Limits().rate) if rate_limiter else None

    def chat_of(update: object) -> Hashable | None:
        """The key an update is ordered by: its chat (a pressed button's too), else its sender."""
        if not isinstance(update, Update):
            return None
        if update.effective_chat is not None:
            return update.effective_chat.id
        return ("user", update.effective_user.id) if update.effective_user is not None else None

    builder = (
        ApplicationBuilder()
        .token(settings.telegram_token)
        .base_url(settings.telegram_api_base_url)
        .base_file_url(settings.telegram_file_base_url)
        .concurrent_updates(OrderedUpdateProcessor(chat_of, max_concurrent_updates))
        .job_queue(None)               # the scheduler ticks for every channel (bot/scheduler.py)
    )
    if request is not None:
        builder = builder.request(request).get_updates_request(request)
    application = builder.build()
    private = filters.ChatType.PRIVATE
    application.add_handler(MessageHandler(private & (filters.UpdateType.MESSAGE | filters.UpdateType.EDITED_MESSAGE),
                                           channel.on_update))
    application.add_handler(CallbackQueryHandler(channel.on_update))
    application.add_error_handler(on_error)
    application.bot_data["channel"] = channel
    channel.application = application
    application.bot_data["budget"] = channel.budget
    return application


async def fetch_username(settings: Settings) -> str:
    """The bot's username, asked of the Bot API (for invite links)."""
    from telegram import Bot

    async with Bot(settings.telegram_token, base_url=settings.telegram_api_base_url,
                   base_file_url=settings.telegram_file_base_url) as bot:
        return bot.username


# --- the outbox: reminders and other messages the bot sends on its own ----------------------------

class TelegramTransport:
    """Sends outbox rows through a Bot, mapping Telegram's errors onto the sender's (domain.sender).

    The sender takes each row's turn in the budget before calling `deliver`; given the channel's
    budget too, a long text's further parts take theirs (bulk)."""

    channel = "telegram"

    def __init__(self, bot, budget: Budget | None = None):
        self.bot = bot
        self.budget = budget

    async def deliver(self, chat_id: str, reply: Reply) -> str:
        try:
            message = await send(self.bot, int(chat_id), reply, self.budget, urgent=False, paid=True)
        except PartlySent as partly:
            raise PartlySent(partly.rest, self.sender_error(partly.cause)) from partly.cause
        except TelegramError as error:
            mapped = self.sender_error(error)
            if mapped is error:
                raise
            raise mapped from error
        return str(message.message_id) if message is not None else ""

    @classmethod
    def sender_error(cls, error: Exception) -> Exception:
        """Telegram's error as the sender's (domain.sender); any other error as it is."""
        from domain import sender

        if isinstance(error, Forbidden):
            return sender.Blocked(str(error))
        if isinstance(error, RetryAfter):
            return sender.RetryAfter(cls.retry_seconds(error))
        if isinstance(error, (BadRequest, ChatMigrated)):   # BadRequest: a NetworkError, checked first
            return sender.Rejected(str(error))
        if isinstance(error, NetworkError):                  # timeouts, connection errors, 5xx
            return sender.Transient(str(error))
        return error

    @staticmethod
    def retry_seconds(error: BaseException) -> float | None:
        """The seconds a flood-control error asks to wait; None for any other error.

        Read through the public `RetryAfter.retry_after`: an int today (with a deprecation
        warning, silenced here) and a timedelta once PTB_TIMEDELTA is set or in PTB 23."""
        if not isinstance(error, RetryAfter):
            return None
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", PTBDeprecationWarning)
            wait = error.retry_after
        return wait.total_seconds() if isinstance(wait, timedelta) else float(wait)
