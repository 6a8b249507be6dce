"""The verification aggregate's port: one-time email codes and the verified flag of users and experiences.

/verify, /verifyuser and the share flow (the ✔ badge) type against `VerificationRepository`;
`storage.privacy.VerificationRepo` implements it (it subclasses it). Codes are stored hashed: the
core hashes and compares, storage never sees a plain code.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class ActiveCode:
    """The newest unused code of a user: where it was sent, its hash, attempts used, when it expires."""

    id: int
    email: str
    code_hash: str
    attempts: int
    expires_at: datetime


class VerificationRepository(Protocol):
    """What the core asks of the verification store (every method it calls)."""

    async def sends_since(self, user_id: int, email: str, since: datetime) -> int:
        """Codes sent to this user or this address since a moment (the larger count: both are limited)."""
        ...

    async def store_code(
        self, user_id: int, email: str, code_hash: str, expires_at: datetime, now: datetime
    ) -> int:
        """Save a new code and return its id; earlier unused codes of the user stop working."""
        ...

    async def void_code(self, code_id: int, now: datetime) -> None:
        """Make a code unusable (its email could not be sent); it still counts towards the send limit."""
        ...

    async def active_code(self, user_id: int) -> ActiveCode | None:
        """The newest unused code of a user, expired or not (the caller tells the two apart)."""
        ...

    async def count_attempt(self, code_id: int, max_attempts: int) -> bool:
        """Use up one attempt; False when none is left (or the code was used meanwhile)."""
        ...

    async def complete(self, code_id: int, user_id: int, email: str, now: datetime) -> bool:
        """Consume the code (single use) and mark the user verified; False if it was already used."""
        ...

    async def is_verified(self, user_id: int) -> bool:
        """Whether a user passed verification (by email or by a moderator)."""
        ...

    async def verify_author(
        self, experience_id: int, moderator_user_id: int | None
    ) -> tuple[bool, int | None]:
        """Badge an experience and verify its author (logged); (found, author user id or None)."""
        ...
