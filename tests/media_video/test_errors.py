"""Files we cannot score get a one-line friendly reason before any heavy work, never a crash."""

from __future__ import annotations

import multiprocessing
import pickle
from concurrent.futures import ProcessPoolExecutor

import numpy as np
import pytest

from media import video, worker
from tests.media_video import clips as C
from tests.media_video import speechlike


def test_text_file_renamed_mp4(tmp_path):
    p = tmp_path / "answer.mp4"
    p.write_text("Tell me about yourself. I am a final-year student who ...\n" * 50)
    with pytest.raises(video.VideoError) as err:
        video.probe(p)
    assert err.value.reason == video.NOT_A_VIDEO
    assert "MP4/H.264" in err.value.reason


def test_corrupt_video(clips, faces, tmp_path):
    good = clips.get("grace.mp4", lambda p: C.write_clip(p, lambda t, i: faces["grace"], 3)).read_bytes()
    p = tmp_path / "corrupt.mp4"
    p.write_bytes(good[:64] + bytes(np.random.default_rng(0).integers(0, 256, 4000, dtype=np.uint8)))
    with pytest.raises(video.VideoError) as err:
        video.measure(p)
    assert err.value.reason == video.NOT_A_VIDEO


def test_truncated_video_still_fails_politely_or_scores(clips, faces, tmp_path):
    good = clips.get("grace.mp4", lambda p: C.write_clip(p, lambda t, i: faces["grace"], 3)).read_bytes()
    p = tmp_path / "truncated.mp4"
    p.write_bytes(good[: len(good) // 2])
    try:
        m = video.measure(p)
    except video.VideoError as exc:
        assert exc.reason in (video.NOT_A_VIDEO, video.EMPTY, video.NO_FACE)
    else:
        assert m.face_visible_fraction > 0.5


def test_empty_and_missing_files(tmp_path):
    empty = tmp_path / "empty.mp4"
    empty.write_bytes(b"")
    with pytest.raises(video.VideoError) as err:
        video.probe(empty)
    assert err.value.reason == video.EMPTY
    with pytest.raises(video.VideoError):
        video.probe(tmp_path / "missing.mp4")


def test_audio_only_file(tmp_path):
    p = C.write_audio_only(tmp_path / "voice.mp4", speechlike.track(2, [(0.2, 1.8)]))
    with pytest.raises(video.VideoError) as err:
        video.probe(p)
    assert err.value.reason == video.AUDIO_ONLY
    assert "no picture" in err.value.reason


def test_too_long_is_refused_by_probe_with_the_duration(tmp_path):
    # 3 min 40 s at 1 fps and 16x16: cheap to build, refused before decoding.
    tiny = np.zeros((16, 16, 3), np.uint8)
    p = C.write_clip(tmp_path / "long.mp4", lambda t, i: tiny, 220, fps=1, size=16)
    with pytest.raises(video.VideoError) as err:
        video.probe(p)
    assert err.value.reason == "The answer is 3 min 40 s long; please keep it under 3 min."
    assert video.probe(p, max_duration_s=300).duration_s == pytest.approx(220, abs=1)


def test_no_face_at_all(clips):
    rng = np.random.default_rng(3)
    noise = [
        np.clip(C.background() + rng.normal(0, 12, (C.SIZE, C.SIZE, 3)), 0, 255).astype(np.uint8)
        for _ in range(4)
    ]
    p = clips.get("noface.mp4", lambda p: C.write_clip(p, lambda t, i: noise[i % 4], 3))
    with pytest.raises(video.VideoError) as err:
        video.measure(p)
    assert err.value.reason == video.NO_FACE
    assert "could not see a face" in err.value.reason


def test_probe_reports_container_codec_and_audio(clips, faces):
    sound = speechlike.track(3, [])
    p = clips.get("silent.mp4", lambda p: C.write_clip(p, lambda t, i: faces["grace"], 3, sound=sound))
    info = video.probe(p)
    assert (info.codec, info.width, info.height, info.has_audio) == ("h264", C.SIZE, C.SIZE, True)
    assert info.duration_s == pytest.approx(3, abs=0.1)


def test_video_error_survives_the_process_pool(tmp_path):
    p = tmp_path / "notes.mp4"
    p.write_text("not a video")
    err = pickle.loads(pickle.dumps(video.VideoError("x")))
    assert err.reason == "x"
    # spawn, not fork: forking a process that already ran OpenCV/TFLite threads can deadlock the child.
    ctx = multiprocessing.get_context("spawn")
    with (
        ProcessPoolExecutor(max_workers=1, mp_context=ctx, initializer=worker.init_worker) as pool,
        pytest.raises(video.VideoError) as caught,
    ):
        pool.submit(worker.score_file, str(p)).result(timeout=60)
    assert caught.value.reason == video.NOT_A_VIDEO
