"""Fix and resubmit on Discord through discord.py and the fake gateway: the /myposts Fix button."""

from __future__ import annotations

from storage.models import Experience
from tests.discord.conftest import ASHA
from tests.discord.test_share_dialog import Student, app  # noqa: F401  (the app fixture)

FIELDS = {
    "author_name": "Asha Rao",
    "linkedin_url": None,
    "branch": "CSE",
    "roll_number": "21CSE1234",
    "passout_year": 2024,
    "interview_year": 2023,
    "role": "SDE",
    "role_description": "",
    "source": "on_campus",
    "preparation": "Solved 200 LeetCode problems and revised DBMS notes.",
    "reflections": "Think aloud; explain the approach first.",
    "outcome": "selected",
    "difficulty": 3,
    "rating": 4,
    "anonymous": False,
}
ROUNDS = [{"kind": "technical", "duration_minutes": 45, "difficulty": 3, "questions": ["Explain OOP"]}]


async def rejected_post(app) -> int:  # noqa: F811  (app: the App, not the fixture)
    repos = app.services.repos
    user_id = await repos.users.ensure_user("discord", str(ASHA.id), "Asha")
    company_id = await repos.companies.get_or_create("TCS")
    experience_id = await repos.experiences.create_pending(user_id, company_id, "discord", FIELDS, ROUNDS)
    await app.services.moderation.decide(experience_id, None, approve=False, reason="Add the questions")
    return experience_id


async def test_fix_button_opens_the_review_screen_and_resubmits_the_same_post(bots, app):  # noqa: F811
    experience_id = await rejected_post(app)
    student = Student(await bots(app))
    posts = await student.command("myposts")
    assert "reason: Add the questions" in posts
    opened = await student.pick(f"✏️ Fix #{experience_id}")
    assert "A moderator did not publish this: Add the questions." in opened
    assert "8. Role: SDE" in opened and "6. Company: TCS" in opened

    await student.pick("✏️ Edit a field")
    await student.pick("8. Role")
    assert "8. Role: Backend Engineer" in await student.answer("Backend Engineer")
    done = await student.pick("✅ Submit")
    assert "changed: role" in done and "pending moderation" in done
    async with app.database.sessions() as session:
        stored = await session.get(Experience, experience_id)
    assert stored is not None
    assert (stored.status, stored.role, stored.reject_reason) == ("pending", "Backend Engineer", None)
