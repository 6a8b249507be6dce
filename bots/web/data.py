"""What the web pages show, read through the same core features the chat commands use (never SQL).

`SiteData` wraps the running App's features: the company card's aggregates and charts
(`CompanyFeature.stats_for`, `.charts`: the chart cache and worker pool the bot uses), the experience
list and full experiences (`CompanyFeature.experience_page`, `.public_experience`: public fields, text
masked when it was published), the FAQ groups (`FaqFeature.groups`) and search (`SearchFeature.find`).
So every privacy rule and k-anonymity threshold of the chat applies to the pages unchanged, and the
college scope can later be applied in these services once.
"""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass, field
from typing import Protocol, TypeVar

from bots.web.scope import own, wider
from core.analytics.faq import FaqGroup
from core.config import Config
from core.features.company.charts import COMPANY_VIEWS
from core.features.company.service import CompanyFeature
from core.features.faq.service import FaqFeature
from core.features.search.service import SearchFeature
from core.replies import Image
from core.repositories.colleges import College
from core.repositories.search import SearchPage
from core.repositories.stats import CompanyStats, ExperienceLine, ExperienceView
from core.services import Services

logger = logging.getLogger(__name__)

F = TypeVar("F")
PAGE_SIZE = 10  # experiences per page of a company page
FAQ_SHOWN = 10  # most asked question groups on a company page
SEARCH_RESULTS = 20


class WebSource(Protocol):
    """What the pages need of the running app (core.app.App provides it; tests may pass a stand-in)."""

    config: Config
    services: Services

    def feature(self, kind: type[F]) -> F:
        """The one feature of this type."""
        ...


@dataclass(frozen=True)
class Chart:
    """One chart of a card: its view name (URL part), PNG and the caption that is its alt text."""

    view: str
    image: Image


@dataclass
class CompanyPage:
    """Everything a company page shows."""

    stats: CompanyStats
    charts: list[Chart]
    charts_failed: bool
    lines: list[ExperienceLine]
    total: int
    page: int
    pages: int
    faq: list[FaqGroup] = field(default_factory=list)


@dataclass(frozen=True)
class Found:
    """A company found by name: its id and canonical name (a different name means: redirect there)."""

    company_id: int
    name: str


class SiteData:
    """Read-only queries of the pages, through the core features."""

    def __init__(self, source: WebSource) -> None:
        self._source = source
        self._company = source.feature(CompanyFeature)
        self._faq = source.feature(FaqFeature)
        self._search = source.feature(SearchFeature)

    @property
    def services(self) -> Services:
        """The core services (config, company matcher, repositories)."""
        return self._source.services

    async def find_company(self, name: str) -> tuple[Found | None, list[str]]:
        """The company a URL names (exact name or alias, else a confident match), or None and suggestions."""
        match = await self.services.companies.match(name)
        chosen = match.exact or match.confident
        if chosen is not None:
            return Found(chosen.id, chosen.name), []
        return None, [c.name for c in match.suggestions]

    async def company_page(self, company_id: int, college: College, page: int = 0) -> CompanyPage | None:
        """The card's figures, its charts, one page of experiences and the FAQ of `college`; None if the
        company is not listed."""
        scope = own(college)
        stats = await self._company.stats_for(company_id, scope)
        if stats is None:
            return None
        charts: list[Chart] = []
        failed = False
        if stats.total:
            try:
                timeout = self.services.config.insights.chart_timeout_s
                images = await asyncio.wait_for(self._company.charts(stats), timeout + 5)
                charts = [Chart(view, image) for view, image in zip(COMPANY_VIEWS, images, strict=False)]
            except Exception:  # noqa: BLE001 - the figures are complete without the pictures
                logger.exception("charts of company %s failed for the web page", company_id)
                failed = True
        pages = max(1, -(-stats.total // PAGE_SIZE))
        page = min(max(page, 0), pages - 1)
        lines, total = await self._company.experience_page(
            company_id, limit=PAGE_SIZE, offset=page * PAGE_SIZE, colleges=scope
        )
        groups = await self._faq.groups(company_id, scope) or []
        return CompanyPage(
            stats, charts, failed, lines, total, page, max(1, -(-total // PAGE_SIZE)), groups[:FAQ_SHOWN]
        )

    async def chart(self, company_id: int, view: str, college: College) -> Image | None:
        """One chart PNG of a company's card for `college` (from the chart cache, drawn when missing);
        None if unknown."""
        if view not in COMPANY_VIEWS:
            return None
        stats = await self._company.stats_for(company_id, own(college))
        if stats is None or not stats.total:
            return None
        images = await self._company.charts(stats)
        return dict(zip(COMPANY_VIEWS, images, strict=False)).get(view)

    async def experience(self, experience_id: int, college: College) -> ExperienceView | None:
        """One published experience of `college` or of a college sharing across (public fields, masked
        text; authors of other colleges anonymous), or None."""
        scope = await wider(self.services.repos.colleges, college)
        return await self._company.public_experience(experience_id, colleges=scope, named=college.id)

    async def search(self, query: str, college: College) -> SearchPage:
        """The best SEARCH_RESULTS matches in `college` of what a student would type after /search."""
        return await self._search.find(query, page_size=SEARCH_RESULTS, colleges=own(college))
