"""An offline Telegram Bot API: validates every call against the published spec and enforces limits.

Tests enqueue updates, the real python-telegram-bot Application long-polls them, and every request it
makes is recorded. Anything the real API would reject (unknown method or parameter, missing required
parameter, text over 4096, caption over 1024, callback_data over 64 bytes, malformed HTML, getFile on
a file over 20 MB) is answered with a 400 like Telegram does *and* recorded as a violation, which the
test fixture turns into a failure.
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import json
import logging
import re
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from aiohttp import web

logger = logging.getLogger(__name__)

SPEC_PATH = Path(__file__).resolve().parent.parent / "data" / "telegram-bot-api.json"
MAX_TEXT, MAX_CAPTION, MAX_CALLBACK, MAX_DOWNLOAD = 4096, 1024, 64, 20 * 1024 * 1024
BOT_USER = {"id": 4242, "is_bot": True, "first_name": "Interview Insights", "username": "insights_test_bot"}
ENTITY_TAGS = {
    "b": "bold",
    "strong": "bold",
    "i": "italic",
    "em": "italic",
    "u": "underline",
    "ins": "underline",
    "s": "strikethrough",
    "strike": "strikethrough",
    "del": "strikethrough",
    "code": "code",
    "pre": "pre",
    "a": "text_link",
    "blockquote": "blockquote",
    "tg-spoiler": "spoiler",
    "span": "spoiler",
    "tg-emoji": "custom_emoji",
}
HTML_TOKEN = re.compile(r"<[^<>]*>|&[^;\s&<>]*;?|[<>]")
NAMED = {"lt": "<", "gt": ">", "amp": "&", "quot": '"'}


def utf16_len(text: str) -> int:
    return len(text.encode("utf-16-le")) // 2


def parse_html(source: str) -> tuple[str, list[dict[str, Any]]]:
    """Telegram's HTML parse mode: visible text and entities; ValueError like "can't parse entities"."""
    out: list[str] = []
    used = 0
    stack: list[tuple[str, int, dict[str, Any]]] = []
    entities: list[dict[str, Any]] = []
    pos = 0
    for match in HTML_TOKEN.finditer(source):
        text = source[pos : match.start()]
        out.append(text)
        used += utf16_len(text)
        pos = match.end()
        token = match.group(0)
        if token in ("<", ">"):
            raise ValueError(f"unescaped {token!r} at byte offset {match.start()}")
        if token.startswith("&"):
            name = token[1:-1] if token.endswith(";") else None
            if name is None:
                raise ValueError(f"unescaped '&' at byte offset {match.start()}")
            if name in NAMED:
                char = NAMED[name]
            elif re.fullmatch(r"#[0-9]+", name):
                char = chr(int(name[1:]))
            elif re.fullmatch(r"#x[0-9a-fA-F]+", name):
                char = chr(int(name[2:], 16))
            else:
                raise ValueError(f"unsupported entity {token!r}")
            out.append(char)
            used += utf16_len(char)
            continue
        closing = token.startswith("</")
        inner = token[2:-1] if closing else token[1:-1]
        name = inner.split()[0].lower() if inner.split() else ""
        if name not in ENTITY_TAGS:
            raise ValueError(f"unsupported start tag {name!r} at byte offset {match.start()}")
        if closing:
            if not stack or stack[-1][0] != name:
                raise ValueError(f"unmatched end tag {name!r}")
            _, start, extra = stack.pop()
            if used > start:
                entities.append({"type": ENTITY_TAGS[name], "offset": start, "length": used - start, **extra})
        else:
            extra: dict[str, Any] = {}
            if name == "a":
                href = re.search(r'href="([^"]*)"', inner)
                extra["url"] = href.group(1) if href else ""
            stack.append((name, used, extra))
    if stack:
        raise ValueError(f"unclosed tag {stack[-1][0]!r}")
    out.append(source[pos:])
    return "".join(out), sorted(entities, key=lambda e: (e["offset"], -e["length"]))


# The methods Telegram's flood limits count (messages into a chat), for the fake's optional rate limits.
LIMITED_METHODS = frozenset(
    {
        "sendMessage",
        "sendPhoto",
        "sendDocument",
        "sendVideo",
        "sendAudio",
        "sendVoice",
        "sendAnimation",
        "sendVideoNote",
        "sendMediaGroup",
        "sendSticker",
        "sendPoll",
        "copyMessage",
        "forwardMessage",
    }
)


def _leak(bucket: tuple[float, float], now: float, rate: float) -> float:
    """A leaky bucket's level at `now`: it drains `rate` per second since it was last filled."""
    level, at = bucket
    return max(0.0, level - (now - at) * rate)


class ApiError(Exception):
    """A non-2xx answer, as Telegram would give it."""

    def __init__(self, code: int, description: str, parameters: dict[str, Any] | None = None) -> None:
        super().__init__(description)
        self.code, self.description, self.parameters = code, description, parameters


@dataclass
class Call:
    """One request the bot made."""

    method: str
    params: dict[str, Any]
    files: dict[str, bytes] = field(default_factory=dict)
    status: int = 200
    file_names: dict[str, str] = field(default_factory=dict)
    at: float = field(default_factory=time.monotonic)  # when the request arrived (time.monotonic())


@dataclass
class StoredFile:
    """A file users 'sent'; `size` may be set without real bytes (big-file tests)."""

    file_id: str
    data: bytes
    size: int


class FakeBotApi:
    """The fake server. Start with `await start()`, point PTB at `base_url`/`base_file_url`."""

    def __init__(
        self,
        token: str,
        spec_path: Path = SPEC_PATH,
        max_poll_wait: float = 1.0,
        *,
        rate_limit: float | None = None,
        chat_rate_limit: float | None = None,
        chat_burst: int = 3,
        latency: float = 0.0,
        record: bool = True,
    ) -> None:
        """`rate_limit`: messages per second over all chats (None: unlimited), `chat_rate_limit` per
        private chat with bursts of `chat_burst`; beyond them a message gets a 429 with retry_after 1,
        counted in `too_many` (not a violation: the bot must pace itself). `latency` seconds are
        added to every answer but getUpdates. `record=False` keeps no Call list (long benches)."""
        spec = json.loads(spec_path.read_text(encoding="utf-8"))
        self.methods: dict[str, dict[str, dict[str, Any]]] = {
            name: {f["name"]: f for f in method.get("fields", [])} for name, method in spec["methods"].items()
        }
        self.types: dict[str, dict[str, dict[str, Any]]] = {
            name: {f["name"]: f for f in kind.get("fields", [])} for name, kind in spec["types"].items()
        }
        self.token = token
        self.max_poll_wait = max_poll_wait
        self.calls: list[Call] = []
        self.violations: list[str] = []
        self.messages: dict[tuple[int, int], dict[str, Any]] = {}
        self.sent: list[dict[str, Any]] = []  # messages the bot sent, in order
        self.files: dict[str, StoredFile] = {}
        self.chats: dict[int, dict[str, Any]] = {}
        self.commands: list[dict[str, Any]] = []  # the default scope
        self.scoped_commands: dict[str, list[dict[str, Any]]] = {}
        self.webhook: dict[str, Any] = {}
        self.inline_answers: list[dict[str, Any]] = []  # answerInlineQuery params, in order
        self.topics: dict[tuple[int, int], dict[str, Any]] = {}  # (chat, thread) -> {name, closed}
        self._thread_ids = itertools.count(7)
        self._updates: list[dict[str, Any]] = []
        self._update_ids = itertools.count(1)
        self._message_ids = itertools.count(1000)
        self._new_update = asyncio.Condition()
        self._failures: list[tuple[int, float | None, set[str] | None]] = []
        self._delays: list[tuple[float, set[str] | None]] = []
        self._closing = False
        self._runner: web.AppRunner | None = None
        self.port = 0
        self.rate_limit, self.chat_rate_limit, self.chat_burst = rate_limit, chat_rate_limit, chat_burst
        self.latency, self.record = latency, record
        self.too_many = 0  # 429s the rate limits gave
        self.counts: dict[str, int] = {}  # calls per method (kept even when record=False)
        self.delivered: dict[int, int] = {}  # messages stored per chat (kept even when record=False)
        self._bucket: tuple[float, float] = (0.0, 0.0)  # (level, at) of the overall leaky bucket
        self._chat_buckets: dict[int, tuple[float, float]] = {}

    # ------------------------------------------------------------------ server

    async def start(self) -> None:
        app = web.Application(client_max_size=64 * 1024 * 1024)
        app.router.add_route("*", "/bot{token}/{method}", self._api)
        app.router.add_get("/file/bot{token}/{path:.*}", self._download)
        self._runner = web.AppRunner(app, access_log=None, shutdown_timeout=1)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        self.port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]

    async def close(self) -> None:
        self._closing = True
        async with self._new_update:
            self._new_update.notify_all()
        if self._runner is not None:
            await self._runner.cleanup()

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}/bot"

    @property
    def base_file_url(self) -> str:
        return f"http://127.0.0.1:{self.port}/file/bot"

    # ------------------------------------------------------------------ test controls

    def fail_next(self, count: int, status: int = 429, retry_after: float | None = 1, methods=None) -> None:
        """Answer the next `count` calls (of `methods`, default: anything but getUpdates) with an error."""
        for _ in range(count):
            self._failures.append((status, retry_after, set(methods) if methods else None))

    def delay_next(self, count: int, seconds: float, methods=None) -> None:
        """Answer the next `count` calls (of `methods`, default: anything but getUpdates; "download" is a
        file download) only after `seconds`. The call is still carried out, as a slow Telegram does: a
        client that stopped waiting (a read timeout) cannot tell whether its message was sent."""
        for _ in range(count):
            self._delays.append((seconds, set(methods) if methods else None))

    async def _maybe_delay(self, method: str) -> None:
        if method == "getUpdates" or not self._delays:
            return
        seconds, methods = self._delays[0]
        if methods is not None and method not in methods:
            return
        self._delays.pop(0)
        await asyncio.sleep(seconds)

    def add_file(self, file_id: str, data: bytes = b"", size: int | None = None) -> StoredFile:
        stored = StoredFile(file_id, data, len(data) if size is None else size)
        self.files[file_id] = stored
        return stored

    async def push_update(self, update: dict[str, Any]) -> int:
        """Queue an update for getUpdates; returns its update_id."""
        update_id = next(self._update_ids)
        update = {"update_id": update_id, **update}
        for key in ("message", "callback_query"):
            chat = (update.get(key) or {}).get("chat") or ((update.get(key) or {}).get("message") or {}).get(
                "chat"
            )
            if chat:
                self.chats[chat["id"]] = chat
        async with self._new_update:
            self._updates.append(update)
            self._new_update.notify_all()
        return update_id

    def new_message_id(self) -> int:
        return next(self._message_ids)

    def calls_to(self, method: str) -> list[Call]:
        return [call for call in self.calls if call.method == method]

    def sent_to(self, chat_id: int) -> list[dict[str, Any]]:
        return [msg for msg in self.sent if msg["chat"]["id"] == chat_id]

    # ------------------------------------------------------------------ request handling

    async def _api(self, request: web.Request) -> web.Response:
        method = request.match_info["method"]
        if request.match_info["token"] != self.token:
            return self._error(ApiError(401, "Unauthorized"))
        try:
            params, files, names = await self._params(request)
        except ValueError as exc:
            self.violations.append(f"{method}: unreadable request body: {exc}")
            return self._error(ApiError(400, f"Bad Request: {exc}"))
        call = Call(method, params, files, file_names=names)
        if self.record:
            self.calls.append(call)
        self.counts[method] = self.counts.get(method, 0) + 1
        try:
            self._validate(method, params, files)
            if self.latency and method != "getUpdates":
                await asyncio.sleep(self.latency)
            await self._maybe_delay(method)
            self._maybe_fail(method)
            self._rate_check(method, params)
            handler = getattr(self, "_m_" + method, None)
            result = await handler(params, files) if handler else True
        except ApiError as exc:
            call.status = exc.code
            return self._error(exc)
        return web.json_response({"ok": True, "result": result})

    @staticmethod
    def _error(exc: ApiError) -> web.Response:
        body: dict[str, Any] = {"ok": False, "error_code": exc.code, "description": exc.description}
        if exc.parameters:
            body["parameters"] = exc.parameters
        return web.json_response(body, status=exc.code)

    async def _params(self, request: web.Request) -> tuple[dict[str, Any], dict[str, bytes], dict[str, str]]:
        """Form-encoded or multipart (non-strings JSON-encoded), or a JSON body, or the query string."""
        raw: dict[str, Any] = dict(request.query)
        files: dict[str, bytes] = {}
        names: dict[str, str] = {}
        if request.content_type == "application/json":
            raw.update(await request.json())
            return raw, files, names
        if request.body_exists:
            form = await request.post()
            for key, value in form.items():
                if isinstance(value, web.FileField):
                    files[key] = value.file.read()
                    names[key] = value.filename
                else:
                    raw[key] = value
        return raw, files, names

    def _validate(self, method: str, params: dict[str, Any], files: dict[str, bytes]) -> None:
        spec = self.methods.get(method)
        if spec is None:
            self._violate(f"unknown method {method}")
            raise ApiError(404, "Not Found: method not found")
        attached = {
            ref[len("attach://") :]
            for value in params.values()
            if isinstance(value, str)
            for ref in re.findall(r"attach://[A-Za-z0-9_\-]+", value)
        }
        for name in list(params) + list(files):
            if name not in spec and name not in attached:
                self._violate(f"{method}: unknown parameter {name!r}")
                raise ApiError(400, f"Bad Request: unknown parameter {name}")
        for name, fspec in spec.items():
            if fspec["required"] and name not in params and name not in files:
                self._violate(f"{method}: missing required parameter {name!r}")
                raise ApiError(400, f"Bad Request: parameter {name} is required")
        for name, value in list(params.items()):
            types = spec.get(name, {}).get("types", ["String"])
            if types != ["String"] and isinstance(value, str):
                try:
                    params[name] = json.loads(value)
                except ValueError:
                    if "String" not in types:
                        self._violate(f"{method}: parameter {name!r} is not valid JSON: {value[:40]!r}")
                        raise ApiError(400, f"Bad Request: can't parse {name}") from None
        self._check_markup(method, params.get("reply_markup"))

    def _check_markup(self, method: str, markup: Any) -> None:
        if not isinstance(markup, dict):
            return
        for row in markup.get("inline_keyboard", []):
            for button in row:
                if not button.get("text"):
                    self._violate(f"{method}: button without text")
                    raise ApiError(400, "Bad Request: text buttons are unallowed in the inline keyboard")
                data = button.get("callback_data")
                if data is not None and not 1 <= len(data.encode("utf-8")) <= MAX_CALLBACK:
                    self._violate(f"{method}: callback_data of {len(data.encode())} bytes")
                    raise ApiError(400, "Bad Request: BUTTON_DATA_INVALID")

    def _violate(self, message: str) -> None:
        logger.error("fake Bot API violation: %s", message)
        self.violations.append(message)

    def _maybe_fail(self, method: str) -> None:
        if method == "getUpdates" or not self._failures:
            return
        status, retry_after, methods = self._failures[0]
        if methods is not None and method not in methods:
            return
        self._failures.pop(0)
        if status == 429:
            raise ApiError(
                429, f"Too Many Requests: retry after {retry_after}", {"retry_after": int(retry_after or 1)}
            )
        raise ApiError(status, "Internal Server Error")

    def _rate_check(self, method: str, params: dict[str, Any]) -> None:
        """Telegram's flood limits on messages, as leaky buckets: `rate_limit`/s overall (bursts of one
        second's worth), `chat_rate_limit`/s per private chat (bursts of `chat_burst`); else a 429."""
        if method not in LIMITED_METHODS:
            return
        now = time.monotonic()
        if self.rate_limit:
            level = _leak(self._bucket, now, self.rate_limit)
            if level + 1 > max(1.0, self.rate_limit):
                self._too_many()
            self._bucket = (level + 1, now)
        chat = int(params.get("chat_id") or 0) if str(params.get("chat_id", "")).lstrip("-").isdigit() else 0
        if self.chat_rate_limit and chat > 0:
            level = _leak(self._chat_buckets.get(chat, (0.0, now)), now, self.chat_rate_limit)
            if level + 1 > max(1, self.chat_burst):
                self._too_many()
            self._chat_buckets[chat] = (level + 1, now)

    def _too_many(self) -> None:
        self.too_many += 1
        raise ApiError(429, "Too Many Requests: retry after 1", {"retry_after": 1})

    def _text(self, method: str, source: str, parse_mode: str | None, limit: int, name: str) -> tuple:
        if parse_mode is not None and parse_mode != "HTML":
            self._violate(f"{method}: unexpected parse_mode {parse_mode!r}")
        try:
            plain, entities = parse_html(source) if parse_mode == "HTML" else (source, [])
        except ValueError as exc:
            self._violate(f"{method}: can't parse entities: {exc}")
            raise ApiError(400, f"Bad Request: can't parse entities: {exc}") from None
        if utf16_len(plain) > limit:
            self._violate(f"{method}: {name} of {utf16_len(plain)} characters (limit {limit})")
            raise ApiError(400, f"Bad Request: {name} is too long")
        return plain, entities

    def _chat(self, chat_id: Any) -> dict[str, Any]:
        chat_id = int(chat_id)
        if chat_id in self.chats:
            return self.chats[chat_id]
        if chat_id > 0:
            return {"id": chat_id, "type": "private", "first_name": "User"}
        return {"id": chat_id, "type": "supergroup", "title": "Group"}

    def _store(self, params: dict[str, Any], **content: Any) -> dict[str, Any]:
        chat = self._chat(params["chat_id"])
        message = {
            "message_id": self.new_message_id(),
            "from": BOT_USER,
            "chat": chat,
            "date": int(time.time()),
        }
        message.update({key: value for key, value in content.items() if value not in (None, [])})
        if isinstance(params.get("reply_markup"), dict) and params["reply_markup"].get("inline_keyboard"):
            message["reply_markup"] = params["reply_markup"]
        self.delivered[chat["id"]] = self.delivered.get(chat["id"], 0) + 1
        if self.record or "reply_markup" in message:  # record=False: only what a later edit may need
            self.messages[(chat["id"], message["message_id"])] = message
        if self.record:
            self.sent.append(message)
        return message

    # ------------------------------------------------------------------ methods

    async def _m_getMe(self, params, files):
        return {**BOT_USER, "can_join_groups": True, "can_read_all_group_messages": False}

    async def _m_deleteWebhook(self, params, files):
        self.webhook = {}
        return True

    async def _m_setWebhook(self, params, files):
        self.webhook = dict(params)
        return True

    async def _m_setMyCommands(self, params, files):
        commands = params["commands"]
        if "scope" in params:
            self.scoped_commands[json.dumps(params["scope"], sort_keys=True)] = commands
        else:
            self.commands = commands
        for command in commands:
            if not re.fullmatch(r"[a-z0-9_]{1,32}", command.get("command", "")) or not command.get(
                "description"
            ):
                self._violate(f"setMyCommands: invalid command {command!r}")
                raise ApiError(400, "Bad Request: BOT_COMMAND_INVALID")
        return True

    async def _m_getUpdates(self, params, files):
        offset = int(params.get("offset") or 0)
        wait = min(float(params.get("timeout") or 0), self.max_poll_wait)
        async with self._new_update:
            if offset:
                self._updates = [u for u in self._updates if u["update_id"] >= offset]
            if not self._updates and wait > 0 and not self._closing:
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(self._new_update.wait(), wait)
            return list(self._updates[:100])

    async def _m_sendMessage(self, params, files):
        plain, entities = self._text(
            "sendMessage", params["text"], params.get("parse_mode"), MAX_TEXT, "text"
        )
        if not plain.strip():
            self._violate("sendMessage: empty text")
            raise ApiError(400, "Bad Request: message text is empty")
        topic = self._topic_of("sendMessage", params)
        return self._store(params, text=plain, entities=entities, **topic)

    def _topic_of(self, method: str, params: dict[str, Any]) -> dict[str, Any]:
        """A send into a forum topic: the topic must exist and be open (Telegram: TOPIC_CLOSED)."""
        thread = params.get("message_thread_id")
        if thread is None:
            return {}
        key = (int(params["chat_id"]), int(thread))
        topic = self.topics.get(key)
        if topic is None and not self._chat(params["chat_id"]).get("is_forum"):
            return {"message_thread_id": int(thread)}  # a reply thread in an ordinary group: allowed
        if topic is None:
            raise ApiError(400, "Bad Request: message thread not found")
        if topic["closed"]:  # a runtime condition the bot must handle, not a spec violation
            raise ApiError(400, "Bad Request: TOPIC_CLOSED")
        return {"message_thread_id": int(thread), "is_topic_message": True}

    async def _m_sendChatAction(self, params, files):
        return True

    async def _m_answerCallbackQuery(self, params, files):
        return True

    def _caption(self, method: str, params: dict[str, Any]) -> dict[str, Any]:
        if "caption" not in params:
            return {}
        plain, entities = self._text(
            method, params["caption"], params.get("parse_mode"), MAX_CAPTION, "caption"
        )
        return {"caption": plain, "caption_entities": entities}

    async def _m_sendPhoto(self, params, files):
        photo = [{"file_id": f"photo{len(self.sent)}", "file_unique_id": "u", "width": 1, "height": 1}]
        topic = self._topic_of("sendPhoto", params)
        return self._store(params, photo=photo, **self._caption("sendPhoto", params), **topic)

    async def _m_sendDocument(self, params, files):
        name = self.calls[-1].file_names.get("document", "document") if self.calls else "document"
        document = {"file_id": f"doc{len(self.sent)}", "file_unique_id": "u", "file_name": name}
        topic = self._topic_of("sendDocument", params)
        return self._store(params, document=document, **self._caption("sendDocument", params), **topic)

    async def _m_sendMediaGroup(self, params, files):
        media = params["media"]
        if not 2 <= len(media) <= 10:
            self._violate(f"sendMediaGroup: {len(media)} items")
            raise ApiError(400, "Bad Request: wrong number of media")
        out = []
        for item in media:
            extra = {}
            if "caption" in item:
                extra = self._caption("sendMediaGroup", {"caption": item["caption"], **item})
            photo = [{"file_id": f"photo{len(self.sent)}", "file_unique_id": "u", "width": 1, "height": 1}]
            out.append(self._store(params, photo=photo, **extra))
        return out

    # ------------------------------------------------------------------ inline mode

    def _check_object(self, where: str, type_name: str, value: Any) -> None:
        """A nested object against its spec type: no unknown fields, no missing required ones."""
        fields = self.types.get(type_name)
        if fields is None or not isinstance(value, dict):
            self._violate(f"{where}: expected a {type_name} object, got {value!r:.60}")
            raise ApiError(400, f"Bad Request: can't parse {type_name}")
        for name in value:
            if name not in fields:
                self._violate(f"{where}: unknown field {name!r} in {type_name}")
                raise ApiError(400, f"Bad Request: unknown field {name}")
        for name, spec in fields.items():
            if spec["required"] and name not in value:
                self._violate(f"{where}: {type_name} without required field {name!r}")
                raise ApiError(400, f"Bad Request: field {name} is required")

    async def _m_answerInlineQuery(self, params, files):
        results = params["results"]
        if not isinstance(results, list) or len(results) > 50:
            self._violate(f"answerInlineQuery: {len(results)} results (at most 50)")
            raise ApiError(400, "Bad Request: RESULTS_TOO_MUCH")
        ids = [r.get("id") for r in results]
        if len(set(ids)) != len(ids):
            self._violate("answerInlineQuery: duplicate result ids")
            raise ApiError(400, "Bad Request: RESULT_ID_DUPLICATE")
        for result in results:
            if result.get("type") != "article":
                self._violate(f"answerInlineQuery: unexpected result type {result.get('type')!r}")
                raise ApiError(400, "Bad Request: RESULT_TYPE_INVALID")
            self._check_object("answerInlineQuery", "InlineQueryResultArticle", result)
            if not 1 <= len(result["id"].encode("utf-8")) <= 64 or not result["title"].strip():
                self._violate(f"answerInlineQuery: bad id or title in {result!r:.80}")
                raise ApiError(400, "Bad Request: RESULT_ID_INVALID")
            content = result["input_message_content"]
            self._check_object("answerInlineQuery", "InputTextMessageContent", content)
            self._text(
                "answerInlineQuery", content["message_text"], content.get("parse_mode"), MAX_TEXT, "text"
            )
            self._check_markup("answerInlineQuery", result.get("reply_markup"))
        if "button" in params:
            self._check_object("answerInlineQuery", "InlineQueryResultsButton", params["button"])
        self.inline_answers.append(params)
        return True

    # ------------------------------------------------------------------ forum topics

    def _forum(self, method: str, params: dict[str, Any]) -> int:
        chat_id = int(params["chat_id"])
        if not self._chat(chat_id).get("is_forum"):
            self._violate(f"{method}: chat {chat_id} is not a forum supergroup")
            raise ApiError(400, "Bad Request: the chat is not a forum")
        return chat_id

    def _known_topic(self, method: str, params: dict[str, Any]) -> dict[str, Any]:
        key = (self._forum(method, params), int(params["message_thread_id"]))
        if key not in self.topics:
            self._violate(f"{method}: unknown topic {key}")
            raise ApiError(400, "Bad Request: TOPIC_ID_INVALID")
        return self.topics[key]

    async def _m_createForumTopic(self, params, files):
        chat_id = self._forum("createForumTopic", params)
        name = params["name"]
        if not 1 <= len(name) <= 128:
            self._violate(f"createForumTopic: name of {len(name)} characters (1-128)")
            raise ApiError(400, "Bad Request: TOPIC_NAME_INVALID")
        thread_id = next(self._thread_ids)
        self.topics[(chat_id, thread_id)] = {"name": name, "closed": False}
        return {"message_thread_id": thread_id, "name": name, "icon_color": 7322096}

    async def _m_editForumTopic(self, params, files):
        topic = self._known_topic("editForumTopic", params)
        if "name" in params:
            if not 1 <= len(params["name"]) <= 128:
                self._violate(f"editForumTopic: name of {len(params['name'])} characters (1-128)")
                raise ApiError(400, "Bad Request: TOPIC_NAME_INVALID")
            topic["name"] = params["name"]
        return True

    async def _m_closeForumTopic(self, params, files):
        topic = self._known_topic("closeForumTopic", params)
        if topic["closed"]:
            raise ApiError(400, "Bad Request: TOPIC_NOT_MODIFIED")
        topic["closed"] = True
        return True

    async def _m_reopenForumTopic(self, params, files):
        topic = self._known_topic("reopenForumTopic", params)
        if not topic["closed"]:
            raise ApiError(400, "Bad Request: TOPIC_NOT_MODIFIED")
        topic["closed"] = False
        return True

    def _find(self, params: dict[str, Any]) -> dict[str, Any]:
        key = (int(params.get("chat_id", 0)), int(params.get("message_id", 0)))
        if key not in self.messages:
            raise ApiError(400, "Bad Request: message to edit not found")
        return self.messages[key]

    async def _m_editMessageText(self, params, files):
        message = self._find(params)
        plain, entities = self._text(
            "editMessageText", params["text"], params.get("parse_mode"), MAX_TEXT, "text"
        )
        message["text"], message["entities"] = plain, entities
        message.pop("reply_markup", None)
        if isinstance(params.get("reply_markup"), dict):
            message["reply_markup"] = params["reply_markup"]
        message["edit_date"] = int(time.time())
        return message

    async def _m_editMessageReplyMarkup(self, params, files):
        message = self._find(params)
        message.pop("reply_markup", None)
        if isinstance(params.get("reply_markup"), dict) and params["reply_markup"].get("inline_keyboard"):
            message["reply_markup"] = params["reply_markup"]
        message["edit_date"] = int(time.time())
        return message

    async def _m_getFile(self, params, files):
        stored = self.files.get(params["file_id"])
        if stored is None:
            raise ApiError(400, "Bad Request: invalid file_id")
        if stored.size > MAX_DOWNLOAD:
            self._violate(f"getFile on a file of {stored.size} bytes (over 20 MB)")
            raise ApiError(400, "Bad Request: file is too big")
        return {
            "file_id": stored.file_id,
            "file_unique_id": stored.file_id + "u",
            "file_size": stored.size,
            "file_path": f"files/{stored.file_id}",
        }

    async def _download(self, request: web.Request) -> web.Response:
        if request.match_info["token"] != self.token:
            return web.Response(status=401)
        path = request.match_info["path"]
        self.calls.append(Call("download", {"path": path}))
        await self._maybe_delay("download")
        stored = self.files.get(path.removeprefix("files/"))
        if stored is None:
            return web.Response(status=404)
        return web.Response(body=stored.data, content_type="application/octet-stream")
