"""Small row builders shared by the storage tests, so each test says only what matters to it."""

from __future__ import annotations

from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import Company, Experience, Identity, Question, Round, User


async def add(session: AsyncSession, *rows: Any) -> None:
    """Add rows and flush so they get ids."""
    session.add_all(rows)
    await session.flush()


async def user(session: AsyncSession, name: str = "Asha", platform: str = "console", pid: str = "u1") -> User:
    """A user with one identity."""
    row = User(display_name=name)
    row.identities.append(Identity(platform=platform, platform_user_id=pid, username=name.lower()))
    await add(session, row)
    return row


async def company(session: AsyncSession, name: str = "Acme Systems") -> Company:
    """A company with a slug derived from its name."""
    row = Company(name=name, slug=name.lower().replace(" ", "-"))
    await add(session, row)
    return row


async def experience(
    session: AsyncSession, company_row: Company, user_row: User | None = None, **fields: Any
) -> Experience:
    """An experience with one technical round holding two questions."""
    values: dict[str, Any] = {
        "company_id": company_row.id,
        "user_id": user_row.id if user_row else None,
        "author_name": "Asha",
        "branch": "CSE",
        "roll_number": "21CSE1234",
        "passout_year": 2024,
        "interview_year": 2023,
        "role": "SDE",
        "source": "on-campus",
        "outcome": "selected",
        "difficulty": 3,
        "rating": 4,
    }
    values.update(fields)
    row = Experience(**values)
    await add(session, row)
    rnd = Round(experience_id=row.id, position=1, kind="technical", difficulty=3)
    await add(session, rnd)
    for position, text in enumerate(["Reverse a linked list", "Explain ACID"], start=1):
        session.add(
            Question(
                round_id=rnd.id, experience_id=row.id, company_id=company_row.id, position=position, text=text
            )
        )
    await session.flush()
    return row
