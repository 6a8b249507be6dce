"""Prints render times of every chart and the FAQ grouping of 5,000 questions (figures, no assertions)."""

from __future__ import annotations

import random
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from core.analytics.faq import FaqItem, group_questions, signature  # noqa: E402
from media import charts as C  # noqa: E402


def timed(fn, repeat: int = 5) -> tuple[float, float]:  # noqa: ANN001
    """Median and max wall time of `fn` in milliseconds."""
    runs = []
    for _ in range(repeat):
        t = time.perf_counter()
        fn()
        runs.append((time.perf_counter() - t) * 1000)
    return statistics.median(runs), max(runs)


def main() -> None:
    """Render each chart a few times and group 5,000 questions cold and warm."""
    rnd = random.Random(1)
    topics = {f"Topic {i}": rnd.randint(1, 200) for i in range(15)}
    companies = [(f"Company {i}", rnd.randint(1, 300)) for i in range(40)]
    words = {f"word{i}": rnd.randint(1, 100) for i in range(200)}
    cases = {
        "topics_bar": lambda: C.topics_bar("Amazon", topics, 212),
        "per_year": lambda: C.per_year("Amazon", [(2018 + i, 50 + i, 10 + i) for i in range(7)]),
        "passout_breakdown": lambda: C.passout_breakdown("Amazon", [(2020 + i, 40, 12) for i in range(5)]),
        "difficulty_distribution": lambda: C.difficulty_distribution(
            "Amazon", {1: 3, 2: 9, 3: 40, 4: 20, 5: 4}
        ),
        "word_cloud (auto)": lambda: C.word_cloud("Amazon", words),
        "word_cloud (matplotlib)": lambda: C.word_cloud("Amazon", words, engine="matplotlib"),
        "branch_year_heatmap": lambda: C.branch_year_heatmap(
            [
                (b, y, rnd.random(), rnd.randint(1, 30))
                for b in ("CSE", "IT", "ECE", "EEE", "ME")
                for y in range(2020, 2026)
            ]
        ),
        "top_companies": lambda: C.top_companies(companies),
        "trend": lambda: C.trend([(2015 + i, 10 * i + 5) for i in range(10)]),
        "sentiment_hist": lambda: C.sentiment_hist([rnd.uniform(-1, 1) for _ in range(2000)]),
        "hot_topics": lambda: C.hot_topics(topics),
        "scatter_difficulty_selection": lambda: C.scatter_difficulty_selection(
            [(n, rnd.uniform(1, 5), rnd.random(), k) for n, k in companies]
        ),
    }
    engine = "installed" if C.WordCloud is not None else "not installed (matplotlib layout)"
    print(f"wordcloud package: {engine}")
    print(f"{'chart':32} {'median ms':>10} {'max ms':>8}")
    for name, fn in cases.items():
        med, worst = timed(fn)
        print(f"{name:32} {med:10.0f} {worst:8.0f}")
    titles = [f"Question about topic {i} and thing {i % 37}" for i in range(1500)]
    items = [
        FaqItem(i, rnd.choice(["", "Explain ", "Q: "]) + rnd.choice(titles), "Technical", i // 3)
        for i in range(5000)
    ]
    signature.cache_clear()
    cold = timed(lambda: group_questions(items), repeat=1)[0]
    warm, _ = timed(lambda: group_questions(items))
    print(f"group_questions(5,000 items): cold {cold:.0f} ms, warm median {warm:.0f} ms")


if __name__ == "__main__":
    main()
