"""A tiny stand-in for core.app.App (an `AppPort`): fixed answers that exercise every rendering path."""

from __future__ import annotations

import asyncio
from typing import final

from core.events import ChatRef, IncomingEvent
from core.ports import AppPort, CommandInfo, Notifier, ThreadMirror
from core.replies import Button, Image, InlineCard, Reply

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


@final  # a final subclass of a Protocol: any port method left out is a mypy error
class StubApp(AppPort):
    """Answers like the core would, without a database."""

    def __init__(self) -> None:
        self._commands = (
            CommandInfo("start", "Start the bot"),
            CommandInfo("share", "Share an interview experience", personal=True, aliases=("submit",)),
            CommandInfo("stats", "Company statistics", args_hint="<company>"),
            CommandInfo("approve", "Approve a post", moderator_only=True),
        )
        self.events: list[IncomingEvent] = []
        self.gone: list[ChatRef] = []
        self.kept: list[tuple[ChatRef, Reply]] = []
        self.notifiers: dict[str, Notifier] = {}
        self.mirrors: dict[str, ThreadMirror] = {}
        self.fetched: list[bytes] = []

    @property
    def commands(self) -> tuple[CommandInfo, ...]:
        return self._commands

    def register_notifier(self, platform: str, notifier: Notifier) -> None:
        self.notifiers[platform] = notifier

    def unregister_notifier(self, platform: str) -> None:
        self.notifiers.pop(platform, None)

    def register_mirror(self, platform: str, mirror: ThreadMirror) -> None:
        self.mirrors[platform] = mirror

    async def inline(self, query: str, limit: int = 20) -> list[InlineCard]:
        return []

    async def complete(self, kind: str, prefix: str, limit: int = 25) -> list[str]:
        return []

    async def in_dialog(self, platform: str, chat_id: str, user_id: str) -> bool:
        return False

    async def notify(self, chat: ChatRef, reply: Reply) -> None:
        await self.notifiers[chat.platform].send(chat, reply)

    async def handle(self, event: IncomingEvent) -> list[Reply]:
        self.events.append(event)
        if event.kind == "command":
            return await self._command(event)
        if event.kind == "action":
            if event.action == "pick:tcs":
                return [Reply("You picked **TCS**.", replaces_prompt=True)]
            return [Reply("This question has expired. Send /share to start again.")]
        if event.kind == "upload":
            attachment = event.attachments[0]
            assert attachment.fetch is not None, "adapters give every attachment a fetch"
            data = await attachment.fetch()
            self.fetched.append(data)
            return [Reply(f"Got {attachment.kind} {attachment.filename} of {len(data)} bytes.")]
        return [Reply(f"You said: {event.text}")]

    async def _command(self, event: IncomingEvent) -> list[Reply]:
        name = event.command
        if name == "start":
            return [Reply(f"Welcome! payload={event.args or '-'}")]
        if name in ("share", "submit"):
            return [
                Reply("Which company?", buttons=((Button("TCS", "pick:tcs"), Button("Infosys", "pick:inf")),))
            ]
        if name == "long":
            return [Reply("\n".join(f"line {i:04d} " + "x" * 60 for i in range(200)))]
        if name == "photo":
            return [Reply(images=(Image(PNG, "chart.png", "Caption **start** " + "word " * 400 + "END"),))]
        if name == "album":
            return [Reply(images=tuple(Image(PNG, f"c{i}.png", f"chart {i}") for i in range(3)))]
        if name == "badbutton":
            return [Reply("Pick", buttons=((Button("Good", "ok:1"), Button("Bad", "x" * 70)),))]
        if name == "private":
            return [Reply("Only for you.", private=True)]
        if name == "boom":
            raise RuntimeError("core exploded")
        if name == "slow":
            await asyncio.sleep(0.3)
            return [Reply("Done thinking.")]
        if name == "notify":
            await self.notify(event.chat, Reply("Pushed later."))
            return []
        return [Reply(f"Unknown command /{name}.")]

    async def recipient_gone(self, chat: ChatRef) -> None:
        self.gone.append(chat)

    async def keep_for_retry(self, chat: ChatRef, reply: Reply) -> None:
        self.kept.append((chat, reply))
