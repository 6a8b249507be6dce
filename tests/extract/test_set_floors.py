"""Extraction figures on the 60 labelled real posts (tests/data/real-experiences, MIT, see its LICENSE).

Floors: every figure is held at the issue's target (questions: precision 0.85, recall 0.80; measured
0.851 and 0.862, see docs/QUALITY.md).
"""

from __future__ import annotations

from pathlib import Path

import pytest

from bench.quality_extract import extract_metrics, load_posts, matched_labels, question_match

DATA = Path(__file__).resolve().parent.parent / "data" / "real-experiences"


@pytest.fixture(scope="module")
def figures() -> dict[str, float]:
    posts = load_posts(DATA)
    assert len(posts) == 60
    return extract_metrics(posts)


def test_required_keys_are_reported(figures):
    for key in (
        "extract.company_accuracy",
        "extract.outcome_accuracy",
        "extract.year_accuracy",
        "extract.question_precision",
        "extract.question_recall",
        "extract.round_kind_accuracy",
    ):
        assert 0.0 <= figures[key] <= 1.0


def test_company_is_found_with_and_without_the_known_list(figures):
    assert figures["extract.company_accuracy"] >= 0.95
    assert figures["extract.company_accuracy_unknown"] >= 0.95


def test_outcome_and_year(figures):
    assert figures["extract.outcome_accuracy"] >= 0.95
    assert figures["extract.year_accuracy"] >= 0.90  # over posts where a year was given
    assert figures["extract.year_coverage"] >= 0.30


def test_questions_and_round_kinds_meet_their_targets(figures):
    assert figures["extract.question_precision"] >= 0.85
    assert figures["extract.question_recall"] >= 0.80
    assert figures["extract.round_kind_accuracy"] >= 0.70


def test_every_listed_fake_present_in_a_text_is_found_and_masked(figures):
    assert figures["extract.pii_found_fraction"] == 1.0
    assert figures["extract.pii_masked_fraction"] == 1.0


def test_question_matching_rule():
    assert question_match("He asked me to reverse a linked list.", "reverse a linked list")
    assert question_match("REVERSE  a linked\nlist", "reverse a linked list")
    # a long paragraph does not match a short label just by containing it
    long_text = "reverse a linked list " + "and then we talked about many other unrelated things " * 3
    assert not question_match(long_text, "reverse a linked list")
    assert not question_match("design a parking lot", "reverse a linked list")


def test_a_sentence_joining_several_asks_finds_each_of_them_once():
    labels = ["discussed my internships", "why I chose this field", "my life at IITK", "reverse a list"]
    joined = "In HR round we discussed my internships and why I chose this field and also my life at IITK."
    assert matched_labels(joined, labels) == {0, 1, 2}
    # a paragraph that only mentions one short label among other talk finds nothing
    chatty = (
        "The interviewer was friendly and we spent most of the hour on the weather, the campus, the food "
        "in the mess and my life at IITK before he wished me luck."
    )
    assert matched_labels(chatty, labels) == set()
