"""Platform-neutral incoming events: what a student did, whichever chat app they used.

Events are where user text enters the core, so they clean it on construction (`clean_incoming`): no
adapter can forget to, and nothing downstream sees control characters or undecodable text.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field
from typing import Literal

from core.text_norm import clean_incoming, clean_typed

EventKind = Literal["command", "text", "action", "form", "upload"]


@dataclass(frozen=True)
class UserRef:
    """Who sent the event, as the platform names them."""

    platform: str
    id: str
    display_name: str = ""

    def __post_init__(self) -> None:
        object.__setattr__(self, "display_name", clean_typed(self.display_name))


@dataclass(frozen=True)
class ChatRef:
    """Where the event happened; `is_private` tells a direct chat from a group or guild channel.

    `community` is the platform community the chat belongs to when the adapter knows one (a Discord
    guild id; "" otherwise): a community linked to a college places everyone writing in it there.
    """

    platform: str
    id: str
    is_private: bool = True
    title: str = ""
    community: str = field(default="", compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "title", clean_typed(self.title))


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
class Actor:
    """Who is asking, resolved once by the router before any feature runs.

    `user_id` is the internal users.id, or None for someone the bot stores nothing about yet (a
    first contact who only reads, or someone who used /forget): reading never creates a user row;
    `ensure_id()` creates it when a feature is about to store something of theirs. `is_moderator`
    is the single answer to "may this person moderate" `college_id`'s data (the platform's signal, e.g.
    a Discord role or a configured moderator id, or a college_moderators row); `chat` is where they are
    asking from.
    """

    user_id: int | None
    platform: str
    platform_user_id: str
    display_name: str
    chat: ChatRef
    is_moderator: bool = False
    register: Callable[[], Awaitable[int]] | None = field(default=None, compare=False, repr=False)
    # The college they act in (issue #15): reads and writes of college-scoped data use it. None only on a
    # multi-college deployment for someone nothing places yet (they are asked to pick: /college).
    college_id: int | None = None

    async def ensure_id(self) -> int:
        """The internal user id, creating the user on first contact (idempotent)."""
        if self.user_id is not None:
            return self.user_id
        if self.register is None:
            raise RuntimeError("actor cannot be registered")
        return await self.register()


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
    is_moderator: bool = False  # the adapter's platform signal; features read `actor.is_moderator`
    moderator_known: bool = True  # False: the adapter cannot tell here (a Discord DM); see ActorResolver
    resolved: Actor | None = field(default=None, compare=False)
    # A college code the adapter asserts for its user (the console's --college); None: resolve it.
    college_code: str | None = field(default=None, compare=False)
    # The platform's id of this update when the adapter knows it (Telegram "tg:<chat>:<message>" or the
    # callback query id, Discord the interaction or message snowflake); log lines of the event carry it.
    update_id: str | None = field(default=None, compare=False)

    def __post_init__(self) -> None:
        """Clean everything the user typed, here where every adapter makes its events (and only here).

        Whatever the platform delivered (a terminal's undecodable bytes, a JSON lone surrogate, escape
        codes, bidi overrides), the core only ever sees text that `core.text_norm.clean_incoming` passed:
        it encodes for any database and prints harmlessly on a terminal. Typed text and names also
        pass `inert_markup` (`clean_typed`): a reply quoting them never renders their "**" as bold.
        """
        for name in ("text", "args", "command", "action"):
            value = getattr(self, name)
            if value:
                clean = clean_typed if name in ("text", "args") else clean_incoming  # quoted in replies
                object.__setattr__(self, name, clean(value))
        if self.form:
            object.__setattr__(self, "form", {key: clean_typed(value) for key, value in self.form.items()})

    @property
    def actor(self) -> Actor:
        """The resolved sender (the router sets it before any feature runs).

        Raises RuntimeError for an event that did not go through the router (a programming error).
        """
        if self.resolved is None:
            raise RuntimeError("event has no resolved actor: it must pass through the router")
        return self.resolved

    @property
    def key(self) -> tuple[str, str, str]:
        """The per-conversation key: dialogs and locks are kept per (platform, chat, user)."""
        return (self.user.platform, self.chat.id, self.user.id)
