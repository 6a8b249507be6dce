"""Issue 11, personal data, on the 60 real posts: every listed fake is absent from every public output.

The figure is bench/quality.py's `pii` family (the one docs/QUALITY.md reports; `figures` is the shared run
of tests/quality/conftest.py): each post stored as an import stores it, anonymous, published, then read
through the experience view, the search index and a search for the fake, word clouds, the digest's
questions and both exports.
"""

from __future__ import annotations

from typing import Any


def test_every_listed_fake_is_masked_in_every_public_output(figures: dict[str, Any]) -> None:
    assert figures["pii.fakes"] == 89  # names, first names and roll numbers listed in the set
    assert figures["pii.masked_fraction"] == 1.0


def test_no_post_is_found_by_searching_its_authors_name_or_roll_number(figures: dict[str, Any]) -> None:
    assert figures["pii.posts_found_by_fake"] == 0
