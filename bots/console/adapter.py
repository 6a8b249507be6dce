"""The embedded default front door: a terminal REPL, or a scripted conversation when stdin is a pipe."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import mimetypes
import shlex
import sys
import threading
from functools import partial
from pathlib import Path
from typing import IO, Literal

from bots.base import Capabilities
from bots.console.render import render
from core.config import Config
from core.events import Attachment, ChatRef, IncomingEvent, UserRef
from core.ports import AppPort
from core.replies import Button, Reply
from core.text_norm import parse_id

logger = logging.getLogger(__name__)

PROMPT = "> "
SORRY = "Something went wrong on our side, sorry. Please try again."
AttachmentKind = Literal["video", "photo", "document"]  # what a typed file path can be
# A typed path with one of these endings is sent as a file (a video answer, a PDF, a write-up).
MEDIA_SUFFIXES = {".mp4", ".mov", ".webm", ".mkv", ".pdf", ".png", ".jpg", ".jpeg", ".json", ".csv"}
MEDIA_SUFFIXES |= {".txt", ".md"}


class ConsoleAdapter:
    """Reads one message per line; buttons print as numbered choices that the user types."""

    name = "console"
    capabilities = Capabilities(
        max_text=100_000, max_caption=100_000, forms=False, edits=False, buttons_per_row=4, max_buttons=100
    )

    def __init__(
        self, app: AppPort, config: Config, stdin: IO[str] | None = None, stdout: IO[str] | None = None
    ) -> None:
        self._app = app
        self._config = config
        self._stdin = stdin or sys.stdin
        self._stdout = stdout or sys.stdout
        self._interactive = self._stdin.isatty() and self._stdout.isatty()
        self._output_dir = Path(config.console.output_dir)
        self._buttons: list[Button] = []
        self._running = True
        console = config.console
        self.user = UserRef("console", console.user_id, console.user_name)
        self.chat = ChatRef("console", console.user_id, is_private=True, title="console")

    async def run(self) -> None:
        """Serve until EOF or /quit."""
        self._app.register_notifier("console", self)
        _tolerant(self._stdin, "surrogateescape")  # undecodable bytes reach the event, which cleans them
        _tolerant(self._stdout, "replace")
        if self._interactive:
            self._write("Interview Insights (console). Type /start to begin, /quit to leave.")
        loop = asyncio.get_running_loop()
        while self._running:
            if self._interactive:
                self._stdout.write(PROMPT)
                self._stdout.flush()
            try:
                line = await _read_line(loop, self._stdin)
            except (UnicodeDecodeError, ValueError) as exc:  # a stream we could not reconfigure
                logger.warning("console: unreadable input line: %s", exc)
                self._write("Sorry, I could not read that line. Please type it again.")
                continue
            if not line:
                break
            line = line.rstrip("\r\n")
            if not self._interactive:
                self._write(f"{PROMPT}{line}")
            if line.strip() in ("/quit", "/exit"):
                break
            await self.dispatch(line)

    async def dispatch(self, line: str) -> None:
        """Turn one typed line into an event, let the core answer, print the replies.

        Never raises: a line that cannot be read as an event, or a reply that cannot be shown, is
        logged and apologised for, and the next line is served (the terminal session survives).
        """
        try:
            event = self.translate(line)
            if event is None:
                return
            replies = await self._app.handle(event)
        except Exception:
            logger.exception("console: could not handle the line")
            self._write(SORRY)
            return
        self._buttons = []  # numbers always refer to the latest answer's choices
        for reply in replies:
            try:
                self._show(reply)
            except Exception:
                logger.exception("console: could not show a reply")
                self._write(SORRY)

    def translate(self, line: str) -> IncomingEvent | None:
        """A number picks a shown button; /cmd args is a command; an existing file path is an upload."""
        text = line.strip()
        if not text:
            return None
        event = partial(
            IncomingEvent,
            self.user,
            self.chat,
            is_moderator=self.user.id in self._config.moderation.console_user_ids,
            college_code=self._config.console.college or None,  # --college CODE (issue #15)
        )
        choice = parse_id(text) if self._buttons else None
        if choice is not None and choice <= len(self._buttons):
            return event(kind="action", action=self._buttons[choice - 1].action)
        if text.startswith("/") and len(text) > 1 and not _exists(Path(text)):
            command, _, args = text[1:].partition(" ")
            return event(kind="command", command=command.lower(), args=args.strip())
        upload = self._attachment(text)
        if upload is not None:
            return event(kind="upload", attachments=(upload,))
        return event(kind="text", text=line)

    @staticmethod
    def _attachment(text: str) -> Attachment | None:
        try:
            parts = shlex.split(text)
        except ValueError:
            return None
        if len(parts) != 1:
            return None
        try:
            path = Path(parts[0]).expanduser()
            if path.suffix.lower() not in MEDIA_SUFFIXES or not path.is_file():
                return None
            size = path.stat().st_size
        except (OSError, ValueError, RuntimeError):  # too long a name, a NUL, no home directory
            return None

        async def fetch() -> bytes:
            return await asyncio.to_thread(path.read_bytes)

        mime = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
        kind: AttachmentKind = (
            "video" if mime.startswith("video/") else "photo" if mime.startswith("image/") else "document"
        )
        return Attachment(path.name, size, mime, None, kind, fetch)

    @property
    def choices(self) -> list[str]:
        """Labels of the numbered choices on screen now (choice N is `choices[N - 1]`)."""
        return [button.label for button in self._buttons]

    async def send(self, chat: ChatRef, reply: Reply) -> None:
        """A pushed reply (scores, moderation outcome, digest) for this terminal's user prints like any other.

        The console is one person: a push to another console user (a moderator alert when you are not
        the moderator) is not shown here, or moderators' cards would leak to students.
        """
        if chat.id != self.chat.id:
            logger.info("console: a message for %s is not shown to %s", chat.id, self.chat.id)
            return
        if reply.buttons:
            self._buttons = []
        try:
            self._show(reply)
        except Exception:  # a push that cannot be shown must not fail the sender's own request
            logger.exception("console: could not show a pushed reply")

    async def stop(self) -> None:
        """Stop reading input."""
        self._running = False

    def _show(self, reply: Reply) -> None:
        text, numbered = render(reply, len(self._buttons) + 1, self._output_dir, ansi=self._interactive)
        self._buttons.extend(numbered)
        if text:
            self._write(text)

    def _write(self, text: str) -> None:
        self._stdout.write(text + "\n")
        self._stdout.flush()


def _exists(path: Path) -> bool:
    """Whether a typed line names an existing file; a line that cannot be a path (a word over 255
    bytes, a NUL) is simply not one, rather than an OSError that would end the session."""
    try:
        return path.exists()
    except (OSError, ValueError):
        return False


def _tolerant(stream: IO[str], errors: str) -> None:
    """Make a text stream decode/encode without raising (a terminal may send bytes that are not UTF-8)."""
    reconfigure = getattr(stream, "reconfigure", None)
    if reconfigure is None:
        return
    try:
        reconfigure(errors=errors)
    except (ValueError, OSError) as exc:  # e.g. a stream that was already read from
        logger.info("console: could not set errors=%s on %s: %s", errors, stream, exc)


def _read_line(loop: asyncio.AbstractEventLoop, stream: IO[str]) -> asyncio.Future[str]:
    """One line of `stream`, read in a daemon thread of its own.

    Not the loop's default executor: asyncio.run waits for that executor's threads on the way out, so a
    read blocked on a terminal or a pipe kept Ctrl-C and SIGTERM from ending the bot until the next line
    or EOF. A daemon thread left blocked in readline() does not hold the process.
    """
    future: asyncio.Future[str] = loop.create_future()

    def settle(line: str | None, error: BaseException | None) -> None:
        if future.done():
            return
        if error is not None:
            future.set_exception(error)
        else:
            future.set_result(line or "")

    def read() -> None:
        try:
            line, error = stream.readline(), None
        except BaseException as exc:  # noqa: BLE001 - handed to the awaiting coroutine
            line, error = None, exc
        with contextlib.suppress(RuntimeError):  # the loop closed while this thread waited for input
            loop.call_soon_threadsafe(settle, line, error)

    threading.Thread(target=read, name="console-stdin", daemon=True).start()
    return future
