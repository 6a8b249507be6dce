"""A student is never stuck on one question: the roll-number question on the console (issue 12)."""

from __future__ import annotations

import pytest

from tests.console.driver import Console, make_app

pytestmark = pytest.mark.asyncio


async def test_two_wrong_roll_numbers_explain_the_form_with_an_example_and_offer_back_and_cancel(
    tmp_path, database_url
):
    app = await make_app(tmp_path, database_url)
    try:
        student = Console(app, app.config, "stu-1", "Asha")
        await student.say("/share")
        await student.say("Asha Rao")
        await student.say("skip")
        await student.pick("CSE")
        once = await student.say("my roll")
        assert "⚠️" in once and "💡" not in once and "Roll number" in once
        twice = await student.say("???")
        assert "💡 Type your college roll number as it is written on your ID card" in twice
        assert "For example: 21CSE1234 or 19K41A0512" in twice
        assert "/back changes your previous answer, /cancel stops (nothing is submitted)" in twice
        assert "Year of passout" in await student.say("21cse1234")  # the example's form is accepted
        cancelled = await student.say("/cancel")
        assert "Cancelled" in cancelled
    finally:
        await app.close()
