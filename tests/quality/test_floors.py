"""Floors of issue 11 ("Right on real text") on the 60 labelled real posts in tests/data/real-experiences.

The figures come from bench/quality.py, so what is tested is exactly what is reported in docs/QUALITY.md.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

import pytest

from tests.quality.conftest import DATA, quality_bench


def test_the_labelled_set_is_copied_with_its_licence() -> None:
    assert (DATA / "LICENSE").read_text().startswith("MIT")
    assert sum(1 for line in (DATA / "posts.jsonl").read_text().splitlines() if line) == 60


def test_asked_topics_precision_and_recall(figures: dict[str, Any]) -> None:
    assert figures["topics.precision"] >= 0.90
    assert figures["topics.recall"] >= 0.80


def test_prep_only_topics_are_rarely_tagged(figures: dict[str, Any]) -> None:
    assert figures["topics.prep_only_rate"] <= 0.05


def test_other_companies_topics_mostly_not_tagged(figures: dict[str, Any]) -> None:
    # Measured 0.20 (5 of 25 pairs); was 0.92 before issue 11.
    assert figures["topics.other_company_rate"] <= 0.25


def test_faq_pairs_and_hard_negatives(figures: dict[str, Any]) -> None:
    assert figures["faq.pair_precision"] >= 0.95
    assert figures["faq.pair_recall"] >= 0.70
    assert figures["faq.hard_negatives_merged"] == 0


def test_sentiment_agrees_with_our_labels(figures: dict[str, Any]) -> None:
    assert figures["sentiment.labelled"] == 59
    assert figures["sentiment.agreement"] >= 0.70  # 0.63 before issue 11
    assert figures["sentiment.negative_false"] <= 0.06  # 0.07 before


def test_every_labelled_topic_name_is_in_the_taxonomy() -> None:
    from core.analytics.topics import ALL_TOPICS

    bench = quality_bench()
    posts = bench.load(DATA).posts
    names = {t["topic"] for p in posts for t in p["topics"]}
    names |= {t for p in posts for t in p["prep_only_topics"]}
    names |= {t["topic"] for p in posts for t in p["other_company_topics"]}
    assert names <= set(ALL_TOPICS)


def test_no_author_name_reaches_keywords() -> None:
    from core.analytics.text import analyse_experience

    bench = quality_bench()
    for post in bench.load(DATA).posts:
        kws = " ".join(analyse_experience(bench.experience_text_from_post(post)).keywords).lower().split()
        for fake in post["pii"]:
            assert not set(fake["value"].lower().split()) & set(kws), (post["id"], fake["value"])


def test_bench_prints_json_with_the_keys(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    # Any folder in the set's format (--data): here the first 8 posts and 2 judged queries, which keeps the
    # command's own import run short (the floors above read the whole set once, from the shared fixture).
    posts = [line for line in (DATA / "posts.jsonl").read_text("utf-8").splitlines() if line][:8]
    (tmp_path / "posts.jsonl").write_text("\n".join(posts) + "\n", "utf-8")
    for name in ("paraphrases.json", "sentiment_labels.json"):
        shutil.copy(DATA / name, tmp_path / name)
    queries = json.loads((DATA / "search.json").read_text("utf-8"))[:2]
    (tmp_path / "search.json").write_text(json.dumps(queries), "utf-8")

    assert quality_bench().main(["--json", "--data", str(tmp_path)]) == 0
    out = json.loads(capsys.readouterr().out)
    for key in (
        "topics.precision",
        "topics.recall",
        "topics.prep_only_rate",
        "faq.pair_precision",
        "faq.pair_recall",
        "faq.hard_negatives_merged",
        "sentiment.agreement",
        "search.best_in_top5",
        "search.recall_at_10",
        "degree.amplified_asked",
        "pii.masked_fraction",
    ):
        assert 0 <= out[key] <= 1 or key == "faq.hard_negatives_merged"
    assert out["search.queries"] == 2
    assert out["sentiment.labelled"] <= 8
