"""Shareable cards for inline mode (`@bot tcs` in any Telegram chat), built from the public views only."""

from __future__ import annotations

import logging

from core.analytics.stats import OUTCOME_LABELS, selection_rate
from core.features.company.views import card_text, experience_text, typical_rounds
from core.replies import InlineCard, or_dash
from core.repositories.stats import StatsRepository as StatsRepo
from core.services import Services

logger = logging.getLogger(__name__)

POPULAR = 5


class InlineCards:
    """Company and experience cards; anonymous authors show as "Anonymous", roll numbers never appear."""

    def __init__(self, services: Services, stats: StatsRepo) -> None:
        self._services = services
        self._stats = stats

    async def _public_scope(self) -> tuple[int, ...] | None:
        """What inline cards (shared into any chat, by anyone) may show (issue #15): everything on a
        single-college deployment; on several, only the colleges sharing across, always anonymised."""
        colleges = await self._services.repos.colleges.all()
        if len(colleges) <= 1:
            return None
        return tuple(c.id for c in colleges if c.share_across)

    async def cards(self, query: str, limit: int = 20) -> list[InlineCard]:
        """Empty query: the most shared companies, else a company's newest experiences; never raises."""
        try:
            scope = await self._public_scope()
            if scope == ():
                return []
            if not query.strip():
                return await self._popular(min(limit, POPULAR), scope)
            return await self._experiences(query, limit, scope)
        except Exception:
            logger.exception("inline cards failed")
            return []

    async def _experiences(self, query: str, limit: int, scope: tuple[int, ...] | None) -> list[InlineCard]:
        match = await self._services.companies.match(query)
        chosen = match.confident or (match.suggestions[0] if match.suggestions else None)
        if chosen is None:
            return []
        cards = []
        named = None if scope is None else 0  # several colleges: no author is named (no college has id 0)
        for line in await self._stats.list_experiences(chosen.id, limit=limit, offset=0, colleges=scope):
            view = await self._stats.experience(line.id, colleges=scope, named=named)
            if view is None:
                continue
            outcome = OUTCOME_LABELS.get(view.outcome, view.outcome)
            cards.append(
                InlineCard(
                    id=f"e{view.id}",
                    title=f"{view.company} · {view.role} · {view.interview_year}",
                    description=f"{outcome} · difficulty {or_dash(view.difficulty)}/5 · by {view.author}",
                    text=experience_text(view),
                )
            )
        return cards

    async def _popular(self, limit: int, scope: tuple[int, ...] | None) -> list[InlineCard]:
        cards = []
        for company_id in await self._services.repos.companies.most_shared(limit):
            stats = await self._stats.company(company_id, colleges=scope)
            if stats is None or (scope is not None and not stats.total):
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
