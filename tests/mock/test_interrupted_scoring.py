"""A bot stopped (or killed) while scoring a mock answer: at the next start the attempt is failed with a
message to the student, and the uploads it left are deleted (the student chose deletion)."""

from __future__ import annotations

import asyncio
from pathlib import Path

from sqlalchemy import select

from core.features.mock.service import INTERRUPTED
from storage.models import MockAttempt
from tests.console.driver import Console, FakeClock, Outbox, make_app
from tests.mock.test_mock_console import clip  # noqa: F401  (fixture)


class HangingScorer:
    """Never finishes: the process stops while it scores."""

    def __init__(self) -> None:
        self.started = asyncio.Event()

    async def score(self, path: Path, max_duration_s: float, timeout_s: float):
        self.started.set()
        await asyncio.Event().wait()

    def close(self) -> None:
        pass


async def _app(tmp_path, clock, scorer):
    return await make_app(
        tmp_path,
        f"sqlite+aiosqlite:///{tmp_path / 'm.db'}",
        clock,
        scorer=scorer,
        mock={"video_dir": str(tmp_path / "mock")},
    )


async def test_an_attempt_cut_off_by_a_restart_is_failed_told_and_its_video_deleted(tmp_path, clip):  # noqa: F811
    clock = FakeClock()
    scorer = HangingScorer()
    app = await _app(tmp_path, clock, scorer)
    incoming = tmp_path / "mock" / "incoming"
    try:
        app.register_notifier("console", Outbox())
        student = Console(app, app.config)
        await student.say("/mock")
        await student.pick("✅ I agree (delete")
        assert "Scoring your answer" in await student.say(str(clip))
        await asyncio.wait_for(scorer.started.wait(), 5)
        assert len(list(incoming.iterdir())) == 1
        left_by_a_kill = incoming / "killed-upload.mp4"  # what a killed process leaves on disk
        left_by_a_kill.write_bytes(clip.read_bytes())
    finally:
        await app.close()  # the bot shuts down while scoring
    async with app.database.sessions() as session:
        [attempt] = (await session.scalars(select(MockAttempt))).all()
    assert attempt.status == "scoring"

    clock.advance(minutes=1)
    app = await _app(tmp_path, clock, HangingScorer())  # the restart
    try:
        async with app.database.sessions() as session:
            [attempt] = (await session.scalars(select(MockAttempt))).all()
        assert (attempt.status, attempt.error) == ("failed", INTERRUPTED)
        assert list(incoming.iterdir()) == []
        outbox = Outbox()
        app.register_notifier("console", outbox)
        report = await app.notifiers.retry_outbox()  # the periodic job, once an adapter is connected
        assert report.sent == 1
        [(chat, reply)] = outbox.sent
        assert chat.id == "console-user" and chat.is_private and "record it again with /mock" in reply.text
        assert (await app.notifiers.retry_outbox()).sent == 0
    finally:
        await app.close()
