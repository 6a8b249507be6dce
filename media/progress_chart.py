"""A student's mock-interview progress: each metric over attempts, as one PNG readable on a phone."""

from __future__ import annotations

import io
import logging
from collections.abc import Mapping, Sequence

from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure

from media.mpl_setup import literal_text

logger = logging.getLogger(__name__)


def render(
    labels: Mapping[str, str], attempts: Sequence[Mapping[str, float]], overall: Sequence[float]
) -> bytes:
    """Lines of the overall score (thick) and each metric (thin) across attempts 1..N.

    Labels are drawn as written; object API (no pyplot state), so it is safe in worker threads.
    """
    literal_text()
    xs = list(range(1, len(overall) + 1))
    fig = Figure(figsize=(8, 6), dpi=135)
    FigureCanvasAgg(fig)
    ax = fig.add_subplot()
    try:
        ax.plot(xs, overall, marker="o", linewidth=4, color="#1f4e79", label="Overall")
        for key, label in labels.items():
            values = [scores.get(key) for scores in attempts]
            if all(v is None for v in values):
                continue
            ax.plot(
                xs,
                [v if v is not None else float("nan") for v in values],
                marker=".",
                linewidth=1.6,
                alpha=0.85,
                label=label,
            )
        ax.set_ylim(0, 105)
        ax.set_xticks(xs)
        ax.set_xlabel("Attempt", fontsize=14)
        ax.set_ylabel("Score (0-100)", fontsize=14)
        ax.set_title("Your mock-interview progress", fontsize=17, weight="bold")
        ax.tick_params(labelsize=12)
        ax.grid(alpha=0.3)
        ax.legend(fontsize=10, loc="lower right", ncol=2, framealpha=0.9)
        fig.tight_layout()
        buffer = io.BytesIO()
        fig.savefig(buffer, format="png")
        return buffer.getvalue()
    finally:
        fig.clear()
