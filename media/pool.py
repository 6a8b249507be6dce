"""One worker pool for CPU-heavy jobs (video scoring, charts), so they never block the event loop.

`WorkerPool(n)` runs picklable zero-argument jobs (a module-level function, or `functools.partial` of
one) in `n` spawned processes; `InlineRunner` has the same interface and runs jobs in threads
(`asyncio.to_thread`) for `workers == 0` (tests, small machines); `make_runner` picks one.

Workers never outlive the bot. A spawned worker inherits the bot's stdin/stdout/stderr, and once the bot
died (even by SIGKILL) nothing told it to stop: every killed bot left two workers and the
multiprocessing resource tracker running (~170 MB each), holding the bot's stdout pipe open so a
supervisor reading it never saw EOF. Now each worker, in its initializer:
  * asks Linux to SIGKILL it when its parent dies (`prctl(PR_SET_PDEATHSIG)`), and exits at once if
    the parent is already gone;
  * runs a daemon thread that polls `os.getppid()` every `PARENT_POLL_S` and exits when it changes
    (other systems, or a parent thread that exited: PR_SET_PDEATHSIG follows the spawning *thread*);
  * ignores SIGINT (Ctrl-C reaches the whole process group; the parent decides when workers stop);
  * points fds 0 and 1 at /dev/null and fd 2 too when it is a pipe or socket (a terminal or a log file
    is kept, so worker log lines still show up where the bot's do).
The resource tracker (started by the parent when the executor creates its queues) exits by itself on
EOF of its pipe, i.e. once the bot and all workers are gone; tests/media_pool proves the whole tree,
tracker included, is gone and the bot's stdout reaches EOF within seconds of a SIGKILL.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import ctypes
import ctypes.util
import functools
import logging
import multiprocessing
import os
import signal
import stat
import sys
import threading
import time
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from pathlib import Path
from typing import Any, TypeVar

logger = logging.getLogger(__name__)

T = TypeVar("T")

#: Seconds between a worker's checks that its parent is still alive (fallback to PR_SET_PDEATHSIG).
PARENT_POLL_S = 1.0
#: Seconds close() waits for running jobs before it terminates the workers.
CLOSE_GRACE_S = 5.0
_PR_SET_PDEATHSIG = 1


# --------------------------------------------------------------------------- inside a worker


def _die_with_parent(parent_pid: int) -> None:
    """PR_SET_PDEATHSIG (Linux) plus a polling thread: this process exits when `parent_pid` is gone."""
    if sys.platform.startswith("linux"):
        try:
            libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6", use_errno=True)
            if libc.prctl(_PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0) != 0:
                logger.warning("prctl(PR_SET_PDEATHSIG) failed: errno %d", ctypes.get_errno())
        except OSError:
            logger.warning("prctl unavailable; relying on the parent poll", exc_info=True)
    if os.getppid() != parent_pid:  # the parent died before prctl took effect
        os._exit(0)

    def watch() -> None:
        while True:
            time.sleep(PARENT_POLL_S)
            if os.getppid() != parent_pid:
                os._exit(0)

    threading.Thread(target=watch, name="parent-watch", daemon=True).start()


def _is_pipe(fd: int) -> bool:
    """True when `fd` is a pipe or socket (someone may wait for its EOF), or is closed."""
    try:
        mode = os.fstat(fd).st_mode
    except OSError:
        return True
    return stat.S_ISFIFO(mode) or stat.S_ISSOCK(mode)


def _detach_std_streams() -> None:
    """fds 0 and 1 -> /dev/null; fd 2 as well when it is a pipe or socket (terminals and files stay)."""
    null = os.open(os.devnull, os.O_RDWR)
    try:
        os.dup2(null, 0)
        os.dup2(null, 1)
        if _is_pipe(2):
            os.dup2(null, 2)
    finally:
        os.close(null)


def _init_worker(parent_pid: int, initializer: Callable[[], None] | None, started: Any) -> None:
    """Pool initializer: tie the worker's life to the parent, detach stdio, run `initializer`, then
    release the `started` semaphore (WorkerPool.ready() counts those).

    SIGINT is ignored: Ctrl-C in a terminal reaches the whole foreground process group, and an idle
    worker it killed broke the pool under its parent, which was still finishing its jobs gracefully
    ("a worker died; starting a new pool", then BrokenProcessPool on a second Ctrl-C). The parent decides
    when workers stop (close(), or PR_SET_PDEATHSIG when it dies)."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    _die_with_parent(parent_pid)
    _detach_std_streams()
    if initializer is not None:
        initializer()
    started.release()


def _noop() -> None:
    """A job that only makes a worker start (used by start())."""


# --------------------------------------------------------------------------- in the bot


class WorkerPool:
    """`workers` spawned processes that run picklable jobs; lazily started, replaced when a worker dies.

    `initializer` (a module-level function) runs once in each worker, e.g. to import matplotlib or load
    models. Call start()/run() from a thread that lives as long as the pool (the event loop's): Linux
    delivers PR_SET_PDEATHSIG when the thread that spawned a worker exits.
    """

    def __init__(self, workers: int, *, initializer: Callable[[], None] | None = None) -> None:
        if workers < 1:
            raise ValueError("WorkerPool needs at least one worker; use InlineRunner for 0")
        self._workers = workers
        self._initializer = initializer
        self._executor: ProcessPoolExecutor | None = None
        self._warming: list[concurrent.futures.Future[None]] = []
        self._started: Any = None  # semaphore each worker of the current executor releases once
        self._ready = 0  # workers of the current executor known to have run the initializer
        self._closed = False

    @property
    def workers(self) -> int:
        """How many worker processes run jobs."""
        return self._workers

    def _pool(self) -> ProcessPoolExecutor:
        if self._closed:
            raise RuntimeError("WorkerPool is closed")
        if self._executor is None:
            context = multiprocessing.get_context("spawn")  # never fork a process running an event loop
            self._started, self._ready = context.Semaphore(0), 0
            self._executor = ProcessPoolExecutor(
                self._workers,
                mp_context=context,
                initializer=_init_worker,
                initargs=(os.getpid(), self._initializer, self._started),
            )
        return self._executor

    def start(self) -> None:
        """Start every worker now and let it run the initializer (otherwise on the first run())."""
        if self._executor is None or not self._warming:
            pool = self._pool()
            self._warming = [pool.submit(_noop) for _ in range(self._workers)]

    async def ready(self) -> None:
        """start(), then wait until every worker has run its initializer.

        A pool that breaks meanwhile (an initializer raised, a worker died) is only logged: the next
        run() replaces it.
        """
        self.start()
        executor, started, warming = self._executor, self._started, list(self._warming)
        while self._executor is executor and self._ready < self._workers:
            if await asyncio.to_thread(started.acquire, True, 0.1):
                self._ready += 1
                continue
            failed = [f.exception() for f in warming if f.done() and not f.cancelled() and f.exception()]
            if failed:
                logger.warning("a worker failed to start", exc_info=failed[0])
                return

    def pids(self) -> list[int]:
        """Process ids of the running workers (for tests and diagnostics)."""
        processes = getattr(self._executor, "_processes", None) or {}
        return sorted(p.pid for p in processes.values() if p.pid is not None)

    async def run(self, job: Callable[[], T], *, timeout: float | None = None) -> T:
        """`job()`'s result from a worker; re-raises its exception, TimeoutError after `timeout` seconds.

        A worker that died (BrokenProcessPool: killed, out of memory, crashed) makes the pool be
        replaced and the job retried once; a second failure is raised. A job that times out keeps its
        worker busy until it ends (processes cannot be interrupted safely).
        """
        for attempt in (1, 2):
            pool = self._pool()
            try:
                future = asyncio.wrap_future(pool.submit(job))
                return await asyncio.wait_for(future, timeout)
            except BrokenProcessPool:
                self._discard(pool)
                if attempt == 2:
                    raise
                logger.warning("a worker died; starting a new pool and retrying %s", _name(job))
        raise AssertionError("unreachable")

    def _discard(self, pool: ProcessPoolExecutor) -> None:
        """Forget a broken pool (once, however many jobs saw it break) and reap its processes."""
        if self._executor is pool:
            self._executor = None
            self._warming = []
        pool.shutdown(wait=False, cancel_futures=True)

    def close_nowait(self) -> None:
        """Cancel pending jobs and tell the workers to exit after their current job; do not wait."""
        self._closed = True
        executor, self._executor = self._executor, None
        self._warming = []
        if executor is not None:
            executor.shutdown(wait=False, cancel_futures=True)
            self._reap_later(executor)

    async def close(self) -> None:
        """Cancel pending jobs, let running ones finish for up to CLOSE_GRACE_S, then kill the workers."""
        self._closed = True
        executor, self._executor = self._executor, None
        self._warming = []
        if executor is None:
            return
        processes = list((getattr(executor, "_processes", None) or {}).values())
        executor.shutdown(wait=False, cancel_futures=True)
        deadline = time.monotonic() + CLOSE_GRACE_S
        while any(p.is_alive() for p in processes) and time.monotonic() < deadline:
            await asyncio.sleep(0.05)
        for process in processes:
            if process.is_alive():
                logger.warning("worker %s busy after %.0f s; terminating it", process.pid, CLOSE_GRACE_S)
                process.terminate()
        await asyncio.to_thread(executor.shutdown, wait=True)

    @staticmethod
    def _reap_later(executor: ProcessPoolExecutor) -> None:
        """Join the executor's workers in a daemon thread so none stays a zombie."""
        threading.Thread(
            target=functools.partial(executor.shutdown, wait=True), name="pool-reaper", daemon=True
        ).start()


class InlineRunner:
    """WorkerPool's interface, running jobs in threads (`asyncio.to_thread`): workers == 0.

    Threads share the GIL, so CPU-heavy jobs stall the event loop a little; a job that times out keeps
    running in its thread. The initializer runs once, in a thread, before the first job.
    """

    def __init__(self, workers: int = 0, *, initializer: Callable[[], None] | None = None) -> None:
        self._initializer = initializer
        self._initialized = threading.Lock()
        self._ready = initializer is None
        self._closed = False

    @property
    def workers(self) -> int:
        """Always 0: jobs run in threads of this process."""
        return 0

    def _init_once(self) -> None:
        with self._initialized:
            if not self._ready and self._initializer is not None:
                self._initializer()
            self._ready = True

    def start(self) -> None:
        """Run the initializer now, in a background thread."""
        if not self._ready:
            threading.Thread(target=self._init_once, name="runner-init", daemon=True).start()

    async def ready(self) -> None:
        """Wait until the initializer has run (in a thread)."""
        if not self._ready:
            await asyncio.to_thread(self._init_once)

    async def run(self, job: Callable[[], T], *, timeout: float | None = None) -> T:
        """`job()`'s result from a thread; re-raises its exception, TimeoutError after `timeout` s."""
        if self._closed:
            raise RuntimeError("InlineRunner is closed")

        def call() -> T:
            self._init_once()
            return job()

        return await asyncio.wait_for(asyncio.to_thread(call), timeout)

    def close_nowait(self) -> None:
        """Refuse new jobs (running threads finish on their own)."""
        self._closed = True

    async def close(self) -> None:
        """Refuse new jobs (running threads finish on their own)."""
        self._closed = True


Runner = WorkerPool | InlineRunner


def make_runner(workers: int, *, initializer: Callable[[], None] | None = None) -> Runner:
    """A WorkerPool of `workers` processes, or an InlineRunner when `workers` is 0 (or less)."""
    if workers <= 0:
        return InlineRunner(initializer=initializer)
    return WorkerPool(workers, initializer=initializer)


def _name(job: Callable[..., object]) -> str:
    """A job's function name for log lines (functools.partial unwrapped)."""
    while isinstance(job, functools.partial):
        job = job.func
    return getattr(job, "__qualname__", repr(job))


# --------------------------------------------------------------------------- video scoring


class ScoringPool:
    """Scores video files in worker processes (started lazily, models loaded once per worker).

    The Scorer that core/features/mock.py uses; a thin layer over WorkerPool.
    """

    def __init__(self, workers: int = 1) -> None:
        # OpenCV, matplotlib and the models are imported in the scoring workers only (by the
        # initializer), never in the bot's own process at start.
        self._pool = WorkerPool(max(1, workers), initializer=_init_scoring_worker)

    @property
    def pool(self) -> WorkerPool:
        """The underlying WorkerPool."""
        return self._pool

    async def score(self, path: Path, max_duration_s: float, timeout_s: float) -> tuple[dict, bytes]:
        """(result dict, scorecard PNG); raises media.video.VideoError or TimeoutError."""
        job = functools.partial(_score_with_chart, str(path), max_duration_s)
        return await self._pool.run(job, timeout=timeout_s)

    def close(self) -> None:
        """Stop the workers (pending jobs are cancelled)."""
        self._pool.close_nowait()


def _init_scoring_worker() -> None:
    """Scoring worker initializer (module-level, so it pickles): load OpenCV and the models once."""
    from media import worker

    worker.init_worker()


def _score_with_chart(path: str, max_duration_s: float) -> tuple[dict, bytes]:
    """The scoring job (module-level, so it pickles without importing OpenCV in the bot's process)."""
    from media import worker

    return worker.score_file_with_chart(path, max_duration_s=max_duration_s)
