"""Telegram's hard limits and the tunable send rates, in one place so tests can shrink the rates."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from core.config import SendLimitsConfig

MAX_TEXT = 4096  # characters of a message after entity parsing (counted in UTF-16 units to be safe)
MAX_CAPTION = 1024  # characters of a photo/document caption
MAX_CALLBACK_DATA = 64  # bytes of callback_data
MAX_DOWNLOAD = 20 * 1024 * 1024  # getFile refuses bigger files
MAX_DEEP_LINK = 64  # characters of a /start payload
MAX_ALBUM = 10  # photos per sendMediaGroup
BUTTONS_PER_ROW = 8
MAX_BUTTONS = 100


@dataclass(frozen=True)
class SendLimits:
    """Send rates and retry policy (Telegram's published flood limits by default)."""

    overall_per_second: float = 30.0  # all chats together
    chat_per_second: float = 1.0  # one private chat (short bursts of `chat_burst` allowed)
    chat_burst: int = 3
    group_per_minute: float = 20.0  # one group or channel
    max_retries_429: int = 5  # RetryAfter: wait retry_after, then try again this many times
    network_retries: int = 3  # network errors and 5xx: retried with exponential backoff
    backoff_seconds: float = 0.5  # first backoff delay; doubles each retry
    backoff_max_seconds: float = 8.0
    # "typing…" indicators over all chats (cosmetic; skipped beyond this). Under load every update took
    # over a second and got one: a quarter of the bot's CPU went to them (issue 14, bench/load.py profile)
    typing_per_second: float = 5.0


def limits_for(config: SendLimitsConfig) -> SendLimits:
    """This process's send limits from config.yaml's `telegram.send_limits`: its share of the token's
    overall rate (`messages_per_second / processes`); the per-chat and per-group limits are unchanged."""
    return SendLimits(overall_per_second=config.per_process)


class FileTooBig(ValueError):
    """A file the Bot API will not let us download (over 20 MB); raised before any network call."""

    def __init__(self, size: int | None) -> None:
        mb = (size or 0) / (1024 * 1024)
        super().__init__(
            f"That file is {mb:.1f} MB, but Telegram only lets bots download files up to 20 MB. "
            "Please send a smaller or shorter one."
        )
        self.size = size
