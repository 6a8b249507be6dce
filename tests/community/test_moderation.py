"""Moderating discussions: approve/reject threads, reports hide replies, helpful votes, /solve, /promote."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from storage.models import Faq, ModerationLog, Post, Thread, User
from tests.community.conftest import Env

pytestmark = pytest.mark.asyncio


async def pending_thread(env: Env, user_id: str = "stu-1", name: str = "Asha") -> None:
    student = env.console(user_id, name)
    await student.say("/newthread TCS")
    await student.say("Bond period question")
    await student.say("How long is the service agreement?")
    await student.pick("👤 As")


async def test_non_moderator_cannot_moderate_or_promote(env: Env):
    await pending_thread(env)
    student = env.console("stu-2", "Ravi")
    assert "only moderators" in await student.say("/moderate")
    assert "only moderators" in await student.say("/moderate approve t1")
    assert "only moderators" in await student.say("/promote 1")
    async with env.app.database.sessions() as session:
        assert (await session.scalar(select(Thread.status))) == "pending"


async def test_reject_thread_with_reason_tells_author(env: Env):
    await pending_thread(env)
    moderator = env.console("mod-1", "Mod")
    card = await moderator.say("/moderate")
    assert "Review discussion #1" in card and "by Asha (reputation 0)" in card
    assert "Why is it rejected" in await moderator.pick("❌ Reject")
    out = await moderator.say("Please ask this in the existing bond thread")
    assert "Rejected discussion t1" in out
    assert any("Reason: Please ask this in the existing bond thread" in t for t in env.outbox.to("stu-1"))
    async with env.app.database.sessions() as session:
        assert (await session.scalar(select(Thread.status))) == "rejected"
        [log] = (await session.scalars(select(ModerationLog))).all()
        assert (log.target_type, log.action) == ("thread", "rejected")
    assert "no longer waiting" in await moderator.say("/moderate approve t1")
    assert "No discussions about TCS yet" in await env.console("stu-2", "Ravi").say("/discuss TCS")


async def test_reports_hide_a_reply_until_a_moderator_decides(env: Env):
    [thread_id] = await env.seed_threads(1)
    writer = env.console("stu-1", "Asha")
    await writer.say(f"/reply {thread_id} Buy my course at spam.example")
    async with env.app.database.sessions() as session:
        post_id = await session.scalar(select(func.max(Post.id)))
    first = env.console("stu-2", "Ravi")
    await first.say(f"/thread {thread_id}")
    assert "What is wrong" in await first.pick(f"🚩 {post_id}")
    assert "moderators will review" in await first.pick("Spam or advertising")
    assert "already reported" in await first.say(f"/flag {post_id} still spam")
    assert "Buy my course" in await first.say(f"/thread {thread_id}")  # one report: still shown
    assert "moderators will review" in await env.console("stu-3", "Kiran").say(f"/flag {post_id} advertising")
    out = await first.say(f"/thread {thread_id}")
    assert "Buy my course" not in out and f"[{post_id}] (hidden while moderators review reports)" in out
    [alert] = env.outbox.to("mod-1")
    assert f"/moderate p{post_id}" in alert and "Spam or advertising; advertising" in alert
    moderator = env.console("mod-1", "Mod")
    await moderator.say(f"/moderate p{post_id}")
    await moderator.pick("🗑 Remove")
    assert "Removed reply" in await moderator.say("Advertising is not allowed")
    assert "Buy my course" not in await first.say(f"/thread {thread_id}")
    assert any("was removed. Reason: Advertising" in t for t in env.outbox.to("stu-1"))


async def test_restore_a_reported_reply(env: Env):
    [thread_id] = await env.seed_threads(1)
    await env.console("stu-1", "Asha").say(f"/reply {thread_id} A fair opinion")
    for reporter in ("stu-2", "stu-3"):
        await env.console(reporter, reporter).say("/flag 2 disagree")
    moderator = env.console("mod-1", "Mod")
    await moderator.say("/moderate p2")
    assert "Restored reply p2" in await moderator.pick("✅ Restore")
    assert "A fair opinion" in await env.console("stu-4", "Zoya").say(f"/thread {thread_id}")


async def test_helpful_votes_on_replies_give_reputation(env: Env):
    [thread_id] = await env.seed_threads(1)
    writer = env.console("stu-1", "Asha")
    await writer.say(f"/reply {thread_id} Practise the aptitude mocks")
    reader = env.console("stu-2", "Ravi")
    await reader.say(f"/thread {thread_id}")
    assert "👍 1" not in reader.adapter.choices  # the question itself gets no vote button
    assert "1 reader(s) found reply 2 helpful" in await reader.pick("👍 2")
    assert "already marked" in await reader.say("/upvote 2")
    assert "your own reply" in await writer.say("/upvote 2")
    assert "the question itself" in await reader.say("/upvote 1")
    assert "no visible reply 99" in await reader.say("/upvote 99")
    assert "👍 1" in await reader.say(f"/thread {thread_id}")
    async with env.app.database.sessions() as session:
        author = await env.app.services.repos.users.find_user("console", "stu-1")
        assert (await session.get(User, author)).reputation == 2


async def test_only_author_or_moderator_can_solve(env: Env):
    await env.trusted("stu-1", "Asha")
    author = env.console("stu-1", "Asha")
    await author.say("/ask TCS Is there a bond?")
    other = env.console("stu-2", "Ravi")
    await other.say("/thread 1")
    assert "✅ Mark solved" not in other.adapter.choices
    assert "Only the person who started #1 or a moderator" in await other.say("/solve 1")
    await author.say("/thread 1")
    assert "✅ Mark solved" in author.adapter.choices
    assert "Marked #1" in await author.pick("✅ Mark solved")
    assert "already marked as resolved" in await author.say("/solve 1")
    assert "✅ resolved" in await other.say("/thread 1")
    async with env.app.database.sessions() as session:
        assert (await session.scalar(select(Thread.status))) == "resolved"


async def test_moderator_promotes_resolved_thread_to_faq(env: Env):
    await env.trusted("stu-1", "Asha")
    author = env.console("stu-1", "Asha")
    await author.say("/ask TCS How long is the bond?")
    moderator = env.console("mod-1", "Mod")
    assert "not resolved yet" in await moderator.say("/promote 1")
    await author.say("/solve 1")
    assert "no visible reply" in await moderator.say("/promote 1")
    await env.console("stu-2", "Ravi").say("/reply 1 It was one year for us")
    await env.console("stu-3", "Kiran").say("/reply 1 Two years, with a penalty if you leave early")
    await env.console("stu-4", "Zoya").say("/reply 1 No idea, sorry")
    await env.console("stu-5", "Om").say("/upvote 3")
    out = await moderator.say("/thread 1")
    assert "📌 Promote to FAQ" in moderator.adapter.choices, out
    assert "pinned in the company's FAQ" in await moderator.pick("📌 Promote to FAQ")
    assert "already in the FAQ" in await moderator.say("/promote 1")
    async with env.app.database.sessions() as session:
        [faq] = (await session.scalars(select(Faq))).all()
        assert (faq.question, faq.answer, faq.pinned, faq.source_thread_id) == (
            "How long is the bond?",
            "Two years, with a penalty if you leave early",
            True,
            1,
        )
        assert faq.company_id == await env.company_id("TCS")


async def test_topic_threads_cannot_go_into_a_company_faq(env: Env):
    await env.seed_threads(1, company="", topic="hr")
    moderator = env.console("mod-1", "Mod")
    await moderator.say("/reply 1 Answer")
    await moderator.say("/solve 1")
    assert "topic discussion" in await moderator.say("/promote 1")
