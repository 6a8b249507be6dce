"""One run of bench/quality.py over the 60 labelled posts, shared by every floor test of this folder
(the `figures` fixture).

The search and privacy families import the posts through the real import path (about 45 s on a 2-core
machine); running the whole bench once per test session instead of once per module keeps that cost single.
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


def quality_bench() -> ModuleType:
    """bench/quality.py as a module (bench/ is scripts, not a package)."""
    spec = importlib.util.spec_from_file_location("bench_quality", ROOT / "bench" / "quality.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    sys.modules["bench_quality"] = module
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="session")
def figures() -> dict[str, Any]:
    """Every family's keys for tests/data/real-experiences, as `bench/quality.py --json` prints them."""
    return quality_bench().run(DATA)
