"""Two companies that are one employer, with a row of every company-owned kind each (counted by tests)."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import func, select

from storage.models import (
    Company,
    CompanyAlias,
    Experience,
    Faq,
    MockQuestion,
    Question,
    Resource,
    Round,
    Subscription,
    Thread,
)

COMPANY_TABLES = {
    "experiences": Experience,
    "questions": Question,
    "rounds": Round,
    "threads": Thread,
    "resources": Resource,
    "faqs": Faq,
    "mock_questions": MockQuestion,
    "subscriptions": Subscription,
    "company_aliases": CompanyAlias,
}


@dataclass
class Pair:
    """Ids of "Microsoft" (created first) and "Microsoft India"."""

    microsoft: int
    india: int


def _experience(company_id: int, n: int, outcome: str) -> Experience:
    return Experience(
        company_id=company_id,
        author_name=f"Student {n}",
        roll_number=f"21CSE{n:04d}",
        branch="CSE",
        passout_year=2025,
        interview_year=2024,
        role="SDE",
        source="on_campus",
        outcome=outcome,
        difficulty=3,
        rating=4,
        preparation="Practised graphs and dynamic programming for a month before the drive.",
        reflections="Think aloud and ask clarifying questions; the panel was friendly.",
        status="approved",
        anonymous=False,
    )


async def seed_pair(sessions) -> Pair:
    """Microsoft with 2 experiences and India with 1, each with rounds, questions and every other row."""
    async with sessions.begin() as session:
        ids = []
        for name, aliases in (("Microsoft", ("msft",)), ("Microsoft India", ("ms idc",))):
            company = Company(name=name, slug=name.lower())
            company.aliases = [CompanyAlias(alias=a) for a in aliases]
            session.add(company)
            await session.flush()
            ids.append(company.id)
        n = 0
        for company_id, outcomes in ((ids[0], ("selected", "rejected")), (ids[1], ("pending",))):
            for outcome in outcomes:
                n += 1
                exp = _experience(company_id, n, outcome)
                session.add(exp)
                await session.flush()
                r = Round(
                    experience_id=exp.id, position=1, kind="technical", difficulty=3, duration_minutes=45
                )
                session.add(r)
                await session.flush()
                session.add(
                    Question(
                        round_id=r.id,
                        experience_id=exp.id,
                        company_id=company_id,
                        position=1,
                        text=f"Find the shortest path in a grid (variant {n})",
                        normalized=f"find the shortest path in a grid (variant {n})",
                    )
                )
            session.add(Thread(company_id=company_id, title=f"Prep for {company_id}"))
            session.add(Resource(company_id=company_id, title="Prep sheet", url="https://example.org/sheet"))
            session.add(Faq(company_id=company_id, question="How many rounds?", answer="Three.", pinned=True))
            session.add(
                MockQuestion(company_id=company_id, text="Design a URL shortener", source="experience")
            )
            session.add(Subscription(platform="console", chat_id=f"chat-{company_id}", company_id=company_id))
        # one chat follows both: after a merge it keeps one subscription to the survivor
        session.add(Subscription(platform="console", chat_id="both", company_id=ids[0]))
        session.add(Subscription(platform="console", chat_id="both", company_id=ids[1]))
    return Pair(*ids)


async def row_counts(sessions, company_ids: tuple[int, ...] | None = None) -> dict[str, int]:
    """Rows per table (all of them, or those of the given companies where the table has company_id)."""
    out = {}
    async with sessions() as session:
        for table, model in COMPANY_TABLES.items():
            query = select(func.count()).select_from(model)
            if company_ids is not None and hasattr(model, "company_id"):
                query = query.where(model.company_id.in_(company_ids))
            out[table] = int(await session.scalar(query) or 0)
    return out
