"""The company aggregate's port: names, aliases, folding variants, and moderators' merge and rename.

`storage.repos.CompanyRepo` implements `CompanyRepository` (it subclasses it, so mypy checks every
signature). Names are compared by `core.text_norm.normalise_name` (exact) and `fold_name` (legal
suffixes and country words dropped: "Acme Motors India Pvt Ltd" -> "acme motors").
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from typing import Protocol

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class CompanyName:
    """A company with the normalised names it is known by."""

    id: int
    name: str
    aliases: tuple[str, ...]


@dataclass(frozen=True)
class MergeResult:
    """What a merge moved: rows per table re-pointed to the surviving company, and what was dropped.

    `dropped_subscriptions` are chats that followed both companies: they keep their one subscription
    to the survivor (the unique (platform, chat, company) rule allows no second one).
    """

    into_id: int
    into_name: str
    from_name: str
    moved: dict[str, int] = field(default_factory=dict)
    dropped_subscriptions: int = 0


class CompanyError(Exception):
    """A merge or rename that cannot be done; the message says why in words a moderator reads."""


class CompanyRepository(Protocol):
    """What the matcher, /share, the importer and the moderators' company commands ask of storage."""

    async def all_names(self) -> list[CompanyName]:
        """Every company with its aliases, for in-memory matching."""
        ...

    async def get_or_create(self, name: str) -> int:
        """The id of the company of this name, its alias, or its only folded variant; created if new."""
        ...

    async def add_alias(self, company_id: int, alias: str) -> None:
        """Record another name for a company (ignored if already known)."""
        ...

    async def usage(self, company_id: int) -> dict[str, int]:
        """Rows per table that belong to a company (what a merge would move)."""
        ...

    async def merge(self, from_id: int, into_id: int, *, moderator_user_id: int | None = None) -> MergeResult:
        """Move every row of `from_id` to `into_id`, keep its names as aliases, delete it (one transaction).

        Raises CompanyError when either is missing or they are the same company.
        """
        ...

    async def rename(self, company_id: int, new_name: str, *, moderator_user_id: int | None = None) -> str:
        """Give a company a new display name, keeping the old one as an alias (one transaction).

        Returns the old name. Raises CompanyError when the name is empty or belongs to another company.
        """
        ...

    async def most_shared(self, limit: int) -> list[int]:
        """Ids of the companies with the most published experiences, most first."""
        ...

    async def name_of(self, company_id: int) -> str | None:
        """The display name of a company."""
        ...
