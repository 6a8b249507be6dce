"""One definition of the numbers on the card, the charts, their captions, /insights and the digest.

A company's figures are checked everywhere they appear on a fixed set: pending results never count
as rejections, no rate is shown from fewer than 3 known results, empty years are gaps in the line,
no drill-down cell describes fewer than 3 people.
"""

from __future__ import annotations

import math
from datetime import UTC, datetime

import matplotlib.axes
import pytest

from core.analytics.stats import MIN_GROUP, OTHER_SMALL, k_anonymous, rate_phrase, shown_rate
from core.features.company.service import company_jobs, year_rows
from core.features.company.views import breakdown_text, card_text, merge_tallies
from core.features.digest.content import summary_lines
from core.features.insights.service import heat_cells, insight_jobs, summary_text
from core.repositories.stats import GlobalStats, Tally
from media import charts as C
from storage.digest import DigestRepo
from storage.models import Company, Experience
from storage.stats import StatsRepo

WEEK = (datetime(2026, 11, 16, tzinfo=UTC), datetime(2026, 11, 23, tzinfo=UTC))


async def _company(sessions, name: str, outcomes: list[tuple[int, str]]) -> int:
    """A company whose approved experiences have these (interview year, outcome), published in WEEK."""
    async with sessions.begin() as session:
        company = Company(name=name, slug=name.lower())
        session.add(company)
        await session.flush()
        for n, (year, outcome) in enumerate(outcomes):
            session.add(
                Experience(
                    company_id=company.id,
                    author_name=f"Student {n}",
                    roll_number=None,
                    branch="CSE",
                    passout_year=year + 1,
                    interview_year=year,
                    role="SDE",
                    source="on_campus",
                    outcome=outcome,
                    difficulty=3,
                    rating=4,
                    preparation="Revised data structures and operating systems for six weeks.",
                    reflections="Be honest about what you do not know; they value clear thinking.",
                    status="approved",
                    anonymous=True,
                    created_at=datetime(2026, 11, 18, tzinfo=UTC),
                    approved_at=datetime(2026, 11, 18, tzinfo=UTC),
                )
            )
        return company.id


def _plotted(monkeypatch: pytest.MonkeyPatch) -> list[list[float]]:
    """Record the y values of every line matplotlib is asked to draw."""
    seen: list[list[float]] = []
    original = matplotlib.axes.Axes.plot

    def spy(self, *args, **kwargs):  # noqa: ANN001, ANN002, ANN003, ANN202
        seen.append([float(v) for v in args[1]])
        return original(self, *args, **kwargs)

    monkeypatch.setattr(matplotlib.axes.Axes, "plot", spy)
    return seen


async def test_card_and_chart_agree_on_a_company_with_a_pending_result(database, monkeypatch):
    """Found: the card said 100% (1 of 1) while the chart counted the pending result as not selected
    (50%, and 0% plotted). Now both count 1 known result, and 1 < 3 shows no rate anywhere."""
    company_id = await _company(database.sessions, "Pendra", [(2024, "selected"), (2024, "pending")])
    stats = await StatsRepo(database.sessions).company(company_id)
    assert (stats.total, stats.selected, stats.decided) == (2, 1, 1)
    card = card_text(stats)
    assert "Selection rate: too few known results to show a rate (1 so far, 3 needed)" in card
    assert "%" not in card.split("Selection rate:")[1].split("\n")[0]
    [years] = [job for job in company_jobs(stats, []) if job.view == "years"]
    assert years.draw.args[1] == [(2024, 2, 1, 1)]  # candidates 2, selected 1, decided 1: the card's counts
    seen = _plotted(monkeypatch)
    chart = C.per_year(*years.draw.args)
    assert (
        chart.caption
        == "Pendra: 2 candidates, 1 selected (too few known results for a rate). Fewer than 3 people in 2024 "
        "(hatched)."
    )
    assert len(seen) == 1 and math.isnan(seen[0][0])  # no 0% and no 50% plotted


async def test_pending_is_never_a_rejection_on_card_chart_caption_insights_and_digest(database, monkeypatch):
    outcomes = [(2024, "selected")] * 3 + [(2024, "pending")] * 2 + [(2024, "withdrew")]
    company_id = await _company(database.sessions, "Pendra", outcomes)
    stats = await StatsRepo(database.sessions).company(company_id)
    assert (stats.total, stats.selected, stats.decided) == (6, 3, 3)
    assert "Selection rate: 100% (3 of 3 with a known result)" in card_text(stats)
    seen = _plotted(monkeypatch)
    chart = C.per_year(*[job for job in company_jobs(stats, []) if job.view == "years"][0].draw.args)
    assert seen == [[1.0]]
    assert chart.caption == "Pendra: 6 candidates, 3 selected (100% of 3 with a known result), all in 2024."
    passout = C.passout_breakdown(stats.name, year_rows(stats.by_passout_year))
    assert "(100% of 3 with a known result)" in passout.caption
    overall = await StatsRepo(database.sessions).overall()
    assert "Overall selection rate: 100% (3 of 3 with a known result)" in summary_text(overall)
    week = await DigestRepo(database.sessions).week(*WEEK)
    assert (week.total, week.selected, week.decided) == (6, 3, 3)
    lines = summary_lines(week, "16 Nov – 22 Nov 2026")
    assert "✅ Selection rate among them: 100% (3 of 3 with a known result)" in lines


def test_a_year_without_data_is_a_gap_not_a_line(monkeypatch):
    seen = _plotted(monkeypatch)
    rows = [(2021, 4, 2, 4), (2023, 5, 1, 5), (2024, 3, 3, 3)]
    series = C.year_series(rows)
    assert series is not None and series.years == (2021, 2022, 2023, 2024)
    assert series.candidates == (4, 0, 5, 3)
    chart = C.per_year("Gapco", rows)
    [line] = seen
    assert line[0] == 0.5 and math.isnan(line[1]) and line[2] == 0.2 and line[3] == 1.0
    assert chart.caption.endswith("most in 2023 (5), best selection rate in 2024 (100%).")


def test_a_best_year_from_fewer_than_three_people_is_not_shown(monkeypatch):
    seen = _plotted(monkeypatch)
    chart = C.per_year("Solo", [(2022, 10, 3, 10), (2023, 1, 1, 1)])
    assert math.isnan(seen[0][1])  # 100% from one candidate is not plotted
    assert "best selection rate" not in chart.caption  # one year left with a rate: no "best" to name
    assert (
        chart.caption
        == "Solo: 11 candidates, 4 selected (36% of 11 with a known result); most in 2022 (10). "
        "Fewer than 3 people in 2023 (hatched)."
    )
    assert C.year_series([(2022, 10, 3, 10), (2023, 1, 1, 1)]).few == (False, True)


def test_no_drill_down_cell_describes_fewer_than_three_people():
    tallies = [
        Tally("CSE", 5, 2, 4, 3.0),
        Tally("ECE", 2, 1, 2, 4.0),  # a cell of 2: never shown on its own
        Tally("IT", 1, 1, 1, 2.0),
    ]
    text = breakdown_text("Acme", "branch", tallies)
    assert "ECE" not in text and "IT" not in text
    assert "• CSE: 5 experiences, selected 50% (2 of 4 with a known result), difficulty 3.0/5" in text
    assert f"• {OTHER_SMALL}: 3 experiences, selected 67% (2 of 3 with a known result)" in text
    # A leftover still under 3 is left out and said so, not shown.
    text = breakdown_text("Acme", "role", [Tally("SDE", 4, 1, 3, 3.0), Tally("Analyst", 2, 2, 2, 2.0)])
    assert "Analyst" not in text and "other" not in text and "fewer than 3 experiences are not shown" in text
    shown, left_out = k_anonymous([5, 2, 1], lambda n: n, lambda ns: sum(ns))
    assert (shown, left_out) == ([5, 3], 0)
    assert merge_tallies([Tally("a", 2, 1, 2, 4.0), Tally("b", 1, 0, 1, 1.0)]).avg_difficulty == 3.0


def test_branch_by_year_heatmap_never_gets_a_cell_of_two():
    data = GlobalStats(
        total=12,
        branch_passout=[("CSE", 2024, 3, 4), ("ECE", 2024, 2, 2), ("IT", 2025, 0, 1), ("CSE", 2025, 1, 3)],
    )
    assert heat_cells(data) == [("CSE", 2024, 0.75, 4), ("CSE", 2025, 1 / 3, 3)]
    [heat] = [job for job in insight_jobs(data) if job.view == "heatmap"]
    assert all(decided >= MIN_GROUP for *_, decided in heat.draw.args[0])


def test_shared_rate_rules():
    assert rate_phrase(0, 0) == "n/a (no results reported yet)"
    assert rate_phrase(2, 2) == "too few known results to show a rate (2 so far, 3 needed)"
    assert rate_phrase(2, 3) == "67% (2 of 3 with a known result)"
    assert shown_rate(1, 2) is None and shown_rate(3, 4) == 0.75
