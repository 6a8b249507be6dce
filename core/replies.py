"""Platform-neutral replies: what the core wants shown; adapters render them in their platform's idiom."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class Button:
    """A choice; `action` is a short opaque token (<= 64 bytes) the core maps back when pressed."""

    label: str
    action: str
    url: str | None = None


@dataclass(frozen=True)
class Image:
    """A PNG image with a caption that states its main finding in words."""

    png: bytes
    filename: str = "chart.png"
    caption: str = ""


@dataclass(frozen=True)
class Document:
    """A file sent to the user (JSON export, PDF resource...)."""

    data: bytes
    filename: str
    mime: str = "application/octet-stream"
    caption: str = ""


@dataclass(frozen=True)
class Field:
    """One input of a form; Discord renders it in a modal, others ask field by field."""

    name: str
    label: str
    required: bool = True
    max_length: int = 200
    multiline: bool = False
    placeholder: str = ""
    default: str = ""


@dataclass(frozen=True)
class Form:
    """Several short inputs asked at once (at most 5: Discord's modal limit)."""

    title: str
    fields: tuple[Field, ...]
    action: str  # token that identifies the form submission

    def __post_init__(self) -> None:
        if not 1 <= len(self.fields) <= 5:
            raise ValueError("a form has 1 to 5 fields")


@dataclass(frozen=True)
class Reply:
    """One message to show. Text uses a tiny neutral markup: **bold** and plain lines; adapters escape."""

    text: str = ""
    buttons: tuple[tuple[Button, ...], ...] = ()
    images: tuple[Image, ...] = ()
    files: tuple[Document, ...] = ()
    form: Form | None = None
    private: bool = False
    # Set when this reply answers a button press: adapters may then remove/mark the old keyboard.
    replaces_prompt: bool = False
    # A slow reply (charts, scoring): Discord defers first.
    slow: bool = False
    extra: dict = field(default_factory=dict, compare=False)


@dataclass(frozen=True)
class InlineCard:
    """A card to share into any chat (Telegram inline mode); `text` uses the core's neutral markup."""

    id: str
    title: str
    description: str
    text: str


def button_rows(buttons: list[Button], per_row: int = 2) -> tuple[tuple[Button, ...], ...]:
    """Lay buttons out in rows of `per_row` (adapters may re-flow to their own width)."""
    return tuple(tuple(buttons[i : i + per_row]) for i in range(0, len(buttons), per_row))


def or_dash(value: object) -> str:
    """A value as shown to people, "—" when unknown (None or empty: e.g. an imported post's passout year)."""
    return "—" if value is None or value == "" else str(value)
