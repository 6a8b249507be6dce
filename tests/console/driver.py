"""Drive the real console adapter in tests: type lines, pick choices by label, read what was printed."""

from __future__ import annotations

import io
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any, final

from bots.console.adapter import ConsoleAdapter
from core.app import App, bootstrap
from core.config import Config
from core.events import ChatRef
from core.features.mock.service import Scorer
from core.ports import AppPort, Notifier
from core.replies import Reply
from tests.support.config import test_config as support_config

TODAY = datetime(2026, 11, 25, 12, 0, tzinfo=UTC)


class FakeClock:
    """A clock tests move forward by hand (dialog expiry, "never in the future")."""

    def __init__(self, now: datetime = TODAY) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **delta: float) -> None:
        self.now += timedelta(**delta)


def test_config(tmp_path: Path, **overrides: Any) -> Config:
    """The default config with the console writing files under tmp_path (tests.support.config)."""
    return support_config(tmp_path, **overrides)


class Console:
    """One student at a terminal."""

    def __init__(
        self, app: AppPort, config: Config, user_id: str = "console-user", name: str = "Student"
    ) -> None:
        config = config.model_copy(deep=True)
        config.console.user_id, config.console.user_name = user_id, name
        self.out = io.StringIO()
        self.adapter = ConsoleAdapter(app, config, stdin=io.StringIO(), stdout=self.out)
        self._seen = 0

    async def say(self, line: str) -> str:
        """Type a line; return what the bot printed in answer."""
        await self.adapter.dispatch(line)
        text = self.out.getvalue()
        new, self._seen = text[self._seen :], len(text)
        return new

    def number_of(self, label: str) -> int:
        """The number to type for the choice whose label starts with `label`."""
        for index, choice in enumerate(self.adapter.choices, start=1):
            if choice == label or choice.startswith(label):
                return index
        raise AssertionError(f"no choice {label!r} among {self.adapter.choices}")

    async def pick(self, label: str) -> str:
        """Type the number of a shown choice."""
        return await self.say(str(self.number_of(label)))

    async def command(self, name: str) -> str:
        """Send /name (tests.support.drivers.ScriptDriver)."""
        return await self.say(f"/{name}")

    async def type(self, text: str) -> str:
        """Type an answer (tests.support.drivers.ScriptDriver)."""
        return await self.say(text)


async def make_app(
    tmp_path: Path,
    db_url: str,
    clock: FakeClock | Callable[[], datetime] | None = None,
    scorer: Scorer | None = None,
    **overrides: Any,
) -> App:
    """A bootstrapped app on a test database with a fixed clock (and optionally a fake video scorer)."""
    config = test_config(tmp_path, **overrides)
    return await bootstrap(config, db_url=db_url, clock=clock or FakeClock(), scorer=scorer)


@final  # a final subclass of the Notifier Protocol: a misspelt `send` is a mypy error
class Outbox(Notifier):
    """A notifier that records pushed messages (moderator alerts, outcomes, scorecards, notifications)."""

    def __init__(self) -> None:
        self.sent: list[tuple[ChatRef, Reply]] = []

    async def send(self, chat: ChatRef, reply: Reply) -> None:
        self.sent.append((chat, reply))

    def to(self, chat_id: str) -> list[str]:
        """Texts pushed to one chat."""
        return [reply.text for chat, reply in self.sent if chat.id == chat_id]

    def everything(self) -> str:
        """Every pushed text, for "never appears anywhere" checks."""
        return "\n".join(reply.text for _, reply in self.sent)
