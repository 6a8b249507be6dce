"""Fixtures: a migrated database (SQLite and PostgreSQL) holding the hand-made set, analysed."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from storage.analysis import analyse_all
from storage.db import Database
from tests.insights.data import Ids, seed


@pytest.fixture
async def seeded(database: Database) -> AsyncIterator[tuple[Database, Ids]]:
    """The fixture set in a fresh database, with every approved experience analysed."""
    ids = await seed(database.sessions)
    await analyse_all(database.sessions)
    yield database, ids
