"""The sharing dialog end to end through the console adapter, on SQLite and PostgreSQL."""

from __future__ import annotations

import asyncio

import pytest
from sqlalchemy import select

from storage.models import Company, DialogState, Experience, Question, Round
from tests.console.driver import Console, FakeClock, make_app

pytestmark = pytest.mark.asyncio


async def answer_up_to_company(console: Console) -> None:
    await console.say("/share")
    await console.say("Asha Rao")
    await console.say("https://www.linkedin.com/in/asha-rao")
    await console.pick("CSE")
    await console.say("21cse1234")
    await console.pick("2024")


async def answer_rest(console: Console, company_out: str) -> str:
    assert "Year of interview" in company_out
    await console.pick("2023")
    await console.pick("SDE")
    await console.say("Builds backend services in Java")
    await console.pick("On-campus")
    await console.pick("Online assessment")
    await console.say("90")
    out = await console.say("1. Two Sum\n2. Explain normalization in DBMS")
    assert "Added 2 question(s)" in out
    await console.pick("✅ Done with questions")
    await console.pick("3")
    await console.pick("HR")
    await console.say("skip")
    await console.say("Tell me about yourself")
    await console.pick("✅ Done with questions")
    await console.pick("1 easy")
    await console.pick("✅ Done with rounds")
    await console.say("Solved 200 LeetCode problems and revised DBMS and OS notes.")
    await console.say("Think aloud; interviewers care about your approach more than the final code.")
    await console.pick("Selected")
    await console.pick("3")
    await console.pick("5 great")
    return await console.pick("No, show my name")


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
        [experience] = await stored(app, Experience)
        assert (experience.status, experience.author_name, experience.roll_number) == (
            "pending",
            "Asha Rao",
            "21CSE1234",
        )
        assert experience.linkedin_url == "https://www.linkedin.com/in/asha-rao"
        assert (experience.passout_year, experience.interview_year, experience.branch) == (2024, 2023, "CSE")
        assert (experience.outcome, experience.difficulty, experience.rating, experience.anonymous) == (
            "selected",
            3,
            5,
            False,
        )
        rounds = sorted(await stored(app, Round), key=lambda r: r.position)
        assert [(r.kind, r.duration_minutes, r.difficulty) for r in rounds] == [
            ("online_assessment", 90, 3),
            ("hr", None, 1),
        ]
        questions = sorted(await stored(app, Question), key=lambda q: (q.round_id, q.position))
        assert [q.text for q in questions] == [
            "Two Sum",
            "Explain normalization in DBMS",
            "Tell me about yourself",
        ]
        assert await stored(app, DialogState) == []
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
