"""media.pool.WorkerPool: jobs run in spawned workers, failures surface, and no worker outlives the bot."""

from __future__ import annotations

import functools
import json
import os
import select
import signal
import subprocess
import sys
import time
from concurrent.futures.process import BrokenProcessPool
from pathlib import Path

import pytest

from media import chart_jobs, charts, pool, video
from media.pool import InlineRunner, ScoringPool, WorkerPool, make_runner
from tests.media_pool import jobs

ROOT = Path(__file__).resolve().parents[2]
linux_only = pytest.mark.skipif(not Path("/proc/self/stat").exists(), reason="reads /proc")


def stat_fields(pid: int) -> list[str] | None:
    """/proc/<pid>/stat after the command name: [state, ppid, ...], or None when the process is gone."""
    try:
        raw = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    return raw[raw.rindex(")") + 2 :].split()


def alive(pid: int) -> bool:
    """Running (a zombie waiting for a reaper counts as dead: it holds no memory and no files)."""
    fields = stat_fields(pid)
    return fields is not None and fields[0] not in ("Z", "X")


def children_of(parent: int) -> set[int]:
    """Processes whose parent is `parent` right now."""
    found = set()
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            fields = stat_fields(int(entry.name))
            if fields is not None and int(fields[1]) == parent:
                found.add(int(entry.name))
    return found


def read_to_eof(stream, deadline: float) -> bool:
    """Drain a pipe until EOF (True) or the deadline (False)."""
    fd = stream.fileno()
    while time.monotonic() < deadline:
        ready, _, _ = select.select([fd], [], [], 0.1)
        if ready and os.read(fd, 65536) == b"":
            return True
    return False


@linux_only
def test_sigkilled_bot_leaves_no_workers_and_closes_its_stdout():
    bot = subprocess.Popen(
        [sys.executable, "-m", "tests.media_pool.child_bot"],
        cwd=ROOT,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    try:
        line = bot.stdout.readline()
        assert line, bot.stderr.read().decode()
        report = json.loads(line)
        workers = set(report["workers"])
        assert len(workers) == 2 and set(report["ran"]) <= workers
        tree = children_of(bot.pid)  # the workers and the multiprocessing resource tracker
        assert workers <= tree and len(tree) >= 3
        stdout_of = {pid: os.readlink(f"/proc/{pid}/fd/1") for pid in workers}
    finally:
        bot.send_signal(signal.SIGKILL)
        bot.wait()
    deadline = time.monotonic() + 10
    while any(alive(pid) for pid in tree) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert [pid for pid in tree if alive(pid)] == []
    assert read_to_eof(bot.stdout, deadline), "something still holds the bot's stdout"
    assert read_to_eof(bot.stderr, deadline), "something still holds the bot's stderr"
    assert set(stdout_of.values()) == {os.devnull}  # workers never held the bot's stdout pipe


async def test_jobs_run_in_other_processes_and_errors_come_back():
    workers = WorkerPool(2)
    try:
        assert workers.workers == 2
        pid = await workers.run(jobs.pid)
        assert pid != os.getpid() and pid in workers.pids()
        with pytest.raises(ValueError, match="boom"):
            await workers.run(functools.partial(jobs.fail, "boom"))
        assert await workers.run(jobs.pid) in workers.pids()  # the pool still works
    finally:
        await workers.close()
    assert not any(alive(p) for p in workers.pids() or [pid])


async def test_ready_waits_for_every_worker_to_run_its_initializer(tmp_path, monkeypatch):
    monkeypatch.setenv("POOL_TEST_MARKS", str(tmp_path))
    workers = WorkerPool(2, initializer=jobs.mark_started)
    try:
        await workers.ready()
        started = sorted(int(p.name) for p in tmp_path.iterdir())
        assert len(started) == 2 and started == workers.pids()
    finally:
        await workers.close()


@linux_only
async def test_workers_do_not_hold_the_parent_pipes():
    workers = WorkerPool(1)
    try:
        stdin, stdout, _stderr = await workers.run(jobs.stdio_targets)
        assert stdin == stdout == os.devnull
    finally:
        await workers.close()


async def test_timeout(monkeypatch):
    monkeypatch.setattr(pool, "CLOSE_GRACE_S", 0.2)
    workers = WorkerPool(1)
    try:
        await workers.run(jobs.pid)  # started, so the timeout measures the job, not the start-up
        with pytest.raises(TimeoutError):
            await workers.run(functools.partial(jobs.slow_pid, 30), timeout=0.5)
    finally:
        await workers.close()  # the busy worker is terminated, not waited for
    assert not any(alive(p) for p in workers.pids())


async def test_a_dead_worker_is_replaced_and_the_job_retried(tmp_path):
    workers = WorkerPool(1)
    try:
        first = await workers.run(jobs.pid)
        marker = tmp_path / "attempts"
        pid = await workers.run(functools.partial(jobs.die_once, str(marker)))
        attempts = [int(p) for p in marker.read_text().split()]
        assert len(attempts) == 2 and attempts[0] == first and attempts[1] == pid != first
        assert workers.pids() == [pid]
        assert await workers.run(jobs.pid) == pid  # the new pool keeps serving
        with pytest.raises(BrokenProcessPool):  # retried once, then the failure is reported
            await workers.run(jobs.always_die)
        assert await workers.run(jobs.pid) not in (first, pid)
    finally:
        await workers.close()


async def test_inline_runner_has_the_same_behaviour():
    runner = make_runner(0, initializer=charts.warm)
    assert isinstance(runner, InlineRunner) and runner.workers == 0
    assert await runner.run(jobs.pid) == os.getpid()
    with pytest.raises(ValueError, match="boom"):
        await runner.run(functools.partial(jobs.fail, "boom"))
    with pytest.raises(TimeoutError):
        await runner.run(functools.partial(jobs.slow_pid, 1.0), timeout=0.1)
    await runner.close()
    with pytest.raises(RuntimeError):
        await runner.run(jobs.pid)


async def test_chart_functions_are_jobs():
    """Each chart is a module-level function: the caller passes it, with its data, as the job."""
    workers = make_runner(1, initializer=charts.warm)
    try:
        image = await workers.run(functools.partial(charts.top_companies, [("Ba$$ Capital", 4), ("TCS", 2)]))
        assert isinstance(image, charts.ChartImage) and image.png.startswith(b"\x89PNG")
        assert image.caption.startswith("Ba$$ Capital has the most experiences: 4 of 6")
    finally:
        await workers.close()


async def test_scoring_pool_reports_a_bad_file(tmp_path):
    bad = tmp_path / "notes.mp4"
    bad.write_text("not a video")
    scorer = ScoringPool(1)
    try:
        with pytest.raises(video.VideoError) as caught:
            await scorer.score(bad, max_duration_s=60, timeout_s=120)
        assert caught.value.reason == video.NOT_A_VIDEO
        [pid] = scorer.pool.pids()
    finally:
        scorer.close()
    deadline = time.monotonic() + 10
    while alive(pid) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert not alive(pid)


def test_chart_jobs_do_not_load_matplotlib_in_the_bot():
    code = (
        "import sys, media.chart_jobs, media.pool; print('matplotlib' in sys.modules, 'cv2' in sys.modules)"
    )
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True)
    assert out.stdout.split() == ["False", "False"]


async def test_every_chart_job_is_drawn_in_a_worker():
    workers = make_runner(1, initializer=chart_jobs.warm)
    name = "Ba$$ Capital"
    jobs_ = {
        "topics": functools.partial(chart_jobs.topics_bar, name, {"DSA": 3}, 4),
        "years": functools.partial(chart_jobs.per_year, name, [(2024, 10, 3, 6)]),
        "passout": functools.partial(chart_jobs.passout_breakdown, name, [(2025, 10, 3, 6)]),
        "difficulty": functools.partial(chart_jobs.difficulty_distribution, name, {3: 2}),
        "words": functools.partial(chart_jobs.word_cloud, name, {"graphs": 3, "arrays": 2}),
        "heatmap": functools.partial(chart_jobs.branch_year_heatmap, [("CSE", 2024, 0.5, 10)]),
        "top": functools.partial(chart_jobs.top_companies, [(name, 4), ("TCS", 2)]),
        "trend": functools.partial(chart_jobs.trend, [(2023, 4), (2024, 9)]),
        "sentiment": functools.partial(chart_jobs.sentiment_hist, [0.5, -0.2, 0.0]),
        "hot": functools.partial(chart_jobs.hot_topics, {"DSA": 4}, "in 2025"),
        "scatter": functools.partial(
            chart_jobs.scatter_difficulty_selection, [(name, 3, 0.5, 9), ("X", 2, 0.8, 5)]
        ),
    }
    try:
        await workers.ready()
        images = {view: await workers.run(job, timeout=60) for view, job in jobs_.items()}
    finally:
        await workers.close()
    for view, image in images.items():
        assert isinstance(image, charts.ChartImage) and image.png.startswith(b"\x89PNG"), view
        assert not image.empty and image.caption != "This chart could not be drawn.", view
    assert images["top"].caption.startswith("Ba$$ Capital has the most experiences")
