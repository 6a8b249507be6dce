"""The search port: ranked, paged full-text search over approved experiences.

The /search feature types against `SearchPort` and reads the frozen records below;
`storage.search.SearchRepo` implements it (it subclasses the Protocol, so mypy checks the signature) on
SQLite (FTS5) and PostgreSQL (tsvector) with identical results.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Protocol

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class SearchHit:
    """One ranked result with what the list shows (public fields only).

    `snippet`: the question that matched best, else a short excerpt of the narrative around the words,
    with personal data masked; "" when neither holds a query word. `score`: BM25 (unitless, higher is
    better). `interview_year` is the year of the interview process (e.g. 2024).
    """

    experience_id: int
    company: str
    role: str
    interview_year: int
    outcome: str
    snippet: str
    score: float


@dataclass(frozen=True)
class SearchPage:
    """A page of ranked results.

    `total`: results ranked (at most the newest CANDIDATES with every word, plus ones with some words);
    `capped`: more experiences had every word than were ranked; `page` (0-based) of `pages`;
    `matched_all`: False when no experience had every word (all results match only some of them);
    `complete`: how many of the `total` results have every word (they are ranked first).
    """

    hits: tuple[SearchHit, ...]
    total: int
    capped: bool
    page: int
    pages: int
    matched_all: bool
    complete: int = 0


class SearchPort(Protocol):
    """Where /search looks things up."""

    async def search(
        self,
        query: str,
        *,
        company_id: int | None = None,
        page: int = 0,
        page_size: int = 5,
        colleges: Sequence[int] | None = None,
    ) -> SearchPage:
        """Experiences matching `query` (words, any case or punctuation; optionally of one company), best
        first, one page of `page_size` of them; an empty query with a company lists its newest. Only
        experiences of `colleges` (None: every college) are found (issue #15)."""
        ...
