"""An attempt whose scoring failed and whose failure could not be recorded (the database gone at that
moment) is not left "scoring" for good: the sweep fails it past the lease and tells the student once;
an attempt being scored right now is never swept, however long it takes."""

from __future__ import annotations

import asyncio
from datetime import datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import select

from core.clock import utcnow
from core.events import ChatRef
from core.ops.scoring import SCORING_FAILED, scoring_lease_s
from storage.mock import MockRepo
from storage.models import MockAttempt
from tests.console.driver import Console
from tests.mock.test_interrupted_scoring import HangingScorer
from tests.mock.test_mock_console import FakeScorer, clip, open_app  # noqa: F401  (clip: fixture)


async def attempts(app) -> list[MockAttempt]:
    async with app.database.sessions() as session:
        return list((await session.scalars(select(MockAttempt).order_by(MockAttempt.id))).all())


async def answer(app, video: Path) -> str:
    student = Console(app, app.config)
    await student.say("/mock")
    await student.pick("✅ I agree (delete")
    return await student.say(str(video))


def past_the_lease(app) -> datetime:
    return utcnow() + timedelta(seconds=scoring_lease_s(app.config.mock) + 1)


async def test_a_failure_that_could_not_be_recorded_is_swept_and_told_once(
    tmp_path,
    clip,  # noqa: F811
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    app, outbox = await open_app(tmp_path, FakeScorer(RuntimeError("the scoring process crashed")))

    async def database_gone(self, attempt_id: int, reason: str) -> None:
        raise ConnectionError("the database went away")

    try:
        with monkeypatch.context() as patch:
            patch.setattr(MockRepo, "fail_attempt", database_gone)
            assert "Scoring your answer" in await answer(app, clip)
            await app.mock.drain()
        [attempt] = await attempts(app)
        assert attempt.status == "scoring"  # the failure was not recorded
        assert SCORING_FAILED not in outbox.everything()  # nor told: the sweep tells once
        assert app.mock.pending_scorings == 0

        # Within the lease nothing happens (a slow scoring is not a stuck one).
        assert await app.mock.sweep_stuck(app.notifiers.notify) == 0
        assert (await attempts(app))[0].status == "scoring"

        assert await app.mock.sweep_stuck(app.notifiers.notify, now=past_the_lease(app)) == 1
        [attempt] = await attempts(app)
        assert (attempt.status, attempt.error) == ("failed", SCORING_FAILED)
        assert outbox.to("console-user")[-1] == f"⚠️ {SCORING_FAILED}"
        assert await app.mock.sweep_stuck(app.notifiers.notify, now=past_the_lease(app)) == 0
        assert outbox.everything().count(SCORING_FAILED) == 1
    finally:
        await app.close()


async def test_an_attempt_being_scored_is_never_swept(tmp_path, clip) -> None:  # noqa: F811
    scorer = HangingScorer()
    app, outbox = await open_app(tmp_path, scorer)
    try:
        assert "Scoring your answer" in await answer(app, clip)
        await asyncio.wait_for(scorer.started.wait(), 5)
        assert app.mock.pending_scorings == 1
        assert await app.mock.sweep_stuck(app.notifiers.notify, now=past_the_lease(app)) == 0
        [attempt] = await attempts(app)
        assert attempt.status == "scoring" and outbox.sent == []
        # ... unless the queue says another process scores it: then only the queue's list spares it
        assert (
            await app.mock.sweep_stuck(app.notifiers.notify, live={attempt.id}, now=past_the_lease(app)) == 0
        )
    finally:
        await app.close()


async def test_the_queues_final_failure_fails_the_attempt_and_tells_the_student_once(
    tmp_path,
    clip,  # noqa: F811
) -> None:
    scorer = HangingScorer()
    app, outbox = await open_app(tmp_path, scorer)
    try:
        await answer(app, clip)
        await asyncio.wait_for(scorer.started.wait(), 5)
        [attempt] = await attempts(app)
        upload = tmp_path / "mock" / "leftover.mp4"
        upload.write_bytes(b"video")
        target = ChatRef("console", "console-user", is_private=True)
        assert await app.mock.give_up(attempt.id, upload, target) is True
        assert not upload.exists()  # deleted, as after any failed scoring
        [attempt] = await attempts(app)
        assert (attempt.status, attempt.error) == ("failed", SCORING_FAILED)
        assert outbox.to("console-user") == [f"⚠️ {SCORING_FAILED}"]
        assert await app.mock.give_up(attempt.id, upload, target) is False  # a duplicate: not told again
        assert len(outbox.sent) == 1
    finally:
        await app.close()
