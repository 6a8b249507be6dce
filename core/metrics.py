"""What the bot counts and times for operators, behind a small port the core records through.

The core records at one place per figure (the router: updates and reply latency; the notifiers: send
errors; the mock feature: scoring time; the digest sender: deliveries pending) by calling `metrics()`,
which returns the recorder `install()`ed by the process: a no-op by default (tests, CLI commands), a
`PrometheusMetrics` when the bot runs with `ops.http_port` so `/metrics` can serve it (core/ops/http.py).

Metric names (Prometheus text format; `_total`, `_bucket`/`_sum`/`_count` suffixes added by the client):
    interview_insights_updates_total{platform, kind}         events handled (kind: command, text, ...)
    interview_insights_reply_latency_seconds{platform}       histogram: event in -> replies returned
    interview_insights_send_errors_total{platform, error}    a notifier raised (error: exception class)
    interview_insights_scoring_seconds                       histogram: one video scoring, ok or failed
    interview_insights_queue_depth{queue}                    gauge: e.g. queue="digest", chats left this run
    interview_insights_task_queue_depth{queue, state}        gauge, read at each scrape (core/ops/depth.py):
        durable queue (PostgreSQL, shared by all processes): queue = scoring | charts | digest | outbox |
        sweep, state = waiting | running; in-process pools (SQLite default): queue = scoring | charts,
        state = pending (waiting for or running in this process's pool)
    interview_insights_task_queue_depth_errors_total         scrapes whose depth reading failed
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Awaitable, Iterator
from typing import Protocol, TypeVar

from prometheus_client import (
    CONTENT_TYPE_LATEST,
    CollectorRegistry,
    Counter,
    Gauge,
    Histogram,
    gc_collector,
    generate_latest,
    platform_collector,
    process_collector,
)
from prometheus_client.core import GaugeMetricFamily
from prometheus_client.registry import Collector

from core.ops.depth import Depths, QueueDepthSource

logger = logging.getLogger(__name__)

T = TypeVar("T")
PREFIX = "interview_insights"
# Seconds. Replies are mostly database reads (milliseconds) but a card with charts may wait up to
# insights.chart_wait_s (3 s by default), so the buckets span 5 ms .. 10 s.
LATENCY_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0)
# A video answer is at most mock.max_duration_s (180 s) long; scoring is bounded by mock.timeout_s (300 s).
SCORING_BUCKETS = (1.0, 2.5, 5.0, 10.0, 20.0, 30.0, 60.0, 120.0, 300.0)
# Seconds a scrape waits for the task queue's depth (one COUNT over the waiting/running jobs).
DEPTH_TIMEOUT_S = 2.0


class Metrics(Protocol):
    """The port: every figure the core reports. Implementations must never raise."""

    def update_handled(self, platform: str, kind: str) -> None:
        """One incoming event of `kind` (command, text, action, form, upload) from `platform` answered."""
        ...

    def reply_latency(self, platform: str, seconds: float) -> None:
        """Seconds from the router receiving an event to its replies being ready (lock wait included)."""
        ...

    def send_error(self, platform: str, error: str) -> None:
        """A push to `platform` raised; `error` is the exception's class name (bounded label values)."""
        ...

    def scoring_seconds(self, seconds: float) -> None:
        """Wall-clock seconds one mock-interview scoring took (success or failure)."""
        ...

    def queue_depth(self, queue: str, depth: int) -> None:
        """How many items wait in `queue` now (e.g. "digest": chats of the current run not yet sent)."""
        ...


class NullMetrics(Metrics):
    """Records nothing: the default, so the core runs unchanged where nobody scrapes."""

    def update_handled(self, platform: str, kind: str) -> None:
        pass

    def reply_latency(self, platform: str, seconds: float) -> None:
        pass

    def send_error(self, platform: str, error: str) -> None:
        pass

    def scoring_seconds(self, seconds: float) -> None:
        pass

    def queue_depth(self, queue: str, depth: int) -> None:
        pass


class PrometheusMetrics(Metrics):
    """The metrics on a `prometheus_client` registry of their own (one per instance: tests stay apart).

    `process=True` adds the client's process, platform and GC collectors (CPU seconds, resident memory,
    open file descriptors, Python version) so one scrape shows whether a worker is starving.
    """

    def __init__(self, *, process: bool = True) -> None:
        self.registry = CollectorRegistry(auto_describe=True)
        if process:
            process_collector.ProcessCollector(registry=self.registry)
            platform_collector.PlatformCollector(registry=self.registry)
            gc_collector.GCCollector(registry=self.registry)
        self._updates = Counter(
            f"{PREFIX}_updates", "Incoming events handled", ("platform", "kind"), registry=self.registry
        )
        self._latency = Histogram(
            f"{PREFIX}_reply_latency_seconds",
            "Seconds from an event reaching the router to its replies being ready",
            ("platform",),
            buckets=LATENCY_BUCKETS,
            registry=self.registry,
        )
        self._send_errors = Counter(
            f"{PREFIX}_send_errors",
            "Pushes to a platform that raised, by exception class",
            ("platform", "error"),
            registry=self.registry,
        )
        self._scoring = Histogram(
            f"{PREFIX}_scoring_seconds",
            "Seconds one mock-interview video scoring took",
            buckets=SCORING_BUCKETS,
            registry=self.registry,
        )
        self._queue = Gauge(
            f"{PREFIX}_queue_depth", "Items waiting in a queue", ("queue",), registry=self.registry
        )

        self._depth_errors = Counter(
            f"{PREFIX}_task_queue_depth_errors",
            "Scrapes whose task-queue depth could not be read",
            registry=self.registry,
        )
        self._depth = _DepthCollector()
        self.registry.register(self._depth)

    def watch_depth(self, source: QueueDepthSource) -> None:
        """Read `source` at every scrape (`refresh`) into `interview_insights_task_queue_depth`."""
        self._depth.sources.append(source)

    async def refresh(self, timeout_s: float = DEPTH_TIMEOUT_S) -> None:
        """Read every watched depth source now (called by /metrics before `render`).

        prometheus_client collectors are synchronous and the sources are database reads, so the scrape
        handler awaits them here and the collector yields the reading. A source that fails or takes
        longer than `timeout_s` is left out of this scrape (no stale figure) and counted in
        `interview_insights_task_queue_depth_errors_total`.
        """
        reading: dict[tuple[str, str], int] = {}
        for source in self._depth.sources:
            try:
                reading.update(await asyncio.wait_for(source.depths(), timeout_s))
            except Exception as problem:  # noqa: BLE001 - a scrape never fails for a depth reading
                logger.warning("task queue depth not read: %r", problem)
                self._depth_errors.inc()
        self._depth.reading = reading

    def update_handled(self, platform: str, kind: str) -> None:
        self._updates.labels(platform=platform, kind=kind).inc()

    def reply_latency(self, platform: str, seconds: float) -> None:
        self._latency.labels(platform=platform).observe(seconds)

    def send_error(self, platform: str, error: str) -> None:
        self._send_errors.labels(platform=platform, error=error).inc()

    def scoring_seconds(self, seconds: float) -> None:
        self._scoring.observe(seconds)

    def queue_depth(self, queue: str, depth: int) -> None:
        self._queue.labels(queue=queue).set(depth)

    def render(self) -> tuple[bytes, str]:
        """The registry in the Prometheus text exposition format, and its Content-Type header value."""
        return generate_latest(self.registry), CONTENT_TYPE_LATEST


class _DepthCollector(Collector):
    """Yields the last `PrometheusMetrics.refresh` reading as one gauge family (nothing before one)."""

    def __init__(self) -> None:
        self.sources: list[QueueDepthSource] = []
        self.reading: Depths = {}

    def describe(self) -> Iterator[GaugeMetricFamily]:
        yield GaugeMetricFamily(
            f"{PREFIX}_task_queue_depth", "Jobs in a task queue", labels=("queue", "state")
        )

    def collect(self) -> Iterator[GaugeMetricFamily]:
        family = GaugeMetricFamily(
            f"{PREFIX}_task_queue_depth",
            "Jobs waiting or running in a task queue, read at scrape time",
            labels=("queue", "state"),
        )
        for (queue, state), jobs in sorted(self.reading.items()):
            family.add_metric((queue, state), jobs)
        yield family


_current: Metrics = NullMetrics()


def metrics() -> Metrics:
    """The recorder this process installed (a NullMetrics until `install`)."""
    return _current


def install(recorder: Metrics) -> Metrics:
    """Make `recorder` the process's recorder; returns the previous one (tests put it back)."""
    global _current
    previous, _current = _current, recorder
    return previous


async def timed_scoring(work: Awaitable[T]) -> T:
    """Await `work` (one scoring) and record how long it took, whether it succeeded or raised."""
    started = time.monotonic()
    try:
        return await work
    finally:
        metrics().scoring_seconds(time.monotonic() - started)
