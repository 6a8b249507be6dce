"""The bad-input corpus (tests/reliability/corpus.py) through the real console adapter: every case outside
a dialog and inside the sharing dialog (videos also at the /mock answer step); after each one a friendly
reply, /help still answers, and the student's dialog row and the stored rows are consistent."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest
import pytest_asyncio

from core.events import IncomingEvent
from tests.console.driver import Console, FakeClock, make_app
from tests.reliability.corpus import (
    Case,
    assert_consistent,
    assert_flood_consistent,
    assert_friendly,
    case,
    cases,
    flood_texts,
    snapshot,
)

pytestmark = pytest.mark.asyncio(loop_scope="module")


class NeverScorer:
    """Every corpus video is refused before scoring: a scoring call is a failure of the test."""

    async def score(self, path, max_duration_s, timeout_s):
        raise AssertionError(f"a corpus video reached the scorer: {path}")

    def close(self) -> None:
        pass


@pytest_asyncio.fixture(loop_scope="module", scope="module")
async def env(tmp_path_factory) -> AsyncIterator[tuple]:
    root = tmp_path_factory.mktemp("corpus-console")
    app = await make_app(root, f"sqlite+aiosqlite:///{root / 'c.db'}", FakeClock(), scorer=NeverScorer())
    try:
        yield app, root
    finally:
        await app.close()


async def enter(student: Console, mode: str) -> None:
    """Put the student where the case is sent: nowhere, the sharing dialog's first question, or /mock's
    answer step."""
    if mode == "sharing":
        assert "share your interview experience" in await student.say("/share")
    elif mode == "mock":
        await student.say("/mock")
        assert "Question:" in await student.pick("✅ I agree (delete")


async def send(student: Console, app, root, item: Case) -> str:
    if item.kind in ("text", "command"):
        return await student.say(item.line())
    if item.kind == "button":  # a terminal cannot send a token; the core gets it as a forged press would
        event = IncomingEvent(student.adapter.user, student.adapter.chat, kind="action", action=item.text)
        return "\n".join(reply.text for reply in await app.handle(event))
    path = root / f"{student.adapter.user.id}-{item.filename}"
    path.write_bytes(item.data)
    if item.size is not None and item.size > len(item.data):
        with path.open("r+b") as handle:  # a sparse 25 MB file: cheap to make, real to the adapter
            handle.truncate(item.size)
    return await student.say(str(path))


@pytest.mark.parametrize(("case_id", "mode"), cases())
async def test_console_case(env, case_id: str, mode: str) -> None:
    app, root = env
    item = case(case_id)
    student = Console(app, app.config, f"c-{case_id}-{mode}", "Student")
    await enter(student, mode)
    key = ("console", student.adapter.chat.id, student.adapter.user.id)
    before = await snapshot(app, *key)
    reply = await send(student, app, root, item)
    assert_friendly(reply, item, mode)
    assert "\x1b" not in reply  # nothing the student typed reaches the terminal as an escape sequence
    assert_consistent(before, await snapshot(app, *key), item, mode)
    assert "What I can do" in await student.say("/help")


@pytest.mark.parametrize("mode", ["outside", "sharing"])
async def test_console_flood(env, mode: str) -> None:
    app, _root = env
    student = Console(app, app.config, f"c-flood-{mode}", "Student")
    await enter(student, mode)
    key = ("console", student.adapter.chat.id, student.adapter.user.id)
    before = await snapshot(app, *key)
    flood = Case("flood", "text")
    for text in flood_texts():
        assert_friendly(await student.say(text), flood, mode)
    assert_flood_consistent(before, await snapshot(app, *key), mode)
    assert "What I can do" in await student.say("/help")
