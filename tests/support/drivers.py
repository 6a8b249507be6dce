"""Play a platform-neutral script (tests/support/share_script.py) through any adapter's test harness."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any, Protocol

from sqlalchemy import select

from storage.models import DialogState, Experience, Question, Round
from tests.support.share_script import STEP_EXPERIENCE, STEP_QUESTIONS, STEP_ROUNDS


class ScriptDriver(Protocol):
    """One person on one platform: send a command, type an answer, pick a shown choice."""

    async def command(self, name: str) -> str: ...

    async def type(self, text: str) -> str: ...

    async def pick(self, label: str) -> str: ...


async def play(driver: ScriptDriver, script: Iterable[tuple[str, str]]) -> str:
    """Play every (verb, value) line in order; return what the bot answered to the last one."""
    out = ""
    for verb, value in script:
        if verb == "command":
            out = await driver.command(value)
        elif verb == "type":
            out = await driver.type(value)
        elif verb == "pick":
            out = await driver.pick(value)
        else:
            raise ValueError(f"unknown script verb {verb!r}")
    return out


async def assert_stored_step_by_step(app: Any, platform: str) -> Experience:
    """The one experience the step-by-step script stores, checked field by field; the dialog is gone."""
    async with app.database.sessions() as session:
        [experience] = (await session.scalars(select(Experience))).all()
        rounds = sorted((await session.scalars(select(Round))).all(), key=lambda r: r.position)
        questions = sorted(
            (await session.scalars(select(Question))).all(), key=lambda q: (q.round_id, q.position)
        )
        dialogs = (await session.scalars(select(DialogState))).all()
    assert {key: getattr(experience, key) for key in STEP_EXPERIENCE} == STEP_EXPERIENCE
    assert experience.platform == platform
    assert [(r.kind, r.duration_minutes, r.difficulty) for r in rounds] == STEP_ROUNDS
    assert [q.text for q in questions] == STEP_QUESTIONS
    assert dialogs == []
    return experience
