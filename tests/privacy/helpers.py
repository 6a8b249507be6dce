"""Shared test data: one student with a row in every table that can reference them, plus a second student."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import select

from core.app import App
from storage.models import (
    Base,
    Company,
    DialogState,
    DigestDelivery,
    DigestRun,
    ExperienceTopic,
    Faq,
    MockAttempt,
    Post,
    Report,
    Resource,
    Subscription,
    Thread,
    UserBadge,
    VerificationCode,
    Vote,
)
from tests.console.driver import TODAY

NAME = "Zarina Quill"
ROLL = "21CSE7777"
LINKEDIN = "https://www.linkedin.com/in/zarina-quill-77"
PLATFORM_ID = "stu-zq"
OTHER_ID = "stu-ravi"
OTHER_NAME = "Ravindra Oberoi"
MODS = {"moderation": {"console_user_ids": ["mod-1"]}}
FILE_LINE = re.compile(r"\[file: (?P<path>[^\]]+)\]")


async def add_experience(
    app: App,
    platform_id: str,
    name: str,
    roll: str,
    *,
    company: str = "TCS",
    anonymous: bool = False,
    prep: str = "Practised aptitude daily for a month.",
    linkedin: str | None = None,
    approve: bool = True,
) -> int:
    """An experience through the real repositories (approved by a moderator unless told otherwise)."""
    repos = app.services.repos
    user_id = await repos.users.ensure_user("console", platform_id, name.split()[0])
    company_id = await repos.companies.get_or_create(company)
    fields = dict(
        author_name=name,
        linkedin_url=linkedin,
        branch="CSE",
        roll_number=roll,
        passout_year=2024,
        interview_year=2023,
        role="SDE",
        role_description="Backend services",
        source="on_campus",
        preparation=prep,
        reflections="Stay calm and explain your approach.",
        outcome="selected",
        difficulty=3,
        rating=4,
        anonymous=anonymous,
    )
    rounds = [{"kind": "technical", "difficulty": 3, "questions": ["Explain OOP pillars", "Reverse a list"]}]
    experience_id = await repos.experiences.create_pending(user_id, company_id, "console", fields, rounds)
    if approve:
        moderator = await repos.users.ensure_user("console", "mod-1", "Mod")
        await app.services.moderation.decide(experience_id, moderator, approve=True)
    return experience_id


@dataclass
class World:
    """Ids of the rows the tests look at."""

    user_id: int
    other_id: int
    experiences: list[int]
    other_experience: int
    shared_thread: int
    own_thread: int
    company_ids: dict[str, int]


async def build_world(app: App) -> World:
    """Zarina has a row in every table that can point at her; Ravi has his own and reacts to hers."""
    public = await add_experience(
        app,
        PLATFORM_ID,
        NAME,
        ROLL,
        prep=f"I am {NAME} ({ROLL}); I practised aptitude daily for a month.",
        linkedin=LINKEDIN,
    )
    anonymous = await add_experience(
        app, PLATFORM_ID, NAME, ROLL, company="Infosys", anonymous=True, prep="Mock tests every weekend."
    )
    rejected = await add_experience(app, PLATFORM_ID, NAME, ROLL, company="Wipro", approve=False)
    await app.services.moderation.decide(rejected, None, approve=False, reason="Too little detail")
    other = await add_experience(app, OTHER_ID, OTHER_NAME, "21ECE0042", prep="Revised DBMS and OS notes.")
    users = app.services.repos.users
    user_id = await users.find_user("console", PLATFORM_ID)
    other_id = await users.find_user("console", OTHER_ID)
    assert user_id is not None and other_id is not None
    async with app.database.sessions.begin() as session:
        companies = {c.name: c.id for c in (await session.scalars(select(Company))).all()}
        session.add(ExperienceTopic(experience_id=public, topic="OOP"))
        # A thread only she posted in, and one where Ravi replied.
        own = Thread(company_id=companies["TCS"], title="Bond period at TCS?", author_user_id=user_id)
        shared = Thread(company_id=companies["TCS"], title=f"Notes from {NAME}", author_user_id=user_id)
        session.add_all([own, shared])
        await session.flush()
        session.add_all(
            [
                Post(thread_id=own.id, author_user_id=user_id, body="Is the bond two years?"),
                Post(thread_id=shared.id, author_user_id=user_id, body=f"Regards, {NAME}"),
                Post(thread_id=shared.id, author_user_id=other_id, body="Thanks, this helped."),
                Resource(
                    company_id=companies["TCS"],
                    user_id=user_id,
                    title="My aptitude notes",
                    file_name="notes.pdf",
                    file_data=b"%PDF-1.4 secret bytes",
                    status="approved",
                ),
                Faq(company_id=companies["TCS"], question="Bond?", created_by_user_id=user_id),
                Vote(user_id=user_id, target_type="experience", target_id=other),
                Vote(user_id=other_id, target_type="experience", target_id=public),
                Report(reporter_user_id=user_id, target_type="experience", target_id=other, reason="Typo"),
                Report(
                    reporter_user_id=other_id, target_type="experience", target_id=anonymous, reason="Spam"
                ),
                UserBadge(user_id=user_id, badge="top_contributor_2026_10"),
                MockAttempt(
                    user_id=user_id,
                    status="done",
                    overall=72,
                    scores={"eye_contact": 70},
                    metrics={"wpm": 130},
                ),
                Subscription(user_id=user_id, platform="console", chat_id=PLATFORM_ID),
                VerificationCode(
                    user_id=user_id,
                    email="zarina@college.edu",
                    code_hash="scrypt$00$11",
                    expires_at=TODAY + timedelta(minutes=15),
                ),
                DialogState(
                    platform="console",
                    chat_id=PLATFORM_ID,
                    user_id=PLATFORM_ID,
                    flow="share",
                    step="role",
                    answers={"name": NAME, "roll_number": ROLL},
                ),
            ]
        )
        run = DigestRun(period_start=TODAY - timedelta(days=7), period_end=TODAY)
        session.add(run)
        await session.flush()
        subscription = await session.scalar(select(Subscription.id).where(Subscription.user_id == user_id))
        session.add(
            DigestDelivery(
                run_id=run.id, subscription_id=subscription, platform="console", chat_id=PLATFORM_ID
            )
        )
    return World(user_id, other_id, [public, anonymous, rejected], other, shared.id, own.id, companies)


async def all_rows(app: App) -> dict[str, list[dict[str, Any]]]:
    """Every row of every table."""
    async with app.database.sessions() as session:
        return {
            table.name: [dict(row) for row in (await session.execute(select(table))).mappings().all()]
            for table in Base.metadata.sorted_tables
        }


def as_text(value: Any) -> str:
    if isinstance(value, bytes | bytearray | memoryview):
        return bytes(value).decode("utf-8", "ignore")
    return value if isinstance(value, str) else json.dumps(value, default=str)


def assert_nothing_about(rows: dict[str, list[dict[str, Any]]], user_id: int, needles: list[str]) -> None:
    """Row by row: no foreign key points at the user, no stored text contains their name or roll number."""
    user_columns = {
        (table.name, column.key)
        for table in Base.metadata.sorted_tables
        for column in table.columns
        if any(fk.column.table.name == "users" for fk in column.foreign_keys)
    }
    assert all(row["id"] != user_id for row in rows["users"])
    for table, table_rows in rows.items():
        for row in table_rows:
            for key, value in row.items():
                if (table, key) in user_columns:
                    assert value != user_id, f"{table}.{key} still points at the user: {row}"
                text = as_text(value).lower()
                for needle in needles:
                    assert needle.lower() not in text, f"{table}.{key} still contains {needle!r}: {row}"


def saved_file(output: str) -> Path:
    """The path of the file the console adapter saved for a reply."""
    match = FILE_LINE.search(output)
    assert match, f"no file in: {output}"
    return Path(match.group("path"))
