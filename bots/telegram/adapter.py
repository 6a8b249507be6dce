"""The Telegram front door: python-telegram-bot 22 Application <-> the platform-neutral core App."""

from __future__ import annotations

import asyncio
import dataclasses
import html
import logging
from collections.abc import Awaitable
from typing import Any
from urllib.parse import urlsplit

from telegram import (
    Bot,
    BotCommand,
    BotCommandScopeChat,
    CallbackQuery,
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    InputMediaPhoto,
    Message,
    Update,
)
from telegram.constants import ChatAction, ParseMode
from telegram.error import Forbidden, InvalidToken, NetworkError, TelegramError
from telegram.ext import Application, CallbackContext, TypeHandler
from telegram.request import HTTPXRequest

from bots.base import Capabilities, PlatformUnreachable
from bots.telegram import forum, inline, logsafe, render, translate
from bots.telegram.limits import (
    BUTTONS_PER_ROW,
    MAX_BUTTONS,
    MAX_CAPTION,
    MAX_DOWNLOAD,
    MAX_TEXT,
    FileTooBig,
    SendLimits,
    limits_for,
)
from bots.telegram.processor import MAX_WAITING_PER_CHAT, PerChatUpdateProcessor
from bots.telegram.ratelimit import Allowance, SendRateLimiter
from core.config import ConfigError, ModerationConfig, TelegramConfig
from core.events import ChatRef, IncomingEvent
from core.notifiers import RecipientGone
from core.ports import AppPort
from core.replies import Reply
from core.router import COMMAND_ACTION
from core.text_norm import mentions_anon

logger = logging.getLogger(__name__)

SORRY = "Something went wrong, please try again."
UNSUPPORTED = (
    "Sorry, I can't read that kind of message. Type your answer, or send a photo, document, video or "
    "video note when I ask for one. /help shows what I can do."
)
TYPING_AFTER = 1.0  # seconds the core may think before the chat shows "typing…"
TYPING_EVERY = 4.5  # Telegram shows a chat action for about 5 s
GO_PRIVATE = "Let's continue in a private chat, so the group is not flooded with questions."
GO_PRIVATE_BUTTON = "💬 Continue in private chat"
GO_PRIVATE_ANON = (
    "To post anonymously, send that to me in our private chat: nothing was posted from here, "
    "where everyone can see who sent it."
)
PRIVATE_BLOCKED = "I could not message you privately: open a private chat with me first."
ANSWERED_MARK = "✓"
SLOW_DOWN = (
    "You are sending messages faster than I can answer them, so I skipped some. "
    "Please wait for my reply before sending the next one."
)


class TelegramAdapter:
    """Runs the bot on Telegram: polling (default) or webhook, rate-limited sends, core replies rendered."""

    name = "telegram"
    capabilities = Capabilities(
        max_text=MAX_TEXT,
        max_caption=MAX_CAPTION,
        forms=False,
        edits=True,
        buttons_per_row=BUTTONS_PER_ROW,
        max_buttons=MAX_BUTTONS,
    )

    def __init__(
        self,
        app: AppPort,
        config: TelegramConfig,
        moderation: ModerationConfig,
        *,
        limits: SendLimits | None = None,
        poll_interval: float = 0.0,
        poll_timeout: int = 10,
        typing_after: float = TYPING_AFTER,
        max_waiting_per_chat: int = MAX_WAITING_PER_CHAT,
    ) -> None:
        self.app = app
        self.config = config
        self.moderation = moderation
        self.limits = limits or limits_for(config.send_limits)  # this process's share of the token's rate
        self.poll_interval = poll_interval
        self.poll_timeout = poll_timeout
        self.typing_after = typing_after
        self._typing = Allowance(self.limits.typing_per_second, self.limits.typing_per_second)
        self.processor = PerChatUpdateProcessor(
            max_waiting_per_chat=max_waiting_per_chat, on_overflow=self._slow_down
        )
        self.application: Application | None = None
        self.bot_username = config.bot_username.lstrip("@")
        self.forum_chat_id: int | None = config.forum_chat_id or None  # a supergroup with topics
        self.mirror: forum.ForumMirror | None = None
        self._stop_requested = asyncio.Event()
        self._started = False
        logsafe.protect(config.token, config.webhook.secret_token)
        app.register_notifier(self.name, self)

    # ----------------------------------------------------------------- lifecycle

    def build(self) -> Application:
        """The PTB Application: our base URLs, HTTPX requests, the send rate limiter, one update handler."""
        if not self.config.token:
            raise ValueError("telegram.token is empty: set TELEGRAM_BOT_TOKEN")
        application = (
            Application.builder()
            .token(self.config.token)
            .base_url(self.config.base_url)
            .base_file_url(self.config.base_file_url)
            .request(HTTPXRequest(connection_pool_size=64, connect_timeout=10, read_timeout=20))
            .get_updates_request(HTTPXRequest(connect_timeout=10, read_timeout=self.poll_timeout + 10))
            .rate_limiter(SendRateLimiter(self.limits))
            .concurrent_updates(self.processor)
            .build()
        )
        application.add_handler(TypeHandler(Update, self._on_update))
        application.add_error_handler(self._on_error)
        return application

    async def start(self) -> None:
        """Connect (getMe), register commands, and start polling or the webhook server; returns at once."""
        if self._started:
            return
        self._stop_requested.clear()
        application = await self._initialize()
        self.bot_username = self.bot_username or (application.bot.username or "")
        await self._register_commands()
        self._register_mirror()
        await application.start()
        updater = application.updater
        assert updater is not None
        if self.config.mode == "webhook":
            hook = self.config.webhook
            await updater.start_webhook(
                listen=hook.listen,
                port=hook.port,
                url_path=self.name,
                webhook_url=hook.url or None,
                secret_token=hook.secret_token or None,
                allowed_updates=Update.ALL_TYPES,
            )
        else:
            await updater.start_polling(
                poll_interval=self.poll_interval,
                timeout=self.poll_timeout,
                allowed_updates=Update.ALL_TYPES,
            )
        self._started = True
        logger.info(
            "telegram adapter running as @%s (%s), sending at most %g messages/s (telegram.send_limits)",
            self.bot_username,
            self.config.mode,
            self.limits.overall_per_second,
        )

    async def open_for_sending(self) -> None:
        """Connect for pushing only (no polling, no webhook): e.g. `main.py digest` from cron."""
        await self._initialize()

    async def _initialize(self) -> Application:
        """Build the Application and call getMe; a rejected token is a ConfigError without the token."""
        application = self.application = self.build()
        try:
            await application.initialize()
        except InvalidToken:
            await application.shutdown()
            self.application = None
            # PTB's message quotes the token; never let it reach a terminal or a log
            raise ConfigError(
                "telegram.token was rejected by the Bot API: check TELEGRAM_BOT_TOKEN"
            ) from None
        except NetworkError as problem:  # TimedOut too: DNS, refused, proxy, no route
            await application.shutdown()
            self.application = None
            raise PlatformUnreachable(
                f"telegram: cannot reach the Bot API at {urlsplit(self.config.base_url).netloc} "
                f"({logsafe.redact(problem.message)}); check the network or proxy, or telegram.base_url"
            ) from None
        return application

    async def close_sending(self) -> None:
        """Release what open_for_sending() opened."""
        if self.application is not None:
            await self.application.shutdown()
            self.application = None

    async def run(self) -> None:
        """Serve until stop() is called (or the task is cancelled), then shut down cleanly."""
        await self.start()
        try:
            await self._stop_requested.wait()
        finally:
            await self._shutdown()

    async def stop(self) -> None:
        """Stop polling/webhook and the Application; safe to call twice or before start."""
        self._stop_requested.set()
        await self._shutdown()

    async def _shutdown(self) -> None:
        application = self.application
        if application is None or not self._started:
            return
        self._started = False
        try:
            if application.updater and application.updater.running:
                await application.updater.stop()
            if application.running:
                await application.stop()
        finally:
            await application.shutdown()
            logger.info("telegram adapter stopped")

    def _register_mirror(self) -> None:
        """Mirror the core's discussion threads as forum topics when a forum supergroup is configured."""
        if self.forum_chat_id is None or self.mirror is not None:
            return
        self.mirror = forum.ForumMirror(self.forum_chat_id, self._bot, self._send_out)
        self.app.register_mirror(self.name, self.mirror)
        logger.info("mirroring discussions as topics of forum chat %s", self.forum_chat_id)

    def _bot(self) -> Bot:
        if self.application is None:
            raise RuntimeError("the Telegram adapter is not running")
        return self.application.bot

    async def _register_commands(self) -> None:
        """setMyCommands from the core's command list (moderator-only ones are not advertised)."""
        assert self.application is not None
        commands = [
            BotCommand(info.name, (info.description or info.name)[:256])
            for info in self.app.commands
            if not info.moderator_only and translate.COMMAND.match("/" + info.name)
        ]
        if not commands:
            return
        try:
            await self.application.bot.set_my_commands(commands[:100])
        except TelegramError as exc:
            logger.warning("could not register commands: %s", exc)
        everything = [
            BotCommand(i.name, (i.description or i.name)[:256])
            for i in self.app.commands
            if translate.COMMAND.match("/" + i.name)
        ]
        if len(everything) == len(commands):
            return
        for moderator in self.moderation.telegram_user_ids:  # moderators see their commands too
            try:
                await self.application.bot.set_my_commands(
                    everything[:100], scope=BotCommandScopeChat(int(moderator))
                )
            except (TelegramError, ValueError) as exc:
                logger.info("could not register moderator commands for %s: %s", moderator, exc)

    # ----------------------------------------------------------------- incoming

    async def _slow_down(self, update: object) -> None:
        """A chat flooded us beyond its queue (the processor dropped the excess): say so, once."""
        if isinstance(update, Update) and update.effective_chat is not None and self.application:
            message = update.effective_message
            topic = message.message_thread_id if message is not None and message.is_topic_message else None
            await self._send_out(update.effective_chat.id, [render.OutText(html.escape(SLOW_DOWN))], topic)

    async def _on_update(self, update: Update, context: CallbackContext) -> None:
        """Translate one update, ask the core, and render its replies."""
        if update.callback_query is not None:
            await self._on_button(update)
            return
        if update.inline_query is not None:
            await inline.answer(update.inline_query, self.app, self.bot_username)
            return
        member = update.my_chat_member
        if member is not None:
            if member.new_chat_member.status in ("kicked", "left"):  # blocked, or removed from a group
                chat = member.chat
                await self.app.recipient_gone(
                    ChatRef("telegram", str(chat.id), is_private=chat.type == "private")
                )
            return
        message = update.message
        if message is None:
            return  # edits, channel posts, other member updates: nothing for the core
        event = translate.message_event(
            message,
            bot_username=self.bot_username,
            moderator_ids=self.moderation.telegram_user_ids,
            fetcher=self._fetcher,
            forum_chat_id=self.forum_chat_id,
        )
        if event is None:
            if translate.is_unsupported(message):
                await self._send_out(message.chat_id, [render.OutText(html.escape(UNSUPPORTED))])
            return
        topic = message.message_thread_id if message.is_topic_message else None  # answer in the topic
        personal = self._personal()
        if not event.chat.is_private and event.kind == "command" and event.command in personal:
            await self._invite_private(message.chat_id, event.command or "", topic)
            return
        if not event.chat.is_private and event.kind == "command" and mentions_anon(event.args):
            # anonymous posting from a group happens in the private chat, as /share does: posted from
            # here, the group would see who asked for anonymity (and the confirmation)
            await self._invite_private(message.chat_id, event.command or "", topic, GO_PRIVATE_ANON)
            return
        invited = personal | {info.name for info in self.app.commands if info.name != "start"}
        if event.kind == "command" and event.command == "start" and event.args in invited:
            # our own group invitation (t.me/<bot>?start=<command>): run the command it was made for
            event = dataclasses.replace(event, command=event.args, args="")
        replies = await self._handle(event, message.chat_id, topic)
        if replies is None:
            return
        if event.kind == "text" and not event.chat.is_private:
            # a message in a forum topic: the core has mirrored it (or it was chatter in a topic the core
            # does not know); only private notes (e.g. the posting limit) go out, to the writer's chat
            replies = [reply for reply in replies if reply.private]
        await self._deliver(event, message.chat_id, replies, topic)

    async def _on_button(self, update: Update) -> None:
        """Acknowledge the press, pass the token to the core, retire the old keyboard.

        The acknowledgement (answerCallbackQuery: it only stops the client's spinner) runs while the
        core works, and the keyboard's retirement (one editMessageText) goes out beside the replies, so
        a press waits for one round trip to the Bot API after the core instead of three in a row.
        """
        query = update.callback_query
        assert query is not None
        answered = asyncio.ensure_future(self._answer(query, update.update_id))
        try:
            await self._on_press(update)
        finally:
            await answered

    @staticmethod
    async def _answer(query: CallbackQuery, update_id: int) -> None:
        try:
            await query.answer()
        except TelegramError as exc:  # too old to answer: the press is still handled
            logger.info("answerCallbackQuery failed for update %s: %s", update_id, exc)

    async def _on_press(self, update: Update) -> None:
        query = update.callback_query
        assert query is not None
        event = translate.button_event(query, self.moderation.telegram_user_ids)
        if event is None:
            return
        message = query.message if isinstance(query.message, Message) else None
        topic = message.message_thread_id if message is not None and message.is_topic_message else None
        action = event.action or ""
        command = action[len(COMMAND_ACTION) :].split(" ")[0]
        if not event.chat.is_private and action.startswith(COMMAND_ACTION) and command in self._personal():
            await self._invite_private(int(event.chat.id), command, topic)  # e.g. the greeting's "Share"
            return
        replies = await self._handle(event, int(event.chat.id), topic)
        if replies is None:
            return
        if message is not None and any(reply.replaces_prompt for reply in replies):
            # a question answered: its keyboard is done (retired beside the replies, not before them).
            # A stale press (a double tap, an old keyboard) only loses its keyboard: marking it with the
            # stale choice would show an answer the dialog never took.
            stale = bool(replies) and replies[0].stale
            await asyncio.gather(
                self._mark_answered(message, "" if stale else query.data or ""),
                self._deliver(event, int(event.chat.id), replies, topic),
            )
            return
        await self._deliver(event, int(event.chat.id), replies, topic)

    async def _handle(self, event: IncomingEvent, chat_id: int, topic: int | None) -> list[Reply] | None:
        """Ask the core; a file the Bot API cannot hand us gets a clear message first, never a getFile."""
        too_big = [a for a in event.attachments if a.size is not None and a.size > MAX_DOWNLOAD]
        if too_big:  # told here, before any download; the core never sees a file it could not fetch
            await self._send_out(
                chat_id, [render.OutText(html.escape(str(FileTooBig(too_big[0].size))))], topic
            )
            return None
        try:
            return await self._while_typing(self.app.handle(event), chat_id, topic)
        except FileTooBig as exc:  # the size was unknown until getFile
            await self._send_out(chat_id, [render.OutText(html.escape(str(exc)))], topic)
            return None

    async def _while_typing(
        self, work: Awaitable[list[Reply]], chat_id: int, topic: int | None
    ) -> list[Reply]:
        """Await the core; if it thinks for a while (charts, downloads), show "typing…" until it answers.

        The indicators of all chats share `SendLimits.typing_per_second`: when the whole bot is slow
        (every update waits over `typing_after`), most are skipped instead of adding a call to each.
        """
        task = asyncio.ensure_future(work)
        wait = self.typing_after
        while True:
            try:
                done, _ = await asyncio.wait({task}, timeout=wait)
            except asyncio.CancelledError:  # shutting down: the core's work is cancelled as without us
                task.cancel()
                raise
            if done:
                return task.result()
            wait = TYPING_EVERY
            if not self._typing.take():  # the bot is busy everywhere: the indicator would cost more
                continue
            try:
                await self._bot().send_chat_action(chat_id, ChatAction.TYPING, message_thread_id=topic)
            except TelegramError as exc:  # cosmetic: never fail the answer for it
                logger.info("could not show typing in chat %s: %s", chat_id, exc)

    def _fetcher(self, file_id: str, size: int | None):
        """A lazy download: getFile + download only when the core calls it, never for files over 20 MB."""

        async def fetch() -> bytes:
            if size is not None and size > MAX_DOWNLOAD:
                raise FileTooBig(size)
            assert self.application is not None
            tg_file = await self.application.bot.get_file(file_id)
            if tg_file.file_size is not None and tg_file.file_size > MAX_DOWNLOAD:
                raise FileTooBig(tg_file.file_size)
            return bytes(await tg_file.download_as_bytearray())

        return fetch

    def _personal(self) -> set[str]:
        names: set[str] = set()
        for info in self.app.commands:
            if info.personal:
                names.add(info.name)
                names.update(info.aliases)
        return names

    async def _invite_private(
        self, chat_id: int, command: str, topic: int | None = None, text: str = GO_PRIVATE
    ) -> None:
        """In a group, a personal dialog gets a deep-link button to the private chat instead."""
        url = f"https://t.me/{self.bot_username}?start={command}"
        markup = InlineKeyboardMarkup([[InlineKeyboardButton(GO_PRIVATE_BUTTON, url=url)]])
        await self._send_out(chat_id, [render.OutText(html.escape(text), markup)], topic)

    async def _mark_answered(self, message: Message, data: str) -> None:
        """Remove the pressed keyboard and append '✓ <label>' so the question cannot be answered twice.

        One call: editMessageText with the mark and no reply_markup (which removes the keyboard); only a
        message whose text cannot carry the mark (a photo, or no room left) gets editMessageReplyMarkup.
        Neither is a message, so in a private chat neither spends the send budget (ratelimit.budget_of).
        """
        if not data and not message.reply_markup:
            return  # a stale press on a message whose keyboard is already gone: nothing to retire
        label = ""
        if data and message.reply_markup:
            for row in message.reply_markup.inline_keyboard:
                for button in row:
                    if button.callback_data == data:
                        label = button.text
        bot = message.get_bot()
        try:
            text = message.text or ""
            mark = f"\n\n{ANSWERED_MARK} {html.escape(label)}" if label else ""
            if text and mark and render.utf16_len(text + mark) <= MAX_TEXT:
                await bot.edit_message_text(
                    message.text_html + mark,
                    chat_id=message.chat_id,
                    message_id=message.message_id,
                    parse_mode=ParseMode.HTML,
                )
            else:
                await bot.edit_message_reply_markup(chat_id=message.chat_id, message_id=message.message_id)
        except TelegramError as exc:  # already edited, deleted, not modified, or the network: cosmetic
            logger.info("could not retire keyboard of message %s: %s", message.message_id, exc)

    # ----------------------------------------------------------------- outgoing

    async def _deliver(
        self, event: IncomingEvent, chat_id: int, replies: list[Reply], topic: int | None = None
    ) -> None:
        """Send replies in order; private ones go to the user's private chat when we are in a group.

        A reply that cannot be rendered or sent (a 400 for one message, a network error after the
        retries) is logged and the others still go out; the user is told once that something failed.
        """
        failed = False
        for reply in replies:
            target, thread = chat_id, topic
            if reply.private and not event.chat.is_private:
                target, thread = int(event.user.id), None
            try:
                try:
                    await self._send_out(target, render.render_reply(reply), thread)
                except Forbidden:
                    if target == chat_id:
                        raise
                    await self._send_out(chat_id, [render.OutText(html.escape(PRIVATE_BLOCKED))], topic)
            except Forbidden:  # the user blocked the bot (or it was removed): nothing more to send there
                logger.info("chat %s blocked or removed the bot; reply dropped", target)
                private = event.chat.is_private or target != chat_id
                await self.app.recipient_gone(ChatRef("telegram", str(target), is_private=private))
            except Exception:
                logger.exception("could not deliver a reply to chat %s; kept for a retry", target)
                failed = True
                if thread is None:  # the outbox has no topic threads; a topic reply is only apologised for
                    private = event.chat.is_private or target != chat_id
                    await self.app.keep_for_retry(ChatRef("telegram", str(target), is_private=private), reply)
        if failed:
            try:
                await self._send_out(chat_id, [render.OutText(html.escape(SORRY))], topic)
            except TelegramError as exc:
                logger.warning("could not tell chat %s about a failed reply: %s", chat_id, exc)

    async def send(self, chat: ChatRef, reply: Reply) -> None:
        """Notifier: push a reply the core produced later (scores, moderation results, digests)."""
        if self.application is None:
            raise RuntimeError("the Telegram adapter is not running")
        topic = forum.parse_topic_ref(chat.id)  # a mirrored topic: "<chat id>:<topic id>"
        try:
            if topic is not None:
                await self._send_out(topic[0], render.render_reply(reply), topic[1])
            else:
                await self._send_out(int(chat.id), render.render_reply(reply))
        except Forbidden as exc:  # 403: blocked by the user, kicked from the group, user deactivated
            raise RecipientGone(chat, exc.message) from exc

    async def _send_out(
        self, chat_id: int, outs: list[render.Out], topic: int | None = None
    ) -> list[Message]:
        """Execute rendered messages through the (rate-limited) bot, inside forum topic `topic` if given."""
        assert self.application is not None
        bot = self.application.bot
        sent: list[Message] = []
        for out in outs:
            kwargs: dict[str, Any] = {"chat_id": chat_id, "parse_mode": ParseMode.HTML}
            if topic is not None:
                kwargs["message_thread_id"] = topic
            if isinstance(out, render.OutText):
                sent.append(await bot.send_message(text=out.html, reply_markup=out.markup, **kwargs))
            elif isinstance(out, render.OutPhoto):
                sent.append(
                    await bot.send_photo(
                        photo=out.png,
                        filename=out.filename,
                        caption=out.caption_html or None,
                        reply_markup=out.markup,
                        **kwargs,
                    )
                )
            elif isinstance(out, render.OutDocument):
                sent.append(
                    await bot.send_document(
                        document=out.data,
                        filename=out.filename,
                        caption=out.caption_html or None,
                        reply_markup=out.markup,
                        **kwargs,
                    )
                )
            else:
                media = [
                    InputMediaPhoto(png, caption=caption or None, parse_mode=ParseMode.HTML, filename=name)
                    for png, name, caption in out.items
                ]
                thread = {"message_thread_id": topic} if topic is not None else {}
                sent.extend(await bot.send_media_group(chat_id=chat_id, media=media, **thread))
        return sent

    async def _on_error(self, update: object, context: CallbackContext) -> None:
        """Log the failure with the update id (never the token) and tell the user to try again."""
        update_id = update.update_id if isinstance(update, Update) else None
        error = context.error
        logger.error(
            "update %s failed: %s: %s",
            update_id,
            type(error).__name__,
            logsafe.redact(str(error)),
            exc_info=error,
        )
        if isinstance(update, Update) and update.effective_chat is not None:
            try:
                await context.bot.send_message(update.effective_chat.id, SORRY)
            except TelegramError as exc:
                logger.warning("could not tell chat about the failure of update %s: %s", update_id, exc)

    # ----------------------------------------------------------------- test support

    async def wait_processed(self, update_id: int, timeout: float = 10.0) -> None:
        """Wait until the update with this id has been handled (tests and graceful shutdown)."""
        await self.processor.wait_done(update_id, timeout)
