"""`python main.py score-video FILE [--json]`: scores for scripts, a one-line reason for bad files."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from tests.media_video import clips as C

ROOT = Path(__file__).resolve().parents[2]
REQUIRED = (
    "duration_s",
    "face_visible_fraction",
    "looking_at_camera_fraction",
    "smile_fraction",
    "head_motion_rms",
    "face_center_offset",
    "face_size_fraction",
    "mean_face_brightness",
    "speech_seconds",
)


def score(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    return subprocess.run(
        [sys.executable, str(ROOT / "main.py"), "--config", str(ROOT / "config.yaml"), "score-video", *args],
        capture_output=True,
        text=True,
        cwd=cwd,
        env=env,
        timeout=300,
    )


def test_json_has_scores_and_raw_measurements(tmp_path):
    face = C.place(C.grace())
    clip = C.write_clip(tmp_path / "a.mp4", lambda t, i: face, 3.0)
    result = score(str(clip), "--json", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    data = json.loads(result.stdout)
    assert 0 <= data["overall"] <= 100 and all(0 <= v <= 100 for v in data["scores"].values())
    assert set(REQUIRED) <= set(data["metrics"])
    assert data["metrics"]["speech_seconds"] is None  # the clip has no sound
    assert abs(data["metrics"]["duration_s"] - 3.0) < 0.2


def test_bad_file_exits_non_zero_with_one_line(tmp_path):
    bad = tmp_path / "notes.mp4"
    bad.write_text("not a video")
    result = score(str(bad), cwd=tmp_path)
    assert result.returncode == 1
    assert result.stderr.strip().splitlines() == [
        "error: This file is not a video I can read (MP4/H.264, WebM/VP8/VP9 or MOV)."
    ]


def test_too_short_clip_is_refused_with_the_minimum(tmp_path):
    face = C.place(C.grace())
    clip = C.write_clip(tmp_path / "blink.mp4", lambda t, i: face, 1 / C.FPS)  # one frame
    result = score(str(clip), cwd=tmp_path)
    assert result.returncode == 1
    expected = "error: That clip is 0.1 s long; answers need at least 3 s."
    assert result.stderr.strip().splitlines() == [expected]
