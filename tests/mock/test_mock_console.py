"""Mock interviews through the console adapter: consent, limits before work, scoring pushed, progress."""

from __future__ import annotations

import io
from pathlib import Path

import numpy as np
import pytest
from PIL import Image as PILImage
from sqlalchemy import select

from core.events import Attachment, ChatRef
from media.video import VideoError
from storage.models import Company, MockAttempt
from tests.console.driver import Console, Outbox, make_app
from tests.media_video import clips as C

pytestmark = pytest.mark.asyncio

RESULT = {
    "overall": 71,
    "scores": {"face_visible": 95, "eye_contact": 60, "lighting": 40},
    "tips": {"face_visible": "Good.", "eye_contact": "Look at the lens.", "lighting": "Face a window."},
    "labels": {
        "face_visible": "Face in view",
        "eye_contact": "Looking at the camera",
        "lighting": "Lighting",
    },
    "metrics": {"duration_s": 3.0, "face_visible_fraction": 0.95, "samples": [1, 2]},
}


def png(width: int = 40) -> bytes:
    buffer = io.BytesIO()
    PILImage.new("RGB", (width, 30), "white").save(buffer, format="PNG")
    return buffer.getvalue()


class FakeScorer:
    """Returns a fixed scorecard, or raises what the test asks for."""

    def __init__(self, *results) -> None:
        self.results = list(results) or [RESULT]
        self.paths: list[Path] = []

    async def score(self, path: Path, max_duration_s: float, timeout_s: float):
        self.paths.append(path)
        outcome = self.results.pop(0) if len(self.results) > 1 else self.results[0]
        if isinstance(outcome, BaseException):
            raise outcome
        return outcome, png()

    def close(self) -> None:
        pass


@pytest.fixture
def clip(tmp_path) -> Path:
    """A real 2-second H.264 MP4 of a face."""
    face = C.place(C.grace())
    return C.write_clip(tmp_path / "answer.mp4", lambda t, i: face, 3.0)


async def open_app(tmp_path, scorer, **overrides):
    app = await make_app(
        tmp_path,
        f"sqlite+aiosqlite:///{tmp_path / 'm.db'}",
        scorer=scorer,
        mock={"video_dir": str(tmp_path / "mock")},
        **overrides,
    )
    outbox = Outbox()
    app.register_notifier("console", outbox)
    return app, outbox


async def attempts(app) -> list[MockAttempt]:
    async with app.database.sessions() as session:
        return list((await session.scalars(select(MockAttempt))).all())


async def test_consent_then_video_is_scored_and_deleted(tmp_path, clip):
    app, outbox = await open_app(tmp_path, FakeScorer())
    try:
        student = Console(app, app.config)
        out = await student.say("/mock")
        assert "what I measure" in out and "do not judge confidence" in out
        out = await student.pick("✅ I agree (delete")
        assert "Question:" in out and "send it here as a video" in out
        out = await student.say(str(clip))
        assert "Scoring your answer" in out and "🔁 Retry this question" in student.adapter.choices
        await app.mock.drain()
        [(chat, card)] = outbox.sent
        assert chat.id == "console-user"
        assert (
            "Your scorecard: 71/100" in card.text
            and "Looking at the camera: 60 — Look at the lens." in card.text
        )
        assert "not how good your answer was" in card.text
        assert (
            card.images[0].png.startswith(b"\x89PNG") and "work on: Lighting (40)" in card.images[0].caption
        )
        [attempt] = await attempts(app)
        assert (attempt.status, attempt.overall, attempt.video_path) == ("done", 71, None)
        assert "samples" not in attempt.metrics
        assert not any((tmp_path / "mock" / "incoming").iterdir())  # the video is gone
        out = await student.say("/mock")  # consent is asked only once
        assert "what I measure" not in out and "Question:" in out
    finally:
        await app.close()


async def test_keep_videos_when_chosen(tmp_path, clip):
    app, _outbox = await open_app(tmp_path, FakeScorer())
    try:
        student = Console(app, app.config)
        await student.say("/mock")
        await student.pick("✅ I agree and keep")
        await student.say(str(clip))
        await app.mock.drain()
        [attempt] = await attempts(app)
        assert attempt.video_path and Path(attempt.video_path).is_file()
        assert "videos are kept" in await student.say("/mock privacy")
    finally:
        await app.close()


async def test_limits_are_checked_before_any_download(tmp_path):
    app, outbox = await open_app(tmp_path, FakeScorer())
    try:
        student = Console(app, app.config)
        await student.say("/mock")
        await student.pick("✅ I agree (delete")
        event = student.adapter.translate("/x")

        async def must_not_fetch() -> bytes:
            raise AssertionError("downloaded a file that should have been refused first")

        def upload(**kw):
            from dataclasses import replace

            attachment = Attachment(
                **{
                    "filename": "a.mp4",
                    "size": 1000,
                    "mime": "video/mp4",
                    "kind": "video",
                    "fetch": must_not_fetch,
                    **kw,
                }
            )
            return replace(event, kind="upload", command=None, attachments=(attachment,))

        replies = await app.handle(upload(size=25 * 1024 * 1024))
        assert "25.0 MB; the limit is 20 MB" in replies[0].text
        replies = await app.handle(upload(duration=200.0))
        assert "3 min 20 s long; please keep it under 3 min 0 s" in replies[0].text
        replies = await app.handle(upload(filename="cv.pdf", mime="application/pdf", kind="document"))
        assert "not one" in replies[0].text
        assert "send your answer as a video" in await student.say("here is my answer")
        assert await attempts(app) == [] and outbox.sent == []
    finally:
        await app.close()


async def test_corrupt_file_is_refused_with_the_reason(tmp_path):
    app, _outbox = await open_app(tmp_path, FakeScorer())
    try:
        fake = tmp_path / "notes.mp4"
        fake.write_text("this is not a video")
        student = Console(app, app.config)
        await student.say("/mock")
        await student.pick("✅ I agree (delete")
        out = await student.say(str(fake))
        assert "not a video I can read" in out and "Question:" in out
        assert await attempts(app) == []
    finally:
        await app.close()


async def test_scoring_failure_is_pushed_never_stuck(tmp_path, clip):
    scorer = FakeScorer(VideoError("I could not see a face in this video."), TimeoutError())
    app, outbox = await open_app(tmp_path, scorer)
    try:
        student = Console(app, app.config)
        await student.say("/mock")
        await student.pick("✅ I agree (delete")
        await student.say(str(clip))
        await app.mock.drain()
        await student.pick("🔁 Retry")
        await student.say(str(clip))
        await app.mock.drain()
        texts = [reply.text for _chat, reply in outbox.sent]
        assert texts[0] == "⚠️ I could not see a face in this video."
        assert "took too long" in texts[1]
        assert [(a.status, bool(a.error)) for a in await attempts(app)] == [
            ("failed", True),
            ("failed", True),
        ]
    finally:
        await app.close()


async def test_progress_chart_with_best_and_latest(tmp_path, clip):
    better = {**RESULT, "overall": 83, "scores": {**RESULT["scores"], "eye_contact": 85}}
    app, _outbox = await open_app(tmp_path, FakeScorer(RESULT, better))
    try:
        student = Console(app, app.config)
        assert "No scored answers yet" in await student.say("/progress")
        await student.say("/mock")
        await student.pick("✅ I agree (delete")
        await student.say(str(clip))
        await app.mock.drain()
        await student.pick("🔁 Retry")
        await student.say(str(clip))
        await app.mock.drain()
        out = await student.say("/progress")
        assert "2 scored answer(s)" in out and "best 83, latest 83 (2 tries)" in out
        assert "went up from 71 to 83" in out
        image = Path(out.split("[image: ")[1].split("]")[0])
        with PILImage.open(image) as picture:
            assert picture.size[0] >= 800 and np.asarray(picture).std() > 10
    finally:
        await app.close()


async def test_questions_come_from_seniors_at_that_company(tmp_path):
    app, _outbox = await open_app(tmp_path, FakeScorer())
    try:
        async with app.database.sessions.begin() as session:
            session.add(Company(name="Zoho", slug="zoho"))
        repos = app.services.repos
        user = await repos.users.ensure_user("console", "senior", "Senior")
        company = await repos.companies.get_or_create("Zoho")
        fields = dict(
            author_name="S",
            branch="CSE",
            roll_number=None,
            passout_year=2024,
            interview_year=2023,
            role="SDE",
            source="on_campus",
            preparation="p" * 30,
            reflections="r" * 30,
            outcome="selected",
            difficulty=3,
            rating=3,
            anonymous=False,
        )
        rounds = [
            {"kind": "technical", "difficulty": 3, "questions": ["Explain how Zoho's CRM could cache data"]}
        ]
        experience = await repos.experiences.create_pending(user, company, "console", fields, rounds)
        await app.services.moderation.decide(experience, None, approve=True)
        student = Console(app, app.config)
        await student.say("/mock zoho sde")
        out = await student.pick("✅ I agree (delete")
        assert "Explain how Zoho's CRM could cache data" in out and "Seniors were asked this at Zoho" in out
        out = await student.pick("⏭ Another question")  # none left from seniors: the built-in bank
        assert "Here is another question" in out and "Zoho's CRM" not in out.split("Here is another")[1]
        assert "general questions" in await student.say("/mock Unknown Corp")
    finally:
        await app.close()


async def test_mock_needs_a_private_chat(tmp_path):
    app, _outbox = await open_app(tmp_path, FakeScorer())
    try:
        student = Console(app, app.config)
        from dataclasses import replace

        event = student.adapter.translate("/mock")
        group = replace(event, chat=ChatRef("console", "group-1", is_private=False))
        replies = await app.handle(group)
        assert "private chat" in replies[0].text
    finally:
        await app.close()


async def test_real_scoring_pool_scores_a_real_clip(tmp_path, clip):
    app, outbox = await open_app(tmp_path, None)
    try:
        student = Console(app, app.config)
        await student.say("/mock")
        await student.pick("✅ I agree (delete")
        await student.say(str(clip))
        await app.mock.drain()
        [(_chat, card)] = outbox.sent
        assert "Your scorecard:" in card.text and "Face in view" in card.text
        [attempt] = await attempts(app)
        assert attempt.status == "done" and attempt.metrics["face_visible_fraction"] > 0.8
    finally:
        await app.close()
