"""Weekly digests per college (issue #15): each college's subscribers get their own college's week, in a
run of its own, through the console adapter's /subscribe."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from core import clock
from storage.models import DigestRun, Subscription
from tests.colleges.test_console import console_in
from tests.colleges.two import COLLEGES, add_experience, college_ids
from tests.console.driver import Outbox, make_app

pytestmark = pytest.mark.asyncio


async def test_each_college_gets_the_digest_of_its_own_week(tmp_path, database_url):
    # The real clock: approvals are stamped by the database side's clock, the week is the one in progress.
    app = await make_app(
        tmp_path, database_url, clock=clock.utcnow, insights={"chart_workers": 0}, **COLLEGES
    )
    try:
        ids = await college_ids(app)
        alpha, beta = console_in(app, "alpha", "alpha-student"), console_in(app, "beta", "beta-student")
        assert "subscribed" in (await alpha.say("/subscribe")).lower()
        assert "subscribed" in (await beta.say("/subscribe")).lower()
        async with app.database.sessions() as session:
            subscribed = (await session.execute(select(Subscription.chat_id, Subscription.college_id))).all()
        assert sorted(map(tuple, subscribed)) == [
            ("alpha-student", ids["alpha"]),
            ("beta-student", ids["beta"]),
        ]

        for author in ("A1", "A2"):
            await add_experience(app, ids["alpha"], "TCS", author)
        for author in ("B1", "B2", "B3"):
            await add_experience(app, ids["beta"], "Infosys", author)
        outbox = Outbox()
        app.register_notifier("console", outbox)

        report = await app.digest.sender.send_early()

        assert (report.sent, report.failed) == (2, 0)
        alpha_digest = "\n".join(outbox.to("alpha-student"))  # the text, then the chart as its own message
        beta_digest = "\n".join(outbox.to("beta-student"))
        assert "🆕 2 new experiences at 1 company" in alpha_digest and "TCS (2)" in alpha_digest
        assert "Infosys" not in alpha_digest
        assert "🆕 3 new experiences at 1 company" in beta_digest and "Infosys (3)" in beta_digest
        assert "TCS" not in beta_digest
        async with app.database.sessions() as session:
            runs = (await session.scalars(select(DigestRun.college_id))).all()
        assert sorted(runs) == sorted(ids.values())  # one run per college (gamma's has no subscriber)
        assert (await app.digest.sender.send_early()).sent == 0  # exactly once per chat and week
    finally:
        await app.close()
