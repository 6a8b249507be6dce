"""Discussions through the console adapter: listing and paging, opening, replying, starting, anonymity."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from storage.models import Post, Thread
from tests.community.conftest import Env

pytestmark = pytest.mark.asyncio


async def test_empty_list_offers_a_new_thread(env: Env):
    student = env.console("stu-1", "Asha")
    out = await student.say("/discuss TCS")
    assert "No discussions about TCS yet" in out
    assert student.adapter.choices == ["➕ New thread"]


async def test_paging_newest_activity_first_and_edges(env: Env):
    ids = await env.seed_threads(12)
    student = env.console("stu-1", "Asha")
    out = await student.say("/discuss tcs")
    assert "page 1 of 3; 12 in all" in out
    shown = [line.split()[0] for line in out.splitlines() if line.startswith("#")]
    assert shown == [f"#{i}" for i in reversed(ids[-5:])]
    assert "◀ Prev" not in student.adapter.choices and "Next ▶" in student.adapter.choices
    out = await student.pick("Next ▶")
    assert "page 2 of 3" in out and f"#{ids[6]} " in out and f"#{ids[7]} " not in out
    out = await student.pick("Next ▶")
    assert "page 3 of 3" in out
    assert [line.split()[0] for line in out.splitlines() if line.startswith("#")] == [
        f"#{ids[1]}",
        f"#{ids[0]}",
    ]
    assert "Next ▶" not in student.adapter.choices and "◀ Prev" in student.adapter.choices
    out = await student.pick("◀ Prev")
    assert "page 2 of 3" in out
    # A page past the end (an old button after threads were hidden) shows the last page, not an error.
    out = await student.say(f"/discuss @c{await env.company_id('TCS')} 99")
    assert "page 3 of 3" in out


async def test_reply_moves_thread_to_the_top(env: Env):
    ids = await env.seed_threads(6)
    await env.trusted("stu-1", "Asha")
    student = env.console("stu-1", "Asha")
    env.clock.advance(minutes=5)
    assert f"Replied in #{ids[0]}" in await student.say(f"/reply {ids[0]} Still relevant in 2026?")
    out = await student.say("/discuss TCS")
    first = next(line for line in out.splitlines() if line.startswith("#"))
    assert first.startswith(f"#{ids[0]} ") and "1 reply" in first


async def test_topics_are_free_tags(env: Env):
    await env.seed_threads(2, company="", topic="system-design")
    student = env.console("stu-1", "Asha")
    out = await student.say("/discuss System Design")
    assert "Discussions: #system-design" in out and "Seeded thread 02" in out
    out = await student.say("/discuss hr")
    assert "No discussions about #hr yet" in out


async def test_misspelt_company_offers_choices(env: Env):
    student = env.console("stu-1", "Asha")
    out = await student.say("/discuss Infosy")
    assert "Did you mean" in out and "🏢 Infosys" in student.adapter.choices
    out = await student.pick("🏢 Infosys")
    assert "No discussions about Infosys yet" in out


async def test_new_thread_dialog_from_trusted_user_is_public(env: Env):
    await env.trusted("stu-1", "Asha")
    student = env.console("stu-1", "Asha")
    await student.say("/discuss TCS")
    assert "short title" in await student.pick("➕ New thread")
    assert "at least 5 characters" in await student.say("Hi")
    await student.say("NQT coding round tips")
    await student.say("Which topics came up in the coding round this year?")
    out = await student.pick("👤 As Asha")
    assert "Started discussion #1 (TCS) as Asha" in out
    out = await student.say("/thread 1")
    assert "NQT coding round tips" in out and "Asha, 25 Nov" in out
    async with env.app.database.sessions() as session:
        thread = await session.scalar(select(Thread))
        assert (thread.status, thread.anonymous, thread.title) == ("open", False, "NQT coding round tips")
    assert env.outbox.to("mod-1") == []  # trusted users skip the queue


async def test_open_pages_posts_and_reply_dialog(env: Env):
    [thread_id] = await env.seed_threads(1)
    await env.trusted("stu-1", "Asha")
    student, other = env.console("stu-1", "Asha"), env.console("stu-3", "Kiran")
    for number in range(1, 7):  # two people, to stay under the spam limit
        await (student if number % 2 else other).say(f"/reply {thread_id} Answer number {number}")
    out = await student.say(f"/thread {thread_id}")
    assert "Posts 1–5 of 7" in out and "Body 1" in out and "Answer number 4" in out
    assert "Answer number 5" not in out
    out = await student.pick("Newer ▶")
    assert "Posts 6–7 of 7" in out and "Answer number 6" in out
    await student.pick("💬 Reply")
    await student.say("A reply typed in the dialog")
    out = await student.pick("🕶 Anonymously")
    assert f"Replied in #{thread_id}" in out
    out = await student.say(f"/thread {thread_id} 2")
    assert "Anonymous, 25 Nov:\nA reply typed in the dialog" in out
    assert "no discussion #999" in (await student.say("/thread 999")).lower()
    assert "Tell me which discussion" in await student.say("/thread abc")
    assert "no open discussion #999" in await student.say("/reply 999 hello")


async def test_anonymous_thread_never_reveals_its_author(env: Env):
    await env.trusted("stu-anon", "Priya Secret")
    await env.trusted("stu-2", "Ravi")
    author = env.console("stu-anon", "Priya Secret")
    await author.say("/newthread dsa")
    await author.say("Graphs for product companies")
    await author.say("How deep do they go into graph algorithms?")
    assert "anonymously" in await author.pick("🕶 Anonymously")
    reader = env.console("stu-2", "Ravi")
    outputs = [await reader.say("/discuss dsa"), await reader.say("/thread 1")]
    await reader.say("/reply 1 Mostly BFS and Dijkstra.")
    outputs.append(await author.say("/thread 1"))
    outputs.append(env.outbox.everything())  # the reply notification to the (anonymous) author
    assert any("New reply in your discussion #1" in text for text in env.outbox.to("stu-anon"))
    for text in outputs:
        assert "Priya" not in text and "stu-anon" not in text
    assert "Anonymous" in outputs[0] and "Started by Anonymous" in outputs[1]
    async with env.app.database.sessions() as session:
        assert (await session.scalar(select(Post.anonymous).where(Post.thread_id == 1).limit(1))) is True


async def test_thread_from_new_member_waits_and_stays_hidden(env: Env):
    student = env.console("stu-1", "Asha")
    await student.say("/newthread TCS")
    await student.say("Bond period question")
    await student.say("How long is the service agreement?")
    out = await student.pick("👤 As Asha")
    assert "waiting for a moderator" in out
    [alert] = env.outbox.to("mod-1")
    assert "A new discussion waits for review: /moderate t1" in alert and "Bond period question" in alert
    other = env.console("stu-2", "Ravi")
    assert "No discussions about TCS yet" in await other.say("/discuss TCS")
    assert "There is no discussion #1" in await other.say("/thread 1")
    assert "waiting for a moderator" in await student.say("/thread 1")  # its author can see it


async def test_spam_limit_has_a_clear_message(env: Env):
    [thread_id] = await env.seed_threads(1)
    student = env.console("stu-1", "Asha")
    for number in range(6):
        assert "Replied" in await student.say(f"/reply {thread_id} message {number}")
    out = await student.say(f"/reply {thread_id} one too many")
    assert "limit is 6 an hour" in out and "nothing was posted" in out
    assert "limit is 6 an hour" in await student.say("/newthread TCS")
    env.clock.advance(hours=1, minutes=1)
    assert "Replied" in await student.say(f"/reply {thread_id} after a break")
    async with env.app.database.sessions() as session:
        bodies = (await session.scalars(select(Post.body).where(Post.thread_id == thread_id))).all()
    assert "one too many" not in bodies and "after a break" in bodies
