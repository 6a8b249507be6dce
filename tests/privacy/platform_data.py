"""An app with one experience of a platform user, for the /mydata adapter tests."""

from __future__ import annotations

from core.app import bootstrap
from core.config import parse_config

ROLL = "21CSE4321"


async def app_with_experience(tmp_path, platform: str, platform_user_id: str):
    app = await bootstrap(parse_config({}), db_url=f"sqlite+aiosqlite:///{tmp_path}/t.db")
    repos = app.services.repos
    user_id = await repos.users.ensure_user(platform, platform_user_id, "Asha")
    company_id = await repos.companies.get_or_create("TCS")
    fields = dict(
        author_name="Asha Rao",
        linkedin_url=None,
        branch="CSE",
        roll_number=ROLL,
        passout_year=2024,
        interview_year=2023,
        role="SDE",
        role_description="",
        source="on_campus",
        preparation="Practised aptitude daily.",
        reflections="Stay calm.",
        outcome="selected",
        difficulty=3,
        rating=4,
        anonymous=True,
    )
    rounds = [{"kind": "hr", "difficulty": 2, "questions": ["Tell me about yourself"]}]
    await repos.experiences.create_pending(user_id, company_id, platform, fields, rounds)
    return app
