"""The one test configuration every adapter's tests start from."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from core.config import Config, parse_config

# How long a card waits for its charts before sending them as a follow-up push. Production uses 3 s
# (config.yaml); tests that expect the charts inline must not depend on how busy the CI machine is,
# so they wait longer. The latency goal itself is measured by bench/search.py, not asserted here.
TEST_CHART_WAIT_S = 60.0


def test_settings(tmp_path: Path, **sections: Any) -> dict[str, Any]:
    """config.yaml sections for a test: files under tmp_path, a patient chart wait, then `sections`."""
    data: dict[str, Any] = {
        "console": {"output_dir": str(tmp_path / "console")},
        "mock": {"video_dir": str(tmp_path / "mock")},
        "insights": {"chart_wait_s": TEST_CHART_WAIT_S},
    }
    for key, value in sections.items():
        data[key] = {**data.get(key, {}), **value} if isinstance(value, dict) else value
    return data


def test_config(tmp_path: Path, **sections: Any) -> Config:
    """The default config with test_settings applied."""
    return parse_config(test_settings(tmp_path, **sections))


test_settings.__test__ = False  # type: ignore[attr-defined]  # not a pytest test despite its name
test_config.__test__ = False  # type: ignore[attr-defined]
