"""Translate discord.py interactions and messages into the core's platform-neutral IncomingEvents."""

from __future__ import annotations

import logging
import re
from collections.abc import Iterable, Mapping

import discord

from core.events import Attachment, ChatRef, IncomingEvent, UserRef

logger = logging.getLogger(__name__)

PLATFORM = "discord"
_COMMAND = re.compile(r"^/([A-Za-z0-9_-]{1,32})(?:@\S+)?(?:\s+(.*))?$", re.DOTALL)
_NAME_OK = re.compile(r"[^a-z0-9_-]+")


def user_ref(user: discord.abc.User) -> UserRef:
    """The core's view of a Discord user."""
    return UserRef(PLATFORM, str(user.id), getattr(user, "display_name", "") or user.name)


def chat_ref(
    channel_id: int | None, channel: object, guild: discord.Guild | None, user: discord.abc.User
) -> ChatRef:
    """The core's view of a channel: a DM is the private chat with the user, so its id is the user's id.

    Using the user id (not the DM channel id) for private chats makes every private ChatRef the core
    holds, also in pushes it sends later, a user id: DiscordAdapter.send() opens the DM from it.
    Guild channels and threads keep their channel id, and carry the guild id as `community`.
    """
    if guild is None:
        return ChatRef(PLATFORM, str(user.id), is_private=True, title="")
    title = getattr(channel, "name", None) or ""
    if title:
        title = f"{guild.name} #{title}"
    # The guild is the community a college is linked to (`/college link <code>`, issue #15).
    return ChatRef(PLATFORM, str(channel_id or 0), is_private=False, title=title, community=str(guild.id))


def has_moderator_role(user: object, roles: Iterable[str]) -> bool:
    """True when `user` is a guild Member with a role named in `roles` (case-insensitive)."""
    wanted = {name.casefold() for name in roles}
    member_roles = getattr(user, "roles", None) or []
    return bool(wanted) and any(role.name.casefold() in wanted for role in member_roles)


def is_company_hint(args_hint: str) -> bool:
    """Whether a command option starts with a company: "<company>", "[company] [role]", "<company|topic>"."""
    return args_hint.strip().lower().startswith(("<company", "[company"))


def fixed_choices(args_hint: str) -> list[str]:
    """The values of a hint that lists them bare, like "on|off" (placeholders in <> or [] list none)."""
    hint = args_hint.strip()
    return hint.split("|") if re.fullmatch(r"[a-z0-9_-]{1,32}(\|[a-z0-9_-]{1,32}){1,24}", hint) else []


def option_name(args_hint: str) -> str:
    """A valid slash-command option name from a hint like "<company>" ("text" when nothing is left)."""
    if fixed_choices(args_hint):
        return "choice"
    name = _NAME_OK.sub("_", args_hint.strip("<>[] ").lower()).strip("_-")
    return name[:32] or "text"


def command_name(name: str) -> str | None:
    """A valid slash-command name, or None when the core's name cannot be one."""
    clean = name.lower()
    return clean if re.fullmatch(r"[a-z0-9_-]{1,32}", clean) else None


def _interaction_base(interaction: discord.Interaction) -> tuple[UserRef, ChatRef]:
    return user_ref(interaction.user), chat_ref(
        interaction.channel_id, interaction.channel, interaction.guild, interaction.user
    )


def command_event(
    interaction: discord.Interaction, command: str, args: str, *, moderator: bool | None
) -> IncomingEvent:
    """A slash command: command without slash, args from its optional string option."""
    user, chat = _interaction_base(interaction)
    return IncomingEvent(
        user=user,
        chat=chat,
        kind="command",
        command=command,
        args=args.strip(),
        is_moderator=bool(moderator),
        moderator_known=moderator is not None,
        update_id=str(interaction.id),
    )


def action_event(interaction: discord.Interaction, action: str, *, moderator: bool | None) -> IncomingEvent:
    """A button press: the core's action token exactly as it gave it."""
    user, chat = _interaction_base(interaction)
    return IncomingEvent(
        user=user,
        chat=chat,
        kind="action",
        action=action,
        is_moderator=bool(moderator),
        moderator_known=moderator is not None,
        update_id=str(interaction.id),
    )


def form_event(
    interaction: discord.Interaction, action: str, values: Mapping[str, str], *, moderator: bool | None
) -> IncomingEvent:
    """A submitted modal: the form's action and {field name: value}."""
    user, chat = _interaction_base(interaction)
    return IncomingEvent(
        user=user,
        chat=chat,
        kind="form",
        action=action,
        form=dict(values),
        is_moderator=bool(moderator),
        moderator_known=moderator is not None,
        update_id=str(interaction.id),
    )


def _attachment_kind(content_type: str) -> str:
    if content_type.startswith("video/"):
        return "video"
    if content_type.startswith("image/"):
        return "photo"
    if content_type.startswith("audio/"):
        return "audio"
    return "document"


def attachment(att: discord.Attachment) -> Attachment:
    """A lazily fetched file; bytes are downloaded only if the core calls fetch()."""
    mime = (att.content_type or "").split(";")[0].strip()
    return Attachment(
        filename=att.filename,
        size=att.size,
        mime=mime,
        duration=getattr(att, "duration", None),
        kind=_attachment_kind(mime),  # type: ignore[arg-type]
        fetch=att.read,
    )


def upload_event(
    interaction: discord.Interaction, files: list[discord.Attachment], note: str, *, moderator: bool | None
) -> IncomingEvent:
    """A slash command's attachment option (e.g. /answer): an upload, like a message with files."""
    user, chat = _interaction_base(interaction)
    return IncomingEvent(
        user=user,
        chat=chat,
        kind="upload",
        text=note.strip(),
        attachments=tuple(attachment(att) for att in files),
        is_moderator=bool(moderator),
        moderator_known=moderator is not None,
        update_id=str(interaction.id),
    )


def message_event(message: discord.Message, *, moderator: bool | None) -> IncomingEvent:
    """A plain message: text, a typed "/command args", or files (kind="upload", caption in text)."""
    user = user_ref(message.author)
    chat = chat_ref(message.channel.id, message.channel, message.guild, message.author)
    text = message.content or ""
    if message.attachments:
        files = tuple(attachment(att) for att in message.attachments)
        return IncomingEvent(
            user=user,
            chat=chat,
            kind="upload",
            text=text,
            attachments=files,
            is_moderator=bool(moderator),
            moderator_known=moderator is not None,
            update_id=str(message.id),
        )
    match = _COMMAND.match(text.strip())
    if match:
        return IncomingEvent(
            user=user,
            chat=chat,
            kind="command",
            command=match.group(1).lower(),
            args=(match.group(2) or "").strip(),
            text=text,
            is_moderator=bool(moderator),
            moderator_known=moderator is not None,
            update_id=str(message.id),
        )
    return IncomingEvent(
        user=user,
        chat=chat,
        kind="text",
        text=text,
        is_moderator=bool(moderator),
        moderator_known=moderator is not None,
        update_id=str(message.id),
    )
