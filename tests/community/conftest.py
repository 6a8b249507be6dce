"""Fixtures for community tests: an app with two companies, an outbox for pushes, fake thread mirrors."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select, update

from core.ports import MirroredThread
from storage.community import CommunityRepo
from storage.models import Company, User
from tests.console.driver import Console, FakeClock, Outbox, make_app

SETTINGS = {
    "moderation": {
        "console_user_ids": ["mod-1"],
        "reports_to_hide": 2,
        "max_posts_per_hour": 6,
        "reputation_threshold": 10,
    }
}


class FakeMirror:
    """A ThreadMirror that records calls and hands out ids like a platform would."""

    def __init__(self, platform: str, prefix: str) -> None:
        self.platform = platform
        self.prefix = prefix
        self.opened: list[MirroredThread] = []
        self.posts: list[tuple[str, str, str]] = []
        self.resolved: list[str] = []

    async def open_thread(self, thread: MirroredThread) -> str | None:
        self.opened.append(thread)
        return f"{self.prefix}{thread.id}"

    async def post(self, external_id: str, author: str, body: str) -> None:
        self.posts.append((external_id, author, body))

    async def mark_resolved(self, external_id: str) -> None:
        self.resolved.append(external_id)

    def everything(self) -> str:
        opened = [f"{t.title} {t.author} {t.body}" for t in self.opened]
        return "\n".join(opened + [f"{a} {b}" for _, a, b in self.posts])


class Env:
    """The app under test with its clock, outbox and console users."""

    def __init__(self, app, clock: FakeClock, outbox: Outbox) -> None:
        self.app = app
        self.clock = clock
        self.outbox = outbox
        self.repo = CommunityRepo(app.database.sessions)

    def console(self, user_id: str, name: str) -> Console:
        return Console(self.app, self.app.config, user_id, name)

    async def trusted(self, user_id: str, name: str, platform: str = "console") -> int:
        """A user whose reputation is above the threshold (posts skip the moderation queue)."""
        internal = await self.app.services.repos.users.ensure_user(platform, user_id, name)
        async with self.app.database.sessions.begin() as session:
            await session.execute(update(User).where(User.id == internal).values(reputation=50))
        return internal

    async def company_id(self, name: str) -> int:
        async with self.app.database.sessions() as session:
            return await session.scalar(select(Company.id).where(Company.name == name))

    async def seed_threads(self, count: int, company: str = "TCS", topic: str | None = None) -> list[int]:
        """Open threads made directly in storage, each with later activity than the one before."""
        repo = self.repo
        author = await self.trusted("seed-author", "Seeder")
        company_id = await self.company_id(company) if company else None
        ids = []
        for number in range(1, count + 1):
            thread_id, _ = await repo.create_thread(
                user_id=author,
                company_id=company_id,
                topic=topic,
                title=f"Seeded thread {number:02d}",
                body=f"Body {number}",
                anonymous=False,
                platform="console",
                status="open",
                now=self.clock() - timedelta(days=count - number),
            )
            ids.append(thread_id)
        return ids


@pytest.fixture
async def env(tmp_path, database_url):
    clock = FakeClock()
    app = await make_app(tmp_path, database_url, clock=clock, **SETTINGS)
    outbox = Outbox()
    app.register_notifier("console", outbox)
    app.register_notifier("telegram", outbox)
    app.register_notifier("discord", outbox)
    async with app.database.sessions.begin() as session:
        session.add(Company(name="TCS", slug="tcs"))
        session.add(Company(name="Infosys", slug="infosys"))
    yield Env(app, clock, outbox)
    await app.close()
