"""What a feature is: the one shape every folder under core/features/ plugs into the app with.

`bootstrap` (core/app.py) builds the ports once, then a tuple of features; the router asks each,
in that order, for its commands (so /help lists them in that order), the dialog engine takes their
flows, plain messages outside a dialog go to their text handlers by priority, approvals fan out to
`on_approved`, and `close` runs in reverse order at shutdown. A new feature is a new folder plus
one line in `core/app.py`'s feature list.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from typing import TYPE_CHECKING, ClassVar, Protocol

from core.events import IncomingEvent
from core.ports import CommandInfo
from core.replies import Reply

if TYPE_CHECKING:
    from core.dialog.engine import Flow

Handler = Callable[[IncomingEvent], Awaitable[list[Reply]]]
NO_TEXT = 1_000_000  # text_priority of a feature that takes no plain text


class CommandSink(Protocol):
    """Where a feature lists its commands (the router's collector)."""

    def add(self, info: CommandInfo, handler: Handler) -> None:
        """Offer `info` (and its aliases), answered by `handler`."""
        ...


class Feature(Protocol):
    """One user-facing feature: commands, flows, a text handler with a priority, hooks, close."""

    name: ClassVar[str]
    text_priority: ClassVar[int]

    def register(self, commands: CommandSink) -> None:
        """Add this feature's commands, in the order /help shows them."""
        ...

    def flows(self) -> Sequence[Flow]:
        """The dialogs this feature runs (names unique across features)."""
        ...

    async def on_text(self, event: IncomingEvent) -> list[Reply] | None:
        """Answer a plain message or upload outside any dialog, or None to let the next feature try."""
        ...

    async def on_approved(self, experience_id: int) -> None:
        """React to an experience becoming public (analytics, cache refresh); must not raise."""
        ...

    async def settle(self) -> None:
        """Wait for background work that still talks to users (pushes of slow charts) to finish, while
        the adapters can still send; the caller bounds the wait (shutdown grace)."""
        ...

    async def close(self) -> None:
        """Stop background work and release what the feature holds."""
        ...


class FeatureBase:
    """Defaults for the optional parts of `Feature`: no flows, no text, nothing on approval or close."""

    name: ClassVar[str] = ""
    text_priority: ClassVar[int] = NO_TEXT

    def register(self, commands: CommandSink) -> None:
        """No commands."""

    def flows(self) -> Sequence[Flow]:
        """No dialogs."""
        return ()

    async def on_text(self, event: IncomingEvent) -> list[Reply] | None:
        """Takes no plain text."""
        return None

    async def on_approved(self, experience_id: int) -> None:
        """Nothing to do on approval."""

    async def settle(self) -> None:
        """No background work."""

    async def close(self) -> None:
        """Nothing to release."""
