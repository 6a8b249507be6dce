"""Every repository in storage/repos.py on SQLite and PostgreSQL, judged by the rows and values it returns."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta, timezone

import pytest
from sqlalchemy import func, select

from storage.db import Database
from storage.models import Company, CompanyAlias, DialogState, Experience, Identity, Question, Round, User
from storage.repos import (
    CompanyName,
    CompanyRepo,
    DialogRecord,
    DialogRepo,
    ExperienceRepo,
    ExperienceSummary,
    Repos,
    UserRepo,
)

KEY = ("console", "chat-1", "user-1")
IST = timezone(timedelta(hours=5, minutes=30))


async def _count(db: Database, model: type) -> int:
    async with db.sessions() as session:
        return (await session.execute(select(func.count()).select_from(model))).scalar_one()


def _record(step: str = "name", version: int = 1, **answers: object) -> DialogRecord:
    return DialogRecord(
        flow="submit",
        step=step,
        answers=dict(answers),
        history=[{"step": "start", "answers": {}}],
        version=version,
        updated_at=datetime(2025, 2, 1, 10, 30, tzinfo=IST),
    )


EXPERIENCE_FIELDS = {
    "author_name": "Asha Rao",
    "linkedin_url": "https://www.linkedin.com/in/asha-rao",
    "branch": "CSE",
    "roll_number": "21CSE1234",
    "passout_year": 2024,
    "interview_year": 2023,
    "role": "SDE",
    "role_description": "Backend services",
    "source": "on-campus",
    "preparation": "LeetCode, DBMS notes",
    "reflections": "Think aloud",
    "outcome": "selected",
    "difficulty": 4,
    "rating": 5,
    "anonymous": True,
}

ROUNDS = [
    {
        "kind": "online assessment",
        "duration_minutes": 90,
        "difficulty": 3,
        "questions": ["Two  Sum", "LRU Cache"],
    },
    {"kind": "hr", "difficulty": 1, "questions": []},
    {"kind": "technical", "duration_minutes": 45, "difficulty": 4, "questions": ["Explain   ACID"]},
]


# ---- DialogRepo --------------------------------------------------------------------------------------------


async def test_dialog_load_of_an_unknown_conversation_is_none(database: Database) -> None:
    assert await DialogRepo(database.sessions).load(KEY) is None


async def test_dialog_save_then_load_returns_the_same_state(database: Database) -> None:
    repo = DialogRepo(database.sessions)
    saved = _record(name="Asha", rounds=[{"kind": "hr", "questions": ["Why us?"]}])
    assert await repo.save(KEY, saved, None)
    loaded = await repo.load(KEY)
    assert loaded == saved  # same instant, although stored from IST
    assert loaded is not None and loaded.updated_at.utcoffset() == timedelta(0)


async def test_dialog_save_replaces_the_version_it_loaded(database: Database) -> None:
    repo = DialogRepo(database.sessions)
    assert await repo.save(KEY, _record("name", 1, name="Asha"), None)
    assert await repo.save(KEY, _record("branch", 2, name="Asha R", branch="CSE"), 1)
    loaded = await repo.load(KEY)
    assert loaded is not None
    assert (loaded.step, loaded.version, loaded.answers) == ("branch", 2, {"name": "Asha R", "branch": "CSE"})
    assert await _count(database, DialogState) == 1


async def test_dialog_save_against_a_stale_version_changes_nothing(database: Database) -> None:
    repo = DialogRepo(database.sessions)
    assert await repo.save(KEY, _record("name", 1, name="Asha"), None)
    assert await repo.save(KEY, _record("branch", 2, branch="CSE"), 1)
    # a second process that also loaded version 1 loses: its answer is refused, not written over ours
    assert not await repo.save(KEY, _record("role", 2, role="SDE"), 1)
    # and a process that thought no dialog existed cannot insert over it either
    assert not await repo.save(KEY, _record("name", 7), None)
    loaded = await repo.load(KEY)
    assert loaded is not None and (loaded.step, loaded.version, loaded.answers) == (
        "branch",
        2,
        {"branch": "CSE"},
    )
    assert await _count(database, DialogState) == 1


async def test_dialog_delete_with_a_stale_version_keeps_the_dialog(database: Database) -> None:
    repo = DialogRepo(database.sessions)
    assert await repo.save(KEY, _record("name", 1), None)
    assert await repo.save(KEY, _record("branch", 2), 1)
    assert not await repo.delete(KEY, 1)
    assert await repo.load(KEY) is not None
    assert await repo.delete(KEY, 2)
    assert await repo.load(KEY) is None


async def test_dialogs_are_kept_per_platform_chat_and_user(database: Database) -> None:
    repo = DialogRepo(database.sessions)
    await repo.save(KEY, _record("name"), None)
    await repo.save(("console", "chat-2", "user-1"), _record("branch"), None)
    await repo.save(("telegram", "chat-1", "user-1"), _record("role"), None)
    steps = [
        (await repo.load(key)).step
        for key in (KEY, ("console", "chat-2", "user-1"), ("telegram", "chat-1", "user-1"))
    ]
    assert steps == ["name", "branch", "role"]


async def test_dialog_delete_forgets_only_that_conversation(database: Database) -> None:
    repo = DialogRepo(database.sessions)
    await repo.save(KEY, _record(), None)
    await repo.save(("console", "chat-1", "user-2"), _record(), None)
    assert await repo.delete(KEY)
    assert not await repo.delete(("console", "nobody", "nobody"))  # deleting nothing is fine
    assert await repo.load(KEY) is None
    assert await repo.load(("console", "chat-1", "user-2")) is not None


# ---- UserRepo ----------------------------------------------------------------------------------------------


async def test_ensure_user_creates_a_user_once_per_platform_account(database: Database) -> None:
    repo = UserRepo(database.sessions)
    first = await repo.ensure_user("telegram", "42", "Asha")
    again = await repo.ensure_user("telegram", "42", "Asha renamed")
    other_platform = await repo.ensure_user("discord", "42", "Asha")
    assert first == again != other_platform
    async with database.sessions() as session:
        user = await session.get(User, first)
        assert user is not None and user.display_name == "Asha"
        identity = (await session.scalars(select(Identity).where(Identity.user_id == first))).one()
        assert (identity.platform, identity.platform_user_id, identity.username) == ("telegram", "42", "Asha")


async def test_ensure_user_truncates_long_display_names(database: Database) -> None:
    user_id = await UserRepo(database.sessions).ensure_user("console", "u", "x" * 200)
    async with database.sessions() as session:
        user = await session.get(User, user_id)
        assert user is not None and user.display_name == "x" * 80


async def test_first_messages_arriving_together_make_one_user(database: Database) -> None:
    repo = UserRepo(database.sessions)
    ids = await asyncio.gather(*(repo.ensure_user("discord", "7", "Ravi") for _ in range(4)))
    assert len(set(ids)) == 1
    assert await _count(database, User) == 1
    assert await _count(database, Identity) == 1


async def test_find_user(database: Database) -> None:
    repo = UserRepo(database.sessions)
    assert await repo.find_user("console", "ghost") is None
    user_id = await repo.ensure_user("console", "asha")
    assert await repo.find_user("console", "asha") == user_id
    assert await repo.find_user("telegram", "asha") is None


# ---- CompanyRepo -------------------------------------------------------------------------------------------


async def test_get_or_create_matches_the_normalised_name(database: Database) -> None:
    repo = CompanyRepo(database.sessions)
    created = await repo.get_or_create("  Tata Consultancy Services  ")
    assert await repo.get_or_create("tata   consultancy services!") == created
    assert await repo.get_or_create("Infosys") != created
    assert await repo.name_of(created) == "Tata Consultancy Services"
    assert await _count(database, Company) == 2


async def test_a_new_company_typed_by_two_students_at_once_is_created_once(database: Database) -> None:
    repo = CompanyRepo(database.sessions)
    ids = await asyncio.gather(*(repo.get_or_create("Nimbus Cloud") for _ in range(4)))
    assert len(set(ids)) == 1
    assert await _count(database, Company) == 1


async def test_name_of_an_unknown_company_is_none(database: Database) -> None:
    assert await CompanyRepo(database.sessions).name_of(12345) is None


async def test_aliases_are_normalised_deduplicated_and_listed(database: Database) -> None:
    repo = CompanyRepo(database.sessions)
    tcs = await repo.get_or_create("Tata Consultancy Services")
    infosys = await repo.get_or_create("Infosys")
    await repo.add_alias(tcs, "TCS")
    await repo.add_alias(tcs, " tcs ")  # same alias again: ignored
    await repo.add_alias(infosys, "TCS")  # already taken by another company: ignored, not an error
    await repo.add_alias(tcs, "Tata Consultancy")
    names = [(c.id, c.name, sorted(c.aliases)) for c in await repo.all_names()]
    assert names == [
        (tcs, "Tata Consultancy Services", ["tata consultancy", "tcs"]),
        (infosys, "Infosys", []),
    ]
    assert all(isinstance(c, CompanyName) for c in await repo.all_names())
    assert await _count(database, CompanyAlias) == 2


async def test_all_names_of_an_empty_catalogue(database: Database) -> None:
    assert await CompanyRepo(database.sessions).all_names() == []


# ---- ExperienceRepo ----------------------------------------------------------------------------------------


async def _author_and_company(database: Database) -> tuple[int, int]:
    user_id = await UserRepo(database.sessions).ensure_user("console", "asha", "Asha")
    company_id = await CompanyRepo(database.sessions).get_or_create("Acme Systems")
    return user_id, company_id


async def test_create_pending_stores_every_field_round_and_question(database: Database) -> None:
    user_id, company_id = await _author_and_company(database)
    exp_id = await ExperienceRepo(database.sessions).create_pending(
        user_id, company_id, "telegram", dict(EXPERIENCE_FIELDS), ROUNDS
    )
    async with database.sessions() as session:
        exp = await session.get(Experience, exp_id)
        assert exp is not None
        assert exp.status == "pending" and exp.platform == "telegram" and exp.user_id == user_id
        assert {key: getattr(exp, key) for key in EXPERIENCE_FIELDS} == EXPERIENCE_FIELDS
        rounds = (
            await session.scalars(select(Round).where(Round.experience_id == exp_id).order_by(Round.position))
        ).all()
        assert [(r.position, r.kind, r.duration_minutes, r.difficulty) for r in rounds] == [
            (1, "online assessment", 90, 3),
            (2, "hr", None, 1),
            (3, "technical", 45, 4),
        ]
        questions = (
            await session.execute(
                select(
                    Round.position, Question.position, Question.text, Question.normalized, Question.company_id
                )
                .join(Round, Round.id == Question.round_id)
                .where(Question.experience_id == exp_id)
                .order_by(Round.position, Question.position)
            )
        ).all()
        assert [tuple(q) for q in questions] == [
            (1, 1, "Two  Sum", "two sum", company_id),
            (1, 2, "LRU Cache", "lru cache", company_id),
            (3, 1, "Explain   ACID", "explain acid", company_id),
        ]


async def test_create_pending_with_a_bad_field_stores_nothing(database: Database) -> None:
    user_id, company_id = await _author_and_company(database)
    with pytest.raises(TypeError):
        await ExperienceRepo(database.sessions).create_pending(
            user_id, company_id, "console", {**EXPERIENCE_FIELDS, "no_such_column": 1}, ROUNDS
        )
    assert await _count(database, Experience) == 0
    assert await _count(database, Round) == 0


async def test_list_by_user_is_newest_first_paged_and_only_theirs(database: Database) -> None:
    user_id, company_id = await _author_and_company(database)
    other_user = await UserRepo(database.sessions).ensure_user("console", "ravi", "Ravi")
    other_company = await CompanyRepo(database.sessions).get_or_create("Zeta Labs")
    repo = ExperienceRepo(database.sessions)
    ids = []
    for year, company in ((2021, company_id), (2022, other_company), (2023, company_id)):
        ids.append(
            await repo.create_pending(
                user_id, company, "console", {**EXPERIENCE_FIELDS, "interview_year": year}, []
            )
        )
    await repo.create_pending(other_user, company_id, "console", dict(EXPERIENCE_FIELDS), [])
    base = datetime(2025, 1, 1, tzinfo=UTC)
    async with database.sessions.begin() as session:  # distinct creation times, oldest first
        for offset, exp_id in enumerate(ids):
            (await session.get(Experience, exp_id)).created_at = base + timedelta(days=offset)
        rejected = await session.get(Experience, ids[0])
        rejected.status, rejected.reject_reason = "rejected", "Contains a phone number"

    mine = await repo.list_by_user(user_id)
    assert [(s.id, s.company, s.interview_year) for s in mine] == [
        (ids[2], "Acme Systems", 2023),
        (ids[1], "Zeta Labs", 2022),
        (ids[0], "Acme Systems", 2021),
    ]
    assert mine[2] == ExperienceSummary(
        ids[0], "Acme Systems", "SDE", 2021, "rejected", "Contains a phone number", base
    )
    assert mine[0].status == "pending" and mine[0].reject_reason is None
    assert [s.id for s in await repo.list_by_user(user_id, limit=2)] == [ids[2], ids[1]]
    assert [s.id for s in await repo.list_by_user(user_id, limit=2, offset=2)] == [ids[0]]
    assert await repo.list_by_user(user_id, offset=10) == []
    assert await repo.count_by_user(user_id) == 3
    assert await repo.count_by_user(other_user) == 1
    assert await repo.count_by_user(999_999) == 0


# ---- Repos -------------------------------------------------------------------------------------------------


async def test_repos_over_one_session_factory_share_the_database(database: Database) -> None:
    repos = Repos.over(database.sessions)
    user_id = await repos.users.ensure_user("console", "asha", "Asha")
    company_id = await repos.companies.get_or_create("Acme Systems")
    await repos.experiences.create_pending(user_id, company_id, "console", dict(EXPERIENCE_FIELDS), ROUNDS)
    await repos.dialogs.save(KEY, _record(), None)
    assert await repos.experiences.count_by_user(user_id) == 1
    assert await repos.dialogs.load(KEY) is not None
