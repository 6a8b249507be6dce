"""Flood control for sends: PTB's AIORateLimiter plus a per-private-chat limit and network retries."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable, Coroutine
from typing import Any

import httpx
from aiolimiter import AsyncLimiter
from telegram.error import BadRequest, NetworkError, TimedOut
from telegram.ext import AIORateLimiter

from bots.telegram.limits import SendLimits

logger = logging.getLogger(__name__)

Result = bool | dict[str, Any] | list[dict[str, Any]]
Callback = Callable[..., Coroutine[Any, Any, Result]]


def retryable(exc: BaseException) -> bool:
    """Network errors and 5xx are retried; a 400 never is, nor a read timeout (the send may have landed)."""
    if isinstance(exc, BadRequest) or not isinstance(exc, NetworkError):
        return False
    if isinstance(exc, TimedOut):
        return isinstance(exc.__cause__, httpx.ConnectTimeout | httpx.PoolTimeout)
    return True


class SendRateLimiter(AIORateLimiter):
    """~30 msg/s overall and 20/min per group (AIORateLimiter), 1/s per private chat, 429 retry_after
    honoured `max_retries_429` times, and network errors/5xx retried with exponential backoff."""

    def __init__(self, limits: SendLimits | None = None) -> None:
        self.limits = limits or SendLimits()
        super().__init__(
            overall_max_rate=self.limits.overall_per_second,
            overall_time_period=1,
            group_max_rate=self.limits.group_per_minute,
            group_time_period=60,
            max_retries=self.limits.max_retries_429,
        )
        self._chat_limiters: dict[int, AsyncLimiter] = {}

    def _chat_limiter(self, endpoint: str, data: dict[str, Any]) -> AsyncLimiter | None:
        """A limiter for messages into one private chat (positive chat id); edits and answers are free."""
        if not self.limits.chat_per_second or not endpoint.startswith(("send", "copy", "forward")):
            return None
        try:
            chat_id = int(data.get("chat_id"))  # type: ignore[arg-type]
        except (TypeError, ValueError):
            return None
        if chat_id <= 0:
            return None  # groups and channels: AIORateLimiter's group limit applies
        if len(self._chat_limiters) > 4096:
            self._chat_limiters = {
                key: lim for key, lim in self._chat_limiters.items() if not lim.has_capacity(lim.max_rate)
            }
        limiter = self._chat_limiters.get(chat_id)
        if limiter is None:
            burst = max(1, self.limits.chat_burst)
            limiter = AsyncLimiter(burst, burst / self.limits.chat_per_second)
            self._chat_limiters[chat_id] = limiter
        return limiter

    async def _with_backoff(self, endpoint: str, callback: Callback, args: Any, kwargs: Any) -> Result:
        """Call the Bot API, retrying transient failures with exponential backoff."""
        delay = self.limits.backoff_seconds
        for attempt in range(self.limits.network_retries + 1):
            try:
                return await callback(*args, **kwargs)
            except NetworkError as exc:
                if attempt == self.limits.network_retries or not retryable(exc):
                    raise
                logger.warning(
                    "%s failed (%s: %s); retry %d in %.2fs",
                    endpoint,
                    type(exc).__name__,
                    exc.message,
                    attempt + 1,
                    delay,
                )
                await asyncio.sleep(delay)
                delay = min(delay * 2, self.limits.backoff_max_seconds)
        raise AssertionError("unreachable")

    async def process_request(
        self,
        callback: Callback,
        args: Any,
        kwargs: dict[str, Any],
        endpoint: str,
        data: dict[str, Any],
        rate_limit_args: int | None,
    ) -> Result:
        """Per-chat limit first, then AIORateLimiter (overall, group, 429), then backoff retries."""

        async def call(*call_args: Any, **call_kwargs: Any) -> Result:
            return await self._with_backoff(endpoint, callback, call_args, call_kwargs)

        chat_limiter = self._chat_limiter(endpoint, data)
        if chat_limiter is not None:
            await chat_limiter.acquire()
        return await super().process_request(call, args, kwargs, endpoint, data, rate_limit_args)
