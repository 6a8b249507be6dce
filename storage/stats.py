"""SQL aggregates for company cards, drill-downs and /insights (approved experiences only)."""

from __future__ import annotations

import logging
from collections import Counter
from collections.abc import Sequence
from typing import Any

from sqlalchemy import Numeric, Select, and_, case, cast, func, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from core.analytics.stats import DECIDED, SELECTED
from core.repositories.stats import (
    CompanyStats,
    ExperienceLine,
    ExperienceView,
    GlobalStats,
    RoundView,
    StatsRepository,
    Tally,
)
from storage.colleges import in_colleges
from storage.models import Company, Experience, ExperienceTopic, Question, Round
from storage.search import public_text

logger = logging.getLogger(__name__)

Sessions = async_sessionmaker[AsyncSession]
PUBLIC = "approved"
__all__ = [
    "DECIDED",
    "SELECTED",
    "CompanyStats",
    "ExperienceLine",
    "ExperienceView",
    "GlobalStats",
    "RoundView",
    "StatsRepo",
    "Tally",
]
RECENT_QUESTIONS = 2000  # most-asked questions and word clouds look at a company's newest experiences
RECENT_EXPERIENCES = 5000  # topics and the typical rounds sequence look at a company's newest experiences
CLOUD_QUESTIONS = 400  # distinct wordings fed to the word cloud (the card lists the first few)
DIMENSIONS = {
    "passout": Experience.passout_year,
    "year": Experience.interview_year,
    "role": Experience.role,
    "branch": Experience.branch,
    "source": Experience.source,
}


def author_of(name: str, anonymous: bool) -> str:
    """How an author is shown publicly."""
    return "Anonymous" if anonymous or not (name or "").strip() else name.strip()


def _public(company_id: int | None = None, colleges: Sequence[int] | None = None) -> Any:
    cond = and_(Experience.status == PUBLIC, in_colleges(Experience, colleges))
    return and_(cond, Experience.company_id == company_id) if company_id is not None else cond


def _author(name: str, anonymous: bool, college_id: int, named: int | None) -> str:
    """The public author; a post of another college than `named` is always anonymous (None: any)."""
    return author_of(name, anonymous or (named is not None and college_id != named))


def _selected_sum() -> Any:
    return func.sum(case((Experience.outcome == SELECTED, 1), else_=0))


def _decided_sum() -> Any:
    return func.sum(case((Experience.outcome.in_(DECIDED), 1), else_=0))


def _tallies(rows: Any) -> list[Tally]:
    return [
        Tally(key, int(n), int(sel or 0), int(dec or 0), None if avg is None else float(avg))
        for key, n, sel, dec, avg in rows
    ]


def _card_query(where: Any) -> Select:
    """Counts per (outcome, difficulty, rating, source, interview and passout year): reads one index."""
    columns = (
        Experience.outcome,
        Experience.difficulty,
        Experience.rating,
        Experience.source,
        Experience.interview_year,
        Experience.passout_year,
    )
    return select(*columns, func.count(), func.max(Experience.created_at)).where(where).group_by(*columns)


def _fill_counts(stats: CompanyStats, rows: Any) -> None:
    """Totals, distributions, latest date and per-year tallies from the card query's rows."""
    outcomes: Counter[str] = Counter()
    difficulty: Counter[int] = Counter()
    rating: Counter[int] = Counter()
    sources: Counter[str] = Counter()
    # Imported posts may lack difficulty, rating or passout year (NULL): they count in totals, never as 0.
    years: dict[str, dict[int, list[int]]] = {"interview": {}, "passout": {}}
    for outcome, diff, rate, source, year, passout, n, latest in rows:
        n = int(n)
        outcomes[outcome] += n
        if diff is not None:
            difficulty[int(diff)] += n
        if rate is not None:
            rating[int(rate)] += n
        sources[source or "unknown"] += n
        if latest is not None and (stats.latest is None or latest > stats.latest):
            stats.latest = latest
        if stats.latest_year is None or int(year) > stats.latest_year:
            stats.latest_year = int(year)
        for kind, key in (("interview", year), ("passout", passout)):
            if key is None:
                continue
            # total, selected, decided, difficulty sum, experiences with a known difficulty
            acc = years[kind].setdefault(int(key), [0, 0, 0, 0, 0])
            acc[0] += n
            acc[1] += n if outcome == SELECTED else 0
            acc[2] += n if outcome in DECIDED else 0
            if diff is not None:
                acc[3] += n * int(diff)
                acc[4] += n
    stats.total = sum(outcomes.values())
    stats.selected = outcomes.get(SELECTED, 0)
    stats.decided = sum(outcomes.get(o, 0) for o in DECIDED)
    stats.outcomes, stats.difficulty = dict(outcomes), dict(difficulty)
    stats.rating, stats.sources = dict(rating), dict(sources)
    stats.by_interview_year, stats.by_passout_year = (
        [
            Tally(key, t, s, d, dsum / known if known else None)
            for key, (t, s, d, dsum, known) in sorted(years[kind].items())
        ]
        for kind in ("interview", "passout")
    )


def _recent_ids(where: Any, limit: int) -> Select:
    """Ids of the newest `limit` experiences matching `where` (for bounded-cost samples)."""
    return select(Experience.id).where(where).order_by(Experience.id.desc()).limit(limit)


def _tally_query(column: Any, where: Any) -> Select:
    return (
        select(column, func.count(), _selected_sum(), _decided_sum(), func.avg(Experience.difficulty))
        .where(where)
        .group_by(column)
    )


class StatsRepo(StatsRepository):
    """Read-only aggregates; every query counts approved experiences only."""

    def __init__(self, sessions: Sessions) -> None:
        self._sessions = sessions

    async def data_version(self, company_id: int) -> int | None:
        """The company's data_version (None when the company does not exist): the chart cache key."""
        async with self._sessions() as session:
            return await session.scalar(select(Company.data_version).where(Company.id == company_id))

    async def global_version(self) -> tuple[int, int]:
        """(sum of data versions, companies): changes whenever any company's public data changes."""
        async with self._sessions() as session:
            row = await session.execute(
                select(func.coalesce(func.sum(Company.data_version), 0), func.count())
            )
            total, count = row.one()
            return int(total), int(count)

    async def company(
        self, company_id: int, top: int = 12, *, colleges: Sequence[int] | None = None
    ) -> CompanyStats | None:
        """All aggregates of one company's approved experiences, in five index-backed queries.

        Counts, distributions and per-year tallies are exact (one pass over ix_experiences_card);
        topics and the typical rounds describe the newest RECENT_EXPERIENCES, questions and the word
        cloud the newest RECENT_QUESTIONS, so a card costs about the same at 1,000 or 1,000,000 rows.
        """
        async with self._sessions() as session:
            head = (
                await session.execute(
                    select(Company.name, Company.data_version).where(Company.id == company_id)
                )
            ).first()
            if head is None:
                return None
            stats = CompanyStats(company_id, head[0], int(head[1] or 0))
            stats.colleges = tuple(colleges) if colleges is not None else None
            where = _public(company_id, colleges)
            _fill_counts(stats, await session.execute(_card_query(where)))
            if not stats.total:
                return stats
            stats.sample = min(stats.total, RECENT_EXPERIENCES)
            stats.question_sample = min(stats.total, RECENT_QUESTIONS)
            recent = _recent_ids(where, RECENT_EXPERIENCES)
            rows = await session.execute(
                select(Round.position, Round.kind, func.count())
                .where(Round.experience_id.in_(recent))
                .group_by(Round.position, Round.kind)
            )
            positions: dict[int, dict[str, int]] = {}
            for position, kind, n in rows:
                positions.setdefault(int(position), {})[kind] = int(n)
            stats.round_positions = positions
            per_exp = (
                select(func.count().label("n"))
                .where(Round.experience_id.in_(recent))
                .group_by(Round.experience_id)
                .subquery()
            )
            rows = await session.execute(select(per_exp.c.n, func.count()).group_by(per_exp.c.n))
            stats.round_counts = {int(n): int(c) for n, c in rows}
            stats.topics = await self._topics(session, recent, top)
            cloud = await self._questions(session, company_id, where, CLOUD_QUESTIONS)
            stats.cloud = cloud
            stats.questions = cloud[:top]
        return stats

    @staticmethod
    async def _topics(session: AsyncSession, recent: Any, top: int) -> list[tuple[str, int]]:
        rows = await session.execute(
            select(ExperienceTopic.topic, func.count().label("n"))
            .where(ExperienceTopic.experience_id.in_(recent))
            .group_by(ExperienceTopic.topic)
            .order_by(func.count().desc(), ExperienceTopic.topic)
            .limit(top * 3)
        )
        return [(topic, int(n)) for topic, n in rows]

    @staticmethod
    async def _questions(
        session: AsyncSession, company_id: int, where: Any, top: int
    ) -> list[tuple[str, int]]:
        """Most asked wordings among the newest RECENT_QUESTIONS experiences (bounded cost at any size)."""
        recent = _recent_ids(where, RECENT_QUESTIONS)
        key = func.coalesce(func.nullif(Question.normalized, ""), func.lower(Question.text))
        experiences = func.count(func.distinct(Question.experience_id))
        rows = await session.execute(
            select(key, func.min(Question.text), experiences.label("n"))
            .where(Question.experience_id.in_(recent))
            .group_by(key)
            .order_by(experiences.desc(), key)
            .limit(top)
        )
        return [(text, int(n)) for _key, text, n in rows]

    async def breakdown(
        self, company_id: int, dimension: str, *, colleges: Sequence[int] | None = None
    ) -> list[Tally]:
        """Tallies of a company's experiences by passout/year/role/branch/source, or by round kind."""
        where = _public(company_id, colleges)
        async with self._sessions() as session:
            if dimension == "round":
                per_exp = (
                    select(
                        Round.kind.label("kind"), Round.experience_id, func.avg(Round.difficulty).label("d")
                    )
                    .join(Experience, Experience.id == Round.experience_id)
                    .where(where)
                    .group_by(Round.kind, Round.experience_id)
                    .subquery()
                )
                rows = await session.execute(
                    select(
                        per_exp.c.kind, func.count(), _selected_sum(), _decided_sum(), func.avg(per_exp.c.d)
                    )
                    .join(Experience, Experience.id == per_exp.c.experience_id)
                    .group_by(per_exp.c.kind)
                    .order_by(func.count().desc(), per_exp.c.kind)
                )
                return _tallies(rows)
            column = DIMENSIONS[dimension]
            order = column if dimension in ("passout", "year") else func.count().desc()
            rows = await session.execute(_tally_query(column, where).order_by(order, column))
            return _tallies(rows)

    async def overall(self, *, colleges: Sequence[int] | None = None) -> GlobalStats:
        """Aggregates across every company (for /insights) of `colleges`."""
        return await global_stats(self._sessions, colleges)

    async def count_experiences(self, company_id: int, *, colleges: Sequence[int] | None = None) -> int:
        """How many approved experiences a company has in `colleges`."""
        async with self._sessions() as session:
            return int(await session.scalar(select(func.count()).where(_public(company_id, colleges))) or 0)

    async def list_experiences(
        self,
        company_id: int,
        *,
        limit: int,
        offset: int,
        colleges: Sequence[int] | None = None,
        named: int | None = None,
    ) -> list[ExperienceLine]:
        """A page of a company's approved experiences of `colleges`, newest first; authors of colleges
        other than `named` are shown as Anonymous (cross-college views are anonymised)."""
        async with self._sessions() as session:
            rows = await session.execute(
                select(
                    Experience.id,
                    Experience.role,
                    Experience.interview_year,
                    Experience.passout_year,
                    Experience.branch,
                    Experience.outcome,
                    Experience.difficulty,
                    Experience.author_name,
                    Experience.anonymous,
                    Experience.created_at,
                    Experience.college_id,
                )
                .where(_public(company_id, colleges))
                .order_by(Experience.created_at.desc(), Experience.id.desc())
                .limit(limit)
                .offset(offset)
            )
            return [
                ExperienceLine(eid, role, iy, py, br, out, diff, _author(name, anon, college, named), created)
                for eid, role, iy, py, br, out, diff, name, anon, created, college in rows
            ]

    async def experience(
        self, experience_id: int, *, colleges: Sequence[int] | None = None, named: int | None = None
    ) -> ExperienceView | None:
        """One approved experience of `colleges` in full, or None (missing, pending, rejected, hidden or
        of another college); its author is Anonymous unless it is of college `named` (None: any)."""
        async with self._sessions() as session:
            row = (
                await session.execute(
                    select(Experience, Company.name)
                    .join(Company, Company.id == Experience.company_id)
                    .where(Experience.id == experience_id, _public(None, colleges))
                )
            ).first()
            if row is None:
                return None
            exp, company = row
            foreign = named is not None and exp.college_id != named

            def hide(text_: str) -> str:  # another college's post: its author's name masked in the text too
                return public_text(text_, exp.author_name) if foreign else text_

            rounds = (
                await session.execute(
                    select(Round).where(Round.experience_id == experience_id).order_by(Round.position)
                )
            ).scalars()
            round_views = []
            for r in rounds:
                texts = (
                    await session.execute(
                        select(Question.text).where(Question.round_id == r.id).order_by(Question.position)
                    )
                ).scalars()
                round_views.append(
                    RoundView(
                        r.position, r.kind, r.duration_minutes, r.difficulty, tuple(hide(t) for t in texts)
                    )
                )
            return ExperienceView(
                id=exp.id,
                company_id=exp.company_id,
                company=company,
                author=_author(exp.author_name, exp.anonymous, exp.college_id, named),
                linkedin_url=None
                if exp.anonymous or (named is not None and exp.college_id != named)
                else exp.linkedin_url,
                branch=exp.branch,
                passout_year=exp.passout_year,
                interview_year=exp.interview_year,
                role=exp.role,
                role_description=hide(exp.role_description or ""),
                source=exp.source,
                outcome=exp.outcome,
                difficulty=exp.difficulty,
                rating=exp.rating,
                preparation=hide(exp.preparation or ""),
                reflections=hide(exp.reflections or ""),
                created_at=exp.created_at,
                rounds=tuple(round_views),
            )

    async def question_texts(
        self, company_id: int, limit: int = CLOUD_QUESTIONS, *, colleges: Sequence[int] | None = None
    ) -> list[tuple[str, int]]:
        """The company's most asked question wordings with counts (word-cloud input), of `colleges`."""
        async with self._sessions() as session:
            return await self._questions(session, company_id, _public(company_id, colleges), limit)


async def _counts(session: AsyncSession, column: Any, where: Any) -> dict[Any, int]:
    rows = await session.execute(select(column, func.count()).where(where).group_by(column))
    return {key: int(n) for key, n in rows}


SENTIMENT_BANDS = ("positive", "neutral", "negative")


def sentiment_band(score: float | None) -> str:
    """VADER's usual cut-offs: >= 0.05 positive, <= -0.05 negative."""
    if score is None:
        return "neutral"
    return "positive" if score >= 0.05 else "negative" if score <= -0.05 else "neutral"


async def global_stats(sessions: Sessions, colleges: Sequence[int] | None = None) -> GlobalStats:
    """Aggregates across all companies for /insights, over the approved experiences of `colleges`."""
    out = GlobalStats()
    where = _public(None, colleges)
    async with sessions() as session:
        out.total = int(await session.scalar(select(func.count()).where(where)) or 0)
        if not out.total:
            return out
        rows = await session.execute(
            select(
                Company.id,
                Company.name,
                func.count(),
                _selected_sum(),
                _decided_sum(),
                func.avg(Experience.difficulty),
            )
            .join(Company, Company.id == Experience.company_id)
            .where(where)
            .group_by(Company.id, Company.name)
            .order_by(func.count().desc(), Company.name)
        )
        out.companies = [
            (cid, name, int(n), int(s or 0), int(d or 0), float(a)) for cid, name, n, s, d, a in rows
        ]
        rows = await session.execute(
            select(Experience.branch, Experience.passout_year, _selected_sum(), _decided_sum())
            .where(where)
            .group_by(Experience.branch, Experience.passout_year)
        )
        out.branch_passout = [(b, int(y), int(s or 0), int(d or 0)) for b, y, s, d in rows if y is not None]
        rows = await session.execute(
            _tally_query(Experience.interview_year, where).order_by(Experience.interview_year)
        )
        out.years = _tallies(rows)
        band = case(
            (Experience.sentiment >= 0.05, "positive"),
            (Experience.sentiment <= -0.05, "negative"),
            else_="neutral",
        )
        rows = await session.execute(
            select(Experience.outcome, band, func.count()).where(where).group_by(Experience.outcome, band)
        )
        sentiment: dict[str, dict[str, int]] = {}
        for outcome, b, n in rows:
            sentiment.setdefault(outcome, {})[b] = int(n)
        out.sentiment = sentiment
        rounded = func.round(cast(Experience.sentiment, Numeric(6, 3)), 2)
        rows = await session.execute(
            select(rounded, func.count()).where(where, Experience.sentiment.is_not(None)).group_by(rounded)
        )
        out.sentiment_values = sorted((float(v), int(n)) for v, n in rows)
        season = await session.scalar(select(func.max(Experience.interview_year)).where(where))
        out.season = int(season) if season is not None else None
        if out.season is not None:
            out.season_topics = await _year_topics(session, out.season, 20, colleges)
            out.previous_topics = dict(await _year_topics(session, out.season - 1, 100, colleges))
    return out


async def _year_topics(
    session: AsyncSession, year: int, limit: int, colleges: Sequence[int] | None = None
) -> list[tuple[str, int]]:
    rows = await session.execute(
        select(ExperienceTopic.topic, func.count())
        .join(Experience, Experience.id == ExperienceTopic.experience_id)
        .where(_public(None, colleges), Experience.interview_year == year)
        .group_by(ExperienceTopic.topic)
        .order_by(func.count().desc(), ExperienceTopic.topic)
        .limit(limit)
    )
    return [(t, int(n)) for t, n in rows]


def counter_of(pairs: list[tuple[str, int]]) -> Counter[str]:
    """A Counter from (key, count) pairs."""
    return Counter(dict(pairs))
