"""Module-level jobs for the pool tests (picklable by reference, importable in spawned workers)."""

from __future__ import annotations

import os
import time
from pathlib import Path


def pid() -> int:
    """The worker's process id."""
    return os.getpid()


def slow_pid(seconds: float) -> int:
    """The worker's process id, after `seconds` (keeps a worker busy so the next job goes elsewhere)."""
    time.sleep(seconds)
    return os.getpid()


def fail(message: str) -> None:
    """Raise ValueError(message) in the worker."""
    raise ValueError(message)


def die_once(marker: str) -> int:
    """Kill this worker the first time (as the OOM killer would), succeed the second time."""
    path = Path(marker)
    with path.open("a") as log:
        log.write(f"{os.getpid()}\n")
    if len(path.read_text().split()) == 1:
        os._exit(1)
    return os.getpid()


def always_die() -> None:
    """Kill this worker every time."""
    os._exit(1)


def stdio_targets() -> list[str]:
    """Where the worker's fds 0, 1 and 2 point."""
    return [os.readlink(f"/proc/self/fd/{fd}") for fd in (0, 1, 2)]


def mark_started() -> None:
    """Initializer: leave a file named after this worker's pid in $POOL_TEST_MARKS."""
    (Path(os.environ["POOL_TEST_MARKS"]) / str(os.getpid())).touch()
