"""For `python main.py worker --import tests.queue.db_gone`: every scoring fails as if the database went
away mid-way (storing the scorecard and recording the failure both raise), so the job escapes the use
case and the queue retries it until it gives up. Scores with tests.queue.blocking's scorer."""

from __future__ import annotations

from typing import Any

import tests.queue.blocking  # noqa: F401 - registers the blocking scorer
from storage.mock import MockRepo


async def _database_gone(self: MockRepo, *args: Any, **kwargs: Any) -> None:
    raise ConnectionError("the database went away")


MockRepo.finish_attempt = _database_gone  # type: ignore[method-assign]
MockRepo.fail_attempt = _database_gone  # type: ignore[method-assign]
