"""VideoMetrics -> Scorecard: each observable metric scored 0-100 with a one-line coaching tip.

Pure functions. Scores are piecewise-linear ramps between documented thresholds (constants below);
they describe what the camera and microphone observed and never judge confidence or hireability.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

logger = logging.getLogger(__name__)

#: Face in view: share of the answer. <= 50% scores 0, >= 95% scores 100.
FACE_VISIBLE_RAMP = (0.50, 0.95)
#: Looking at the camera: share of the time the face is in view. <= 30% -> 0, >= 80% -> 100.
EYE_CONTACT_RAMP = (0.30, 0.80)
#: Expression: a neutral face scores EXPRESSION_BASE; smiling up to SMILE_FULL of the time adds the
#: rest; tense time beyond TENSE_FREE costs TENSE_PENALTY points per 100% tense.
EXPRESSION_BASE = 70.0
SMILE_FULL = 0.20
TENSE_FREE = 0.10
TENSE_PENALTY = 120.0
#: Head steadiness: RMS face movement between samples (face widths per 0.2 s). <= 0.03 -> 100, >= 0.15 -> 0.
HEAD_MOTION_RAMP = (0.03, 0.15)
#: Framing: face centre offset (fraction of frame) <= 0.08 -> 100, >= 0.30 -> 0.
CENTER_OFFSET_RAMP = (0.08, 0.30)
#: Framing: face width / shorter frame side; full marks between IDEAL_SIZE, 0 at TOO_SMALL / TOO_BIG.
TOO_SMALL, IDEAL_SIZE, TOO_BIG = 0.10, (0.25, 0.60), 0.90
#: Lighting: mean gray on the face (0-255); full marks between IDEAL_BRIGHTNESS, 0 at TOO_DARK / TOO_BRIGHT.
TOO_DARK, IDEAL_BRIGHTNESS, TOO_BRIGHT = 35.0, (85.0, 190.0), 240.0
#: Lighting: std of gray on the face; <= 8 is a flat, washed-out face (0), >= 25 shows features (100).
CONTRAST_RAMP = (8.0, 25.0)
#: Speaking time: share of the answer with speech. <= 15% -> 0, >= 50% -> 100.
SPEECH_SHARE_RAMP = (0.15, 0.50)
#: Long pauses (>= 2 s) per minute: each costs PAUSE_PENALTY points.
PAUSE_PENALTY = 25.0
#: Pace in syllables per minute of speaking: full marks between IDEAL_PACE, 0 at TOO_SLOW / TOO_FAST.
TOO_SLOW, IDEAL_PACE, TOO_FAST = 90.0, (170.0, 300.0), 400.0

#: Weights of each metric in the overall score (audio metrics only count when there is sound).
WEIGHTS = {
    "face_visible": 1.0,
    "eye_contact": 1.5,
    "expression": 1.0,
    "steadiness": 1.0,
    "framing": 1.0,
    "lighting": 1.0,
    "speaking": 1.5,
    "pauses": 1.0,
    "pace": 1.0,
}
LABELS = {
    "face_visible": "Face in view",
    "eye_contact": "Looking at the camera",
    "expression": "Expression",
    "steadiness": "Head steadiness",
    "framing": "Framing",
    "lighting": "Lighting",
    "speaking": "Speaking time",
    "pauses": "Long pauses",
    "pace": "Speech pace",
}


@dataclass(frozen=True)
class MetricScore:
    """One line of the scorecard."""

    key: str
    label: str
    score: int
    tip: str


@dataclass(frozen=True)
class Scorecard:
    """Overall 0-100 plus each metric's score and tip, in display order."""

    overall: int
    items: tuple[MetricScore, ...]

    def scores(self) -> dict[str, int]:
        """{metric key: 0-100}."""
        return {m.key: m.score for m in self.items}

    def tips(self) -> dict[str, str]:
        """{metric key: one-line tip}."""
        return {m.key: m.tip for m in self.items}

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready {"overall", "scores", "tips", "labels"}."""
        return {
            "overall": self.overall,
            "scores": self.scores(),
            "tips": self.tips(),
            "labels": {m.key: m.label for m in self.items},
        }


def ramp(value: float, low: float, high: float) -> float:
    """0 at or below `low`, 100 at or above `high`, linear between (reversed if low > high)."""
    if low == high:
        return 100.0 if value >= high else 0.0
    x = (value - low) / (high - low)
    return 100.0 * min(1.0, max(0.0, x))


def band(value: float, zero_low: float, ideal: tuple[float, float], zero_high: float) -> float:
    """100 inside `ideal`, falling linearly to 0 at zero_low and zero_high."""
    lo, hi = ideal
    if value < lo:
        return ramp(value, zero_low, lo)
    if value > hi:
        return ramp(value, zero_high, hi)
    return 100.0


def _pct(x: float) -> str:
    return f"{round(100 * x)}%"


def score_face_visible(fraction: float) -> tuple[float, str]:
    """Share of the answer with a face in view."""
    s = ramp(fraction, *FACE_VISIBLE_RAMP)
    if s >= 90:
        return s, f"Your face was in view {_pct(fraction)} of the time; keep it that way."
    return (
        s,
        f"Your face was in view {_pct(fraction)} of the time; prop the phone at eye level and stay in frame.",
    )


def score_eye_contact(fraction: float) -> tuple[float, str]:
    """Share of the visible time spent facing the camera."""
    s = ramp(fraction, *EYE_CONTACT_RAMP)
    if s >= 90:
        return (
            s,
            f"While in view you faced the camera {_pct(fraction)} of the time; that reads as eye contact.",
        )
    return s, (
        f"While in view you faced the camera {_pct(fraction)} of the time; look at the lens, not the screen, "
        "especially when you start and finish a point."
    )


def score_expression(smile: float, tense: float) -> tuple[float, str]:
    """Neutral is fine, some smiling helps, a lot of tense time costs points."""
    s = EXPRESSION_BASE + (100 - EXPRESSION_BASE) * min(1.0, smile / SMILE_FULL)
    s -= TENSE_PENALTY * max(0.0, tense - TENSE_FREE)
    s = min(100.0, max(0.0, s))
    if tense > 0.3:
        return (
            s,
            f"You looked tense {_pct(tense)} of the time; relax your jaw and brow and breathe out first.",
        )
    if smile < 0.05:
        return s, "Your expression stayed neutral; a brief smile when you greet and when you finish helps."
    return s, f"You smiled {_pct(smile)} of the time; a friendly, open expression."


def score_steadiness(rms: float | None) -> tuple[float, str]:
    """RMS head movement between samples, in face widths."""
    if rms is None:
        return 50.0, "Too little of your face was visible to judge head movement."
    s = ramp(-rms, -HEAD_MOTION_RAMP[1], -HEAD_MOTION_RAMP[0])
    if s >= 90:
        return s, "Your head and the camera stayed steady."
    return s, "There was a lot of head or camera movement; rest the phone on something and sit still."


def score_framing(offset: float | None, size: float | None) -> tuple[float, str]:
    """Face near the centre and neither tiny nor cut off; the worse of the two decides."""
    if offset is None or size is None:
        return 50.0, "Too little of your face was visible to judge framing."
    centre = ramp(-offset, -CENTER_OFFSET_RAMP[1], -CENTER_OFFSET_RAMP[0])
    sized = band(size, TOO_SMALL, IDEAL_SIZE, TOO_BIG)
    if sized < centre and size < IDEAL_SIZE[0]:
        return sized, "Your face looks small in the frame; move closer so it fills about a third of it."
    if sized < centre:
        return sized, "You are very close to the camera; move back so your shoulders show."
    if centre < 90:
        return centre, "Your face is off-centre; move the camera so your face sits in the middle."
    return min(centre, sized), "Well framed: centred and at a good distance."


def score_lighting(brightness: float | None, contrast: float | None) -> tuple[float, str]:
    """Exposure and contrast on the face; the worse of the two decides."""
    if brightness is None or contrast is None:
        return 50.0, "Too little of your face was visible to judge the lighting."
    exposure = band(brightness, TOO_DARK, IDEAL_BRIGHTNESS, TOO_BRIGHT)
    detail = ramp(contrast, *CONTRAST_RAMP)
    if exposure < 90 and brightness < IDEAL_BRIGHTNESS[0]:
        return min(
            exposure, detail
        ), "Your face is dark; face a window or lamp instead of sitting with it behind you."
    if exposure < 90:
        return min(
            exposure, detail
        ), "Your face is over-exposed; move away from direct light or turn the lamp aside."
    if detail < 90:
        return detail, "Your face looks flat and washed out; use softer light from the front-side."
    return 100.0, "Your face is well lit."


def score_speaking(speech_s: float, duration_s: float) -> tuple[float, str]:
    """Share of the answer spent speaking."""
    share = speech_s / duration_s if duration_s > 0 else 0.0
    s = ramp(share, *SPEECH_SHARE_RAMP)
    if s >= 90:
        return s, f"You spoke for {speech_s:.0f} s of {duration_s:.0f} s; a full answer."
    return s, f"You spoke for only {speech_s:.0f} s of {duration_s:.0f} s; use the time to give an example."


def score_pauses(long_pauses: int, duration_s: float) -> tuple[float, str]:
    """Silences of 2 s or more between stretches of speech, per minute."""
    per_min = long_pauses / max(duration_s / 60.0, 0.5)
    s = max(0.0, 100.0 - PAUSE_PENALTY * per_min)
    if long_pauses == 0:
        return s, "No long silences; your answer flowed."
    return s, (
        f"{long_pauses} long pause{'s' if long_pauses > 1 else ''} (2 s or more); "
        "outline your answer (situation, action, result) before you start."
    )


def score_pace(spm: float | None) -> tuple[float, str] | None:
    """Estimated syllables per minute while speaking; None when there was too little speech."""
    if spm is None:
        return None
    s = band(spm, TOO_SLOW, IDEAL_PACE, TOO_FAST)
    if spm > IDEAL_PACE[1]:
        return s, f"You spoke fast (about {spm:.0f} syllables a minute); slow down and pause between points."
    if spm < IDEAL_PACE[0]:
        return s, f"You spoke slowly (about {spm:.0f} syllables a minute); keep a steadier flow."
    return s, f"A comfortable pace (about {spm:.0f} syllables a minute)."


def _get(metrics: Any, key: str) -> Any:
    """Read a field from a VideoMetrics or its dict."""
    return metrics[key] if isinstance(metrics, Mapping) else getattr(metrics, key)


def score(metrics: Any) -> Scorecard:
    """Scorecard of a VideoMetrics (or its to_dict()); audio lines only when there was sound."""
    parts: dict[str, tuple[float, str]] = {
        "face_visible": score_face_visible(_get(metrics, "face_visible_fraction")),
        "eye_contact": score_eye_contact(_get(metrics, "looking_at_camera_fraction")),
        "expression": score_expression(_get(metrics, "smile_fraction"), _get(metrics, "tense_fraction")),
        "steadiness": score_steadiness(_get(metrics, "head_motion_rms")),
        "framing": score_framing(_get(metrics, "face_center_offset"), _get(metrics, "face_size_fraction")),
        "lighting": score_lighting(_get(metrics, "mean_face_brightness"), _get(metrics, "face_contrast")),
    }
    speech_s = _get(metrics, "speech_seconds")
    duration = _get(metrics, "duration_s")
    if speech_s is not None:
        parts["speaking"] = score_speaking(speech_s, duration)
        parts["pauses"] = score_pauses(_get(metrics, "long_pauses") or 0, duration)
        pace = score_pace(_get(metrics, "speech_pace"))
        if pace is not None:
            parts["pace"] = pace
    items = tuple(MetricScore(k, LABELS[k], round(s), tip) for k, (s, tip) in parts.items())
    total_w = sum(WEIGHTS[m.key] for m in items)
    overall = round(sum(WEIGHTS[k] * s for k, (s, _) in parts.items()) / total_w)
    return Scorecard(overall=overall, items=items)
