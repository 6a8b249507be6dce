"""Process updates concurrently across chats but in order within one chat, and say when each is done.

Fairness (issue 13 item 5): PTB's `BaseUpdateProcessor.process_update` holds one of its slots while
`do_process_update` runs, and our per-chat ordering made updates *wait* inside it. One chat sending
200 messages therefore held every slot with updates queued behind its own lock, and another chat's
`/help` waited for the whole flood (134 s with the production send limits). Here PTB's semaphore is
made effectively unbounded and the real limit (`max_concurrent` updates *working*) is taken only
after an update's turn in its chat has come: a chat uses at most one working slot, waiting costs
none, and every other chat is served as if nothing happened. A chat's queue is also bounded: beyond
`max_waiting_per_chat` unhandled updates the excess is dropped and the chat is told once to slow down.
"""

from __future__ import annotations

import asyncio
import inspect
import logging
from collections.abc import Awaitable, Callable
from typing import Any

from telegram import Update
from telegram.ext import BaseUpdateProcessor

logger = logging.getLogger(__name__)
KEEP_DONE = 10_000  # finished update ids remembered for wait_done()
MAX_CONCURRENT = 64  # updates being handled at once (each from a different chat)
MAX_WAITING_PER_CHAT = 10  # handled or waiting updates of one chat; more are dropped
UNBOUNDED = 1_000_000  # PTB's own semaphore: never the limit (see the module docstring)
Overflow = Callable[[object], Awaitable[None]]


class PerChatUpdateProcessor(BaseUpdateProcessor):
    """Up to `max_concurrent` updates at once, serialised per chat so a user's messages keep their order.

    A chat's waiting updates hold no working slot; a chat with `max_waiting_per_chat` updates already
    queued has further ones dropped, and `on_overflow(update)` is awaited for the first dropped one
    of each flood (a flood ends when the chat's queue has drained). It also records finished update
    ids (after handlers and error handlers ran, or when dropped), which lets tests and the shutdown
    path wait for in-flight work instead of sleeping.
    """

    def __init__(
        self,
        max_concurrent: int = MAX_CONCURRENT,
        max_waiting_per_chat: int = MAX_WAITING_PER_CHAT,
        on_overflow: Overflow | None = None,
    ) -> None:
        super().__init__(UNBOUNDED)
        self.max_concurrent = max_concurrent
        self.max_waiting_per_chat = max(1, max_waiting_per_chat)
        self.on_overflow = on_overflow
        self._slots: asyncio.Semaphore | None = None  # made on the running loop
        self._locks: dict[int, asyncio.Lock] = {}
        self._queued: dict[int, int] = {}  # per chat: updates admitted and not finished
        self._told: set[int] = set()  # chats told to slow down during their current flood
        self._done = asyncio.Condition()
        self.last_done: int = 0
        self.done_ids: set[int] = set()
        self.dropped: int = 0

    async def do_process_update(self, update: object, coroutine: Awaitable[Any]) -> None:
        """Run the handlers for `update` under its chat's lock, then a working slot; or drop it."""
        chat_id = _order_key(update)
        try:
            if self._queued.get(chat_id, 0) >= self.max_waiting_per_chat:
                await self._drop(chat_id, update, coroutine)
                return
            self._queued[chat_id] = self._queued.get(chat_id, 0) + 1
            try:
                lock = self._locks.setdefault(chat_id, asyncio.Lock())
                async with lock:
                    if self._slots is None:
                        self._slots = asyncio.Semaphore(self.max_concurrent)
                    async with self._slots:
                        await coroutine
            finally:
                self._queued[chat_id] -= 1
                if not self._queued[chat_id]:
                    del self._queued[chat_id]
                    self._locks.pop(chat_id, None)
                    self._told.discard(chat_id)
        finally:
            await self._mark_done(update)

    async def _drop(self, chat_id: int, update: object, coroutine: Awaitable[Any]) -> None:
        """Forget an update of a flooding chat; the first one of a flood gets the slow-down answer."""
        if inspect.iscoroutine(coroutine):
            coroutine.close()  # never awaited: close it so no "was never awaited" warning is raised
        self.dropped += 1
        if chat_id in self._told:
            return
        self._told.add(chat_id)
        logger.warning(
            "chat %s has %d updates waiting: dropping the excess", chat_id, self.max_waiting_per_chat
        )
        if self.on_overflow is not None:
            try:
                await self.on_overflow(update)
            except Exception:  # telling them is a courtesy; it must never fail the processor
                logger.exception("could not tell chat %s to slow down", chat_id)

    async def _mark_done(self, update: object) -> None:
        if not isinstance(update, Update):
            return
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
