"""A tiny stand-in for core.app.App: fixed answers that exercise every rendering path."""

from __future__ import annotations

import asyncio

from core.events import ChatRef, IncomingEvent
from core.ports import CommandInfo
from core.replies import Button, Image, Reply

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


class StubApp:
    """Answers like the core would, without a database."""

    def __init__(self) -> None:
        self.commands = (
            CommandInfo("start", "Start the bot"),
            CommandInfo("share", "Share an interview experience", personal=True, aliases=("submit",)),
            CommandInfo("stats", "Company statistics", args_hint="<company>"),
            CommandInfo("approve", "Approve a post", moderator_only=True),
        )
        self.events: list[IncomingEvent] = []
        self.notifiers: dict = {}
        self.fetched: list[bytes] = []

    def register_notifier(self, platform: str, notifier) -> None:
        self.notifiers[platform] = notifier

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
