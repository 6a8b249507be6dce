"""Route events to the dialog engine or a feature, one at a time per (platform, chat, user), in this
process (asyncio locks) and across worker processes (the UserLock port)."""

from __future__ import annotations

import asyncio
import itertools
import logging
import time
import weakref
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, replace

from core.actors import Resolution
from core.dialog.engine import DialogEngine, Preloaded, is_dialog_token
from core.events import Actor, IncomingEvent
from core.features.base import NO_TEXT, Feature, Handler
from core.metrics import metrics
from core.ops.logs import UPDATE_ID
from core.ports import CommandInfo, NoUserLock, UserLock
from core.replies import Reply

logger = logging.getLogger(__name__)

# The resolver may also hand over the dialog it read on the way (core.actors.Resolution, issue 14).
ActorResolver = Callable[[IncomingEvent], Awaitable[Actor]]
COMMAND_ACTION = "g:"
SOMETHING_WRONG = "Something went wrong on our side, sorry. Please try again."


@dataclass(frozen=True)
class Command:
    """A command users can send, with the feature handler that answers it."""

    info: CommandInfo
    handler: Handler


def command_button_action(name: str, args: str = "") -> str:
    """A button token that runs a command (e.g. a menu's "Share" button)."""
    return f"{COMMAND_ACTION}{name}" + (f" {args}" if args else "")


class Router:
    """Serialises each user's events and dispatches commands, buttons and dialog answers."""

    def __init__(
        self,
        engine: DialogEngine,
        features: Sequence[Feature],
        resolve: ActorResolver,
        fallback: Handler,
        user_lock: UserLock | None = None,
    ) -> None:
        """Collect every feature's commands (in order: /help's order) and text handlers (by priority).

        `fallback` answers plain text that no feature's `on_text` took. `user_lock` orders one user's
        events across processes (core.ports.UserLock; PostgreSQL advisory locks when several workers
        share a database), taken inside this process's own per-user asyncio lock.
        """
        self._engine = engine
        self.user_lock: UserLock = user_lock or NoUserLock()
        self._fallback = fallback
        self._resolve = resolve
        self._commands: dict[str, Command] = {}
        self._infos: list[CommandInfo] = []
        self._locks: weakref.WeakValueDictionary[tuple[str, str, str], asyncio.Lock] = (
            weakref.WeakValueDictionary()
        )
        for feature in features:
            feature.register(self)
        self._serial = itertools.count(1)  # update ids for events whose adapter has none (the console)
        self._text = tuple(
            sorted((f for f in features if f.text_priority < NO_TEXT), key=lambda f: f.text_priority)
        )

    def add(self, info: CommandInfo, handler: Handler) -> None:
        """Register a command and its aliases."""
        command = Command(info, handler)
        for name in (info.name, *info.aliases):
            if name in self._commands:
                raise ValueError(f"command /{name} registered twice")
            self._commands[name] = command
        self._infos.append(info)

    @property
    def commands(self) -> tuple[CommandInfo, ...]:
        """The registered commands in registration order (adapters publish these)."""
        return tuple(self._infos)

    def lock_for(self, key: tuple[str, str, str]) -> asyncio.Lock:
        """The lock that keeps one user's events in order."""
        lock = self._locks.get(key)
        if lock is None:
            lock = asyncio.Lock()
            self._locks[key] = lock
        return lock

    async def in_dialog(self, key: tuple[str, str, str]) -> bool:
        """Whether a conversation has a live (unexpired) dialog."""
        return await self._engine.current(key) is not None

    async def handle(self, event: IncomingEvent) -> list[Reply]:
        """Answer one event; never raises (a failure becomes a friendly apology).

        While it runs, log lines carry its update id (core.ops.logs.UPDATE_ID); when it is answered it
        is counted and its latency (lock wait included) recorded by platform (core.metrics).
        """
        started = time.monotonic()
        token = UPDATE_ID.set(event.update_id or f"{event.user.platform}-{next(self._serial)}")
        logger.debug("%s %s from %s", event.kind, event.command or "", event.user.platform)  # no user text
        try:
            return await self._handle(event)
        finally:
            metrics().update_handled(event.user.platform, event.kind)
            metrics().reply_latency(event.user.platform, time.monotonic() - started)
            UPDATE_ID.reset(token)

    async def _handle(self, event: IncomingEvent) -> list[Reply]:
        async with self.lock_for(event.key):  # in this process: one event per user, in arrival order
            try:
                async with self.user_lock.hold(event.key):  # across processes (a no-op on SQLite)
                    dialog: Preloaded | None = None
                    # a resolver that also returns the dialog it read (core.actors.ActorResolver.resolve)
                    with_dialog: Callable[[IncomingEvent], Awaitable[Resolution]] | None = getattr(
                        self._resolve, "resolve", None
                    )
                    if with_dialog is not None:
                        resolution = await with_dialog(event)
                        event, dialog = replace(event, resolved=resolution.actor), resolution.dialog
                    else:
                        event = replace(event, resolved=await self._resolve(event))
                    replies = await self._dispatch(event, dialog)
            except Exception:
                logger.exception("failed to handle %s event from %s", event.kind, event.user.platform)
                return [Reply(text=SOMETHING_WRONG)]
        if event.kind == "action" and is_dialog_token(event.action) and replies:
            # A dialog question was answered: adapters retire its keyboard so it can't be pressed twice.
            # Menus (drill-downs, paging, cards) keep their buttons: they can be used again.
            replies[0] = replace(replies[0], replaces_prompt=True)
        return replies

    async def _dispatch(self, event: IncomingEvent, dialog: Preloaded | None = None) -> list[Reply]:
        """Run the event; `dialog` is the conversation's dialog as the resolver read it, if it did."""
        if event.kind == "action" and event.action and event.action.startswith(COMMAND_ACTION):
            name, _, args = event.action[len(COMMAND_ACTION) :].partition(" ")
            event = IncomingEvent(
                user=event.user,
                chat=event.chat,
                kind="command",
                command=name,
                args=args,
                is_moderator=event.is_moderator,
                resolved=event.resolved,
                update_id=event.update_id,
            )
        if event.kind == "command":
            return await self._command(event, dialog)
        if event.kind in ("action", "form") and not is_dialog_token(event.action):
            return [Reply(text="That button has expired. Send /help to see what I can do.", private=True)]
        replies = await self._engine.handle(event, dialog)
        if replies is not None:
            return replies
        for feature in self._text:
            taken = await feature.on_text(event)
            if taken is not None:
                return taken
        return await self._fallback(event)

    async def _command(self, event: IncomingEvent, dialog: Preloaded | None = None) -> list[Reply]:
        name = (event.command or "").lower()
        in_dialog = await self._engine.handle(event, dialog) if name in ("cancel", "back") else None
        if in_dialog is not None:
            return in_dialog
        command = self._commands.get(name)
        if command is None:
            return [Reply(text=f"I don't know the command /{name}. Send /help to see what I can do.")]
        if command.info.moderator_only and not event.actor.is_moderator:
            return [Reply(text="Sorry, only moderators can use that command.", private=True)]
        return await command.handler(event)
