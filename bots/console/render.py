"""Render core replies as plain terminal text with numbered choices."""

from __future__ import annotations

import logging
import re
import time
from pathlib import Path

from core.replies import Button, Reply
from core.text_norm import clean_incoming

logger = logging.getLogger(__name__)

BOLD = re.compile(r"\*\*(.+?)\*\*", re.DOTALL)
SAFE_NAME = re.compile(r"[^A-Za-z0-9._-]+")


def safe(text: str) -> str:
    """Text as the terminal may print it: stored data (another user's name, a pushed post) can carry
    escape codes that would recolour, retitle or clear the moderator's terminal; they are removed."""
    return clean_incoming(text)


def plain(text: str, ansi: bool = False) -> str:
    """Turn the core's **bold** into ANSI bold on a terminal, or drop the markers when piped."""
    text = safe(text)
    return BOLD.sub((lambda m: f"\033[1m{m.group(1)}\033[0m") if ansi else (lambda m: m.group(1)), text)


def save_file(directory: Path, filename: str, data: bytes) -> Path:
    """Write an image or document under var/console/ and return its path."""
    directory.mkdir(parents=True, exist_ok=True)
    safe = SAFE_NAME.sub("_", filename).strip("._") or "file"
    path = directory / f"{time.strftime('%Y%m%d-%H%M%S')}-{time.monotonic_ns() % 1_000_000:06d}-{safe}"
    path.write_bytes(data)
    return path


def _saved(kind: str, directory: Path, filename: str, data: bytes, caption: str) -> str:
    """The line for one image or file; a file that cannot be written (read-only or full disk, a
    path that is not a directory) is reported on that line, and the rest of the reply still prints."""
    try:
        where = str(save_file(directory, filename, data))
    except OSError as exc:
        logger.warning("console: could not save %s under %s: %s", filename, directory, exc)
        where = f"not saved, {directory} cannot be written: {exc.strerror or exc}"
    return f"[{kind}: {safe(where)}]" + (f" {safe(caption)}" if caption else "")


def render(reply: Reply, first_number: int, output_dir: Path, ansi: bool = False) -> tuple[str, list[Button]]:
    """Text for one reply and the buttons it numbered (numbering continues from `first_number`).

    Every piece of text is passed through `safe` (no escape codes from stored data); only our own
    bold markup becomes ANSI.
    """
    lines = [plain(reply.text, ansi)] if reply.text else []
    for image in reply.images:
        lines.append(_saved("image", output_dir, image.filename, image.png, image.caption))
    for document in reply.files:
        lines.append(_saved("file", output_dir, document.filename, document.data, document.caption))
    numbered: list[Button] = []
    for row in reply.buttons:
        cells = []
        for button in row:
            if button.url:
                if not button.app_only:  # a page that works only inside a chat app is no use here
                    cells.append(f"{safe(button.label)}: {safe(button.url)}")
                continue
            numbered.append(button)
            cells.append(f"[{first_number + len(numbered) - 1}] {safe(button.label)}")
        if cells:
            lines.append("   ".join(cells))
    return "\n".join(lines), numbered
