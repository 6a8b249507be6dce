"""The dialog aggregate's port: one persisted dialog per conversation, saved with optimistic concurrency.

`storage.repos.DialogRepo` implements `DialogRepository` (it subclasses it). A conversation key is
(platform, chat id, platform user id). Every save names the version it was loaded at, so two processes
answering the same dialog at once cannot overwrite each other: the loser's save reports a conflict and
the engine retries against the fresh state (core.dialog.engine).
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from contextlib import AbstractAsyncContextManager
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any, Protocol

if TYPE_CHECKING:
    from core.repositories.uow import UnitOfWork

logger = logging.getLogger(__name__)

DialogKey = tuple[str, str, str]


@dataclass(frozen=True)
class DialogRecord:
    """A persisted dialog: which flow and step, the answers so far, the undo history and a version.

    `version` grows by one on every save (a new dialog starts at the clock in milliseconds, so a
    restarted flow never reuses an old button's version).
    """

    flow: str
    step: str
    answers: dict[str, Any]
    history: list[Any]
    version: int
    updated_at: datetime


class DialogWrites(Protocol):
    """The version-checked writes of dialog state, on their own or inside a unit of work."""

    async def save(self, key: DialogKey, record: DialogRecord, expected: int | None) -> bool:
        """Store `record` if the stored dialog is still at version `expected` (None: if there is none).

        False on a conflict (another process saved or removed it first); nothing is overwritten.
        """
        ...

    async def delete(self, key: DialogKey, expected: int | None = None) -> bool:
        """Remove the dialog; with `expected`, only if it is still at that version (False otherwise)."""
        ...


class DialogRepository(DialogWrites, Protocol):
    """Dialog state per conversation, and the units of work the engine finishes steps in."""

    async def load(self, key: DialogKey) -> DialogRecord | None:
        """The stored dialog of a conversation, if any."""
        ...

    def unit(self) -> AbstractAsyncContextManager[UnitOfWork]:
        """A new unit of work on the same database (see core.repositories.uow)."""
        ...


AfterCommit = Callable[[], Awaitable[Any]]
