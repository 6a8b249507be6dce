"""The colleges aggregate's port (issue #15): which colleges a deployment serves and who belongs where.

`storage.colleges.CollegeRepo` implements `CollegeRepository` (it subclasses it). A college is a
first-class record; experiences, threads, resources, FAQ pins, subscriptions and digest runs carry its
id. Exactly one college is the default: everything stored before colleges existed belongs to it, and
config's moderator ids moderate it. The actor resolver (core/actors.py) asks `place` once per event.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal, Protocol

logger = logging.getLogger(__name__)

JoinHow = Literal["verified_email", "invite", "picked", "community"]


@dataclass(frozen=True)
class College:
    """One college: `code` is its short unique name (`/college link cse-iit`), `email_domains` the
    domains whose verified addresses place a student in it, `share_across` its opt-in to cross-college
    insights (approved, anonymised experiences only)."""

    id: int
    code: str
    name: str
    email_domains: tuple[str, ...] = ()
    roll_number_pattern: str = ""
    roll_number_example: str = ""
    branches: tuple[str, ...] = ()
    share_across: bool = False
    is_default: bool = False


@dataclass(frozen=True)
class CollegeSpec:
    """A college as config.yaml declares it; `moderators` are (platform, platform user id) pairs."""

    code: str
    name: str
    email_domains: tuple[str, ...] = ()
    roll_number_pattern: str = ""
    roll_number_example: str = ""
    branches: tuple[str, ...] = ()
    share_across: bool = False
    moderators: tuple[tuple[str, str], ...] = ()


@dataclass(frozen=True)
class Placement:
    """Where one event's sender belongs, as `CollegeRepository.place` found it.

    `college_id` is None when nothing places them on a multi-college deployment (a Telegram DM of
    someone who never joined, an unlinked Discord guild); `moderator` is True when a college_moderators
    row names this account for that college; `via_community` tells that the college came from the chat's
    community link (a Discord guild), so the platform's moderator signal (a guild role) is about it;
    `default_id` is the default college's id and `colleges` how many colleges there are.
    """

    college_id: int | None
    moderator: bool
    via_community: bool
    default_id: int
    colleges: int


class CollegeRepository(Protocol):
    """What the actor resolver, /college and the cross-college insights ask of the college store."""

    async def sync(self, default: CollegeSpec, others: Sequence[CollegeSpec]) -> None:
        """Make the stored colleges match config: the default college takes `default`'s code and fields,
        each of `others` is created or updated by code, and each spec's moderators are added. Colleges
        no longer in config are kept (their rows must not lose their owner). Idempotent."""
        ...

    async def all(self) -> list[College]:
        """Every college, the default first, then by name."""
        ...

    async def get(self, college_id: int) -> College | None:
        """The college with this id, or None."""
        ...

    async def by_code(self, code: str) -> College | None:
        """The college with this code (case-insensitive), or None."""
        ...

    async def by_email_domain(self, address_domain: str) -> College | None:
        """The college whose e-mail domains include this domain or a parent of it (cse.x.edu -> x.edu)."""
        ...

    async def place(
        self, platform: str, platform_user_id: str, user_id: int | None, community: str, code: str | None
    ) -> Placement:
        """Where this sender belongs, in one round trip.

        Order: the adapter's `code` (the console's --college; an unknown code places nowhere), else the
        chat's `community` link (a Discord guild; its first use by a known user also records them as a
        member, so their DMs follow), else the user's membership, else (outside communities) the first
        college this account moderates; on a single-college deployment anyone left unplaced is in the
        default college.
        """
        ...

    async def link_community(self, platform: str, community_id: str, college_id: int) -> None:
        """Link a platform community (a Discord guild id) to a college, replacing an earlier link."""
        ...

    async def join(self, user_id: int, college_id: int, how: JoinHow, verified: bool) -> None:
        """Make `college_id` the user's college (one college per user; a later join replaces it).

        An unverified join never replaces a verified membership of another college (raises
        PermissionError): a student verified by e-mail cannot be moved by picking from a list.
        """
        ...

    async def membership(self, user_id: int) -> tuple[int, str, bool] | None:
        """The user's (college id, how they joined, verified), or None."""
        ...

    async def add_moderator(self, college_id: int, platform: str, platform_user_id: str) -> None:
        """Make a platform account a moderator of a college (idempotent)."""
        ...

    async def moderators(self, college_id: int) -> list[tuple[str, str]]:
        """The (platform, platform user id) accounts moderating a college (college_moderators rows)."""
        ...

    async def create_invite(self, college_id: int, created_by: int | None) -> str:
        """A new invite token for the college (URL-safe, stored hashed)."""
        ...

    async def redeem_invite(self, code: str, token: str) -> College | None:
        """The college whose code is `code` if `token` is one of its invites, else None (reusable link)."""
        ...
