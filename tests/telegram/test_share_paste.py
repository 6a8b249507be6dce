"""Share in one message on Telegram (real PTB against the fake Bot API): a write-up, or a .txt document."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from sqlalchemy import select

from core.app import bootstrap
from core.config import parse_config
from storage.models import Company, Experience, Question, Round
from tests.support import share_script as script
from tests.telegram.conftest import Harness, start_adapter, texts

NOW = datetime(2026, 11, 25, 12, 0, tzinfo=UTC)
USER = 1001


@pytest.fixture
async def core(tmp_path):
    app = await bootstrap(parse_config({}), db_url=f"sqlite+aiosqlite:///{tmp_path}/t.db", clock=lambda: NOW)
    async with app.database.sessions.begin() as session:
        session.add(Company(name="TCS", slug="tcs"))
    await app.services.companies.refresh()
    yield app
    await app.close()


@pytest.fixture
async def tg(core, fake):
    adapter = await start_adapter(core, fake)
    yield Harness(fake, adapter)
    await adapter.stop()


async def stored(app, model):
    async with app.database.sessions() as session:
        return list((await session.scalars(select(model).order_by(model.id))).all())


async def check_stored(core) -> None:
    [row] = await stored(core, Experience)
    assert (row.status, row.platform, row.role, row.outcome, row.interview_year) == (
        "pending",
        "telegram",
        script.ROLE,
        script.OUTCOME,
        script.INTERVIEW_YEAR,
    )
    assert script.EMAIL not in row.preparation
    assert [r.kind for r in await stored(core, Round)] == script.ROUND_KINDS
    questions = [q.text for q in await stored(core, Question)]
    assert all(q in questions for q in script.SOME_QUESTIONS)


async def finish(tg: Harness) -> int:
    """About you, anonymity, rating, mask and submit: the four answers after the write-up."""
    await tg.say(script.ABOUT)
    await tg.press("Yes, post anonymously")
    review = await tg.press("4")
    assert "Personal data in your write-up" in texts(review) and "TCS" in texts(review)
    done = await tg.press("🙈 Mask and submit")
    assert "pending moderation" in texts(done)
    return 4


async def test_pasted_writeup_takes_six_messages_or_presses(tg, core):
    assert "Paste your whole write-up" in texts(await tg.say("/share"))
    filled = await tg.say(script.WRITEUP)
    assert "company: TCS" in texts(filled) and "About you" in texts(filled)
    messages = 2 + await finish(tg)
    assert messages <= script.MAX_MESSAGES
    await check_stored(core)


async def test_txt_document_is_read_as_the_writeup(tg, core):
    data = script.WRITEUP.encode()
    tg.fake.add_file("txt1", data)
    await tg.say("/share")
    filled = await tg.send_media(
        document={
            "file_id": "txt1",
            "file_unique_id": "t1",
            "file_name": "interview.txt",
            "mime_type": "text/plain",
            "file_size": len(data),
        }
    )
    assert "company: TCS" in texts(filled)
    await finish(tg)
    await check_stored(core)


async def test_a_pdf_at_the_write_up_question_gets_a_friendly_answer(tg, core):
    tg.fake.add_file("pdf1", b"%PDF-1.4 hello")
    await tg.say("/share")
    sent = await tg.send_media(
        document={"file_id": "pdf1", "file_unique_id": "p1", "file_name": "cv.pdf", "file_size": 14}
    )
    assert ".txt or .md file" in texts(sent)
    assert await stored(core, Experience) == []


async def test_txt_document_outside_a_dialog_is_offered(tg, core):
    data = script.WRITEUP.encode()
    tg.fake.add_file("txt2", data)
    sent = await tg.send_media(
        document={
            "file_id": "txt2",
            "file_unique_id": "t2",
            "file_name": "my-interview.md",
            "file_size": len(data),
        }
    )
    assert "Share this as your interview experience?" in texts(sent)
    filled = await tg.press("✅ Yes, share it")
    assert "company: TCS" in texts(filled)
