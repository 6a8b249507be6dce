"""Step types every dialog is built from: ask for text, choose an option, confirm, review."""

from __future__ import annotations

import inspect
import logging
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Protocol

from core.domain.experience import Invalid
from core.events import Actor, IncomingEvent
from core.replies import Button, Field, Form, Reply, button_rows
from core.text_norm import collapse_spaces

if TYPE_CHECKING:
    from core.repositories.uow import UnitOfWork

logger = logging.getLogger(__name__)

SKIP = "skip"
KEEP = "keep"
SKIP_WORDS = {"skip", "-", "none", "no", "n/a", "na"}


@dataclass(frozen=True)
class Next:
    """Go on to `step` (None: the flow's natural next step)."""

    step: str | None = None


@dataclass(frozen=True)
class Stay:
    """Stay on this step and show `message` before the prompt again (e.g. "added 2 questions")."""

    message: str = ""
    reprompt: bool = True


@dataclass(frozen=True)
class Done:
    """The flow is finished; `replies` are shown and the dialog state is removed."""

    replies: tuple[Reply, ...] = ()


Outcome = Next | Stay | Done


@dataclass
class DialogContext:
    """What a step sees: the answers so far (mutable), the services it may use, and a token maker."""

    answers: dict[str, Any]
    services: Any
    user_name: str
    version: int
    token: Callable[[str], str]
    is_moderator: bool = False
    notes: list[str] = field(default_factory=list)
    resolved: Actor | None = None
    unit: UnitOfWork | None = None  # the step's unit of work (core.repositories.uow), set while accepting

    @property
    def actor(self) -> Actor:
        """Who is answering (resolved once by the router); RuntimeError outside a routed event."""
        if self.resolved is None:
            raise RuntimeError("dialog context has no actor")
        return self.resolved

    def choice_token(self, index: int | str) -> str:
        """The action token of choice number `index` of the current prompt."""
        return self.token(str(index))


@dataclass(frozen=True)
class Option:
    """One choice of a Choose step: the stored value and the label shown on the button."""

    value: Any
    label: str


class Step(Protocol):
    """A named question in a flow; names are persisted, so they never change."""

    name: str
    title: str
    section: int  # the numbered field of the review screen this step fills (sub-steps share it)

    async def prompt(self, ctx: DialogContext) -> Reply: ...

    async def accept(self, ctx: DialogContext, event: IncomingEvent) -> Outcome: ...

    def show(self, answers: dict[str, Any]) -> str: ...


def answer_text(event: IncomingEvent, field_name: str) -> str | None:
    """The typed answer of an event: message text, or the field of a submitted form."""
    if event.kind == "text":
        return event.text
    if event.kind == "form":
        return event.form.get(field_name, "")
    return None


def choice_index(ctx: DialogContext, event: IncomingEvent) -> str | None:
    """The choice part of a pressed button's token (the engine has already checked its version)."""
    if event.kind != "action" or not event.action:
        return None
    return event.action.rsplit(".", 1)[-1]


Validator = Callable[[str, DialogContext], Awaitable[Any] | Any]


@dataclass
class Ask:
    """Ask for free text; `validate` returns the value to store or raises Invalid."""

    name: str
    title: str
    question: str | Callable[[DialogContext], str]
    validate: Validator
    optional: bool = False
    multiline: bool = False
    max_length: int = 200
    placeholder: str = ""
    suggestions: Sequence[str] = ()
    section: int = 0
    key: str | None = None
    display: Callable[[dict[str, Any]], str] | None = None

    @property
    def answer_key(self) -> str:
        return self.key or self.name

    def _question(self, ctx: DialogContext) -> str:
        return self.question(ctx) if callable(self.question) else self.question

    async def prompt(self, ctx: DialogContext) -> Reply:
        text = self._question(ctx)
        buttons = [Button(s, ctx.choice_token(f"s{i}")) for i, s in enumerate(self.suggestions)]
        if self.optional:
            text += "\n(Optional: press Skip or type skip.)"
            buttons.append(Button("Skip", ctx.token(SKIP)))
        form = Form(
            title=self.title[:45],
            fields=(
                Field(
                    name=self.name,
                    label=self.title[:45],
                    required=not self.optional,
                    max_length=min(self.max_length, 4000),
                    multiline=self.multiline,
                    placeholder=self.placeholder[:100],
                ),
            ),
            action=ctx.token("form"),
        )
        return Reply(text=text, buttons=button_rows(buttons, 3), form=form, private=True)

    async def accept(self, ctx: DialogContext, event: IncomingEvent) -> Outcome:
        choice = choice_index(ctx, event)
        if choice == SKIP and self.optional:
            ctx.answers[self.answer_key] = None
            return Next()
        if choice is not None and choice.startswith("s") and choice[1:].isdigit():
            index = int(choice[1:])
            if index < len(self.suggestions):
                return await self._store(ctx, self.suggestions[index])
        raw = answer_text(event, self.name)
        if raw is None:
            raise Invalid("Please type your answer as a message.")
        if self.optional and raw.strip().lower() in SKIP_WORDS:
            ctx.answers[self.answer_key] = None
            return Next()
        if not raw.strip():
            raise Invalid("That was empty. " + ("Type skip to leave it out." if self.optional else ""))
        if len(raw) > self.max_length:
            raise Invalid(
                f"That is {len(raw):,} characters; please keep it under {self.max_length:,}. "
                "Shorten it a little and send it again."
            )
        return await self._store(ctx, raw)

    async def _store(self, ctx: DialogContext, raw: str) -> Outcome:
        value = self.validate(raw, ctx)
        if inspect.isawaitable(value):
            value = await value
        ctx.answers[self.answer_key] = value
        return Next()

    def show(self, answers: dict[str, Any]) -> str:
        if self.display is not None:
            return self.display(answers)
        value = answers.get(self.answer_key)
        return "—" if value in (None, "") else str(value)


@dataclass
class Choose:
    """Pick one option from buttons; typing the option's number or label works too."""

    name: str
    title: str
    question: str | Callable[[DialogContext], str]
    options: Sequence[Option] | Callable[[DialogContext], Sequence[Option]]
    per_row: int = 3
    section: int = 0
    key: str | None = None
    then: Callable[[DialogContext, Any], Outcome | Awaitable[Outcome]] | None = None
    display: Callable[[dict[str, Any]], str] | None = None

    @property
    def answer_key(self) -> str:
        return self.key or self.name

    def _options(self, ctx: DialogContext) -> Sequence[Option]:
        return self.options(ctx) if callable(self.options) else self.options

    async def prompt(self, ctx: DialogContext) -> Reply:
        question = self.question(ctx) if callable(self.question) else self.question
        buttons = [Button(option.label, ctx.choice_token(i)) for i, option in enumerate(self._options(ctx))]
        return Reply(text=question, buttons=button_rows(buttons, self.per_row), private=True)

    async def accept(self, ctx: DialogContext, event: IncomingEvent) -> Outcome:
        options = self._options(ctx)
        option = self._match(options, ctx, event)
        if option is None:
            labels = ", ".join(o.label for o in options[:12])
            raise Invalid(f"Please pick one of the options: {labels}.")
        ctx.answers[self.answer_key] = option.value
        if self.then is not None:
            outcome = self.then(ctx, option.value)
            return await outcome if inspect.isawaitable(outcome) else outcome
        return Next()

    @staticmethod
    def _match(options: Sequence[Option], ctx: DialogContext, event: IncomingEvent) -> Option | None:
        choice = choice_index(ctx, event)
        if choice is not None:
            return options[int(choice)] if choice.isdigit() and int(choice) < len(options) else None
        raw = collapse_spaces(answer_text(event, "") or "").lower()
        if not raw:
            return None
        if raw.isdigit() and 1 <= int(raw) <= len(options) and not any(str(o.value) == raw for o in options):
            return options[int(raw) - 1]
        for option in options:
            if raw in {option.label.lower(), str(option.value).lower()}:
                return option
        return None

    def label_of(self, value: Any, ctx: DialogContext | None = None) -> str:
        if ctx is not None:
            options = self._options(ctx)
        elif callable(self.options):
            options = []
        else:
            options = list(self.options)
        for option in options:
            if option.value == value:
                return option.label
        return str(value)

    def show(self, answers: dict[str, Any]) -> str:
        if self.display is not None:
            return self.display(answers)
        value = answers.get(self.answer_key)
        if value is None:
            return "—"
        if not callable(self.options):
            return self.label_of(value)
        return str(value)


def yes_no(yes_label: str = "Yes", no_label: str = "No") -> list[Option]:
    """The two options of a yes/no question."""
    return [Option(True, yes_label), Option(False, no_label)]
