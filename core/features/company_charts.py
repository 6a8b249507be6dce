"""Chart images for company cards and /insights: rendered off the event loop, cached by data version.

A chart is identified by (scope, id, data_version, view). Rendering happens in worker threads
(`asyncio.to_thread`) or, with `workers > 0`, in a process pool, so other users are answered meanwhile.
Concurrent requests for the same chart share one render. The cache is a bounded LRU; a new
data_version makes older entries of the same company unreachable and they are dropped at once.
"""

from __future__ import annotations

import asyncio
import logging
import multiprocessing
from collections import Counter, OrderedDict
from collections.abc import Callable, Sequence
from concurrent.futures import Executor, ProcessPoolExecutor
from dataclasses import dataclass
from typing import Any

from core.analytics.stopwords import KEYWORD_NOISE, STOPWORDS
from core.analytics.text import display, tokens
from core.replies import Image

logger = logging.getLogger(__name__)

COMPANY_VIEWS = ("topics", "years", "passout", "difficulty", "words")
CACHE_ENTRIES = 512
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
        for word in set(tokens(text, stop=_WORD_STOP)):
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


class ChartService:
    """Renders ChartJobs off the event loop with an LRU cache keyed by data version."""

    def __init__(self, workers: int = 0, entries: int = CACHE_ENTRIES) -> None:
        self._entries = entries
        self._cache: OrderedDict[tuple[Any, ...], Image] = OrderedDict()
        self._versions: dict[tuple[str, int], int] = {}
        self._inflight: dict[tuple[Any, ...], asyncio.Future[Image]] = {}
        self._executor: Executor | None = None
        self._workers = workers
        self.renders = 0  # how many charts were actually drawn (cache misses), for tests and benches

    def _pool(self) -> Executor | None:
        if self._workers <= 0:
            return None
        if self._executor is None:
            self._executor = ProcessPoolExecutor(
                self._workers, mp_context=multiprocessing.get_context("spawn"), initializer=_warm_worker
            )
        return self._executor

    async def warm_up(self) -> None:
        """Start the process pool (if any) and import matplotlib in every worker before the first request."""
        pool = self._pool()
        if pool is None:
            await asyncio.to_thread(_warm_worker)
            return
        loop = asyncio.get_running_loop()
        await asyncio.gather(*(loop.run_in_executor(pool, _warm_worker) for _ in range(self._workers)))

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
        pool = self._pool()
        if pool is None:
            return await asyncio.to_thread(render_job, job)
        return await asyncio.get_running_loop().run_in_executor(pool, render_job, job)

    def close(self) -> None:
        """Stop the process pool, if one was started."""
        if self._executor is not None:
            self._executor.shutdown(wait=False, cancel_futures=True)
            self._executor = None
