"""Mock interviews on Telegram: consent button, video note / video via getFile, pushed scorecard."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from storage.models import MockAttempt
from tests.media_video import clips as C
from tests.mock.test_mock_console import FakeScorer
from tests.telegram.conftest import Harness, start_adapter, texts
from tests.telegram.core_data import make_core
from tests.telegram.fake_bot_api import MAX_CAPTION

USER = 1001
MB = 1024 * 1024


@pytest.fixture(scope="module")
def clip_bytes(tmp_path_factory) -> bytes:
    """A real 2-second H.264 MP4 of a face (made once for the module)."""
    face = C.place(C.grace())
    path = C.write_clip(tmp_path_factory.mktemp("clip") / "answer.mp4", lambda t, i: face, 3.0)
    return path.read_bytes()


async def attempts(app) -> list[MockAttempt]:
    async with app.database.sessions() as session:
        return list((await session.scalars(select(MockAttempt).order_by(MockAttempt.id))).all())


def video_note(file_id: str, size: int) -> dict:
    return {
        "file_id": file_id,
        "file_unique_id": file_id + "u",
        "length": 320,
        "duration": 2,
        "file_size": size,
    }


def video(file_id: str, size: int, name: str = "answer.mp4") -> dict:
    return {
        "file_id": file_id,
        "file_unique_id": file_id + "u",
        "width": 320,
        "height": 320,
        "duration": 2,
        "file_name": name,
        "mime_type": "video/mp4",
        "file_size": size,
    }


async def consent(tg: Harness) -> None:
    """/mock in the private chat, then the consent button: the question arrives."""
    out = await tg.say("/mock")
    assert "what I measure" in texts(out)
    out = await tg.press("✅ I agree (delete")
    assert "Question:" in texts(out) and "video note" in texts(out)


def scorecard_push(tg: Harness, before: int) -> tuple[dict, dict]:
    """The scorecard text message and the photo pushed to the student after scoring."""
    pushed = [m for m in tg.fake.sent[before:] if m["chat"]["id"] == USER]
    [text] = [m for m in pushed if (m.get("text") or "").startswith("Your scorecard")]
    [photo] = [m for m in pushed if "photo" in m]
    return text, photo


@pytest.fixture
async def fake_scored(tmp_path, fake):
    app = await make_core(tmp_path, scorer=FakeScorer())
    adapter = await start_adapter(app, fake)
    harness = Harness(fake, adapter)
    harness.app = app
    yield harness
    await adapter.stop()
    await app.close()


async def test_video_note_then_video_are_fetched_scored_and_pushed(fake_scored, clip_bytes, tmp_path):
    tg = fake_scored
    await consent(tg)
    tg.fake.add_file("note1", clip_bytes)
    before = len(tg.fake.sent)
    out = await tg.send_media(video_note=video_note("note1", len(clip_bytes)))
    assert "Scoring your answer" in texts(out)
    assert "🔁 Retry this question" in tg.buttons(USER)
    [get_file] = tg.fake.calls_to("getFile")
    assert get_file.params["file_id"] == "note1"
    assert [c.params["path"] for c in tg.fake.calls_to("download")] == ["files/note1"]
    await tg.app.mock.drain()
    text, photo = scorecard_push(tg, before)
    assert "Your scorecard: 71/100" in text["text"] and "Looking at the camera: 60" in text["text"]
    assert 0 < len(photo["caption"]) <= MAX_CAPTION and "work on: Lighting (40)" in photo["caption"]
    assert photo["reply_markup"]["inline_keyboard"][0][0]["text"] == "📈 My progress"
    [attempt] = await attempts(tg.app)
    assert (attempt.status, attempt.overall) == ("done", 71)
    assert not any((tmp_path / "mock" / "incoming").iterdir())  # deleted after scoring

    await tg.press("🔁 Retry this question")
    tg.fake.add_file("vid1", clip_bytes)
    before = len(tg.fake.sent)
    out = await tg.send_media(video=video("vid1", len(clip_bytes)), caption="my second try")
    assert "Scoring your answer" in texts(out)
    assert [c.params["file_id"] for c in tg.fake.calls_to("getFile")] == ["note1", "vid1"]
    await tg.app.mock.drain()
    scorecard_push(tg, before)
    assert [a.status for a in await attempts(tg.app)] == ["done", "done"]


async def test_video_over_20_mb_gets_one_clear_message_and_no_download(fake_scored):
    tg = fake_scored
    await consent(tg)
    tg.fake.add_file("huge", size=21 * MB)
    out = await tg.send_media(video=video("huge", 21 * MB))
    assert len(out) == 1 and "20 MB" in texts(out) and "21.0 MB" in texts(out)
    assert tg.fake.calls_to("getFile") == [] and tg.fake.calls_to("download") == []
    assert await attempts(tg.app) == []


async def test_a_document_that_is_not_a_video_is_refused_before_download(fake_scored):
    tg = fake_scored
    await consent(tg)
    tg.fake.add_file("cv", b"%PDF-1.4 resume")
    document = {
        "file_id": "cv",
        "file_unique_id": "cvu",
        "file_name": "resume.pdf",
        "mime_type": "application/pdf",
        "file_size": 15,
    }
    out = await tg.send_media(document=document)
    assert "Please send a video" in texts(out)
    assert tg.fake.calls_to("getFile") == []
    assert await attempts(tg.app) == []
    assert "⏭ Another question" in tg.buttons(USER)  # still waiting for the answer


async def test_real_scorer_end_to_end(tmp_path, fake, clip_bytes):
    app = await make_core(tmp_path, scorer=None)  # the real process-pool scorer
    adapter = await start_adapter(app, fake)
    tg = Harness(fake, adapter)
    try:
        await consent(tg)
        fake.add_file("note1", clip_bytes)
        before = len(fake.sent)
        out = await tg.send_media(video_note=video_note("note1", len(clip_bytes)))
        assert "Scoring your answer" in texts(out)
        await app.mock.drain()
        text, photo = scorecard_push(tg, before)
        assert "Face in view" in text["text"]
        assert 0 < len(photo["caption"]) <= MAX_CAPTION and photo["caption"].startswith("Overall ")
        [attempt] = await attempts(app)
        assert attempt.status == "done" and 0 <= attempt.overall <= 100
        assert attempt.metrics["face_visible_fraction"] > 0.8  # Grace Hopper is in view the whole time
    finally:
        await adapter.stop()
        await app.close()
