"""/insights: the whole picture across companies, as a short summary and six charts with captions."""

from __future__ import annotations

import logging
from functools import partial

from core.analytics.stats import MIN_GROUP, rate_phrase, shown_rate
from core.colleges import Scope, needs_college, own_scope
from core.events import IncomingEvent
from core.features.base import CommandSink, FeatureBase
from core.features.company.charts import ChartJob, ChartService
from core.ports import CommandInfo
from core.replies import Reply
from core.repositories.stats import GlobalStats, StatsRepository
from core.services import Services
from media import chart_jobs

logger = logging.getLogger(__name__)

INSIGHT_VIEWS = ("top", "heatmap", "trend", "sentiment", "hot", "scatter")
MIN_DECIDED = max(5, MIN_GROUP)  # companies with fewer known results are left out of the scatter (noisy)
MAX_SENTIMENT_VALUES = 200_000


class InsightsFeature(FeatureBase):
    """Overall insights, cached (text and charts) until any company's data_version changes."""

    name = "insights"

    def __init__(self, services: Services, stats: StatsRepository, charts: ChartService) -> None:
        self._services = services
        self._stats = stats
        self._charts = charts
        self._cached: dict[Scope, tuple[tuple[int, int], GlobalStats]] = {}

    def register(self, commands: CommandSink) -> None:
        """Add /insights."""

        commands.add(
            CommandInfo("insights", "Trends across all companies: selection rates, topics, difficulty"),
            self.insights,
        )

    async def data(self, colleges: Scope = None) -> tuple[int, GlobalStats]:
        """(version, global stats of `colleges`; None: every college), recomputed only when any company's
        data changed (one cached entry per college view; a deployment has a handful of colleges)."""
        version = await self._stats.global_version()
        cached = self._cached.get(colleges)
        if cached is None or cached[0] != version:
            cached = self._cached[colleges] = (version, await self._stats.overall(colleges=colleges))
        return hash(version) & 0x7FFFFFFF, cached[1]

    async def insights(self, event: IncomingEvent) -> list[Reply]:
        """The summary text and the six charts, of the student's own college (issue #15)."""
        if (unplaced := needs_college(event.actor)) is not None:
            return unplaced
        colleges = own_scope(event.actor)
        version, data = await self.data(colleges)
        if not data.total:
            return [Reply(text="No published experiences yet. Be the first: /share")]
        scope = "insights" if colleges is None else "insights@" + "-".join(map(str, colleges))
        images = self._charts.all_cached(scope, 0, version, INSIGHT_VIEWS)
        if images is None:
            images = await self._charts.images(scope, 0, version, insight_jobs(data))
        return [
            Reply(text=summary_text(data)),
            Reply(text="📊 The big picture in charts:", images=tuple(images), slow=True),
        ]


def summary_text(data: GlobalStats) -> str:
    """A few lines a student can read without opening the charts."""
    selected = sum(c[3] for c in data.companies)
    decided = sum(c[4] for c in data.companies)
    lines = [
        f"**Insights from {data.total} experiences at {len(data.companies)} companies**",
        f"✅ Overall selection rate: {rate_phrase(selected, decided)}",
    ]
    if data.companies:
        top = ", ".join(f"{name} ({n})" for _, name, n, *_ in data.companies[:5])
        lines.append(f"🏢 Most shared: {top}")
    if data.years:
        busiest = max(data.years, key=lambda t: (t.total, t.key))
        lines.append(f"📅 Busiest interview year: {busiest.key} ({busiest.total} experiences)")
    if data.season_topics:
        hot = ", ".join(t for t, _ in data.season_topics[:5])
        lines.append(f"🔥 Hot topics in {data.season}: {hot}")
    lines.append("Open any company with /company <name>; search questions with /search <words>.")
    return "\n".join(lines)


def heat_cells(data: GlobalStats) -> list[tuple[str, int, float, int]]:
    """(branch, passout year, rate, decided) cells of the heatmap: only cells with MIN_GROUP or more known
    results, so no cell describes one or two (possibly anonymous) people; the rest stay blank."""
    cells = []
    for branch, year, selected, decided in data.branch_passout:
        rate = shown_rate(selected, decided)
        if rate is not None:
            cells.append((branch, year, rate, decided))
    return cells


def insight_jobs(data: GlobalStats) -> list[ChartJob]:
    """The six overall charts as jobs for the chart service."""
    heat = heat_cells(data)
    values: list[float] = []
    total = sum(n for _, n in data.sentiment_values)
    scale = min(1.0, MAX_SENTIMENT_VALUES / total) if total else 1.0
    for value, n in data.sentiment_values:
        values.extend([value] * max(1, round(n * scale)))
    scatter = [(name, avg, s / d, n) for _, name, n, s, d, avg in data.companies if d >= MIN_DECIDED]
    hot_period = f"in {data.season}" if data.season is not None else "this season"
    return [
        ChartJob("top", partial(chart_jobs.top_companies, [(name, n) for _, name, n, *_ in data.companies])),
        ChartJob("heatmap", partial(chart_jobs.branch_year_heatmap, heat)),
        ChartJob("trend", partial(chart_jobs.trend, [(t.key, t.total) for t in data.years])),
        ChartJob("sentiment", partial(chart_jobs.sentiment_hist, values)),
        ChartJob("hot", partial(chart_jobs.hot_topics, dict(data.season_topics), hot_period)),
        ChartJob("scatter", partial(chart_jobs.scatter_difficulty_selection, scatter)),
    ]
