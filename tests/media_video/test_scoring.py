"""Scorecard thresholds (pure functions) and the worker/chart outputs a student sees."""

from __future__ import annotations

import json

import pytest

from media import scorecard_chart, scoring, worker
from tests.media_video import clips as C
from tests.media_video import speechlike

GOOD = {
    "duration_s": 60.0,
    "face_visible_fraction": 1.0,
    "looking_at_camera_fraction": 0.9,
    "smile_fraction": 0.25,
    "neutral_fraction": 0.75,
    "tense_fraction": 0.0,
    "head_motion_rms": 0.01,
    "face_center_offset": 0.03,
    "face_size_fraction": 0.4,
    "mean_face_brightness": 140.0,
    "face_contrast": 40.0,
    "speech_seconds": 45.0,
    "long_pauses": 0,
    "speech_pace": 230.0,
}


def card(**changes):
    return scoring.score({**GOOD, **changes})


def test_good_answer_scores_full_marks():
    c = card()
    assert c.overall == 100
    assert set(c.scores()) == set(scoring.LABELS)
    assert all(s == 100 for s in c.scores().values())


@pytest.mark.parametrize(
    ("changes", "key", "expected", "tip_word"),
    [
        ({"face_visible_fraction": 0.5}, "face_visible", 0, "stay in frame"),
        ({"face_visible_fraction": 0.725}, "face_visible", 50, "72%"),
        ({"looking_at_camera_fraction": 0.55}, "eye_contact", 50, "lens"),
        ({"smile_fraction": 0.0}, "expression", 70, "smile"),
        ({"smile_fraction": 0.0, "tense_fraction": 0.6}, "expression", 10, "tense"),
        ({"head_motion_rms": 0.09}, "steadiness", 50, "movement"),
        ({"head_motion_rms": 0.2}, "steadiness", 0, "sit still"),
        ({"face_center_offset": 0.19}, "framing", 50, "off-centre"),
        ({"face_size_fraction": 0.1}, "framing", 0, "move closer"),
        ({"face_size_fraction": 0.95}, "framing", 0, "move back"),
        ({"mean_face_brightness": 30.0}, "lighting", 0, "dark"),
        ({"mean_face_brightness": 60.0}, "lighting", 50, "window"),
        ({"mean_face_brightness": 250.0}, "lighting", 0, "over-exposed"),
        ({"face_contrast": 5.0}, "lighting", 0, "flat"),
        ({"speech_seconds": 9.0}, "speaking", 0, "You spoke for 9.0 s of 60.0 s (15%)"),
        ({"long_pauses": 2}, "pauses", 50, "2 silences of 2 s or more"),
        ({"speech_pace": 450.0}, "pace", 0, "fast"),
        ({"speech_pace": 130.0}, "pace", 50, "slowly"),
    ],
)
def test_thresholds(changes, key, expected, tip_word):
    c = card(**changes)
    assert c.scores()[key] == expected
    assert tip_word in c.tips()[key]
    assert c.overall < 100


def test_no_audio_drops_the_sound_lines():
    c = card(speech_seconds=None, long_pauses=None, speech_pace=None)
    assert set(c.scores()) == {
        "face_visible",
        "eye_contact",
        "expression",
        "steadiness",
        "framing",
        "lighting",
    }
    assert c.overall == 100


def test_overall_is_the_weighted_mean():
    c = card(face_visible_fraction=0.5)  # face_visible 0, weight 1 of 10
    assert c.overall == round(100 * (sum(scoring.WEIGHTS.values()) - 1) / sum(scoring.WEIGHTS.values()))


def test_tips_never_judge_confidence():
    words = " ".join(card(face_visible_fraction=0.2, tense_fraction=0.8, speech_seconds=3).tips().values())
    assert "confiden" not in words.lower() and "hire" not in words.lower()


def test_score_file_is_json_ready_and_chart_is_a_png(clips, faces):
    sound = speechlike.track(8, [(0.5, 2.5), (5.0, 6.5)])
    p = clips.get("speech.mp4", lambda p: C.write_clip(p, lambda t, i: faces["grace"], 8, sound=sound))
    result, png = worker.score_file_with_chart(str(p))
    again = json.loads(json.dumps(result))
    assert set(again) >= {"overall", "scores", "tips", "metrics"}
    assert 0 <= again["overall"] <= 100
    assert again["scores"]["pauses"] < 100 and "1 silence of 2 s" in again["tips"]["pauses"]
    for key in ("duration_s", "face_visible_fraction", "looking_at_camera_fraction", "smile_fraction",
                "head_motion_rms", "face_center_offset", "face_size_fraction", "mean_face_brightness",
                "speech_seconds"):  # fmt: skip
        assert key in again["metrics"]
    assert png.startswith(b"\x89PNG")
    import cv2
    import numpy as np

    img = cv2.imdecode(np.frombuffer(png, np.uint8), cv2.IMREAD_COLOR)
    assert img.shape[1] >= 800  # wide enough to read on a phone
    # The chart re-renders from the JSON result alone (what the lead stores per attempt).
    assert scorecard_chart.render(again, again["metrics"]).startswith(b"\x89PNG")
