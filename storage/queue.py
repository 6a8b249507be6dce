"""The durable task queue on PostgreSQL (procrastinate 3): its app, its schema, the tasks, the bot's side.

With `queue.backend: procrastinate` the bot does not score videos, draw charts or send digests in its own
process: it stores a job in PostgreSQL (`ProcrastinateQueue.defer`, the core's TaskQueue port) and any
`python main.py worker` process runs it. Adding a machine that runs a worker adds capacity.

Survival and "once":
  * a job is a row (`procrastinate_jobs`) written before `defer` returns, so it outlives the bot;
  * each worker records a heartbeat every `queue.heartbeat_s`; every worker checks every
    `queue.stalled_check_s` for jobs still "doing" on a worker silent for `queue.stalled_after_s`
    (killed, machine lost) and puts them back to "todo" (`retry_stalled`), so another worker runs them;
  * the effects are idempotent, so a job that ran twice (its worker died after the effect but before
    procrastinate recorded success) does not act twice: a scoring is skipped unless its attempt is still
    "scoring"; a chart result is keyed by a random key and stored at most once; digest deliveries are
    claimed per (run, platform, chat) in storage/digest.py;
  * the weekly digest is a procrastinate periodic task: whichever workers are up, each cron tick is
    deferred once (procrastinate records it in `procrastinate_periodic_defers`, unique per tick), and a
    queueing lock plus a run lock keep at most one digest job waiting and one running.

Chart renders come back to the bot that asked: the job (a picklable media.chart_jobs call, see
core/features/company/charts.py) travels pickled in the job's JSON arguments, the worker stores its
result in `queue_results` under the job's key, and `QueueRunner.run` (the JobRunner port) takes it
from there, so the PNG lands in the asking bot's own chart cache. Jobs are unpickled with an allow-list
(media.chart_jobs, the chart job types, plain data), never arbitrary classes.

The schema is applied by procrastinate's own SQL (not Alembic): `apply_schema`, idempotent, under an
advisory lock, from `python main.py migrate` on PostgreSQL and at the start of every queue user.
"""

from __future__ import annotations

import asyncio
import base64
import contextlib
import io
import logging
import pickle
import signal
import time
import uuid
from collections.abc import Awaitable, Callable, Iterator, Mapping
from datetime import datetime, timedelta
from typing import Any, TypeVar
from zoneinfo import ZoneInfo

from sqlalchemy import text
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from core.config import DigestConfig, QueueConfig
from core.ops.depth import DURABLE_QUEUES, DURABLE_STATES, Depths, QueueDepthSource
from core.ops.scoring import (
    GIVE_UP_SCORING,
    SCORE_RETRIES,
    SCORE_RETRY_WAIT_S,
    SWEEP_INTERVAL_S,
    TASK_SWEEP_SCORING,
)
from core.ports import TASK_DIGEST, TASK_OUTBOX, TASK_RENDER_CHART, TASK_SCORE_ATTEMPT, TaskQueue
from storage.db import application_name

logger = logging.getLogger(__name__)

T = TypeVar("T")

#: pg_advisory_xact_lock key serialising schema creation between processes that start together.
SCHEMA_LOCK_KEY = 1_414_690_316
#: Results nobody collected (the asking bot stopped) are deleted after this long.
RESULT_TTL = timedelta(hours=1)
RESULTS_DDL = (
    "CREATE TABLE IF NOT EXISTS queue_results ("
    " key text PRIMARY KEY,"
    " ok boolean NOT NULL,"
    " payload bytea NOT NULL,"
    " created_at timestamptz NOT NULL DEFAULT now())"
)
NEEDS_POSTGRES = "the task queue needs PostgreSQL; on SQLite the bot runs jobs in-process"
WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")

Handler = Callable[..., Awaitable[Any]]


class QueueUnavailable(Exception):
    """The queue cannot be used with this database (not PostgreSQL) or procrastinate is missing."""


# --------------------------------------------------------------------------- connection and schema


def is_postgres(url: str) -> bool:
    """Whether a SQLAlchemy URL names a PostgreSQL database."""
    return make_url(url).get_backend_name() == "postgresql"


def conninfo(url: str) -> str:
    """The libpq URI psycopg 3 wants for a SQLAlchemy URL (`postgresql+asyncpg://u:p@h:5432/db` ->
    `postgresql://u:p@h:5432/db`); asyncpg's `ssl=` becomes libpq's `sslmode=`. Raises QueueUnavailable
    for any other database."""
    parsed = make_url(url)
    if parsed.get_backend_name() != "postgresql":
        raise QueueUnavailable(NEEDS_POSTGRES)
    query = dict(parsed.query)
    ssl = query.pop("ssl", None)
    if ssl is not None and "sslmode" not in query:
        query["sslmode"] = ssl if ssl in ("disable", "allow", "prefer", "require") else "require"
    for asyncpg_only in ("prepared_statement_cache_size", "command_timeout"):
        query.pop(asyncpg_only, None)
    return parsed.set(drivername="postgresql", query=query).render_as_string(hide_password=False)


async def apply_schema(url: str) -> bool:
    """Create procrastinate's tables and functions, and `queue_results`, unless they exist.

    Idempotent and safe when several processes start at once (an advisory transaction lock). Returns
    True when procrastinate's schema was created now. Upgrading procrastinate across versions that change
    its schema follows its own migration files (docs/DEPLOY.md).
    """
    import psycopg
    from procrastinate.schema import SchemaManager

    connection = await psycopg.AsyncConnection.connect(conninfo(url), application_name=application_name())
    async with connection, connection.transaction():
        await connection.execute("SELECT pg_advisory_xact_lock(%s)", (SCHEMA_LOCK_KEY,))
        cursor = await connection.execute("SELECT to_regclass('procrastinate_jobs') IS NOT NULL")
        row = await cursor.fetchone()
        created = not (row and row[0])
        if created:
            await connection.execute(SchemaManager.get_schema())
        await connection.execute(RESULTS_DDL)
    if created:
        logger.info("created the task queue's schema (procrastinate)")
    return created


def make_app(url: str) -> Any:
    """A procrastinate App over a psycopg pool for `url` (not opened; tasks not registered)."""
    try:
        import procrastinate
    except ImportError as missing:  # the `postgres` extra
        raise QueueUnavailable("the task queue needs procrastinate: pip install '.[postgres]'") from missing
    connector = procrastinate.PsycopgConnector(
        conninfo=conninfo(url), kwargs={"application_name": application_name()}
    )
    return procrastinate.App(connector=connector)


# --------------------------------------------------------------------------- pickled chart jobs

_ALLOWED_GLOBALS = {
    ("functools", "partial"),
    ("builtins", "set"),
    ("builtins", "frozenset"),
    ("collections", "OrderedDict"),
    ("collections", "Counter"),
    ("core.features.company.charts", "ChartJob"),
    ("core.features.company.charts", "render_job"),
    ("core.features.company.charts", "word_cloud_from_questions"),
}
_ALLOWED_MODULES = ("media.chart_jobs",)


class _JobUnpickler(pickle.Unpickler):
    """Unpickles chart jobs and results only: media.chart_jobs functions, the chart job types, data."""

    def find_class(self, module: str, name: str) -> Any:
        if (module, name) in _ALLOWED_GLOBALS or (module in _ALLOWED_MODULES and not name.startswith("_")):
            return super().find_class(module, name)
        raise pickle.UnpicklingError(f"{module}.{name} is not allowed in a queued job")


def dump_job(value: Any) -> str:
    """A picklable value as text for a job's JSON arguments."""
    return base64.b64encode(pickle.dumps(value, protocol=pickle.HIGHEST_PROTOCOL)).decode("ascii")


def load_job(text: str) -> Any:
    """The value `dump_job` wrote, unpickled with the allow-list (UnpicklingError otherwise)."""
    return _JobUnpickler(io.BytesIO(base64.b64decode(text))).load()


# --------------------------------------------------------------------------- the bot's side


class ProcrastinateQueue(TaskQueue):
    """The TaskQueue port over procrastinate: `await open()`, `defer(...)`, `await close()`."""

    def __init__(self, url: str) -> None:
        self.url = url
        self.app = make_app(url)

    async def open(self) -> None:
        """Apply the schema if needed and open the connection pool."""
        await apply_schema(self.url)
        await self.app.open_async()

    async def close(self) -> None:
        """Close the connection pool (deferred jobs stay in the database)."""
        await self.app.close_async()

    async def defer(self, task: str, args: Mapping[str, Any], *, lock: str | None = None) -> None:
        """Store a job; a second job with the same waiting `lock` is refused and logged (one is enough)."""
        from procrastinate.exceptions import AlreadyEnqueued

        try:
            await self.app.configure_task(name=task, queueing_lock=lock).defer_async(**dict(args))
        except AlreadyEnqueued:
            logger.info("a %s job with lock %s is already waiting; not deferred again", task, lock)

    def runner(self) -> QueueRunner:
        """The JobRunner that draws this process's charts on the workers."""
        return QueueRunner(self)


class QueueRunner:
    """The JobRunner port (core/ports.py) over the queue: each job runs in some `main.py worker`.

    `run` defers a TASK_RENDER_CHART job carrying the pickled job and a fresh key, then polls
    `queue_results` for that key (deleting the row as it reads it) until `timeout` (TimeoutError).
    A job that raised in the worker raises RuntimeError with the worker's message here.
    """

    POLL_S = 0.05
    MAX_POLL_S = 0.5

    def __init__(self, queue: ProcrastinateQueue) -> None:
        self._queue = queue

    @property
    def workers(self) -> int:
        """0: nothing runs in this process."""
        return 0

    def start(self) -> None:
        """Nothing to start here: the workers are other processes."""

    async def ready(self) -> None:
        """Nothing to wait for here: the workers are other processes."""

    async def run(self, job: Callable[[], T], *, timeout: float | None = None) -> T:
        """`job()`'s result, computed by a queue worker.

        With a `timeout` the job carries its deadline (Unix time; the bot's and the workers' clocks are
        assumed NTP-synchronised): a worker skips a job whose asker stopped waiting, and at the timeout
        the job, if no worker took it yet, is cancelled and deleted here, so a worker that starts later
        does not draw charts for nobody.
        """
        key = uuid.uuid4().hex
        args: dict[str, Any] = {"key": key, "job": dump_job(job)}
        if timeout is not None:
            args["deadline"] = time.time() + timeout
        app = self._queue.app
        job_id = await app.configure_task(name=TASK_RENDER_CHART).defer_async(**args)
        deadline = None if timeout is None else time.monotonic() + timeout
        pause = self.POLL_S
        connector = self._queue.app.connector
        while True:
            rows = await connector.execute_query_all_async(
                "DELETE FROM queue_results WHERE key = %(key)s RETURNING ok, payload", key=key
            )
            if rows:
                ok, payload = rows[0]["ok"], bytes(rows[0]["payload"])
                value = _JobUnpickler(io.BytesIO(payload)).load()
                if not ok:
                    raise RuntimeError(f"queued job failed: {value}")
                return value
            if deadline is not None and time.monotonic() >= deadline:
                await _withdraw(app, job_id)
                raise TimeoutError(f"no queue worker finished the job within {timeout} s")
            await asyncio.sleep(pause)
            pause = min(pause * 1.5, self.MAX_POLL_S)

    def close_nowait(self) -> None:
        """Nothing to stop here (the queue itself is closed by its owner)."""


async def _withdraw(app: Any, job_id: int) -> None:
    """Cancel and delete a chart job nobody waits for any more, unless a worker already runs it (its
    result is then never collected and RESULT_TTL deletes it); the database gone: its deadline stays."""
    try:
        await app.job_manager.cancel_job_by_id_async(job_id, delete_job=True)
    except Exception as problem:  # noqa: BLE001 - best effort: the worker skips the job past its deadline
        logger.info("chart job %s not withdrawn (%s); workers skip it past its deadline", job_id, problem)


async def open_queue(url: str) -> ProcrastinateQueue:
    """An opened ProcrastinateQueue; QueueUnavailable on anything but PostgreSQL."""
    if not is_postgres(url):
        raise QueueUnavailable(NEEDS_POSTGRES)
    queue = ProcrastinateQueue(url)
    await queue.open()
    return queue


# --------------------------------------------------------------------------- depth, for /metrics

#: Task name -> the `queue` label of interview_insights_task_queue_depth (core/ops/depth.py).
QUEUE_OF_TASK = {
    TASK_SCORE_ATTEMPT: "scoring",
    TASK_RENDER_CHART: "charts",
    TASK_DIGEST: "digest",
    TASK_OUTBOX: "outbox",
    TASK_SWEEP_SCORING: "sweep",
}
#: procrastinate job status -> the `state` label.
STATE_OF_STATUS = {"todo": "waiting", "doing": "running"}
DEPTH_SQL = (
    "SELECT task_name, status::text AS status, count(*) AS jobs FROM procrastinate_jobs"
    " WHERE status IN ('todo', 'doing') GROUP BY task_name, status"
)


class ProcrastinateDepth(QueueDepthSource):
    """The durable queue's depth, one grouped COUNT over procrastinate_jobs' waiting and running jobs.

    The same figures from every bot and worker (the queue is shared). Every queue of DURABLE_QUEUES is
    reported in both states, 0 when empty, so a dashboard sees the queue drain to 0; a task of another
    name is reported under its own name.
    """

    def __init__(self, sessions: async_sessionmaker[AsyncSession]) -> None:
        self._sessions = sessions

    async def depths(self) -> Depths:
        """(queue, "waiting" | "running") -> jobs."""
        reading = {(queue, state): 0 for queue in DURABLE_QUEUES for state in DURABLE_STATES}
        async with self._sessions() as session:
            rows = (await session.execute(text(DEPTH_SQL))).all()
        for task, status, jobs in rows:
            key = (QUEUE_OF_TASK.get(task, task), STATE_OF_STATUS[status])
            reading[key] = reading.get(key, 0) + int(jobs)
        return reading


# --------------------------------------------------------------------------- the worker's side


def weekly_cron(digest: DigestConfig, now: datetime | None = None) -> str:
    """digest.weekday/hour/minute in digest.timezone as a UTC cron line (procrastinate's cron is UTC).

    Uses the zone's UTC offset at the send time of `now`'s week; `weekly_crons` gives every line the
    zone takes over a year (daylight-saving changes), which is what the workers register.
    """
    zone = ZoneInfo(digest.timezone)
    local_now = (now or datetime.now(zone)).astimezone(zone)
    day = WEEKDAYS.index(digest.weekday)
    local = local_now.replace(hour=digest.hour, minute=digest.minute, second=0, microsecond=0)
    local += timedelta(days=day - local.weekday())
    utc = local.astimezone(ZoneInfo("UTC"))
    cron_day = (utc.weekday() + 1) % 7  # cron: 0 = Sunday
    return f"{utc.minute} {utc.hour} * * {cron_day}"


def weekly_crons(digest: DigestConfig, now: datetime | None = None) -> list[str]:
    """Every UTC cron line digest.weekday/hour/minute in digest.timezone takes over the coming year.

    procrastinate's cron is UTC only, so one line fixed at start would fire an hour early or late after
    a daylight-saving change until the workers restart. Registering the zone's every distinct line (one
    where the zone keeps one offset, two with DST: e.g. Europe/London Monday 09:00 is "0 9 * * 1" in
    winter and "0 8 * * 1" in summer) makes one of them fire at the local time every week; the other
    fires an hour off, when the due week (core/features/digest/period.py, computed in local time) is the
    one already sent, and the digest ledger's exactly-once claim per week and chat sends nothing again.
    """
    zone = ZoneInfo(digest.timezone)
    start = (now or datetime.now(zone)).astimezone(zone)
    lines: list[str] = []
    for week in range(54):  # a year and a week, so every offset change of the coming year is seen
        line = weekly_cron(digest, start + timedelta(weeks=week))
        if line not in lines:
            lines.append(line)
    return lines


def retry_cron(minutes: int) -> str:
    """A cron line firing every `minutes` (whole hours above 59)."""
    if minutes < 60:
        return f"*/{minutes} * * * *"
    return f"0 */{max(1, minutes // 60)} * * *"


def sweep_cron(interval_s: float = SWEEP_INTERVAL_S) -> str:
    """The cron line of the stuck-attempt sweep: every SWEEP_INTERVAL_S (5 minutes)."""
    return retry_cron(max(1, int(interval_s // 60)))


async def live_scorings(connector: Any) -> set[int]:
    """Attempt ids of scoring jobs waiting or running on the queue (the sweep spares their attempts)."""
    rows = await connector.execute_query_all_async(
        "SELECT DISTINCT (args->>'attempt')::bigint AS attempt FROM procrastinate_jobs"
        " WHERE task_name = %(task)s AND status IN ('todo', 'doing')",
        task=TASK_SCORE_ATTEMPT,
    )
    return {int(row["attempt"]) for row in rows if row["attempt"] is not None}


async def _give_up(handlers: Mapping[str, Handler], job: Mapping[str, Any]) -> None:
    """The scoring job's last run failed: fail its attempt and tell the student; if that fails too
    (the database still gone), the periodic sweep does it later."""
    try:
        await handlers[GIVE_UP_SCORING](job)
    except Exception:
        logger.exception("mock attempt %s: final failure not recorded; the sweep will", job.get("attempt"))


def register_tasks(
    app: Any, handlers: Mapping[str, Handler], queue: QueueConfig, digest: DigestConfig
) -> None:
    """Register the tasks on `app`; each calls the handler of its name (core/queue_tasks.py)."""

    connector = app.connector

    from procrastinate import RetryStrategy

    # An error escaping the use case (it answers the student itself otherwise) is an infrastructure
    # failure, e.g. the database gone mid-way: try SCORE_RETRIES more times, SCORE_RETRY_WAIT_S apart; the
    # status check keeps it once. The last failure fails the attempt and tells the student (give_up).
    @app.task(
        name=TASK_SCORE_ATTEMPT,
        retry=RetryStrategy(max_attempts=SCORE_RETRIES, wait=SCORE_RETRY_WAIT_S),
        pass_context=True,
    )
    async def score_attempt(context: Any, **job: Any) -> None:
        rows = await connector.execute_query_all_async(
            "SELECT status FROM mock_attempts WHERE id = %(id)s", id=int(job["attempt"])
        )
        if not rows or rows[0]["status"] != "scoring":
            logger.info("mock attempt %s is no longer scoring; job skipped", job["attempt"])
            return
        try:
            await handlers[TASK_SCORE_ATTEMPT](job)
        except Exception:
            if context.job.attempts >= SCORE_RETRIES:
                await _give_up(handlers, job)
            raise

    @app.periodic(cron=sweep_cron(), periodic_id="sweep")
    @app.task(name=TASK_SWEEP_SCORING, queueing_lock=TASK_SWEEP_SCORING, lock=TASK_SWEEP_SCORING)
    async def sweep_stuck(timestamp: int) -> None:
        await handlers[TASK_SWEEP_SCORING](await live_scorings(connector))

    @app.task(name=TASK_RENDER_CHART)
    async def render_chart(key: str, job: str, deadline: float | None = None) -> None:
        if deadline is not None and time.time() > deadline:  # its bot gave up on it: nobody would see it
            logger.info("chart job %s expired %.0f s ago; skipped", key, time.time() - deadline)
            return
        try:
            value, ok = await handlers[TASK_RENDER_CHART](load_job(job)), True
        except Exception as problem:  # noqa: BLE001 - reported to the asking bot, not retried
            logger.warning("queued chart job failed: %r", problem)
            value, ok = f"{type(problem).__name__}: {problem}", False
        await connector.execute_query_async(
            "INSERT INTO queue_results (key, ok, payload) VALUES (%(key)s, %(ok)s, %(payload)s)"
            " ON CONFLICT (key) DO NOTHING",
            key=key,
            ok=ok,
            payload=pickle.dumps(value, protocol=pickle.HIGHEST_PROTOCOL),
        )

    if not queue.digest_schedule:
        return

    @app.task(name=TASK_DIGEST, queueing_lock=TASK_DIGEST, lock=TASK_DIGEST)
    async def digest_tick(timestamp: int) -> None:
        await handlers[TASK_DIGEST]()

    @app.task(name=TASK_OUTBOX, queueing_lock=TASK_OUTBOX, lock=TASK_OUTBOX)
    async def outbox_retry(timestamp: int) -> None:
        await handlers[TASK_OUTBOX]()

    if queue.digest_cron:
        app.periodic(cron=queue.digest_cron, periodic_id="custom")(digest_tick)
    else:
        for n, line in enumerate(weekly_crons(digest)):  # one per UTC offset of the zone (DST)
            app.periodic(cron=line, periodic_id="weekly" if n == 0 else f"weekly-{n}")(digest_tick)
        app.periodic(cron=retry_cron(digest.retry_minutes), periodic_id="retry")(digest_tick)
    app.periodic(cron=retry_cron(digest.retry_minutes), periodic_id="retry")(outbox_retry)


async def retry_stalled(app: Any, stalled_after_s: float) -> int:
    """Put jobs still "doing" on workers silent for `stalled_after_s` back to "todo"; how many.

    Every worker calls it; when two race for one job, the second finds it no longer "doing" and skips.
    Also deletes chart results older than RESULT_TTL (their bot stopped waiting).
    """
    retried = 0
    for job in await app.job_manager.get_stalled_jobs(seconds_since_heartbeat=stalled_after_s):
        try:
            await app.job_manager.retry_job(job)
        except Exception as problem:  # noqa: BLE001 - another worker retried it first
            logger.debug("stalled job %s not retried here: %r", job.id, problem)
            continue
        retried += 1
        logger.warning("job %s (%s) of a dead worker handed back to the queue", job.id, job.task_name)
    await app.connector.execute_query_async(
        "DELETE FROM queue_results WHERE created_at < now() - %(ttl)s::interval",
        ttl=f"{int(RESULT_TTL.total_seconds())} seconds",
    )
    return retried


#: The worker's restart pauses after it stopped by itself (a database outage): first, and the longest.
RESTART_PAUSE_S = 1.0
MAX_RESTART_PAUSE_S = 30.0
#: A worker that ran this long before stopping by itself was healthy: the next pause starts small again.
HEALTHY_RUN_S = 60.0
#: How long one reconnection probe waits for PostgreSQL, and how long the stalled-job watch may take to
#: finish its round once the worker stops.
PROBE_TIMEOUT_S = 5
WATCH_STOP_S = 5.0


async def _stopped_within(stop: asyncio.Event, seconds: float) -> bool:
    """Wait up to `seconds`; True as soon as `stop` is set (no cancellation involved)."""
    try:
        await asyncio.wait_for(stop.wait(), seconds)
    except TimeoutError:
        return False
    return True


async def _watch_stalled(app: Any, queue: QueueConfig, stop: asyncio.Event) -> None:
    """Every `queue.stalled_check_s` until `stop`: `retry_stalled`, a failure (the database gone) logged.

    Ends on `stop`, never by cancellation: a cancellation arriving inside a query comes back from
    procrastinate's connector as a ConnectorException (psycopg cancels the query), which an `except
    Exception` would swallow and loop on forever, keeping `serve` waiting for this task.
    """
    while not await _stopped_within(stop, queue.stalled_check_s):
        try:
            await retry_stalled(app, queue.stalled_after_s)
        except Exception as problem:
            current = asyncio.current_task()
            if stop.is_set() or (current is not None and current.cancelling()):
                return
            logger.warning("looking for stalled jobs failed (%s); trying again later", _one_line(problem))


def _one_line(problem: BaseException) -> str:
    """`Type: message` on one line, followed by the cause a ConnectorException hides ("Database error.")."""
    line = f"{type(problem).__name__}: {' '.join(str(problem).split())}"
    cause = problem.__cause__
    return line if cause is None else f"{line} (from {_one_line(cause)})"


async def database_reachable(url: str, timeout_s: int = PROBE_TIMEOUT_S) -> bool:
    """Whether a new connection to `url` opens and answers `SELECT 1` within about `timeout_s`."""
    import psycopg

    try:
        connection = await psycopg.AsyncConnection.connect(
            conninfo(url), connect_timeout=timeout_s, application_name=application_name()
        )
        async with connection:
            await connection.execute("SELECT 1")
    except (psycopg.Error, OSError):
        return False
    return True


async def wait_for_database(url: str, stop: asyncio.Event, first_pause_s: float = RESTART_PAUSE_S) -> bool:
    """Probe PostgreSQL with pauses doubling from `first_pause_s` to MAX_RESTART_PAUSE_S until it answers
    (True) or `stop` is set (False). Logs a warning per failed probe, so a long outage stays visible."""
    pause = first_pause_s
    while not await _stopped_within(stop, pause):
        if await database_reachable(url):
            return True
        logger.warning("PostgreSQL is still unreachable; the queue worker tries again in %.0f s", pause)
        pause = min(pause * 2, MAX_RESTART_PAUSE_S)
    return False


async def run_worker_until_stopped(app: Any, url: str, queue: QueueConfig, stop: asyncio.Event) -> None:
    """Run procrastinate's worker until `stop` is set; restart it whenever it stops by itself.

    procrastinate 3 stops its worker when a side task (the LISTEN connection, heartbeats, periodic
    deferrer) fails, e.g. when PostgreSQL restarts, and `run_worker_async` then returns or raises a
    ConnectorException: nothing retries it. Here that is an outage to ride out: the worker is started
    again once PostgreSQL answers (`wait_for_database`), with a fresh registration and LISTEN connection;
    the psycopg pool replaces its dead connections itself (procrastinate opens it with a connection
    check). `stop` (SIGINT/SIGTERM) instead stops the worker gracefully: running jobs finish first.
    """
    pause = RESTART_PAUSE_S
    loop = asyncio.get_running_loop()
    while not stop.is_set():
        started = loop.time()
        worker = asyncio.create_task(
            app.run_worker_async(
                concurrency=queue.concurrency,
                update_heartbeat_interval=queue.heartbeat_s,
                stalled_worker_timeout=queue.stalled_after_s,
                fetch_job_polling_interval=queue.poll_s,
                install_signal_handlers=False,  # serve's handlers set `stop`, which stops it gracefully
            ),
            name="procrastinate-worker",
        )
        stopper = asyncio.create_task(stop.wait(), name="worker-stop")
        await asyncio.wait({worker, stopper}, return_when=asyncio.FIRST_COMPLETED)
        stopper.cancel()
        if not worker.done():  # asked to stop: procrastinate's cancellation path finishes running jobs
            worker.cancel()
            await asyncio.gather(worker, return_exceptions=True)
            return
        problem = None if worker.cancelled() else worker.exception()
        if stop.is_set():
            return
        pause = RESTART_PAUSE_S if loop.time() - started >= HEALTHY_RUN_S else pause
        logger.error(
            "the queue worker stopped by itself (%s); restarting it once PostgreSQL answers",
            _one_line(problem) if problem is not None else "a side task failed, see above",
        )
        if not await wait_for_database(url, stop, pause):
            return
        pause = min(pause * 2, MAX_RESTART_PAUSE_S)
        logger.warning("PostgreSQL answers again; restarting the queue worker")


@contextlib.contextmanager
def _stop_on_signals(stop: asyncio.Event) -> Iterator[None]:
    """SIGINT/SIGTERM set `stop` while inside (where the loop supports signal handlers)."""
    loop = asyncio.get_running_loop()
    installed = []
    for sig in (signal.SIGINT, signal.SIGTERM):
        try:
            loop.add_signal_handler(sig, stop.set)
            installed.append(sig)
        except (NotImplementedError, RuntimeError, ValueError):  # not the main thread, or no support
            pass
    try:
        yield
    finally:
        for sig in installed:
            loop.remove_signal_handler(sig)


async def _end(task: asyncio.Task[None], grace_s: float) -> None:
    """Wait up to `grace_s` for `task` to end by itself, then cancel it; never waits unbounded."""
    done, _ = await asyncio.wait({task}, timeout=grace_s)
    if not done:
        task.cancel()
        await asyncio.wait({task}, timeout=grace_s)
    if task.done() and not task.cancelled() and task.exception() is not None:
        logger.warning("the stalled-job watch ended with %s", _one_line(task.exception()))  # type: ignore[arg-type]


async def serve(
    url: str,
    handlers: Mapping[str, Handler],
    queue: QueueConfig,
    digest: DigestConfig,
    stop: asyncio.Event | None = None,
) -> None:
    """Run a procrastinate worker until SIGINT/SIGTERM or `stop` (running jobs finish first), with the
    stalled-job watch beside it; a worker stopped by a database outage is restarted when PostgreSQL is
    back (`run_worker_until_stopped`). Raises QueueUnavailable on anything but PostgreSQL."""
    if not is_postgres(url):
        raise QueueUnavailable(NEEDS_POSTGRES)
    stop = stop if stop is not None else asyncio.Event()
    await apply_schema(url)
    app = make_app(url)
    register_tasks(app, handlers, queue, digest)
    with _stop_on_signals(stop):
        async with app.open_async():
            try:  # attempts left stuck while no worker ran (the periodic task repeats it every 5 minutes)
                await handlers[TASK_SWEEP_SCORING](await live_scorings(app.connector))
            except Exception:
                logger.exception("sweeping stuck mock attempts at start failed; the periodic sweep retries")
            watch = asyncio.create_task(_watch_stalled(app, queue, stop), name="stalled-jobs")
            try:
                await run_worker_until_stopped(app, url, queue, stop)
            finally:
                stop.set()
                await _end(watch, WATCH_STOP_S)
