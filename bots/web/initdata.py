"""Validate a Telegram Mini App's `initData` exactly as Telegram documents it.

https://core.telegram.org/bots/webapps#validating-data-received-via-the-mini-app : the data-check-string
is every received field except `hash`, as `key=value` (URL-decoded values), sorted by key and joined by
"\\n"; the secret key is HMAC-SHA256 of the bot token keyed with the constant "WebAppData"; the data is
genuine when HMAC-SHA256(secret key, data-check-string), in hex, equals `hash`. `auth_date` (Unix
seconds) must also be recent, so a leaked initData string stops working.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import logging
from dataclasses import dataclass
from datetime import datetime
from urllib.parse import parse_qsl, urlencode

logger = logging.getLogger(__name__)

MAX_AGE_S = 24 * 3600  # Telegram keeps a Mini App's initData for the session; a day is generous
CLOCK_SKEW_S = 300  # an auth_date this far in the future is still accepted (clocks differ)


class InitDataError(Exception):
    """initData that is missing, forged, expired or malformed; the message says which (for logs)."""


@dataclass(frozen=True)
class TelegramUser:
    """The Telegram user a valid initData names."""

    id: int
    display_name: str


def secret_key(bot_token: str) -> bytes:
    """HMAC_SHA256(key="WebAppData", msg=bot_token): the key initData hashes are made with."""
    return hmac.new(b"WebAppData", bot_token.encode(), hashlib.sha256).digest()


def data_check_string(fields: dict[str, str]) -> str:
    """Every field but `hash`, "key=value", sorted by key, joined by newlines."""
    return "\n".join(f"{key}={fields[key]}" for key in sorted(fields) if key != "hash")


def sign(fields: dict[str, str], bot_token: str) -> str:
    """initData (a query string) for `fields` signed with `bot_token`, as Telegram would send it
    (tests and local development make their own initData with it)."""
    digest = hmac.new(secret_key(bot_token), data_check_string(fields).encode(), hashlib.sha256).hexdigest()
    return urlencode({**fields, "hash": digest})


def validate(init_data: str, bot_token: str, now: datetime, max_age_s: int = MAX_AGE_S) -> TelegramUser:
    """The user of a genuine, fresh initData; InitDataError otherwise.

    Raises when the bot token is not configured, the string has no or a wrong `hash` (compared in
    constant time), `auth_date` is missing, older than `max_age_s` or in the future, or `user` is not
    the JSON object Telegram sends.
    """
    if not bot_token:
        raise InitDataError("no bot token configured")
    if not init_data:
        raise InitDataError("no initData")
    fields = dict(parse_qsl(init_data, keep_blank_values=True, strict_parsing=False))
    received = fields.get("hash", "")
    expected = hmac.new(secret_key(bot_token), data_check_string(fields).encode(), hashlib.sha256).hexdigest()
    if not received or not hmac.compare_digest(received.lower(), expected):
        raise InitDataError("bad signature")
    try:
        auth_date = int(fields["auth_date"])
    except (KeyError, ValueError):
        raise InitDataError("no auth_date") from None
    age = now.timestamp() - auth_date
    if age > max_age_s:
        raise InitDataError(f"expired ({int(age)} s old)")
    if age < -CLOCK_SKEW_S:
        raise InitDataError("auth_date in the future")
    try:
        user = json.loads(fields["user"])
        user_id = int(user["id"])
    except (KeyError, ValueError, TypeError):
        raise InitDataError("no user") from None
    name = " ".join(str(user.get(k, "")).strip() for k in ("first_name", "last_name")).strip()
    return TelegramUser(user_id, name or str(user.get("username") or user_id))
