"""Keep the bot token (and webhook secret) out of every log line, whichever library logs it."""

from __future__ import annotations

import logging
import threading
import traceback

logger = logging.getLogger(__name__)

_secrets: set[str] = set()
_lock = threading.Lock()
_installed = False
REDACTED = "<redacted>"


def redact(text: str) -> str:
    """Replace every registered secret in `text`."""
    for secret in _secrets:
        if secret in text:
            text = text.replace(secret, REDACTED)
    return text


def protect(*secrets: str) -> None:
    """Register secrets and install the redacting log-record factory once per process.

    A record factory (not a handler filter) sees records from every logger (httpx logs request URLs,
    which contain the token; PTB's InvalidToken message quotes it) before any handler formats them.
    """
    global _installed
    with _lock:
        _secrets.update(s for s in secrets if s and len(s) >= 4)
        if _installed:
            return
        previous = logging.getLogRecordFactory()

        def factory(*args: object, **kwargs: object) -> logging.LogRecord:
            record = previous(*args, **kwargs)
            if _secrets:
                _scrub(record)
            return record

        logging.setLogRecordFactory(factory)
        _installed = True


def _scrub(record: logging.LogRecord) -> None:
    """Render the message and traceback now, with secrets removed."""
    try:
        message = record.getMessage()
    except Exception:  # a broken format string must not hide the log line
        message = str(record.msg)
    clean = redact(message)
    if clean != message or record.args:
        record.msg, record.args = clean, None
    if record.exc_info and record.exc_info[1] is not None:
        text = "".join(traceback.format_exception(*record.exc_info)).rstrip("\n")
        record.exc_text = redact(text)
        exc = record.exc_info[1]
        if any(secret in str(exc) for secret in _secrets):
            record.exc_info = None  # the pre-rendered, redacted exc_text is kept
