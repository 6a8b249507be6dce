"""The unit-of-work port: writes that must commit together or not at all.

Finishing a step is one unit: whatever the step (or the flow's `on_done`) writes through the unit, plus
the dialog's own save or delete, commits in one transaction. A crash in between leaves either nothing
(the student is still on the same step, and pressing the button again does the work once) or
everything (the work is stored and the dialog has moved on) -- never the work stored while the dialog
still offers to do it again.

A step reaches the unit as `ctx.unit` (core.dialog.steps.DialogContext). Side effects that must not
happen unless the transaction commits (notifications, analysis of a published post) are registered
with `after_commit` and run after a successful commit, in order; a failing one is logged, not raised.

`storage.uow.SqlUnitOfWork` implements this with one AsyncSession. The repositories it exposes are the
ordinary storage repositories bound to that session, typed here only by the methods flows use, so a
flow can join by asking for them (add a member below and to storage.uow when a new flow needs one).
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from typing import Any, Protocol

from core.repositories.dialogs import AfterCommit, DialogWrites

logger = logging.getLogger(__name__)


class PendingExperiences(Protocol):
    """The experience writes of the share flow (storage.repos.ExperienceRepo)."""

    async def create_pending(
        self,
        user_id: int,
        company_id: int,
        platform: str,
        fields: dict[str, Any],
        rounds: Sequence[dict[str, Any]],
    ) -> int:
        """Store a submitted experience with its rounds and questions as pending; its id."""
        ...


class ModerationDecisions(Protocol):
    """The moderation reads and decisions the share flow makes (storage.moderation.ModerationRepo)."""

    async def reputation(self, user_id: int) -> int:
        """A user's reputation points."""
        ...

    async def decide(
        self, experience_id: int, moderator_user_id: int | None, approve: bool, reason: str = ""
    ) -> Any:
        """Approve or reject a waiting experience; None if it is no longer waiting."""
        ...


class UnitOfWork(Protocol):
    """One transaction shared by the repositories below; see the module docstring."""

    dialogs: DialogWrites
    experiences: PendingExperiences
    moderation: ModerationDecisions

    @property
    def joined(self) -> bool:
        """True once the step wrote or read through a repository of this unit other than `dialogs`."""
        ...

    def after_commit(self, action: AfterCommit) -> None:
        """Run `action` once the unit has committed (never if it rolls back)."""
        ...
