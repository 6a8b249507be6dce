"""Share in one message on the console: a pasted write-up fills the form, the rest takes a few answers."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from storage.models import Company, Experience, Question, Round
from tests.console.driver import Console, make_app
from tests.support import share_script as script

pytestmark = pytest.mark.asyncio


async def stored(app, model):
    async with app.database.sessions() as session:
        return list((await session.scalars(select(model).order_by(model.id))).all())


@pytest.fixture
async def app(tmp_path):
    app = await make_app(tmp_path, f"sqlite+aiosqlite:///{tmp_path}/t.db")
    async with app.database.sessions.begin() as session:
        session.add(Company(name="TCS", slug="tcs"))
    await app.services.companies.refresh()
    yield app
    await app.close()


async def test_pasted_writeup_is_shared_in_six_messages_and_masked(app):
    console = Console(app, app.config)
    messages = 0

    async def say(line: str) -> str:
        nonlocal messages
        messages += 1
        return await console.say(line)

    async def pick(label: str) -> str:
        nonlocal messages
        messages += 1
        return await console.pick(label)

    assert "Paste your whole write-up" in await say("/share")
    out = await say(script.WRITEUP)
    assert "company: TCS" in out and "About you" in out
    out = await say(script.ABOUT)
    assert "anonymously" in out
    out = await pick("Yes, post anonymously")
    assert "rate the experience" in out
    review = await pick("4")
    assert "6. Company: TCS" in review and "8. Role: SDE" in review and "14. Outcome: Selected" in review
    assert "Personal data in your write-up" in review and script.EMAIL in review
    done = await pick("🙈 Mask and submit")
    assert "pending moderation" in done
    assert messages <= script.MAX_MESSAGES

    [row] = await stored(app, Experience)
    assert (row.role, row.interview_year, row.outcome, row.source) == (
        script.ROLE,
        script.INTERVIEW_YEAR,
        script.OUTCOME,
        script.SOURCE,
    )
    assert (row.author_name, row.roll_number, row.branch, row.anonymous) == (
        "Asha Rao",
        "21CSE1234",
        "CSE",
        True,
    )
    assert script.EMAIL not in row.preparation and "[e-mail]" in row.preparation
    rounds = await stored(app, Round)
    assert [r.kind for r in rounds] == script.ROUND_KINDS
    assert all(r.difficulty == 3 for r in rounds)  # "Difficulty: medium" for every round until edited
    questions = [q.text for q in await stored(app, Question)]
    assert all(q in questions for q in script.SOME_QUESTIONS)
    assert not any("Ravi Kumar" in q for q in questions)


async def test_review_fields_stay_editable_after_a_paste(app):
    console = Console(app, app.config)
    await console.say("/share")
    await console.say(script.WRITEUP)
    await console.say(script.ABOUT)
    await console.pick("No, show my name")
    await console.pick("4")
    out = await console.say("edit 8")
    assert "Which role" in out
    review = await console.say("Data Analyst")
    assert "8. Role: Data Analyst" in review and "6. Company: TCS" in review
    out = await console.pick("🙈 Mask it")
    assert "Masked" in out and "Personal data in your write-up" not in out
    assert "[e-mail]" in out
    done = await console.pick("✅ Submit")
    assert "pending moderation" in done
    [row] = await stored(app, Experience)
    assert row.role == "Data Analyst" and not row.anonymous


async def test_missing_fields_are_asked_and_the_about_message_is_checked(app):
    console = Console(app, app.config)
    await console.say("/share")
    text = script.WRITEUP.replace("I was selected! ", "").replace("Difficulty: medium.", "")
    out = await console.say(text)
    assert "About you" in out
    out = await console.say("Asha Rao, CSE")
    assert "I still need your roll number, passout year" in out
    await console.say(script.ABOUT)
    await console.pick("Yes, post anonymously")
    out = await console.pick("Selected")  # the outcome was not in the write-up
    assert "how difficult" in out
    await console.pick("2")
    review = await console.pick("5 great")
    assert "14. Outcome: Selected" in review and "2/5 difficulty" in review


async def test_step_by_step_button_keeps_the_old_path(app):
    console = Console(app, app.config)
    await console.say("/share")
    out = await console.pick("📝 Step by step")
    assert "what is your name?" in out


async def test_a_long_message_outside_a_dialog_is_offered_and_not_lost(app):
    console = Console(app, app.config)
    out = await console.say(script.WRITEUP)
    assert "Share this as your interview experience?" in out
    out = await console.pick("✅ Yes, share it")
    assert "company: TCS" in out and "About you" in out
    short = await Console(app, app.config, user_id="other").say("TCS")
    assert "Share this as your interview experience?" not in short


async def test_a_multi_line_writeup_is_sent_as_a_file_path(app, tmp_path):
    """The console reads one line per message, so a write-up of many lines goes as a .md/.txt path."""
    path = tmp_path / "tcs-notes.md"
    path.write_text(script.WRITEUP, encoding="utf-8")
    console = Console(app, app.config, "stu-9", "Asha")
    await console.say("/share")
    out = await console.say(str(path))
    assert "I read your write-up" in out and "company: TCS" in out
    assert "About you" in out


async def test_the_personal_data_warning_follows_the_fields_as_edited(app):
    """The review warns only about personal data still in the answers: after the field holding the
    e-mail is retyped, the warning and its Mask buttons are gone."""
    console = Console(app, app.config)
    await console.say("/share")
    await console.say(script.WRITEUP)
    await console.say(script.ABOUT)
    await console.pick("No, show my name")
    review = await console.pick("4")
    assert script.EMAIL in review and "🙈 Mask it" in console.adapter.choices
    assert "How did you prepare?" in await console.say("edit 12")  # preparation, where the e-mail was
    edited = await console.say("Solved 200 LeetCode problems over three months and revised my notes.")
    assert "12. Preparation: Solved 200 LeetCode problems over three months" in edited
    assert script.EMAIL not in edited and "Personal data in your write-up" not in edited
    assert "🙈 Mask it" not in console.adapter.choices


async def test_after_a_paste_the_header_counts_questions_left_and_a_new_company_skips_the_year(app):
    """The gaps of a write-up are asked out of section order: the header counts down instead of jumping
    "16/16" then "6/16", and confirming a company the bot does not know goes on to the next gap, not to
    the year the write-up already gave."""
    console = Console(app, app.config)
    await console.say("/share")
    text = script.WRITEUP.replace("TCS", "Zeta Robotics").replace("Difficulty: medium.", "")
    out = await console.say(text)
    assert "About you" in out and "/16" not in out
    out = await console.say(script.ABOUT)
    assert "Anonymity · 4 questions left" in out and "16/16" not in out
    out = await console.pick("Yes, post anonymously")
    assert "Company · 3 questions left" in out and 'Add "Zeta Robotics"' in out
    out = await console.pick('Add "Zeta Robotics" as a new company')
    assert "Which year" not in out
    assert "Difficulty and rating · 2 questions left" in out and "how difficult" in out
    await console.pick("2")
    out = await console.pick("4")
    assert "7. Year of interview: " + str(script.INTERVIEW_YEAR) in out and "6. Company: Zeta Robotics" in out
    out = await console.say("edit 8")
    assert "8/16 · Role" in out  # an edit from the review screen keeps the numbered header
