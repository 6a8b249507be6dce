"""Export approved experiences as JSON in the import format; anonymised unless personal data is asked for.

By default no personal data leaves: no names, LinkedIn links, roll numbers or user ids, even of authors who
posted under their name (the safer choice: an export file travels further than the bot). With
`with_personal_data` the name, LinkedIn and roll number of authors who posted under their name are
included; anonymous authors are never revealed, not even then. The free text is always the public,
masked text (core/domain/privacy.py): no e-mail, phone or roll number in it, and no name of an anonymous
author, in either mode.
"""

from __future__ import annotations

import logging
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from core.analytics.text import ExperienceText
from storage.analysis import Author, mask_experience_text
from storage.models import Experience, Round
from storage.repos import Sessions

logger = logging.getLogger(__name__)

FORMAT = "interview-insights-experiences"
BATCH = 500


async def export_experiences(
    sessions: Sessions, *, now: datetime, with_personal_data: bool = False
) -> dict[str, Any]:
    """Every approved experience, oldest first, as an importable document."""
    records: list[dict[str, Any]] = []
    last_id = 0
    async with sessions() as session:
        while True:
            batch = (
                await session.scalars(
                    select(Experience)
                    .options(
                        selectinload(Experience.company),
                        selectinload(Experience.rounds).selectinload(Round.questions),
                    )
                    .where(Experience.status == "approved", Experience.id > last_id)
                    .order_by(Experience.id)
                    .limit(BATCH)
                )
            ).all()
            if not batch:
                break
            records += [record(e, with_personal_data) for e in batch]
            last_id = batch[-1].id
            session.expunge_all()
    logger.info("exported %d experiences (personal data: %s)", len(records), with_personal_data)
    return {
        "format": FORMAT,
        "version": 1,
        "exported_at": now.isoformat(),
        "personal_data": with_personal_data,
        "experiences": records,
    }


def public_text(experience: Experience) -> ExperienceText:
    """The experience's public text as stored, masked here too when it never was (published before
    migration 0006 and not caught up by `analyse_all` yet): an export never carries unmasked text."""
    text = ExperienceText(
        role=experience.role,
        role_description=experience.role_description,
        preparation=experience.preparation,
        reflections=experience.reflections,
        questions=[(r.kind, q.text) for r in experience.rounds for q in r.questions],
    )
    if experience.masked_personal_data is not None:
        return text
    author = Author(
        experience.author_name, experience.roll_number, experience.linkedin_url, experience.anonymous
    )
    return mask_experience_text(text, author)[0]


def record(experience: Experience, with_personal_data: bool) -> dict[str, Any]:
    """One experience in the import columns; personal fields only when allowed and not anonymous.

    The free text is the public, masked text (core/domain/privacy.py) in both modes: e-mails, phones and
    roll numbers in it are never exported, and `with_personal_data` adds only the private columns.
    """
    personal = with_personal_data and not experience.anonymous
    text = public_text(experience)
    questions = iter(q for _, q in text.questions)
    return {
        "name": experience.author_name if personal and experience.author_name else None,
        "linkedin": experience.linkedin_url if personal else None,
        "roll_number": experience.roll_number if personal else None,
        "branch": experience.branch,
        "passout_year": experience.passout_year,
        "company": experience.company.name,
        "interview_year": experience.interview_year,
        "role": text.role,
        "role_description": text.role_description,
        "source": experience.source,
        "rounds": [
            {
                "kind": r.kind,
                "difficulty": r.difficulty,
                "duration_minutes": r.duration_minutes,
                "questions": [next(questions) for _ in r.questions],
            }
            for r in experience.rounds
        ],
        "preparation": text.preparation,
        "reflections": text.reflections,
        "outcome": experience.outcome,
        "difficulty": experience.difficulty,
        "rating": experience.rating,
        "anonymous": experience.anonymous or not personal,
        "status": "approved",
        "verified": experience.verified,
    }
