"""Discussions and resources per college through the console (issue #15): another college's thread or
resource reads as missing, and each college's moderators review only their own community queue."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from core.features.discussions.service import Community
from storage.models import Resource, Thread
from tests.colleges.test_console import console_in, two_colleges
from tests.colleges.two import BETA_MOD_CONSOLE, college_ids
from tests.console.driver import TODAY

pytestmark = pytest.mark.asyncio


async def test_threads_and_resources_stay_in_their_college(tmp_path, database_url):
    app = await two_colleges(tmp_path, database_url)
    try:
        ids = await college_ids(app)
        repo = app.feature(Community).repo
        author = await app.services.repos.users.ensure_user("console", "someone", "Someone")
        company = await app.services.repos.companies.get_or_create("TCS")
        common = {"user_id": author, "company_id": company, "topic": None, "anonymous": False, "now": TODAY}
        alpha_open, _ = await repo.create_thread(
            **common, title="Alpha OA dates?", body="When is it?", platform="console", status="open",
            college_id=ids["alpha"],
        )  # fmt: skip
        beta_waiting, _ = await repo.create_thread(
            **common, title="Beta HR round?", body="What was asked?", platform="console", status="pending",
            college_id=ids["beta"],
        )  # fmt: skip
        beta_pdf = await repo.add_resource(
            user_id=author, company_id=company, title="Beta notes", url="https://example.com/beta",
            file_name=None, data=None, status="approved", now=TODAY, college_id=ids["beta"],
        )  # fmt: skip

        alpha, beta = console_in(app, "alpha"), console_in(app, "beta")
        assert "Alpha OA dates?" in await alpha.say("/discuss TCS")
        assert "Alpha OA dates?" not in await beta.say("/discuss TCS")
        assert f"There is no discussion #{alpha_open}." in await beta.say(f"/thread {alpha_open}")
        assert "Beta notes" in await beta.say("/resources TCS")
        assert "Beta notes" not in await alpha.say("/resources TCS")
        assert "There is no such resource" in await alpha.say(f"/resource {beta_pdf}")

        alpha_mod = console_in(app, "alpha", "console-moderator")
        assert "Beta HR round?" not in await alpha_mod.say("/moderate")
        assert f"There is no discussion t{beta_waiting}." in await alpha_mod.say(
            f"/moderate approve t{beta_waiting}"
        )
        beta_mod = console_in(app, "beta", BETA_MOD_CONSOLE)
        assert "Beta HR round?" in await beta_mod.say("/moderate")
        assert f"Approved discussion t{beta_waiting}." in await beta_mod.say(
            f"/moderate approve t{beta_waiting}"
        )

        async with app.database.sessions() as session:
            colleges = dict((await session.execute(select(Thread.title, Thread.college_id))).all())
            resources = (await session.scalars(select(Resource.college_id))).all()
        assert colleges["Alpha OA dates?"] == ids["alpha"] and colleges["Beta HR round?"] == ids["beta"]
        assert resources == [ids["beta"]]
    finally:
        await app.close()
