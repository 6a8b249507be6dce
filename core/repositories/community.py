"""The community aggregate's port: threads, posts, resources, their mirrors, votes, reports and review.

The discussion and resource features type against `CommunityRepository` and read the frozen records
below; `storage.community.CommunityRepo` implements the Protocol (it subclasses it, so mypy checks
every signature). Nothing here imports storage or names a platform: which platforms mirror a thread
is whatever adapters registered (`App.register_mirror`), and a thread's mirrors are plain
(platform, external id) pairs.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

from core.repositories.users import Recipient

logger = logging.getLogger(__name__)

ANONYMOUS = "Anonymous"


def author_label(anonymous: bool, display_name: str | None) -> str:
    """How an author is shown publicly: their display name, or "Anonymous" (never an id)."""
    if anonymous:
        return ANONYMOUS
    return (display_name or "").strip() or "A student"


@dataclass(frozen=True)
class ThreadRow:
    """One thread as the features show it (the author already anonymity-safe in `author`).

    `mirrors` holds (platform, external id) pairs, sorted by platform, one per platform the thread
    is shown on; an external id is what that platform's adapter puts in `ChatRef.id` inside it.
    """

    id: int
    title: str
    company_id: int | None
    company: str | None
    topic: str | None
    author_user_id: int | None
    author: str
    anonymous: bool
    status: str
    posts: int
    created_at: datetime
    last_post_at: datetime
    mirrors: tuple[tuple[str, str], ...] = ()

    def external_id(self, platform: str) -> str | None:
        """The id of this thread on a mirroring platform, if it is mirrored there."""
        return next((external for name, external in self.mirrors if name == platform), None)


@dataclass(frozen=True)
class PostRow:
    """One post of a thread."""

    id: int
    thread_id: int
    author_user_id: int | None
    author: str
    anonymous: bool
    body: str
    status: str
    platform: str
    helpful_count: int
    report_count: int
    created_at: datetime


@dataclass(frozen=True)
class ResourceRow:
    """A shared link or PDF of a company (`size` in bytes, 0 for a link)."""

    id: int
    company_id: int | None
    company: str | None
    user_id: int | None
    title: str
    url: str | None
    file_name: str | None
    size: int
    status: str
    created_at: datetime


@dataclass(frozen=True)
class Outcome:
    """A moderation decision's result: what it was about and whom to tell."""

    kind: str
    target_id: int
    title: str
    status: str
    author: Recipient | None


class CommunityRepository(Protocol):
    """What the discussion and resource features ask of storage (every method they call)."""

    # --- threads and posts

    async def create_thread(
        self,
        *,
        user_id: int,
        company_id: int | None,
        topic: str | None,
        title: str,
        body: str,
        anonymous: bool,
        platform: str,
        status: str,
        now: datetime,
        college_id: int | None = None,
    ) -> tuple[int, int]:
        """Store a thread with its first post in a college (None: the default); (thread id, post id)."""
        ...

    async def add_post(
        self,
        *,
        thread_id: int,
        user_id: int,
        body: str,
        anonymous: bool,
        platform: str,
        now: datetime,
        platform_message_id: str | None = None,
    ) -> int | None:
        """Add a reply to a visible thread; its id, or None if the thread cannot take replies."""
        ...

    async def thread(self, thread_id: int, *, colleges: Sequence[int] | None = None) -> ThreadRow | None:
        """One thread of `colleges` (None: any college), whatever its status."""
        ...

    async def list_threads(
        self,
        *,
        company_id: int | None = None,
        topic: str | None = None,
        offset: int = 0,
        limit: int = 5,
        colleges: Sequence[int] | None = None,
    ) -> tuple[list[ThreadRow], int]:
        """Visible threads of `colleges` of a company or topic (or all), latest activity first, and their
        total."""
        ...

    async def topic_exists(self, topic: str) -> bool:
        """Whether any visible thread uses this topic tag."""
        ...

    async def posts(self, thread_id: int, *, offset: int = 0, limit: int = 5) -> tuple[list[PostRow], int]:
        """A page of a thread's posts, oldest first (removed ones left out), and their total."""
        ...

    async def post(self, post_id: int) -> PostRow | None:
        """One post, whatever its status."""
        ...

    async def first_post(self, thread_id: int) -> PostRow | None:
        """The opening post of a thread."""
        ...

    async def contributions_since(self, user_id: int, since: datetime) -> int:
        """Posts and resources a user added since a moment (the hourly spam limit)."""
        ...

    async def reputation(self, user_id: int) -> int:
        """A user's reputation points."""
        ...

    async def display_name(self, user_id: int) -> str:
        """A user's display name (for moderators; never shown for anonymous posts)."""
        ...

    # --- mirrors

    async def set_external_id(self, thread_id: int, platform: str, external_id: str) -> None:
        """Remember where a thread is mirrored on a platform (replacing an earlier id there)."""
        ...

    async def thread_by_external_id(self, platform: str, external_id: str) -> int | None:
        """The thread mirrored at a platform's thread/topic id, if any."""
        ...

    # --- solving, FAQ

    async def resolve(self, thread_id: int) -> bool:
        """Mark an open thread resolved; False if it was not open."""
        ...

    async def promote(self, thread_id: int, moderator_user_id: int) -> tuple[str, int | None]:
        """Copy a resolved company thread into its FAQ; (outcome, faq id), outcome "ok" or why not."""
        ...

    # --- votes and reports

    async def vote_post(self, user_id: int, post_id: int) -> tuple[str, int]:
        """Mark a reply helpful; (outcome, count), outcome ok/own/duplicate/first_post/missing."""
        ...

    async def report_post(self, user_id: int, post_id: int, reason: str, hide_at: int) -> tuple[str, bool]:
        """Record a report on a post; (outcome ok/duplicate/missing, whether it is now hidden)."""
        ...

    async def reports_on(self, kind: str, target_id: int) -> list[str]:
        """The reasons readers gave when reporting something."""
        ...

    # --- resources

    async def add_resource(
        self,
        *,
        user_id: int,
        company_id: int,
        title: str,
        url: str | None,
        file_name: str | None,
        data: bytes | None,
        status: str,
        now: datetime,
        college_id: int | None = None,
    ) -> int:
        """Store a link or a PDF for a company in a college (None: the default); returns its id."""
        ...

    async def list_resources(
        self, company_id: int, *, offset: int = 0, limit: int = 10, colleges: Sequence[int] | None = None
    ) -> tuple[list[ResourceRow], int]:
        """Approved resources of a company in `colleges`, newest first, and their total."""
        ...

    async def resource(
        self, resource_id: int, *, colleges: Sequence[int] | None = None
    ) -> ResourceRow | None:
        """One resource of `colleges`, whatever its status (no file bytes)."""
        ...

    async def resource_file(self, resource_id: int) -> tuple[str, bytes] | None:
        """A resource's PDF as (file name, bytes), if it has one."""
        ...

    # --- the review queue

    async def pending_count(self, *, colleges: Sequence[int] | None = None) -> int:
        """Threads and resources waiting for approval plus posts hidden after reports, in `colleges`."""
        ...

    async def next_waiting(
        self, after: tuple[str, int] | None = None, *, colleges: Sequence[int] | None = None
    ) -> tuple[str, int] | None:
        """The next (kind, id) of `colleges` to review after `after`, wrapping around; None when nothing
        waits."""
        ...

    async def decide(
        self,
        kind: str,
        target_id: int,
        moderator_user_id: int | None,
        approve: bool,
        reason: str = "",
        *,
        colleges: Sequence[int] | None = None,
    ) -> Outcome | None:
        """Approve or reject a waiting item of `colleges` (logged); None when it is not waiting there."""
        ...

    # --- people

    async def set_ask_me(self, user_id: int, on: bool) -> None:
        """Opt a student in or out of questions from juniors."""
        ...

    async def ask_me(self, user_id: int) -> bool:
        """Whether a student opted in to questions."""
        ...

    async def askable(self, company_id: int, exclude_user_id: int | None) -> Sequence[Recipient]:
        """Private chats of opted-in students with an approved experience at a company (one each)."""
        ...

    async def recipient_of(self, user_id: int | None, platform: str) -> Recipient | None:
        """Where to reach a user privately, preferring the platform given."""
        ...
