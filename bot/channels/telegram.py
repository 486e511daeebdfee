"""Telegram, through python-telegram-bot: turn updates into `Incoming`, replies into messages.

The only module that knows Telegram. Long polling; every call goes through the configured Bot
API server (TELEGRAM_API_BASE_URL), file downloads included.
"""

from __future__ import annotations

import asyncio
import logging
import warnings
from collections import OrderedDict
from collections.abc import Callable, Hashable
from datetime import timedelta

from telegram import (
    BotCommand, BotCommandScopeChat, InlineKeyboardButton, InlineKeyboardMarkup, Message, Update,
)
from telegram.constants import ChatAction, MessageLimit
from telegram.error import (
    BadRequest, ChatMigrated, Forbidden, InvalidToken, NetworkError, RetryAfter, TelegramError,
)
from telegram.ext import (
    Application, ApplicationBuilder, CallbackQueryHandler, ContextTypes, MessageHandler, filters,
)
from telegram.request import BaseRequest
from telegram.warnings import PTBDeprecationWarning

from bot.channels.base import CannotStart
from bot.channels.ordering import OrderedUpdateProcessor
from bot.settings import Settings
from bot.startup import with_retries
from domain.sender import Budget, Limits
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

    # --- lifecycle ----------------------------------------------------------------------------
    async def run(self, stop: asyncio.Event, *, say: Callable[[str], None] = print) -> None:
        """Long polling until `stop` is set. The Application's lifecycle is run by hand so that
        other channels and the scheduler share this event loop; with no network at start, it is
        retried with a Vietnamese line for each wait (`say`)."""
        application = self.application
        await self._initialize(say)
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
                          say: Callable[[str], None] = print) -> None:
        """As `run`, but Telegram pushes the updates to `url` (setWebhook, with `secret` sent back
        in every request's X-Telegram-Bot-Api-Secret-Token) and they come in through
        `accept_webhook`. Updates pending at Telegram (the bot was down) are delivered then. When
        `stop` is set: no more are taken, those taken are answered, then it returns."""
        application = self.application
        await self._initialize(say)
        try:
            await self.post_init(application)
            await application.start()
            self.webhook_open = not stop.is_set()   # an old webhook may already be pushing to us

            async def set_webhook() -> None:
                try:
                    await application.bot.set_webhook(url, secret_token=secret, allowed_updates=ALLOWED_UPDATES,
                                                      max_connections=WEBHOOK_CONNECTIONS)
                except BadRequest as error:      # a NetworkError too, but waiting will not help
                    raise CannotStart(t("telegram.webhook_refused", url=url, error=error.message)) from error

            await with_retries(set_webhook, attempts=START_ATTEMPTS, first_delay=2.0, say=say,
                               retry_on=(NetworkError,))
            log.info("Telegram: webhook set, updates are pushed to the bot")
            await stop.wait()
        finally:
            self.webhook_open = False
            await self.settle_webhook()
            if application.running:
                await application.stop()
            await self.settle()
            await application.shutdown()

    def accept_webhook(self, data: object) -> Update | None:
        """Take one update Telegram posted (its JSON, decoded) and start answering it in the
        background, after the updates of its chat taken before it (the Application's update
        processor: bot/channels/ordering.py). Returns the Update, or None for an update id taken
        just before (a repeat: the database's claim would answer it once anyway). Raises
        ValueError for anything that is not an update."""
        if not isinstance(data, dict) or type(data.get("update_id")) is not int:
            raise ValueError("not a Telegram update: no update_id")
        update_id = data["update_id"]
        if update_id in self._recent_updates:
            return None
        try:
            update = Update.de_json(data, self.application.bot)
        except Exception as error:
            raise ValueError(f"not a Telegram update ({type(error).__name__})") from error
        self._recent_updates[update_id] = None
        while len(self._recent_updates) > RECENT_UPDATES:
            self._recent_updates.popitem(last=False)
        # created now, in arrival order: the task reaches its chat's turn before any later one
        task = asyncio.create_task(self._process_pushed(update))
        self._webhook_tasks.add(task)
        task.add_done_callback(self._webhook_tasks.discard)
        return update

    async def _process_pushed(self, update: Update) -> None:
        application = self.application
        try:
            await application.update_processor.process_update(update, application.process_update(update))
        except Exception:                      # handlers' errors go to on_error; this is anything else
            log.exception("update %s could not be processed", update.update_id)

    @property
    def pending(self) -> int:
        """Pushed updates taken and not yet answered."""
        return len(self._webhook_tasks)

    async def settle_webhook(self) -> None:
        """Wait until every pushed update taken is answered."""
        while self._webhook_tasks:
            await asyncio.gather(*list(self._webhook_tasks), return_exceptions=True)

    async def _initialize(self, say: Callable[[str], None]) -> None:
        """Initialize the Application (getMe), retrying while there is no network."""
        try:
            await with_retries(self.application.initialize, attempts=START_ATTEMPTS, first_delay=2.0, say=say,
                               retry_on=(NetworkError,))
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
    async def on_message(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        """A message or an edited one, in a private chat."""
        message = update.effective_message
        user = update.effective_user
        if message is None or user is None:
            return
        if update.effective_chat.type != "private":
            return                                   # groups are not where reports are made
        incoming = Incoming(
            channel="telegram", user_id=str(user.id), chat_id=str(message.chat_id),
            display_name=user.full_name, text=message.text if update.message else None,
            other=_other_kind(update, message), update_key=f"telegram:{update.update_id}",
            photo=_photo(context.bot, message) if update.message else None,
        )
        replies = await handle(self.services, incoming)
        await self._answer(context, message.chat_id, replies)

    async def on_button(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        """A pressed inline button: answer it, close that message's buttons, then reply."""
        query = update.callback_query
        chat_id = query.message.chat_id if query.message else query.from_user.id
        incoming = Incoming(
            channel="telegram", user_id=str(query.from_user.id), chat_id=str(chat_id),
            display_name=query.from_user.full_name, button=Action.decode(query.data or "") or STALE,
            update_key=f"telegram:{update.update_id}",
        )
        replies = await handle(self.services, incoming)
        try:
            await query.answer()
        except TelegramError:
            pass                                     # an old query can no longer be answered
        pressed = query.message.message_id if isinstance(query.message, Message) else None
        await self._answer(context, chat_id, replies, pressed)

    # --- outgoing -------------------------------------------------------------------------------
    async def _answer(self, context: ContextTypes.DEFAULT_TYPE, chat_id: int, replies: list[Reply],
                      pressed: int | None = None) -> None:
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
            sent = await send(context.bot, chat_id, reply, budget)
            if reply.buttons and sent is not None:
                self._open_keyboards[chat_id] = sent.message_id
            if reply.command_menu:
                commands = [BotCommand(n, d) for n, d in reply.command_menu]

                def set_menu(commands=commands):
                    return context.bot.set_my_commands(commands, scope=BotCommandScopeChat(chat_id))

                if budget is None:
                    await set_menu()
                else:
                    await budget.call(set_menu, urgent=True, retry_after=TelegramTransport.retry_seconds)

        async def close(message_id: int) -> None:
            if budget is None:
                await self._close_keyboard(context.bot, chat_id, message_id)
                return
            try:         # a RetryAfter here holds everyone back too, and the edit is made after it
                await budget.call(
                    lambda: context.bot.edit_message_reply_markup(chat_id, message_id, reply_markup=None),
                    retry_after=TelegramTransport.retry_seconds)
            except TelegramError:
                pass     # as _close_keyboard: already closed, too old to edit, or offline

        for message_id in answered - {self._open_keyboards.get(chat_id)}:
            task = asyncio.create_task(close(message_id))
            self._closing.add(task)
            task.add_done_callback(self._closing.discard)

    async def _close_keyboard(self, bot, chat_id: int, message_id: int) -> None:
        try:
            await bot.edit_message_reply_markup(chat_id, message_id, reply_markup=None)
        except TelegramError:
            pass            # already closed, too old to edit, or offline: its buttons are stale-checked anyway

    async def settle(self) -> None:
        """Wait for the buttons being closed (tests, and shutdown)."""
        while self._closing:
            await asyncio.gather(*list(self._closing), return_exceptions=True)


async def send(bot, chat_id: int | str, reply: Reply, budget: Budget | None = None, *, urgent: bool = True,
               paid: bool = False) -> Message | None:
    """Send one Reply: text split under Telegram's limit, buttons on the last part, or a file.

    With a budget, every call waits for its turn (`urgent`: a reply to a person, ahead of bulk),
    and a RetryAfter holds the whole budget back for the time asked, after which the same call is
    made again: sent once, neither dropped nor repeated. `paid`: the caller (the outbox sender)
    took the first call's turn and handles that call's RetryAfter itself; later parts take theirs
    here, as bulk."""
    markup = _markup(reply)

    async def call(first: bool, make):
        if budget is None or (paid and first):
            return await make()
        return await budget.call(make, urgent=urgent, retry_after=TelegramTransport.retry_seconds)

    if reply.attachment is not None:
        caption = reply.text[: MessageLimit.CAPTION_LENGTH] or None

        async def upload():
            # opened for each attempt: a retried upload reads the file again from its start
            with open(reply.attachment, "rb") as handle:
                if reply.attachment_kind == "photo":
                    return await bot.send_photo(chat_id, handle, caption=caption, reply_markup=markup)
                return await bot.send_document(chat_id, handle, caption=caption, reply_markup=markup,
                                               filename=reply.attachment.name)

        return await call(True, upload)
    parts = split_text(reply.text)
    sent = None
    for index, part in enumerate(parts):
        last = index == len(parts) - 1
        sent = await call(index == 0, lambda part=part, last=last: bot.send_message(
            chat_id, part, reply_markup=markup if last else None))
    return sent


def split_text(text: str, limit: int = MessageLimit.MAX_TEXT_LENGTH) -> list[str]:
    """Cut a long text at line ends (or, for a single huge line, anywhere) into parts that fit."""
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
    return parts


def _markup(reply: Reply) -> InlineKeyboardMarkup | None:
    if not reply.buttons:
        return None
    return InlineKeyboardMarkup(
        [[InlineKeyboardButton(b.label, callback_data=b.action.encode()) for b in row] for row in reply.buttons])


def _other_kind(update: Update, message: Message) -> str | None:
    if update.edited_message is not None:
        return "edited"
    if message.text is not None:
        return None
    if _image_document(message):
        return "photo"                               # an image sent as a file is a photo too
    for kind in ("sticker", "photo", "voice", "video", "document", "audio", "location", "contact", "animation"):
        if getattr(message, kind, None):
            return kind
    return "other"


def _image_document(message: Message) -> bool:
    document = message.document
    return document is not None and (document.mime_type or "").lower().startswith("image/")


def _photo(bot, message: Message) -> Photo | None:
    """A message's image (a photo, or an image sent as a file) as the handlers take it: fetched
    through the Bot API (getFile, then the file's URL under TELEGRAM_FILE_BASE_URL) on demand."""
    if message.photo:
        # the sizes Telegram made of it, smallest first: the largest within the limit is fetched
        sizes = [(p.file_id, p.file_size) for p in message.photo]
        announced = None
    elif _image_document(message):
        sizes = [(message.document.file_id, message.document.file_size)]
        announced = message.document.file_size
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
                                           channel.on_message))
    application.add_handler(CallbackQueryHandler(channel.on_button))
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
        from domain import sender

        try:
            message = await send(self.bot, int(chat_id), reply, self.budget, urgent=False, paid=True)
        except Forbidden as error:
            raise sender.Blocked(str(error)) from error
        except RetryAfter as error:
            raise sender.RetryAfter(self.retry_seconds(error)) from error
        except BadRequest as error:                          # a NetworkError subclass: checked first
            raise sender.Rejected(str(error)) from error
        except NetworkError as error:                        # timeouts, connection errors, 5xx
            raise sender.Transient(str(error)) from error
        except ChatMigrated as error:
            raise sender.Rejected(str(error)) from error
        return str(message.message_id) if message is not None else ""

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
