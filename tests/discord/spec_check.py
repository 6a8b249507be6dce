"""Check REST calls against Discord's OpenAPI spec: the route's method exists and JSON body keys are known."""

from __future__ import annotations

import json
import re
from functools import cached_property
from pathlib import Path
from typing import Any

_JSON_TYPES = {
    dict: "object",
    list: "array",
    str: "string",
    bool: "boolean",
    int: "integer",
    float: "number",
    type(None): "null",
}


# Differences between what discord.py 2.7 sends and this OpenAPI preview, where Discord's own docs side with
# discord.py: checked by hand, so they are not reported as violations.
KNOWN_GAPS = (
    # "nsfw" is a documented application command field (docs: Application Commands) the preview omits.
    re.compile(
        r"^PUT /applications/\{application_id\}(/guilds/\{guild_id\})?/commands: "
        r"body\[\d+\]: unknown key 'nsfw'$"
    ),
    # discord.py puts "tts": false into every message body, also edits (UPDATE_MESSAGE callbacks, PATCH of an
    # interaction's @original) whose schemas in the preview lack it; Discord ignores it there.
    re.compile(r"^POST /interactions/[^:]+/callback: body.data: unknown key 'tts'$"),
    re.compile(r"^PATCH /webhooks/[^:]+/messages/[^:]+: body: unknown key 'tts'$"),
    # ForumChannel.create_thread: discord.py adds ?use_nested_fields=true (the forum-post form Discord's docs
    # describe), a "type" key and "tts" inside the nested starter message; Discord accepts and ignores them.
    re.compile(r"^POST /channels/\{channel_id\}/threads: unknown query parameter 'use_nested_fields'$"),
    re.compile(r"^POST /channels/\{channel_id\}/threads: body: unknown key 'type'$"),
    re.compile(r"^POST /channels/\{channel_id\}/threads: body.message: unknown key 'tts'$"),
)


class SpecChecker:
    """Validates (method, path, body) triples against an OpenAPI document; returns violation strings."""

    def __init__(self, path: Path) -> None:
        self.doc = json.loads(path.read_text(encoding="utf-8"))

    @cached_property
    def _templates(self) -> list[tuple[re.Pattern[str], str]]:
        routes = []
        for template in self.doc["paths"]:
            pattern = re.escape(template)
            pattern = re.sub(r"\\\{[a-z_]+\\\}", "[^/]+", pattern)
            literal = len(re.sub(r"\{[a-z_]+\}", "", template))  # prefer "@me" literal routes over params
            routes.append((re.compile(pattern + "$"), template, literal))
        routes.sort(key=lambda item: -item[2])
        return [(rx, template) for rx, template, _ in routes]

    def template_for(self, path: str) -> str | None:
        return next((template for rx, template in self._templates if rx.match(path)), None)

    def check(self, method: str, path: str, body: Any, query: dict[str, str]) -> list[str]:
        template = self.template_for(path)
        if template is None:
            return []  # not in the spec (e.g. the gateway): nothing to check
        item = self.doc["paths"][template]
        op = item.get(method.lower())
        where = f"{method} {template}"
        if op is None:
            return [f"{where}: method not in spec"]
        problems = []
        params = {
            p["name"] for p in [*item.get("parameters", []), *op.get("parameters", [])] if p["in"] == "query"
        }
        problems += [f"{where}: unknown query parameter {name!r}" for name in query if name not in params]
        if body is not None:
            content = (op.get("requestBody") or {}).get("content") or {}
            schema = (content.get("application/json") or {}).get("schema")
            if schema is None:
                problems.append(f"{where}: sends a body the spec does not take")
            else:
                problems += [f"{where}: {p}" for p in self._unknown(schema, body, "body")]
        return [p for p in problems if not any(gap.match(p) for gap in KNOWN_GAPS)]

    def _resolve(self, schema: dict[str, Any]) -> dict[str, Any]:
        while "$ref" in schema:
            node: Any = self.doc
            for part in schema["$ref"].lstrip("#/").split("/"):
                node = node[part]
            schema = node
        return schema

    def _admits(self, schema: dict[str, Any], value: Any) -> bool:
        if "enum" in schema and value not in schema["enum"]:
            return False
        kinds = schema.get("type")
        if kinds is None:
            return True
        kinds = [kinds] if isinstance(kinds, str) else kinds
        actual = _JSON_TYPES.get(type(value), "object")
        if actual == "integer" and schema.get("format") == "snowflake":
            return True  # Discord takes snowflakes as JSON numbers too; discord.py sends some that way
        return actual in kinds or (actual == "integer" and "number" in kinds)

    def _discriminated(self, schema: dict[str, Any], value: Any) -> bool:
        """False when an enum-valued property (e.g. an interaction callback's type) rules this branch out."""
        if not isinstance(value, dict):
            return True
        for key, prop in (schema.get("properties") or {}).items():
            prop = self._resolve(prop)
            if key in value and "enum" in prop and value[key] not in prop["enum"]:
                return False
        return True

    def _unknown(self, schema: dict[str, Any], value: Any, where: str, depth: int = 0) -> list[str]:
        """Keys in `value` that `schema` does not know (recursing into known objects and arrays)."""
        schema = self._resolve(schema)
        if depth > 12:
            return []
        branches = schema.get("anyOf") or schema.get("oneOf")
        if branches:
            best: list[str] | None = None
            for branch in branches:
                branch = self._resolve(branch)
                if not self._admits(branch, value) or not self._discriminated(branch, value):
                    continue
                found = self._unknown(branch, value, where, depth + 1)
                if best is None or len(found) < len(best):
                    best = found
            return best if best is not None else [f"{where}: value {value!r:.60} matches no allowed type"]
        if "allOf" in schema and schema.get("type") in (None, "object", ["object"]):
            merged: dict[str, Any] = {"type": "object", "properties": {}}
            for part in schema["allOf"]:
                part = self._resolve(part)
                merged["properties"].update(part.get("properties") or {})
                if part.get("additionalProperties"):
                    merged["additionalProperties"] = True
            schema = merged
        if not self._admits(schema, value):
            return [f"{where}: {type(value).__name__} where the spec wants {schema.get('type')}"]
        if isinstance(value, dict):
            props = schema.get("properties")
            if props is None:
                return []
            problems = []
            for key, item in value.items():
                if key in props:
                    problems += self._unknown(props[key], item, f"{where}.{key}", depth + 1)
                elif not schema.get("additionalProperties"):
                    problems.append(f"{where}: unknown key {key!r}")
            return problems
        if isinstance(value, list) and isinstance(schema.get("items"), dict):
            problems = []
            for index, item in enumerate(value):
                problems += self._unknown(schema["items"], item, f"{where}[{index}]", depth + 1)
            return problems
        return []
