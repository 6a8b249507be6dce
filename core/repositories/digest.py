"""The digest aggregate's port: subscriptions, weekly runs with exactly-once deliveries, the week's content.

The digest feature and its sender type against `DigestRepository`; `storage.digest.DigestRepo`
implements it (it subclasses it). Exactly once: `claim` inserts a delivery row and its owed parts before
a send, in one transaction, and the store's unique (run, platform, chat) constraint makes that insert the
lock (see storage/digest.py).
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

from core.events import ChatRef
from core.replies import Reply

logger = logging.getLogger(__name__)

ALL = "all"  # unsubscribe every subscription of a chat


@dataclass(frozen=True)
class SubscriptionView:
    """One active subscription of a chat, as /subscriptions lists it."""

    id: int
    company_id: int | None
    company: str | None  # None: the general digest
    kind: str


@dataclass(frozen=True)
class Recipient:
    """A chat that gets one digest per run, with the companies it follows as (id, name) (empty: general)."""

    platform: str
    chat_id: str
    kind: str  # user/channel
    subscription_id: int
    companies: tuple[tuple[int, str], ...]


@dataclass(frozen=True)
class Claim:
    """One chat a batch claim (`DigestRepository.claim_many`) asks for, with the parts it would be sent."""

    platform: str
    chat_id: str
    subscription_id: int | None
    is_private: bool
    parts: Sequence[Reply]


@dataclass(frozen=True)
class RunRecord:
    """A digest run: the week it covers ([period_start, period_end), UTC) and its status (running/done)."""

    id: int
    period_start: datetime
    period_end: datetime
    status: str


@dataclass(frozen=True)
class DeliveryRecord:
    """One recipient's delivery row of a run (status pending/sent/failed)."""

    id: int
    platform: str
    chat_id: str
    status: str
    error: str | None
    sent_at: datetime | None


@dataclass(frozen=True)
class NewExperience:
    """A newly published experience as the digest shows it: public fields only."""

    id: int
    company: str
    role: str
    interview_year: int
    author: str  # a display name or "Anonymous", never a roll number


@dataclass
class WeekSummary:
    """What happened in one week across every company (approved experiences only)."""

    total: int = 0
    selected: int = 0
    decided: int = 0
    companies: list[tuple[str, int]] | None = None  # (name, new experiences), most first
    topics: list[tuple[str, int]] | None = None  # (topic, experiences), most first
    questions: list[tuple[str, int]] | None = None  # (wording, experiences asked in), most first


class DigestRepository(Protocol):
    """What the digest feature and sender ask of storage (every method they call)."""

    # --- subscriptions

    async def subscribe(
        self,
        platform: str,
        chat_id: str,
        *,
        kind: str,
        user_id: int | None,
        company_id: int | None,
        college_id: int | None = None,
    ) -> bool:
        """Subscribe a chat (to a company or, with None, the general digest) in a college (None: keep
        its college, or the default one); False if already active."""
        ...

    async def unsubscribe(self, platform: str, chat_id: str, company_id: int | None | str) -> int:
        """Stop one subscription (a company id, None for the general digest) or ALL; how many stopped."""
        ...

    async def for_chat(self, platform: str, chat_id: str) -> list[SubscriptionView]:
        """A chat's active subscriptions: the general digest first, then companies by name."""
        ...

    async def recipients(
        self,
        *,
        colleges: Sequence[int] | None = None,
        after: tuple[str, str] | None = None,
        limit: int | None = None,
    ) -> list[Recipient]:
        """Chats with an active subscription in `colleges` (None: any), once each, with the companies
        they follow, ordered by (platform, chat_id): all of them, or with `limit` a page of at most that
        many after the key `after` (the previous page's last (platform, chat_id))."""
        ...

    async def recipient_count(self, *, colleges: Sequence[int] | None = None) -> int:
        """How many chats `recipients(colleges=...)` lists."""
        ...

    # --- runs and deliveries

    async def open_run(
        self, period_start: datetime, period_end: datetime, *, college_id: int | None = None
    ) -> RunRecord:
        """The run of this period, created on first use (safe when two workers race)."""
        ...

    async def find_run(self, period_start: datetime, *, college_id: int | None = None) -> RunRecord | None:
        """The run of a period, if it was started."""
        ...

    async def finish_run(self, run_id: int, status: str = "done") -> None:
        """Close a run (no more retries)."""
        ...

    async def claim(
        self,
        run_id: int,
        platform: str,
        chat_id: str,
        subscription_id: int | None,
        *,
        parts: Sequence[Reply] = (),
        lease_until: datetime | None = None,
        is_private: bool = False,
    ) -> int | None:
        """Claim sending this run to a chat and write its `parts` ahead (owed until `part_sent`, sent once
        by the outbox job if still owed at `lease_until`) in ONE transaction: the delivery id, or None
        when it must not be sent now (sent, being sent, or claimed by someone else). A delivery left
        pending with nothing owed (never started) is claimed again."""
        ...

    async def claim_many(
        self, run_id: int, claims: Sequence[Claim], *, lease_until: datetime | None = None
    ) -> dict[tuple[str, str], int]:
        """`claim` for many chats in one transaction (the fast path; the rare chat that needs a retry or a
        takeover is claimed on its own afterwards): {(platform, chat_id): delivery id} of the chats won,
        each with its parts written ahead as `claim` does. Chats not in the answer must not be sent now."""
        ...

    async def in_flight(self, delivery_id: int, part: int) -> None:
        """Mark a part as on its way (digest.ambiguous_sends: skip): if the sender dies before `part_sent`,
        the outbox job gives that part up (Telegram may have it) instead of sending it again."""
        ...

    async def mark_sent(self, delivery_id: int, when: datetime | None = None) -> None:
        """Record a successful send."""
        ...

    async def mark_failed(self, delivery_id: int, error: str) -> None:
        """Record a failed send and drop its unsent parts, in one transaction (the whole delivery is
        claimed again on a later tick while the run is open)."""
        ...

    async def plan_parts(
        self, delivery_id: int, chat: ChatRef, parts: list[Reply], lease_until: datetime
    ) -> None:
        """Write a delivery's messages ahead of sending (durably owed until `part_sent`); a part still
        owed when `lease_until` passes is sent once by the outbox job (the sender was interrupted)."""
        ...

    async def part_sent(self, delivery_id: int, part: int, when: datetime | None = None) -> None:
        """One message of a delivery went out (or was handed to the outbox for its retry); the last one
        marks the delivery sent (at `when`, default now) in the same transaction."""
        ...

    async def drop_parts(self, delivery_id: int) -> None:
        """Forget a delivery's unsent messages (the whole delivery is retried or given up instead)."""
        ...

    async def release(self, delivery_id: int) -> None:
        """Drop a claim that was never attempted (the platform is not running), so a later tick sends."""
        ...

    # --- the week's content

    async def week(
        self, start: datetime, end: datetime, top: int = 5, *, colleges: Sequence[int] | None = None
    ) -> WeekSummary:
        """Counts, top companies, hot topics and most asked questions of [start, end)."""
        ...

    async def new_experiences(
        self,
        company_ids: list[int],
        start: datetime,
        end: datetime,
        *,
        colleges: Sequence[int] | None = None,
    ) -> dict[int, list[NewExperience]]:
        """Each company's experiences published in [start, end), newest first (public fields only)."""
        ...
