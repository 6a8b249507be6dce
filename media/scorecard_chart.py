"""Scorecard -> one PNG a phone can read: per-metric bars and a timeline of face / eye contact / speech."""

from __future__ import annotations

import io
import logging
from collections.abc import Mapping
from typing import Any

from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure

from media.mpl_setup import literal_text

logger = logging.getLogger(__name__)

GOOD, OK, POOR = "#2e9d5b", "#e0a526", "#d0473d"
OFF = "#e6e6e6"


def _colour(score: float) -> str:
    return GOOD if score >= 75 else OK if score >= 50 else POOR


def _as_dict(obj: Any) -> Mapping[str, Any]:
    """Scorecard / VideoMetrics objects or their to_dict() output."""
    return obj if isinstance(obj, Mapping) else obj.to_dict()


def _runs(times: list[float], flags: list[bool], step: float) -> list[tuple[float, float]]:
    """(start, width) spans where consecutive samples are True (each sample covers `step` s)."""
    spans: list[list[float]] = []
    for t, on in zip(times, flags, strict=False):
        if not on:
            continue
        if spans and t - (spans[-1][0] + spans[-1][1]) <= step * 0.51:
            spans[-1][1] = t + step - spans[-1][0]
        else:
            spans.append([t, step])
    return [(a, w) for a, w in spans]


def render(scorecard: Any, metrics: Any) -> bytes:
    """PNG bytes: overall score, a bar per metric (0-100), and the timeline strip; labels drawn as written."""
    literal_text()
    card = _as_dict(scorecard)
    m = _as_dict(metrics)
    labels = card.get("labels") or {k: k for k in card["scores"]}
    keys = list(card["scores"])
    scores = [card["scores"][k] for k in keys]

    fig = Figure(figsize=(6, 1.6 + 0.55 * len(keys) + 1.6), dpi=150)
    FigureCanvasAgg(fig)
    grid = fig.add_gridspec(2, 1, height_ratios=[0.55 * len(keys) + 0.6, 1.5], hspace=0.45)
    ax = fig.add_subplot(grid[0])
    y = list(range(len(keys)))[::-1]
    ax.barh(y, [100] * len(keys), color=OFF, height=0.62)
    ax.barh(y, scores, color=[_colour(s) for s in scores], height=0.62)
    for yi, s in zip(y, scores, strict=False):
        ax.text(min(s, 100) + 1.5 if s < 86 else s - 1.5, yi, f"{s}", va="center",
                ha="left" if s < 86 else "right", fontsize=11, fontweight="bold",
                color="#222" if s < 86 else "white")  # fmt: skip
    ax.set_yticks(y, [labels.get(k, k) for k in keys], fontsize=11)
    ax.set_xlim(0, 100)
    ax.set_xticks([0, 50, 100])
    ax.tick_params(axis="x", labelsize=9)
    for side in ("top", "right"):
        ax.spines[side].set_visible(False)
    ax.set_title(f"Overall {card['overall']}/100", fontsize=16, fontweight="bold", loc="left")

    duration = float(m.get("duration_s") or 0) or 1.0
    step = 1.0 / float(m.get("sample_fps") or 5.0)
    samples = m.get("samples") or []
    times = [float(s["t"]) for s in samples]
    rows = [
        ("Face", _runs(times, [bool(s["face"]) for s in samples], step)),
        ("Eye contact", _runs(times, [bool(s.get("looking")) for s in samples], step)),
    ]
    if m.get("speech_seconds") is not None:
        rows.append(("Speech", [(a, b - a) for a, b in m.get("speech_segments") or []]))
    tl = fig.add_subplot(grid[1])
    for i, (_name, spans) in enumerate(rows):
        yi = len(rows) - 1 - i
        tl.broken_barh([(0, duration)], (yi - 0.35, 0.7), color=OFF)
        tl.broken_barh(spans, (yi - 0.35, 0.7), color=GOOD)
    tl.set_yticks(range(len(rows))[::-1], [r[0] for r in rows], fontsize=11)
    tl.set_xlim(0, duration)
    tl.set_xlabel("seconds into your answer", fontsize=10)
    tl.tick_params(axis="x", labelsize=9)
    for side in ("top", "right", "left"):
        tl.spines[side].set_visible(False)
    tl.set_title("Over time (green = yes)", fontsize=11, loc="left")

    buf = io.BytesIO()
    try:
        fig.savefig(buf, format="png", bbox_inches="tight")
    finally:
        fig.clear()
    return buf.getvalue()
