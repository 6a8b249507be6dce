"""The scorecard says only what was measured (issue 13 item 14).

Before: a 10-second answer with the face in view and no speech scored 81/100 with "Long pauses: 100
-- No long silences; your answer flowed.", and a one-frame (0.07 s) video scored 88/100.
"""

from __future__ import annotations

import re

import numpy as np
import pytest

from media import scoring, video, worker
from tests.media_video import clips as C
from tests.media_video import speechlike

PRAISE = ("flowed", "comfortable pace", "a full answer")


def steady(face):
    return lambda t, i: face


def noise_frames(seed: int = 3) -> list[np.ndarray]:
    """A wall with camera noise: no face anywhere."""
    rng = np.random.default_rng(seed)
    return [
        np.clip(C.background() + rng.normal(0, 12, (C.SIZE, C.SIZE, 3)), 0, 255).astype(np.uint8)
        for _ in range(4)
    ]


@pytest.fixture(scope="module")
def silent_result(clips, faces) -> dict:
    """10 s, face in view all along, a sound track with room noise only."""
    sound = speechlike.track(10, [])
    path = clips.get("silent10.mp4", lambda p: C.write_clip(p, steady(faces["grace"]), 10, sound=sound))
    return worker.score_file(path)


def test_silence_gets_no_praise_and_no_speaking_score(silent_result):
    result = silent_result
    assert result["metrics"]["face_visible_fraction"] >= 0.95  # the camera side was fine
    assert result["scores"]["speaking"] == 0
    assert result["tips"]["speaking"].startswith("You spoke for 0.0 s of 10.0 s")
    assert result["scores"]["pauses"] == 0
    assert result["tips"]["pauses"] == "No speech was heard, so all 10.0 s were silence."
    assert "pace" not in result["scores"]
    assert not any(word in tip for tip in result["tips"].values() for word in PRAISE)
    assert result["overall"] == scoring.NO_SPEECH_OVERALL_MAX
    assert "No speech was heard, so the overall score is capped at 40." in result["notes"]


def test_every_tip_states_a_measurement(silent_result):
    for key, tip in silent_result["tips"].items():
        assert re.search(r"\d", tip), (key, tip)


def test_speech_tips_give_seconds_heard(clips, faces):
    # Speech 0.5-2.5 s and 5.0-6.5 s of 8 s: about 3.5 s spoken, one 2.5-s silence between.
    sound = speechlike.track(8, [(0.5, 2.5), (5.0, 6.5)])
    path = clips.get("speech.mp4", lambda p: C.write_clip(p, steady(faces["grace"]), 8, sound=sound))
    result = worker.score_file(path)
    spoke = re.match(r"You spoke for (\d+\.\d) s of 8\.0 s", result["tips"]["speaking"])
    assert spoke and float(spoke.group(1)) == pytest.approx(3.5, abs=0.4)
    assert result["tips"]["pauses"].startswith("1 silence of 2 s or more while you spoke (longest gap 2.")
    assert "syllables a minute" in result["tips"]["pace"]
    assert result["notes"] == []
    assert result["overall"] > scoring.NO_SPEECH_OVERALL_MAX


def test_speech_without_a_face_is_refused_not_scored(clips):
    frames = noise_frames()
    sound = speechlike.track(4, [(0.5, 3.5)])
    path = clips.get(
        "voice_noface.mp4", lambda p: C.write_clip(p, lambda t, i: frames[i % 4], 4, sound=sound)
    )
    with pytest.raises(video.VideoError) as err:
        worker.score_file(path)
    assert err.value.reason == video.NO_FACE


def test_no_face_and_no_sound_is_refused(clips):
    frames = noise_frames(5)
    path = clips.get("noface4.mp4", lambda p: C.write_clip(p, lambda t, i: frames[i % 4], 4))
    with pytest.raises(video.VideoError) as err:
        worker.score_file(path)
    assert err.value.reason == video.NO_FACE


def test_one_frame_clip_is_refused_with_the_minimum(faces, tmp_path):
    path = C.write_clip(tmp_path / "blink.mp4", steady(faces["grace"]), 1 / C.FPS)  # one frame, 0.07 s
    with pytest.raises(video.VideoError) as err:
        worker.score_file(path)
    assert err.value.reason == "That clip is 0.1 s long; answers need at least 3 s."
    with pytest.raises(video.VideoError):  # refused before decoding, as the bot checks uploads
        video.probe(path)


def test_just_under_the_minimum_is_refused_and_at_it_is_scored(faces, tmp_path):
    short = C.write_clip(tmp_path / "two.mp4", steady(faces["grace"]), 2.0)
    with pytest.raises(video.VideoError) as err:
        video.probe(short)
    assert err.value.reason == "That clip is 2.0 s long; answers need at least 3 s."
    assert video.probe(short, min_duration_s=0).duration_s == pytest.approx(2.0, abs=0.1)
    enough = C.write_clip(tmp_path / "three.mp4", steady(faces["grace"]), video.MIN_DURATION_S)
    assert video.probe(enough).duration_s == pytest.approx(video.MIN_DURATION_S, abs=0.1)


GOOD = {
    "duration_s": 10.0,
    "face_visible_fraction": 1.0,
    "looking_at_camera_fraction": 0.9,
    "smile_fraction": 0.25,
    "tense_fraction": 0.0,
    "head_motion_rms": 0.01,
    "face_center_offset": 0.03,
    "face_size_fraction": 0.4,
    "mean_face_brightness": 140.0,
    "face_contrast": 40.0,
    "speech_seconds": 8.0,
    "long_pauses": 0,
    "longest_pause_s": 0.6,
    "speech_pace": 230.0,
}


def test_a_little_speech_is_judged_but_its_pace_is_not():
    card = scoring.score({**GOOD, "speech_seconds": 1.5, "speech_pace": None})
    assert card.tips()["speaking"] == "You spoke for 1.5 s of 10.0 s (15%); use the time to give an example."
    assert card.scores()["speaking"] == 0 and "pace" not in card.scores()
    assert card.notes == ("Pace was not measured: 1.5 s of speech is too little (2 s needed).",)
    assert card.overall > scoring.NO_SPEECH_OVERALL_MAX  # speech was heard: no cap


def test_unmeasured_lines_are_left_out_not_given_fifty():
    card = scoring.score({**GOOD, "head_motion_rms": None})
    assert "steadiness" not in card.scores()
    assert any("Head steadiness was not measured" in note for note in card.notes)
    card = scoring.score({**GOOD, "speech_seconds": None, "long_pauses": None, "speech_pace": None})
    assert not {"speaking", "pauses", "pace"} & set(card.scores())
    assert card.notes == (
        "This video has no sound track, so speaking time, pauses and pace were not measured.",
    )
