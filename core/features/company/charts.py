"""Chart images for company cards and /insights: rendered off the event loop, cached by data version.

A chart is identified by (scope, id, data_version, view). Rendering happens, with `workers > 0` (the
default from config.yaml `insights.chart_workers`), in a media.pool.WorkerPool shared by every
ChartService of this process and started (matplotlib imported in each worker) as soon as a service is
built; with `workers == 0` in threads (media.pool.InlineRunner), where matplotlib holds the GIL and
stalls the event loop for up to a few hundred ms. Jobs name their media.chart_jobs function by
reference (functools.partial), never by a string. Concurrent requests for the same chart share one
render; a render that exceeds `timeout_s` fails; a pool whose worker died is replaced and the render
retried once. The cache is a bounded LRU; a new data_version drops older entries of the same company
at once.
"""

from __future__ import annotations

import asyncio
import functools
import logging
from collections import OrderedDict
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from core.analytics.text import word_counts
from core.domain.privacy import without_placeholders
from core.ports import JobRunner
from core.replies import Image
from media import chart_jobs
from media.pool import make_runner

logger = logging.getLogger(__name__)

COMPANY_VIEWS = ("topics", "years", "passout", "difficulty", "words")
CACHE_ENTRIES = 512
RENDER_TIMEOUT_S = 30.0


@dataclass(frozen=True)
class ChartJob:
    """One chart to draw: its view name and a picklable zero-argument job returning a ChartImage,
    e.g. `functools.partial(media.chart_jobs.topics_bar, name, counts, total)`."""

    view: str
    draw: Callable[[], Any]


def word_frequencies(questions: Sequence[tuple[str, int]], limit: int = 120) -> dict[str, int]:
    """Word counts over question wordings weighted by how often each was asked: markup, URLs and code
    words dropped, inflections folded ("number"/"numbers" one word) by core.analytics.text.word_counts,
    and the masking placeholders ("[name]") left out."""
    return word_counts([(without_placeholders(text), n) for text, n in questions], limit)


def word_cloud_from_questions(company: str, questions: Sequence[tuple[str, int]]) -> Any:
    """The word-cloud chart of a company's question wordings (a job: runs in a chart worker)."""
    from media import chart_jobs

    return chart_jobs.word_cloud(company, word_frequencies(questions))


def render_job(job: ChartJob) -> tuple[bytes, str, str]:
    """Draw one chart (runs in a worker or a thread); returns (png, filename, caption)."""
    image = job.draw()
    return image.png, image.filename, image.caption


def _warm_worker() -> None:
    """Chart worker initializer: imports this module (nltk, for word clouds) and matplotlib, draws once."""
    chart_jobs.warm()


_RUNNERS: dict[int, JobRunner] = {}
_QUEUE_RUNNER: list[JobRunner] = []  # set by use_runner: charts go to the durable queue's workers


def use_runner(runner: JobRunner | None) -> None:
    """Draw this process's charts with `runner` instead of local pools (None: back to local pools).

    main.py passes storage.queue.QueueRunner when `queue.backend` is procrastinate, before bootstrap,
    so every ChartService sends its jobs to `main.py worker` processes; the PNGs still land in the
    service's own cache.
    """
    _QUEUE_RUNNER.clear()
    if runner is not None:
        _QUEUE_RUNNER.append(runner)


def shared_runner(workers: int) -> JobRunner:
    """This process's chart runner (the JobRunner port): a WorkerPool of `workers` processes (threads
    for 0) from media.pool, made once and shared by every ChartService of the process (or the queue's
    runner after use_runner)."""
    if _QUEUE_RUNNER:
        return _QUEUE_RUNNER[0]
    runner = _RUNNERS.get(workers)
    if runner is None:
        runner = _RUNNERS[workers] = make_runner(workers, initializer=_warm_worker)
    return runner


def shutdown_pools() -> None:
    """Stop every chart runner of this process (end of the program or of a benchmark)."""
    for runner in _RUNNERS.values():
        runner.close_nowait()
    _RUNNERS.clear()


class ChartService:
    """Renders ChartJobs off the event loop with an LRU cache keyed by data version."""

    def __init__(
        self, workers: int = 0, entries: int = CACHE_ENTRIES, timeout_s: float = RENDER_TIMEOUT_S
    ) -> None:
        self._entries = entries
        self._cache: OrderedDict[tuple[Any, ...], Image] = OrderedDict()
        self._versions: dict[tuple[str, int], int] = {}
        self._inflight: dict[tuple[Any, ...], asyncio.Future[Image]] = {}
        self._workers = max(0, workers)
        self._timeout_s = timeout_s
        self.renders = 0  # how many charts were actually drawn (cache misses), for tests and benches

    @property
    def workers(self) -> int:
        """Chart processes (0 = threads)."""
        return self._workers

    @property
    def pending(self) -> int:
        """Renders being drawn or waited for (the in-process queue depth on /metrics)."""
        return len(self._inflight)

    def start(self) -> None:
        """Start the shared chart workers now (they import matplotlib in the background)."""
        shared_runner(self._workers).start()

    async def ready(self) -> None:
        """Wait until every chart worker has imported matplotlib (threads: until it is imported)."""
        await shared_runner(self._workers).ready()

    async def warm_up(self) -> None:
        """Start the chart workers (or import matplotlib in a thread) and wait for them."""
        await self.ready()

    def _forget_older(self, scope: str, ident: int, version: int) -> None:
        """Drop cached charts of older data versions of (scope, ident)."""
        known = self._versions.get((scope, ident))
        if known == version:
            return
        self._versions[(scope, ident)] = version
        if known is None:
            return
        for key in [k for k in self._cache if k[0] == scope and k[1] == ident and k[2] != version]:
            del self._cache[key]

    def cached(self, scope: str, ident: int, version: int, view: str) -> Image | None:
        """The cached chart, if drawn for this data version."""
        key = (scope, ident, version, view)
        image = self._cache.get(key)
        if image is not None:
            self._cache.move_to_end(key)
        return image

    async def images(
        self,
        scope: str,
        ident: int,
        version: int,
        jobs: Callable[[], Sequence[ChartJob]] | Sequence[ChartJob],
    ) -> list[Image]:
        """The charts of `jobs` (a list, or a callable that builds it only when something must be drawn)."""
        self._forget_older(scope, ident, version)
        job_list = jobs() if callable(jobs) else jobs
        return list(await asyncio.gather(*(self._one(scope, ident, version, job) for job in job_list)))

    def all_cached(self, scope: str, ident: int, version: int, views: Sequence[str]) -> list[Image] | None:
        """Every view's chart from the cache, or None when any is missing (the warm path skips building)."""
        self._forget_older(scope, ident, version)
        found = []
        for view in views:
            image = self.cached(scope, ident, version, view)
            if image is None:
                return None
            found.append(image)
        return found

    async def _one(self, scope: str, ident: int, version: int, job: ChartJob) -> Image:
        key = (scope, ident, version, job.view)
        image = self.cached(scope, ident, version, job.view)
        if image is not None:
            return image
        pending = self._inflight.get(key)
        if pending is not None:
            return await asyncio.shield(pending)
        future: asyncio.Future[Image] = asyncio.get_running_loop().create_future()
        self._inflight[key] = future
        try:
            png, filename, caption = await self._render(job)
            image = Image(png=png, filename=filename, caption=caption)
            self.renders += 1
            if self._versions.get((scope, ident)) == version:
                self._cache[key] = image
                while len(self._cache) > self._entries:
                    self._cache.popitem(last=False)
            future.set_result(image)
            return image
        except BaseException as exc:
            future.set_exception(exc)
            future.exception()  # mark retrieved: waiters (if any) re-raise it themselves
            raise
        finally:
            self._inflight.pop(key, None)

    async def _render(self, job: ChartJob) -> tuple[bytes, str, str]:
        """Draw one job within the timeout (a dead worker: pool replaced, job retried once)."""
        runner = shared_runner(self._workers)
        return await runner.run(functools.partial(render_job, job), timeout=self._timeout_s)

    def close(self) -> None:
        """Nothing to release per service: the chart workers are shared (see shutdown_pools)."""
