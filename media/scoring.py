"""VideoMetrics -> Scorecard: each observable metric scored 0-100 with a one-line coaching tip.

Pure functions. Scores are piecewise-linear ramps between documented thresholds (constants below);
they describe what the camera and microphone observed and never judge confidence or hireability.
Every tip states the measurement it comes from ("You spoke for 2.1 s of 10.0 s"), and nothing is
praised that was not observed: with a sound track but no speech the answer gets no credit for flow
or pace, its pauses line scores 0 and the overall is capped (NO_SPEECH_OVERALL_MAX); a metric that
could not be measured is left out rather than given a made-up middle score.
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
#: Less speech than this (seconds, webrtcvad) in a file with a sound track counts as "no speech".
MIN_SPEECH_S = 1.0
#: Overall ceiling of an answer with a sound track and no speech: the camera lines still show what
#: they measured, but an answer nobody heard is not a good answer (40 reads as "needs work").
NO_SPEECH_OVERALL_MAX = 40
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
    notes: tuple[str, ...] = ()  # what was not measured, or why the overall is capped

    def scores(self) -> dict[str, int]:
        """{metric key: 0-100}."""
        return {m.key: m.score for m in self.items}

    def tips(self) -> dict[str, str]:
        """{metric key: one-line tip}."""
        return {m.key: m.tip for m in self.items}

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready {"overall", "scores", "tips", "labels", "notes"}."""
        return {
            "overall": self.overall,
            "scores": self.scores(),
            "tips": self.tips(),
            "labels": {m.key: m.label for m in self.items},
            "notes": list(self.notes),
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
        return s, (
            f"You smiled {_pct(smile)} of the time your face was in view; a brief smile when you greet "
            "and when you finish helps."
        )
    return s, f"You smiled {_pct(smile)} of the time your face was in view; a friendly, open expression."


def score_steadiness(rms: float | None) -> tuple[float, str] | None:
    """RMS head movement between samples, in face widths; None when never seen in two frames running."""
    if rms is None:
        return None
    s = ramp(-rms, -HEAD_MOTION_RAMP[1], -HEAD_MOTION_RAMP[0])
    moved = f"Your face moved {rms:.2f} face widths per 0.2 s (RMS)"
    if s >= 90:
        return s, f"{moved}: your head and the camera stayed steady."
    return s, f"{moved}: a lot of head or camera movement; rest the phone on something and sit still."


def score_framing(offset: float | None, size: float | None) -> tuple[float, str] | None:
    """Face near the centre and neither tiny nor cut off; the worse of the two decides (None: no face)."""
    if offset is None or size is None:
        return None
    centre = ramp(-offset, -CENTER_OFFSET_RAMP[1], -CENTER_OFFSET_RAMP[0])
    sized = band(size, TOO_SMALL, IDEAL_SIZE, TOO_BIG)
    seen = f"Your face was {_pct(size)} of the frame wide and {_pct(offset)} off centre"
    if sized < centre and size < IDEAL_SIZE[0]:
        return sized, f"{seen}: it looks small; move closer so it fills about a third of the frame."
    if sized < centre:
        return sized, f"{seen}: you are very close to the camera; move back so your shoulders show."
    if centre < 90:
        return centre, f"{seen}: it is off-centre; move the camera so your face sits in the middle."
    return min(centre, sized), f"{seen}: well framed, centred and at a good distance."


def score_lighting(brightness: float | None, contrast: float | None) -> tuple[float, str] | None:
    """Exposure and contrast on the face; the worse of the two decides (None: no face)."""
    if brightness is None or contrast is None:
        return None
    exposure = band(brightness, TOO_DARK, IDEAL_BRIGHTNESS, TOO_BRIGHT)
    detail = ramp(contrast, *CONTRAST_RAMP)
    seen = f"Face brightness {brightness:.0f} of 255, contrast {contrast:.0f}"
    if exposure < 90 and brightness < IDEAL_BRIGHTNESS[0]:
        worst = min(exposure, detail)
        return (
            worst,
            f"{seen}: your face is dark; face a window or lamp instead of sitting with it behind you.",
        )
    if exposure < 90:
        worst = min(exposure, detail)
        return (
            worst,
            f"{seen}: your face is over-exposed; move away from direct light or turn the lamp aside.",
        )
    if detail < 90:
        return detail, f"{seen}: your face looks flat and washed out; use softer light from the front-side."
    return 100.0, f"{seen}: your face is well lit."


def score_speaking(speech_s: float, duration_s: float) -> tuple[float, str]:
    """Share of the answer spent speaking (seconds of speech found by webrtcvad)."""
    share = speech_s / duration_s if duration_s > 0 else 0.0
    s = ramp(share, *SPEECH_SHARE_RAMP)
    spoke = f"You spoke for {speech_s:.1f} s of {duration_s:.1f} s"
    if speech_s < MIN_SPEECH_S:
        return 0.0, f"{spoke}: I heard no speech; check the microphone and answer out loud."
    if s >= 90:
        return s, f"{spoke}; a full answer."
    return s, f"{spoke} ({_pct(share)}); use the time to give an example."


def score_pauses(
    long_pauses: int, longest_s: float | None, speech_s: float, duration_s: float
) -> tuple[float, str]:
    """Silences of 2 s or more between stretches of speech, per minute; no speech at all scores 0."""
    if speech_s < MIN_SPEECH_S:
        return 0.0, f"No speech was heard, so all {duration_s:.1f} s were silence."
    per_min = long_pauses / max(duration_s / 60.0, 0.5)
    s = max(0.0, 100.0 - PAUSE_PENALTY * per_min)
    longest = f"longest gap {longest_s:.1f} s" if longest_s else "no gap between words"
    if long_pauses == 0:
        return s, f"No silence of 2 s or more while you spoke ({longest}); your answer flowed."
    return s, (
        f"{long_pauses} silence{'s' if long_pauses > 1 else ''} of 2 s or more while you spoke ({longest}); "
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


def _get(metrics: Any, key: str, default: Any = None) -> Any:
    """Read a field from a VideoMetrics or its dict (`default` when a dict lacks it)."""
    return metrics.get(key, default) if isinstance(metrics, Mapping) else getattr(metrics, key, default)


def score(metrics: Any) -> Scorecard:
    """Scorecard of a VideoMetrics (or its to_dict()); audio lines only when there was a sound track.

    Lines that could not be measured are left out and said in `notes`; an answer with a sound track
    and less than MIN_SPEECH_S of speech is capped at NO_SPEECH_OVERALL_MAX overall.
    """
    found: dict[str, tuple[float, str] | None] = {
        "face_visible": score_face_visible(_get(metrics, "face_visible_fraction")),
        "eye_contact": score_eye_contact(_get(metrics, "looking_at_camera_fraction")),
        "expression": score_expression(_get(metrics, "smile_fraction"), _get(metrics, "tense_fraction")),
        "steadiness": score_steadiness(_get(metrics, "head_motion_rms")),
        "framing": score_framing(_get(metrics, "face_center_offset"), _get(metrics, "face_size_fraction")),
        "lighting": score_lighting(_get(metrics, "mean_face_brightness"), _get(metrics, "face_contrast")),
    }
    notes: list[str] = []
    if found["steadiness"] is None:
        notes.append("Head steadiness was not measured: your face was never in view in two frames running.")
    speech_s = _get(metrics, "speech_seconds")
    duration = float(_get(metrics, "duration_s"))
    silent = speech_s is not None and speech_s < MIN_SPEECH_S
    if speech_s is None:
        notes.append("This video has no sound track, so speaking time, pauses and pace were not measured.")
    else:
        found["speaking"] = score_speaking(speech_s, duration)
        found["pauses"] = score_pauses(
            _get(metrics, "long_pauses") or 0, _get(metrics, "longest_pause_s"), speech_s, duration
        )
        found["pace"] = None if silent else score_pace(_get(metrics, "speech_pace"))
        if found["pace"] is None and not silent:
            notes.append(f"Pace was not measured: {speech_s:.1f} s of speech is too little (2 s needed).")
    parts = {k: v for k, v in found.items() if v is not None}
    items = tuple(MetricScore(k, LABELS[k], round(s), tip) for k, (s, tip) in parts.items())
    total_w = sum(WEIGHTS[m.key] for m in items)
    overall = round(sum(WEIGHTS[k] * s for k, (s, _) in parts.items()) / total_w)
    if silent and overall > NO_SPEECH_OVERALL_MAX:
        overall = NO_SPEECH_OVERALL_MAX
        notes.append(f"No speech was heard, so the overall score is capped at {NO_SPEECH_OVERALL_MAX}.")
    return Scorecard(overall=overall, items=items, notes=tuple(notes))
