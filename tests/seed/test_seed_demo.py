"""The demo data set students and charts see after `main.py seed-demo`: companies, experiences, rounds."""

from __future__ import annotations

import csv
import re
from collections import Counter, defaultdict
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import UTC, datetime
from importlib import resources
from pathlib import Path
from typing import Any

import pytest
import pytest_asyncio
import yaml
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker, create_async_engine
from sqlalchemy.pool import StaticPool

from core.analytics.text import normalize_question
from core.domain.experience import DEFAULT_ROLL_PATTERN
from core.text_norm import normalise_name
from storage.data import demo_text
from storage.models import (
    Base,
    Company,
    CompanyAlias,
    Experience,
    ExperienceTopic,
    Identity,
    Question,
    Round,
    User,
)
from storage.seed_demo import SeedReport, seed_demo

pytestmark = pytest.mark.asyncio(loop_scope="module")

NOW = datetime(2026, 11, 25, 12, 0, tzinfo=UTC)
ROOT = Path(__file__).resolve().parents[2]
CONFIG = yaml.safe_load((ROOT / "config.yaml").read_text(encoding="utf-8"))
ROUND_KINDS = {"online_assessment", "coding", "technical", "managerial", "hr", "group_discussion", "other"}


@dataclass
class Seeded:
    sessions: async_sessionmaker[AsyncSession]
    report: SeedReport


async def _fresh_sessions() -> async_sessionmaker[AsyncSession]:
    engine = create_async_engine("sqlite+aiosqlite://", poolclass=StaticPool)
    async with engine.begin() as conn:
        await conn.run_sync(Base.metadata.create_all)
    return async_sessionmaker(engine, expire_on_commit=False)


@pytest_asyncio.fixture(scope="module", loop_scope="module")
async def seeded() -> AsyncIterator[Seeded]:
    """One default-sized demo set shared by the read-only tests of this module."""
    sessions = await _fresh_sessions()
    report = await seed_demo(sessions, now=NOW)
    yield Seeded(sessions, report)
    await sessions.kw["bind"].dispose()


async def _all(sessions: async_sessionmaker[AsyncSession], statement: Any) -> list[Any]:
    async with sessions() as session:
        return list((await session.execute(statement)).all())


async def _company_rows(seeded: Seeded, name: str) -> list[Any]:
    return await _all(
        seeded.sessions,
        select(Experience).join(Company, Company.id == Experience.company_id).where(Company.name == name),
    )


def _csv_titles() -> dict[str, set[str]]:
    """Question titles per company straight from the vendored CSV file."""
    path = resources.files("storage.data").joinpath("company-wise-questions-2022.csv")
    titles: dict[str, set[str]] = defaultdict(set)
    with path.open(encoding="utf-8") as handle:
        for row in csv.DictReader(handle):
            titles[row["company"]].add(row["question"])
    return titles


def _base_title(text: str) -> str:
    """Strip the seed's wording around a CSV title ("X (LeetCode Medium)", "X, then optimise it")."""
    return re.sub(r" \(LeetCode (Easy|Medium|Hard)\)$|, then optimise it$", "", text)


async def test_report_counts_what_was_written(seeded: Seeded) -> None:
    report = seeded.report
    assert not report.skipped
    async with seeded.sessions() as session:
        counts = {
            model: await session.scalar(select(func.count()).select_from(model))
            for model in (Company, CompanyAlias, User, Experience, Round, Question)
        }
    assert counts[Company] == report.companies >= 30
    assert counts[CompanyAlias] == report.aliases
    assert counts[User] == report.users > 0
    assert counts[Experience] == report.experiences == 1200
    assert counts[Round] == report.rounds
    assert counts[Question] == report.questions


async def test_students_find_companies_by_the_names_they_type(seeded: Seeded) -> None:
    rows = await _all(
        seeded.sessions,
        select(CompanyAlias.alias, Company.name).join(Company, Company.id == CompanyAlias.company_id),
    )
    owner = dict(rows)
    expected = {
        "tcs": "TCS",
        "Tata Consultancy Services": "TCS",
        "tata consultancy": "TCS",
        "infy": "Infosys",
        "Infosys Ltd": "Infosys",
        "amazon india": "Amazon",
        "AWS": "Amazon",
        "cts": "Cognizant",
        "hcltech": "HCLTech",
        "techm": "Tech Mahindra",
        "gs": "Goldman Sachs",
        "jpmc": "JPMorgan Chase",
        "J.P. Morgan": "JPMorgan Chase",
        "msft": "Microsoft",
        "Larsen & Toubro": "Larsen & Toubro",
        "L&T": "Larsen & Toubro",
        "mu sigma": "Mu Sigma",
    }
    for typed, company in expected.items():
        assert owner.get(normalise_name(typed)) == company, typed
    assert all(alias == normalise_name(alias) for alias in owner), "aliases are stored normalised"
    companies_with_aliases = {name for name in owner.values()}
    assert len(companies_with_aliases) >= 30


async def test_experiences_are_approved_and_dated_in_the_past(seeded: Seeded) -> None:
    rows = await _all(
        seeded.sessions, select(Experience.status, Experience.created_at, Experience.approved_at)
    )
    assert len(rows) >= 1000
    for status, created, approved in rows:
        assert status == "approved"
        assert approved is not None
        created, approved = (d if d.tzinfo else d.replace(tzinfo=UTC) for d in (created, approved))
        assert created <= approved <= NOW


async def test_every_passout_year_and_sensible_interview_years(seeded: Seeded) -> None:
    rows = await _all(seeded.sessions, select(Experience.passout_year, Experience.interview_year))
    assert {passout for passout, _ in rows} == set(range(2018, 2027))
    for passout, interview in rows:
        assert interview <= NOW.year
        assert interview <= passout + CONFIG["submission"]["interview_years_after_passout"]
        assert interview in (passout - 1, passout)
    assert Counter(interview == passout - 1 for passout, interview in rows)[True] > len(rows) / 2


async def test_every_branch_present_with_cse_and_it_heavier(seeded: Seeded) -> None:
    branches = Counter(b for (b,) in await _all(seeded.sessions, select(Experience.branch)))
    assert set(branches) == set(CONFIG["submission"]["branches"])
    top_two = {name for name, _ in branches.most_common(2)}
    assert top_two == {"CSE", "IT"}


async def test_personal_fields_follow_the_submission_rules(seeded: Seeded) -> None:
    rows = await _all(
        seeded.sessions,
        select(Experience.roll_number, Experience.linkedin_url, Experience.anonymous, Experience.author_name),
    )
    pattern = re.compile(CONFIG["submission"]["roll_number_pattern"] or DEFAULT_ROLL_PATTERN.pattern)
    for roll, linkedin, _, name in rows:
        assert pattern.fullmatch(roll), roll
        assert 1 <= len(name) <= 80
        assert linkedin is None or re.fullmatch(r"https://www\.linkedin\.com/in/[a-z0-9-]+", linkedin)
    anonymous = sum(1 for row in rows if row[2]) / len(rows)
    assert 0.2 < anonymous < 0.4
    assert any(row[1] for row in rows)


async def test_authors_are_demo_users(seeded: Seeded) -> None:
    rows = await _all(
        seeded.sessions,
        select(Experience.author_name, User.display_name, Identity.platform)
        .join(User, User.id == Experience.user_id)
        .join(Identity, Identity.user_id == User.id),
    )
    assert len(rows) == seeded.report.experiences
    assert all(author == display and platform == "demo" for author, display, platform in rows)


async def test_rounds_follow_a_real_interview_order(seeded: Seeded) -> None:
    rows = await _all(
        seeded.sessions, select(Round.experience_id, Round.position, Round.kind).order_by(Round.position)
    )
    sequences: dict[int, list[tuple[int, str]]] = defaultdict(list)
    for experience_id, position, kind in rows:
        sequences[experience_id].append((position, kind))
    assert len(sequences) == seeded.report.experiences
    for sequence in sequences.values():
        positions = [p for p, _ in sequence]
        kinds = [k for _, k in sequence]
        assert positions == list(range(1, len(kinds) + 1))
        assert 2 <= len(kinds) <= 5
        assert set(kinds) <= ROUND_KINDS
        assert "online_assessment" not in kinds[1:], kinds
        if "hr" in kinds:
            assert kinds.index("hr") == len(kinds) - 1, kinds
        if "group_discussion" in kinds and "technical" in kinds:
            assert kinds.index("group_discussion") < kinds.index("technical"), kinds
    shapes = Counter(" > ".join(k for _, k in s) for s in sequences.values())
    assert shapes["online_assessment > technical > hr"] > 50


async def test_product_and_service_firms_have_their_typical_rounds(seeded: Seeded) -> None:
    async def shapes(name: str) -> Counter[str]:
        rows = await _all(
            seeded.sessions,
            select(Round.experience_id, Round.kind)
            .join(Experience, Experience.id == Round.experience_id)
            .join(Company, Company.id == Experience.company_id)
            .where(Company.name == name)
            .order_by(Round.experience_id, Round.position),
        )
        kinds: dict[int, list[str]] = defaultdict(list)
        for experience_id, kind in rows:
            kinds[experience_id].append(kind)
        return Counter(k.count("technical") for k in kinds.values())

    amazon, infosys = await shapes("Amazon"), await shapes("Infosys")
    amazon_multi = sum(n for rounds, n in amazon.items() if rounds >= 2) / sum(amazon.values())
    infosys_multi = sum(n for rounds, n in infosys.items() if rounds >= 2) / sum(infosys.values())
    assert amazon_multi > 0.5 > infosys_multi


async def test_rounds_have_one_to_four_questions_tied_to_the_company(seeded: Seeded) -> None:
    rows = await _all(
        seeded.sessions,
        select(Question.round_id, Question.position, Question.text, Question.normalized, Question.topic,
               Question.company_id, Experience.company_id, Round.experience_id, Question.experience_id)
        .join(Round, Round.id == Question.round_id)
        .join(Experience, Experience.id == Round.experience_id),
    )  # fmt: skip
    per_round: dict[int, list[int]] = defaultdict(list)
    for round_id, position, text, _, _, company_id, exp_company, exp_id, q_exp_id in rows:
        per_round[round_id].append(position)
        assert text.strip() and "{" not in text
        assert company_id == exp_company and exp_id == q_exp_id
    assert len(per_round) == seeded.report.rounds
    for positions in per_round.values():
        assert sorted(positions) == list(range(1, len(positions) + 1))
        assert 1 <= len(positions) <= 4


async def test_amazon_coding_questions_are_amazon_csv_rows(seeded: Seeded) -> None:
    titles = _csv_titles()
    every_title = set().union(*titles.values())
    rows = await _all(
        seeded.sessions,
        select(Round.kind, Question.text)
        .join(Question, Question.round_id == Round.id)
        .join(Company, Company.id == Question.company_id)
        .where(Company.name == "Amazon"),
    )
    coding = [_base_title(text) for kind, text in rows if kind in ("online_assessment", "coding")]
    assert len(coding) > 50
    assert all(title in titles["Amazon"] for title in coding)
    from_csv = {_base_title(text) for _, text in rows} & every_title
    assert from_csv <= titles["Amazon"]
    assert len(from_csv) > 40  # many different real questions, not a handful


async def test_companies_missing_from_the_csv_still_get_real_coding_questions(seeded: Seeded) -> None:
    every_title = set().union(*_csv_titles().values())
    rows = await _all(
        seeded.sessions,
        select(Question.text)
        .join(Round, Round.id == Question.round_id)
        .join(Company, Company.id == Question.company_id)
        .where(Company.name == "Wipro", Round.kind.in_(["online_assessment", "coding"])),
    )
    assert any(_base_title(text) in every_title for (text,) in rows)


async def test_selection_rate_is_higher_at_service_firms(seeded: Seeded) -> None:
    def rate(rows: list[Any]) -> float:
        outcomes = [row[0].outcome for row in rows]
        return outcomes.count("selected") / len(outcomes)

    tcs, infosys = await _company_rows(seeded, "TCS"), await _company_rows(seeded, "Infosys")
    amazon, google = await _company_rows(seeded, "Amazon"), await _company_rows(seeded, "Google")
    assert min(rate(tcs), rate(infosys)) > max(rate(amazon), rate(google)) + 0.2
    outcomes = Counter(o for (o,) in await _all(seeded.sessions, select(Experience.outcome)))
    assert set(outcomes) <= {"selected", "rejected", "pending", "withdrew"}
    assert outcomes["selected"] and outcomes["rejected"] and outcomes["withdrew"]


async def test_difficulty_and_rating_follow_the_company(seeded: Seeded) -> None:
    def mean(rows: list[Any], field: str) -> float:
        return sum(getattr(row[0], field) for row in rows) / len(rows)

    tcs, amazon = await _company_rows(seeded, "TCS"), await _company_rows(seeded, "Amazon")
    assert mean(amazon, "difficulty") > mean(tcs, "difficulty") + 1
    values = await _all(seeded.sessions, select(Experience.difficulty, Experience.rating))
    assert {v for row in values for v in row} <= {1, 2, 3, 4, 5}
    assert len({d for d, _ in values}) >= 4 and len({r for _, r in values}) >= 4


async def test_technical_questions_come_in_paraphrases_for_faq_grouping(seeded: Seeded) -> None:
    texts = {t for (t,) in await _all(seeded.sessions, select(Question.text))}
    groups = [g for area in demo_text.TECHNICAL.values() for g in area if len(g) > 1]
    paraphrased = [g for g in groups if sum(wording in texts for wording in g) >= 2]
    assert len(paraphrased) >= 20
    assert "Explain normalization in DBMS" in texts
    assert "What is normalisation? Explain 1NF 2NF 3NF" in texts
    hr = {t for t in texts if t.startswith("Why do you want to join ")}
    assert "Why do you want to join TCS?" in hr and len(hr) >= 20


async def test_narratives_are_varied_and_mention_real_resources(seeded: Seeded) -> None:
    rows = await _all(seeded.sessions, select(Experience.preparation, Experience.reflections))
    preparations = [p for p, _ in rows]
    assert len(set(preparations)) > 0.9 * len(preparations)
    joined = " ".join(preparations)
    for resource in ("LeetCode", "GFG", "Striver", "mock interview", "project"):
        assert resource.lower() in joined.lower(), resource
    assert all(p.strip() and r.strip() and "{" not in p + r for p, r in rows)


async def test_experiences_arrive_analysed_like_approved_ones(seeded: Seeded) -> None:
    rows = await _all(seeded.sessions, select(Experience.id, Experience.sentiment, Experience.keywords))
    assert all(sentiment is not None and -1 <= sentiment <= 1 and keywords for _, sentiment, keywords in rows)
    assert len({round(s, 2) for _, s, _ in rows}) > 50  # varied narratives, varied sentiment
    topics = await _all(seeded.sessions, select(ExperienceTopic.experience_id, ExperienceTopic.topic))
    assert {e for e, _ in topics} == {e for e, _, _ in rows}
    assert len({t for _, t in topics}) >= 10
    questions = await _all(seeded.sessions, select(Question.text, Question.normalized, Question.topic))
    assert all(normalized for _, normalized, _ in questions)
    assert all(
        normalized == normalize_question(text)
        for text, normalized, _ in questions
        if normalize_question(text)
    )
    assert sum(1 for *_, topic in questions if topic) > 0.8 * len(questions)


async def test_without_analysis_the_fields_wait_for_the_pipeline() -> None:
    sessions = await _fresh_sessions()
    report = await seed_demo(sessions, experiences=30, now=NOW, analyse=False)
    assert report.experiences == 30
    rows = await _all(sessions, select(Experience.sentiment, Experience.keywords))
    assert all(sentiment is None and not keywords for sentiment, keywords in rows)
    questions = await _all(sessions, select(Question.text, Question.normalized, Question.topic))
    assert all(norm == " ".join(text.lower().split()) and topic is None for text, norm, topic in questions)
    async with sessions() as session:
        assert await session.scalar(select(func.count()).select_from(ExperienceTopic)) == 0
    await sessions.kw["bind"].dispose()


async def test_seeding_twice_adds_nothing(seeded: Seeded) -> None:
    async def counts() -> list[int]:
        async with seeded.sessions() as session:
            return [
                await session.scalar(select(func.count()).select_from(model))
                for model in (Company, CompanyAlias, User, Identity, Experience, Round, Question)
            ]

    before = await counts()
    again = await seed_demo(seeded.sessions, now=NOW)
    assert again.skipped
    assert (again.companies, again.aliases, again.experiences, again.rounds, again.questions) == (
        0,
        0,
        0,
        0,
        0,
    )
    assert await counts() == before


async def test_same_seed_same_data_other_seed_other_data() -> None:
    async def dump(seed: int, batch_size: int = 1000) -> list[tuple[Any, ...]]:
        sessions = await _fresh_sessions()
        await seed_demo(sessions, experiences=40, seed=seed, now=NOW, analyse=False, batch_size=batch_size)
        rows = await _all(
            sessions,
            select(
                Experience.author_name,
                Experience.user_id,
                Experience.company_id,
                Experience.outcome,
                Question.text,
            )
            .join(Question, Question.experience_id == Experience.id)
            .order_by(Question.id),
        )
        await sessions.kw["bind"].dispose()
        return [tuple(row) for row in rows]

    first = await dump(7)
    assert first == await dump(7)
    assert first == await dump(7, batch_size=3)  # batching bounds memory, never changes the data
    assert first != await dump(8)


async def test_existing_companies_are_reused_not_duplicated() -> None:
    sessions = await _fresh_sessions()
    async with sessions() as session, session.begin():
        company = Company(name="Tata Consultancy Services", slug="tata-consultancy-services")
        company.aliases.append(CompanyAlias(alias="tata consultancy services"))
        session.add_all([company, Company(name="amazon", slug="amazon")])
    report = await seed_demo(sessions, experiences=30, now=NOW)
    rows = await _all(sessions, select(Company.name, Company.id))
    names = [name for name, _ in rows]
    assert "TCS" not in names and names.count("amazon") == 1 and "Amazon" not in names
    owner = dict(await _all(sessions, select(CompanyAlias.alias, CompanyAlias.company_id)))
    ids = dict(rows)
    assert owner["tcs"] == ids["Tata Consultancy Services"]
    assert owner["aws"] == ids["amazon"]
    assert report.companies == len(rows) - 2
    await sessions.kw["bind"].dispose()


async def test_bad_experience_count_is_refused_clearly() -> None:
    sessions = await _fresh_sessions()
    with pytest.raises(ValueError, match="experiences must be a whole number"):
        await seed_demo(sessions, experiences=-5)
    await sessions.kw["bind"].dispose()


async def test_authors_have_the_reputation_the_bot_would_have_given(seeded: Seeded) -> None:
    """10 points per published experience and 2 per helpful vote (core/features/moderation), so the
    demo's /leaderboard is not empty."""
    earned: dict[int, int] = defaultdict(int)
    for user_id, status, helpful in await _all(
        seeded.sessions, select(Experience.user_id, Experience.status, Experience.helpful_count)
    ):
        if status == "approved":
            earned[user_id] += 10 + 2 * helpful
    stored = dict(await _all(seeded.sessions, select(User.id, User.reputation)))
    assert stored == {user_id: earned.get(user_id, 0) for user_id in stored}
    assert max(stored.values()) > 10
