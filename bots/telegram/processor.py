"""Process updates concurrently across chats but in order within one chat, and say when each is done."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable
from typing import Any

from telegram import Update
from telegram.ext import BaseUpdateProcessor

logger = logging.getLogger(__name__)
KEEP_DONE = 10_000  # finished update ids remembered for wait_done()


class PerChatUpdateProcessor(BaseUpdateProcessor):
    """Up to `max_concurrent` updates at once, serialised per chat so a user's messages keep their order.

    It also records finished update ids (after handlers and error handlers ran), which lets tests and
    the shutdown path wait for in-flight work instead of sleeping.
    """

    def __init__(self, max_concurrent: int = 64) -> None:
        super().__init__(max_concurrent)
        self._locks: dict[int, asyncio.Lock] = {}
        self._done = asyncio.Condition()
        self.last_done: int = 0
        self.done_ids: set[int] = set()

    async def do_process_update(self, update: object, coroutine: Awaitable[Any]) -> None:
        """Run the handlers for `update` under its chat's lock."""
        chat_id = _order_key(update)
        lock = self._locks.setdefault(chat_id, asyncio.Lock())
        try:
            async with lock:
                await coroutine
        finally:
            if not lock.locked() and not getattr(lock, "_waiters", None):
                self._locks.pop(chat_id, None)
            if isinstance(update, Update):
                async with self._done:
                    self.done_ids.add(update.update_id)
                    self.last_done = max(self.last_done, update.update_id)
                    if len(self.done_ids) > KEEP_DONE:  # bounded memory on a long-running bot
                        floor = self.last_done - KEEP_DONE // 2
                        self.done_ids = {i for i in self.done_ids if i > floor}
                    self._done.notify_all()

    async def wait_done(self, update_id: int, timeout: float = 10.0) -> None:
        """Wait until the update with this id has been fully handled."""
        async with self._done:
            await asyncio.wait_for(self._done.wait_for(lambda: update_id in self.done_ids), timeout)

    async def initialize(self) -> None:
        """Nothing to allocate."""

    async def shutdown(self) -> None:
        """Nothing to release."""


def _order_key(update: object) -> int:
    """The chat an update belongs to; chatless updates (inline queries) are ordered per user instead."""
    if not isinstance(update, Update):
        return 0
    if update.effective_chat is not None:
        return update.effective_chat.id
    return update.effective_user.id if update.effective_user is not None else 0
