"""TEST-ONLY stand-in for the proposed core hook `App.inline(query, limit) -> list[InlineCard]`.

Remove once core/app.py has it: the adapter already calls `getattr(app, "inline", None)`.
It builds cards from the same public views the core's /company and /experience answers use, so
anonymous authors show as "Anonymous" and roll numbers never appear.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import func, select

from core.analytics.stats import OUTCOME_LABELS, selection_rate
from core.app import App
from core.features.company_cards import card_text, experience_text, typical_rounds
from storage.models import Company, Experience
from storage.stats import PUBLIC, StatsRepo

POPULAR = 5


@dataclass(frozen=True)
class InlineCard:
    """One shareable card: the proposed core.replies.InlineCard (text in the core's neutral markup)."""

    id: str
    title: str
    description: str
    text: str


class InlineApp:
    """Wraps a real App and adds `inline()`; everything else is the App's own."""

    def __init__(self, app: App) -> None:
        self._app = app
        self._stats = StatsRepo(app.database.sessions)
        self.queries: list[tuple[str, int]] = []

    def __getattr__(self, name: str) -> Any:
        return getattr(self._app, name)

    async def inline(self, query: str, limit: int) -> list[InlineCard]:
        """Empty query: the most shared companies; else the matched company's newest experiences."""
        self.queries.append((query, limit))
        if not query.strip():
            return await self._popular(min(limit, POPULAR))
        match = await self._app.services.companies.match(query)
        chosen = match.confident or (match.suggestions[0] if match.suggestions else None)
        if chosen is None:
            return []
        cards = []
        for line in await self._stats.list_experiences(chosen.id, limit=limit, offset=0):
            view = await self._stats.experience(line.id)
            if view is None:
                continue
            cards.append(
                InlineCard(
                    id=f"e{view.id}",
                    title=f"{view.company} · {view.role} · {view.interview_year}",
                    description=f"{OUTCOME_LABELS.get(view.outcome, view.outcome)} · difficulty "
                    f"{view.difficulty}/5 · by {view.author}",
                    text=experience_text(view),
                )
            )
        return cards

    async def _popular(self, limit: int) -> list[InlineCard]:
        async with self._app.database.sessions() as session:
            rows = await session.execute(
                select(Company.id, func.count(Experience.id).label("n"))
                .join(Experience, Experience.company_id == Company.id)
                .where(Experience.status == PUBLIC)
                .group_by(Company.id)
                .order_by(func.count(Experience.id).desc(), Company.name)
                .limit(limit)
            )
            ids = [company_id for company_id, _n in rows]
        cards = []
        for company_id in ids:
            stats = await self._stats.company(company_id)
            if stats is None:
                continue
            rate = selection_rate(stats.selected, stats.decided)
            shown = f"{rate:.0%}" if rate is not None else "n/a"
            cards.append(
                InlineCard(
                    id=f"c{company_id}",
                    title=f"{stats.name} · {stats.total} experiences",
                    description=f"Selection rate {shown} · {typical_rounds(stats)}",
                    text=card_text(stats),
                )
            )
        return cards
