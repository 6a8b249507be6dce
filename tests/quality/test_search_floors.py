"""Search floors of issue 11 on the 15 judged queries of tests/data/real-experiences/search.json.

Measured as bench/quality.py reports them (so the test checks exactly what docs/QUALITY.md
records): the 60 posts go through the REAL import path (`main.py import --approve` into a fresh SQLite
database), then each query through the /search feature (parsing, company resolution, ranking).
"""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parents[2]
DATA = ROOT / "tests" / "data" / "real-experiences"


def _bench() -> ModuleType:
    spec = importlib.util.spec_from_file_location("bench_quality_search", ROOT / "bench" / "quality.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    sys.modules["bench_quality_search"] = module
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def figures() -> dict[str, Any]:
    bench = _bench()
    return bench.search_metrics(bench.load(DATA))


def test_relevant_posts_are_found_in_the_first_ten(figures: dict[str, Any]) -> None:
    assert figures["search.queries"] == 15
    assert figures["search.recall_at_10"] >= 0.80  # issue 11's target (0.668 before this work)


def test_best_posts_are_in_the_first_five(figures: dict[str, Any]) -> None:
    # 0.467 before; 0.733 now (11 of 15). The issue asks for every best post in the top 5: the four
    # misses are listed in docs/QUALITY.md.
    assert figures["search.best_in_top5"] >= 0.73


def test_a_misspelt_company_and_a_verbatim_fragment_rank_their_posts_first(figures: dict[str, Any]) -> None:
    missed = set(figures["search.best_missed"])
    assert "qualcom interview" not in missed
    assert "split it into two halves, reverse both halves" not in missed
    assert "LRU cache implementation" not in missed
