"""A small hand-made week of experiences around the digest week [16 Nov 2026 09:00, 23 Nov 2026 09:00) IST.

The default FakeClock (Wed 25 Nov 2026 12:00 UTC) makes that week the one due. Hand-computed for it:
4 new approved experiences (e1-e4); companies TCS 2, Amazon 1, Infosys 1; selected 2 of 3 decided (67%);
topics DSA 3, DBMS 1, OS 1, System design 1; "Reverse a linked list" asked in 3 experiences.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

from storage.models import Company, CompanyAlias, Experience, ExperienceTopic, Question, Round

WEEK_START = datetime(2026, 11, 16, 3, 30, tzinfo=UTC)  # Monday 09:00 Asia/Kolkata
WEEK_END = datetime(2026, 11, 23, 3, 30, tzinfo=UTC)
ROLL_NUMBERS = ("21CSE1234", "21CSE9999", "20ECE0042", "21IT0077", "19CSE0001", "22CSE5555", "21ECE4444")
ANONYMOUS_NAME = "Secret Sam"
ANONYMOUS_LINK = "linkedin.com/in/secret-sam"


@dataclass
class Ids:
    """Ids of the fixture rows."""

    tcs: int
    amazon: int
    infosys: int
    e1: int  # TCS, Asha Rao, selected, in the week
    e2: int  # TCS, anonymous Secret Sam, rejected, in the week
    e3: int  # Amazon, Ravi Kumar, selected, in the week
    e4: int  # Infosys, Meera Iyer, result pending, approved exactly at the week's start
    e5: int  # TCS, previous week
    e6: int  # Amazon, approved exactly at the week's end (next week)
    e7: int  # TCS, still pending moderation


def _experience(company_id: int, n: int, approved_at: datetime | None, **fields) -> Experience:
    defaults = {
        "author_name": f"Author {n}",
        "roll_number": ROLL_NUMBERS[n - 1],
        "branch": "CSE",
        "passout_year": 2026,
        "interview_year": 2026,
        "role": "SDE",
        "source": "on_campus",
        "preparation": "Practised arrays and revised DBMS notes for a month.",
        "reflections": "Think aloud and stay calm.",
        "outcome": "selected",
        "difficulty": 3,
        "rating": 4,
        "status": "approved" if approved_at else "pending",
        "created_at": (approved_at or WEEK_START).replace(hour=1),
        "approved_at": approved_at,
    }
    return Experience(company_id=company_id, **{**defaults, **fields})


async def seed(sessions) -> Ids:
    """Insert the fixture set (committed) and return its ids."""
    async with sessions.begin() as session:
        companies = {}
        for name, aliases in {
            "TCS": ("tcs", "tata consultancy"),
            "Amazon": ("amazon",),
            "Infosys": ("infosys",),
        }.items():
            company = Company(name=name, slug=name.lower())
            company.aliases = [CompanyAlias(alias=a) for a in aliases]
            session.add(company)
            await session.flush()
            companies[name] = company.id
        tcs, amazon, infosys = companies["TCS"], companies["Amazon"], companies["Infosys"]
        plan = [
            (
                _experience(tcs, 1, datetime(2026, 11, 17, 6, tzinfo=UTC), author_name="Asha Rao"),
                ["DSA", "DBMS"],
                ["Reverse a linked list", "Explain normalization"],
            ),
            (
                _experience(
                    tcs,
                    2,
                    datetime(2026, 11, 18, 6, tzinfo=UTC),
                    author_name=ANONYMOUS_NAME,
                    anonymous=True,
                    outcome="rejected",
                    linkedin_url="https://www." + ANONYMOUS_LINK,
                ),
                ["DSA"],
                ["Reverse a linked list"],
            ),
            (
                _experience(
                    amazon,
                    3,
                    datetime(2026, 11, 20, 6, tzinfo=UTC),
                    author_name="Ravi Kumar",
                    role="SDE-1",
                    interview_year=2025,
                ),
                ["DSA", "System design"],
                ["Reverse a Linked List", "Design a parking lot"],
            ),
            (
                _experience(
                    infosys, 4, WEEK_START, author_name="Meera Iyer", role="Analyst", outcome="pending"
                ),
                ["OS"],
                ["What is a deadlock?"],
            ),
            (
                _experience(tcs, 5, datetime(2026, 11, 10, 6, tzinfo=UTC), author_name="Old Timer"),
                ["DBMS"],
                ["Reverse a linked list"],
            ),
            (_experience(amazon, 6, WEEK_END, author_name="Next Week"), ["DSA"], ["Two Sum"]),
            (_experience(tcs, 7, None, author_name="Waiting Wanda"), [], ["Two Sum"]),
        ]
        ids = []
        for experience, topics, questions in plan:
            session.add(experience)
            await session.flush()
            ids.append(experience.id)
            session.add_all(ExperienceTopic(experience_id=experience.id, topic=t) for t in topics)
            round_ = Round(experience_id=experience.id, position=1, kind="technical", difficulty=3)
            session.add(round_)
            await session.flush()
            session.add_all(
                Question(
                    round_id=round_.id,
                    experience_id=experience.id,
                    company_id=experience.company_id,
                    position=i,
                    text=text,
                    normalized=text.lower(),
                )
                for i, text in enumerate(questions, start=1)
            )
    return Ids(tcs, amazon, infosys, *ids)
