"""Platform-neutral replies: what the core wants shown; adapters render them in their platform's idiom."""

from __future__ import annotations

from dataclasses import dataclass, field
from ipaddress import ip_address
from urllib.parse import urlsplit


@dataclass(frozen=True)
class Button:
    """A choice; `action` is a short opaque token (<= 64 bytes) the core maps back when pressed.

    With `url` it is a link button instead (the platform opens the address; `action` is unused).
    `web_app` asks, in addition, to open the link inside the chat app where the platform can (a
    Telegram Mini App, which needs an https address and a private chat); elsewhere it is a plain link.
    `app_only`: the page works only inside the chat app (the Mini App sharing form needs Telegram's
    signed initData), so platforms that cannot open it in-app leave the button out.
    """

    label: str
    action: str
    url: str | None = None
    web_app: bool = False
    app_only: bool = False


def link_button(label: str, url: str, *, web_app: bool = False, app_only: bool = False) -> Button:
    """A button that opens `url` (an http(s) address); `web_app`: as an in-app page where supported;
    `app_only`: only there (left out where the platform has no in-app pages)."""
    return Button(label, "link", url=url, web_app=web_app or app_only, app_only=app_only)


def reachable_link(url: str) -> bool:
    """Whether other people's devices can open `url`: http(s) to a host that is not this machine.

    Chat platforms reject (Telegram) or cannot open (everyone else's phone) links to localhost or
    loopback addresses, which a local `main.py --web` run links for its console.
    """
    parts = urlsplit(url)
    host = (parts.hostname or "").lower()
    if (
        parts.scheme not in ("http", "https")
        or not host
        or host == "localhost"
        or host.endswith(".localhost")
    ):
        return False
    try:
        return not (ip_address(host).is_loopback or ip_address(host).is_unspecified)
    except ValueError:
        return "." in host


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
    # Answers a button that no longer applies (an earlier step, a finished dialog): adapters retire the
    # pressed keyboard without marking the stale choice as taken.
    stale: bool = False
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
