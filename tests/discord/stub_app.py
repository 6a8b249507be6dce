"""A tiny stand-in for the core App (an `AppPort`): records events, answers with replies that exercise
the adapter's rendering. Behaviour that belongs to the core (dialogs, moderator checks) is tested over the
real App instead (tests/discord/test_share_dialog.py, test_moderation.py), so this stub cannot drift into
a second, different core.
"""

from __future__ import annotations

import asyncio
from typing import final

from core.events import ChatRef, IncomingEvent
from core.ports import AppPort, CommandInfo, Notifier, ThreadMirror
from core.replies import Button, Field, Form, Image, InlineCard, Reply

TINY_PNG = (
    b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00\x1f\x15\xc4\x89"
    b"\x00\x00\x00\rIDATx\x9cc\xf8\x0f\x00\x00\x01\x01\x00\x05\x18\xd8N\x00\x00\x00\x00IEND\xaeB`\x82"
)
LONG_TEXT = "\n".join(f"Line {i}: **Two Sum** and _arrays_ again, {'x' * 60}" for i in range(70))
COMPANIES = ["Accenture", "Amazon", "Adobe", "TCS", "Infosys"]


@final  # a final subclass of a Protocol: any port method left out is a mypy error
class StubApp(AppPort):
    """Answers a few commands with fixed replies, and lets tests hold a handler back."""

    COMMANDS = (
        CommandInfo("help", "Everything I can do"),
        CommandInfo("share", "Share your interview experience", personal=True),
        CommandInfo("approve", "Approve a pending post", args_hint="<post id>", moderator_only=True),
        CommandInfo("long", "A very long answer"),
        CommandInfo("slow", "A chart that takes a while"),
        CommandInfo("boom", "A command whose handler crashes"),
        CommandInfo("company", "Insights about a company", args_hint="<company>"),
    )

    def __init__(self) -> None:
        self.events: list[IncomingEvent] = []
        self.gone: list[ChatRef] = []
        self.kept: list[tuple[ChatRef, Reply]] = []
        self.release = asyncio.Event()
        self.in_dialog_users: set[str] = set()
        self.notifiers: dict[str, Notifier] = {}
        self.mirrors: dict[str, ThreadMirror] = {}

    @property
    def commands(self) -> tuple[CommandInfo, ...]:
        return self.COMMANDS

    async def handle(self, event: IncomingEvent) -> list[Reply]:
        self.events.append(event)
        if event.kind == "command":
            return await self._command(event)
        if event.kind == "action":
            if event.action == "v1.cse":
                return [Reply(text="Branch: CSE. Your roll number?", private=True, replaces_prompt=True)]
            if event.action == "v1.form":  # an old form button pressed after a restart: re-prompt
                return [self._name_prompt()]
            return [Reply(text="This question has expired.", private=True)]
        if event.kind == "form":
            return [Reply(text=f"Thanks, {event.form.get('name', '?')}!", private=True, replaces_prompt=True)]
        return [Reply(text=f"You said: {event.text}")]

    async def _command(self, event: IncomingEvent) -> list[Reply]:
        name = event.command
        if name == "share":
            self.in_dialog_users.add(event.user.id)
            branch = Reply(
                text="**1/3 · Branch**\nWhich branch?",
                buttons=((Button("CSE", "v1.cse"), Button("ECE", "v1.ece")),),
                private=True,
            )
            return [branch, self._name_prompt()]
        if name == "approve":
            return [Reply(text=f"Approved post {event.args}.")]
        if name == "long":
            return [Reply(text=LONG_TEXT)]
        if name == "slow":
            await self.release.wait()
            return [Reply(text="Here is your chart", images=(Image(TINY_PNG, "chart.png", "TCS: 3 rounds"),))]
        if name == "boom":
            raise RuntimeError("handler crashed")
        if name == "company":
            return [Reply(text=f"Insights for {event.args or 'nobody'}")]
        return [Reply(text="I can help you share interview experiences. Try /share.")]

    @staticmethod
    def _name_prompt() -> Reply:
        form = Form("Your name", (Field("name", "Name"),), action="v1.form")
        return Reply(text="What is your name?", form=form, private=True)

    async def inline(self, query: str, limit: int = 20) -> list[InlineCard]:
        return []

    async def complete(self, kind: str, prefix: str, limit: int = 25) -> list[str]:
        if kind != "company":
            return []
        return [c for c in COMPANIES if c.lower().startswith(prefix.lower())][:limit]

    async def in_dialog(self, platform: str, chat_id: str, user_id: str) -> bool:
        return user_id in self.in_dialog_users

    def register_notifier(self, platform: str, notifier: Notifier) -> None:
        self.notifiers[platform] = notifier

    def unregister_notifier(self, platform: str) -> None:
        self.notifiers.pop(platform, None)

    def register_mirror(self, platform: str, mirror: ThreadMirror) -> None:
        self.mirrors[platform] = mirror

    async def recipient_gone(self, chat: ChatRef) -> None:
        self.gone.append(chat)

    async def keep_for_retry(self, chat: ChatRef, reply: Reply) -> None:
        self.kept.append((chat, reply))
