"""Export approved experiences as JSON in the import format; anonymised unless personal data is asked for.

By default no personal data leaves: no names, LinkedIn links, roll numbers or user ids, even of authors who
posted under their name (the safer choice: an export file travels further than the bot). With
`with_personal_data` the name, LinkedIn and roll number of authors who posted under their name are
included; anonymous authors are never revealed, not even then.
"""

from __future__ import annotations

import logging
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import selectinload

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


def record(experience: Experience, with_personal_data: bool) -> dict[str, Any]:
    """One experience in the import columns; personal fields only when allowed and not anonymous."""
    personal = with_personal_data and not experience.anonymous
    return {
        "name": experience.author_name if personal and experience.author_name else None,
        "linkedin": experience.linkedin_url if personal else None,
        "roll_number": experience.roll_number if personal else None,
        "branch": experience.branch,
        "passout_year": experience.passout_year,
        "company": experience.company.name,
        "interview_year": experience.interview_year,
        "role": experience.role,
        "role_description": experience.role_description,
        "source": experience.source,
        "rounds": [
            {
                "kind": r.kind,
                "difficulty": r.difficulty,
                "duration_minutes": r.duration_minutes,
                "questions": [q.text for q in r.questions],
            }
            for r in experience.rounds
        ],
        "preparation": experience.preparation,
        "reflections": experience.reflections,
        "outcome": experience.outcome,
        "difficulty": experience.difficulty,
        "rating": experience.rating,
        "anonymous": experience.anonymous or not personal,
        "status": "approved",
        "verified": experience.verified,
    }
