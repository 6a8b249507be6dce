"""Submitting an experience is one unit of work: a crash at any statement stores it once or not at all.

A fault-injecting hook on the database engine raises at the N-th SQL statement (or COMMIT) after the
student presses Submit, for N = 1, 2, ... until a press gets through. After every injected crash the
student is either still on the review screen with nothing stored, or the experience is stored and the
dialog is gone; pressing Submit again never stores a second copy.
"""

from __future__ import annotations

import asyncio
from typing import Any

import pytest
from sqlalchemy import event, func, select

from storage.models import DialogState, Experience, Question, Round
from tests.console.driver import Console, make_app
from tests.console.test_share_dialog import answer_rest, answer_up_to_company

pytestmark = pytest.mark.asyncio


class Crash(Exception):
    """The process dies here (the injected fault)."""


class FaultInjector:
    """Raise `fault` at the `at`-th statement or commit the engine runs while armed."""

    def __init__(self, sync_engine: Any) -> None:
        self.at = 0
        self.seen = 0
        self.fired = False
        self.fault: type[BaseException] = Crash
        event.listen(sync_engine, "before_cursor_execute", self._step)
        event.listen(sync_engine, "commit", self._step)

    def arm(self, at: int, fault: type[BaseException]) -> None:
        self.at, self.seen, self.fired, self.fault = at, 0, False, fault

    def disarm(self) -> None:
        self.at = 0

    def _step(self, *args: Any) -> None:
        if not self.at:
            return
        self.seen += 1
        if self.seen == self.at:
            self.fired = True
            self.at = 0
            raise self.fault(f"killed at point {self.seen}")


async def counts(app: Any) -> tuple[int, int, int, str | None]:
    async with app.database.sessions() as session:
        experiences = await session.scalar(select(func.count()).select_from(Experience))
        rounds = await session.scalar(select(func.count()).select_from(Round))
        questions = await session.scalar(select(func.count()).select_from(Question))
        step = await session.scalar(select(DialogState.step))
    return experiences or 0, rounds or 0, questions or 0, step


@pytest.mark.parametrize("fault", [Crash, asyncio.CancelledError], ids=["error", "cancelled"])
async def test_a_crash_at_any_point_of_submit_stores_the_experience_once_or_not_at_all(
    tmp_path, fault: type[BaseException]
) -> None:
    app = await make_app(tmp_path, f"sqlite+aiosqlite:///{tmp_path / 'uow.db'}")
    try:
        console = Console(app, app.config)
        await answer_up_to_company(console)
        await console.say("Zentrix Labs")
        review = await answer_rest(console, await console.pick("Add"))
        assert "Please check your experience" in review
        submit = console.adapter.translate(str(console.number_of("✅ Submit")))  # the button, pressed again
        assert submit is not None

        async def press() -> str:
            return "\n".join(reply.text for reply in await app.handle(submit))

        injector = FaultInjector(app.database.engine.sync_engine)
        crashes_before_commit = crashes_after_commit = 0
        for point in range(1, 200):
            injector.arm(point, fault)
            try:
                out = await press()
            except (Crash, asyncio.CancelledError):
                out = None
            injector.disarm()
            stored, rounds, questions, step = await counts(app)
            if not injector.fired:  # this press got through: the experience is stored exactly once
                assert out is not None and ("pending moderation" in out or "has expired" in out)
                assert (stored, rounds, questions, step) == (1, 2, 3, None)
                break
            if stored:
                crashes_after_commit += 1
                assert (stored, rounds, questions, step) == (1, 2, 3, None), f"crash at point {point}"
            else:
                crashes_before_commit += 1
                assert (rounds, questions, step) == (0, 0, "review"), f"crash at point {point}"
        else:
            raise AssertionError("Submit never got through")
        assert crashes_before_commit >= 5  # every statement of the transaction (and its COMMIT) was hit
        # pressing Submit again (a double click, a retry after the crash) stores nothing more
        again = await press()
        assert "has expired" in again
        assert (await counts(app))[0] == 1
    finally:
        await app.close()
