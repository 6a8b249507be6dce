"""`main.py seed-demo`: fill a database with a realistic, deterministic demo set of interview experiences."""

from __future__ import annotations

import asyncio
import logging
import random
import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from typing import Any, TypeVar

from sqlalchemy import insert, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from core.text_norm import normalise_name
from storage.data import demo_text as text
from storage.data.company_questions import CodingQuestion, load_company_questions, questions_by_company
from storage.data.demo_catalogue import COMPANIES, PROFILES, DemoCompany, HiringProfile
from storage.models import (
    DEFAULT_COLLEGE_SQL,
    Company,
    CompanyAlias,
    Experience,
    ExperienceTopic,
    Identity,
    Question,
    Round,
    User,
)
from storage.repos import bump_data_version

logger = logging.getLogger(__name__)

DEMO_PLATFORM = "demo"  # identities/experiences of the demo set carry this platform; marks "already seeded"
PASSOUT_WEIGHTS: dict[int, int] = {
    2018: 5,
    2019: 6,
    2020: 7,
    2021: 9,
    2022: 11,
    2023: 13,
    2024: 15,
    2025: 16,
    2026: 14,
}
NEW_BRANCHES_FROM = 2023  # DS and AIML branches have passouts from this year on
SOURCES: tuple[tuple[str, int], ...] = (
    ("on_campus", 62),
    ("off_campus", 18),
    ("referral", 10),
    ("internship_conversion", 6),
    ("other", 4),
)
INTERN_SEQUENCES: tuple[tuple[tuple[str, ...], int], ...] = (
    (("online_assessment", "technical", "technical"), 50),
    (("online_assessment", "technical"), 30),
    (("online_assessment", "technical", "hr"), 20),
)
CONVERSION_SEQUENCES: tuple[tuple[tuple[str, ...], int], ...] = (
    (("technical", "hr"), 60),
    (("technical", "managerial", "hr"), 40),
)
DURATIONS: dict[str, tuple[int, ...]] = {
    "online_assessment": (60, 90, 90, 120),
    "coding": (45, 60, 60, 90),
    "technical": (30, 45, 45, 60, 75),
    "managerial": (20, 30, 45),
    "hr": (10, 15, 20, 30),
    "group_discussion": (15, 20, 30),
    "other": (30,),
}
SEMESTERS = ("fifth", "sixth", "seventh")
BATCH_SIZE = 200  # experiences generated and committed at a time (one short write lock each)

T = TypeVar("T")


@dataclass
class SeedReport:
    """What one seed run inserted; `skipped` when the database already held the demo set."""

    companies: int = 0
    aliases: int = 0
    users: int = 0
    experiences: int = 0
    rounds: int = 0
    questions: int = 0
    skipped: bool = False


def normalise_question(question: str) -> str:
    """Lowercase and collapse whitespace: the stored `Question.normalized` key."""
    return " ".join(question.lower().split())


def slugify(name: str) -> str:
    """URL-safe slug of a company name ("Larsen & Toubro" -> "larsen-toubro")."""
    return re.sub(r"[^a-z0-9]+", "-", normalise_name(name)).strip("-") or "company"


# ---------------------------------------------------------------------------------------------------
# Generation: pure Python, deterministic for a given seed and today.


@dataclass
class _Student:
    name: str
    branch: str
    passout: int
    roll: str
    linkedin: str | None
    username: str


@dataclass
class _RoundPlan:
    kind: str
    difficulty: int
    duration: int | None
    questions: list[str]


@dataclass
class _ExperiencePlan:
    student: int  # index into the student list
    company: int  # index into COMPANIES
    row: dict[str, Any]
    rounds: list[_RoundPlan] = field(default_factory=list)
    analysis: Any = None  # core.analytics.text.Analysis when the pipeline is available


def _pick(rng: random.Random, weighted: Sequence[tuple[T, int]] | Sequence[tuple[T, float]]) -> T:
    """Pick one item from (item, weight) pairs."""
    items = [item for item, _ in weighted]
    weights = [weight for _, weight in weighted]
    return rng.choices(items, weights=weights, k=1)[0]


def _clamp(value: float, low: int = 1, high: int = 5) -> int:
    return max(low, min(high, round(value)))


class _Generator:
    """Builds students and their experiences (with rounds and questions) from the demo catalogue."""

    def __init__(self, rng: random.Random, now: datetime) -> None:
        self.rng = rng
        self.now = now
        self.today = now.date()
        self.by_company = questions_by_company()
        self.all_questions = load_company_questions()
        self.passouts = [(year, w) for year, w in PASSOUT_WEIGHTS.items() if year - 1 <= self.today.year]
        self.company_weights = [(i, c.weight) for i, c in enumerate(COMPANIES)]
        self._pools: dict[tuple[int, str], tuple[list[CodingQuestion], list[float]]] = {}

    # -- people ------------------------------------------------------------------------------------

    def student(self, first_company: DemoCompany) -> _Student:
        """A student whose branch fits the company they first interviewed with."""
        rng = self.rng
        passout = _pick(rng, self.passouts)
        branches = PROFILES[first_company.kind].branches
        if passout < NEW_BRANCHES_FROM:
            branches = tuple((b, w) for b, w in branches if b not in ("DS", "AIML"))
        branch = _pick(rng, branches)
        first, last = rng.choice(text.FIRST_NAMES), rng.choice(text.LAST_NAMES)
        code = rng.choice(text.ROLL_CODES[branch])
        digits = rng.choice((3, 4, 4, 4, 5))
        roll = f"{(passout - 4) % 100:02d}{code}{rng.randrange(1, 10**digits):0{digits}d}"
        slug_base = re.sub(r"[^a-z0-9]+", "-", f"{first} {last}".lower()).strip("-")
        slug = f"{slug_base}-{rng.randrange(16**6):06x}"
        linkedin = f"https://www.linkedin.com/in/{slug}" if rng.random() < 0.22 else None
        return _Student(f"{first} {last}", branch, passout, roll, linkedin, slug)

    def more_companies(self, student: _Student, first: int, count: int) -> list[int]:
        """Further distinct companies for a student, weighted by popularity and branch fit."""
        chosen = [first]
        for _ in range(count - 1):
            options = []
            for index, company in enumerate(COMPANIES):
                if index in chosen:
                    continue
                branches = dict(PROFILES[company.kind].branches)
                fit = branches.get(student.branch, 0) / sum(branches.values())
                if fit > 0:
                    options.append((index, company.weight * fit))
            if not options:
                break
            chosen.append(_pick(self.rng, options))
        return chosen

    # -- one experience ----------------------------------------------------------------------------

    def experience(self, student_index: int, student: _Student, company_index: int) -> _ExperiencePlan:
        """One interview experience of `student` at a company: facts, text, rounds and questions."""
        rng = self.rng
        company = COMPANIES[company_index]
        profile = PROFILES[company.kind]
        role = _pick(rng, company.roles)
        intern = "intern" in role.lower()
        source = _pick(rng, SOURCES)
        if intern and source == "internship_conversion":
            source = "on_campus"
        interview_year = self._interview_year(student.passout, intern, source)
        interviewed = self._interview_date(interview_year, student.passout, source)
        created = self._after(interviewed, rng.randint(2, 60))
        approved = min(created + timedelta(hours=rng.randint(1, 72)), self.now)
        outcome = self._outcome(company, profile, source, (self.today - interviewed).days)
        difficulty = self._difficulty(company, profile, outcome)
        rating = _clamp(rng.gauss(profile.rating + {"selected": 0.5, "rejected": -0.6}.get(outcome, 0), 0.8))
        row: dict[str, Any] = {
            "author_name": student.name,
            "linkedin_url": student.linkedin,
            "branch": student.branch,
            "roll_number": student.roll,
            "passout_year": student.passout,
            "interview_year": interview_year,
            "role": role,
            "role_description": self._role_description(company, role, intern),
            "source": source,
            "preparation": self._preparation(company),
            "reflections": self._reflections(company, outcome),
            "outcome": outcome,
            "difficulty": difficulty,
            "rating": rating,
            "anonymous": rng.random() < 0.3,
            "status": "approved",
            "platform": DEMO_PLATFORM,
            "verified": False,
            "helpful_count": min(60, int(rng.expovariate(0.25))),
            "report_count": 0,
            "created_at": created,
            "approved_at": approved,
        }
        plan = _ExperiencePlan(student_index, company_index, row)
        plan.rounds = self._rounds(company, profile, student, role, intern, source, outcome, difficulty)
        return plan

    def _interview_year(self, passout: int, intern: bool, source: str) -> int:
        """Passout - 1 (campus season) or passout (off campus, late drives); never in the future."""
        before = 0.92 if intern else (0.78 if source == "on_campus" else 0.55)
        year = passout - 1 if self.rng.random() < before else passout
        return min(year, self.today.year)

    # These draw the same number of random values whatever `now` is, so runs on different days
    # differ only where the date itself matters (never-in-the-future clamps, recent "pending").

    def _interview_date(self, year: int, passout: int, source: str) -> date:
        """A day in the placement season of `year`, never after today."""
        rng = self.rng
        if source == "on_campus":
            month = rng.randint(7, 12) if year < passout else rng.randint(1, 5)
        else:
            month = rng.randint(1, 12)
        day = date(year, month, rng.randint(1, 28))
        fallback = rng.random()
        if day > self.today:
            start = date(year, 1, 1)
            day = start + timedelta(days=int(fallback * ((self.today - start).days + 1)))
        return min(day, self.today)

    def _after(self, day: date, days: int) -> datetime:
        """A moment `days` after `day` at a random time; between `day` and now if that would be later."""
        start = datetime.combine(day, time(0, 0), UTC)
        moment = start + timedelta(days=days, minutes=self.rng.randint(0, 1439))
        fallback = self.rng.random()
        if moment > self.now:
            moment = start + timedelta(seconds=int(fallback * max(0.0, (self.now - start).total_seconds())))
        return moment

    def _outcome(self, company: DemoCompany, profile: HiringProfile, source: str, days_ago: int) -> str:
        rng = self.rng
        pending, withdrew, selected = rng.random(), rng.random(), rng.random()
        if days_ago < 90 and pending < 0.35:
            return "pending"
        if withdrew < 0.03:
            return "withdrew"
        rate = company.selection_rate if company.selection_rate is not None else profile.selection_rate
        rate = {
            "internship_conversion": 0.85,
            "referral": rate + 0.05,
            "off_campus": rate - 0.05,
        }.get(source, rate)
        return "selected" if selected < rate else "rejected"

    def _difficulty(self, company: DemoCompany, profile: HiringProfile, outcome: str) -> int:
        base = company.difficulty if company.difficulty is not None else profile.difficulty
        shift = {"selected": -0.2, "rejected": 0.3}.get(outcome, 0.0)
        return _clamp(self.rng.gauss(base + shift, 0.7))

    def _role_description(self, company: DemoCompany, role: str, intern: bool) -> str:
        rng = self.rng
        if rng.random() < 0.35:
            return ""
        if intern:
            return "Summer internship of about two months; a pre-placement offer depends on performance."
        kind = company.kind
        if kind == "core" and "software" in role.lower():
            kind = "core_software"
        return rng.choice(text.ROLE_DESCRIPTIONS[kind])

    def _fill(self, template: str, company: DemoCompany) -> str:
        rng = self.rng
        return template.format(
            company=company.name,
            months=rng.randint(2, 8),
            problems=rng.randrange(150, 750, 50),
            semester=rng.choice(SEMESTERS),
        )

    def _preparation(self, company: DemoCompany) -> str:
        """A few plausible sentences on how the student prepared, weighted by the company kind."""
        rng = self.rng
        coding_heavy = company.kind in ("product", "finance")
        parts = [rng.choice(text.PREP_OPENERS)]
        parts += rng.sample(text.PREP_DSA, rng.randint(1, 2) if coding_heavy else rng.randint(0, 1))
        parts += rng.sample(text.PREP_CORE, rng.randint(1, 2))
        parts += rng.sample(text.PREP_PRACTICE, rng.randint(0, 2))
        return " ".join(self._fill(part, company) for part in parts)

    def _reflections(self, company: DemoCompany, outcome: str) -> str:
        """How it went plus one to three tips for juniors."""
        rng = self.rng
        opening = {
            "selected": text.REFLECTION_SELECTED,
            "rejected": text.REFLECTION_REJECTED,
            "pending": text.REFLECTION_PENDING,
            "withdrew": text.REFLECTION_WITHDREW,
        }[outcome]
        parts = [rng.choice(opening), *rng.sample(text.TIP_GENERAL, rng.randint(1, 3))]
        return " ".join(self._fill(part, company) for part in parts)

    # -- rounds and questions ----------------------------------------------------------------------

    def _rounds(
        self,
        company: DemoCompany,
        profile: HiringProfile,
        student: _Student,
        role: str,
        intern: bool,
        source: str,
        outcome: str,
        difficulty: int,
    ) -> list[_RoundPlan]:
        rng = self.rng
        if source == "internship_conversion":
            kinds = list(_pick(rng, CONVERSION_SEQUENCES))
        elif intern and company.kind in ("product", "finance"):
            kinds = list(_pick(rng, INTERN_SEQUENCES))
        else:
            kinds = list(_pick(rng, company.sequences or profile.sequences))
        truncate, cut_at = rng.random(), rng.random()
        if outcome == "rejected" and len(kinds) > 2 and truncate < 0.5:
            kinds = kinds[: 2 + int(cut_at * (len(kinds) - 2))]  # rejected after an intermediate round
        used: set[str] = set()
        rounds = []
        for kind in kinds:
            questions = self._questions(kind, company, profile, student, role, used)
            shift = {"hr": -2, "group_discussion": -1, "managerial": -1}.get(kind, 0)
            round_difficulty = _clamp(difficulty + shift + rng.choice((-1, 0, 0, 1)))
            duration = rng.choice(DURATIONS[kind]) if rng.random() < 0.85 else None
            rounds.append(_RoundPlan(kind, round_difficulty, duration, questions))
        return rounds

    def _questions(
        self,
        kind: str,
        company: DemoCompany,
        profile: HiringProfile,
        student: _Student,
        role: str,
        used: set[str],
    ) -> list[str]:
        """1-4 questions for a round of this kind, never repeating one within the experience."""
        rng = self.rng
        picks: list[str] = []

        def add(question: str) -> None:
            if question not in used:
                used.add(question)
                picks.append(question)

        data_role = any(word in role.lower() for word in ("data", "analyst", "decision"))
        if kind == "online_assessment":
            if profile.oa_style == "coding":
                for _ in range(rng.randint(2, 3)):
                    add(self._coding(company, profile))
            else:
                for group in rng.sample(text.APTITUDE, rng.randint(1, 3)):
                    add(self._phrase(group, company, student))
                if rng.random() < 0.75:
                    add(self._easy_coding(company, profile, student))
        elif kind == "coding":
            for _ in range(rng.randint(1, 3)):
                add(self._coding(company, profile))
        elif kind == "technical":
            count = rng.randint(1, 4)
            coding_share = {"product": 0.55, "finance": 0.45}.get(company.kind, 0.12)
            for _ in range(count):
                if not data_role and rng.random() < coding_share:
                    add(self._coding(company, profile))
                else:
                    add(self._technical(company, student, data_role))
        elif kind == "managerial":
            for group in rng.sample(text.MANAGERIAL, rng.randint(1, 3)):
                add(self._phrase(group, company, student))
            if rng.random() < 0.4:
                add(self._phrase(rng.choice(text.TECHNICAL["projects"]), company, student))
        elif kind == "hr":
            if rng.random() < 0.8:
                add(self._phrase(text.HR[0], company, student))
            bank = list(text.HR[1:])
            if company.kind == "service":
                bank += [
                    g for g in text.HR_SERVICE if "{branch}" not in g[0] or student.branch not in _CS_LIKE
                ]
            for group in rng.sample(bank, rng.randint(1, 3)):
                add(self._phrase(group, company, student))
        elif kind == "group_discussion":
            add(self._phrase(rng.choice(text.GROUP_DISCUSSION), company, student))
        else:
            add(self._technical(company, student, data_role))
        return picks[:4] or [self._technical(company, student, data_role)]

    def _phrase(self, group: Sequence[str], company: DemoCompany, student: _Student) -> str:
        """One wording of a question group: the common wording half the time, a paraphrase otherwise."""
        wording = group[0] if len(group) == 1 or self.rng.random() < 0.5 else self.rng.choice(group[1:])
        return wording.format(company=company.name, branch=student.branch)

    def _technical(self, company: DemoCompany, student: _Student, data_role: bool) -> str:
        """A question from the hand-written technical bank, in areas this company and role lean on."""
        rng = self.rng
        kind = "analytics" if data_role else company.kind
        areas = dict(text.AREAS_BY_KIND[kind])
        if company.kind == "core":
            own = text.AREAS_BY_BRANCH.get(student.branch)
            areas = {a: w for a, w in areas.items() if a not in text.AREAS_BY_BRANCH.values() or a == own}
            if own is None:
                areas.update({"language": 12, "dsa_theory": 8, "oop": 8})
            else:
                areas[own] = areas.get(own, 0) + 30
        area = _pick(rng, list(areas.items()))
        groups = text.TECHNICAL[area]
        # Earlier groups in each area are the classics: ask them more often, so FAQs have clear leaders.
        group = _pick(rng, [(g, 1 / (i + 1) ** 0.8) for i, g in enumerate(groups)])
        return self._phrase(group, company, student)

    def _easy_coding(self, company: DemoCompany, profile: HiringProfile, student: _Student) -> str:
        if self.rng.random() < 0.5:
            return self._phrase(self.rng.choice(text.EASY_CODING), company, student)
        return self._coding(company, profile)

    def _coding(self, company: DemoCompany, profile: HiringProfile) -> str:
        """A real question title of this company from the CSV (the whole CSV when it has too few)."""
        rng = self.rng
        own = [q for name in company.csv_names for q in self.by_company.get(name, [])]
        if len(own) >= 30 or (own and rng.random() < 0.5):
            pool, weights = self._pool(company, own)
        else:
            pool, weights = self._pool(None, self.all_questions, profile.oa_style == "aptitude")
        question = rng.choices(pool, weights=weights, k=1)[0]
        roll = rng.random()
        if roll < 0.15 and question.difficulty:
            return f"{question.title} (LeetCode {question.difficulty})"
        if roll < 0.25:
            return f"{question.title}, then optimise it"
        return question.title

    def _pool(
        self, company: DemoCompany | None, rows: Sequence[CodingQuestion], easy: bool = False
    ) -> tuple[list[CodingQuestion], list[float]]:
        """Rows and weights (times asked, easier ones favoured for service firms), cached per pool."""
        key = (COMPANIES.index(company) if company else -1, "easy" if easy else "any")
        if key not in self._pools:
            bias = (
                {"Easy": 3.0, "Medium": 1.0, "Hard": 0.2}
                if easy
                else {"Easy": 1.0, "Medium": 1.2, "Hard": 0.6}
            )
            pool = list(rows)
            self._pools[key] = (pool, [q.times_asked * bias.get(q.difficulty, 1.0) for q in pool])
        return self._pools[key]

    # -- the whole set -----------------------------------------------------------------------------

    def batches(self, total: int, size: int) -> Iterator[tuple[list[_Student], list[_ExperiencePlan]]]:
        """Students sharing one to three experiences each, `total` in all, in batches of about `size`.

        Student indices in a batch's plans refer to that batch's student list; the random sequence (so
        the data) does not depend on `size`.
        """
        rng = self.rng
        students: list[_Student] = []
        plans: list[_ExperiencePlan] = []
        made = 0
        while made < total:
            count = min(_pick(rng, ((1, 60), (2, 30), (3, 10))), total - made)
            first = _pick(rng, self.company_weights)
            student = self.student(COMPANIES[first])
            students.append(student)
            for company_index in self.more_companies(student, first, count):
                plans.append(self.experience(len(students) - 1, student, company_index))
                made += 1
            if len(plans) >= size or made >= total:
                yield students, plans
                students, plans = [], []

    def build(self, total: int) -> tuple[list[_Student], list[_ExperiencePlan]]:
        """The whole set in one batch."""
        return next(self.batches(total, max(total, 1)), ([], []))


_CS_LIKE = ("CSE", "IT", "DS", "AIML", "Other")  # no "why IT, not your branch?" for these


# ---------------------------------------------------------------------------------------------------
# Writing: companies are upserted by name/alias; the rest goes in with a few bulk inserts.


async def _ensure_companies(session: AsyncSession) -> tuple[list[int], int, int]:
    """Make sure every catalogue company and alias exists; return their ids and how many were new."""
    alias_owner = dict((await session.execute(select(CompanyAlias.alias, CompanyAlias.company_id))).all())
    existing = (await session.execute(select(Company.id, Company.name, Company.slug))).all()
    by_name = {normalise_name(name): cid for cid, name, _ in existing}
    slugs = {slug for _, _, slug in existing}
    names = {name for _, name, _ in existing}
    ids: list[int] = []
    new_companies = new_aliases = 0
    for company in COMPANIES:
        keys = list(dict.fromkeys(normalise_name(k) for k in (company.name, *company.aliases)))
        keys = [k for k in keys if k]
        company_id = next((alias_owner[k] for k in keys if k in alias_owner), None)
        if company_id is None:
            company_id = next((by_name[k] for k in keys if k in by_name), None)
        if company_id is None:
            name = company.name if company.name not in names else f"{company.name} (demo)"
            slug = slugify(name)
            while slug in slugs:
                slug += "-demo"
            company_id = (
                await session.execute(insert(Company).values(name=name, slug=slug).returning(Company.id))
            ).scalar_one()
            names.add(name)
            slugs.add(slug)
            by_name[normalise_name(name)] = company_id
            new_companies += 1
        fresh = [k for k in keys if k not in alias_owner]
        if fresh:
            await session.execute(
                insert(CompanyAlias), [{"alias": k, "company_id": company_id} for k in fresh]
            )
            alias_owner.update({k: company_id for k in fresh})
            new_aliases += len(fresh)
        ids.append(company_id)
    return ids, new_companies, new_aliases


async def _has_demo_data(session: AsyncSession) -> bool:
    """True when a previous run already wrote the demo set (its identities or experiences)."""
    marker = await session.execute(select(Identity.id).where(Identity.platform == DEMO_PLATFORM).limit(1))
    if marker.first() is not None:
        return True
    marker = await session.execute(select(Experience.id).where(Experience.platform == DEMO_PLATFORM).limit(1))
    return marker.first() is not None


async def _insert_returning_ids(session: AsyncSession, model: Any, rows: list[dict[str, Any]]) -> list[int]:
    """Bulk insert (executemany, batched by SQLAlchemy) and return the new ids in row order."""
    if not rows:
        return []
    table = model.__table__
    result = await session.execute(insert(table).returning(table.c.id, sort_by_parameter_order=True), rows)
    return list(result.scalars().all())


async def _write(
    session: AsyncSession,
    company_ids: list[int],
    students: list[_Student],
    plans: list[_ExperiencePlan],
    now: datetime,
    first_user_number: int = 1,
) -> SeedReport:
    """Insert one batch of students and their experiences; companies already exist."""
    earliest: dict[int, datetime] = {}
    for plan in plans:
        created = plan.row["created_at"]
        earliest[plan.student] = min(earliest.get(plan.student, created), created)
    points: dict[int, int] = {}  # as the live bot awards them: 10 per published post, 2 per helpful vote
    for plan in plans:
        if plan.row.get("status") == "approved":
            gained = 10 + 2 * int(plan.row.get("helpful_count") or 0)
            points[plan.student] = points.get(plan.student, 0) + gained
    user_rows = [
        {
            "display_name": s.name,
            "reputation": points.get(i, 0),
            "settings": {"demo": True},
            "created_at": earliest.get(i, now) - timedelta(days=1),
        }
        for i, s in enumerate(students)
    ]
    user_ids = await _insert_returning_ids(session, User, user_rows)
    await session.execute(
        insert(Identity.__table__),
        [
            {
                "user_id": user_ids[i],
                "platform": DEMO_PLATFORM,
                "platform_user_id": f"demo-{first_user_number + i:05d}",
                "username": s.username,
                "created_at": user_rows[i]["created_at"],
            }
            for i, s in enumerate(students)
        ],
    )
    college_id = await session.scalar(DEFAULT_COLLEGE_SQL)  # demo data belongs to the default college
    experience_rows = [
        {
            **plan.row,
            "college_id": college_id,
            "user_id": user_ids[plan.student],
            "company_id": company_ids[plan.company],
            "sentiment": plan.analysis.sentiment if plan.analysis else None,
            "keywords": list(plan.analysis.keywords) if plan.analysis else [],
        }
        for plan in plans
    ]
    experience_ids = await _insert_returning_ids(session, Experience, experience_rows)
    round_rows = []
    for plan, experience_id in zip(plans, experience_ids, strict=True):
        for position, round_plan in enumerate(plan.rounds, start=1):
            round_rows.append(
                {
                    "experience_id": experience_id,
                    "position": position,
                    "kind": round_plan.kind,
                    "duration_minutes": round_plan.duration,
                    "difficulty": round_plan.difficulty,
                }
            )
    round_ids = await _insert_returning_ids(session, Round, round_rows)
    question_rows = []
    topic_rows = []
    round_index = 0
    for plan, experience_id in zip(plans, experience_ids, strict=True):
        company_id = company_ids[plan.company]
        analysis = plan.analysis
        if analysis is not None:
            topic_rows += [
                {"experience_id": experience_id, "topic": t} for t in dict.fromkeys(analysis.topics)
            ]
        asked = 0
        for round_plan in plan.rounds:
            round_id = round_ids[round_index]
            round_index += 1
            for position, question in enumerate(round_plan.questions, start=1):
                row = {
                    "round_id": round_id,
                    "experience_id": experience_id,
                    "company_id": company_id,
                    "position": position,
                    "text": question,
                    "normalized": normalise_question(question),
                    "topic": None,
                }
                if analysis is not None:  # the pipeline's own normalised form, as approval would store it
                    row["normalized"] = analysis.question_normalized[asked] or row["normalized"]
                    row["topic"] = analysis.question_topics[asked]
                question_rows.append(row)
                asked += 1
    if question_rows:
        await session.execute(insert(Question.__table__), question_rows)
    if topic_rows:
        await session.execute(insert(ExperienceTopic.__table__), topic_rows)
    return SeedReport(
        users=len(user_ids),
        experiences=len(experience_ids),
        rounds=len(round_ids),
        questions=len(question_rows),
    )


def _analyse(plans: list[_ExperiencePlan]) -> int:
    """Run the text-analytics pipeline (sentiment, keywords, topics) on each plan; return how many failed."""
    try:
        from core.analytics.text import ExperienceText, analyse_experience
    except ImportError:  # the pipeline is optional for the seed: rows then wait for it
        logger.info("core.analytics.text.analyse_experience not available: analytics fields left empty")
        return 0
    failed = 0
    for plan in plans:
        row = plan.row
        text_parts = ExperienceText(
            role=row["role"],
            role_description=row["role_description"],
            preparation=row["preparation"],
            reflections=row["reflections"],
            questions=[(r.kind, q) for r in plan.rounds for q in r.questions],
        )
        try:
            plan.analysis = analyse_experience(text_parts)
        except Exception:  # one bad analysis must not cost the whole demo set
            failed += 1
            logger.exception("analysing a demo experience failed; its analytics fields stay empty")
    return failed


def _next_batch(
    batches: Iterator[tuple[list[_Student], list[_ExperiencePlan]]], analyse: bool
) -> tuple[list[_Student], list[_ExperiencePlan]] | None:
    """The CPU work for one batch (generation and text analytics), run in a worker thread."""
    batch = next(batches, None)
    if batch is not None and analyse:
        _analyse(batch[1])
    return batch


async def seed_demo(
    sessions: async_sessionmaker[AsyncSession],
    *,
    experiences: int = 1200,
    seed: int = 42,
    now: datetime | None = None,
    analyse: bool = True,
    batch_size: int = BATCH_SIZE,
) -> SeedReport:
    """Fill the database with the demo set, one commit per batch; a second run adds nothing (`skipped`).

    Deterministic for a given `seed` and `now` (default: the current time). With `analyse`, each
    experience also gets the analytics pipeline's sentiment, keywords, topics and question topics
    (about 4 ms an experience; pass False for very large sets). Batches bound the memory used and the
    time the write lock is held (a bot serving students on the same SQLite file waits at most for one
    batch). A run killed part-way leaves whole batches (students with their experiences); the next run
    then sees demo data and skips.
    """
    if isinstance(experiences, bool) or not isinstance(experiences, int) or experiences < 0:
        raise ValueError(f"experiences must be a whole number of 0 or more, not {experiences!r}")
    if batch_size < 1:
        raise ValueError(f"batch_size must be at least 1, not {batch_size!r}")
    now = now or datetime.now(UTC)
    if now.tzinfo is None:
        now = now.replace(tzinfo=UTC)
    report = SeedReport()
    async with sessions() as session:
        async with session.begin():
            company_ids, report.companies, report.aliases = await _ensure_companies(session)
            if await _has_demo_data(session):
                logger.info("demo data already present: nothing seeded")
                report.skipped = True
                return report
        batches = _Generator(random.Random(seed), now).batches(experiences, batch_size)
        # one transaction per batch, none open while a batch is generated and analysed: the write lock
        # of a SQLite file is held for one batch's inserts, so a live bot on the same file only waits
        while (batch := await asyncio.to_thread(_next_batch, batches, analyse)) is not None:
            students, plans = batch
            async with session.begin():
                part = await _write(session, company_ids, students, plans, now, report.users + 1)
                touched = {company_ids[plan.company] for plan in plans}
                if touched:  # chart caches are keyed by data_version
                    await bump_data_version(session, touched)
            report.users += part.users
            report.experiences += part.experiences
            report.rounds += part.rounds
            report.questions += part.questions
    logger.info("seeded demo data: %s", report)
    return report
