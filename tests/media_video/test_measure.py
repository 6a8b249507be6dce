"""Each measurement moves the right way, within a stated tolerance, on clips with known ground truth."""

from __future__ import annotations

import numpy as np
import pytest

from tests.media_video import clips as C
from tests.media_video import speechlike


def steady(face):
    return lambda t, i: face


def test_steady_neutral_face_is_visible_and_looking(measure_clip, faces):
    m = measure_clip("grace.mp4", lambda p: C.write_clip(p, steady(faces["grace"]), 3))
    assert m.face_visible_fraction >= 0.95
    assert m.looking_at_camera_fraction >= 0.9
    assert m.smile_fraction <= 0.1
    assert m.neutral_fraction >= 0.8
    assert m.speech_seconds is None and m.long_pauses is None and not m.has_audio
    assert m.face_center_offset < 0.15
    assert 0.25 <= m.face_size_fraction <= 0.6
    assert m.head_motion_rms < 0.02
    assert 80 <= m.mean_face_brightness <= 200


def test_astronaut_smiles_more_than_grace(measure_clip, faces):
    grace = measure_clip("grace.mp4", lambda p: C.write_clip(p, steady(faces["grace"]), 3))
    astro = measure_clip("astronaut.mp4", lambda p: C.write_clip(p, steady(faces["astronaut"]), 3))
    assert astro.smile_fraction >= 0.9
    assert astro.smile_fraction > grace.smile_fraction + 0.5


def test_face_leaving_frame_for_known_seconds(measure_clip, faces):
    # In view 0-2 s and 4-6 s, gone 2-4 s: truth 2/3.
    wall = C.background()
    m = measure_clip(
        "leaves.mp4", lambda p: C.write_clip(p, lambda t, i: wall if 2 <= t < 4 else faces["grace"], 6)
    )
    assert m.face_visible_fraction == pytest.approx(2 / 3, abs=0.1)
    gone = [s for s in m.samples if 2.2 <= s.t < 3.8]
    assert gone and not any(s.face for s in gone)


def test_dark_and_bright_exposure_move_brightness(measure_clip, faces):
    def exposed(gain):
        img = np.clip(faces["grace"].astype(np.float32) * gain, 0, 255).astype(np.uint8)
        return lambda p: C.write_clip(p, steady(img), 3)

    dark = measure_clip("dark.mp4", exposed(0.35))
    normal = measure_clip("grace.mp4", lambda p: C.write_clip(p, steady(faces["grace"]), 3))
    bright = measure_clip("bright.mp4", exposed(1.6))
    assert dark.mean_face_brightness < 70 < normal.mean_face_brightness < bright.mean_face_brightness
    assert dark.face_visible_fraction >= 0.9


def test_small_off_centre_face_is_reported_as_such(measure_clip, faces):
    small = C.place(C.grace(), scale=0.45, dx=80, dy=-70)
    m = measure_clip("small_off.mp4", lambda p: C.write_clip(p, steady(small), 3))
    normal = measure_clip("grace.mp4", lambda p: C.write_clip(p, steady(faces["grace"]), 3))
    assert m.face_visible_fraction >= 0.9
    assert m.face_center_offset > normal.face_center_offset + 0.15
    assert m.face_size_fraction < normal.face_size_fraction * 0.6


def jitter(measure_clip, amplitude: int):
    """Face shifted by independent uniform +-amplitude px in x and y every frame."""
    face = C.grace()
    rng = np.random.default_rng(amplitude)
    shifts = rng.uniform(-amplitude, amplitude, size=(200, 2))
    frames = [C.place(face, scale=0.8, dx=dx, dy=dy) for dx, dy in shifts]
    return measure_clip(f"jitter{amplitude}.mp4", lambda p: C.write_clip(p, lambda t, i: frames[i], 3))


@pytest.mark.parametrize("amplitude", [4, 12])
def test_jitter_raises_head_motion_with_amplitude(measure_clip, amplitude):
    face = C.grace()
    m = jitter(measure_clip, amplitude)
    still = measure_clip("still80.mp4", lambda p: C.write_clip(p, steady(C.place(face, scale=0.8)), 3))
    # Truth: independent uniform shifts of +-a px in x and y move the centre by RMS a*sqrt(4/3) px
    # between samples; the face is ~0.33 of a 320-px frame wide (~105 px).
    width = m.face_size_fraction * C.SIZE
    truth = amplitude * np.sqrt(4 / 3) / width
    assert m.head_motion_rms == pytest.approx(truth, rel=0.5)
    assert m.head_motion_rms > still.head_motion_rms + truth / 2


def test_jitter_ordering(measure_clip):
    small, large = jitter(measure_clip, 4), jitter(measure_clip, 12)
    assert large.head_motion_rms > 2 * small.head_motion_rms


def test_looking_away_drops_eye_contact_but_face_stays_visible(measure_clip):
    face = C.grace()
    front = C.place(face)
    away = C.place(C.turn(face, 65))  # reads as ~27 degrees of yaw (flat photo)
    # Turned away 2-4 s of 6 s: truth looking 2/3, visible 1.
    m = measure_clip("away.mp4", lambda p: C.write_clip(p, lambda t, i: away if 2 <= t < 4 else front, 6))
    assert m.face_visible_fraction >= 0.9
    assert m.looking_at_camera_fraction == pytest.approx(2 / 3, abs=0.12)
    turned = [s for s in m.samples if 2.2 <= s.t < 3.8]
    assert turned and not any(s.looking for s in turned)


def test_speech_seconds_and_long_pause(measure_clip, faces):
    # Speech 0.5-2.5 s and 5.0-6.5 s of 8 s: truth 3.5 s spoken, one 2.5-s pause, 4 syllables/s.
    spans = [(0.5, 2.5), (5.0, 6.5)]
    sound = speechlike.track(8, spans, rate_hz=4.0)
    m = measure_clip("speech.mp4", lambda p: C.write_clip(p, steady(faces["grace"]), 8, sound=sound))
    assert m.has_audio
    assert m.speech_seconds == pytest.approx(3.5, abs=0.4)
    assert m.long_pauses == 1
    assert m.speech_pace == pytest.approx(240, rel=0.2)
    assert all(a >= 0.3 and b <= 6.8 for a, b in m.speech_segments)


def test_silent_sound_track_gives_zero_speech_not_none(measure_clip, faces):
    sound = speechlike.track(3, [])
    m = measure_clip("silent.mp4", lambda p: C.write_clip(p, steady(faces["grace"]), 3, sound=sound))
    assert m.has_audio
    assert m.speech_seconds == pytest.approx(0.0, abs=0.2)
    assert m.speech_pace is None


def test_webm_vp9_with_opus_is_measured(measure_clip, faces):
    sound = speechlike.track(3, [(0.5, 2.5)])
    m = measure_clip(
        "astro.webm",
        lambda p: C.write_clip(
            p, steady(faces["astronaut"]), 3, container="webm", codec="libvpx-vp9", sound=sound
        ),
    )
    assert m.face_visible_fraction >= 0.9
    assert m.speech_seconds == pytest.approx(2.0, abs=0.4)
