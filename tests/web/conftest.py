"""A running bot App over a small demo data set, with the web pages served on a free port."""

from __future__ import annotations

import json
import shutil
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest

from bots.web.app import WebServer
from bots.web.initdata import sign
from core.app import App
from storage.search import index_missing
from storage.seed_demo import seed_demo
from tests.console.driver import TODAY, FakeClock, make_app

BOT_TOKEN = "123456:TEST-token-for-web-tests"
DEMO_EXPERIENCES = 120
TG_USER = 777001


@dataclass
class Site:
    """The app, its web server's base URL and the clock the Mini App's initData is checked against."""

    app: App
    server: WebServer
    base: str
    clock: FakeClock

    def init_data(self, user_id: int = TG_USER, age_s: float = 60, token: str = BOT_TOKEN) -> str:
        """initData as Telegram would send it for `user_id`, signed with `token`, `age_s` seconds old."""
        user = json.dumps({"id": user_id, "first_name": "Asha", "username": "asha"}, separators=(",", ":"))
        auth_date = str(int(self.clock().timestamp() - age_s))
        return sign({"query_id": "AAF-test", "user": user, "auth_date": auth_date}, token)


@pytest.fixture(scope="module")
def demo_db(tmp_path_factory: pytest.TempPathFactory, sqlite_template: Path) -> Path:
    """A SQLite file with DEMO_EXPERIENCES seeded experiences, made once per test module."""
    import asyncio

    from storage.db import open_database

    path = tmp_path_factory.mktemp("web-demo") / "demo.db"
    shutil.copyfile(sqlite_template, path)

    async def fill() -> None:
        database = await open_database(f"sqlite+aiosqlite:///{path}")
        try:
            await seed_demo(database.sessions, experiences=DEMO_EXPERIENCES, seed=7, now=TODAY)
            await index_missing(database.sessions)
        finally:
            await database.dispose()

    asyncio.run(fill())
    return path


@pytest.fixture
async def site(tmp_path: Path, demo_db: Path) -> AsyncIterator[Site]:
    """The bot with the web pages on 127.0.0.1:<free port> over a copy of the demo database."""
    path = tmp_path / "web.db"
    shutil.copyfile(demo_db, path)
    clock = FakeClock()
    app = await make_app(
        tmp_path,
        f"sqlite+aiosqlite:///{path}",
        clock,
        telegram={"token": BOT_TOKEN},
        insights={"chart_workers": 0},
        web={"public_url": "https://insights.example.edu"},
    )
    server = WebServer(app, "127.0.0.1", 0)
    port = await server.start()
    try:
        yield Site(app, server, f"http://127.0.0.1:{port}", clock)
    finally:
        await server.stop()
        await app.close()


@pytest.fixture
async def client(site: Site) -> AsyncIterator[httpx.AsyncClient]:
    """An HTTP client of the running pages."""
    async with httpx.AsyncClient(base_url=site.base, timeout=60) as http:
        yield http
