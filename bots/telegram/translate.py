"""Turn Telegram updates into the core's IncomingEvents (commands, text, button presses, files)."""

from __future__ import annotations

import logging
import re
from collections.abc import Awaitable, Callable, Collection
from dataclasses import dataclass
from typing import Any

from telegram import CallbackQuery, Chat, Message, User

from bots.telegram.limits import MAX_DEEP_LINK
from core.events import Attachment, ChatRef, IncomingEvent, UserRef

logger = logging.getLogger(__name__)

PLATFORM = "telegram"
COMMAND = re.compile(r"^/([A-Za-z0-9_]{1,32})(?:@([A-Za-z0-9_]{3,64}))?(?:\s+(.*))?$", re.DOTALL)
DEEP_LINK_PAYLOAD = re.compile(rf"^[A-Za-z0-9_-]{{1,{MAX_DEEP_LINK}}}$")

Fetcher = Callable[[str, int | None], Callable[[], Awaitable[bytes]]]


@dataclass(frozen=True)
class ParsedCommand:
    """A /command as typed: name (lowercased), the bot it addresses (if any) and the rest of the text."""

    name: str
    target: str | None
    args: str


def parse_command(text: str) -> ParsedCommand | None:
    """Parse '/name@bot args'; None when the text is not a command."""
    match = COMMAND.match(text.strip())
    if not match:
        return None
    name, target, args = match.groups()
    return ParsedCommand(name.lower(), target, (args or "").strip())


def deep_link_payload(args: str) -> str:
    """The /start payload if it is a valid deep-link payload (<= 64 of A-Z a-z 0-9 _ -), else ''."""
    if args and not DEEP_LINK_PAYLOAD.match(args):
        logger.info("ignoring an invalid /start payload of %d characters", len(args))
        return ""
    return args


def user_ref(user: User) -> UserRef:
    """The core's view of a Telegram user."""
    return UserRef(PLATFORM, str(user.id), user.full_name or user.username or str(user.id))


def chat_ref(chat: Chat) -> ChatRef:
    """The core's view of a Telegram chat; only 'private' chats carry dialogs."""
    return ChatRef(PLATFORM, str(chat.id), chat.type == Chat.PRIVATE, chat.title or "")


def is_moderator(user: User, moderator_ids: Collection[int | str]) -> bool:
    """True when the user's id is listed in config.moderation.telegram_user_ids."""
    return str(user.id) in {str(item) for item in moderator_ids}


def attachments(message: Message, fetcher: Fetcher) -> tuple[Attachment, ...]:
    """The files in a message, each with a lazy fetch(); nothing is downloaded here."""
    found: list[Attachment] = []
    if message.photo:
        photo = max(message.photo, key=lambda size: (size.file_size or 0, size.width * size.height))
        found.append(
            Attachment(
                f"photo_{message.message_id}.jpg",
                photo.file_size,
                "image/jpeg",
                None,
                "photo",
                fetcher(photo.file_id, photo.file_size),
            )
        )
    if message.document:
        doc = message.document
        found.append(
            Attachment(
                doc.file_name or f"document_{message.message_id}",
                doc.file_size,
                doc.mime_type or "application/octet-stream",
                None,
                "document",
                fetcher(doc.file_id, doc.file_size),
            )
        )
    if message.video:
        video = message.video
        found.append(
            Attachment(
                video.file_name or f"video_{message.message_id}.mp4",
                video.file_size,
                video.mime_type or "video/mp4",
                _seconds(video),
                "video",
                fetcher(video.file_id, video.file_size),
            )
        )
    if message.video_note:
        note = message.video_note
        found.append(
            Attachment(
                f"video_note_{message.message_id}.mp4",
                note.file_size,
                "video/mp4",
                _seconds(note),
                "video_note",
                fetcher(note.file_id, note.file_size),
            )
        )
    return tuple(found)


def _seconds(media: Any) -> float | None:
    """Duration in seconds from the wire value (PTB 22's `.duration` warns about its int/timedelta switch)."""
    duration = media.to_dict().get("duration")
    return None if duration is None else float(duration)


def topic_of(message: Message, forum_chat_id: int | None) -> int | None:
    """The forum topic (message_thread_id) a message was written in, in the configured forum supergroup."""
    if forum_chat_id is None or message.chat.id != forum_chat_id or not message.is_topic_message:
        return None
    return message.message_thread_id


def topic_chat_ref(message: Message, thread_id: int) -> ChatRef:
    """A forum topic as the core identifies mirrored threads: ChatRef.id = "<chat id>:<topic id>"."""
    return ChatRef(PLATFORM, f"{message.chat.id}:{thread_id}", False, message.chat.title or "")


def message_event(
    message: Message,
    *,
    bot_username: str,
    moderator_ids: Collection[int | str],
    fetcher: Fetcher,
    forum_chat_id: int | None = None,
) -> IncomingEvent | None:
    """A message -> event; None when it is not for us (group chatter, other bots' commands, service).

    Plain text inside a topic of the forum supergroup is a reply in a mirrored thread: kind="text" with
    the topic's ChatRef. Commands there stay ordinary group commands.
    """
    sender = message.from_user
    if sender is None or sender.is_bot:
        return None
    user, chat = user_ref(sender), chat_ref(message.chat)
    moderator = is_moderator(sender, moderator_ids)
    update_id = f"tg:{message.chat.id}:{message.message_id}"  # unique per message, shown in the logs
    text = message.text or ""
    command = parse_command(text) if text.startswith("/") else None
    if command is not None:
        if command.target and command.target.lower() != bot_username.lower():
            return None  # addressed to another bot in the group
        args = deep_link_payload(command.args) if command.name == "start" else command.args
        return IncomingEvent(
            user, chat, "command", text, command.name, args, is_moderator=moderator, update_id=update_id
        )
    topic = topic_of(message, forum_chat_id)
    if topic is not None and text.strip():
        return IncomingEvent(
            user, topic_chat_ref(message, topic), "text", text, is_moderator=moderator, update_id=update_id
        )
    if not chat.is_private:
        return None  # plain group chatter is not for the bot
    files = attachments(message, fetcher)
    if files:
        return IncomingEvent(
            user,
            chat,
            "upload",
            message.caption or "",
            attachments=files,
            is_moderator=moderator,
            update_id=update_id,
        )
    if message.text is not None:
        return IncomingEvent(user, chat, "text", text, is_moderator=moderator, update_id=update_id)
    return None


def is_unsupported(message: Message) -> bool:
    """A user message in a private chat we cannot read (sticker, location, voice...): tell them so."""
    return (
        message.chat.type == Chat.PRIVATE
        and message.from_user is not None
        and not message.from_user.is_bot
        and message.text is None
        and not (message.photo or message.document or message.video or message.video_note)
        and bool(message.effective_attachment or message.location or message.contact or message.poll)
    )


def button_event(query: CallbackQuery, moderator_ids: Collection[int | str]) -> IncomingEvent | None:
    """A button press -> kind="action" with the core's token exactly as it was sent."""
    message = query.message
    if not query.data or message is None:
        return None
    return IncomingEvent(
        user_ref(query.from_user),
        chat_ref(message.chat),
        "action",
        action=query.data,
        is_moderator=is_moderator(query.from_user, moderator_ids),
        update_id=f"tgq:{query.id}",
    )
