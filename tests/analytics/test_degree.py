"""Degree words (core.analytics.degree): what a round was mainly about, and what it touched only a little."""

from __future__ import annotations

from core.analytics.degree import SCOPE_WORDS, degrees


def _split(text: str) -> tuple[str, list[str], list[str]]:
    return degrees(text).split(text)


def test_an_amplifier_scopes_the_rest_of_its_clause() -> None:
    text = "The interview was mainly on DSA and OOPs, then HR. Questions were based on my resume"
    kept, amplified, downtoned = _split(text)
    assert amplified == ["on DSA and OOPs", "my resume"]
    assert downtoned == [] and kept == text


def test_a_downtoner_moves_its_words_out_of_the_kept_text() -> None:
    kept, amplified, downtoned = _split("Mostly graphs and a bit of DP; some HR at the end")
    assert downtoned == ["DP"]
    assert amplified == ["graphs and"]  # the downtoner and its scope are cut out of the amplified clause
    assert "DP" not in kept and "bit" not in kept and "some HR at the end" in kept
    # Overlapping scopes merge into one phrase.
    assert _split("It touched a little bit of SQL and slightly OS")[2] == ["SQL and slightly OS"]


def test_a_scope_stops_at_clause_ends_and_after_scope_words() -> None:
    assert _split("It was focused on\nsystem design")[1] == []  # a new line is a new clause
    assert _split("mainly arrays - easy ones")[1] == ["arrays"]
    long = "primarily " + " ".join(f"w{i}" for i in range(10))
    assert _split(long)[1] == [" ".join(f"w{i}" for i in range(SCOPE_WORDS))]


def test_text_without_degree_words_is_unchanged() -> None:
    text = "Round 2 asked about DP (coin change) and SQL joins."
    assert _split(text) == (text, [], [])
    assert degrees(None).amplified == () and degrees("").downtoned == ()
