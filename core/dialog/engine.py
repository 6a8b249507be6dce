"""One dialog engine for every flow: load state, let the step accept the event, persist, prompt next."""

from __future__ import annotations

import copy
import logging
import time
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from core.dialog.steps import KEEP, DialogContext, Done, Invalid, Next, Outcome, Stay, Step
from core.events import IncomingEvent
from core.replies import Button, Reply
from storage.models import utcnow
from storage.repos import DialogRecord, DialogRepo

logger = logging.getLogger(__name__)

TOKEN_PREFIX = "d"
EDIT_FLAG = "_edit_section"
UNDO_KEY = "_undo"
EXPIRED_TEXT = "This question has expired: it belongs to an earlier step or a finished dialog."


@dataclass
class Flow:
    """A dialog as data: ordered named steps plus what happens when it is done."""

    name: str
    title: str
    steps: Sequence[Step]
    on_done: Callable[[DialogContext], Awaitable[list[Reply]]]
    review_step: str | None = None
    sections: int = 0
    _by_name: dict[str, Step] = field(init=False, repr=False)

    def __post_init__(self) -> None:
        self._by_name = {step.name: step for step in self.steps}
        if len(self._by_name) != len(self.steps):
            raise ValueError(f"flow {self.name} has duplicate step names")
        self.sections = self.sections or max((step.section for step in self.steps), default=0)

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


class DialogEngine:
    """Runs flows for every (platform, chat, user) with state persisted after every step."""

    def __init__(
        self,
        repo: DialogRepo,
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

    async def current(self, key: tuple[str, str, str]) -> DialogRecord | None:
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
        version = int(time.time() * 1000)
        first = flow.step(step).name if step else flow.steps[0].name
        record = DialogRecord(flow.name, first, dict(answers or {}), [], version, self._clock())
        await self._repo.save(event.key, record)
        return [await self._prompt(flow, record, event)]

    async def reprompt(self, event: IncomingEvent) -> Reply | None:
        """The current question of a live dialog again (after /help, or /share while sharing)."""
        record = await self.current(event.key)
        flow = self._flows(record.flow) if record is not None else None
        if record is None or flow is None:
            return None
        return await self._prompt(flow, record, event)

    async def handle(self, event: IncomingEvent) -> list[Reply] | None:
        """Answer an event inside a dialog; None when no dialog is active and the event is not for one."""
        record = await self._repo.load(event.key)
        token = parse_token(event.action) if event.kind in ("action", "form") and event.action else None
        if record is None:
            return [self._expired_reply()] if token is not None else None
        flow = self._flows(record.flow)
        if flow is None or record.step not in {s.name for s in flow.steps}:
            logger.warning("dropping dialog with unknown flow/step %s/%s", record.flow, record.step)
            await self._repo.delete(event.key)
            return [Reply(text="Sorry, that conversation can no longer be continued. Please start again.")]
        if self._expired(record):
            await self._repo.delete(event.key)
            if event.kind == "command":
                return None  # the command runs as if no dialog were open
            hours = self._timeout.total_seconds() / 3600
            text = (
                f"Your {flow.title} expired after {hours:g} hours without an answer, so nothing was "
                "submitted. Send /share to start again."
            )
            return [Reply(text=text, private=True)]
        if event.kind == "command":
            return await self._command(flow, record, event)
        if event.kind in ("action", "form"):
            if token is None or token[0] != record.version:
                prompt = await self._prompt(flow, record, event)
                return [Reply(text=EXPIRED_TEXT + " Here is where you are now:", private=True), prompt]
            if token[1] == KEEP:
                return await self._keep(flow, record, event)
        return await self._accept(flow, record, event)

    async def _command(self, flow: Flow, record: DialogRecord, event: IncomingEvent) -> list[Reply] | None:
        if event.command == "cancel":
            await self._repo.delete(event.key)
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
        step = flow.step(record.step)
        before = copy.deepcopy(record.answers)
        ctx = self._context(record, event)
        try:
            outcome: Outcome = await step.accept(ctx, event)
        except Invalid as problem:
            return [Reply(text=f"⚠️ {problem}", private=True), await self._prompt(flow, record, event)]
        if isinstance(outcome, Done):
            await self._repo.delete(event.key)
            return list(outcome.replies)
        if isinstance(outcome, Stay):
            saved = await self._save(event, record, step.name, ctx.answers, record.history)
            replies = [Reply(text=outcome.message, private=True)] if outcome.message else []
            if outcome.reprompt:
                replies.append(await self._prompt(flow, saved, event))
            return replies
        if (outcome.step or flow.after(step.name)) is None:  # the last step: the flow is complete
            try:
                done = await flow.on_done(ctx)
            except Invalid as problem:
                return [Reply(text=f"⚠️ {problem}", private=True), await self._prompt(flow, record, event)]
            await self._repo.delete(event.key)
            return [*(Reply(text=note, private=True) for note in ctx.notes), *done]
        target = self._next_step(flow, step, outcome, ctx.answers)
        ctx.answers.pop(UNDO_KEY, None)
        entry = {"step": step.name, "next": target, **_diff(before, ctx.answers)}
        saved = await self._save(event, record, target, ctx.answers, [*record.history, entry])
        notes = [Reply(text=note, private=True) for note in ctx.notes]
        return [*notes, await self._prompt(flow, saved, event)]

    def _next_step(self, flow: Flow, step: Step, outcome: Next, answers: dict[str, Any]) -> str:
        target = outcome.step or flow.after(step.name)
        assert target is not None
        editing = answers.get(EDIT_FLAG)
        if editing is not None and flow.review_step and flow.step(target).section != editing:
            answers.pop(EDIT_FLAG, None)
            return flow.review_step
        return target

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
        _apply(answers, entry["before"], entry["keys"])
        answers[UNDO_KEY] = entry
        saved = await self._save(event, record, entry["step"], answers, history)
        return [await self._prompt(flow, saved, event)]

    async def _keep(self, flow: Flow, record: DialogRecord, event: IncomingEvent) -> list[Reply]:
        entry = record.answers.get(UNDO_KEY)
        if not entry or entry.get("step") != record.step:
            return [Reply(text="There is no previous answer to keep here.", private=True)]
        answers = copy.deepcopy(record.answers)
        answers.pop(UNDO_KEY, None)
        _apply(answers, entry["after"], entry["keys"])
        saved = await self._save(event, record, entry["next"], answers, [*record.history, entry])
        return [await self._prompt(flow, saved, event)]

    async def _save(
        self,
        event: IncomingEvent,
        record: DialogRecord,
        step: str,
        answers: dict[str, Any],
        history: list[Any],
    ) -> DialogRecord:
        saved = DialogRecord(record.flow, step, answers, history, record.version + 1, self._clock())
        await self._repo.save(event.key, saved)
        return saved

    async def _prompt(self, flow: Flow, record: DialogRecord, event: IncomingEvent) -> Reply:
        step = flow.step(record.step)
        ctx = self._context(record, event)
        reply = await step.prompt(ctx)
        header = f"**{step.section}/{flow.sections} · {step.title}**\n" if step.section else ""
        text = header + reply.text
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
        return Reply(text=EXPIRED_TEXT + " Send /share to start a new one, or /help.", private=True)
