"""Interview Insights command line: run the bot's adapters, migrate the database, seed demo data."""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import logging
import sys
from collections.abc import Sequence

from bots.base import PlatformUnreachable
from core.config import Config, ConfigError, load_config

logger = logging.getLogger(__name__)

ADAPTERS = ("console", "telegram", "discord")
#: The `application_name` suffix of each command's PostgreSQL connections (pg_stat_activity).
PROCESS_KIND = {None: "bot", "run": "bot", "worker": "worker"}
SHUTDOWN_GRACE_S = 20.0  # SIGTERM: how long in-flight events may take to finish before the process exits


def build_parser() -> argparse.ArgumentParser:
    """Every command and option, documented for --help."""
    parser = argparse.ArgumentParser(
        prog="main.py",
        description="Interview Insights: students' interview experiences as shared, searchable knowledge. "
        "With no command, runs the configured adapters (the console by default).",
    )
    parser.add_argument("--config", default="config.yaml", help="settings file (default: config.yaml)")
    parser.add_argument("--db", metavar="URL", help="database URL, overriding database.url in the config")
    parser.add_argument(
        "--adapter",
        action="append",
        choices=ADAPTERS,
        help="adapter to run (repeatable; default: config 'adapters')",
    )
    parser.add_argument("--demo", action="store_true", help="seed demo data first if the database has none")
    parser.add_argument(
        "--web",
        action="store_true",
        help="also serve the web pages and the Telegram Mini App (config 'web': host, port, public_url)",
    )
    parser.add_argument(
        "--console-user",
        metavar="ID",
        help="console: act as this user id (e.g. console-moderator, a moderator in config.yaml)",
    )
    parser.add_argument(
        "--college", metavar="CODE", help="console: act in this college (its code in config.yaml `colleges`)"
    )
    parser.add_argument("-v", "--verbose", action="store_true", help="log debug messages")
    parser.add_argument(
        "--log-format",
        choices=("text", "json"),
        default="text",
        help="text lines, or one JSON object per line for a log collector (both carry the update id)",
    )
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")
    commands.add_parser("run", help="run the bot (the default)")
    commands.add_parser("migrate", help="create or upgrade the database schema to the latest version")
    seed = commands.add_parser("seed-demo", help="fill the database with a realistic demo data set")
    seed.add_argument("--experiences", type=int, default=1200, help="how many experiences (default: 1200)")
    seed.add_argument("--seed", type=int, default=42, help="random seed (default: 42)")
    score = commands.add_parser("score-video", help="score a video answer file (mock interview) and print it")
    score.add_argument("file", help="video file (MP4/H.264, WebM/VP8/VP9 or MOV)")
    score.add_argument("--json", action="store_true", help="print JSON: scores (0-100) and raw measurements")
    imp = commands.add_parser(
        "import",
        help="import experiences from a CSV or JSON file (columns: see core/features/share/importer.py)",
        description="Import experiences (e.g. from an earlier web platform). Every row is validated like the "
        "sharing dialog; rejected rows are listed with their line numbers and reasons; rows already imported "
        "are skipped. Columns: name, linkedin, branch, roll_number, passout_year, company, interview_year, "
        "role, role_description, source, rounds, preparation, reflections, outcome, difficulty, rating, "
        "anonymous, status. rounds is JSON or 'kind:difficulty:q1|q2;kind:difficulty:q1'.",
    )
    imp.add_argument("file", help="a .csv file with a header line, or a .json list (or an export file)")
    imp.add_argument(
        "--approve",
        action="store_true",
        help="publish rows without a status column at once (default: pending)",
    )
    imp.add_argument("--dry-run", action="store_true", help="only validate and report; store nothing")
    exp = commands.add_parser(
        "export",
        help="export approved experiences as JSON (anonymised by default)",
        description="Export approved experiences in the import format. By default no names, LinkedIn links, "
        "roll numbers or user ids are included. --with-personal-data adds them for authors who posted under "
        "their name; anonymous authors are never included.",
    )
    exp.add_argument("--out", metavar="FILE", help="write to FILE (default: standard output)")
    exp.add_argument(
        "--with-personal-data",
        action="store_true",
        help="include name, LinkedIn and roll number of non-anonymous authors",
    )
    digest = commands.add_parser(
        "digest",
        help="send the weekly insight digest once (for cron instead of the built-in scheduler)",
        description="Send the week that ended at the configured digest.weekday/hour (if not sent yet) to "
        "every subscribed chat, through Telegram/Discord when their tokens are set and on this terminal for "
        "console subscriptions. Safe to repeat: each chat gets each week's digest once; failed chats are "
        "retried. --now sends the week in progress early instead (its scheduled send then only reaches "
        "new chats).",
    )
    digest.add_argument("--now", action="store_true", help="send the week in progress now, without waiting")
    worker = commands.add_parser(
        "worker",
        help="run a task-queue worker (PostgreSQL): video scoring, chart renders, the weekly digest",
        description="Run jobs the bots defer when queue.backend is procrastinate (storage/queue.py): mock "
        "video scoring, chart renders and, as periodic tasks, the weekly digest and the outbox retries. "
        "Start one per machine that should add capacity; a job of a worker that died is retried by another. "
        "Refuses to start on SQLite, where the bot runs these jobs in-process, and when queue.backend is "
        "inprocess (export INTERVIEW_INSIGHTS_QUEUE=procrastinate). A database outage is ridden out: the "
        "worker reconnects and carries on; it exits non-zero only on a failure it cannot recover from.",
    )
    worker.add_argument(
        "--import",
        dest="imports",
        action="append",
        default=[],
        metavar="MODULE",
        help="import MODULE first (repeatable), e.g. one that registers a scorer with core.queue_tasks",
    )
    worker.add_argument(
        "--http-port",
        type=int,
        metavar="PORT",
        help="serve /health and /metrics on PORT (default: ops.http_port; 0 = off); give each worker on "
        "one machine its own",
    )
    for command in commands.choices.values():  # `migrate --db URL` works as `--db URL migrate`
        add_global_options(command)
    return parser


def add_global_options(command: argparse.ArgumentParser) -> None:
    """Let a subcommand take the global --config, --db, -v and --log-format after its name as well; their
    defaults stay the main parser's (SUPPRESS: an option not given after the name leaves the value
    given, or defaulted, before it)."""
    command.add_argument("--config", default=argparse.SUPPRESS, help="settings file (default: config.yaml)")
    command.add_argument(
        "--db", metavar="URL", default=argparse.SUPPRESS, help="database URL (as before COMMAND)"
    )
    command.add_argument(
        "-v", "--verbose", action="store_true", default=argparse.SUPPRESS, help="log debug messages"
    )
    command.add_argument(
        "--log-format", choices=("text", "json"), default=argparse.SUPPRESS, help="text or json log lines"
    )


#: Why `main.py worker` refuses a config whose queue.backend is inprocess: bots started with it never
#: defer a job, so the worker would run nothing but digest ticks the bots also send themselves.
WORKER_WITHOUT_QUEUE = (
    "queue.backend is inprocess in this config, so bots started with it run their jobs themselves and "
    "never send any to a worker; set INTERVIEW_INSIGHTS_QUEUE=procrastinate (config.yaml `queue.backend`) "
    "for the bots and the workers alike"
)


async def run_worker(
    config: Config, db_url: str | None, imports: Sequence[str], http_port: int | None = None
) -> int:
    """Serve the task queue until SIGINT/SIGTERM: bootstrap the core, open the platforms for sending (as
    `main.py digest` does; console chats are printed on this terminal), serve /health and /metrics when
    `http_port` (else ops.http_port) is set, then run procrastinate."""
    import importlib

    from core import queue_tasks
    from core.app import bootstrap
    from storage.queue import NEEDS_POSTGRES, is_postgres, serve

    url = db_url or config.database.url
    if not is_postgres(url):
        print(f"error: {NEEDS_POSTGRES} (queue.backend: inprocess).", file=sys.stderr)
        return 2
    if config.queue.backend != "procrastinate":
        print(f"error: {WORKER_WITHOUT_QUEUE}", file=sys.stderr)
        return 2
    for module in imports:
        importlib.import_module(module)
    try:
        app = await bootstrap(config, db_url=url, scorer=queue_tasks.worker_scorer())
    except ConfigError:
        raise
    except Exception as problem:  # noqa: BLE001 - e.g. PostgreSQL unreachable: a supervisor starts it again
        return _worker_failed("cannot start", problem)
    closers = []
    ops = None
    try:
        closers = await open_senders(app, config)
        ops = await start_ops(app, config, (), port=http_port, running=["queue-worker"], durable=True)
        logger.info("queue worker started")
        await serve(url, queue_tasks.handlers(app), config.queue, config.digest)
    except Exception as problem:  # noqa: BLE001 - one line and a non-zero status, so a supervisor restarts it
        return _worker_failed("stopped", problem)
    finally:
        if ops is not None:
            await ops.stop()
        for close in closers:
            with contextlib.suppress(Exception):
                await close()
        await app.close()
    return 0


def _worker_failed(what: str, problem: Exception) -> int:
    """Print `error: the queue worker <what>: <Type>: <message>` on one line (the traceback at debug
    level) and return 1, the status a supervisor restarts on."""
    logger.debug("the queue worker %s", what, exc_info=problem)
    message = " ".join(str(problem).split())
    print(f"error: the queue worker {what}: {type(problem).__name__}: {message}", file=sys.stderr)
    return 1


def check_task_queue(config: Config, db_url: str | None) -> None:
    """ConfigError when queue.backend is procrastinate and the database is not PostgreSQL."""
    from storage.queue import NEEDS_POSTGRES, is_postgres

    if config.queue.backend == "procrastinate" and not is_postgres(db_url or config.database.url):
        raise ConfigError(f"queue.backend: procrastinate: {NEEDS_POSTGRES}")


async def open_task_queue(config: Config, db_url: str | None):
    """With queue.backend procrastinate: the opened queue, charts routed to it (before bootstrap); else
    None. A ConfigError on SQLite."""
    if config.queue.backend != "procrastinate":
        return None
    from core.features.company.charts import use_runner
    from storage.queue import QueueUnavailable, open_queue

    try:
        queue = await open_queue(db_url or config.database.url)
    except QueueUnavailable as problem:
        raise ConfigError(f"queue.backend: procrastinate: {problem}") from None
    use_runner(queue.runner())
    return queue


async def open_senders(app, config: Config) -> list:
    """Connect every platform whose token is set for sending only (plus the console, printed on this
    terminal), as `main.py digest` and `main.py worker` push without serving updates; returns the
    close callbacks. A platform that cannot connect is left unregistered: its chats wait ("not
    running") for a later run, and a warning says so on stderr."""
    import io

    from bots.console.adapter import ConsoleAdapter

    closers = []
    app.register_notifier("console", ConsoleAdapter(app, config, stdin=io.StringIO(), stdout=sys.stdout))
    for name, token in (("telegram", config.telegram.token), ("discord", config.discord.token)):
        if not token:
            continue
        adapter = make_adapter(name, app, config)
        try:
            await adapter.open_for_sending()
            app.register_notifier(name, adapter)
            closers.append(adapter.close_sending)
        except Exception as problem:  # noqa: BLE001 - the other platforms still get theirs
            app.unregister_notifier(name)
            print(
                f"warning: cannot connect to {name} ({type(problem).__name__}); its chats wait",
                file=sys.stderr,
            )
    return closers


async def run_digest(config: Config, db_url: str | None, early: bool) -> int:
    """Send this week's digest once; exit 1 when some chat failed (a later run retries it)."""

    from core.app import bootstrap

    app = await bootstrap(config, db_url=db_url)
    closers = []
    try:
        closers = await open_senders(app, config)
        sender = app.digest.sender
        report = await (sender.send_early() if early else sender.tick())
    finally:
        for close in closers:
            with contextlib.suppress(Exception):
                await close()
        await app.close()
    week = f"{report.period.start:%Y-%m-%d %H:%M} to {report.period.end:%Y-%m-%d %H:%M} UTC"
    if report.closed:
        print(f"Digest for {week}: closed (sent earlier or too late to catch up); nothing sent.")
        return 0
    print(
        f"Digest for {week}: {report.sent} sent, {report.failed} failed, {report.skipped} already sent, "
        f"{report.unavailable} waiting for their platform."
        + (" (Nothing new this week.)" if report.empty else "")
    )
    for error in report.errors:
        print(f"failed: {error}", file=sys.stderr)
    return 1 if report.failed else 0


def database_exists(url: str) -> bool:
    """False only for a SQLite file database whose file is not there yet (any other URL: True)."""
    from pathlib import Path

    from storage.db import is_memory_sqlite, normalize_url

    parsed = normalize_url(url)
    if parsed.get_backend_name() != "sqlite" or is_memory_sqlite(parsed):
        return True
    return Path(parsed.database or "").exists()


async def run_import(config: Config, db_url: str | None, path: str, approve: bool, dry_run: bool) -> int:
    """Import a file or a folder of write-ups; exit 1 when it cannot be read or any row was rejected.

    Published rows are analysed in one pass (storage.analysis.analyse_all: topics, sentiment, search
    index), which bumps each company's data_version once; then each company's card is redrawn once, one
    company after another, instead of one background redraw per approved row.
    """
    from pathlib import Path

    from core.app import bootstrap
    from core.features.company.service import CompanyFeature
    from core.features.share.importer import ImportFormatError, import_experiences
    from storage.analysis import analyse_all

    url = db_url or config.database.url
    if dry_run and not database_exists(url):
        # Nothing to compare against and nothing may be stored: check in memory, create no file.
        url = "sqlite+aiosqlite://"
    app = await bootstrap(config, db_url=url)
    try:
        now = app.services.clock()
        report = await import_experiences(
            app.services.repos, config, Path(path), approve=approve, now=now, dry_run=dry_run
        )
        await app.services.companies.refresh()
        if report.approved:
            await analyse_all(app.database.sessions, batch=max(len(report.approved), 1))
            company = app.feature(CompanyFeature)
            for company_id in report.approved_companies:
                try:
                    stats = await company.stats_for(company_id)
                    if stats is not None and stats.total:
                        await company.charts(stats)
                except Exception as problem:  # noqa: BLE001 - the card is drawn again when next opened
                    logger.warning("card of company %s not redrawn after import: %r", company_id, problem)
    except ImportFormatError as problem:
        print(f"error: {problem}", file=sys.stderr)
        return 1
    finally:
        await app.close()
    for rejected in report.rejected:
        print(f"{rejected.where}: rejected: {rejected.reason}", file=sys.stderr)
    if report.files:
        found = ", ".join(f"{key} {n}/{report.files}" for key, n in report.extracted.items())
        print(f"Extracted from {report.files} write-ups: {found}.")
    if dry_run:
        print(
            f"Checked {path}: {report.would_add} would be added"
            f"{' and published' if approve else ' (pending)'}, "
            f"{len(report.duplicates)} already imported, {len(report.rejected)} rejected. Nothing was stored."
        )
    else:
        print(
            f"Imported {path}: {len(report.imported)} new ({len(report.approved)} published), "
            f"{len(report.duplicates)} already imported, {len(report.rejected)} rejected."
        )
    return 1 if report.rejected else 0


async def run_export(config: Config, db_url: str | None, out: str | None, personal: bool) -> int:
    """Write approved experiences as JSON to a file or standard output."""
    import json

    from storage.db import open_database
    from storage.exporter import export_experiences
    from storage.models import utcnow

    database = await open_database(db_url or config.database.url)
    try:
        document = await export_experiences(database.sessions, now=utcnow(), with_personal_data=personal)
    finally:
        await database.dispose()
    text = json.dumps(document, ensure_ascii=False, indent=2) + "\n"
    if out is None:
        sys.stdout.write(text)
        return 0
    with open(out, "w", encoding="utf-8") as handle:
        handle.write(text)
    print(f"Exported {len(document['experiences'])} experiences to {out}.", file=sys.stderr)
    return 0


def run_score_video(path: str, as_json: bool, max_duration_s: float) -> int:
    """Score one file in this process; a bad file exits 1 with a one-line reason."""
    import json

    from media.video import VideoError
    from media.worker import score_file

    try:
        result = score_file(path, max_duration_s=max_duration_s)
    except VideoError as problem:
        print(f"error: {problem.reason}", file=sys.stderr)
        return 1
    if as_json:
        metrics = {k: v for k, v in result["metrics"].items() if k not in ("samples", "speech_segments")}
        print(json.dumps({**result, "metrics": metrics}, indent=2))
        return 0
    print(f"Overall: {result['overall']}/100")
    for key, value in result["scores"].items():
        print(f"  {result['labels'].get(key, key)}: {value} - {result['tips'].get(key, '')}")
    return 0


def configure_logging(config: Config, verbose: bool, console: bool, json: bool = False) -> None:
    """Log to stderr, as text or JSON lines, each carrying the update id of the event it belongs to; the
    console adapter keeps its screen clean by logging only warnings."""
    from core.ops.logs import install_handler

    level = logging.DEBUG if verbose else getattr(logging, config.logging.level)
    if console and not verbose:
        level = max(level, logging.WARNING)
    install_handler(level, json=json, stream=sys.stderr)
    noisy_loggers = (
        "httpx",
        "aiosqlite",
        "discord.gateway",
        "alembic.runtime.migration",
        "alembic.runtime.plugins",
        # one INFO line per job start/end and per defer, carrying the job's pickled arguments (which
        # hold question texts): kept to warnings; queue depth is on /metrics
        "procrastinate",
    )
    for noisy in noisy_loggers:
        logging.getLogger(noisy).setLevel(max(level, logging.WARNING))


async def run_migrate(config: Config, db_url: str | None) -> int:
    """Upgrade the database to the latest schema, then mask and analyse published experiences that an
    older version never masked (migration 0006 adds the record of what was masked)."""
    from storage.analysis import analyse_all
    from storage.db import migrate, open_database

    url = db_url or config.database.url
    await migrate(url)
    await migrate_queue(config, url)
    database = await open_database(url, migrate=False)  # migrated just above
    try:
        caught_up = await analyse_all(database.sessions)
    finally:
        await database.dispose()
    print(
        "Database is at the latest schema."
        + (f" Masked and analysed {caught_up} experiences." if caught_up else "")
    )
    return 0


async def migrate_queue(config: Config, url: str) -> None:
    """On PostgreSQL, create the task queue's tables (procrastinate's own SQL; idempotent) when
    procrastinate is installed; it must be when queue.backend is procrastinate."""
    from storage.queue import QueueUnavailable, apply_schema, is_postgres

    if not is_postgres(url):
        return
    try:
        await apply_schema(url)
    except (ImportError, QueueUnavailable) as problem:
        if config.queue.backend == "procrastinate":
            raise ConfigError(f"queue.backend: procrastinate: {problem}") from None
        logger.info("task queue schema not applied: %s", problem)


async def run_seed(config: Config, db_url: str | None, experiences: int, seed: int) -> int:
    """Migrate, then seed demo data (idempotent) and index it for /search (also catching up a database
    seeded before seeding indexed)."""
    from storage.db import open_database
    from storage.search import index_missing
    from storage.seed_demo import seed_demo

    if experiences < 0:
        raise ConfigError("--experiences must be 0 or more")
    database = await open_database(db_url or config.database.url)
    try:
        report = await seed_demo(database.sessions, experiences=experiences, seed=seed)
        await index_missing(database.sessions)  # /search finds every seeded experience
    finally:
        await database.dispose()
    if report.skipped:
        print("The database already holds demo data; nothing added.")
    else:
        print(
            f"Seeded {report.companies} companies, {report.experiences} experiences, "
            f"{report.rounds} rounds and {report.questions} questions."
        )
    return 0


def make_adapter(name: str, app, config: Config):
    """Build one adapter; the platform libraries are imported only when used."""
    if name == "console":
        from bots.console.adapter import ConsoleAdapter

        return ConsoleAdapter(app, config)
    if name == "telegram":
        if not config.telegram.token:
            raise ConfigError("telegram.token: empty; set the TELEGRAM_BOT_TOKEN environment variable")
        from bots.telegram.adapter import TelegramAdapter
        from bots.telegram.limits import limits_for

        # This process's share of the token's messages/s (telegram.send_limits: messages_per_second /
        # processes): webhook workers and digest senders each allow only theirs, so together they keep to it.
        limits = limits_for(config.telegram.send_limits)
        return TelegramAdapter(app, config.telegram, config.moderation, limits=limits)
    if not config.discord.token:
        raise ConfigError("discord.token: empty; set the DISCORD_BOT_TOKEN environment variable")
    from bots.discord.adapter import DiscordAdapter

    return DiscordAdapter(app, config.discord, config.moderation)


async def start_ops(
    app,
    config: Config,
    tasks: Sequence[asyncio.Task],
    *,
    port: int | None = None,
    running: Sequence[str] | None = None,
    durable: bool | None = None,
):
    """Serve /health and /metrics when `port` (default ops.http_port) > 0 (recording metrics from now
    on); else None. `running` names what /health lists instead of the live adapter tasks (a worker).
    The task-queue depth is read at each scrape: the durable queue's when `durable` (default:
    queue.backend is procrastinate), this process's scoring and chart pools otherwise."""
    port = config.ops.http_port if port is None else port
    if port <= 0:
        return None
    from core.metrics import PrometheusMetrics, install
    from core.ops.depth import InProcessDepth
    from core.ops.http import OpsServer

    recorder = PrometheusMetrics()
    install(recorder)
    if durable if durable is not None else config.queue.backend == "procrastinate":
        from storage.queue import ProcrastinateDepth

        recorder.watch_depth(ProcrastinateDepth(app.database.sessions))
    else:
        recorder.watch_depth(
            InProcessDepth(
                scoring=lambda: app.mock.pending_scorings,
                charts=lambda: app.charts.pending,  # renders being drawn or waited for
            )
        )
    server = OpsServer(
        ping=app.database.current_revision,
        adapters=(lambda: list(running))
        if running is not None
        else (lambda: [task.get_name() for task in tasks if not task.done()]),
        metrics=recorder,
        host=config.ops.http_host,
        port=port,
    )
    await server.start()
    return server


def _dump_stacks_on_sigusr1() -> None:
    """`kill -USR1 <pid>` prints every thread's Python stack to stderr and the process carries on: what
    a stuck process is doing, without a debugger (the standard library's faulthandler)."""
    import faulthandler
    import signal

    if hasattr(signal, "SIGUSR1"):
        with contextlib.suppress(ValueError, RuntimeError):  # not the main thread (main() called by a test)
            faulthandler.register(signal.SIGUSR1, all_threads=True)


def _on_sigterm(event: asyncio.Event) -> None:
    """Set `event` on SIGTERM (systemd, Docker, Kubernetes stop signal) instead of dying at once."""
    import signal

    with contextlib.suppress(NotImplementedError, RuntimeError):  # no signal handlers on this platform
        asyncio.get_running_loop().add_signal_handler(signal.SIGTERM, event.set)


async def _stop_gracefully(adapters: Sequence, app, grace_s: float) -> None:
    """Stop taking updates, let the events in flight and their background pushes finish, then stop the
    adapters: all within `grace_s` seconds (one budget, so an orchestrator's stop timeout can be set).

    Telegram's drain stops the webhook server or polling first, then waits for the updates already
    received (python-telegram-bot's Application.stop); Discord's waits for its handlers (its close()
    would cut their replies off). Then the app settles (a slow chart promised by a card is still pushed
    while the adapters can send), and only then are the adapters stopped. Past the budget everything
    is stopped anyway: an event cut short leaves its dialog on the step it was on (steps commit in one
    transaction), a chart push cut short is logged.
    """
    loop = asyncio.get_running_loop()
    deadline = loop.time() + grace_s

    def left() -> float:
        return max(0.1, deadline - loop.time())

    for adapter in adapters:
        drain = getattr(adapter, "drain", None)
        try:
            if drain is not None:
                await asyncio.wait_for(drain(), left())
        except TimeoutError:
            logger.warning("%s: events still running after %.0f s; stopping anyway", adapter.name, grace_s)
        except Exception:  # noqa: BLE001 - the other adapters and the app still close
            logger.exception("%s: draining failed", adapter.name)
    await app.settle(left())
    for adapter in adapters:
        try:
            await asyncio.wait_for(adapter.stop(), max(left(), 3.0))
        except TimeoutError:
            logger.warning("%s: did not stop in time; closing anyway", adapter.name)
        except Exception:  # noqa: BLE001 - the other adapters and the app still close
            logger.exception("%s: stopping failed", adapter.name)


async def start_web(app, config: Config):
    """Serve the web pages beside the adapters (bots/web); with no web.public_url, cards link the local
    address (the console prints it; chat platforms leave local links out)."""
    from bots.web.app import WebServer

    server = WebServer(app, config.web.host, config.web.port)
    port = await server.start()
    if not config.web.public_url:
        host = "127.0.0.1" if config.web.host in ("0.0.0.0", "::", "") else config.web.host
        config.web.public_url = f"http://{host}:{port}"
    print(f"Web pages: {config.web.public_url}/", file=sys.stderr)
    return server


async def run_bot(
    config: Config, db_url: str | None, adapters: Sequence[str], demo: bool, web: bool = False
) -> int:
    """Start the app, the adapters (and the web pages); stop all when the first one ends (console EOF,
    Ctrl-C) or on SIGTERM, which finishes the events in flight first (bounded by SHUTDOWN_GRACE_S) and
    exits 0."""
    from core.app import bootstrap

    if demo:
        check_task_queue(config, db_url)  # a config error before seeding, not after
        await run_seed(config, db_url, 1200, 42)
    queue = await open_task_queue(config, db_url)
    app = await bootstrap(config, db_url=db_url)
    if queue is not None:
        app.mock.use_queue(queue)
    running = [make_adapter(name, app, config) for name in adapters]
    for adapter in running:
        app.register_notifier(adapter.name, adapter)
    tasks = [asyncio.create_task(adapter.run(), name=adapter.name) for adapter in running]
    terminated = asyncio.Event()
    _on_sigterm(terminated)
    ops = None
    scheduler = None
    queue_sends_digest = queue is not None and config.queue.digest_schedule
    if queue_sends_digest:
        logger.info("the weekly digest and outbox retries run on the queue workers (main.py worker)")
    if config.digest.enabled and not queue_sends_digest:
        from core.scheduler import DigestScheduler

        scheduler = DigestScheduler(app.digest.sender, config.digest)
        scheduler.start()
    sweeper = None
    if queue is None:  # in-process scoring: this bot sweeps its stuck attempts (the workers do otherwise)
        sweeper = asyncio.create_task(app.mock.sweep_forever(app.notifiers.notify), name="mock-sweep")
    web_server = None
    try:
        ops = await start_ops(app, config, tasks)
        if web or config.web.enabled:
            web_server = await start_web(app, config)
        stopper = asyncio.create_task(terminated.wait(), name="sigterm")
        done, _pending = await asyncio.wait([*tasks, stopper], return_when=asyncio.FIRST_COMPLETED)
        stopper.cancel()
        for task in done:
            if task is not stopper:
                task.result()
        if terminated.is_set():
            logger.info(
                "SIGTERM: no new updates; finishing in-flight events (up to %.0f s)", SHUTDOWN_GRACE_S
            )
    finally:
        if scheduler is not None:
            await scheduler.stop()
        if sweeper is not None:
            sweeper.cancel()
            await asyncio.gather(sweeper, return_exceptions=True)
        await _stop_gracefully(running, app, SHUTDOWN_GRACE_S)
        if ops is not None:
            await ops.stop()
        if web_server is not None:
            await web_server.stop()
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
        await app.close()
        if queue is not None:
            await queue.close()
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    """Parse arguments and run the chosen command; configuration errors exit 2 with one clear line."""
    _dump_stacks_on_sigusr1()
    args = build_parser().parse_args(argv)
    from storage.db import set_application_name

    set_application_name(f"interview-insights-{PROCESS_KIND.get(args.command, args.command)}")
    try:
        config = load_config(args.config)
        if args.console_user:
            config.console.user_id = args.console_user
        if args.college:
            config.console.college = args.college
        adapters = args.adapter or config.adapters
        quiet = args.command == "score-video" or ("console" in adapters and args.command in (None, "run"))
        configure_logging(config, args.verbose, console=quiet, json=args.log_format == "json")
        if args.command == "migrate":
            return asyncio.run(run_migrate(config, args.db))
        if args.command == "seed-demo":
            return asyncio.run(run_seed(config, args.db, args.experiences, args.seed))
        if args.command == "score-video":
            return run_score_video(args.file, args.json, config.mock.max_duration_s)
        if args.command == "import":
            return asyncio.run(run_import(config, args.db, args.file, args.approve, args.dry_run))
        if args.command == "export":
            return asyncio.run(run_export(config, args.db, args.out, args.with_personal_data))
        if args.command == "digest":
            return asyncio.run(run_digest(config, args.db, args.now))
        if args.command == "worker":
            return asyncio.run(run_worker(config, args.db, args.imports, args.http_port))
        return asyncio.run(run_bot(config, args.db, adapters, args.demo, web=args.web))
    except ConfigError as problem:
        print(f"error: {problem}", file=sys.stderr)
        return 2
    except PlatformUnreachable as problem:  # the network, not the code: one line, and a supervisor retries
        print(f"error: {problem}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        return 130


if __name__ == "__main__":
    sys.exit(main())
