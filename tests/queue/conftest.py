"""Fixtures of the queue tests (helpers: harness.py)."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.queue.harness import Workers, write_config


@pytest.fixture
def workers(tmp_path: Path, database_url: str) -> Iterator[Callable[[dict[str, Any]], Workers]]:
    made: list[Workers] = []

    def make(data: dict[str, Any]) -> Workers:
        made.append(Workers(tmp_path, database_url, write_config(tmp_path, data)))
        return made[-1]

    yield make
    for group in made:
        group.close()
