"""Process-pool entry points: score a video file off the event loop and return picklable results."""

from __future__ import annotations

import logging
import os

import cv2

from media import scorecard_chart, scoring, video

logger = logging.getLogger(__name__)

GENERIC_FAILURE = "Something went wrong while scoring this video; please try recording it again."


def init_worker() -> None:
    """ProcessPoolExecutor initializer: one OpenCV thread per worker process, models loaded once."""
    cv2.setNumThreads(1)
    video._models()


def _score(path: str | os.PathLike, max_duration_s: float) -> tuple[scoring.Scorecard, video.VideoMetrics]:
    """Measure and score, turning any unexpected failure into a VideoError with a friendly reason."""
    try:
        metrics = video.measure(path, max_duration_s=max_duration_s)
        return scoring.score(metrics), metrics
    except video.VideoError:
        raise
    except Exception as exc:  # never let a bad file crash the pool or hang "scoring..."
        logger.exception("scoring failed for %s", path)
        raise video.VideoError(GENERIC_FAILURE) from exc


def _result(card: scoring.Scorecard, metrics: video.VideoMetrics) -> dict:
    return {
        "overall": card.overall,
        "scores": card.scores(),
        "tips": card.tips(),
        "labels": card.to_dict()["labels"],
        "notes": list(card.notes),
        "metrics": metrics.to_dict(),
    }


def score_file(path: str | os.PathLike, *, max_duration_s: float = video.MAX_DURATION_S) -> dict:
    """JSON-ready {"overall", "scores", "tips", "labels", "notes", "metrics"}; raises VideoError (picklable).

    "notes" lists what was not measured and why the overall may be capped (see media.scoring.score).
    """
    card, metrics = _score(path, max_duration_s)
    return _result(card, metrics)


def score_file_with_chart(
    path: str | os.PathLike, *, max_duration_s: float = video.MAX_DURATION_S
) -> tuple[dict, bytes]:
    """score_file's dict plus the scorecard PNG, rendered in the worker too."""
    card, metrics = _score(path, max_duration_s)
    return _result(card, metrics), scorecard_chart.render(card, metrics)
