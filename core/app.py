"""Bootstrap: wire config, storage and features into an App whose handle(event) returns replies."""

from __future__ import annotations

import logging

from core.config import Config
from core.events import ChatRef, IncomingEvent
from core.ports import CommandInfo, Notifier
from core.replies import Reply

logger = logging.getLogger(__name__)


class App:
    """The platform-neutral bot: adapters feed it events and render the replies it returns."""

    def __init__(self, config: Config) -> None:
        self.config = config
        self.commands: tuple[CommandInfo, ...] = ()
        self._notifiers: dict[str, Notifier] = {}

    async def handle(self, event: IncomingEvent) -> list[Reply]:
        """Answer one event (placeholder until the router lands)."""
        return [Reply(text="Interview Insights is starting up.")]

    def register_notifier(self, platform: str, notifier: Notifier) -> None:
        """Let the core push replies to `platform` later (scores, moderation outcomes, digests)."""
        self._notifiers[platform] = notifier

    async def notify(self, chat: ChatRef, reply: Reply) -> bool:
        """Push a reply to a chat; False when no adapter for its platform is running."""
        notifier = self._notifiers.get(chat.platform)
        if notifier is None:
            return False
        await notifier.send(chat, reply)
        return True

    async def close(self) -> None:
        """Release storage and workers."""


async def bootstrap(config: Config, *, db_url: str | None = None) -> App:
    """Build a ready App: open the database (migrated), wire the features."""
    return App(config)
