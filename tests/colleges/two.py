"""Two (three) colleges on one deployment, for the tests of every adapter (issue #15).

`alpha` is the default college (config.yaml `college:`), `beta` shares across and has its own console
and Telegram moderators, `gamma` does not share. Experiences are stored through the repositories so each
test sets up exactly the figures it checks; the adapters' own tests drive sharing and reviewing.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from core.app import App
from storage.models import College, Experience

BETA_MOD_CONSOLE = "beta-moderator"
BETA_MOD_TELEGRAM = 777001
ALPHA_MOD_TELEGRAM = 777002

COLLEGES: dict[str, Any] = {
    "college": {"code": "alpha", "name": "Alpha Institute", "email_domains": ["alpha.edu"]},
    "colleges": [
        {
            "code": "beta",
            "name": "Beta College",
            "email_domains": ["beta.ac.in"],
            "share_across": True,
            "moderators": {"console_user_ids": [BETA_MOD_CONSOLE], "telegram_user_ids": [BETA_MOD_TELEGRAM]},
        },
        {"code": "gamma", "name": "Gamma University"},
    ],
    "moderation": {"console_user_ids": ["console-moderator"], "telegram_user_ids": [ALPHA_MOD_TELEGRAM]},
}


async def college_ids(app: App) -> dict[str, int]:
    """{code: id} of the stored colleges."""
    async with app.database.sessions() as session:
        return {code: cid for cid, code in (await session.execute(select(College.id, College.code))).all()}


def fields(author: str, outcome: str = "selected", difficulty: int = 3, **more: Any) -> dict[str, Any]:
    """The Experience columns of a minimal valid experience."""
    return {
        "author_name": author,
        "branch": "CSE",
        "roll_number": "21CSE1234",
        "passout_year": 2024,
        "interview_year": 2024,
        "role": "SDE",
        "source": "on_campus",
        "preparation": f"{author} prepared with LeetCode and DBMS notes.",
        "reflections": "Think aloud.",
        "outcome": outcome,
        "difficulty": difficulty,
        "rating": 4,
        "anonymous": False,
        **more,
    }


async def add_experience(
    app: App, college: int, company: str, author: str, *, approve: bool = True, **more: Any
) -> int:
    """Store one experience of `college` (pending, or approved as a moderator would); its id."""
    repos = app.services.repos
    user_id = await repos.users.ensure_user("console", f"author-{author}", author)
    company_id = await repos.companies.get_or_create(company)
    rounds = [{"kind": "technical", "duration_minutes": 30, "difficulty": 3, "questions": ["Two Sum"]}]
    experience_id = await repos.experiences.create_pending(
        user_id, company_id, "console", {**fields(author, **more), "college_id": college}, rounds
    )
    if approve:
        assert await app.services.moderation.decide(experience_id, None, approve=True) is not None
    return experience_id


async def status_of(app: App, experience_id: int) -> str:
    """The stored moderation status of an experience."""
    async with app.database.sessions() as session:
        experience = await session.get(Experience, experience_id)
        assert experience is not None
        return experience.status
