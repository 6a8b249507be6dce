"""A small hand-made data set whose aggregates are computed by hand in the tests."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

from storage.models import Company, CompanyAlias, Experience, Question, Round

ROLL_NUMBERS = ("21CSE1234", "21CSE9999", "20ECE0042", "21CSE7777", "19IT0001", "22CSE5555")
ANONYMOUS_NAMES = ("Secret Sam", "Hidden Hana")
ANONYMOUS_LINKS = ("linkedin.com/in/secret-sam", "linkedin.com/in/hidden-hana")


@dataclass
class Ids:
    """Ids of the fixture rows."""

    tcs: int
    tata_steel: int
    infosys: int
    amazon: int
    e1: int  # TCS, Asha Rao, selected
    e2: int  # TCS, anonymous Secret Sam, rejected
    e3: int  # TCS, Ravi Kumar, selected
    e4: int  # TCS, pending (never public)
    e5: int  # Infosys, result pending
    e6: int  # Amazon, anonymous Hidden Hana, selected


def _when(month: int, year: int = 2026) -> datetime:
    return datetime(year, month, 10, 12, 0, tzinfo=UTC)


def _experience(company_id: int, **fields) -> Experience:
    rounds = fields.pop("rounds")
    defaults = {
        "linkedin_url": None,
        "role_description": "",
        "preparation": "Practised LeetCode daily and revised DBMS notes for two months.",
        "reflections": "Stay calm and think aloud, the interviewers were friendly and helpful.",
        "status": "approved",
        "anonymous": False,
    }
    exp = Experience(company_id=company_id, **{**defaults, **fields})
    exp.plan = rounds  # written by _add once the experience has an id
    return exp


async def _add(session, exp: Experience) -> None:
    session.add(exp)
    await session.flush()
    for position, (kind, difficulty, questions) in enumerate(exp.plan, start=1):
        r = Round(
            experience_id=exp.id, position=position, kind=kind, difficulty=difficulty, duration_minutes=30
        )
        session.add(r)
        await session.flush()
        for q_position, text in enumerate(questions, start=1):
            session.add(
                Question(
                    round_id=r.id,
                    experience_id=exp.id,
                    company_id=exp.company_id,
                    position=q_position,
                    text=text,
                    normalized=text.lower(),
                )
            )
    await session.flush()


async def seed(sessions) -> Ids:
    """Insert the fixture set (committed) and return its ids."""
    async with sessions.begin() as session:
        companies = {
            "TCS": ("tcs", "tata consultancy", "tata consultancy services"),
            "Tata Steel": ("tata steel",),
            "Infosys": ("infosys", "infosys limited"),
            "Amazon": ("amazon",),
        }
        ids = {}
        for name, aliases in companies.items():
            company = Company(name=name, slug=name.lower().replace(" ", "-"))
            company.aliases = [CompanyAlias(alias=a) for a in aliases]
            session.add(company)
            await session.flush()
            ids[name] = company.id
        tcs, infosys, amazon = ids["TCS"], ids["Infosys"], ids["Amazon"]
        rows = [
            _experience(
                tcs,
                author_name="Asha Rao",
                roll_number=ROLL_NUMBERS[0],
                branch="CSE",
                passout_year=2024,
                interview_year=2023,
                role="SDE",
                source="on_campus",
                outcome="selected",
                difficulty=2,
                rating=4,
                linkedin_url="https://www.linkedin.com/in/asha-rao",
                created_at=_when(1),
                rounds=[
                    ("online_assessment", 2, ["Two Sum", "Explain normalization in DBMS"]),
                    ("technical", 3, ["Reverse a linked list"]),
                    ("hr", 1, ["Tell me about yourself"]),
                ],
            ),
            _experience(
                tcs,
                author_name="Secret Sam",
                roll_number=ROLL_NUMBERS[1],
                anonymous=True,
                branch="CSE",
                passout_year=2024,
                interview_year=2024,
                role="SDE",
                source="off_campus",
                outcome="rejected",
                difficulty=4,
                rating=2,
                linkedin_url="https://www.linkedin.com/in/secret-sam",
                created_at=_when(2),
                rounds=[
                    ("online_assessment", 3, ["What is normalisation in DBMS?"]),
                    (
                        "technical",
                        4,
                        ["Reverse a linked list", "Longest increasing subsequence using dynamic programming"],
                    ),
                    ("technical", 4, ["Design a parking lot"]),
                    ("hr", 1, ["Introduce yourself"]),
                ],
            ),
            _experience(
                tcs,
                author_name="Ravi Kumar",
                roll_number=ROLL_NUMBERS[2],
                branch="ECE",
                passout_year=2023,
                interview_year=2023,
                role="Analyst",
                source="referral",
                outcome="selected",
                difficulty=3,
                rating=5,
                created_at=_when(3),
                rounds=[
                    ("online_assessment", 2, ["Two sum"]),
                    ("technical", 2, ["Explain the pillars of OOP"]),
                    ("hr", 1, ["Why TCS?"]),
                ],
            ),
            _experience(
                tcs,
                author_name="Pending Pete",
                roll_number=ROLL_NUMBERS[3],
                branch="CSE",
                passout_year=2024,
                interview_year=2024,
                role="SDE",
                source="on_campus",
                outcome="selected",
                difficulty=1,
                rating=5,
                status="pending",
                created_at=_when(5),
                rounds=[("technical", 1, ["Zanzibar puzzle about camels"])],
            ),
            _experience(
                infosys,
                author_name="Meera Iyer",
                roll_number=ROLL_NUMBERS[4],
                branch="IT",
                passout_year=2022,
                interview_year=2021,
                role="System Engineer",
                source="on_campus",
                outcome="pending",
                difficulty=1,
                rating=3,
                created_at=_when(12, 2025),
                rounds=[("online_assessment", 1, ["Pseudo code MCQs"])],
            ),
            _experience(
                amazon,
                author_name="Hidden Hana",
                roll_number=ROLL_NUMBERS[5],
                anonymous=True,
                branch="CSE",
                passout_year=2025,
                interview_year=2024,
                role="SDE Intern",
                source="referral",
                outcome="selected",
                difficulty=5,
                rating=4,
                linkedin_url="https://www.linkedin.com/in/hidden-hana",
                created_at=_when(4),
                rounds=[
                    ("online_assessment", 4, ["Longest increasing subsequence with dynamic programming"]),
                    ("technical", 5, ["Design an LRU cache"]),
                ],
            ),
        ]
        for row in rows:
            await _add(session, row)
        e = [row.id for row in rows]
    return Ids(tcs, ids["Tata Steel"], infosys, amazon, *e)
