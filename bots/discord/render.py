"""Turn core Replies into Discord-sized messages: escaped markdown, 2,000-char chunks, button rows, files."""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass, field

from discord.utils import escape_markdown

from core.replies import Button, Form, Reply, reachable_link

logger = logging.getLogger(__name__)

MAX_TEXT = 2000
MAX_ROWS = 5
MAX_PER_ROW = 5
MAX_FILES = 10
MAX_LABEL = 80
MAX_FILE_BYTES = 10 * 1024 * 1024  # Discord's upload limit for bots in unboosted guilds
ACTION_PREFIX = "ii:"
FORM_PREFIX = "iif:"
FORM_BUTTON_LABEL = "✏️ Answer"
MORE_CHOICES = "More choices:"

_BOLD = re.compile(r"\*\*(.+?)\*\*", re.DOTALL)


@dataclass(frozen=True)
class ButtonSpec:
    """One Discord button: a dialog action (custom_id "ii:..."), a form opener ("iif:...") or a link."""

    label: str
    custom_id: str | None = None
    url: str | None = None


@dataclass(frozen=True)
class FileSpec:
    """An attachment to upload with a message."""

    filename: str
    data: bytes


@dataclass
class Outgoing:
    """One Discord message to send: content, button rows and files, plus whether it is personal."""

    content: str = ""
    rows: list[list[ButtonSpec]] = field(default_factory=list)
    files: list[FileSpec] = field(default_factory=list)
    private: bool = False


def to_markdown(text: str) -> str:
    """Escape Discord markdown in core text, keeping the core's **bold** spans bold."""
    out: list[str] = []
    last = 0
    for match in _BOLD.finditer(text):
        out.append(escape_markdown(text[last : match.start()]))
        inner = match.group(1).strip()
        out.append(f"**{escape_markdown(inner)}**" if inner else "")
        last = match.end()
    out.append(escape_markdown(text[last:]))
    return "".join(out)


def _cut_point(text: str, limit: int) -> int:
    """Where to cut `text` to at most `limit` chars: a paragraph, line or word break, never mid-escape."""
    for sep in ("\n\n", "\n", " "):
        pos = text.rfind(sep, 0, limit + 1)
        if pos > limit // 2:
            return pos
    cut = limit
    while cut > 1 and text[cut - 1] == "\\":  # never separate a backslash from the char it escapes
        cut -= 1
    return cut


def split_text(text: str, limit: int = MAX_TEXT) -> list[str]:
    """Split rendered markdown into chunks of at most `limit` chars, re-opening bold across a cut."""
    budget = limit - 4  # room to close and re-open a bold span
    chunks: list[str] = []
    rest = text
    carry_bold = False
    while rest:
        if carry_bold:
            rest = "**" + rest
        if len(rest) <= limit and (rest.count("**") % 2 == 0):
            chunks.append(rest)
            break
        cut = _cut_point(rest, budget)
        head, rest = rest[:cut].rstrip(), rest[cut:].lstrip()
        carry_bold = head.count("**") % 2 == 1
        if carry_bold:
            if rest:
                head += "**"
            else:
                head = head[:-2] if head.endswith("**") else head + "**"
                carry_bold = False
        if head:
            chunks.append(head)
    return chunks or [""]


def button_specs(buttons: tuple[tuple[Button, ...], ...], form: Form | None) -> list[list[ButtonSpec]]:
    """Lay out the core's button rows (plus a form opener) in Discord's rows of at most five."""
    rows: list[list[ButtonSpec]] = []
    seen: set[str] = set()
    for row in buttons:
        specs: list[ButtonSpec] = []
        for button in row:
            label = (button.label or "•")[:MAX_LABEL]
            if button.url:
                if reachable_link(button.url) and not button.app_only:  # in-app pages: Telegram only
                    specs.append(ButtonSpec(label=label, url=button.url))
                continue
            custom_id = ACTION_PREFIX + button.action
            if custom_id in seen:  # Discord rejects a message with duplicate custom_ids
                logger.warning("dropping duplicate button action %r", button.action)
                continue
            seen.add(custom_id)
            specs.append(ButtonSpec(label=label, custom_id=custom_id))
        rows.extend(specs[i : i + MAX_PER_ROW] for i in range(0, len(specs), MAX_PER_ROW))
    if form is not None:
        rows.append([ButtonSpec(label=FORM_BUTTON_LABEL, custom_id=FORM_PREFIX + form.action)])
    return [row for row in rows if row]


def render_reply(reply: Reply) -> list[Outgoing]:
    """Render one Reply as Discord messages; buttons and files ride on the last text chunk."""
    lines = [reply.text] if reply.text else []
    files: list[FileSpec] = []
    for image in reply.images:
        files.append(FileSpec(image.filename or "chart.png", image.png))
        if image.caption:
            lines.append(image.caption)
    for doc in reply.files:
        if len(doc.data) > MAX_FILE_BYTES:
            lines.append(f"({doc.filename} is too large to send here.)")
            continue
        files.append(FileSpec(doc.filename, doc.data))
        if doc.caption:
            lines.append(doc.caption)
    text = to_markdown("\n".join(lines))
    chunks = split_text(text) if text else [""]
    rows = button_specs(reply.buttons, reply.form)
    messages = [Outgoing(content=chunk, private=reply.private) for chunk in chunks]
    last = messages[-1]
    last.rows = rows[:MAX_ROWS]
    last.files = files[:MAX_FILES]
    for start in range(MAX_ROWS, len(rows), MAX_ROWS):
        messages.append(
            Outgoing(content=MORE_CHOICES, rows=rows[start : start + MAX_ROWS], private=reply.private)
        )
    for start in range(MAX_FILES, len(files), MAX_FILES):
        messages.append(Outgoing(files=files[start : start + MAX_FILES], private=reply.private))
    return [m for m in messages if m.content or m.rows or m.files]


def mark_pressed(content: str, label: str) -> str:
    """The text of a prompt whose buttons were answered: the old text plus "✓ <label>"."""
    mark = f"✓ {escape_markdown(label)}" if label else "✓"
    combined = f"{content}\n{mark}" if content else mark
    if len(combined) > MAX_TEXT:
        combined = content[: MAX_TEXT - len(mark) - 2] + "…\n" + mark
    return combined
