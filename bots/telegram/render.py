"""Turn core Replies into Telegram messages: HTML escaping, **bold**, 4096/1024 splits, inline keyboards."""

from __future__ import annotations

import html
import logging
import re
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, WebAppInfo

from bots.telegram.limits import MAX_ALBUM, MAX_CALLBACK_DATA, MAX_CAPTION, MAX_TEXT
from core.replies import Button, Reply, reachable_link

logger = logging.getLogger(__name__)

BOLD = re.compile(r"\*\*(.+?)\*\*")
KEYBOARD_ONLY_TEXT = "Choose an option:"

Segment = tuple[str, bool]  # (plain text, bold?)
Line = list[Segment]


@dataclass(frozen=True)
class OutText:
    """A sendMessage call (HTML parse mode)."""

    html: str
    markup: InlineKeyboardMarkup | None = None


@dataclass(frozen=True)
class OutPhoto:
    """A sendPhoto call with a caption of at most 1024 characters."""

    png: bytes
    filename: str
    caption_html: str = ""
    markup: InlineKeyboardMarkup | None = None


@dataclass(frozen=True)
class OutAlbum:
    """A sendMediaGroup call: 2-10 photos as (png, filename, caption_html)."""

    items: tuple[tuple[bytes, str, str], ...]


@dataclass(frozen=True)
class OutDocument:
    """A sendDocument call with a caption of at most 1024 characters."""

    data: bytes
    filename: str
    caption_html: str = ""
    markup: InlineKeyboardMarkup | None = None


Out = OutText | OutPhoto | OutAlbum | OutDocument


def utf16_len(text: str) -> int:
    """Length as Telegram counts it (UTF-16 code units), so emoji never push a message over a limit."""
    return len(text.encode("utf-16-le")) // 2


def segments(text: str) -> list[Segment]:
    """Parse the core's neutral markup (plain text with **bold** spans) into segments."""
    parts = BOLD.split(text)
    return [(part, index % 2 == 1) for index, part in enumerate(parts) if part]


def to_html(text: str) -> str:
    """Neutral markup -> Telegram HTML with everything else escaped."""
    return _render_line(segments(text))


def _render_line(line: Line) -> str:
    out = []
    for text, bold in line:
        escaped = html.escape(text, quote=False)
        out.append(f"<b>{escaped}</b>" if bold else escaped)
    return "".join(out)


def _lines(segs: list[Segment]) -> list[Line]:
    lines: list[Line] = [[]]
    for text, bold in segs:
        for index, piece in enumerate(text.split("\n")):
            if index:
                lines.append([])
            if piece:
                lines[-1].append((piece, bold))
    return lines


def _line_len(line: Line) -> int:
    return sum(utf16_len(text) for text, _ in line)


def _cut(line: Line, limit: int) -> tuple[Line, Line]:
    """Split an over-long line at the last space that fits (or hard at the limit)."""
    chars = [(ch, bold) for text, bold in line for ch in text]
    used, end, last_space = 0, 0, -1
    for index, (ch, _) in enumerate(chars):
        width = utf16_len(ch)
        if used + width > limit:
            break
        used += width
        end = index + 1
        if ch.isspace():
            last_space = index + 1
    if last_space > end // 2:
        end = last_space
    return _regroup(chars[:end]), _regroup(chars[end:])


def _regroup(chars: list[tuple[str, bool]]) -> Line:
    line: Line = []
    for ch, bold in chars:
        if line and line[-1][1] == bold:
            line[-1] = (line[-1][0] + ch, bold)
        else:
            line.append((ch, bold))
    return line


def split_html(text: str, limit: int = MAX_TEXT, first_limit: int | None = None) -> list[str]:
    """Split neutral text into HTML chunks of at most `limit` visible characters, on line boundaries.

    Bold spans that cross a boundary are closed and reopened, so every chunk is valid HTML.
    `first_limit` makes the first chunk shorter (a 1024-character caption followed by messages).
    """
    limit_for: Callable[[int], int] = lambda n: first_limit if (n == 0 and first_limit) else limit  # noqa: E731
    chunks: list[list[Line]] = []
    current: list[Line] = []
    used = 0
    queue = deque(_lines(segments(text)))
    while queue:
        line = queue.popleft()
        limit_now = limit_for(len(chunks))
        need = _line_len(line) + (1 if current else 0)
        if used + need <= limit_now:
            current.append(line)
            used += need
        elif current:
            chunks.append(current)
            current, used = [], 0
            queue.appendleft(line)
        else:
            head, tail = _cut(line, limit_now)
            chunks.append([head])
            queue.appendleft(tail)
    if current:
        chunks.append(current)
    rendered = ["\n".join(_render_line(line) for line in chunk).strip("\n") for chunk in chunks]
    return [chunk for chunk in rendered if html.unescape(chunk).strip()]


def keyboard(rows: tuple[tuple[Button, ...], ...]) -> InlineKeyboardMarkup | None:
    """Inline keyboard from button rows; a callback token over 64 bytes is a core bug: log and drop it."""
    out = []
    for row in rows:
        buttons = []
        for button in row:
            if button.url:
                if not reachable_link(button.url):  # Telegram rejects localhost links (a local --web run)
                    logger.debug("dropping link button %r to a local address", button.label)
                elif button.web_app and button.url.startswith("https://"):  # Mini Apps need https
                    buttons.append(InlineKeyboardButton(button.label, web_app=WebAppInfo(button.url)))
                elif button.app_only:
                    logger.debug("dropping in-app button %r: its page needs https", button.label)
                else:
                    buttons.append(InlineKeyboardButton(button.label, url=button.url))
            elif len(button.action.encode("utf-8")) > MAX_CALLBACK_DATA:
                logger.error(
                    "dropping button %r: its action token is %d bytes (Telegram allows %d)",
                    button.label,
                    len(button.action.encode("utf-8")),
                    MAX_CALLBACK_DATA,
                )
            else:
                buttons.append(InlineKeyboardButton(button.label, callback_data=button.action))
        if buttons:
            out.append(buttons)
    return InlineKeyboardMarkup(out) if out else None


def _captioned(caption: str) -> tuple[str, list[str]]:
    """A caption that fits 1024 characters, and the overflow as following message chunks."""
    if not caption:
        return "", []
    chunks = split_html(caption, MAX_TEXT, first_limit=MAX_CAPTION)
    if not chunks:
        return "", []
    first, rest = chunks[0], chunks[1:]
    return first, rest


def render_reply(reply: Reply) -> list[Out]:
    """The messages that show one Reply, in order; the keyboard rides on the last message."""
    outs: list[Out] = [OutText(chunk) for chunk in split_html(reply.text)]
    images = list(reply.images)
    for start in range(0, len(images), MAX_ALBUM):
        batch = images[start : start + MAX_ALBUM]
        overflow: list[str] = []
        if len(batch) == 1:
            caption, overflow = _captioned(batch[0].caption)
            outs.append(OutPhoto(batch[0].png, batch[0].filename, caption))
        else:
            items = []
            for image in batch:
                caption, more = _captioned(image.caption)
                overflow.extend(more)
                items.append((image.png, image.filename, caption))
            outs.append(OutAlbum(tuple(items)))
        outs.extend(OutText(chunk) for chunk in overflow)
    for doc in reply.files:
        caption, overflow = _captioned(doc.caption)
        outs.append(OutDocument(doc.data, doc.filename, caption))
        outs.extend(OutText(chunk) for chunk in overflow)
    markup = keyboard(reply.buttons)
    if markup is None:
        return outs
    last = outs[-1] if outs else None
    if isinstance(last, OutText):
        outs[-1] = OutText(last.html, markup)
    elif isinstance(last, OutPhoto):
        outs[-1] = OutPhoto(last.png, last.filename, last.caption_html, markup)
    elif isinstance(last, OutDocument):
        outs[-1] = OutDocument(last.data, last.filename, last.caption_html, markup)
    else:  # nothing to attach a keyboard to (empty text, or an album)
        outs.append(OutText(KEYBOARD_ONLY_TEXT, markup))
    return outs
