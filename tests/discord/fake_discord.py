"""An offline fake Discord (REST API + gateway websocket) that the real discord.py client talks to."""

from __future__ import annotations

import asyncio
import itertools
import json
import logging
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from aiohttp import WSMsgType, web

from tests.discord.spec_check import SpecChecker

logger = logging.getLogger(__name__)

API_PREFIX = "/api/v10"
EPHEMERAL = 1 << 6
LOADING = 1 << 7
SPEC_PATH = Path(__file__).resolve().parents[1] / "data" / "discord-openapi.json"
ALL_PERMISSIONS = str((1 << 50) - 1)
MEMBER_PERMISSIONS = str(0x400 | 0x800 | 0x80000000)  # view channel, send messages, use app commands
MANAGE_CHANNELS = 0x10
SEND_IN_THREADS = 1 << 38
BOT_ROLE = "insights-bot"
ARCHIVED_THREAD = 50083


@dataclass
class FakeUser:
    """A Discord user the tests act as (roles are role names in every guild they are in)."""

    id: int
    name: str
    roles: tuple[str, ...] = ()
    bot: bool = False

    def payload(self) -> dict[str, Any]:
        return {
            "id": str(self.id),
            "username": self.name,
            "global_name": self.name,
            "discriminator": "0",
            "avatar": None,
            "bot": self.bot,
            "public_flags": 0,
        }


@dataclass
class FakeFile:
    """A file a member attaches (to a message or a slash command's attachment option).

    `size` is the size Discord reports; it defaults to the real length, and a test may claim more
    (an over-size upload) without building a huge file.
    """

    filename: str
    data: bytes
    content_type: str | None = None
    size: int | None = None


@dataclass
class FakeGuild:
    """A guild with text channels, forum channels (id -> name), named roles and members."""

    id: int
    name: str
    channels: dict[int, str]
    roles: tuple[str, ...] = ("Moderator",)
    members: list[FakeUser] = field(default_factory=list)
    forums: dict[int, str] = field(default_factory=dict)

    def role_id(self, name: str) -> int:
        return self.id + 1 + self.roles.index(name)


@dataclass
class FakeInteraction:
    """An interaction the tests sent and everything the bot answered to it."""

    id: int
    token: str
    type: int
    user: FakeUser
    channel_id: int
    guild_id: int | None
    message: dict[str, Any] | None = None
    callbacks: list[dict[str, Any]] = field(default_factory=list)
    original: dict[str, Any] | None = None
    followups: list[dict[str, Any]] = field(default_factory=list)
    modal: dict[str, Any] | None = None
    choices: list[dict[str, Any]] | None = None

    @property
    def acknowledged(self) -> bool:
        return bool(self.callbacks)

    @property
    def callback_types(self) -> list[int]:
        return [body["type"] for body in self.callbacks]

    @property
    def messages(self) -> list[dict[str, Any]]:
        """Messages this interaction produced (response or deferred original, then followups)."""
        own = [self.original] if self.original is not None and self.original is not self.message else []
        return own + self.followups


class FakeDiscord:
    """Serves the REST routes discord.py uses and a gateway; records every call and spec violation."""

    def __init__(self, guilds: list[FakeGuild], *, shards: int = 1, heartbeat_ms: int = 1000) -> None:
        self.guilds = guilds
        self.shards = shards
        self.heartbeat_ms = heartbeat_ms
        self.bot = FakeUser(id=900_000_000_000_000_001, name="insights-bot", bot=True)
        self.app_id = 900_000_000_000_000_002
        self._ids = itertools.count(1_000_000_000_000_000_000)
        self.requests: list[tuple[str, str, Any]] = []
        self.violations: list[str] = []
        self.unhandled: list[str] = []
        self.commands: dict[int | None, list[dict[str, Any]]] = {}
        self.messages: dict[int, dict[str, Any]] = {}
        self.files: dict[int, dict[str, bytes]] = {}
        self.interactions: dict[str, FakeInteraction] = {}
        self.dm_channels: dict[int, int] = {}
        self.connections: dict[int, Any] = {}
        self.identifies: list[dict[str, Any]] = []
        # gateway sessions by shard: {"id", "seq" (the counter), "sent": [(seq, frame)], "down": bool}
        self.sessions: dict[int, dict[str, Any]] = {}
        self.resumes: list[dict[str, Any]] = []  # RESUME payloads (op 6) the bot sent
        self.heartbeat_acks = 0
        self.fail_routes: set[str] = set()
        self.cdn: dict[str, FakeFile] = {}  # url path -> file members attached
        self.downloads: list[str] = []  # url paths the bot fetched from the CDN
        self.forum_tags: dict[int, list[dict[str, Any]]] = {}  # forum id -> available tags
        self.threads: dict[int, dict[str, Any]] = {}  # thread id -> channel payload
        self.bot_permissions = 0  # extra permissions of the bot's own role (e.g. MANAGE_CHANNELS)
        self._changed = asyncio.Condition()
        self._spec = SpecChecker(SPEC_PATH)
        self._runner: web.AppRunner | None = None
        self.port = 0

    # server ------------------------------------------------------------------------------------

    async def start(self) -> FakeDiscord:
        app = web.Application(client_max_size=64 * 1024 * 1024)
        app.router.add_get("/gateway", self._gateway)
        app.router.add_get("/cdn/{tail:.*}", self._cdn_get)
        app.router.add_route("*", API_PREFIX + "/{tail:.*}", self._rest)
        self._runner = web.AppRunner(app, handle_signals=False)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        self.port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
        return self

    async def close(self) -> None:
        for ws in list(self.connections.values()):
            await ws.close()
        if self._runner is not None:
            await self._runner.cleanup()

    @property
    def api_base(self) -> str:
        return f"http://127.0.0.1:{self.port}{API_PREFIX}"

    @property
    def gateway_url(self) -> str:
        return f"ws://127.0.0.1:{self.port}/gateway"

    def next_id(self) -> int:
        return next(self._ids)

    async def _notify(self) -> None:
        async with self._changed:
            self._changed.notify_all()

    async def wait_for(self, predicate: Callable[[], Any], timeout: float = 10.0) -> Any:
        """Wait until predicate() is truthy (re-checked after every request the bot makes)."""

        async def waiter() -> Any:
            async with self._changed:
                while not (result := predicate()):
                    await self._changed.wait()
                return result

        return await asyncio.wait_for(waiter(), timeout)

    # gateway -----------------------------------------------------------------------------------

    def _shard_of(self, guild_id: int | None) -> int:
        return 0 if guild_id is None else (guild_id >> 22) % self.shards

    async def _gateway(self, request: web.Request) -> web.WebSocketResponse:
        ws = web.WebSocketResponse()
        await ws.prepare(request)
        seq = itertools.count(1)
        await ws.send_str(json.dumps({"op": 10, "d": {"heartbeat_interval": self.heartbeat_ms}}))
        shard_id = None
        try:
            async for msg in ws:
                if msg.type is not WSMsgType.TEXT:
                    continue
                frame = json.loads(msg.data)
                op = frame.get("op")
                if op == 1:
                    self.heartbeat_acks += 1
                    await ws.send_str(json.dumps({"op": 11}))
                elif op == 2:
                    identify = frame["d"]
                    self.identifies.append(identify)
                    shard_id, count = identify.get("shard") or [0, 1]
                    ws._fake_seq = seq  # type: ignore[attr-defined]
                    ws._fake_shard = shard_id  # type: ignore[attr-defined]
                    self.sessions[shard_id] = {
                        "id": f"session-{shard_id}",
                        "seq": seq,
                        "sent": [],
                        "down": False,
                    }
                    self.connections[shard_id] = ws
                    await self._ready(ws, seq, shard_id, count)
                elif op == 6:
                    resumed = await self._resume(ws, frame.get("d") or {})
                    if resumed is None:
                        await ws.send_str(json.dumps({"op": 9, "d": False}))
                    else:
                        shard_id = resumed
        finally:
            if shard_id is not None and self.connections.get(shard_id) is ws:
                del self.connections[shard_id]
                if shard_id in self.sessions:
                    self.sessions[shard_id]["down"] = True
        return ws

    async def _resume(self, ws: web.WebSocketResponse, resume: dict[str, Any]) -> int | None:
        """Op 6 RESUME (Discord's contract: token, session_id and seq, all required): replay the events
        of that session after `seq`, then dispatch RESUMED. Returns the shard, or None for a session
        that cannot be resumed (the caller answers op 9, Invalid Session, as before)."""
        shard = next((k for k, v in self.sessions.items() if v["id"] == resume.get("session_id")), None)
        if set(resume) != {"token", "session_id", "seq"}:
            self.violations.append(f"gateway RESUME with fields {sorted(resume)}")
        if shard is None or resume.get("token") != "fake-token" or not isinstance(resume.get("seq"), int):
            return None
        session = self.sessions[shard]
        last = max((s for s, _ in session["sent"]), default=0)
        if resume["seq"] > last:
            self.violations.append(f"gateway RESUME at seq {resume['seq']} beyond the last sent {last}")
        self.resumes.append(resume)
        ws._fake_seq = session["seq"]  # type: ignore[attr-defined]
        ws._fake_shard = shard  # type: ignore[attr-defined]
        for seq, frame in session["sent"]:
            if seq > resume["seq"]:
                await ws.send_str(frame)
        session["down"] = False
        self.connections[shard] = ws
        await self._send_dispatch(ws, session["seq"], "RESUMED", {})
        return shard

    async def disconnect(self, shard: int = 0, code: int = 4000) -> None:
        """The gateway drops the bot's connection (4000: unknown error, which clients resume); events
        dispatched until it resumes are kept for the replay, as Discord keeps them for a resumable session."""
        ws = self.connections.pop(shard)
        self.sessions[shard]["down"] = True
        await ws.close(code=code)

    async def _ready(self, ws: web.WebSocketResponse, seq: Any, shard_id: int, count: int) -> None:
        mine = [g for g in self.guilds if (g.id >> 22) % count == shard_id]
        ready = {
            "v": 10,
            "user": {**self.bot.payload(), "verified": True, "mfa_enabled": False, "flags": 0},
            "guilds": [{"id": str(g.id), "unavailable": True} for g in mine],
            "session_id": f"session-{shard_id}",
            "resume_gateway_url": self.gateway_url,
            "shard": [shard_id, count],
            "application": {"id": str(self.app_id), "flags": 0},
            "private_channels": [],
            "relationships": [],
        }
        await self._send_dispatch(ws, seq, "READY", ready)
        for guild in mine:
            await self._send_dispatch(ws, seq, "GUILD_CREATE", self.guild_payload(guild))

    async def _send_dispatch(
        self, ws: web.WebSocketResponse, seq: Any, name: str, data: dict[str, Any]
    ) -> None:
        number = next(seq)
        frame = json.dumps({"op": 0, "t": name, "s": number, "d": data})
        session = self.sessions.get(getattr(ws, "_fake_shard", -1))
        if session is not None and session["seq"] is seq:
            session["sent"].append((number, frame))
        await ws.send_str(frame)

    async def dispatch(self, name: str, data: dict[str, Any], guild_id: int | None = None) -> None:
        """Send a gateway event to the shard that owns `guild_id` (shard 0 for DMs)."""
        shard = self._shard_of(guild_id)
        session = self.sessions.get(shard)
        if session is not None and session["down"]:  # kept for the replay when the bot resumes
            number = next(session["seq"])
            session["sent"].append((number, json.dumps({"op": 0, "t": name, "s": number, "d": data})))
            return
        ws = await self.wait_for(lambda: self.connections.get(shard), timeout=10)
        await self._send_dispatch(ws, ws._fake_seq, name, data)

    # payloads ----------------------------------------------------------------------------------

    def guild_of_channel(self, channel_id: int) -> FakeGuild | None:
        if channel_id in self.threads:
            channel_id = int(self.threads[channel_id]["parent_id"])
        return next((g for g in self.guilds if channel_id in g.channels or channel_id in g.forums), None)

    def channel_payload(self, channel_id: int) -> dict[str, Any]:
        guild = self.guild_of_channel(channel_id)
        if guild is None:
            return {"id": str(channel_id), "type": 1, "recipients": [], "last_message_id": None}
        if channel_id in self.threads:
            return self.threads[channel_id]
        if channel_id in guild.forums:
            return self.forum_payload(guild, channel_id)
        return {
            "id": str(channel_id),
            "type": 0,
            "name": guild.channels[channel_id],
            "guild_id": str(guild.id),
            "position": 0,
            "permission_overwrites": [],
            "nsfw": False,
            "topic": None,
            "parent_id": None,
            "rate_limit_per_user": 0,
            "last_message_id": None,
        }

    def forum_payload(self, guild: FakeGuild, forum_id: int) -> dict[str, Any]:
        """A forum channel (type 15) with its available tags."""
        return {
            "id": str(forum_id),
            "type": 15,
            "name": guild.forums[forum_id],
            "guild_id": str(guild.id),
            "position": 1,
            "permission_overwrites": [],
            "nsfw": False,
            "topic": None,
            "parent_id": None,
            "rate_limit_per_user": 0,
            "last_message_id": None,
            "flags": 0,
            "available_tags": self.forum_tags.setdefault(forum_id, []),
            "default_auto_archive_duration": 1440,
            "default_thread_rate_limit_per_user": 0,
            "default_reaction_emoji": None,
            "default_sort_order": None,
            "default_forum_layout": 0,
        }

    def add_tags(self, forum_id: int, *names: str) -> None:
        """Tags a server admin created in a forum beforehand."""
        tags = self.forum_tags.setdefault(forum_id, [])
        for name in names:
            tags.append(_tag(self.next_id(), name))

    def tag_names(self, thread_id: int) -> list[str]:
        """The names of the tags applied to a thread."""
        thread = self.threads[thread_id]
        by_id = {t["id"]: t["name"] for t in self.forum_tags.get(int(thread["parent_id"]), [])}
        return [by_id[t] for t in thread.get("applied_tags", [])]

    def member_payload(self, guild: FakeGuild, user: FakeUser) -> dict[str, Any]:
        roles = [str(guild.role_id(name)) for name in user.roles if name in guild.roles]
        if user is self.bot and self.bot_permissions:
            roles.append(str(guild.id + 100))
        return {
            "user": user.payload(),
            "roles": roles,
            "nick": None,
            "joined_at": "2024-01-01T00:00:00+00:00",
            "deaf": False,
            "mute": False,
            "flags": 0,
            "pending": False,
            "permissions": ALL_PERMISSIONS if roles else MEMBER_PERMISSIONS,
        }

    def guild_payload(self, guild: FakeGuild) -> dict[str, Any]:
        everyone = {
            "id": str(guild.id),
            "name": "@everyone",
            "permissions": MEMBER_PERMISSIONS,
            "position": 0,
            "color": 0,
            "hoist": False,
            "managed": False,
            "mentionable": False,
            "flags": 0,
        }
        roles = [
            {**everyone, "id": str(guild.role_id(name)), "name": name, "position": i + 1}
            for i, name in enumerate(guild.roles)
        ]
        if self.bot_permissions:
            bot_role = {**everyone, "id": str(guild.id + 100), "name": BOT_ROLE, "position": 50}
            roles.append({**bot_role, "permissions": str(int(MEMBER_PERMISSIONS) | self.bot_permissions)})
        return {
            "id": str(guild.id),
            "name": guild.name,
            "icon": None,
            "owner_id": str(guild.members[0].id if guild.members else self.bot.id),
            "roles": [everyone, *roles],
            "channels": [self.channel_payload(cid) for cid in [*guild.channels, *guild.forums]],
            "members": [self.member_payload(guild, m) for m in [*guild.members, self.bot]],
            "member_count": len(guild.members) + 1,
            "emojis": [],
            "stickers": [],
            "features": [],
            "threads": [],
            "voice_states": [],
            "presences": [],
            "stage_instances": [],
            "guild_scheduled_events": [],
            "soundboard_sounds": [],
            "unavailable": False,
            "large": False,
            "joined_at": "2024-01-01T00:00:00+00:00",
            "verification_level": 0,
            "default_message_notifications": 0,
            "explicit_content_filter": 0,
            "mfa_level": 0,
            "premium_tier": 0,
            "preferred_locale": "en-US",
            "system_channel_flags": 0,
            "nsfw_level": 0,
        }

    def _message(
        self, channel_id: int, author: FakeUser, content: str | None, *, flags: int = 0, **extra: Any
    ) -> dict[str, Any]:
        guild = self.guild_of_channel(channel_id)
        message = {
            "id": str(self.next_id()),
            "channel_id": str(channel_id),
            "author": author.payload(),
            "content": content or "",
            "timestamp": datetime.now(UTC).isoformat(),
            "edited_timestamp": None,
            "tts": False,
            "mention_everyone": False,
            "mentions": [],
            "mention_roles": [],
            "attachments": [],
            "embeds": [],
            "components": [],
            "pinned": False,
            "type": 0,
            "flags": flags,
            **extra,
        }
        if guild is not None:
            message["guild_id"] = str(guild.id)
        self.messages[int(message["id"])] = message
        return message

    def _apply(
        self, message: dict[str, Any], body: dict[str, Any], files: dict[str, bytes]
    ) -> dict[str, Any]:
        """Apply a create/edit body (content, components, embeds, attachments) to a stored message."""
        for key in ("content", "components", "embeds", "message_reference"):
            if key in body:
                message[key] = body[key] if body[key] is not None else ([] if key != "content" else "")
        if "flags" in body and body["flags"] is not None:
            message["flags"] = int(body["flags"]) | (message["flags"] & EPHEMERAL)
        if files:
            attachments = []
            for index, (name, data) in enumerate(files.items()):
                attachments.append(
                    {
                        "id": str(self.next_id()),
                        "filename": name,
                        "size": len(data),
                        "url": f"{self.api_base}/attachments/{message['id']}/{index}",
                        "proxy_url": f"{self.api_base}/attachments/{message['id']}/{index}",
                        "content_type": "image/png" if name.endswith(".png") else "application/octet-stream",
                    }
                )
            message["attachments"] = attachments
            self.files[int(message["id"])] = dict(files)
        return message

    # test-driven user actions ------------------------------------------------------------------

    def _interaction(self, type_: int, user: FakeUser, channel_id: int, data: dict[str, Any], **extra: Any):
        guild = self.guild_of_channel(channel_id)
        iid = self.next_id()
        record = FakeInteraction(
            id=iid,
            token=f"tok{iid}",
            type=type_,
            user=user,
            channel_id=channel_id,
            guild_id=guild.id if guild else None,
            message=extra.get("message"),
        )
        payload: dict[str, Any] = {
            "id": str(iid),
            "application_id": str(self.app_id),
            "type": type_,
            "token": record.token,
            "version": 1,
            "channel_id": str(channel_id),
            "channel": self.channel_payload(channel_id),
            "data": data,
            "locale": "en-US",
            "app_permissions": ALL_PERMISSIONS,
            "entitlements": [],
            "authorizing_integration_owners": {"0": str(guild.id) if guild else str(user.id)},
            "context": 0 if guild else 1,
            "attachment_size_limit": 10 * 1024 * 1024,
            **extra,
        }
        if guild is not None:
            payload["guild_id"] = str(guild.id)
            payload["guild_locale"] = "en-US"
            payload["member"] = self.member_payload(guild, user)
        else:
            payload["user"] = user.payload()
        self.interactions[record.token] = record
        return record, payload

    async def slash(
        self, user: FakeUser, channel_id: int, name: str, options: dict[str, str] | None = None
    ) -> FakeInteraction:
        """The member runs a slash command (options by their Discord option name)."""
        command = self._find_command(name, channel_id)
        data: dict[str, Any] = {"id": command["id"], "name": name, "type": 1}
        if options:
            data["options"] = []
            for key, value in options.items():
                if isinstance(value, FakeFile):  # an attachment option: the file is in data.resolved
                    attachment = self.upload(channel_id, value)
                    resolved = data.setdefault("resolved", {}).setdefault("attachments", {})
                    resolved[attachment["id"]] = attachment
                    data["options"].append({"name": key, "type": 11, "value": attachment["id"]})
                else:
                    data["options"].append({"name": key, "type": 3, "value": value})
        record, payload = self._interaction(2, user, channel_id, data)
        await self.dispatch("INTERACTION_CREATE", payload, record.guild_id)
        return record

    async def autocomplete(self, user: FakeUser, channel_id: int, name: str, option: str, value: str):
        command = self._find_command(name, channel_id)
        data = {
            "id": command["id"],
            "name": name,
            "type": 1,
            "options": [{"name": option, "type": 3, "value": value, "focused": True}],
        }
        record, payload = self._interaction(4, user, channel_id, data)
        await self.dispatch("INTERACTION_CREATE", payload, record.guild_id)
        return record

    async def click(self, user: FakeUser, message: dict[str, Any], custom_id: str) -> FakeInteraction:
        """The member presses a button (by custom_id) on a message the bot sent."""
        assert custom_id in custom_ids(message), f"{custom_id!r} not on message: {custom_ids(message)}"
        data = {"custom_id": custom_id, "component_type": 2}
        record, payload = self._interaction(3, user, int(message["channel_id"]), data, message=message)
        await self.dispatch("INTERACTION_CREATE", payload, record.guild_id)
        return record

    async def press(
        self, user: FakeUser, channel_id: int, custom_id: str, message: dict[str, Any] | None = None
    ) -> FakeInteraction:
        """A press of a button with any custom_id (a stale one, or one of an older bot version).

        Discord only delivers custom_ids that are on the pressed message (and discord.py only routes
        those), so the button is on `message`: by default a made-up old message of the bot carrying it.
        """
        if message is None:
            button = {"type": 2, "style": 1, "label": "old", "custom_id": custom_id}
            components = [{"type": 1, "components": [button]}]
            message = _public(self._message(channel_id, self.bot, "an old message", components=components))
        data = {"custom_id": custom_id, "component_type": 2}
        record, payload = self._interaction(3, user, channel_id, data, message=message)
        await self.dispatch("INTERACTION_CREATE", payload, record.guild_id)
        return record

    async def submit(
        self, user: FakeUser, opened: FakeInteraction, values: dict[str, str]
    ) -> FakeInteraction:
        """The member submits the modal that the bot opened in answer to `opened`."""
        modal = opened.modal
        assert modal is not None, "the bot did not open a modal"
        known = {c.get("custom_id") for c in _walk(modal.get("components", []))}
        assert set(values) <= known, f"unknown inputs {set(values) - known}"
        rows = []
        for top in modal.get("components", []):
            if top.get("type") == 18:
                inner = top["component"]
                comp = {
                    "type": 4,
                    "custom_id": inner["custom_id"],
                    "value": values.get(inner["custom_id"], ""),
                }
                rows.append({"type": 18, "component": comp})
            else:
                comps = [
                    {"type": 4, "custom_id": c["custom_id"], "value": values.get(c["custom_id"], "")}
                    for c in top.get("components", [])
                ]
                rows.append({"type": 1, "components": comps})
        data = {"custom_id": modal["custom_id"], "components": rows}
        extra = {"message": opened.message} if opened.message is not None else {}
        record, payload = self._interaction(5, user, opened.channel_id, data, **extra)
        await self.dispatch("INTERACTION_CREATE", payload, record.guild_id)
        return record

    def upload(self, channel_id: int, file: FakeFile) -> dict[str, Any]:
        """Put a member's file on the fake CDN; return its attachment payload."""
        attachment_id = str(self.next_id())
        path = f"/cdn/attachments/{channel_id}/{attachment_id}/{file.filename}"
        self.cdn[path] = file
        url = f"http://127.0.0.1:{self.port}{path}"
        payload: dict[str, Any] = {
            "id": attachment_id,
            "filename": file.filename,
            "size": file.size if file.size is not None else len(file.data),
            "url": url,
            "proxy_url": url,
        }
        if file.content_type:
            payload["content_type"] = file.content_type
        return payload

    async def _cdn_get(self, request: web.Request) -> web.Response:
        file = self.cdn.get(request.path)
        self.downloads.append(request.path)
        await self._notify()
        if file is None:
            return web.Response(status=404)
        return web.Response(body=file.data, content_type=file.content_type or "application/octet-stream")

    async def say(
        self, user: FakeUser, channel_id: int, content: str, files: tuple[FakeFile, ...] = ()
    ) -> dict[str, Any]:
        """The member posts a plain message (MESSAGE_CREATE), optionally with attached files."""
        attachments = [self.upload(channel_id, f) for f in files]
        message = self._message(channel_id, user, content, attachments=attachments)
        guild = self.guild_of_channel(channel_id)
        if guild is not None:
            member = self.member_payload(guild, user)
            member.pop("user")
            message["member"] = member
        await self.dispatch("MESSAGE_CREATE", message, guild.id if guild else None)
        return message

    def _find_command(self, name: str, channel_id: int) -> dict[str, Any]:
        guild = self.guild_of_channel(channel_id)
        for scope in ([guild.id] if guild else []) + [None]:
            for command in self.commands.get(scope, []):
                if command["name"] == name:
                    return command
        raise AssertionError(f"/{name} was not synced for channel {channel_id}")

    def bot_messages(self, channel_id: int) -> list[dict[str, Any]]:
        """Messages the bot posted in a channel (not interaction responses), oldest first."""
        return [
            m
            for m in self.messages.values()
            if int(m["channel_id"]) == channel_id
            and m["author"]["id"] == str(self.bot.id)
            and not m.get("_ia")
        ]

    # REST --------------------------------------------------------------------------------------

    async def _rest(self, request: web.Request) -> web.Response:
        path = "/" + request.match_info["tail"]
        body, files = await self._read_body(request)
        self.requests.append((request.method, path, body))
        self.violations.extend(self._spec.check(request.method, path, body, dict(request.query)))
        try:
            if f"{request.method} {path}" in self.fail_routes:
                return _json({"message": "Internal Server Error", "code": 0}, status=500)
            for method, pattern, handler in self._routes():
                match = re.fullmatch(pattern, path)
                if method == request.method and match:
                    result = await handler(request, body, files, *match.groups())
                    return result if isinstance(result, web.Response) else _json(result)
            self.unhandled.append(f"{request.method} {path}")
            return _json({"message": "404: Not Found", "code": 0}, status=404)
        finally:
            await self._notify()

    async def _read_body(self, request: web.Request) -> tuple[Any, dict[str, bytes]]:
        files: dict[str, bytes] = {}
        if request.content_type == "multipart/form-data":
            body: Any = None
            reader = await request.multipart()
            async for part in reader:
                if part.name == "payload_json":
                    body = json.loads(await part.text())
                else:
                    files[part.filename or part.name or "file"] = bytes(await part.read())
            return body, files
        raw = await request.read()
        return (json.loads(raw) if raw else None), files

    def _routes(self) -> list[tuple[str, str, Callable[..., Any]]]:
        app = str(self.app_id)
        return [
            ("GET", r"/users/@me", self._me),
            ("GET", r"/oauth2/applications/@me", self._app_info),
            ("GET", r"/gateway", self._gateway_info),
            ("GET", r"/gateway/bot", self._gateway_info),
            ("PUT", rf"/applications/{app}/commands", self._put_commands),
            ("PUT", rf"/applications/{app}/guilds/(\d+)/commands", self._put_commands),
            ("POST", r"/interactions/(\d+)/([^/]+)/callback", self._callback),
            ("POST", rf"/webhooks/{app}/([^/]+)", self._followup),
            ("PATCH", rf"/webhooks/{app}/([^/]+)/messages/([^/]+)", self._edit_webhook_message),
            ("DELETE", rf"/webhooks/{app}/([^/]+)/messages/([^/]+)", self._delete_webhook_message),
            ("POST", r"/channels/(\d+)/messages", self._create_message),
            ("PATCH", r"/channels/(\d+)/messages/(\d+)", self._edit_message),
            ("POST", r"/channels/(\d+)/typing", self._no_content),
            ("POST", r"/users/@me/channels", self._open_dm),
            ("GET", r"/channels/(\d+)", self._get_channel),
            ("PATCH", r"/channels/(\d+)", self._edit_channel),
            ("POST", r"/channels/(\d+)/threads", self._create_thread),
        ]

    async def _no_content(self, *_: Any) -> web.Response:
        return web.Response(status=204)

    async def _me(self, request: web.Request, *_: Any) -> dict[str, Any]:
        if request.headers.get("Authorization") != "Bot fake-token":
            return _json({"message": "401: Unauthorized", "code": 0}, status=401)
        return {**self.bot.payload(), "verified": True, "mfa_enabled": False, "flags": 0}

    async def _app_info(self, *_: Any) -> dict[str, Any]:
        owner = FakeUser(id=900_000_000_000_000_003, name="owner")
        return {
            "id": str(self.app_id),
            "name": "Interview Insights",
            "icon": None,
            "description": "",
            "bot_public": True,
            "bot_require_code_grant": False,
            "owner": owner.payload(),
            "verify_key": "00",
            "flags": 0,
            "team": None,
            "summary": "",
            "rpc_origins": [],
            "interactions_endpoint_url": None,
        }

    async def _gateway_info(self, *_: Any) -> dict[str, Any]:
        limit = {"total": 1000, "remaining": 1000, "reset_after": 0, "max_concurrency": 1}
        return {"url": self.gateway_url, "shards": self.shards, "session_start_limit": limit}

    async def _put_commands(self, request: web.Request, body: Any, files: Any, guild: str | None = None):
        scope = int(guild) if guild else None
        synced = []
        for command in body or []:
            synced.append(
                {
                    "id": str(self.next_id()),
                    "application_id": str(self.app_id),
                    "version": str(self.next_id()),
                    "type": 1,
                    "default_member_permissions": None,
                    "nsfw": False,
                    **({"guild_id": guild} if guild else {}),
                    **command,
                }
            )
        self.commands[scope] = synced
        return synced

    async def _callback(self, request: web.Request, body: Any, files: Any, iid: str, token: str):
        record = self.interactions.get(token)
        if record is None or str(record.id) != iid:
            return _json({"message": "Unknown interaction", "code": 10062}, status=404)
        if record.callbacks:
            return _json({"message": "Interaction has already been acknowledged.", "code": 40060}, status=400)
        record.callbacks.append(body)
        kind, data = body["type"], body.get("data") or {}
        flags = int(data.get("flags") or 0)
        message: dict[str, Any] | None = None
        if kind == 4:
            message = self._apply(
                self._message(record.channel_id, self.bot, None, flags=flags & EPHEMERAL), data, files
            )
        elif kind == 5:
            message = self._message(record.channel_id, self.bot, None, flags=(flags & EPHEMERAL) | LOADING)
        elif kind in (6, 7) and record.message is not None:
            message = self.messages[int(record.message["id"])]
            if kind == 7:
                self._apply(message, data, files)
        elif kind == 8:
            record.choices = data.get("choices", [])
        elif kind == 9:
            record.modal = data
        if message is not None:
            message["_ia"] = record.token
            record.original = message
        response: dict[str, Any] = {
            "interaction": {
                "id": str(record.id),
                "type": record.type,
                "response_message_id": message["id"] if message else None,
                "response_message_loading": kind == 5,
                "response_message_ephemeral": bool(message and message["flags"] & EPHEMERAL),
            }
        }
        if message is not None:
            response["resource"] = {"type": kind, "message": _public(message)}
        return response

    async def _followup(self, request: web.Request, body: Any, files: dict[str, bytes], token: str):
        record = self.interactions.get(token)
        if record is None or not record.callbacks:
            return _json({"message": "Unknown Webhook", "code": 10015}, status=404)
        body = body or {}
        original = record.original
        if original is not None and original["flags"] & LOADING:
            original["flags"] &= ~LOADING  # the first followup fills the "thinking" message
            self._apply(original, body, files)
            return _public(original)
        flags = int(body.get("flags") or 0) & EPHEMERAL
        message = self._apply(self._message(record.channel_id, self.bot, None, flags=flags), body, files)
        message["_ia"] = record.token
        record.followups.append(message)
        return _public(message)

    async def _edit_webhook_message(self, request: web.Request, body: Any, files: Any, token: str, mid: str):
        record = self.interactions.get(token)
        if record is None:
            return _json({"message": "Unknown Webhook", "code": 10015}, status=404)
        message = record.original if mid == "@original" else self.messages.get(int(mid))
        if message is None:
            return _json({"message": "Unknown Message", "code": 10008}, status=404)
        message["flags"] &= ~LOADING
        return _public(self._apply(message, body or {}, files))

    async def _delete_webhook_message(
        self, request: web.Request, body: Any, files: Any, token: str, mid: str
    ):
        record = self.interactions.get(token)
        message = record.original if record and mid == "@original" else self.messages.get(int(mid))
        if message is not None:
            message["_deleted"] = True
        return web.Response(status=204)

    async def _create_message(self, request: web.Request, body: Any, files: dict[str, bytes], channel: str):
        thread = self.threads.get(int(channel))
        if thread is not None and thread["thread_metadata"]["archived"]:
            return _json({"message": "Thread is archived", "code": ARCHIVED_THREAD}, status=400)
        if thread is not None:
            thread["message_count"] += 1
        return _public(self._apply(self._message(int(channel), self.bot, None), body or {}, files))

    async def _edit_message(self, request: web.Request, body: Any, files: Any, channel: str, mid: str):
        message = self.messages.get(int(mid))
        if message is None:
            return _json({"message": "Unknown Message", "code": 10008}, status=404)
        return _public(self._apply(message, body or {}, files))

    # forum channels and threads --------------------------------------------------------------------

    def _bot_may(self, permission: int) -> bool:
        return bool(self.bot_permissions & permission)

    async def _get_channel(self, request: web.Request, body: Any, files: Any, channel: str):
        channel_id = int(channel)
        if self.guild_of_channel(channel_id) is None:
            return _json({"message": "Unknown Channel", "code": 10003}, status=404)
        return self.channel_payload(channel_id)

    async def _edit_channel(self, request: web.Request, body: Any, files: Any, channel: str):
        """PATCH a forum (available_tags: needs Manage Channels) or a thread (archived, applied_tags)."""
        channel_id = int(channel)
        guild = self.guild_of_channel(channel_id)
        body = body or {}
        if guild is not None and channel_id in guild.forums:
            if not self._bot_may(MANAGE_CHANNELS):
                return _json({"message": "Missing Permissions", "code": 50013}, status=403)
            tags = []
            for tag in body.get("available_tags", []):
                tag_id = int(tag["id"]) if tag.get("id") else self.next_id()
                tags.append(_tag(tag_id, tag["name"]))
            self.forum_tags[channel_id] = tags
            payload = self.forum_payload(guild, channel_id)
            await self.dispatch("CHANNEL_UPDATE", payload, guild.id)
            return payload
        thread = self.threads.get(channel_id)
        if thread is None:
            return _json({"message": "Unknown Channel", "code": 10003}, status=404)
        meta = thread["thread_metadata"]
        for key in ("archived", "locked", "auto_archive_duration"):
            if key in body:
                meta[key] = body[key]
        if "applied_tags" in body:
            known = {t["id"] for t in self.forum_tags.get(int(thread["parent_id"]), [])}
            if not set(map(str, body["applied_tags"])) <= known or len(body["applied_tags"]) > 5:
                return _json({"message": "Invalid Form Body", "code": 50035}, status=400)
            thread["applied_tags"] = [str(t) for t in body["applied_tags"]]
        if "name" in body:
            thread["name"] = body["name"]
        await self.dispatch("THREAD_UPDATE", thread, int(thread["guild_id"]))
        return thread

    async def _create_thread(self, request: web.Request, body: Any, files: dict[str, bytes], channel: str):
        """A forum post: a thread (type 11) whose starter message has the thread's id."""
        forum_id = int(channel)
        guild = self.guild_of_channel(forum_id)
        if guild is None or forum_id not in guild.forums:
            return _json({"message": "Cannot execute action on this channel type", "code": 50024}, status=400)
        body = body or {}
        known = {t["id"] for t in self.forum_tags.get(forum_id, [])}
        applied = [str(t) for t in body.get("applied_tags") or []]
        if not set(applied) <= known or len(applied) > 5:
            return _json({"message": "Invalid Form Body", "code": 50035}, status=400)
        thread_id = self.next_id()
        thread = {
            "id": str(thread_id),
            "type": 11,
            "guild_id": str(guild.id),
            "parent_id": str(forum_id),
            "owner_id": str(self.bot.id),
            "name": body["name"],
            "last_message_id": str(thread_id),
            "rate_limit_per_user": 0,
            "message_count": 1,
            "member_count": 1,
            "total_message_sent": 1,
            "flags": 0,
            "applied_tags": applied,
            "thread_metadata": {
                "archived": False,
                "auto_archive_duration": body.get("auto_archive_duration", 1440),
                "archive_timestamp": datetime.now(UTC).isoformat(),
                "locked": False,
            },
        }
        self.threads[thread_id] = thread
        starter = self._message(thread_id, self.bot, None)
        del self.messages[int(starter["id"])]
        starter["id"] = str(thread_id)
        self.messages[thread_id] = starter
        self._apply(starter, body.get("message") or {}, files)
        await self.dispatch("THREAD_CREATE", {**thread, "newly_created": True}, guild.id)
        return {**thread, "message": _public(starter)}

    async def member_thread(self, user: FakeUser, forum_id: int, name: str) -> int:
        """A member opens a forum post of their own (THREAD_CREATE); returns the thread id."""
        guild = self.guild_of_channel(forum_id)
        assert guild is not None and forum_id in guild.forums
        thread_id = self.next_id()
        self.threads[thread_id] = {
            "id": str(thread_id),
            "type": 11,
            "guild_id": str(guild.id),
            "parent_id": str(forum_id),
            "owner_id": str(user.id),
            "name": name,
            "last_message_id": None,
            "rate_limit_per_user": 0,
            "message_count": 0,
            "member_count": 1,
            "total_message_sent": 0,
            "flags": 0,
            "applied_tags": [],
            "thread_metadata": {
                "archived": False,
                "auto_archive_duration": 1440,
                "archive_timestamp": datetime.now(UTC).isoformat(),
                "locked": False,
            },
        }
        await self.dispatch("THREAD_CREATE", {**self.threads[thread_id], "newly_created": True}, guild.id)
        return thread_id

    async def archive(self, thread_id: int) -> None:
        """Discord auto-archives an idle thread (and discord.py drops it from its cache)."""
        thread = self.threads[thread_id]
        thread["thread_metadata"]["archived"] = True
        await self.dispatch("THREAD_UPDATE", thread, int(thread["guild_id"]))

    def thread_messages(self, thread_id: int) -> list[dict[str, Any]]:
        """Every message in a thread, starter first."""
        return [m for m in self.messages.values() if int(m["channel_id"]) == thread_id]

    async def _open_dm(self, request: web.Request, body: Any, *_: Any) -> dict[str, Any]:
        user_id = int(body["recipient_id"])
        channel_id = self.dm_channels.setdefault(user_id, self.next_id())
        user = next(
            (m for g in self.guilds for m in g.members if m.id == user_id), FakeUser(user_id, "someone")
        )
        return {"id": str(channel_id), "type": 1, "recipients": [user.payload()], "last_message_id": None}


def _tag(tag_id: int, name: str) -> dict[str, Any]:
    return {"id": str(tag_id), "name": name, "moderated": False, "emoji_id": None, "emoji_name": None}


def _json(data: Any, status: int = 200) -> web.Response:
    """A JSON response with Content-Type exactly application/json (discord.py checks it literally)."""
    return web.Response(
        status=status, body=json.dumps(data).encode(), headers={"Content-Type": "application/json"}
    )


def _public(message: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in message.items() if not k.startswith("_")}


def _walk(components: list[dict[str, Any]]) -> list[dict[str, Any]]:
    out: list[dict[str, Any]] = []
    for comp in components:
        out.append(comp)
        out.extend(_walk(comp.get("components", [])))
        if isinstance(comp.get("component"), dict):
            out.extend(_walk([comp["component"]]))
    return out


def custom_ids(message: dict[str, Any]) -> list[str]:
    """The custom_ids of the buttons on a message, in order."""
    return [
        c["custom_id"]
        for c in _walk(message.get("components", []))
        if c.get("type") == 2 and "custom_id" in c
    ]


def buttons(message: dict[str, Any]) -> list[tuple[str, str]]:
    """(label, custom_id or url) of every button on a message."""
    return [
        (c.get("label", ""), c.get("custom_id") or c.get("url", ""))
        for c in _walk(message.get("components", []))
        if c.get("type") == 2
    ]
