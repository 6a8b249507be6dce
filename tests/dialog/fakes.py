"""An in-memory DialogRepository with units of work, and a tiny two-question flow, for engine tests."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from types import TracebackType
from typing import Any

from core.dialog.engine import DialogEngine, Flow
from core.dialog.sections import sectioned
from core.dialog.steps import Ask, Choose, DialogContext, Invalid, Option, finish
from core.events import ChatRef, IncomingEvent, UserRef
from core.replies import Reply
from core.repositories.dialogs import AfterCommit, DialogKey, DialogRecord

NOW = datetime(2026, 3, 1, 12, tzinfo=UTC)


class MemoryDialogs:
    """DialogRepository in a dict; `stolen` makes the next save behave as if another process won."""

    def __init__(self) -> None:
        self.rows: dict[DialogKey, DialogRecord] = {}
        self.committed_work: list[str] = []
        self.steal_next_save = 0

    async def load(self, key: DialogKey) -> DialogRecord | None:
        return self.rows.get(key)

    async def save(self, key: DialogKey, record: DialogRecord, expected: int | None) -> bool:
        if self.steal_next_save:
            self.steal_next_save -= 1
            current = self.rows[key]
            self.rows[key] = DialogRecord(
                current.flow,
                current.step,
                current.answers,
                current.history,
                current.version + 1,
                current.updated_at,
            )
            return False
        current = self.rows.get(key)
        if (current.version if current else None) != expected:
            return False
        self.rows[key] = record
        return True

    async def delete(self, key: DialogKey, expected: int | None = None) -> bool:
        current = self.rows.get(key)
        if current is None or (expected is not None and current.version != expected):
            return False
        del self.rows[key]
        return True

    def unit(self) -> MemoryUnit:
        return MemoryUnit(self)


class MemoryUnit:
    """Buffers the work a step records (`work`) and commits it only when the block succeeds."""

    def __init__(self, store: MemoryDialogs) -> None:
        self.dialogs = store
        self.store = store
        self.work: list[str] = []
        self._after: list[AfterCommit] = []
        self.experiences: Any = None
        self.moderation: Any = None

    @property
    def joined(self) -> bool:
        return bool(self.work)

    def after_commit(self, action: AfterCommit) -> None:
        self._after.append(action)

    async def __aenter__(self) -> MemoryUnit:
        return self

    async def __aexit__(
        self, kind: type[BaseException] | None, error: BaseException | None, tb: TracebackType | None
    ) -> None:
        if kind is None:
            self.store.committed_work += self.work
            for action in self._after:
                await action()


def validate_colour(raw: str, ctx: DialogContext) -> str:
    if raw.strip().lower() == "octarine":
        raise Invalid("Octarine is not a colour you can see.")
    return raw.strip()


async def order(ctx: DialogContext) -> list[Reply]:
    assert ctx.unit is not None
    ctx.unit.work.append(f"{ctx.answers['colour']}/{ctx.answers['size']}")  # type: ignore[attr-defined]
    if ctx.answers["size"] == "huge":
        raise Invalid("We are out of huge ones.")
    return [Reply(text=f"Ordered a {ctx.answers['size']} {ctx.answers['colour']} hat.")]


def tiny_flow() -> Flow:
    sizes: Sequence[Option] = [Option("small", "Small"), Option("large", "Large"), Option("huge", "Huge")]
    return Flow(
        "hat",
        "hat order",
        sectioned(
            [
                Ask("colour", "Colour", "Which colour?", validate_colour, section=1),
                Choose("size", "Size", "Which size?", sizes, section=2),
                Ask(
                    "note",
                    "Note",
                    "A note for the maker?",
                    lambda raw, ctx: raw.strip(),
                    optional=True,
                    section=3,
                    then=finish(order),
                ),
            ]
        ),
        restart_command="hat",
    )


class Clock:
    def __init__(self) -> None:
        self.now = NOW

    def __call__(self) -> datetime:
        return self.now


def make_engine(flows: dict[str, Flow] | None = None) -> tuple[DialogEngine, MemoryDialogs, Clock]:
    store, clock = MemoryDialogs(), Clock()
    known = flows if flows is not None else {"hat": tiny_flow()}
    engine = DialogEngine(store, known.get, services=None, timeout=timedelta(hours=2), clock=clock)  # type: ignore[arg-type]
    return engine, store, clock


USER = UserRef("console", "u1", "Asha")
CHAT = ChatRef("console", "c1")


def text(line: str) -> IncomingEvent:
    return IncomingEvent(USER, CHAT, kind="text", text=line)


def command(name: str) -> IncomingEvent:
    return IncomingEvent(USER, CHAT, kind="command", command=name)


def press(action: str) -> IncomingEvent:
    return IncomingEvent(USER, CHAT, kind="action", action=action)


def texts(replies: list[Reply] | None) -> str:
    assert replies is not None
    return "\n".join(reply.text for reply in replies)


def button(replies: list[Reply], label: str) -> str:
    """The action of the button labelled `label` on the last reply."""
    for row in replies[-1].buttons:
        for b in row:
            if b.label == label:
                return b.action
    raise AssertionError(f"no button {label!r}")
