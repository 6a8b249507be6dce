"""Step types every dialog is built from: ask for text, choose an option, take an upload.

Sections and the review screen are in core.dialog.sections."""

from __future__ import annotations

import inspect
import logging
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Protocol

from core.domain.experience import Invalid
from core.events import Actor, Attachment, IncomingEvent
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

    @property
    def name(self) -> str: ...

    @property
    def title(self) -> str: ...

    @property
    def section(self) -> int:
        """The numbered section this step fills (core.dialog.sections; sub-steps share it), 0 for none."""
        ...

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
Then = Callable[[DialogContext, Any], Outcome | Awaitable[Outcome]]
CHOOSE_HINT = "Press one of the buttons, or type the option's number or its name."


def finish(done: Callable[[DialogContext], Awaitable[list[Reply]]]) -> Then:
    """A `then` callback that ends the flow with `done(ctx)`'s replies.

    `done` runs inside the step's unit of work (`ctx.unit`): what it writes commits together with the
    dialog's removal, and an Invalid it raises rolls both back and asks the question again.
    """

    async def then(ctx: DialogContext, value: Any) -> Outcome:
        return Done(tuple(await done(ctx)))

    return then


async def run_then(then: Then | None, ctx: DialogContext, value: Any) -> Outcome:
    """The outcome of a step's `then` callback (sync or async), or Next() without one."""
    if then is None:
        return Next()
    outcome = then(ctx, value)
    return await outcome if inspect.isawaitable(outcome) else outcome


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
    hint: str = ""  # the expected form, told after two failed answers (core.dialog.engine.stuck_help)
    example: str = ""  # an answer that would be accepted, told with the hint
    then: Then | None = None  # what follows a valid answer (e.g. finish(...)); default: the next step

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
            return await run_then(self.then, ctx, None)
        if choice is not None and choice.startswith("s") and choice[1:].isdigit():
            index = int(choice[1:])
            if index < len(self.suggestions):
                return await self._store(ctx, self.suggestions[index])
        raw = answer_text(event, self.name)
        if raw is None:
            raise Invalid("Please type your answer as a message.")
        if self.optional and raw.strip().lower() in SKIP_WORDS:
            ctx.answers[self.answer_key] = None
            return await run_then(self.then, ctx, None)
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
        return await run_then(self.then, ctx, value)

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
    then: Then | None = None
    display: Callable[[dict[str, Any]], str] | None = None
    hint: str = CHOOSE_HINT

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
        return await run_then(self.then, ctx, option.value)

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


@dataclass(frozen=True)
class UploadMessages:
    """What an Upload step says when a file is refused; `{expected}`, `{filename}`, `{size_mb}` and
    `{limit_mb}` are filled in. `too_big` is used before the download (the platform told the size) and
    after it (it did not), so one file is refused the same way on every platform."""

    wrong_kind: str = "Please send {expected}; “{filename}” is not one."
    too_big: str = "That file is {size_mb:.1f} MB; the limit is {limit_mb:g} MB."
    no_download: str = "I couldn't download that file; please send it again."
    not_a_file: str = "Please send {expected}."


UploadCheck = Callable[[Attachment, bytes], Any]


@dataclass
class Upload:
    """Take one uploaded file: right kind, at most `max_bytes`, downloaded, then `check`ed.

    Refusals before the download cost nothing (wrong kind by attachment kind / MIME type / file name,
    too big by the size the platform reports, `precheck` e.g. a video's duration); after it, the size
    is checked again and `check(attachment, data)` returns the value (or raises Invalid with the reason
    the content is not acceptable, e.g. "not a real PDF"). The value goes to `then(ctx, value)` (which
    may finish the flow); without `then` it is stored under `key`/`name`. `receive` is the same checks
    without a dialog, for uploads outside one.
    """

    name: str
    title: str
    question: str | Callable[[DialogContext], str]
    check: UploadCheck
    max_bytes: int
    kinds: tuple[str, ...] = ()  # attachment kinds accepted whatever their name ("video", "video_note")
    mimes: tuple[str, ...] = ()  # MIME types, or prefixes ending in "/" ("video/", "application/pdf")
    suffixes: tuple[str, ...] = ()  # file-name endings (".mp4", ".pdf")
    expected: str = "a file"  # how messages name an acceptable file ("a PDF file", "a video")
    messages: UploadMessages = field(default_factory=UploadMessages)
    precheck: Callable[[Attachment], None] | None = None  # more refusals before downloading
    then: Then | None = None
    section: int = 0
    key: str | None = None
    hint: str = ""
    example: str = ""

    def accepts(self, attachment: Attachment) -> bool:
        """Whether the attachment is presented as an acceptable kind (its bytes are checked later)."""
        mime = attachment.mime.lower()
        name = (attachment.filename or "").lower()
        return (
            attachment.kind in self.kinds
            or any(mime == m or (m.endswith("/") and mime.startswith(m)) for m in self.mimes)
            or any(name.endswith(suffix) for suffix in self.suffixes)
        )

    def _say(self, template: str, attachment: Attachment | None = None, size: int | None = None) -> Invalid:
        """One refusal with every documented field filled in (UploadMessages): a feature's message may
        use any of them (the mock's "couldn't download" names the limit; a missing field was a KeyError
        that answered "Something went wrong" instead, issue #14)."""
        size = size if size is not None else (attachment.size if attachment is not None else None)
        return Invalid(
            template.format(
                expected=self.expected,
                filename=(attachment.filename if attachment is not None else "") or "file",
                size_mb=(size or 0) / 1024 / 1024,
                limit_mb=self.max_bytes / 1024 / 1024,
            )
        )

    def _too_big(self, size: int) -> Invalid:
        return self._say(self.messages.too_big, size=size)

    async def receive(self, attachment: Attachment) -> Any:
        """The checked value of one attachment, or Invalid with a message the student understands."""
        if not self.accepts(attachment):
            raise self._say(self.messages.wrong_kind, attachment)
        if attachment.size is not None and attachment.size > self.max_bytes:
            raise self._too_big(attachment.size)
        if self.precheck is not None:
            self.precheck(attachment)
        if attachment.fetch is None:
            raise self._say(self.messages.no_download, attachment)
        try:
            data = await attachment.fetch()
        except Exception as problem:  # the platform refused (too big, expired file id, network)
            logger.warning("download of %s failed: %s", attachment.filename, type(problem).__name__)
            raise self._say(self.messages.no_download, attachment) from None
        if len(data) > self.max_bytes:
            raise self._too_big(len(data))
        value = self.check(attachment, data)
        return await value if inspect.isawaitable(value) else value

    async def prompt(self, ctx: DialogContext) -> Reply:
        text = self.question(ctx) if callable(self.question) else self.question
        return Reply(text=text, private=True)

    async def accept(self, ctx: DialogContext, event: IncomingEvent) -> Outcome:
        if event.kind != "upload" or not event.attachments:
            raise self._say(self.messages.not_a_file)
        value = await self.receive(event.attachments[0])
        if self.then is None:
            ctx.answers[self.key or self.name] = value
        return await run_then(self.then, ctx, value)

    def show(self, answers: dict[str, Any]) -> str:
        return "—"
