"""Load config.yaml, expand ${ENV} references and validate every key with a clear error."""

from __future__ import annotations

import logging
import os
import re
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

logger = logging.getLogger(__name__)

ENV_REF = re.compile(r"\$\{([A-Za-z_][A-Za-z0-9_]*)(?::-([^}]*))?\}")


class ConfigError(Exception):
    """The configuration is invalid; the message names the bad key."""


class Strict(BaseModel):
    """Reject unknown keys so a typo in config.yaml is reported, not ignored."""

    model_config = ConfigDict(extra="forbid")


class DatabaseConfig(Strict):
    url: str = "sqlite+aiosqlite:///var/interview_insights.db"
    # PostgreSQL only (SQLite ignores them): SQLAlchemy's pool per process, see docs/DEPLOY.md section 2.
    pool_size: int = Field(5, ge=1, le=200)  # connections kept open
    max_overflow: int = Field(10, ge=0, le=200)  # extra connections opened under load, closed after
    pool_timeout_s: float = Field(30, gt=0)  # wait for a free connection before the request fails
    # Connections of the per-user event lock (storage/locks.py), a pool of their own so events holding
    # their lock can never take every connection their own work needs.
    lock_pool_size: int = Field(10, ge=1, le=200)
    lock_timeout_s: float = Field(30, gt=0)  # wait for another worker's event of the same user

    def pool_options(self) -> dict[str, Any]:
        """The pool settings as storage.db.Database keywords (pool_size, max_overflow, pool_timeout_s)."""
        return {
            "pool_size": self.pool_size,
            "max_overflow": self.max_overflow,
            "pool_timeout_s": self.pool_timeout_s,
        }


class DialogConfig(Strict):
    timeout_hours: float = Field(24, gt=0)
    max_text_chars: int = Field(3000, ge=100, le=20000)


class YearRange(Strict):
    first: int = Field(ge=1990, le=2100)
    last: int = Field(ge=1990, le=2100)

    @model_validator(mode="after")
    def ordered(self) -> YearRange:
        if self.first > self.last:
            raise ValueError("first must not be after last")
        return self


class SubmissionConfig(Strict):
    branches: list[str] = Field(default_factory=lambda: ["CSE", "IT", "ECE", "EEE", "MECH", "Other"])
    # Empty: accept the formats Indian colleges use (core.domain.experience.DEFAULT_ROLL_PATTERN).
    roll_number_pattern: str = ""
    roll_number_example: str = ""
    passout_years: YearRange = YearRange(first=2018, last=2030)
    interview_years_after_passout: int = Field(5, ge=0, le=40)
    max_rounds: int = Field(10, ge=1, le=30)
    max_questions_per_round: int = Field(15, ge=1, le=50)

    @field_validator("branches")
    @classmethod
    def some_branches(cls, value: list[str]) -> list[str]:
        if not value:
            raise ValueError("list at least one branch")
        return value

    @field_validator("roll_number_pattern")
    @classmethod
    def compiles(cls, value: str) -> str:
        try:
            re.compile(value)
        except re.error as exc:
            raise ValueError(f"not a valid regular expression: {exc}") from exc
        return value


class ModerationConfig(Strict):
    console_user_ids: list[str] = Field(default_factory=list)
    telegram_user_ids: list[int | str] = Field(default_factory=list)
    discord_roles: list[str] = Field(default_factory=list)
    discord_channel_id: int | None = None
    reputation_threshold: int = 10
    reports_to_hide: int = Field(3, ge=1)
    max_experiences_per_day: int = Field(5, ge=1)
    max_posts_per_hour: int = Field(20, ge=1)


class ConsoleConfig(Strict):
    user_id: str = "console-user"
    college: str = ""  # the college code the console user acts in (`python main.py --college CODE`)
    user_name: str = "Student"
    output_dir: str = "var/console"


class WebhookConfig(Strict):
    url: str = ""
    listen: str = "0.0.0.0"
    port: int = Field(8443, ge=1, le=65535)
    secret_token: str = ""


class SendLimitsConfig(Strict):
    """The messages per second one bot token may send, shared by every process sending through it.

    Telegram counts a bot's messages per token, not per process: N processes each allowing the full
    rate together send N times too fast (2 digest senders at 30/s each got 189 429s in 2,000 messages,
    bench/digest.py). Each process therefore allows `messages_per_second / processes`.
    """

    # Telegram's published bulk limit is 30/s; a bot with paid broadcasts may raise it (up to 1000/s).
    messages_per_second: float = Field(30, gt=0, le=1000)
    # How many processes send through this token at once: webhook workers + digest senders/queue workers.
    processes: int = Field(1, ge=1, le=1000)

    @property
    def per_process(self) -> float:
        """The overall messages per second this process allows."""
        return self.messages_per_second / self.processes


class TelegramConfig(Strict):
    token: str = ""
    base_url: str = "https://api.telegram.org/bot"
    base_file_url: str = "https://api.telegram.org/file/bot"
    mode: str = Field("polling", pattern="^(polling|webhook)$")
    webhook: WebhookConfig = WebhookConfig()
    bot_username: str = ""
    forum_chat_id: int | None = None  # a supergroup with topics where discussion threads are mirrored
    send_limits: SendLimitsConfig = SendLimitsConfig()


class DiscordConfig(Strict):
    token: str = ""
    guild_ids: list[int] = Field(default_factory=list)
    forum_channel_id: int | None = None
    digest_channel_ids: list[int] = Field(default_factory=list)
    shard_count: int | None = None
    message_content: bool = True  # read plain messages (needs the privileged Message Content intent)
    # The shards this process runs when shards are spread over processes (docs/DEPLOY.md section 1), e.g.
    # [0, 1] here and [2, 3] in another process with shard_count: 4. None: every shard, in this process.
    shard_ids: list[int] | None = None

    @model_validator(mode="after")
    def shards_in_range(self) -> DiscordConfig:
        """shard_ids need a fixed shard_count (every process must agree on it) and ids below it."""
        if self.shard_ids is None:
            return self
        if not self.shard_count:
            raise ValueError("shard_ids needs shard_count set to the total number of shards (1 or more)")
        if not self.shard_ids or len(set(self.shard_ids)) != len(self.shard_ids):
            raise ValueError("shard_ids must list each shard of this process once")
        wrong = [i for i in self.shard_ids if not 0 <= i < self.shard_count]
        if wrong:
            raise ValueError(f"shard_ids {wrong} are outside 0..{self.shard_count - 1} (shard_count)")
        return self


class MockConfig(Strict):
    max_duration_s: float = Field(180, gt=0, le=600)
    max_upload_mb: float = Field(20, gt=0, le=2000)
    workers: int = Field(1, ge=1, le=16)
    timeout_s: float = Field(300, gt=0)
    video_dir: str = "var/mock"


class SmtpConfig(Strict):
    """The mail server verification codes go through (secrets as ${ENV} references)."""

    host: str = "localhost"
    port: int = Field(587, ge=1, le=65535)
    starttls: bool = True
    ssl: bool = False  # implicit TLS (port 465); starttls is ignored then
    username: str = ""
    password: str = ""
    from_address: str = "Interview Insights <no-reply@localhost>"
    timeout_seconds: float = Field(10, gt=0, le=120)


class VerificationConfig(Strict):
    """Optional college-email verification: a one-time code mailed to an address in an allowed domain."""

    email_enabled: bool = False
    allowed_domains: list[str] = Field(default_factory=list)
    code_ttl_minutes: int = Field(15, ge=1, le=1440)
    max_attempts: int = Field(5, ge=1, le=20)
    max_sends_per_hour: int = Field(3, ge=1, le=50)
    smtp: SmtpConfig = SmtpConfig()

    @field_validator("allowed_domains")
    @classmethod
    def plain_domains(cls, value: list[str]) -> list[str]:
        domains = [d.strip().lower().lstrip("@") for d in value]
        for domain in domains:
            if not re.fullmatch(r"[a-z0-9-]+(\.[a-z0-9-]+)+", domain):
                raise ValueError(f"{domain!r} is not a domain name like college.edu")
        return domains

    @model_validator(mode="after")
    def domains_when_enabled(self) -> VerificationConfig:
        if self.email_enabled and not self.allowed_domains:
            raise ValueError("email_enabled needs at least one entry in allowed_domains")
        return self


WEEKDAY_NAMES = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
WEEKDAY_FULL = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")


class DigestConfig(Strict):
    """The weekly insight digest: when it is sent (local time), retries of failed sends, pacing."""

    enabled: bool = True  # run the scheduler with the adapters (`main.py digest` works either way)
    weekday: str = "mon"
    hour: int = Field(9, ge=0, le=23)
    minute: int = Field(0, ge=0, le=59)
    timezone: str = "Asia/Kolkata"
    retry_minutes: int = Field(30, ge=1, le=1440)  # failed deliveries are retried this often
    catch_up_hours: float = Field(72, gt=0, le=167)  # a week missed (bot down) is still sent this late
    misfire_grace_minutes: int = Field(60, ge=1, le=1440)
    # Minimum gap between two chats' deliveries starting, over all slots (an overall cap of 1/send_pause_s
    # chats/s); 0: no pause, the adapters' own limiters pace messages (Telegram: 30/s, 1/s per chat).
    send_pause_s: float = Field(0.0, ge=0, le=10)
    send_concurrency: int = Field(8, ge=1, le=64)  # chats sent to at once (each one claimed once)
    # Chats claimed (and their messages written ahead) per transaction; a sender killed leaves at most
    # this many claimed but unstarted chats to the outbox job (sent once when their 10-minute lease ends).
    claim_batch: int = Field(50, ge=1, le=1000)
    # A message cut off by a kill after the call, before the ledger recorded it (Telegram may have it):
    # resend (at least once, the default) or skip (at most once: marked in flight as the adapter's
    # limits let each call through, one more transaction per message, and given up by the outbox job).
    ambiguous_sends: str = Field("resend", pattern="^(resend|skip)$")
    send_when_empty: bool = True  # a short "nothing new this week" note instead of silence
    max_listed: int = Field(10, ge=1, le=50)  # new experiences listed per followed company

    @field_validator("weekday")
    @classmethod
    def known_weekday(cls, value: str) -> str:
        key = str(value).strip().lower()
        for short, full in zip(WEEKDAY_NAMES, WEEKDAY_FULL, strict=True):
            if key in (short, full):
                return short
        raise ValueError(f"{value!r} is not a weekday; use mon, tue, wed, thu, fri, sat or sun")

    @field_validator("timezone")
    @classmethod
    def known_timezone(cls, value: str) -> str:
        from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError):
            raise ValueError(f"{value!r} is not an IANA time zone such as Asia/Kolkata") from None
        return value


class InsightsConfig(Strict):
    """Company cards and /insights: where charts are drawn and how long a card waits for them."""

    chart_workers: int = Field(2, ge=0, le=16)  # chart processes; 0 = threads (stall the event loop)
    chart_wait_s: float = Field(3.0, gt=0, le=60)  # longer: the card goes first, charts follow as a push
    chart_timeout_s: float = Field(30.0, gt=0, le=300)  # a chart taking longer is given up
    refresh_on_approval: bool = True  # redraw a company's card in the background after an approval


class QueueConfig(Strict):
    """Where video scoring, chart renders and the weekly digest run (storage/queue.py, docs/DEPLOY.md).

    `inprocess` (the default, and the only choice on SQLite): each bot process runs them in its own
    pools and scheduler. `procrastinate` (PostgreSQL only): the bot defers them as durable jobs that
    `python main.py worker` processes run; a job of a worker that stopped sending heartbeats for
    `stalled_after_s` seconds is handed to another worker.
    """

    backend: str = Field("inprocess", pattern="^(inprocess|procrastinate)$")
    concurrency: int = Field(2, ge=1, le=64)  # jobs one `main.py worker` runs at once
    heartbeat_s: float = Field(10.0, gt=0, le=600)  # a worker records it is alive this often
    stalled_after_s: float = Field(60.0, gt=0, le=3600)  # no heartbeat for this long: its jobs are retried
    stalled_check_s: float = Field(15.0, gt=0, le=3600)  # how often each worker looks for such jobs
    poll_s: float = Field(5.0, gt=0, le=60)  # job polling besides PostgreSQL LISTEN/NOTIFY
    digest_schedule: bool = True  # the workers send the weekly digest (procrastinate periodic tasks)
    digest_cron: str = ""  # UTC cron (6th column: seconds) for the digest tick; empty: from `digest`

    @model_validator(mode="after")
    def heartbeat_before_stall(self) -> QueueConfig:
        if self.stalled_after_s <= self.heartbeat_s:
            raise ValueError("stalled_after_s must be longer than heartbeat_s")
        return self


class LoggingConfig(Strict):
    level: str = Field("INFO", pattern="^(DEBUG|INFO|WARNING|ERROR|CRITICAL)$")


class OpsConfig(Strict):
    """The operator's HTTP endpoint (core/ops/http.py): /health and /metrics on `http_host:http_port`."""

    http_port: int = Field(0, ge=0, le=65535)  # 0 = off
    http_host: str = "127.0.0.1"  # 0.0.0.0 in a container so the orchestrator and Prometheus reach it


class WebConfig(Strict):
    """The read-only web pages and the Telegram Mini App (bots/web), served beside the adapters.

    `public_url` is where people reach the pages (e.g. https://insights.example.edu, no trailing slash):
    cards link there ("Open in browser"); an https URL also opens them as a Telegram Mini App. Empty: no
    links in cards (`main.py --web` then links the local address for the console).
    """

    enabled: bool = False
    host: str = "127.0.0.1"  # 0.0.0.0 in a container
    port: int = Field(8080, ge=0, le=65535)  # 0 = any free port (tests)
    public_url: str = ""

    @field_validator("public_url")
    @classmethod
    def http_url(cls, value: str) -> str:
        value = value.strip().rstrip("/")
        if value and not re.fullmatch(r"https?://[^\s/?#]+(/[^\s?#]*)?", value):
            raise ValueError("public_url must be an http(s) address such as https://insights.example.edu")
        return value


class CollegeModerators(Strict):
    """Platform accounts moderating one college (config.yaml `colleges[].moderators`)."""

    console_user_ids: list[str] = Field(default_factory=list)
    telegram_user_ids: list[int | str] = Field(default_factory=list)
    discord_user_ids: list[int | str] = Field(default_factory=list)


class CollegeConfig(Strict):
    """A college this deployment serves (issue #15). `college:` names the default one (every row from
    before colleges existed, config's `moderation` ids); `colleges:` lists the others. The default
    college's empty roll-number pattern and branches fall back to `submission`."""

    code: str = Field("default", pattern=r"^[a-z0-9][a-z0-9_]{0,31}$")
    name: str = Field("Default college", min_length=1, max_length=120)
    email_domains: list[str] = Field(default_factory=list)
    roll_number_pattern: str = ""
    roll_number_example: str = ""
    branches: list[str] = Field(default_factory=list)
    share_across: bool = False  # contribute approved, anonymised experiences to cross-college insights
    moderators: CollegeModerators = CollegeModerators()

    @field_validator("roll_number_pattern")
    @classmethod
    def compiles(cls, value: str) -> str:
        try:
            re.compile(value)
        except re.error as exc:
            raise ValueError(f"not a valid regular expression: {exc}") from exc
        return value


def college_code(config: Config) -> str:
    """The deployment's default college code (config `college.code`): the web pages' URLs
    (/c/<code>/...) and the cards' links for actors of the default college use it."""
    return config.college.code


class Config(Strict):
    """Every setting of the bot."""

    database: DatabaseConfig = DatabaseConfig()
    adapters: list[str] = Field(default_factory=lambda: ["console"])
    dialog: DialogConfig = DialogConfig()
    submission: SubmissionConfig = SubmissionConfig()
    moderation: ModerationConfig = ModerationConfig()
    console: ConsoleConfig = ConsoleConfig()
    telegram: TelegramConfig = TelegramConfig()
    discord: DiscordConfig = DiscordConfig()
    mock: MockConfig = MockConfig()
    logging: LoggingConfig = LoggingConfig()
    verification: VerificationConfig = VerificationConfig()
    digest: DigestConfig = DigestConfig()
    insights: InsightsConfig = InsightsConfig()
    ops: OpsConfig = OpsConfig()
    queue: QueueConfig = QueueConfig()
    web: WebConfig = WebConfig()
    college: CollegeConfig = CollegeConfig()
    colleges: list[CollegeConfig] = Field(default_factory=list)
    # Other sections later features add (search, mock, digest, ...) are kept as plain mappings.
    extra: dict[str, Any] = Field(default_factory=dict)

    def moderator_chats(self) -> list[tuple[str, str, bool]]:
        """Where moderators are alerted, as (platform, chat id, is private): the configured console and
        Telegram moderator ids and the Discord moderation channel. The platform-specific keys of
        config.yaml are read here, in the schema, so features never name a platform."""
        moderation = self.moderation
        chats = [("console", str(uid), True) for uid in moderation.console_user_ids]
        chats += [("telegram", str(uid), True) for uid in moderation.telegram_user_ids]
        if moderation.discord_channel_id:
            chats.append(("discord", str(moderation.discord_channel_id), False))
        return chats

    def digest_channels(self) -> list[tuple[str, str]]:
        """Channels config.yaml subscribes to the weekly digest, as (platform, channel id)."""
        return [("discord", str(channel_id)) for channel_id in self.discord.digest_channel_ids]

    @model_validator(mode="after")
    def distinct_college_codes(self) -> Config:
        codes = [self.college.code, *(c.code for c in self.colleges)]
        duplicates = sorted({code for code in codes if codes.count(code) > 1})
        if duplicates:
            raise ValueError(f"college codes must be distinct; repeated: {duplicates}")
        return self

    @field_validator("adapters")
    @classmethod
    def known_adapters(cls, value: list[str]) -> list[str]:
        unknown = sorted(set(value) - {"console", "telegram", "discord"})
        if unknown:
            raise ValueError(f"unknown adapter(s) {unknown}; use console, telegram or discord")
        return value


def expand_env(value: Any, environ: Mapping[str, str] | None = None) -> Any:
    """Replace ${VAR} and ${VAR:-default} in every string of a parsed YAML tree."""
    env: Mapping[str, str] = os.environ if environ is None else environ
    if isinstance(value, str):
        return ENV_REF.sub(lambda m: env.get(m.group(1)) or (m.group(2) or ""), value)
    if isinstance(value, list):
        return [expand_env(item, env) for item in value]
    if isinstance(value, dict):
        return {key: expand_env(item, env) for key, item in value.items()}
    return value


def parse_config(data: dict[str, Any], environ: Mapping[str, str] | None = None) -> Config:
    """Validate a parsed config mapping; raise ConfigError naming the first bad key."""
    try:
        return Config.model_validate(expand_env(data or {}, environ))
    except ValidationError as exc:
        problems = []
        for error in exc.errors():
            key = ".".join(str(part) for part in error["loc"]) or "(top level)"
            message = "unknown key" if error["type"] == "extra_forbidden" else error["msg"]
            problems.append(f"{key}: {message}")
        raise ConfigError("invalid configuration: " + "; ".join(problems)) from None


def load_config(path: str | Path = "config.yaml", environ: Mapping[str, str] | None = None) -> Config:
    """Read and validate a YAML config file."""
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise ConfigError(f"cannot read config file {path}: {exc.strerror}") from None
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        raise ConfigError(f"config file {path} is not valid YAML: {exc}") from None
    if data is not None and not isinstance(data, dict):
        raise ConfigError(f"config file {path} must be a mapping of sections")
    return parse_config(data or {}, environ)
