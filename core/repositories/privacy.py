"""The privacy aggregate's port: everything stored about a user (/mydata) and forgetting them (/forget).

The privacy feature types against `PrivacyRepository`; `storage.privacy.PrivacyRepo` implements it (it
subclasses it). What counts as a user's data, and what is deleted or anonymised, is decided in storage,
which knows every table; the core only shows the result.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from typing import Any, Literal, Protocol

logger = logging.getLogger(__name__)

ForgetMode = Literal["delete", "anonymise"]


@dataclass
class ForgetOutcome:
    """What /forget did: rows removed or anonymised per table, companies whose public data changed.

    `deleted` and `anonymised` map a table name to its row count; `video_paths` are kept mock-interview
    videos whose files the caller removes from disk.
    """

    mode: ForgetMode
    deleted: dict[str, int] = field(default_factory=dict)
    anonymised: dict[str, int] = field(default_factory=dict)
    companies_changed: list[int] = field(default_factory=list)
    video_paths: list[str] = field(default_factory=list)

    def count(self, table: str, rows: int, *, anonymised: bool = False) -> None:
        """Add `rows` (ignored when 0) to a table's deleted or anonymised count."""
        if rows:
            target = self.anonymised if anonymised else self.deleted
            target[table] = target.get(table, 0) + rows


class PrivacyRepository(Protocol):
    """What the privacy feature asks of storage."""

    async def user_data(self, user_id: int) -> dict[str, Any] | None:
        """Everything stored about a user as JSON-ready data (section name -> rows); None if unknown."""
        ...

    async def forget(self, user_id: int, mode: ForgetMode) -> ForgetOutcome | None:
        """Delete a user, and delete or anonymise what they contributed, at once; None if unknown."""
        ...
