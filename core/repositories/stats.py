"""The statistics port: the records cards, drill-downs, lists and /insights read, and what storage answers.

`storage.stats.StatsRepo` implements `StatsRepository` (it subclasses it, so mypy checks every
signature). Every figure counts approved experiences only; "decided" always means selected +
rejected (core.analytics.stats.DECIDED): pending and withdrew are never counted as rejected.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Protocol

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class Tally:
    """Experiences in a group, how many were selected and how many had a known result (selected/rejected)."""

    key: Any
    total: int
    selected: int
    decided: int
    avg_difficulty: float | None = None


@dataclass
class CompanyStats:
    """Everything the insight card and its charts show about one company, at one data_version."""

    company_id: int
    name: str
    data_version: int
    total: int = 0
    selected: int = 0
    decided: int = 0
    outcomes: dict[str, int] = field(default_factory=dict)
    difficulty: dict[int, int] = field(default_factory=dict)
    rating: dict[int, int] = field(default_factory=dict)
    sources: dict[str, int] = field(default_factory=dict)
    latest: datetime | None = None  # when the newest experience was stored (an import date, not shown)
    latest_year: int | None = None  # the newest interview year: what "Latest experience" shows
    by_interview_year: list[Tally] = field(default_factory=list)
    by_passout_year: list[Tally] = field(default_factory=list)
    round_counts: dict[int, int] = field(default_factory=dict)  # rounds per experience -> experiences
    round_positions: dict[int, dict[str, int]] = field(default_factory=dict)  # position -> kind -> n
    topics: list[tuple[str, int]] = field(default_factory=list)
    questions: list[tuple[str, int]] = field(default_factory=list)  # (wording, experiences), most first
    cloud: list[tuple[str, int]] = field(default_factory=list)  # up to CLOUD_QUESTIONS wordings (word cloud)
    sample: int = 0  # the newest experiences topics and rounds were counted over (== total when small)
    question_sample: int = 0  # the newest experiences "most asked" was counted over
    colleges: tuple[int, ...] | None = None  # the colleges counted (None: every college; issue #15)

    @property
    def scope_key(self) -> str:
        """ "" for every college, else "@1-3": what keeps caches of different college views apart."""
        return "" if self.colleges is None else "@" + "-".join(str(c) for c in self.colleges)


@dataclass(frozen=True)
class ExperienceLine:
    """One row of a company's experience list (public fields only)."""

    id: int
    role: str
    interview_year: int
    passout_year: int
    branch: str
    outcome: str
    difficulty: int
    author: str
    created_at: datetime


@dataclass(frozen=True)
class RoundView:
    """A round of a full experience."""

    position: int
    kind: str
    duration_minutes: int | None
    difficulty: int
    questions: tuple[str, ...]


@dataclass(frozen=True)
class ExperienceView:
    """A whole public experience; the author is a name or "Anonymous", never a roll number."""

    id: int
    company_id: int
    company: str
    author: str
    linkedin_url: str | None
    branch: str
    passout_year: int
    interview_year: int
    role: str
    role_description: str
    source: str
    outcome: str
    difficulty: int
    rating: int
    preparation: str
    reflections: str
    created_at: datetime
    rounds: tuple[RoundView, ...]


@dataclass
class GlobalStats:
    """What /insights shows across every company."""

    total: int = 0
    companies: list[tuple[int, str, int, int, int, float]] = field(default_factory=list)
    # (company id, name, experiences, selected, decided, average difficulty), most experiences first
    branch_passout: list[tuple[str, int, int, int]] = field(default_factory=list)  # (branch, year, sel, dec)
    years: list[Tally] = field(default_factory=list)
    sentiment: dict[str, dict[str, int]] = field(default_factory=dict)  # outcome -> band -> n
    sentiment_values: list[tuple[float, int]] = field(default_factory=list)  # (score to 0.01, experiences)
    season: int | None = None
    season_topics: list[tuple[str, int]] = field(default_factory=list)
    previous_topics: dict[str, int] = field(default_factory=dict)


class StatsRepository(Protocol):
    """What the company, insights, FAQ and inline features ask of storage for figures and lists.

    Issue #15: every read takes `colleges`, the college ids whose approved experiences it counts (None:
    every college, for system jobs and single-college callers); lists and full views take `named`, the
    one college whose authors may be named (another college's posts are always Anonymous).
    """

    async def data_version(self, company_id: int) -> int | None:
        """The company's data_version (None when it does not exist): the chart cache key."""
        ...

    async def global_version(self) -> tuple[int, int]:
        """(sum of data versions, companies): changes whenever any company's public data changes."""
        ...

    async def company(
        self, company_id: int, top: int = 12, *, colleges: Sequence[int] | None = None
    ) -> CompanyStats | None:
        """All aggregates of one company's approved experiences (None when it does not exist)."""
        ...

    async def breakdown(
        self, company_id: int, dimension: str, *, colleges: Sequence[int] | None = None
    ) -> list[Tally]:
        """Tallies by passout/year/role/branch/source, or by round kind (every group, small ones too)."""
        ...

    async def overall(self, *, colleges: Sequence[int] | None = None) -> GlobalStats:
        """Aggregates across every company (for /insights)."""
        ...

    async def count_experiences(self, company_id: int, *, colleges: Sequence[int] | None = None) -> int:
        """How many approved experiences a company has."""
        ...

    async def list_experiences(
        self,
        company_id: int,
        *,
        limit: int,
        offset: int,
        colleges: Sequence[int] | None = None,
        named: int | None = None,
    ) -> list[ExperienceLine]:
        """A page of a company's approved experiences, newest first."""
        ...

    async def experience(
        self, experience_id: int, *, colleges: Sequence[int] | None = None, named: int | None = None
    ) -> ExperienceView | None:
        """One approved experience in full, or None (also when it is not of `colleges`)."""
        ...

    async def question_texts(
        self, company_id: int, limit: int = 400, *, colleges: Sequence[int] | None = None
    ) -> list[tuple[str, int]]:
        """The company's most asked question wordings with counts (word-cloud input)."""
        ...
