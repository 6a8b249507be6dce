"""Chart images for company cards and /insights: rendered off the event loop, cached by data version.

A chart is identified by (scope, id, data_version, view). Rendering happens, with `workers > 0` (the
default from config.yaml `insights.chart_workers`), in a process pool shared by every ChartService of
this process and started (matplotlib imported in each worker) as soon as a service is built; with
`workers == 0` in threads (`asyncio.to_thread`), where matplotlib holds the GIL and stalls the event
loop for up to a few hundred ms. Concurrent requests for the same chart share one render; a render
that exceeds `timeout_s` fails; a pool whose worker died is replaced and the render retried once.
The cache is a bounded LRU; a new data_version drops older entries of the same company at once.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import logging
import multiprocessing
from collections import Counter, OrderedDict
from collections.abc import Callable, Sequence
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass
from typing import Any

from core.analytics.stopwords import KEYWORD_NOISE, STOPWORDS
from core.analytics.text import display, tokens
from core.domain.privacy import without_placeholders
from core.replies import Image

logger = logging.getLogger(__name__)

COMPANY_VIEWS = ("topics", "years", "passout", "difficulty", "words")
CACHE_ENTRIES = 512
RENDER_TIMEOUT_S = 30.0
_WORD_STOP = STOPWORDS | KEYWORD_NOISE


@dataclass(frozen=True)
class ChartJob:
    """One chart to draw: the media.charts function name and its plain-data arguments (picklable)."""

    view: str
    function: str
    args: tuple[Any, ...]


def word_frequencies(questions: Sequence[tuple[str, int]], limit: int = 120) -> dict[str, int]:
    """Word counts over question wordings weighted by how often each was asked (stopwords removed)."""
    counts: Counter[str] = Counter()
    for text, n in questions:
        for word in set(tokens(without_placeholders(text), stop=_WORD_STOP)):  # no "[name]" word
            if len(word) > 2 or word in ("os", "c", "db"):
                counts[display(word)] += n
    return dict(counts.most_common(limit))


def render_job(job: ChartJob) -> tuple[bytes, str, str]:
    """Draw one chart (runs in a worker); returns (png, filename, caption)."""
    from media import charts

    args = job.args
    if job.function == "word_cloud_from_questions":
        image = charts.word_cloud(args[0], word_frequencies(args[1]))
    else:
        image = getattr(charts, job.function)(*args)
    return image.png, image.filename, image.caption


def _warm_worker() -> None:
    """Process-pool initializer: import matplotlib and our chart module once per worker."""
    import media.charts  # noqa: F401


_POOLS: dict[int, ProcessPoolExecutor] = {}
_WARMING: dict[int, list[concurrent.futures.Future[None]]] = {}


def shared_pool(workers: int) -> ProcessPoolExecutor:
    """This process's chart pool of `workers` processes, started (and warming up) on first use."""
    pool = _POOLS.get(workers)
    if pool is None:
        pool = ProcessPoolExecutor(
            workers, mp_context=multiprocessing.get_context("spawn"), initializer=_warm_worker
        )
        _POOLS[workers] = pool
        _WARMING[workers] = [pool.submit(_warm_worker) for _ in range(workers)]
    return pool


def discard_pool(workers: int, pool: ProcessPoolExecutor) -> None:
    """Forget a broken pool (a worker died) so the next render starts a fresh one."""
    if _POOLS.get(workers) is pool:
        del _POOLS[workers]
        _WARMING.pop(workers, None)
    pool.shutdown(wait=False, cancel_futures=True)


def shutdown_pools() -> None:
    """Stop every chart pool of this process (end of the program or of a benchmark)."""
    for workers, pool in list(_POOLS.items()):
        discard_pool(workers, pool)


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

    def start(self) -> None:
        """Start the shared process pool now (workers import matplotlib in the background)."""
        if self._workers:
            shared_pool(self._workers)

    async def ready(self) -> None:
        """Wait until the pool's workers have imported matplotlib (at once with threads or when warm)."""
        if not self._workers:
            return
        self.start()
        for future in list(_WARMING.get(self._workers, ())):
            try:
                await asyncio.wrap_future(future)
            except Exception:  # a broken pool is replaced on the next render
                logger.warning("chart worker failed to start", exc_info=True)

    async def warm_up(self) -> None:
        """Start the pool (if any) and wait for it; with threads, import matplotlib in a thread."""
        if not self._workers:
            await asyncio.to_thread(_warm_worker)
            return
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
        """Draw one job within the timeout; a broken pool is replaced and the job retried once."""
        if not self._workers:
            return await asyncio.wait_for(asyncio.to_thread(render_job, job), self._timeout_s)
        for attempt in (1, 2):
            pool = shared_pool(self._workers)
            try:
                future = asyncio.get_running_loop().run_in_executor(pool, render_job, job)
                return await asyncio.wait_for(future, self._timeout_s)
            except BrokenProcessPool:
                discard_pool(self._workers, pool)
                if attempt == 2:
                    raise
                logger.warning("chart pool broke while drawing %s; starting a new one", job.view)
        raise AssertionError("unreachable")

    def close(self) -> None:
        """Nothing to release per service: the process pool is shared (see shutdown_pools)."""
