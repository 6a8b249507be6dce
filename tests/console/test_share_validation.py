"""Every answer of the sharing dialog is validated with a message that says what is expected."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from storage.models import DialogState
from tests.console.driver import Console, make_app

pytestmark = pytest.mark.asyncio


@pytest.fixture
async def console(tmp_path):
    app = await make_app(tmp_path, f"sqlite+aiosqlite:///{tmp_path / 'v.db'}")
    yield Console(app, app.config)
    await app.close()


async def step_of(console: Console) -> str:
    async with console.adapter._app.database.sessions() as session:
        return (await session.scalars(select(DialogState.step))).one()


async def test_name_rules(console):
    await console.say("/share")
    assert await console.say("   ") == ""  # a blank line in a terminal is not a message
    assert "81 characters; please keep it under 80" in await console.say("x" * 81)
    assert "at least one letter" in await console.say("12345")
    assert "LinkedIn" in await console.say("Ravi")


async def test_linkedin_rules(console):
    await console.say("/share")
    await console.say("Ravi")
    out = await console.say("https://twitter.com/ravi")
    assert "https://www.linkedin.com/in/your-name" in out and await step_of(console) == "linkedin"
    out = await console.say("www.linkedin.com/company/acme")
    assert "doesn't look like a LinkedIn profile" in out
    assert "Branch" in await console.say("linkedin.com/in/ravi-k/")


async def test_branch_and_roll_number_rules(console):
    await console.say("/share")
    await console.say("Ravi")
    await console.say("skip")
    out = await console.say("Astrophysics")
    assert "Please pick one of the options: CSE, IT" in out
    assert "Roll number" in await console.say("ece")  # a typed label works too
    out = await console.say("ABC")
    assert "Roll numbers look like 21CSE1234" in out and "never shown publicly" in out
    assert "Year of passout" in await console.say("21 ece 0042")


async def reach_company(console: Console, passout: str = "2024") -> None:
    await console.say("/share")
    await console.say("Ravi")
    await console.say("skip")
    await console.pick("CSE")
    await console.say("21CSE0042")
    await console.pick(passout)


async def test_passout_and_company_rules(console):
    await console.say("/share")
    await console.say("Ravi")
    await console.say("skip")
    await console.pick("CSE")
    await console.say("21CSE0042")
    assert "Please pick one of the options" in await console.say("1999")
    assert "Company" in await console.say("2025")
    assert "at least one letter or digit" in await console.say("!!!")
    assert "1 to 120 characters" in await console.say("A" * 121)


async def test_interview_year_never_future_nor_after_passout_plus_five(console):
    await reach_company(console, passout="2018")
    await console.say("Acme Widgets")
    await console.pick("Add")
    choices = [int(label) for label in console.adapter.choices]
    assert max(choices) == 2023 and min(choices) == 2014  # passout + 5, back to passout - 4
    assert "Please pick one" in await console.say("2024")
    await console.say("/back")
    await console.say("/back")
    await console.say("/back")
    await console.pick("2027")  # passout in the future: interviews up to this year only
    await console.say("Acme Widgets")
    await console.pick("Add")
    assert max(int(label) for label in console.adapter.choices) == 2026
    assert "Please pick one" in await console.say("2027")


async def test_role_rounds_and_narrative_rules(console):
    await reach_company(console)
    await console.say("Acme")
    await console.pick("Add")
    await console.pick("2024")
    assert "2 to 80 characters" in await console.say("X")
    await console.say("SDE")
    out = await console.say("y" * 3001)
    assert (
        "3,001 characters; please keep it under 3,000" in out and await step_of(console) == "role_description"
    )
    await console.say("skip")
    await console.pick("Referral")
    out = await console.say("hello")
    assert "Please pick one of the options: Online assessment" in out
    await console.pick("Coding")
    assert "duration in minutes" in await console.say("forever")
    assert "duration in minutes" in await console.say("0")
    await console.say("1h 30m")
    assert "Add at least one question" in await console.say("done")
    await console.say("- Two Sum")
    await console.pick("✅ Done with questions")
    await console.pick("2")
    await console.pick("✅ Done with rounds")
    assert "at least a sentence" in await console.say("LeetCode")
    await console.say("Solved the Striver sheet over two months.")
    await console.say("Practise explaining your code out loud.")
    assert "Please pick one of the options: Selected" in await console.say("maybe")
    await console.pick("Rejected")
    assert "Please pick one" in await console.say("7")
    await console.say("4")
    await console.say("2")
    assert "Please pick one" in await console.say("perhaps")
    review = await console.pick("Yes, post anonymously")
    assert "11. Rounds:" in review and "Coding, 90 min, difficulty 2/5" in review
    assert "Press Submit" in await console.say("publish it")
    assert "There is no field 42" in await console.say("edit 42")


async def test_questions_round_limit_and_stale_button(tmp_path):
    app = await make_app(
        tmp_path, f"sqlite+aiosqlite:///{tmp_path / 'q.db'}", submission={"max_questions_per_round": 3}
    )
    try:
        console = Console(app, app.config)
        await reach_company(console)
        await console.say("Acme")
        stale = console.adapter.translate(str(console.number_of("Add")))
        await console.pick("Add")
        replies = await app.handle(stale)
        assert "expired" in replies[0].text and "Year of interview" in replies[1].text
        await console.pick("2024")
        await console.say("SDE")
        await console.say("skip")
        await console.pick("On-campus")
        await console.pick("Technical")
        await console.say("skip")
        out = await console.say("a\nb\nc\nd")
        assert "up to 3 questions; you can add 3 more" in out
        assert "Added 3 question(s)" in await console.say("a\nb\nc")
        assert "you can add 0 more" in await console.say("e")
    finally:
        await app.close()


async def test_button_from_a_finished_dialog_is_expired(console):
    await console.say("/share")
    event = console.adapter.translate("x")
    await console.say("/cancel")
    from dataclasses import replace

    replies = await console.adapter._app.handle(replace(event, kind="action", action="d1z.0"))
    assert "expired" in replies[0].text
    replies = await console.adapter._app.handle(replace(event, kind="action", action="forged-token"))
    assert "expired" in replies[0].text


@pytest.mark.parametrize(
    "roll", ["19K41A0512", "21CSE1234", "210022", "2021UCS1234", "RA2011003010123", "21 cse 1234"]
)
async def test_roll_numbers_as_indian_colleges_write_them(console, roll):
    await console.say("/share")
    await console.say("Ravi")
    await console.say("skip")
    await console.pick("CSE")
    assert "Year of passout" in await console.say(roll)


@pytest.mark.parametrize("roll", ["ABC", "2024", "9876543210", "12LPA"])
async def test_things_that_are_not_roll_numbers_are_refused(console, roll):
    await console.say("/share")
    await console.say("Ravi")
    await console.say("skip")
    await console.pick("CSE")
    out = await console.say(roll)
    assert "Roll numbers look like" in out and "19K41A0512" in out and "Year of passout" not in out


async def test_a_college_can_still_set_its_own_roll_number_pattern():
    from core.config import parse_config
    from core.domain.experience import Invalid, validate_roll

    own = parse_config(
        {"submission": {"roll_number_pattern": "^IIT[0-9]{4}$", "roll_number_example": "IIT1234"}}
    ).submission
    assert validate_roll("iit 0042", own) == "IIT0042"
    with pytest.raises(Invalid, match="look like IIT1234"):
        validate_roll("21CSE1234", own)
