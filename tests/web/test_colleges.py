"""Web pages of two colleges on one deployment (issue #15): each college's page shows its own
experiences, an experience of a college that does not share across is not found on another college's
pages, and the Mini App refuses a student of another college."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import pytest

from bots.web.app import WebServer
from tests.colleges.two import COLLEGES, add_experience, college_ids
from tests.console.driver import FakeClock, make_app
from tests.web.conftest import BOT_TOKEN, Site
from tests.web.helpers import valid_fields


@pytest.fixture
async def two(tmp_path: Path) -> AsyncIterator[tuple[Site, httpx.AsyncClient, dict[str, int]]]:
    clock = FakeClock()
    app = await make_app(
        tmp_path,
        f"sqlite+aiosqlite:///{tmp_path / 'two.db'}",
        clock,
        telegram={"token": BOT_TOKEN},
        insights={"chart_workers": 0},
        web={"public_url": "https://insights.example.edu"},
        **COLLEGES,
    )
    server = WebServer(app, "127.0.0.1", 0)
    port = await server.start()
    site = Site(app, server, f"http://127.0.0.1:{port}", clock)
    try:
        async with httpx.AsyncClient(base_url=site.base, timeout=60) as http:
            yield site, http, await college_ids(app)
    finally:
        await server.stop()
        await app.close()


async def test_each_college_page_shows_its_own_experiences(two) -> None:
    site, http, ids = two
    alpha = [await add_experience(site.app, ids["alpha"], "Zomato", f"Alpha{i}") for i in range(3)]
    gamma = await add_experience(site.app, ids["gamma"], "Zomato", "Gammaone")

    page = await http.get("/c/alpha/company/Zomato")
    assert page.status_code == 200
    assert all(f"/c/alpha/experience/{eid}" in page.text for eid in alpha)
    assert f"experience/{gamma}" not in page.text

    page = await http.get("/c/gamma/company/Zomato")
    assert f"/c/gamma/experience/{gamma}" in page.text
    assert not any(f"experience/{eid}" in page.text for eid in alpha)

    # gamma does not share across: its experience is not on alpha's pages, even by number
    assert (await http.get(f"/c/alpha/experience/{gamma}")).status_code == 404
    assert (await http.get(f"/c/gamma/experience/{gamma}")).status_code == 200
    assert (await http.get("/c/nowhere/company/Zomato")).status_code == 404


async def test_the_mini_app_refuses_a_student_of_another_college(two) -> None:
    site, http, ids = two
    student = 555001  # not a moderator anywhere: nothing places them until they use a college's form
    submit = {"initData": site.init_data(student), "fields": valid_fields()}
    first = await http.post("/c/gamma/share/submit", json=submit)
    assert first.status_code == 201, first.text  # unplaced until now: the form's college, as if picked
    other = await http.post("/c/alpha/share/submit", json=submit)
    assert other.status_code == 403
    assert "another college" in other.json()["error"]
    placed = await site.app.services.repos.colleges.membership(
        await site.app.services.repos.users.ensure_user("telegram", str(student), "Asha")
    )
    assert placed is not None and placed[0] == ids["gamma"]
