"""The operating policy of mock-interview scoring jobs, shared by the feature, the queue and its worker.

How often a failed scoring job is retried, when an attempt left "scoring" counts as stuck (the lease),
how often the sweep looks for such attempts, and the names the queue knows the sweep and the final
failure by. Here, not in the feature, because storage/queue.py (which may not import features) needs
them too.
"""

from __future__ import annotations

import logging

from core.config import MockConfig

logger = logging.getLogger(__name__)

#: What the student is told when scoring failed for a reason of ours (not their video): the in-process
#: path's reply for an unexpected error, the queue's final failure and the stuck-attempt sweep.
SCORING_FAILED = "Something went wrong while scoring this video; please try recording it again."
#: The durable queue runs a scoring job that raised (an infrastructure failure: the use case answers
#: every other failure itself) this many more times, SCORE_RETRY_WAIT_S seconds apart (storage/queue.py).
SCORE_RETRIES = 2
SCORE_RETRY_WAIT_S = 5
#: Added to the longest a scoring may take with its retries before an attempt counts as stuck.
SWEEP_MARGIN_S = 600.0
#: How often the sweep of stuck attempts runs (queue workers: a periodic task; in-process: the bot).
SWEEP_INTERVAL_S = 300.0

#: The periodic sweep of stuck mock attempts (Mock.sweep_stuck), a task of the workers' own.
TASK_SWEEP_SCORING = "mock.sweep_stuck"
#: Not a task: the handler storage/queue.py calls when a scoring job failed for the last time.
GIVE_UP_SCORING = "mock.give_up"


def scoring_lease_s(mock: MockConfig) -> float:
    """Seconds after which an attempt still "scoring" and not being scored anywhere is stuck.

    Every run is bounded by mock.timeout_s, and the queue runs a job up to 1 + SCORE_RETRIES times with
    SCORE_RETRY_WAIT_S between runs; SWEEP_MARGIN_S covers the wait for a free worker and a dead worker's
    job being handed back (queue.stalled_after_s, 60 s by default). 300 s timeout: 1,510 s (about 25 min).
    """
    runs = 1 + SCORE_RETRIES
    return mock.timeout_s * runs + SCORE_RETRY_WAIT_S * SCORE_RETRIES + SWEEP_MARGIN_S
