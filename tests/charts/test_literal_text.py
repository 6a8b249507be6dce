"""Charts draw exactly what users wrote: `$`, `%`, `_`, `^`, emoji and right-to-left names included.

Before the fix a company called "Ba$$ Capital" blanked all its charts ("This chart could not be
drawn." and an ERROR traceback) because matplotlib read `$...$` as mathtext, and "$x$" was drawn as
an italic x.
"""

from __future__ import annotations

import io
import logging
from collections.abc import Callable

import matplotlib.image as mpimg
import pytest
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.text import Text

from media import charts as C
from media import progress_chart, scorecard_chart, scoring

NAMES = [
    "Ba$$ Capital",
    "$x$",
    "50% off",
    "a_b^c",
    "Rocket 🚀 Labs",
    "شركة النور",  # Arabic, right to left
    "חברת אור",  # Hebrew, right to left
    r"C:\temp $5 \$6",
]


def company_charts(name: str) -> list[Callable[[], C.ChartImage]]:
    """Every chart that draws a user-written name (company, topic, word, branch), with `name` in it."""
    return [
        lambda: C.topics_bar(name, {name: 5, "DSA": 3}, 8),
        lambda: C.per_year(name, [(2023, 10, 4, 8), (2024, 12, 6, 10)]),
        lambda: C.passout_breakdown(name, [(2024, 10, 4, 9), (2025, 8, 2, 6)]),
        lambda: C.difficulty_distribution(name, {2: 3, 4: 5}),
        lambda: C.word_cloud(name, {name: 9, "arrays": 5, "graphs": 3}, engine="matplotlib"),
        lambda: C.word_cloud(name, {name: 9, "arrays": 5, "graphs": 3}, engine="wordcloud"),
        lambda: C.top_companies([(name, 40), ("Amazon", 30), ("TCS", 10)]),
        lambda: C.hot_topics({name: 7, "DSA": 4}, period=name),
        lambda: C.branch_year_heatmap([(name, 2024, 0.5, 10), ("CSE", 2024, 0.7, 20)]),
        lambda: C.scatter_difficulty_selection([(name, 3.5, 0.4, 30), ("TCS", 2.0, 0.8, 50)]),
    ]


def drawn_texts(monkeypatch: pytest.MonkeyPatch) -> list[tuple[str, bool]]:
    """(string, parse_math) of every visible Text artist of each figure, captured just before saving."""
    seen: list[tuple[str, bool]] = []
    real = C._png

    def spy(fig: Figure) -> bytes:
        seen.extend((t.get_text(), t.get_parse_math()) for t in fig.findobj(Text) if t.get_visible())
        return real(fig)

    monkeypatch.setattr(C, "_png", spy)
    return seen


@pytest.mark.parametrize("name", NAMES)
def test_every_chart_draws_the_name(name: str, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.ERROR)
    for draw in company_charts(name):
        chart = draw()
        assert not chart.empty, chart.caption
        assert chart.caption != "This chart could not be drawn."
        img = mpimg.imread(io.BytesIO(chart.png), format="png")
        assert img.shape[1] == 1200 and float(img[..., :3].std()) > 0.05
    assert [r.getMessage() for r in caplog.records if r.levelno >= logging.ERROR] == []


@pytest.mark.parametrize("name", ["Ba$$ Capital", "$x$", "a_b^c", r"C:\temp $5 \$6"])
def test_the_drawn_string_is_the_input_and_not_read_as_math(
    name: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    seen = drawn_texts(monkeypatch)
    C.top_companies([(name, 40), ("Amazon", 30)])  # the name is a tick label, created by set_yticks
    C.topics_bar(name, {"DSA": 3}, 8)  # the name is in the title
    C.word_cloud("Acme", {name: 9, "arrays": 5}, engine="matplotlib")  # the name is a cloud word
    strings = [s for s, _ in seen]
    assert strings.count(name) == 2  # tick label and cloud word, exactly as written
    assert f"{name}: topics asked" in strings
    assert all(parse_math is False for _, parse_math in seen)


def test_math_would_have_changed_the_picture() -> None:
    """The check above is meaningful: with mathtext on, "$x$" is drawn narrower than the literal text."""
    fig = Figure()
    renderer = FigureCanvasAgg(fig).get_renderer()
    literal = fig.text(0, 0, "$x$", parse_math=False).get_window_extent(renderer).width
    math = fig.text(0, 0, "$x$", parse_math=True).get_window_extent(renderer).width
    assert math < literal * 0.7


def test_scorecard_and_progress_charts_draw_labels_literally(caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.ERROR)
    labels = {f"k{i}": name for i, name in enumerate(NAMES)}
    card = {"overall": 50, "scores": {k: 40 + i for i, k in enumerate(labels)}, "labels": labels}
    metrics = {"duration_s": 4.0, "sample_fps": 5.0, "samples": [], "speech_seconds": None}
    png = scorecard_chart.render(card, metrics)
    assert png.startswith(b"\x89PNG")
    attempts = [{k: 50.0 for k in labels}, {k: 60.0 for k in labels}]
    png = progress_chart.render(labels, attempts, [50.0, 60.0])
    assert png.startswith(b"\x89PNG")
    assert png != progress_chart.render(dict(scoring.LABELS), attempts, [50.0, 60.0])
    assert [r.getMessage() for r in caplog.records if r.levelno >= logging.ERROR] == []
