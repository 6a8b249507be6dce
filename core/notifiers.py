"""Which platforms can receive pushes now: adapters register their notifier when they start."""

from __future__ import annotations

import logging

from core.events import ChatRef
from core.metrics import metrics
from core.ports import Notifier
from core.replies import Reply

logger = logging.getLogger(__name__)


class Notifiers:
    """The running adapters' notifiers by platform name; the core pushes through `notify`."""

    def __init__(self) -> None:
        self._by_platform: dict[str, Notifier] = {}

    def register(self, platform: str, notifier: Notifier) -> None:
        """`platform`'s adapter is running and can be pushed to."""
        self._by_platform[platform] = notifier

    def unregister(self, platform: str) -> None:
        """`platform`'s adapter stopped: pushes to it return False."""
        self._by_platform.pop(platform, None)

    async def notify(self, chat: ChatRef, reply: Reply) -> bool:
        """Push a reply to a chat; False when no adapter for its platform runs (send errors propagate)."""
        notifier = self._by_platform.get(chat.platform)
        if notifier is None:
            logger.info("no notifier for %s; reply dropped", chat.platform)
            return False
        try:
            await notifier.send(chat, reply)
        except Exception as problem:
            metrics().send_error(chat.platform, type(problem).__name__)
            raise
        return True
