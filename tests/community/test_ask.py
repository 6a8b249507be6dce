"""/ask reaches only opted-in seniors with an approved experience there, never named to the asker."""

from __future__ import annotations

import pytest
from sqlalchemy import select, update

from storage.models import Experience, Thread, User
from tests.community.conftest import Env

pytestmark = pytest.mark.asyncio


async def shared(
    env: Env, user_id: str, name: str, company: str, status: str = "approved", platform="console"
):
    """A senior with an experience at `company` in the given moderation status."""
    repos = env.app.services.repos
    internal = await repos.users.ensure_user(platform, user_id, name)
    fields = dict(
        author_name=name,
        linkedin_url=None,
        branch="CSE",
        roll_number="21CSE0042",
        passout_year=2024,
        interview_year=2023,
        role="SDE",
        role_description="",
        source="on_campus",
        preparation="Aptitude every day.",
        reflections="Stay calm.",
        outcome="selected",
        difficulty=3,
        rating=4,
        anonymous=False,
    )
    experience_id = await repos.experiences.create_pending(
        internal, await env.company_id(company), platform, fields, []
    )
    async with env.app.database.sessions.begin() as session:
        await session.execute(update(Experience).where(Experience.id == experience_id).values(status=status))
    return internal


async def test_askme_opt_in_and_out(env: Env):
    senior = env.console("sen-1", "Meera")
    assert "Questions from juniors are off for you" in await senior.say("/askme")
    assert "I'll send you the question privately" in await senior.say("/askme on")
    assert "Questions from juniors are on for you" in await senior.say("/askme")
    assert "won't get juniors' questions" in await senior.say("/askme off")
    async with env.app.database.sessions() as session:
        assert (await session.scalar(select(User.ask_me_opt_in))) is False


async def test_ask_notifies_only_opted_in_seniors_of_that_company(env: Env):
    await shared(env, "sen-tcs-in", "Meera", "TCS")
    await shared(env, "sen-tcs-out", "Arjun", "TCS")  # shared but did not opt in
    await shared(env, "sen-infy-in", "Lata", "Infosys")  # opted in, other company
    await shared(env, "sen-pending", "Dev", "TCS", status="pending")  # not approved yet
    await shared(env, "sen-tg", "Sara", "TCS", platform="telegram")  # reached on Telegram
    for user_id in ("sen-tcs-in", "sen-infy-in", "sen-pending"):
        await env.console(user_id, "x").say("/askme on")
    tg_user = await env.app.services.repos.users.find_user("telegram", "sen-tg")
    async with env.app.database.sessions.begin() as session:
        await session.execute(update(User).where(User.id == tg_user).values(ask_me_opt_in=True))
    await env.trusted("junior", "Nikhil")
    asker = env.console("junior", "Nikhil")
    out = await asker.say("/ask tcs What is the bond period these days?")
    assert "Started discussion #1 (TCS)" in out
    assert "Seniors who shared a TCS experience and opted in" in out
    for name in ("Meera", "Arjun", "Lata", "Dev", "Sara", "sen-"):
        assert name not in out
    told = {chat.id for chat, reply in env.outbox.sent if "A junior asks about" in reply.text}
    assert told == {"sen-tcs-in", "sen-tg"}
    [note] = env.outbox.to("sen-tcs-in")
    assert "What is the bond period these days?" in note and "from Nikhil" in note and "/reply 1" in note
    async with env.app.database.sessions() as session:
        thread = await session.scalar(select(Thread))
        assert (thread.topic, thread.title) == ("question", "What is the bond period these days?")


async def test_anonymous_question_hides_the_asker_from_seniors(env: Env):
    await shared(env, "sen-1", "Meera", "TCS")
    await env.console("sen-1", "Meera").say("/askme on")
    await env.trusted("junior", "Nikhil Hidden")
    asker = env.console("junior", "Nikhil Hidden")
    await asker.say("/ask anon TCS Is the NQT score used for the role?")
    [note] = env.outbox.to("sen-1")
    assert "from Anonymous" in note and "Nikhil" not in note
    assert "Nikhil" not in await env.console("sen-1", "Meera").say("/thread 1")


async def test_question_from_new_member_notifies_after_approval(env: Env):
    await shared(env, "sen-1", "Meera", "TCS")
    await env.console("sen-1", "Meera").say("/askme on")
    asker = env.console("junior", "Nikhil")
    out = await asker.say("/ask TCS Does TCS Digital have a separate interview?")
    assert "waiting for a moderator" in out and "once it is public" in out
    assert env.outbox.to("sen-1") == []
    moderator = env.console("mod-1", "Mod")
    await moderator.say("/moderate t1")
    assert "Approved discussion t1" in await moderator.pick("✅ Approve")
    assert any("A junior asks about **TCS**" in text for text in env.outbox.to("sen-1"))
    assert any("is now public" in text for text in env.outbox.to("junior"))


async def test_ask_without_a_known_company_or_question(env: Env):
    asker = env.console("junior", "Nikhil")
    out = await asker.say("/ask Infosis how many rounds?")
    assert "couldn't find the company" in out and "Infosys" in out
    assert "Ask like this" in await asker.say("/ask")
    out = await asker.say("/ask Infosys")
    assert "What do you want to ask seniors who interviewed at Infosys?" in out
