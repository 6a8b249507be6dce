"""Every chart is a decodable, phone-sized, non-blank PNG whose caption states the main finding."""

from __future__ import annotations

import io
import threading

import matplotlib.image as mpimg
import numpy as np
import pytest

from media import charts as C

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
COMPANIES = [
    "Amazon", "Google", "Microsoft", "TCS", "Infosys", "Wipro", "Accenture", "Goldman Sachs", "Flipkart",
    "Uber", "Adobe", "Oracle", "Cognizant", "Capgemini", "Deloitte", "Tata Consultancy Services Limited",
]  # fmt: skip
TOPICS = {
    "DSA": 136, "System design": 85, "DBMS": 66, "OS": 50, "Networks": 40, "OOP": 38, "HR": 30,
    "Projects": 70, "Puzzles": 12, "Arrays & strings": 90, "Trees & graphs": 60, "Dynamic programming": 55,
    "SQL": 20, "Java": 8,
}  # fmt: skip


def pixels(chart: C.ChartImage) -> np.ndarray:
    """Decode the PNG (and check it is one)."""
    assert chart.png.startswith(PNG_SIGNATURE)
    return mpimg.imread(io.BytesIO(chart.png), format="png")


def assert_readable(chart: C.ChartImage) -> None:
    """Decodable, 1200 px wide and 900-1200 px tall, and not blank."""
    img = pixels(chart)
    h, w = img.shape[:2]
    assert w == 1200 and 900 <= h <= 1200, (w, h)
    assert float(img[..., :3].std()) > 0.05  # white background plus real ink
    assert chart.filename.endswith(".png") and "/" not in chart.filename
    assert chart.caption.endswith(".")


def ticks_drawn(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """Record how many category labels each horizontal bar chart draws."""
    seen: list[int] = []
    real = C._hbars

    def spy(ax, pairs, texts, colors):  # noqa: ANN001, ANN202
        seen.append(len(pairs))
        return real(ax, pairs, texts, colors)

    monkeypatch.setattr(C, "_hbars", spy)
    return seen


def test_topics_bar_caption_names_top_topic_and_share(monkeypatch: pytest.MonkeyPatch) -> None:
    seen = ticks_drawn(monkeypatch)
    chart = C.topics_bar("Amazon", TOPICS, 212)
    assert_readable(chart)
    assert chart.caption.startswith("DSA comes up most: in 64% of 212 Amazon experiences.")
    assert "System design (40%)" in chart.caption
    assert seen == [12] and chart.filename == "amazon-topics.png" and not chart.empty


def test_per_year_caption_and_png() -> None:
    rows = [(2021, 35, 10, 30), (2019, 12, 3, 12), (2022, 50, 20, 40), (2020, 2, 2, 2), (2023, 60, 18, 60)]
    chart = C.per_year("Amazon", rows)
    assert_readable(chart)
    # 53 selected of 144 decided; 2020's 100% from 2 people is not a "best year"; 2022: 20 of 40.
    assert chart.caption == (
        "Amazon: 159 candidates, 53 selected (37% of 144 with a known result); most in 2023 (60), "
        "best selection rate in 2022 (50%). Fewer than 3 people in 2020 (hatched)."
    )


def test_one_year_of_data_still_draws() -> None:
    chart = C.per_year("Zoho", [(2024, 4, 1, 4)])
    assert_readable(chart)
    assert not chart.empty and chart.caption == (
        "Zoho: 4 candidates, 1 selected (25% of 4 with a known result), all in 2024."
    )


def test_passout_breakdown() -> None:
    chart = C.passout_breakdown("TCS", [(2023, 100, 70, 100), (2022, 80, 60, 80), (2024, 20, 10, 20)])
    assert_readable(chart)
    assert "most in 2023 (100)" in chart.caption and "2022 (75%)" in chart.caption


def test_difficulty_distribution_and_ratings() -> None:
    chart = C.difficulty_distribution("Amazon", {1: 3, 2: 20, 3: 80, 4: 60, 5: 12, 9: 50})
    assert_readable(chart)
    assert chart.caption == "Most Amazon candidates rated the difficulty 3 of 5 (46% of 175); average 3.3."
    rating = C.difficulty_distribution("Amazon", {5: 10, 4: 2}, what="rating")
    assert_readable(rating)
    assert rating.filename == "amazon-rating.png"
    assert rating.caption == "Most Amazon candidates rated the rating 5 of 5 (83% of 12); average 4.8."


@pytest.mark.parametrize("engine", ["auto", "matplotlib"])
def test_word_cloud(engine: str) -> None:
    words = {"array": 90, "tree": 70, "linked list": 60, "dynamic programming": 55, "graph": 40, "dbms": 30}
    words |= {f"word{i}": 3 for i in range(60)}
    chart = C.word_cloud("Amazon", words, engine=engine)
    assert_readable(chart)
    assert chart.caption == (
        "Most frequent words in Amazon questions: array, tree, linked list, dynamic programming and graph."
    )


def test_branch_year_heatmap_prefers_cells_with_enough_people() -> None:
    rows = [("CSE", 2023, 0.60, 40), ("CSE", 2024, 0.70, 30), ("IT", 2024, 1.0, 1), ("ECE", 2023, 0.20, 25)]
    chart = C.branch_year_heatmap(rows)
    assert_readable(chart)
    assert (
        chart.caption
        == "Highest selection rate: CSE batch of 2024 (70% of 30). Lowest: ECE 2023 (20% of 25)."
    )


def test_top_companies_caps_categories_with_other(monkeypatch: pytest.MonkeyPatch) -> None:
    seen = ticks_drawn(monkeypatch)
    rows = [(c, 300 - 10 * i) for i, c in enumerate(COMPANIES)]
    chart = C.top_companies(rows)
    assert_readable(chart)
    assert seen == [13]  # 12 companies plus "Other"
    assert chart.caption.startswith("Amazon has the most experiences: 300 of 3,600 (8%). Next: Google (290).")


def test_trend_caption_says_direction() -> None:
    chart = C.trend([(2019, 40), (2018, 20), (2020, 35), (2024, 190), (2023, 210)])
    assert_readable(chart)
    assert chart.caption == "Experiences shared grew from 20 in 2018 to 190 in 2024; peak 210 in 2023."


def test_sentiment_hist_caption_shares() -> None:
    chart = C.sentiment_hist([0.9, 0.8, 0.5, 0.0, -0.7, 0.6, float("nan")])
    assert_readable(chart)
    assert chart.caption == "Most experiences read positive: 67% positive, 17% neutral, 17% negative (of 6)."


def test_hot_topics(monkeypatch: pytest.MonkeyPatch) -> None:
    seen = ticks_drawn(monkeypatch)
    chart = C.hot_topics(TOPICS, period="in 2025")
    assert_readable(chart)
    assert chart.caption == "Hot topics in 2025: DSA (136), Arrays & strings (90) and System design (85)."
    assert seen == [13]


def test_scatter_labels_biggest_without_overlap() -> None:
    rows = [(c, 1.5 + (i % 7) * 0.45, 0.1 + (i % 5) * 0.17, 300 - 15 * i) for i, c in enumerate(COMPANIES)]
    rows.append(("Hard Corp", 4.8, 0.05, 40))
    chart = C.scatter_difficulty_selection(rows)
    assert_readable(chart)
    assert chart.caption.startswith("Hardest: Hard Corp (4.8/5, 5% selected); easiest: Amazon (1.5/5")


def test_scatter_places_no_overlapping_labels() -> None:
    from matplotlib.text import Annotation

    fig, ax = C._figure()
    ax.set_xlim(0.8, 5.2)
    ax.set_ylim(-0.05, 1.1)
    pts = [(f"Company {i}", 3.0, 0.5, 100) for i in range(10)]  # one spot: 8 places at most, some dropped
    C._place_labels(fig, ax, pts, pts, [200.0] * 10)
    renderer = fig.canvas.get_renderer()
    boxes = [t.get_window_extent(renderer) for t in ax.texts if isinstance(t, Annotation)]
    assert 1 <= len(boxes) <= 8
    assert not any(a.overlaps(b) for i, a in enumerate(boxes) for b in boxes[i + 1 :])


EMPTY_CALLS = [
    lambda: C.topics_bar("Amazon", {}, 0),
    lambda: C.topics_bar("Amazon", {"DSA": 0}, 10),
    lambda: C.per_year("Amazon", []),
    lambda: C.passout_breakdown("Amazon", [(2024, 0, 0, 0)]),
    lambda: C.difficulty_distribution("Amazon", {}),
    lambda: C.word_cloud("Amazon", {}),
    lambda: C.branch_year_heatmap([]),
    lambda: C.top_companies([]),
    lambda: C.trend([(2024, 12)]),
    lambda: C.sentiment_hist([]),
    lambda: C.hot_topics({}),
    lambda: C.scatter_difficulty_selection([("Amazon", 3.0, 0.4, 10)]),
]


@pytest.mark.parametrize("call", EMPTY_CALLS)
def test_empty_data_renders_not_enough_data_card(call) -> None:  # noqa: ANN001
    chart = call()
    assert_readable(chart)
    assert chart.empty and chart.caption.startswith("Not enough data yet")


def test_one_year_trend_caption_mentions_that_year() -> None:
    assert C.trend([(2024, 12)]).caption.endswith("Only 2024 so far (12 experiences).")


def test_broken_data_gives_a_placeholder_not_an_exception() -> None:
    chart = C.per_year("Amazon", [("not a year", 3, 1, 3)])  # type: ignore[list-item]
    assert chart.empty and chart.caption == "This chart could not be drawn."


def test_charts_render_from_worker_threads() -> None:
    results: list[C.ChartImage] = []
    threads = [
        threading.Thread(target=lambda: results.append(C.topics_bar("Amazon", TOPICS, 212))) for _ in range(3)
    ]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert len(results) == 3 and len({r.png for r in results}) == 1  # identical, deterministic output
