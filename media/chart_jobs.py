"""Chart jobs for media.pool: one module-level function per chart, cheap to import in the bot.

The bot builds a job as `functools.partial(chart_jobs.topics_bar, company, counts, total)` and hands
it to a WorkerPool (or InlineRunner); the function travels by reference (pickle stores
"media.chart_jobs.topics_bar"), its arguments are plain data. Importing this module does not import
matplotlib: each function imports media.charts when it runs, in the worker, so a bot whose charts
are drawn by processes never loads matplotlib itself. `warm` is the pool initializer that loads it
up front. Every function returns a media.charts.ChartImage (png, filename, caption, empty) and never
raises for bad data (media.charts draws a placeholder instead).
"""

from __future__ import annotations

import logging
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from media.charts import ChartImage

logger = logging.getLogger(__name__)


def warm() -> None:
    """Pool initializer: import matplotlib and media.charts and draw once, before the first job."""
    from media import charts

    charts.warm()


def topics_bar(company: str, counts: Mapping[str, int], total: int) -> ChartImage:
    """media.charts.topics_bar: share of a company's experiences touching each topic."""
    from media import charts

    return charts.topics_bar(company, counts, total)


def per_year(company: str, rows: Sequence[tuple[int, int, int, int]]) -> ChartImage:
    """media.charts.per_year: (year, candidates, selected, decided) rows as bars plus the selection rate."""
    from media import charts

    return charts.per_year(company, rows)


def passout_breakdown(company: str, rows: Sequence[tuple[int, int, int, int]]) -> ChartImage:
    """media.charts.passout_breakdown: (passout year, candidates, selected, decided) rows."""
    from media import charts

    return charts.passout_breakdown(company, rows)


def difficulty_distribution(company: str, counts: Mapping[int, int], what: str = "difficulty") -> ChartImage:
    """media.charts.difficulty_distribution: ratings 1-5 and how many gave each."""
    from media import charts

    return charts.difficulty_distribution(company, counts, what)


def word_cloud(company: str, frequencies: Mapping[str, int]) -> ChartImage:
    """media.charts.word_cloud: words sized by frequency."""
    from media import charts

    return charts.word_cloud(company, frequencies)


def branch_year_heatmap(rows: Sequence[tuple[str, int, float, int]]) -> ChartImage:
    """media.charts.branch_year_heatmap: (branch, passout year, rate 0-1, people) cells."""
    from media import charts

    return charts.branch_year_heatmap(rows)


def top_companies(rows: Sequence[tuple[str, int]]) -> ChartImage:
    """media.charts.top_companies: (company, experiences) rows."""
    from media import charts

    return charts.top_companies(rows)


def trend(rows: Sequence[tuple[int, int]]) -> ChartImage:
    """media.charts.trend: (year, experiences) rows."""
    from media import charts

    return charts.trend(rows)


def sentiment_hist(values: Sequence[float]) -> ChartImage:
    """media.charts.sentiment_hist: VADER compound scores in [-1, 1]."""
    from media import charts

    return charts.sentiment_hist(values)


def hot_topics(counts: Mapping[str, int], period: str = "this season") -> ChartImage:
    """media.charts.hot_topics: topic counts of recent experiences."""
    from media import charts

    return charts.hot_topics(counts, period)


def scatter_difficulty_selection(rows: Sequence[tuple[str, float, float, int]]) -> ChartImage:
    """media.charts.scatter_difficulty_selection: (company, difficulty, rate, experiences) rows."""
    from media import charts

    return charts.scatter_difficulty_selection(rows)
