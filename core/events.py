"""Platform-neutral incoming events: what a student did, whichever chat app they used."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field
from typing import Literal

Platform = Literal["console", "telegram", "discord"]
EventKind = Literal["command", "text", "action", "form", "upload"]


@dataclass(frozen=True)
class UserRef:
    """Who sent the event, as the platform names them."""

    platform: str
    id: str
    display_name: str = ""


@dataclass(frozen=True)
class ChatRef:
    """Where the event happened; `is_private` tells a direct chat from a group or guild channel."""

    platform: str
    id: str
    is_private: bool = True
    title: str = ""


@dataclass(frozen=True)
class Attachment:
    """A file the user sent; bytes are fetched lazily so the core decides whether to download at all."""

    filename: str
    size: int | None
    mime: str = ""
    duration: float | None = None
    kind: Literal["video", "video_note", "photo", "document", "audio"] = "document"
    fetch: Callable[[], Awaitable[bytes]] | None = field(default=None, compare=False, repr=False)


@dataclass(frozen=True)
class IncomingEvent:
    """One thing a user did: a command, a free-text message, a button press, a submitted form or a file."""

    user: UserRef
    chat: ChatRef
    kind: EventKind
    text: str = ""
    command: str | None = None
    args: str = ""
    action: str | None = None
    form: Mapping[str, str] = field(default_factory=dict)
    attachments: tuple[Attachment, ...] = ()
    is_moderator: bool = False

    @property
    def key(self) -> tuple[str, str, str]:
        """The per-conversation key: dialogs and locks are kept per (platform, chat, user)."""
        return (self.user.platform, self.chat.id, self.user.id)
