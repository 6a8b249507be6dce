"""Fixtures: an app on both databases with the digest fixture week, recording notifiers, event helpers."""

from __future__ import annotations

import dataclasses
from collections.abc import AsyncIterator

import pytest

from core.events import ChatRef, IncomingEvent, UserRef
from core.replies import Reply
from tests.console.driver import FakeClock, make_app
from tests.digest.data import Ids, seed


class Recorder:
    """A notifier that records what it was asked to send; chats in `fail_for` raise like a blocked chat."""

    def __init__(self, fail_for: tuple[str, ...] = ()) -> None:
        self.fail_for = set(fail_for)
        self.sent: list[tuple[ChatRef, Reply]] = []  # a chart sent after its chat's text joins it
        self.messages: list[tuple[ChatRef, Reply]] = []  # every send as it was made

    async def send(self, chat: ChatRef, reply: Reply) -> None:
        if chat.id in self.fail_for:
            raise RuntimeError(f"Forbidden: bot was blocked by the user {chat.id}")
        self.messages.append((chat, reply))
        if reply.images and not reply.text:  # slots send to several chats at once: find this chat's text
            for at in range(len(self.sent) - 1, -1, -1):
                if self.sent[at][0] == chat:
                    last = self.sent[at][1]
                    self.sent[at] = (chat, dataclasses.replace(last, images=last.images + reply.images))
                    return
        self.sent.append((chat, reply))

    def chats(self) -> list[str]:
        return [chat.id for chat, _ in self.sent]


def command(
    platform: str,
    chat_id: str,
    text: str,
    *,
    private: bool = True,
    moderator: bool = False,
    user_id: str | None = None,
) -> IncomingEvent:
    """A command event as an adapter would build it."""
    name, _, args = text.lstrip("/").partition(" ")
    return IncomingEvent(
        user=UserRef(platform, user_id or chat_id, "Student"),
        chat=ChatRef(platform, chat_id, is_private=private),
        kind="command",
        command=name,
        args=args,
        is_moderator=moderator,
    )


def texts(replies: list[Reply]) -> str:
    return "\n".join(r.text for r in replies)


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
async def app_ids(tmp_path, database_url, clock) -> AsyncIterator[tuple]:
    """A bootstrapped app (no pause between sends) holding the fixture week."""
    app = await make_app(tmp_path, database_url, clock, digest={"send_pause_s": 0})
    ids: Ids = await seed(app.database.sessions)
    try:
        yield app, ids
    finally:
        await app.close()
