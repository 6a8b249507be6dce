"""The sharing dialog end to end through the console adapter, on SQLite and PostgreSQL."""

from __future__ import annotations

import asyncio

import pytest
from sqlalchemy import select

from storage.models import Company, DialogState, Experience, Round
from tests.console.driver import Console, FakeClock, make_app
from tests.support.drivers import assert_stored_step_by_step, play
from tests.support.share_script import AFTER_COMPANY, UP_TO_COMPANY

pytestmark = pytest.mark.asyncio


async def answer_up_to_company(console: Console) -> None:
    """The shared step-by-step script (tests/support/share_script.py) up to the company question."""
    await play(console, UP_TO_COMPANY)


async def answer_rest(console: Console, company_out: str) -> str:
    """From the company's answer to the review screen, by the shared script."""
    assert "Year of interview" in company_out
    return await play(console, AFTER_COMPANY)


async def stored(app, model):
    async with app.database.sessions() as session:
        return list((await session.scalars(select(model))).all())


async def test_happy_path_stores_pending_experience(tmp_path, database_url):
    app = await make_app(tmp_path, database_url)
    try:
        async with app.database.sessions.begin() as session:
            session.add(Company(name="TCS", slug="tcs"))
        console = Console(app, app.config)
        await answer_up_to_company(console)
        review = await answer_rest(console, await console.say("tcs"))
        assert "Please check your experience" in review
        assert "4. Roll number (private): 21CSE1234" in review
        assert "6. Company: TCS" in review
        assert "Online assessment, 90 min, difficulty 3/5" in review
        done = await console.pick("✅ Submit")
        assert "pending moderation" in done
        await assert_stored_step_by_step(app, "console")
        posts = await console.say("/myposts")
        assert "TCS, SDE (2023): ⏳ pending moderation" in posts
        assert "21CSE1234" not in posts
    finally:
        await app.close()


async def test_unknown_company_did_you_mean_and_new_company(tmp_path, database_url):
    app = await make_app(tmp_path, database_url)
    try:
        async with app.database.sessions.begin() as session:
            session.add(Company(name="Infosys", slug="infosys"))
        console = Console(app, app.config)
        await answer_up_to_company(console)
        out = await console.say("Infosis")
        assert "Did you mean" in out and "Infosys" in console.adapter.choices
        out = await console.pick("Type it again")
        assert "Which company" in out
        out = await console.say("Zerodha Broking")
        assert 'Add "Zerodha Broking" as a new company' in console.adapter.choices
        review = await answer_rest(console, await console.pick("Add"))
        assert "6. Company: Zerodha Broking" in review
        await console.pick("✅ Submit")
        names = {c.name for c in await stored(app, Company)}
        assert names == {"Infosys", "Zerodha Broking"}
    finally:
        await app.close()


async def test_back_shows_old_answer_and_keep(tmp_path, database_url):
    app = await make_app(tmp_path, database_url)
    try:
        console = Console(app, app.config)
        await console.say("/share")
        await console.say("Asha")
        await console.say("skip")
        out = await console.say("/back")
        assert "LinkedIn" in out and "Your previous answer: —" in out
        out = await console.say("/back")
        assert "type your name" in out and "Your previous answer: Asha" in out
        out = await console.pick("Keep previous answer")
        assert "LinkedIn" in out
        out = await console.say("/back")
        out = await console.say("Asha Menon")
        assert "LinkedIn" in out
        await console.say("skip")
        async with app.database.sessions() as session:
            state = (await session.scalars(select(DialogState))).one()
        assert state.step == "branch" and state.answers["name"] == "Asha Menon"
        out = await console.say("/back")
        out = await console.say("/back")
        out = await console.say("/back")
        assert "nothing to go back to" in out
    finally:
        await app.close()


async def test_cancel_ends_cleanly(tmp_path, database_url):
    app = await make_app(tmp_path, database_url)
    try:
        console = Console(app, app.config)
        await console.say("/share")
        await console.say("Asha")
        out = await console.say("/cancel")
        assert "nothing was submitted" in out
        assert await stored(app, DialogState) == []
        out = await console.say("hello")
        assert "/share" in out
        out = await console.say("/cancel")
        assert "nothing to cancel" in out
    finally:
        await app.close()


async def test_edit_field_from_review(tmp_path, database_url):
    app = await make_app(tmp_path, database_url)
    try:
        async with app.database.sessions.begin() as session:
            session.add(Company(name="TCS", slug="tcs"))
        console = Console(app, app.config)
        await answer_up_to_company(console)
        await answer_rest(console, await console.say("TCS"))
        out = await console.pick("✏️ Edit a field")
        assert "Which field" in out
        out = await console.pick("8. Role")
        assert "Which role" in out
        review = await console.say("Digital Engineer")
        assert "8. Role: Digital Engineer" in review and "Please check" in review
        out = await console.say("edit 11")
        assert "first round" in out
        await console.pick("Technical")
        await console.say("45 min")
        await console.say("Design a URL shortener")
        await console.pick("✅ Done with questions")
        await console.pick("4")
        review = await console.pick("✅ Done with rounds")
        assert "Technical, 45 min, difficulty 4/5" in review and "Online assessment" not in review
        await console.pick("✅ Submit")
        [experience] = await stored(app, Experience)
        assert experience.role == "Digital Engineer"
        assert [r.kind for r in await stored(app, Round)] == ["technical"]
    finally:
        await app.close()


async def test_resume_after_restart(tmp_path, database_url):
    app = await make_app(tmp_path, database_url)
    console = Console(app, app.config)
    await console.say("/share")
    await console.say("Asha")
    await console.say("skip")
    await console.pick("ECE")
    await app.close()

    app = await make_app(tmp_path, database_url)
    try:
        console = Console(app, app.config)
        out = await console.say("/share")
        assert "continue where you left off" in out and "Roll number" in out
        out = await console.say("21ECE0042")
        assert "Year of passout" in out
        out = await console.say("/back")
        assert "Your previous answer: 21ECE0042" in out
    finally:
        await app.close()


async def test_idle_dialog_expires(tmp_path, database_url):
    clock = FakeClock()
    app = await make_app(tmp_path, database_url, clock=clock)
    try:
        console = Console(app, app.config)
        await console.say("/share")
        await console.say("Asha")
        clock.advance(hours=23)
        out = await console.say("skip")
        assert "Branch" in out
        clock.advance(hours=24, minutes=1)
        out = await console.pick("CSE")
        assert "expired" in out and "nothing was submitted" in out
        assert await stored(app, DialogState) == []
        out = await console.say("/share")
        assert "type your name" in out
    finally:
        await app.close()


async def test_concurrent_messages_are_handled_in_order(tmp_path, database_url):
    app = await make_app(tmp_path, database_url)
    try:
        console = Console(app, app.config)
        await console.say("/share")
        events = [console.adapter.translate(line) for line in ("Asha", "skip", "IT")]
        results = await asyncio.gather(*(app.handle(event) for event in events))
        texts = [" ".join(reply.text for reply in replies) for replies in results]
        assert "LinkedIn" in texts[0] and "Branch" in texts[1] and "Roll number" in texts[2]
        async with app.database.sessions() as session:
            state = (await session.scalars(select(DialogState))).one()
        assert state.step == "roll_number" and state.answers["branch"] == "IT"
    finally:
        await app.close()
