"""Which sharing rules apply to a student: config.yaml's `submission`, with their college's own roll-number
format and branches where the college sets them (issue #15; `Services.submission_for`)."""

from __future__ import annotations

import logging

from core.config import SubmissionConfig
from core.dialog.steps import DialogContext

logger = logging.getLogger(__name__)


def submission_of(ctx: DialogContext) -> SubmissionConfig:
    """The sharing rules of the student's college (its roll-number format and branches, else config's)."""
    try:
        college_id = ctx.actor.college_id
    except RuntimeError:  # a context without a sender (e.g. reading a pasted write-up for a form)
        college_id = None
    return ctx.services.submission_for(college_id)
