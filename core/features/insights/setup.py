"""Wire the insight features (company cards, search, /insights, FAQ) and the approval analytics hook."""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from core.analytics.pipeline import analyse_and_store
from core.events import IncomingEvent
from core.features.company.charts import ChartService
from core.features.company.service import CompanyFeature
from core.features.faq.service import FaqFeature
from core.features.help.service import fallback_text
from core.features.insights.service import InsightsFeature
from core.features.search.service import SearchFeature
from core.replies import Reply
from core.router import Router
from core.services import Services
from storage.faq_repo import FaqRepo
from storage.search import SearchRepo
from storage.stats import StatsRepo

logger = logging.getLogger(__name__)


@dataclass
class InsightFeatures:
    """The features a student uses to learn about companies, wired on one set of repositories."""

    company: CompanyFeature
    search: SearchFeature
    insights: InsightsFeature
    faq: FaqFeature
    charts: ChartService

    def register(self, router: Router) -> None:
        """Add /company, /experience, /search, /insights and /faq."""
        self.company.register(router)
        self.search.register(router)
        self.insights.register(router)
        self.faq.register(router)

    async def text(self, event: IncomingEvent) -> list[Reply]:
        """The router's fallback: plain text outside a dialog looks up a company; files get the old note."""
        return await self.company.text(event)

    def close(self) -> None:
        """Release the chart service (the process pool itself is shared and ends with the program)."""
        self.charts.close()


def build_insight_features(
    services: Services,
    sessions: async_sessionmaker[AsyncSession],
    fallback: Callable[[IncomingEvent], Awaitable[list[Reply]]] = fallback_text,
    workers: int | None = None,
) -> InsightFeatures:
    """Build the features; on every approval analyse the experience, then redraw its company's card.

    Charts are drawn by `insights.chart_workers` processes from config.yaml (`workers` overrides it;
    0 = threads); the pool starts now so matplotlib is imported before the first request.
    """
    settings = services.config.insights
    stats = StatsRepo(sessions)
    charts = ChartService(
        settings.chart_workers if workers is None else workers, timeout_s=settings.chart_timeout_s
    )
    charts.start()
    features = InsightFeatures(
        company=CompanyFeature(services, stats, charts, fallback),
        search=SearchFeature(services, SearchRepo(sessions)),
        insights=InsightsFeature(services, stats, charts),
        faq=FaqFeature(services, FaqRepo(sessions), stats),
        charts=charts,
    )

    async def on_approved(experience_id: int) -> None:
        company_id = await analyse_and_store(sessions, experience_id)
        if company_id is not None and services.config.insights.refresh_on_approval:
            features.company.refresh_later(company_id)

    services.approved_hooks.append(on_approved)
    return features
