"""Flood control for sends: the platform's budget is spent on messages only, plus network retries.

Telegram limits the *messages* a bot sends (Bots FAQ, "My bot is hitting limits, how do I avoid this?",
core.telegram.org/bots/faq): about 30 messages per second overall, about one per second into one chat
(short bursts allowed), and 20 per minute into one group. Calls that post nothing into a chat
(answerCallbackQuery, getFile, getUpdates, setMyCommands, sendChatAction, getMe...) are not part of that
budget, and edits of a private chat's messages are not either. Before this module knew which calls
were messages, PTB's AIORateLimiter charged *every* call carrying a chat_id to the 30/s budget, so the
keyboard edit and the typing indicator of each button press halved the messages 50 students sharing
at once could get (issue 14: 18 updates/s, p50 3.3 s per step). See `budget_of` for the exact rules.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections import Counter
from collections.abc import Callable, Coroutine
from dataclasses import dataclass
from typing import Any

import httpx
from aiolimiter import AsyncLimiter
from telegram.error import BadRequest, NetworkError, TimedOut
from telegram.ext import AIORateLimiter

from bots.telegram.limits import SendLimits
from core.notifiers import platform_call_starts

logger = logging.getLogger(__name__)

Result = bool | dict[str, Any] | list[dict[str, Any]]
Callback = Callable[..., Coroutine[Any, Any, Result]]

# Bot API methods that post a new message (or several) into a chat: the ones Telegram's flood limits count.
MESSAGE_METHODS = frozenset(
    {
        "sendMessage",
        "sendPhoto",
        "sendDocument",
        "sendVideo",
        "sendAudio",
        "sendVoice",
        "sendAnimation",
        "sendVideoNote",
        "sendMediaGroup",
        "sendSticker",
        "sendLocation",
        "sendVenue",
        "sendContact",
        "sendPoll",
        "sendDice",
        "sendInvoice",
        "sendGame",
        "sendPaidMedia",
        "copyMessage",
        "copyMessages",
        "forwardMessage",
        "forwardMessages",
    }
)
# Changes to a message already in a chat: free in private chats, counted by the group limit in groups
# (every member's client re-renders them; the 20/min per group is applied to them to be safe).
EDIT_METHODS = frozenset(
    {
        "editMessageText",
        "editMessageCaption",
        "editMessageMedia",
        "editMessageReplyMarkup",
        "editMessageLiveLocation",
        "stopMessageLiveLocation",
        "stopPoll",
        "deleteMessage",
        "deleteMessages",
    }
)


OVERALL_BURST_S = 0.1  # seconds of the overall rate that may go out at once


@dataclass(frozen=True)
class Budget:
    """Which limits one call is charged to: the overall 30/s, one private chat's 1/s, one group's 20/min."""

    overall: bool = False
    chat: int | None = None  # a private chat's id (positive)
    group: int | str | None = None  # a group's or channel's id (negative, or an @username)

    @property
    def free(self) -> bool:
        """True when the call spends none of the platform's budget."""
        return not self.overall and self.chat is None and self.group is None


FREE = Budget()


def _chat_of(data: dict[str, Any]) -> int | str | None:
    chat_id = data.get("chat_id")
    if chat_id is None:
        return None
    try:
        return int(chat_id)
    except (TypeError, ValueError):
        return str(chat_id)  # "@channelname": a channel or supergroup


def budget_of(endpoint: str, data: dict[str, Any]) -> Budget:
    """The limits a Bot API call counts against (pure; `endpoint` is the method name, `data` its params).

    Messages (MESSAGE_METHODS) count against the overall rate and their chat's limit (1/s in a private
    chat, 20/min in a group or channel); edits count only against a group's limit; everything else is
    free (answerCallbackQuery, answerInlineQuery, getFile, getUpdates, setMyCommands, sendChatAction...).
    """
    if endpoint in MESSAGE_METHODS:
        chat = _chat_of(data)
        if isinstance(chat, int) and chat > 0:
            return Budget(overall=True, chat=chat)
        return Budget(overall=True, group=chat)
    if endpoint in EDIT_METHODS:
        chat = _chat_of(data)
        if isinstance(chat, str) or (isinstance(chat, int) and chat < 0):
            return Budget(group=chat)
    return FREE


class Allowance:
    """A non-blocking token bucket for cosmetic calls: `take()` says whether one fits now.

    `rate` per second, bursts of `burst`; never waits (a skipped "typing…" is better than a late one).
    """

    def __init__(self, rate: float, burst: float, clock: Callable[[], float] = time.monotonic) -> None:
        self.rate, self.burst, self._clock = rate, max(1.0, burst), clock
        self._tokens, self._at = self.burst, clock()

    def take(self) -> bool:
        """Spend one token if there is one; False (nothing spent) when over the rate."""
        now = self._clock()
        self._tokens = min(self.burst, self._tokens + (now - self._at) * self.rate)
        self._at = now
        if self._tokens < 1 or self.rate <= 0:
            return False
        self._tokens -= 1
        return True


def retryable(exc: BaseException) -> bool:
    """Network errors and 5xx are retried; a 400 never is, nor a read timeout (the send may have landed)."""
    if isinstance(exc, BadRequest) or not isinstance(exc, NetworkError):
        return False
    if isinstance(exc, TimedOut):
        return isinstance(exc.__cause__, httpx.ConnectTimeout | httpx.PoolTimeout)
    return True


class SendRateLimiter(AIORateLimiter):
    """Messages: ~30/s overall and 20/min per group (AIORateLimiter's limiters), 1/s per private chat;
    other calls are not throttled (see `budget_of`). Every call honours a 429's retry_after
    `max_retries_429` times and retries network errors/5xx with exponential backoff.

    `charged` counts the calls per method that went through a limiter (for tests and the load bench).
    """

    def __init__(self, limits: SendLimits | None = None) -> None:
        self.limits = limits or SendLimits()
        # The overall rate as a bucket of OVERALL_BURST_S of sending, not a whole second's: the same rate,
        # but requests bunched by the network or a busy loop can no longer arrive faster than Telegram
        # counts them (a 1 s bucket on both sides gave 5 429s in 2,000 digest messages, bench/digest.py)
        burst = max(1.0, self.limits.overall_per_second * OVERALL_BURST_S)
        super().__init__(
            overall_max_rate=burst,
            overall_time_period=burst / self.limits.overall_per_second,
            group_max_rate=self.limits.group_per_minute,
            group_time_period=60,
            max_retries=self.limits.max_retries_429,
        )
        self._chat_limiters: dict[int, AsyncLimiter] = {}
        self.charged: Counter[str] = Counter()

    def _chat_limiter(self, chat_id: int | None) -> AsyncLimiter | None:
        """The limiter of one private chat's messages, made on first use (idle ones are forgotten)."""
        if not self.limits.chat_per_second or chat_id is None:
            return None
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
        """Per-chat limit first, then AIORateLimiter (overall, group, 429), then backoff retries.

        A call outside the budget reaches AIORateLimiter without its chat_id, so none of its limiters
        is taken; a 429 on it is still waited out and retried.
        """

        async def call(*call_args: Any, **call_kwargs: Any) -> Result:
            await platform_call_starts()  # through the limiters: the message may land from here on
            return await self._with_backoff(endpoint, callback, call_args, call_kwargs)

        budget = budget_of(endpoint, data)
        if budget.free:
            return await super().process_request(call, args, kwargs, endpoint, {}, rate_limit_args)
        self.charged[endpoint] += 1
        chat_limiter = self._chat_limiter(budget.chat)
        if chat_limiter is not None:
            await chat_limiter.acquire()
        # AIORateLimiter: the overall limiter whenever a chat_id is given, the group one for a group id
        limited = {"chat_id": budget.group if budget.group is not None else budget.chat}
        if not budget.overall:  # an edit in a group: the group's limit only
            return await self._group_only(call, args, kwargs, budget.group, rate_limit_args)
        return await super().process_request(call, args, kwargs, endpoint, limited, rate_limit_args)

    async def _group_only(
        self, call: Callback, args: Any, kwargs: dict[str, Any], group: int | str | None, retries: int | None
    ) -> Result:
        """A call charged to one group's 20/min but not to the overall rate (an edit in a group)."""
        if group is None or not self.limits.group_per_minute:
            return await super().process_request(call, args, kwargs, "", {}, retries)
        async with self._get_group_limiter(group):
            return await super().process_request(call, args, kwargs, "", {}, retries)
