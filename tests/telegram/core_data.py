"""The real core for Telegram end-to-end tests: a bootstrapped App and experiences stored directly."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from core.app import App, bootstrap
from storage.models import Company
from tests.console.driver import FakeClock
from tests.support.config import test_config

ROUNDS = [
    {"kind": "online_assessment", "duration_minutes": 90, "difficulty": 3, "questions": ["Two Sum"]},
    {"kind": "technical", "duration_minutes": 45, "difficulty": 4, "questions": ["Explain DBMS joins"]},
]


async def make_core(tmp_path, scorer=None, **settings: Any) -> App:
    """A real App on a fresh SQLite file with a fixed clock; `settings` are config.yaml sections."""
    config = test_config(tmp_path, **settings)
    return await bootstrap(
        config, db_url=f"sqlite+aiosqlite:///{tmp_path / 'tg.db'}", clock=FakeClock(), scorer=scorer
    )


async def company(app: App, name: str) -> int:
    """The id of company `name`, created if missing."""
    async with app.database.sessions.begin() as session:
        found = await session.scalar(select(Company.id).where(Company.name == name))
        if found is None:
            row = Company(name=name, slug=name.lower().replace(" ", "-"))
            session.add(row)
            await session.flush()
            found = row.id
    await app.services.companies.refresh()
    return found


async def experience(
    app: App,
    company_name: str,
    *,
    telegram_user: int = 1001,
    author: str = "Asha Rao",
    anonymous: bool = False,
    role: str = "SDE",
    year: int = 2024,
    approve: bool = True,
    roll_number: str = "21CSE1234",
) -> int:
    """Store an experience as the sharing dialog would (pending), and approve it unless told not to."""
    user_id = await app.services.repos.users.ensure_user("telegram", str(telegram_user), author)
    fields = {
        "author_name": author,
        "linkedin_url": None,
        "branch": "CSE",
        "roll_number": roll_number,
        "passout_year": year + 1,
        "interview_year": year,
        "role": role,
        "role_description": "Backend services",
        "source": "on_campus",
        "preparation": "LeetCode & <DBMS> notes",
        "reflections": "Think aloud.",
        "outcome": "selected",
        "difficulty": 3,
        "rating": 4,
        "anonymous": anonymous,
    }
    experience_id = await app.services.repos.experiences.create_pending(
        user_id, await company(app, company_name), "telegram", fields, ROUNDS
    )
    if approve:
        await app.services.moderation.decide(experience_id, None, approve=True)
        await app.services.experience_approved(experience_id)
    return experience_id
