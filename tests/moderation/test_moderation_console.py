"""Moderation round trip, reports, helpful votes, reputation and spam limits through the console adapter."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from storage.models import Company, Experience, ModerationLog, User, UserBadge
from tests.console.driver import Console, Outbox, make_app

pytestmark = pytest.mark.asyncio

MODS = {"moderation": {"console_user_ids": ["mod-1"], "reports_to_hide": 2, "max_experiences_per_day": 2}}


@pytest.fixture
async def setup(tmp_path, database_url):
    app = await make_app(tmp_path, database_url, **MODS)
    outbox = Outbox()
    app.register_notifier("console", outbox)
    async with app.database.sessions.begin() as session:
        session.add(Company(name="TCS", slug="tcs"))
    yield app, outbox
    await app.close()


async def submit(
    app, author_id: str, *, anonymous: bool = False, prep: str = "Practised aptitude daily."
) -> int:
    repos = app.services.repos
    user_id = await repos.users.ensure_user("console", author_id, author_id.title())
    company_id = await repos.companies.get_or_create("TCS")
    fields = dict(
        author_name=f"{author_id.title()} Kumar",
        linkedin_url=None,
        branch="CSE",
        roll_number="21CSE0001",
        passout_year=2024,
        interview_year=2023,
        role="SDE",
        role_description="",
        source="on_campus",
        preparation=prep,
        reflections="Be calm and clear.",
        outcome="selected",
        difficulty=3,
        rating=4,
        anonymous=anonymous,
    )
    rounds = [{"kind": "technical", "difficulty": 3, "questions": ["Explain OOP pillars"]}]
    return await repos.experiences.create_pending(user_id, company_id, "console", fields, rounds)


async def status_of(app, experience_id: int) -> Experience:
    async with app.database.sessions() as session:
        return await session.get(Experience, experience_id)


async def test_full_share_notifies_moderators(setup, tmp_path):
    app, outbox = setup
    student = Console(app, app.config, "stu-1", "Asha")
    from tests.console.test_share_dialog import answer_rest, answer_up_to_company

    await answer_up_to_company(student)
    await answer_rest(student, await student.say("TCS"))
    assert "pending moderation" in await student.pick("✅ Submit")
    [alert] = outbox.to("mod-1")
    assert "New experience waiting for review: #1 TCS" in alert and "/review 1" in alert


async def test_non_moderator_cannot_review_or_approve(setup):
    app, _ = setup
    experience_id = await submit(app, "stu-1")
    student = Console(app, app.config, "stu-2", "Ravi")
    assert "only moderators" in await student.say("/review")
    assert "only moderators" in await student.say(f"/review approve {experience_id}")
    assert (await status_of(app, experience_id)).status == "pending"


async def test_approve_publishes_rewards_and_tells_author(setup):
    app, outbox = setup
    experience_id = await submit(app, "stu-1")
    duplicate = await submit(app, "stu-9")
    moderator = Console(app, app.config, "mod-1", "Mod")
    card = await moderator.say("/review")
    assert f"Review #{experience_id}" in card and "roll 21CSE0001" in card and "2 waiting" in card
    assert moderator.adapter.choices == ["✅ Approve", "❌ Reject", "✏️ Edit", "⏭ Next"]
    out = await moderator.say(f"/review {duplicate}")
    assert f"Possible duplicate of #{experience_id} (100% similar)" in out
    out = await moderator.say(f"/review {experience_id}")
    out = await moderator.pick("✅ Approve")
    assert f"Approved #{experience_id}" in out and f"Review #{duplicate}" in out
    experience = await status_of(app, experience_id)
    assert experience.status == "approved" and experience.approved_at is not None
    assert any("is now published" in text for text in outbox.to("stu-1"))
    async with app.database.sessions() as session:
        user = await session.scalar(select(User).where(User.id == experience.user_id))
        assert user.reputation == 10
        assert (await session.scalars(select(UserBadge.badge))).all() == ["first_share"]
        assert (await session.scalar(select(Company.data_version).where(Company.name == "TCS"))) >= 1
        [log] = (await session.scalars(select(ModerationLog))).all()
        assert (log.action, log.target_id) == ("approved", experience_id)
    again = await moderator.say(f"/review approve {experience_id}")
    assert "no longer waiting" in again


async def test_reject_with_reason_reaches_author(setup):
    app, outbox = setup
    experience_id = await submit(app, "stu-1")
    moderator = Console(app, app.config, "mod-1", "Mod")
    await moderator.say(f"/review {experience_id}")
    out = await moderator.pick("❌ Reject")
    assert "Why is it rejected?" in out and "Too little detail" in moderator.adapter.choices
    out = await moderator.say("Please add the questions of each round")
    assert f"Rejected #{experience_id}" in out
    experience = await status_of(app, experience_id)
    assert (experience.status, experience.reject_reason) == (
        "rejected",
        "Please add the questions of each round",
    )
    assert any("Reason: Please add the questions of each round" in t for t in outbox.to("stu-1"))
    student = Console(app, app.config, "stu-1", "Stu")
    assert "not published — reason: Please add the questions" in await student.say("/myposts")


async def test_edit_a_field(setup):
    app, _ = setup
    experience_id = await submit(app, "stu-1")
    moderator = Console(app, app.config, "mod-1", "Mod")
    await moderator.say(f"/review {experience_id}")
    await moderator.pick("✏️ Edit")
    await moderator.pick("Role")
    out = await moderator.say("Assistant System Engineer")
    assert "Saved the change" in out and "Assistant System Engineer" in out
    assert (await status_of(app, experience_id)).role == "Assistant System Engineer"


async def test_reports_hide_a_post_after_threshold(setup):
    app, outbox = setup
    experience_id = await submit(app, "stu-1")
    moderator = Console(app, app.config, "mod-1", "Mod")
    await moderator.say(f"/review approve {experience_id}")
    first = Console(app, app.config, "reader-1", "R1")
    out = await first.say(f"/report {experience_id}")
    assert "What is wrong" in out
    assert "moderators will review" in await first.pick("Spam or advertising")
    assert "already reported" in await first.say(f"/report {experience_id} again")
    assert (await status_of(app, experience_id)).status == "approved"
    second = Console(app, app.config, "reader-2", "R2")
    await second.say(f"/report {experience_id} wrong company")
    assert (await status_of(app, experience_id)).status == "hidden"
    assert any("was hidden after reports" in t for t in outbox.to("mod-1"))
    card = await moderator.say(f"/review {experience_id}")
    assert "hidden after 2 report(s)" in card and "Spam or advertising" in card


async def test_helpful_votes_and_leaderboard_keep_anonymity(setup):
    app, _ = setup
    public_id = await submit(app, "stu-1")
    anon_id = await submit(app, "stu-2", anonymous=True, prep="Different text entirely here.")
    moderator = Console(app, app.config, "mod-1", "Mod")
    await moderator.say(f"/review approve {public_id}")
    await moderator.say(f"/review approve {anon_id}")
    author = Console(app, app.config, "stu-1", "Stu")
    assert "can't vote for your own" in await author.say(f"/helpful {public_id}")
    reader = Console(app, app.config, "reader-1", "Reader")
    assert "1 reader(s) found this helpful" in await reader.say(f"/helpful {anon_id}")
    assert "already marked" in await reader.say(f"/helpful {anon_id}")
    assert "no published experience" in await reader.say("/helpful 999")
    board = await reader.say("/leaderboard")
    assert "1. Anonymous contributor: 12 pts" in board
    assert "2. Stu-1 Kumar: 10 pts" in board
    assert "Stu-2" not in board


async def test_spam_limit_keeps_answers(setup):
    app, _ = setup
    await submit(app, "stu-1")
    await submit(app, "stu-1")
    student = Console(app, app.config, "stu-1", "Stu")
    from tests.console.test_share_dialog import answer_rest, answer_up_to_company

    await answer_up_to_company(student)
    await answer_rest(student, await student.say("TCS"))
    out = await student.pick("✅ Submit")
    assert "2 experiences in the last 24 hours" in out and "Please check your experience" in out


async def test_trusted_contributor_skips_queue(setup):
    app, _ = setup
    repos = app.services.repos
    user_id = await repos.users.ensure_user("console", "stu-1", "Stu")
    async with app.database.sessions.begin() as session:
        (await session.get(User, user_id)).reputation = 40
    student = Console(app, app.config, "stu-1", "Stu")
    from tests.console.test_share_dialog import answer_rest, answer_up_to_company

    await answer_up_to_company(student)
    await answer_rest(student, await student.say("TCS"))
    out = await student.pick("✅ Submit")
    assert "is published" in out and "skip the moderation queue" in out
    async with app.database.sessions() as session:
        assert (await session.scalars(select(Experience.status))).all() == ["approved"]
