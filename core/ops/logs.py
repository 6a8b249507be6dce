"""Log lines that say which update they belong to, and an optional JSON format for log collectors.

The router sets `UPDATE_ID` for the duration of each event (core/router.py); tasks started while it is
set (a scoring, a chart render) inherit it, because asyncio copies the context into new tasks.
`UpdateIdFilter` copies it onto every log record as `record.update_id` (None outside an event), so
both formats can print it: the text format as `[update_id]`, the JSON format as an `"update_id"` key.
"""

from __future__ import annotations

import logging
from contextvars import ContextVar
from typing import TextIO

from pythonjsonlogger.json import JsonFormatter

logger = logging.getLogger(__name__)

# The update being handled: the platform's id when the adapter knows it (Telegram "tg:<chat>:<message>"
# or the callback query id, Discord the interaction or message snowflake), else "<platform>-<n>".
UPDATE_ID: ContextVar[str | None] = ContextVar("update_id", default=None)

TEXT_FORMAT = "%(asctime)s %(levelname)s %(name)s [%(update_id)s]: %(message)s"
JSON_FIELDS = "%(asctime)s %(levelname)s %(name)s %(message)s %(update_id)s"


class UpdateIdFilter(logging.Filter):
    """Adds `update_id` (the current event's id, or `missing` outside events) to every record it passes."""

    def __init__(self, missing: str | None = None) -> None:
        super().__init__()
        self._missing = missing

    def filter(self, record: logging.LogRecord) -> bool:
        update_id = UPDATE_ID.get()
        record.update_id = self._missing if update_id is None else update_id
        return True


def json_formatter() -> logging.Formatter:
    """One JSON object per line: timestamp, level, logger, message, update_id (and exc_info if any)."""
    return JsonFormatter(
        JSON_FIELDS,
        rename_fields={"asctime": "time", "levelname": "level", "name": "logger"},
        json_ensure_ascii=False,
    )


def make_handler(stream: TextIO, *, json: bool) -> logging.Handler:
    """A handler writing to `stream` in the text or JSON format, with `update_id` on every record."""
    handler = logging.StreamHandler(stream)
    handler.addFilter(UpdateIdFilter(None if json else "-"))  # JSON null; "[-]" in a text line
    handler.setFormatter(json_formatter() if json else logging.Formatter(TEXT_FORMAT))
    return handler


def install_handler(level: int, *, json: bool, stream: TextIO) -> logging.Handler | None:
    """Give the root logger that handler at `level`, like `logging.basicConfig`: only when it has none
    yet (a host that configured logging, such as pytest, keeps its own); returns it, or None."""
    root = logging.getLogger()
    if root.handlers:
        return None
    handler = make_handler(stream, json=json)
    root.addHandler(handler)
    root.setLevel(level)
    return handler
