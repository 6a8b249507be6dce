"""The unit of work on SQL: one AsyncSession and one transaction shared by the repositories a step uses.

`SqlUnitOfWork` hands the ordinary repositories (DialogRepo, ExperienceRepo, ModerationRepo) a session
factory that always returns its one session and never commits on its own; the unit commits once at the
end, or rolls everything back when the block raises (or is cancelled). Runs `after_commit` actions only
after a successful commit. Nothing here holds state between units.
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from types import TracebackType
from typing import Any, cast

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from core.repositories.dialogs import AfterCommit
from core.repositories.uow import ModerationDecisions, PendingExperiences

logger = logging.getLogger(__name__)


class SharedSession:
    """Looks like an async_sessionmaker to a repository, but lends one session inside one transaction.

    `shared()` and `shared.begin()` both yield the unit's session; leaving the block flushes (so ids and
    constraint errors surface where the repository expects them) and neither commits nor closes.
    """

    def __init__(self, session: AsyncSession) -> None:
        self._session = session
        self.lent = False

    @asynccontextmanager
    async def _lend(self) -> AsyncIterator[AsyncSession]:
        self.lent = True
        yield self._session
        await self._session.flush()

    def __call__(self) -> Any:
        return self._lend()

    def begin(self) -> Any:
        return self._lend()


class SqlUnitOfWork:
    """core.repositories.uow.UnitOfWork on one AsyncSession: `async with unit:` commits or rolls back."""

    def __init__(self, sessions: async_sessionmaker[AsyncSession]) -> None:
        from storage.moderation import ModerationRepo
        from storage.repos import DialogRepo, ExperienceRepo

        self._session = sessions()
        self._joined = SharedSession(self._session)
        shared = cast(async_sessionmaker[AsyncSession], self._joined)
        self.dialogs = DialogRepo(cast(async_sessionmaker[AsyncSession], SharedSession(self._session)))
        self.experiences: PendingExperiences = ExperienceRepo(shared)
        self.moderation: ModerationDecisions = cast(ModerationDecisions, ModerationRepo(shared))
        self._after: list[AfterCommit] = []

    @property
    def joined(self) -> bool:
        """True once a repository other than the dialogs has used this unit."""
        return self._joined.lent

    def after_commit(self, action: AfterCommit) -> None:
        """Run `action` after the commit (never after a rollback)."""
        self._after.append(action)

    async def __aenter__(self) -> SqlUnitOfWork:
        await self._session.begin()
        return self

    async def __aexit__(
        self, kind: type[BaseException] | None, error: BaseException | None, tb: TracebackType | None
    ) -> None:
        try:
            if kind is None:
                await self._session.commit()
            else:
                await self._session.rollback()
        finally:
            await self._session.close()
        if kind is None:
            for action in self._after:
                try:
                    await action()
                except Exception:
                    logger.exception("an after-commit action failed")
