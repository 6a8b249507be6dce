"""Render core replies as plain terminal text with numbered choices."""

from __future__ import annotations

import logging
import re
import time
from pathlib import Path

from core.replies import Button, Reply

logger = logging.getLogger(__name__)

BOLD = re.compile(r"\*\*(.+?)\*\*", re.DOTALL)
SAFE_NAME = re.compile(r"[^A-Za-z0-9._-]+")


def plain(text: str, ansi: bool = False) -> str:
    """Turn the core's **bold** into ANSI bold on a terminal, or drop the markers when piped."""
    return BOLD.sub((lambda m: f"\033[1m{m.group(1)}\033[0m") if ansi else (lambda m: m.group(1)), text)


def save_file(directory: Path, filename: str, data: bytes) -> Path:
    """Write an image or document under var/console/ and return its path."""
    directory.mkdir(parents=True, exist_ok=True)
    safe = SAFE_NAME.sub("_", filename).strip("._") or "file"
    path = directory / f"{time.strftime('%Y%m%d-%H%M%S')}-{time.monotonic_ns() % 1_000_000:06d}-{safe}"
    path.write_bytes(data)
    return path


def render(reply: Reply, first_number: int, output_dir: Path, ansi: bool = False) -> tuple[str, list[Button]]:
    """Text for one reply and the buttons it numbered (numbering continues from `first_number`)."""
    lines = [plain(reply.text, ansi)] if reply.text else []
    for image in reply.images:
        path = save_file(output_dir, image.filename, image.png)
        lines.append(f"[image: {path}]" + (f" {image.caption}" if image.caption else ""))
    for document in reply.files:
        path = save_file(output_dir, document.filename, document.data)
        lines.append(f"[file: {path}]" + (f" {document.caption}" if document.caption else ""))
    numbered: list[Button] = []
    for row in reply.buttons:
        cells = []
        for button in row:
            if button.url:
                cells.append(f"{button.label}: {button.url}")
                continue
            numbered.append(button)
            cells.append(f"[{first_number + len(numbered) - 1}] {button.label}")
        if cells:
            lines.append("   ".join(cells))
    return "\n".join(lines), numbered
