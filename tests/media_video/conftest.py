"""Session-cached test clips with known ground truth (built once per run in a tmp dir)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import numpy as np
import pytest

from tests.media_video import clips as C
from tests.media_video import speechlike

pytest.importorskip(
    "skimage", reason="scikit-image provides the smiling test face (pip install scikit-image)"
)


class Clips:
    """Builds each named clip on first use and reuses it for the rest of the session."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.cache: dict[str, Path] = {}

    def get(self, name: str, build: Callable[[Path], Path]) -> Path:
        if name not in self.cache:
            self.cache[name] = build(self.root / name)
        return self.cache[name]


@pytest.fixture(scope="session")
def clips(tmp_path_factory: pytest.TempPathFactory) -> Clips:
    return Clips(tmp_path_factory.mktemp("clips"))


@pytest.fixture(scope="session")
def faces() -> dict[str, np.ndarray]:
    return {"grace": C.place(C.grace()), "astronaut": C.place(C.astronaut())}


@pytest.fixture(scope="session")
def measure_clip(clips: Clips):
    """name -> VideoMetrics, cached (measuring is the slow part)."""
    from media import video

    done: dict[str, video.VideoMetrics] = {}

    def run(name: str, build: Callable[[Path], Path]) -> video.VideoMetrics:
        if name not in done:
            done[name] = video.measure(clips.get(name, build))
        return done[name]

    return run


__all__ = ["C", "speechlike"]
