"""Video answers -> per-frame face measurements (OpenCV decode, vendored TFLite face models)."""

from __future__ import annotations

import logging
import math
import os
from dataclasses import asdict, dataclass, field
from functools import lru_cache
from pathlib import Path

import av
import cv2
import numpy as np

from media import audio

logger = logging.getLogger(__name__)

MODELS_DIR = Path(__file__).parent / "models"

#: Frames analysed per second of video. 5 fps sees a glance away (>= 0.2 s) and keeps a 60-s answer
#: well under the benchmark budget (see docs/BENCHMARKS.md, "Video scoring").
SAMPLE_FPS = 5.0
#: Longest answer we score; longer files are refused before any decoding.
MAX_DURATION_S = 180.0
#: Shortest answer we score: below this there is too little to measure (a 0.07-s clip of one frame
#: used to score 88/100); refused before any decoding, and again if the decoded frames span less.
MIN_DURATION_S = 3.0
#: Slack on MIN_DURATION_S for container rounding (a 3-s recording may report 2.97 s).
DURATION_SLACK_S = 0.05
#: Containers and codecs the OpenCV wheel decodes and students send (Telegram/Discord/phones).
SUPPORTED_CONTAINERS = ("mov", "mp4", "webm", "matroska")
SUPPORTED_CODECS = frozenset({"h264", "hevc", "vp8", "vp9", "mpeg4"})

#: BlazeFace (short range) score above which a face counts as present.
DETECT_THRESHOLD = 0.5
#: Face-mesh "face present" score above which the landmarks are trusted.
LANDMARK_THRESHOLD = 0.5
#: Head turned more than this (degrees, left/right or up/down) is not looking at the camera.
MAX_YAW_DEG = 20.0
MAX_PITCH_DEG = 20.0
#: Iris further than this from the middle of the eye (fraction of eye width) is looking aside.
MAX_IRIS_OFFSET = 0.12
#: Probability of "happy" from the expression model that counts as a smile, and of the tense
#: classes (angry, disgust, fear, sad) that counts as tense; anything else is neutral.
#: The model leans to "angry"/"sad" on neutral older faces (grace_hopper: 0.55), hence the high bar.
SMILE_PROB = 0.5
TENSE_PROB = 0.7
#: After this long without a face, the (slow) Haar fallback runs only once a second.
HAAR_EVERY_S = 1.0

NOT_A_VIDEO = "This file is not a video I can read (MP4/H.264, WebM/VP8/VP9 or MOV)."
AUDIO_ONLY = "This file has sound but no picture; please record your answer on camera."
NO_FACE = (
    "I could not see a face in this video; please record with your face in view and light in front of you."
)
EMPTY = "This video is empty; please record your answer again."

FER_LABELS = ("angry", "disgust", "fear", "happy", "sad", "surprise", "neutral")
TENSE_LABELS = (0, 1, 2, 4)


class VideoError(Exception):
    """A video we refuse to score; `.reason` is the one-line message for the student."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


@dataclass(frozen=True)
class VideoInfo:
    """What a cheap look at the container tells us, before any decoding."""

    container: str
    codec: str
    width: int
    height: int
    fps: float
    duration_s: float
    size_bytes: int
    has_audio: bool


@dataclass(frozen=True)
class FrameSample:
    """Measurements of one analysed frame; face fields are None when no face was seen."""

    t: float
    face: bool
    looking: bool | None = None
    expression: str | None = None  # "smile" | "neutral" | "tense"
    cx: float | None = None  # face centre, fraction of frame width
    cy: float | None = None  # face centre, fraction of frame height
    size: float | None = None  # face width, fraction of the frame's shorter side
    width_px: float | None = None
    px: float | None = None  # face centre in frame pixels (for head motion)
    py: float | None = None
    brightness: float | None = None  # mean gray on the face, 0-255
    contrast: float | None = None  # std of gray on the face, 0-255
    yaw: float | None = None  # degrees, 0 = facing the camera
    pitch: float | None = None
    iris: float | None = None  # iris offset from eye middle, fraction of eye width


@dataclass
class VideoMetrics:
    """Per-frame samples plus the aggregates the scorecard is built from."""

    duration_s: float
    sample_fps: float
    frames_analysed: int
    face_visible_fraction: float
    looking_at_camera_fraction: float  # of the time the face is visible
    smile_fraction: float  # of the time the face is visible
    neutral_fraction: float
    tense_fraction: float
    head_motion_rms: float | None  # RMS face-centre movement between samples, in face widths
    face_center_offset: float | None  # mean distance of face centre from frame centre (0 = centred)
    face_size_fraction: float | None  # median face width / shorter frame side
    mean_face_brightness: float | None  # 0-255
    face_contrast: float | None  # std of gray on the face, 0-255
    speech_seconds: float | None  # None when the file has no sound track
    long_pauses: int | None  # silences >= 2 s between speech
    longest_pause_s: float | None
    speech_pace: float | None  # syllables per minute of speaking (energy peaks in speech)
    has_audio: bool
    samples: list[FrameSample] = field(default_factory=list)
    speech_segments: list[tuple[float, float]] = field(default_factory=list)

    def to_dict(self) -> dict:
        """JSON-ready dict (samples as compact lists of t/face/looking)."""
        d = asdict(self)
        d["samples"] = [
            {"t": round(s.t, 3), "face": s.face, "looking": s.looking, "expression": s.expression}
            for s in self.samples
        ]
        d["speech_segments"] = [[round(a, 3), round(b, 3)] for a, b in self.speech_segments]
        for k, v in d.items():
            if isinstance(v, float):
                d[k] = round(v, 4)
        return d


# --------------------------------------------------------------------------- probe


def too_short(duration_s: float, min_duration_s: float = MIN_DURATION_S) -> VideoError:
    """The refusal of a clip shorter than `min_duration_s`, naming both lengths in seconds."""
    return VideoError(f"That clip is {duration_s:.1f} s long; answers need at least {min_duration_s:g} s.")


def probe(
    path: str | os.PathLike,
    *,
    max_duration_s: float = MAX_DURATION_S,
    min_duration_s: float = MIN_DURATION_S,
) -> VideoInfo:
    """Cheap container check (no decoding) that raises VideoError with a friendly reason.

    Refuses files that are not a supported video, empty, longer than `max_duration_s` or shorter
    than `min_duration_s` (seconds; 0 turns the minimum off).
    """
    p = Path(path)
    try:
        size = p.stat().st_size
    except OSError as exc:
        raise VideoError(NOT_A_VIDEO) from exc
    if size == 0:
        raise VideoError(EMPTY)
    try:
        with av.open(str(p), metadata_errors="ignore") as container:
            fmt = container.format.name
            vstreams = [s for s in container.streams.video if s.codec_context is not None]
            has_audio = bool(container.streams.audio)
            if not vstreams:
                raise VideoError(AUDIO_ONLY if has_audio else NOT_A_VIDEO)
            vs = vstreams[0]
            codec = vs.codec_context.name
            if not any(c in fmt.split(",") for c in SUPPORTED_CONTAINERS) or codec not in SUPPORTED_CODECS:
                raise VideoError(NOT_A_VIDEO)
            width, height = int(vs.codec_context.width or 0), int(vs.codec_context.height or 0)
            if width <= 0 or height <= 0:
                raise VideoError(NOT_A_VIDEO)
            fps = float(vs.average_rate or vs.guessed_rate or 0) or 30.0
            duration = _duration(container, vs)
    except VideoError:
        raise
    except (av.error.FFmpegError, OSError, ValueError, UnicodeDecodeError) as exc:
        logger.info("probe failed for %s: %s", p.name, exc)
        raise VideoError(NOT_A_VIDEO) from exc
    if duration <= 0:
        raise VideoError(EMPTY)
    if duration > max_duration_s + 0.5:
        limit = _fmt_duration(max_duration_s)
        raise VideoError(f"The answer is {_fmt_duration(duration)} long; please keep it under {limit}.")
    if duration + DURATION_SLACK_S < min_duration_s:
        raise too_short(duration, min_duration_s)
    return VideoInfo(fmt, codec, width, height, fps, duration, size, has_audio)


def _duration(container: av.container.InputContainer, vs: av.video.stream.VideoStream) -> float:
    """Duration from headers, else from the last packet timestamp (WebM from browsers has none)."""
    if vs.duration and vs.time_base:
        return float(vs.duration * vs.time_base)
    if container.duration:
        return container.duration / 1_000_000
    last = 0.0
    for packet in container.demux(vs):
        if packet.pts is not None and packet.time_base:
            end = float((packet.pts + (packet.duration or 0)) * packet.time_base)
            last = max(last, end)
    start = float(vs.start_time * vs.time_base) if vs.start_time and vs.time_base else 0.0
    return max(0.0, last - start)


def _fmt_duration(seconds: float) -> str:
    """'3 min 40 s' style, as a student would say it."""
    s = int(round(seconds))
    m, s = divmod(s, 60)
    if m and s:
        return f"{m} min {s} s"
    return f"{m} min" if m else f"{s} s"


# --------------------------------------------------------------------------- models


def _interpreter(name: str):
    """A single-threaded TFLite interpreter for a vendored model file."""
    from ai_edge_litert.interpreter import Interpreter

    it = Interpreter(model_path=str(MODELS_DIR / name), num_threads=1)
    it.allocate_tensors()
    return it


class _Model:
    """Thin wrapper: set one float input, invoke, read named outputs."""

    def __init__(self, name: str) -> None:
        self.it = _interpreter(name)
        self.inp = self.it.get_input_details()[0]["index"]
        self.outs = {d["name"]: d["index"] for d in self.it.get_output_details()}

    def __call__(self, x: np.ndarray) -> dict[str, np.ndarray]:
        self.it.set_tensor(self.inp, x[None].astype(np.float32, copy=False))
        self.it.invoke()
        return {k: self.it.get_tensor(i) for k, i in self.outs.items()}


@lru_cache(maxsize=1)
def _models() -> dict[str, _Model]:
    """Load the vendored models once per process."""
    return {
        "detect": _Model("face_detection_short_range.tflite"),
        "mesh": _Model("face_landmark.tflite"),
        "iris": _Model("iris_landmark.tflite"),
        "fer": _Model("emotion_model_quantized.tflite"),
    }


@lru_cache(maxsize=1)
def _anchors() -> np.ndarray:
    """SSD anchor centres of BlazeFace short range (128 px input, strides 8 and 16)."""
    out = []
    for stride, per_cell in ((8, 2), (16, 6)):
        g = 128 // stride
        for y in range(g):
            for x in range(g):
                out.extend([((x + 0.5) / g, (y + 0.5) / g)] * per_cell)
    return np.asarray(out, np.float32)


@lru_cache(maxsize=1)
def _haar() -> tuple[cv2.CascadeClassifier, cv2.CascadeClassifier]:
    """Frontal and profile Haar cascades (fallback for small or turned faces)."""
    base = Path(cv2.data.haarcascades)
    return (
        cv2.CascadeClassifier(str(base / "haarcascade_frontalface_default.xml")),
        cv2.CascadeClassifier(str(base / "haarcascade_profileface.xml")),
    )


# --------------------------------------------------------------------------- face pipeline


@dataclass
class _Face:
    """A located face: rotated square ROI (centre, side, angle) and where it came from."""

    cx: float
    cy: float
    side: float
    angle: float
    source: str


def _detect_blaze(bgr: np.ndarray) -> _Face | None:
    """BlazeFace on the letterboxed frame; the best-scoring face or None."""
    h, w = bgr.shape[:2]
    s = max(h, w)
    scale = 128.0 / s
    small = cv2.resize(
        bgr, (max(1, round(w * scale)), max(1, round(h * scale))), interpolation=cv2.INTER_AREA
    )
    canvas = np.zeros((128, 128, 3), np.uint8)
    canvas[: small.shape[0], : small.shape[1]] = small
    x = canvas[:, :, ::-1].astype(np.float32) / 127.5 - 1.0
    out = _models()["detect"](x)
    scores = out["classificators"][0, :, 0]
    i = int(np.argmax(scores))
    if 1.0 / (1.0 + math.exp(-float(np.clip(scores[i], -100, 100)))) < DETECT_THRESHOLD:
        return None
    r = out["regressors"][0, i] / 128.0
    a = _anchors()[i]
    cx, cy, bw, bh = (a[0] + r[0]) * s, (a[1] + r[1]) * s, r[2] * s, r[3] * s
    eyes = (r[4:8].reshape(2, 2) + a) * s  # subject's right eye (image left), left eye
    angle = math.atan2(eyes[1, 1] - eyes[0, 1], eyes[1, 0] - eyes[0, 0])
    return _Face(float(cx), float(cy), float(max(bw, bh) * 1.5), angle, "blaze")


def _detect_haar(bgr: np.ndarray) -> _Face | None:
    """Haar frontal, then profile (both directions), at <= 320 px: catches small and turned faces."""
    h, w = bgr.shape[:2]
    scale = min(1.0, 320.0 / max(h, w))
    small = (
        cv2.resize(bgr, (round(w * scale), round(h * scale)), interpolation=cv2.INTER_AREA)
        if scale < 1
        else bgr
    )
    small = cv2.equalizeHist(cv2.cvtColor(small, cv2.COLOR_BGR2GRAY))
    frontal, profile = _haar()
    sw = small.shape[1]
    for cascade, flip in ((frontal, False), (profile, False), (profile, True)):
        img = cv2.flip(small, 1) if flip else small
        found = cascade.detectMultiScale(img, scaleFactor=1.15, minNeighbors=5, minSize=(24, 24))
        if len(found):
            x, y, fw, fh = max(found, key=lambda b: b[2] * b[3])
            if flip:
                x = sw - x - fw
            cx, cy = (x + fw / 2) / scale, (y + fh / 2) / scale
            return _Face(cx, cy, fw / scale * 1.6, 0.0, "haar")
    return None


def _affine(cx: float, cy: float, side: float, angle: float, out: int) -> np.ndarray:
    """2x3 matrix mapping crop pixels (out x out) to frame pixels for a rotated square ROI."""
    k = side / out
    c, s = math.cos(angle) * k, math.sin(angle) * k
    tx = cx - c * out / 2 + s * out / 2
    ty = cy - s * out / 2 - c * out / 2
    return np.array([[c, -s, tx], [s, c, ty]], np.float64)


def _crop(img: np.ndarray, m: np.ndarray, out: int) -> np.ndarray:
    """Sample a rotated square ROI (crop->frame matrix m) into an out x out image."""
    return cv2.warpAffine(
        img, m, (out, out), flags=cv2.INTER_LINEAR | cv2.WARP_INVERSE_MAP, borderMode=cv2.BORDER_REPLICATE
    )


def _mesh(bgr: np.ndarray, face: _Face) -> tuple[np.ndarray, float]:
    """468 face-mesh landmarks in frame pixels (x, y, z) and the face-present probability."""
    m = _affine(face.cx, face.cy, face.side, face.angle, 192)
    crop = _crop(bgr, m, 192)[:, :, ::-1].astype(np.float32) / 255.0
    out = _models()["mesh"](crop)
    lm = out["conv2d_21"].reshape(468, 3).astype(np.float64)
    flag = 1.0 / (1.0 + math.exp(-float(out["conv2d_31"].ravel()[0])))
    xy = lm[:, :2] @ m[:, :2].T + m[:, 2]
    z = lm[:, 2] * face.side / 192
    return np.column_stack([xy, z]), flag


# Face-mesh indices: eye corners (image-left eye outer/inner, image-right eye inner/outer),
# cheeks at the ears, forehead, chin, nose tip.
_EYE_A = (33, 133)
_EYE_B = (362, 263)
_CHEEK_L, _CHEEK_R, _FOREHEAD, _CHIN, _NOSE = 234, 454, 10, 152, 1


def _head_pose(lm: np.ndarray) -> tuple[float, float]:
    """Yaw and pitch in degrees from the 3-D mesh (0, 0 = facing the camera)."""
    across = lm[_CHEEK_R] - lm[_CHEEK_L]
    down = lm[_CHIN] - lm[_FOREHEAD]
    yaw = math.degrees(math.atan2(across[2], math.hypot(across[0], across[1])))
    pitch = math.degrees(math.atan2(-down[2], math.hypot(down[0], down[1])))
    return yaw, pitch


def _iris_offset(bgr: np.ndarray, lm: np.ndarray, eye: int | None = None) -> float:
    """Mean horizontal iris offset from the eye middle (fraction of eye width; 0 = straight).

    `eye` 0 or 1 measures one eye only (measure() alternates them to halve the cost).
    """
    offsets = []
    for a, b in (_EYE_A, _EYE_B) if eye is None else ((_EYE_A, _EYE_B)[eye],):
        p0, p1 = lm[a, :2], lm[b, :2]
        v = p1 - p0
        width = float(np.hypot(*v))
        if width < 2:
            continue
        centre = (p0 + p1) / 2
        m = _affine(centre[0], centre[1], width * 2.3, math.atan2(v[1], v[0]), 64)
        crop = _crop(bgr, m, 64)[:, :, ::-1].astype(np.float32) / 255.0
        flip = (a, b) == _EYE_B
        if flip:
            crop = crop[:, ::-1]
        out = _models()["iris"](np.ascontiguousarray(crop))
        ix = float(out["output_iris"][0, 0])
        if flip:
            ix = 64 - ix
        # Crop x runs along the corner axis with the corners at 32 -/+ 64 / 4.6.
        offsets.append((ix - 32.0) / (64 / 2.3))
    return float(np.mean(offsets)) if offsets else 0.0


def expression_probs(bgr: np.ndarray, lm: np.ndarray) -> np.ndarray:
    """fer's 7 class probabilities on a 64x64 upright crop of the face (eyes level)."""
    eye_l, eye_r = lm[_EYE_A[0], :2], lm[_EYE_B[1], :2]
    angle = math.atan2(eye_r[1] - eye_l[1], eye_r[0] - eye_l[0])
    centre = lm[:, :2].mean(axis=0)
    x0, y0 = lm[:, :2].min(axis=0)
    x1, y1 = lm[:, :2].max(axis=0)
    side = max(x1 - x0, y1 - y0) * 1.05
    m = _affine(centre[0], centre[1], side, angle, 64)
    crop = cv2.cvtColor(_crop(bgr, m, 64), cv2.COLOR_BGR2GRAY).astype(np.float32) / 127.5 - 1.0
    p = _models()["fer"](crop[:, :, None])["Identity"][0].astype(np.float64)
    if p.min() < 0 or abs(p.sum() - 1.0) > 0.01:  # logits, not probabilities
        p = np.exp(p - p.max())
    return p / p.sum()


def _expression(bgr: np.ndarray, lm: np.ndarray) -> str:
    """'smile' | 'tense' | 'neutral' from the fer model's probabilities."""
    p = expression_probs(bgr, lm)
    if p[3] >= SMILE_PROB:
        return "smile"
    if float(p[list(TENSE_LABELS)].sum()) >= TENSE_PROB:
        return "tense"
    return "neutral"


def analyse_frame(bgr: np.ndarray, t: float, *, try_haar: bool = True, eye: int | None = None) -> FrameSample:
    """Everything we measure on one frame (face found -> pose, gaze, expression, light, framing)."""
    return _analyse(bgr, t, try_haar=try_haar, eye=eye)[0]


def _roi_from_mesh(lm: np.ndarray) -> _Face:
    """Next frame's ROI from this frame's landmarks (MediaPipe-style tracking: skips the detector)."""
    x0, y0 = lm[:, :2].min(axis=0)
    x1, y1 = lm[:, :2].max(axis=0)
    a, b = lm[_EYE_A[0], :2], lm[_EYE_B[1], :2]
    angle = math.atan2(b[1] - a[1], b[0] - a[0])
    return _Face(
        float((x0 + x1) / 2), float((y0 + y1) / 2), float(max(x1 - x0, y1 - y0) * 1.5), angle, "track"
    )


def _analyse(
    bgr: np.ndarray, t: float, *, prior: _Face | None = None, try_haar: bool = True, eye: int | None = None
) -> tuple[FrameSample, _Face | None]:
    """One frame's sample plus the ROI to try first on the next frame (None: detect again)."""
    lm = None
    if prior is not None:
        lm, flag = _mesh(bgr, prior)
        if flag < LANDMARK_THRESHOLD:
            lm = None
    if lm is None:
        face = _detect_blaze(bgr) or (_detect_haar(bgr) if try_haar else None)
        if face is None:
            return FrameSample(t=t, face=False), None
        lm, flag = _mesh(bgr, face)
        if flag < LANDMARK_THRESHOLD:
            if face.source == "haar":  # Haar alone fires on backgrounds; trust it only with the mesh.
                return FrameSample(t=t, face=False), None
            return _coarse_sample(bgr, face, t), None
    h, w = bgr.shape[:2]
    x0, y0 = lm[:, :2].min(axis=0)
    x1, y1 = lm[:, :2].max(axis=0)
    fw = float(x1 - x0)
    yaw, pitch = _head_pose(lm)
    frontal = abs(yaw) <= MAX_YAW_DEG and abs(pitch) <= MAX_PITCH_DEG
    iris = _iris_offset(bgr, lm, eye) if frontal else 0.0
    looking = frontal and abs(iris) <= MAX_IRIS_OFFSET
    bright, contrast = _light(bgr, x0, y0, x1, y1)
    sample = FrameSample(
        t=t,
        face=True,
        looking=looking,
        expression=_expression(bgr, lm),
        cx=float((x0 + x1) / 2 / w),
        cy=float((y0 + y1) / 2 / h),
        size=fw / min(h, w),
        width_px=fw,
        px=float((x0 + x1) / 2),
        py=float((y0 + y1) / 2),
        brightness=bright,
        contrast=contrast,
        yaw=yaw,
        pitch=pitch,
        iris=iris,
    )
    return sample, _roi_from_mesh(lm)


def _coarse_sample(bgr: np.ndarray, face: _Face, t: float) -> FrameSample:
    """A face the detector sees but the mesh rejects (strongly turned): visible, not looking."""
    h, w = bgr.shape[:2]
    half = face.side / 3
    bright, contrast = _light(bgr, face.cx - half, face.cy - half, face.cx + half, face.cy + half)
    return FrameSample(
        t=t,
        face=True,
        looking=False,
        cx=face.cx / w,
        cy=face.cy / h,
        size=2 * half / min(h, w),
        width_px=2 * half,
        px=face.cx,
        py=face.cy,
        brightness=bright,
        contrast=contrast,
    )


def _light(bgr: np.ndarray, x0: float, y0: float, x1: float, y1: float) -> tuple[float, float]:
    """Mean and std of gray on the inner face box (skips hair and background at the edges)."""
    h, w = bgr.shape[:2]
    dx, dy = (x1 - x0) * 0.15, (y1 - y0) * 0.15
    xa, xb = max(0, int(x0 + dx)), min(w, int(x1 - dx))
    ya, yb = max(0, int(y0 + dy)), min(h, int(y1 - dy))
    if xb - xa < 2 or yb - ya < 2:
        xa, xb, ya, yb = 0, w, 0, h
    roi = cv2.cvtColor(bgr[ya:yb, xa:xb], cv2.COLOR_BGR2GRAY)
    return float(roi.mean()), float(roi.std())


# --------------------------------------------------------------------------- measure


def sample_frames(path: str | os.PathLike, info: VideoInfo, sample_fps: float = SAMPLE_FPS):
    """Yield (t, bgr) at ~sample_fps; other frames are only grabbed (decoded, not converted)."""
    cap = cv2.VideoCapture(str(path), cv2.CAP_FFMPEG)
    if not cap.isOpened():
        raise VideoError(NOT_A_VIDEO)
    try:
        step = 1.0 / sample_fps
        next_t = 0.0
        index = 0
        while cap.grab():
            pos = cap.get(cv2.CAP_PROP_POS_MSEC) / 1000.0
            t = pos if pos > 0 or index == 0 else index / info.fps
            index += 1
            if t + 1e-6 < next_t:
                continue
            ok, frame = cap.retrieve()
            if not ok or frame is None:
                continue
            next_t += step * max(1, math.floor((t - next_t) / step + 1e-9) + 1)
            yield t, frame
    finally:
        cap.release()


def measure(
    path: str | os.PathLike,
    *,
    max_duration_s: float = MAX_DURATION_S,
    min_duration_s: float = MIN_DURATION_S,
) -> VideoMetrics:
    """Probe, sample and analyse a video answer; raises VideoError for anything we cannot score.

    A file whose header claims a long duration but whose frames span less than `min_duration_s`
    is refused as too short, with the decoded length.
    """
    info = probe(path, max_duration_s=max_duration_s, min_duration_s=min_duration_s)
    samples: list[FrameSample] = []
    last_face_t, last_haar_t = 0.0, -HAAR_EVERY_S
    prior: _Face | None = None
    try:
        for t, frame in sample_frames(path, info):
            try_haar = t - last_face_t <= HAAR_EVERY_S or t - last_haar_t >= HAAR_EVERY_S - 1e-6
            last_haar_t = t if try_haar else last_haar_t
            sample, prior = _analyse(frame, t, prior=prior, try_haar=try_haar, eye=len(samples) % 2)
            last_face_t = t if sample.face else last_face_t
            samples.append(sample)
    except cv2.error as exc:
        logger.warning("decode failed after %d samples: %s", len(samples), exc)
    if not samples:
        raise VideoError(NOT_A_VIDEO)
    span = samples[-1].t + 1.0 / info.fps
    if span + 1.0 / SAMPLE_FPS + DURATION_SLACK_S < min_duration_s:
        raise too_short(span, min_duration_s)
    if not any(s.face for s in samples):
        raise VideoError(NO_FACE)
    speech = audio.analyse(path) if info.has_audio else None
    return aggregate(samples, info.duration_s, speech, has_audio=info.has_audio)


def aggregate(
    samples: list[FrameSample], duration_s: float, speech: audio.SpeechStats | None, *, has_audio: bool
) -> VideoMetrics:
    """Per-frame samples -> the raw measurements (fractions of time, medians, RMS)."""
    n = len(samples)
    faces = [s for s in samples if s.face]
    nf = max(1, len(faces))

    def frac(pred) -> float:
        return sum(1 for s in faces if pred(s)) / nf

    def mean(values: list[float]) -> float | None:
        return float(np.mean(values)) if values else None

    moves = [
        math.hypot(b.px - a.px, b.py - a.py) / ((a.width_px + b.width_px) / 2)
        for a, b in zip(samples, samples[1:], strict=False)
        if a.face and b.face and a.width_px and b.width_px
    ]
    return VideoMetrics(
        duration_s=float(duration_s),
        sample_fps=SAMPLE_FPS,
        frames_analysed=n,
        face_visible_fraction=len(faces) / n,
        looking_at_camera_fraction=frac(lambda s: s.looking),
        smile_fraction=frac(lambda s: s.expression == "smile"),
        neutral_fraction=frac(lambda s: s.expression == "neutral"),
        tense_fraction=frac(lambda s: s.expression == "tense"),
        head_motion_rms=float(np.sqrt(np.mean(np.square(moves)))) if moves else None,
        face_center_offset=mean([math.hypot(s.cx - 0.5, s.cy - 0.5) for s in faces]),
        face_size_fraction=float(np.median([s.size for s in faces])) if faces else None,
        mean_face_brightness=mean([s.brightness for s in faces]),
        face_contrast=mean([s.contrast for s in faces]),
        speech_seconds=speech.speech_seconds if speech else None,
        long_pauses=speech.long_pauses if speech else None,
        longest_pause_s=speech.longest_pause_s if speech else None,
        speech_pace=speech.pace_spm if speech else None,
        has_audio=has_audio,
        samples=samples,
        speech_segments=list(speech.segments) if speech else [],
    )
