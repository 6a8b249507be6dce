"""SIGTERM's shutdown (main._stop_gracefully): a chart push a card promised still goes out before the
adapters stop, and a push that never finishes cannot hold the process past the grace.

A newcomer saw a worker live ~35 s after SIGTERM: the adapters were stopped first, then App.close waited
for a chart push (up to the chart timeout) that could only fail on the closed HTTP client.
"""

from __future__ import annotations

import asyncio

import pytest

from core.events import ChatRef
from core.features.company.service import CompanyFeature
from core.replies import Reply
from main import _stop_gracefully
from tests.console.driver import make_app

pytestmark = pytest.mark.asyncio
CHAT = ChatRef("recorder", "42")


class RecordingAdapter:
    """An adapter as main.py sees it (name, drain, stop) that is also the platform's notifier."""

    name = "recorder"

    def __init__(self) -> None:
        self.log: list[str] = []
        self.stopped = False

    async def drain(self) -> None:
        self.log.append("drain")

    async def stop(self) -> None:
        self.stopped = True
        self.log.append("stop")

    async def send(self, chat: ChatRef, reply: Reply) -> None:
        if self.stopped:
            raise RuntimeError("This HTTPXRequest is not initialized!")  # what PTB says after stop()
        self.log.append(f"send {reply.text}")


@pytest.fixture
async def app(tmp_path):
    app = await make_app(tmp_path, f"sqlite+aiosqlite:///{tmp_path}/t.db")
    yield app
    await app.close()


async def test_a_pending_chart_push_is_sent_before_the_adapters_stop(app):
    adapter = RecordingAdapter()
    app.register_notifier("recorder", adapter)
    drawn = asyncio.Event()

    async def push() -> None:  # a slow chart promised by a card, pushed once drawn
        await drawn.wait()
        await app.notify(CHAT, Reply(text="📊 Wipro in charts"))

    app.feature(CompanyFeature)._spawn(push())
    asyncio.get_running_loop().call_later(0.3, drawn.set)
    await _stop_gracefully([adapter], app, grace_s=20.0)
    assert adapter.log == ["drain", "send 📊 Wipro in charts", "stop"]


async def test_a_push_that_never_finishes_is_cut_at_the_grace_and_closing_does_not_wait_for_it(app):
    adapter = RecordingAdapter()
    app.register_notifier("recorder", adapter)
    never = asyncio.Event()

    async def stuck() -> None:
        await never.wait()
        await app.notify(CHAT, Reply(text="never sent"))

    company = app.feature(CompanyFeature)
    company._spawn(stuck())
    await asyncio.wait_for(_stop_gracefully([adapter], app, grace_s=0.5), 10)
    assert adapter.log == ["drain", "stop"]
    await asyncio.wait_for(company.close(), 10)  # cancels it instead of waiting for ever
    assert not company._background
