"""Search floors of issue 11 on the 15 judged queries of tests/data/real-experiences/search.json.

Measured as bench/quality.py reports them (so the test checks exactly what docs/QUALITY.md
records): the 60 posts go through the REAL import path (`main.py import --approve` into a fresh SQLite
database), then each query through the /search feature (parsing, company resolution, ranking).
"""

from __future__ import annotations

from typing import Any


def test_relevant_posts_are_found_in_the_first_ten(figures: dict[str, Any]) -> None:
    assert figures["search.queries"] == 15
    assert figures["search.recall_at_10"] >= 0.80  # issue 11's target (0.668 before this work)


def test_best_posts_are_in_the_first_five(figures: dict[str, Any]) -> None:
    # 0.467 at 0a2ed13, 0.733 at 10cb39b, 0.867 at 846a568 (misses: "dynamic programming", Atlassian 6th;
    # "machine learning statistics questions", ORMAE 8th). Two general rules reach 15 of 15 with no
    # held-out figure lower (docs/QUALITY.md, "Fourth attempt"): degree words ("mainly on DP" counts twice,
    # "a little DP" goes aside) and a project's subject ("ML projects") not tagged as an asked topic.
    assert figures["search.best_missed"] == []
    assert figures["search.best_in_top5"] == 1.0


def test_held_out_queries_from_the_labels_do_not_regress(figures: dict[str, Any]) -> None:
    # Query sets derived from the topic and paraphrase labels (bench/quality.py derived_queries), not
    # written by whoever tuned the ranking. Figures at 10cb39b: topic 0.9795 / 0.9506, paraphrase 0.646;
    # with coordination levels (wt-search2): topic 0.9947 / 0.9506, paraphrase 0.7019 / p@5 0.6718; with
    # degree words: topic unchanged, paraphrase 0.7093 / p@5 0.6778.
    assert figures["search.topic_queries.queries"] == 27
    assert figures["search.topic_queries.recall_at_10"] >= 0.99
    assert figures["search.topic_queries.precision_at_5"] >= 0.95
    assert figures["search.paraphrase_queries.queries"] == 42
    assert figures["search.paraphrase_queries.recall_at_10"] >= 0.70
    assert figures["search.paraphrase_queries.precision_at_5"] >= 0.67


def test_a_misspelt_company_and_a_verbatim_fragment_rank_their_posts_first(figures: dict[str, Any]) -> None:
    missed = set(figures["search.best_missed"])
    assert "qualcom interview" not in missed
    assert "split it into two halves, reverse both halves" not in missed
    assert "LRU cache implementation" not in missed


def test_topic_names_spelling_variants_and_advice_weighting_fix_their_queries(
    figures: dict[str, Any],
) -> None:
    missed = set(figures["search.best_missed"])
    assert "guesstimate" not in missed  # a case-interview round and "guestimate" count
    assert "probability puzzle" not in missed  # prep-only mentions no longer outrank asked ones
