"""One dialog engine for every flow: load state, let the step accept the event, persist, prompt next."""

from __future__ import annotations

import copy
import logging
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from core.clock import utcnow
from core.dialog.steps import KEEP, DialogContext, Done, Invalid, Outcome, Stay, Step
from core.events import IncomingEvent
from core.replies import Button, Reply
from core.repositories.dialogs import DialogKey, DialogRecord, DialogRepository, DialogWrites
from core.repositories.uow import UnitOfWork

logger = logging.getLogger(__name__)

TOKEN_PREFIX = "d"
UNDO_KEY = "_undo"
FAILURES_KEY = "_failures"  # {"step": name, "count": n}: failed answers in a row at the current step
HINT_AFTER = 2  # failed answers at one step after which the re-prompt explains the expected form
EXPIRED_TEXT = "This question has expired: it belongs to an earlier step or a finished dialog."
ALREADY_HANDLED = "That was already handled."


@dataclass(frozen=True)
class Preloaded:
    """A conversation's dialog as read at the start of an event (by the actor resolver, in the same
    SELECT as the sender; core.repositories.actors), so `DialogEngine.handle` need not read it again.

    Safe because every save and removal names the version it read: if another process changed the
    dialog since, the write conflicts and the engine retries with a fresh read, as for its own read.
    """

    key: DialogKey
    record: DialogRecord | None


class DialogConflict(Exception):
    """Another process saved or removed this dialog after we loaded it; nothing of ours was written."""


@dataclass
class Flow:
    """A dialog as data: ordered named steps; a step ends the flow by returning `Done`.

    There is one way to finish: a step's `accept` returns `Done(replies)` (plain steps through their
    `then` callback, e.g. `Ask(..., then=finish(submit))`). The step that knows the student pressed
    Submit, Cancel or Stop decides, with its own replies, and its writes happen inside the step's unit
    of work, so they commit together with the dialog's removal. A step that answers `Next()` at the
    end of the flow is a mistake in the flow (RuntimeError), not a silent finish.
    """

    name: str
    title: str
    steps: Sequence[Step]
    restart_command: str | None = None  # named in the expiry message ("Send /share to start again")
    _by_name: dict[str, Step] = field(init=False, repr=False)

    def __post_init__(self) -> None:
        self._by_name = {step.name: step for step in self.steps}
        if len(self._by_name) != len(self.steps):
            raise ValueError(f"flow {self.name} has duplicate step names")

    def expired_text(self, hours: float) -> str:
        """What the student is told when this flow timed out: nothing was done, and how to start again."""
        again = (
            f"Send /{self.restart_command} to start again."
            if self.restart_command
            else "Send /help to see what you can do."
        )
        return (
            f"Your {self.title} expired after {hours:g} hours without an answer, so nothing was "
            f"submitted. {again}"
        )

    def step(self, name: str) -> Step:
        """The step called `name` (KeyError for an unknown, e.g. renamed, step)."""
        return self._by_name[name]

    def after(self, name: str) -> str | None:
        """The step that follows `name` in order, or None at the end."""
        names = [step.name for step in self.steps]
        index = names.index(name)
        return names[index + 1] if index + 1 < len(names) else None


def encode_version(version: int) -> str:
    """Base-36 text of a version number, to keep button tokens short."""
    digits = "0123456789abcdefghijklmnopqrstuvwxyz"
    out = ""
    while True:
        version, rest = divmod(version, 36)
        out = digits[rest] + out
        if version == 0:
            return out


def parse_token(action: str) -> tuple[int, str] | None:
    """Split a dialog token "d<version36>.<choice>" into (version, choice); None if it is not one."""
    if not action.startswith(TOKEN_PREFIX) or "." not in action:
        return None
    version_text, _, choice = action[len(TOKEN_PREFIX) :].partition(".")
    try:
        return int(version_text, 36), choice
    except ValueError:
        return None


def is_dialog_token(action: str | None) -> bool:
    """True when a button action belongs to the dialog engine."""
    return action is not None and parse_token(action) is not None


def _diff(before: dict[str, Any], after: dict[str, Any]) -> dict[str, Any]:
    """What changed between two answer maps, as an undo record (absent keys listed separately)."""
    keys = {
        k for k in before.keys() | after.keys() if k != UNDO_KEY and before.get(k, ...) != after.get(k, ...)
    }
    return {
        "before": {k: before[k] for k in keys if k in before},
        "after": {k: after[k] for k in keys if k in after},
        "keys": sorted(keys),
    }


def _apply(answers: dict[str, Any], values: dict[str, Any], keys: list[str]) -> None:
    for key in keys:
        if key in values:
            answers[key] = copy.deepcopy(values[key])
        else:
            answers.pop(key, None)


def stuck_help(step: Step, can_go_back: bool) -> str:
    """What a student stuck on `step` is told: the expected form (the step's optional `hint`), an
    example (its optional `example`), and the ways out (/back when there is a previous question)."""
    hint = str(getattr(step, "hint", "") or "")
    example = str(getattr(step, "example", "") or "")
    lines = [f"💡 {hint}" if hint else "💡 Answer the question below as it asks."]
    if example:
        lines[0] += f" For example: {example}"
    way_out = "/back changes your previous answer, /cancel stops" if can_go_back else "/cancel stops"
    lines.append(f"Stuck? {way_out} (nothing is submitted).")
    return "\n".join(lines)


class DialogEngine:
    """Runs flows for every (platform, chat, user) with state persisted after every step.

    Safe across processes: every save names the version it loaded (core.repositories.dialogs), and a
    step's writes (a finishing step's included) and the dialog's save or removal commit as one unit of work
    (core.repositories.uow; steps see it as `ctx.unit`). When another process handled the same dialog
    first, the event is tried once more against the fresh state, and then answered "That was already
    handled." -- nothing is overwritten.
    """

    def __init__(
        self,
        repo: DialogRepository,
        flows: Callable[[str], Flow | None],
        services: Any,
        timeout: timedelta,
        clock: Callable[[], datetime] = utcnow,
    ) -> None:
        self._repo = repo
        self._flows = flows
        self._services = services
        self._timeout = timeout
        self._clock = clock

    async def current(self, key: DialogKey) -> DialogRecord | None:
        """The live (not expired) dialog of a conversation, if any."""
        record = await self._repo.load(key)
        if record is None or self._expired(record):
            return None
        return record

    async def open_dialog_title(self, key: tuple[str, str, str]) -> str | None:
        """The title of the live dialog of a conversation ("sharing"), or None when there is none."""
        record = await self.current(key)
        flow = self._flows(record.flow) if record is not None else None
        return flow.title if flow is not None else None

    async def start(
        self,
        event: IncomingEvent,
        flow_name: str,
        answers: dict[str, Any] | None = None,
        step: str | None = None,
    ) -> list[Reply]:
        """Begin a flow at its first step, or at `step` (replacing any dialog in progress)."""
        flow = self._flows(flow_name)
        if flow is None:
            raise KeyError(f"no flow {flow_name!r}")
        first = flow.step(step).name if step else flow.steps[0].name
        for _attempt in range(2):
            current = await self._repo.load(event.key)
            version = int(time.time() * 1000)
            if current is not None:
                version = max(version, current.version + 1)
            record = DialogRecord(flow.name, first, dict(answers or {}), [], version, self._clock())
            expected = current.version if current is not None else None
            if await self._repo.save(event.key, record, expected):
                return [await self._prompt(flow, record, event)]
            logger.info("dialog %s changed while starting %s; trying again", event.key[0], flow.name)
        return [Reply(text=ALREADY_HANDLED, private=True)]

    async def discard(self, key: DialogKey, flow_name: str) -> bool:
        """Remove the live dialog of `key` if it runs `flow_name` (e.g. a shortcut command finished it);
        True when one was removed."""
        record = await self._repo.load(key)
        if record is None or record.flow != flow_name:
            return False
        return await self._repo.delete(key, record.version)

    async def reprompt(self, event: IncomingEvent) -> Reply | None:
        """The current question of a live dialog again (after /help, or /share while sharing)."""
        record = await self.current(event.key)
        flow = self._flows(record.flow) if record is not None else None
        if record is None or flow is None:
            return None
        return await self._prompt(flow, record, event)

    async def handle(self, event: IncomingEvent, preloaded: Preloaded | None = None) -> list[Reply] | None:
        """Answer an event inside a dialog; None when no dialog is active and the event is not for one.

        `preloaded` is the dialog as read at the start of this event (the router passes what the actor
        resolver read); the first attempt uses it instead of reading again. A version conflict (another
        process answered this dialog meanwhile) retries the event once against the fresh state; a
        second conflict answers "That was already handled." privately.
        """
        if preloaded is not None and preloaded.key != event.key:
            preloaded = None  # not this conversation's: read it
        for _attempt in range(2):
            try:
                return await self._handle_once(event, preloaded)
            except DialogConflict:
                logger.info("dialog of %s changed under us; retrying against the fresh state", event.key[0])
            preloaded = None
        return [Reply(text=ALREADY_HANDLED, private=True)]

    async def _handle_once(self, event: IncomingEvent, preloaded: Preloaded | None) -> list[Reply] | None:
        record = preloaded.record if preloaded is not None else await self._repo.load(event.key)
        token = parse_token(event.action) if event.kind in ("action", "form") and event.action else None
        if record is None:
            return [self._expired_reply()] if token is not None else None
        flow = self._flows(record.flow)
        if flow is None or record.step not in {s.name for s in flow.steps}:
            logger.warning("dropping dialog with unknown flow/step %s/%s", record.flow, record.step)
            await self._remove(self._repo, event.key, record)
            return [Reply(text="Sorry, that conversation can no longer be continued. Please start again.")]
        if self._expired(record):
            await self._remove(self._repo, event.key, record)
            if event.kind == "command":
                return None  # the command runs as if no dialog were open
            return [Reply(text=flow.expired_text(self._timeout.total_seconds() / 3600), private=True)]
        if event.kind == "command":
            return await self._command(flow, record, event)
        if event.kind in ("action", "form"):
            if token is None or token[0] != record.version:
                prompt = await self._prompt(flow, record, event)
                return [
                    Reply(text=EXPIRED_TEXT + " Here is where you are now:", private=True, stale=True),
                    prompt,
                ]
            if token[1] == KEEP:
                return await self._keep(flow, record, event)
        return await self._accept(flow, record, event)

    async def _command(self, flow: Flow, record: DialogRecord, event: IncomingEvent) -> list[Reply] | None:
        if event.command == "cancel":
            await self._remove(self._repo, event.key, record)
            return [
                Reply(
                    text=f"Cancelled: your {flow.title} was discarded and nothing was submitted.",
                    private=True,
                )
            ]
        if event.command == "back":
            return await self._back(flow, record, event)
        return None

    async def _accept(self, flow: Flow, record: DialogRecord, event: IncomingEvent) -> list[Reply]:
        """Let the step take the event, in one unit of work with the dialog's save (or its removal)."""
        step = flow.step(record.step)
        ctx = self._context(record, event)
        failures = ctx.answers.pop(FAILURES_KEY, None)
        before = copy.deepcopy(ctx.answers)
        then: DialogRecord | None = None
        try:
            async with self._repo.unit() as unit:
                ctx.unit = unit
                outcome: Outcome = await step.accept(ctx, event)
                notes = [Reply(text=note, private=True) for note in ctx.notes]
                if isinstance(outcome, Done):
                    await self._finish(unit, event.key, record)
                    replies = [*notes, *outcome.replies]
                elif isinstance(outcome, Stay):
                    then = await self._save(
                        unit.dialogs, event, record, step.name, ctx.answers, record.history
                    )
                    replies = [Reply(text=outcome.message, private=True)] if outcome.message else []
                    then = then if outcome.reprompt else None
                else:
                    target = outcome.step or flow.after(step.name)
                    if target is None:
                        raise RuntimeError(
                            f"flow {flow.name}: step {step.name} answered Next() at the end of the flow; "
                            "the last step must return Done"
                        )
                    ctx.answers.pop(UNDO_KEY, None)
                    entry = {"step": step.name, "next": target, **_diff(before, ctx.answers)}
                    history = [*record.history, entry]
                    then = await self._save(unit.dialogs, event, record, target, ctx.answers, history)
                    replies = notes
        except Invalid as problem:  # the unit rolled back: nothing the step wrote is kept
            return await self._failed(flow, record, event, step, str(problem), failures)
        if then is not None:
            replies.append(await self._prompt(flow, then, event))
        return replies

    async def _failed(
        self,
        flow: Flow,
        record: DialogRecord,
        event: IncomingEvent,
        step: Step,
        problem: str,
        failures: Any,
    ) -> list[Reply]:
        """Explain what was wrong and ask again; from the HINT_AFTER-th failure in a row at this step on,
        also explain the expected form with the step's example and offer /back and /cancel.

        The count is advisory: it is saved without a new version (buttons already shown stay valid), and
        a save lost to another process just loses a count.
        """
        count = 1
        if isinstance(failures, dict) and failures.get("step") == step.name:
            count = int(failures.get("count", 0)) + 1
        answers = copy.deepcopy(record.answers)
        answers[FAILURES_KEY] = {"step": step.name, "count": count}
        counted = DialogRecord(
            record.flow, record.step, answers, record.history, record.version, self._clock()
        )
        if await self._repo.save(event.key, counted, record.version):
            record = counted
        text = f"⚠️ {problem}"
        if count >= HINT_AFTER:
            text += "\n" + stuck_help(step, bool(record.history))
        return [Reply(text=text, private=True), await self._prompt(flow, record, event)]

    async def _back(self, flow: Flow, record: DialogRecord, event: IncomingEvent) -> list[Reply]:
        if not record.history:
            prompt = await self._prompt(flow, record, event)
            return [
                Reply(text="This is the first question: there is nothing to go back to.", private=True),
                prompt,
            ]
        history = list(record.history)
        entry = history.pop()
        answers = copy.deepcopy(record.answers)
        answers.pop(FAILURES_KEY, None)
        _apply(answers, entry["before"], entry["keys"])
        answers[UNDO_KEY] = entry
        saved = await self._save(self._repo, event, record, entry["step"], answers, history)
        return [await self._prompt(flow, saved, event)]

    async def _keep(self, flow: Flow, record: DialogRecord, event: IncomingEvent) -> list[Reply]:
        entry = record.answers.get(UNDO_KEY)
        if not entry or entry.get("step") != record.step:
            return [Reply(text="There is no previous answer to keep here.", private=True)]
        answers = copy.deepcopy(record.answers)
        answers.pop(UNDO_KEY, None)
        answers.pop(FAILURES_KEY, None)
        _apply(answers, entry["after"], entry["keys"])
        saved = await self._save(self._repo, event, record, entry["next"], answers, [*record.history, entry])
        return [await self._prompt(flow, saved, event)]

    async def _save(
        self,
        store: DialogWrites,
        event: IncomingEvent,
        record: DialogRecord,
        step: str,
        answers: dict[str, Any],
        history: list[Any],
    ) -> DialogRecord:
        """Write the next version of `record`; DialogConflict if it is no longer the stored version."""
        saved = DialogRecord(record.flow, step, answers, history, record.version + 1, self._clock())
        if not await store.save(event.key, saved, record.version):
            raise DialogConflict(record.flow)
        return saved

    @staticmethod
    async def _remove(store: DialogWrites, key: DialogKey, record: DialogRecord) -> None:
        """Delete the dialog we loaded; DialogConflict if another process changed or removed it first."""
        if not await store.delete(key, record.version):
            raise DialogConflict(record.flow)

    async def _finish(self, unit: UnitOfWork, key: DialogKey, record: DialogRecord) -> None:
        """Remove a finished dialog in the step's unit of work.

        A dialog saved meanwhile by another process is a conflict (the unit rolls back). A dialog that is
        simply gone is one only when the step's work went through the unit: a flow whose own work
        removed it (e.g. /forget deletes everything about the student) committed that work itself.
        """
        if await unit.dialogs.delete(key, record.version):
            return
        if unit.joined or await self._repo.load(key) is not None:
            raise DialogConflict(record.flow)

    async def _prompt(self, flow: Flow, record: DialogRecord, event: IncomingEvent) -> Reply:
        step = flow.step(record.step)
        ctx = self._context(record, event)
        reply = await step.prompt(ctx)
        text = reply.text
        buttons = reply.buttons
        undo = record.answers.get(UNDO_KEY)
        if undo and undo.get("step") == step.name:
            shown = dict(record.answers)
            _apply(shown, undo["after"], undo["keys"])
            text += f"\nYour previous answer: {step.show(shown)}"
            buttons = (*buttons, (Button("Keep previous answer", ctx.token(KEEP)),))
        return Reply(text=text, buttons=buttons, form=reply.form, private=True, images=reply.images)

    def _context(self, record: DialogRecord, event: IncomingEvent) -> DialogContext:
        prefix = f"{TOKEN_PREFIX}{encode_version(record.version)}."
        return DialogContext(
            answers=copy.deepcopy(record.answers),
            services=self._services,
            user_name=event.user.display_name,
            version=record.version,
            token=lambda choice: prefix + choice,
            is_moderator=event.resolved.is_moderator if event.resolved else event.is_moderator,
            resolved=event.resolved,
        )

    def _expired(self, record: DialogRecord) -> bool:
        return self._clock() - record.updated_at > self._timeout

    @staticmethod
    def _expired_reply() -> Reply:
        return Reply(text=EXPIRED_TEXT + " Send /help to see what you can do.", private=True, stale=True)
