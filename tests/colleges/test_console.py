"""Two colleges through the console adapter (issue #15): queues, sharing and the company card kept apart.

The console user acts in the college `--college CODE` names (config `console.college`).
"""

from __future__ import annotations

import copy
from pathlib import Path

import pytest
from sqlalchemy import select

from core.app import App
from storage.models import Company, Experience
from tests.colleges.two import BETA_MOD_CONSOLE, COLLEGES, add_experience, college_ids, status_of
from tests.console.driver import Console, Outbox, make_app
from tests.support.drivers import play
from tests.support.share_script import STEP_BY_STEP

pytestmark = pytest.mark.asyncio


def console_in(app: App, college: str | None, user_id: str = "console-user") -> Console:
    """A console user acting in `college` (as `python main.py --college CODE`); None: no --college."""
    config = app.config.model_copy(deep=True)
    config.console.college = college or ""
    return Console(app, config, user_id=user_id)


async def two_colleges(tmp_path: Path, database_url: str) -> App:
    return await make_app(tmp_path, database_url, insights={"chart_workers": 0}, **COLLEGES)


async def test_a_moderator_sees_and_decides_only_their_own_colleges_queue(tmp_path, database_url):
    app = await two_colleges(tmp_path, database_url)
    try:
        ids = await college_ids(app)
        alpha_item = await add_experience(app, ids["alpha"], "TCS", "Asha", approve=False)
        beta_item = await add_experience(app, ids["beta"], "TCS", "Bala", approve=False)
        alpha_mod = console_in(app, "alpha", "console-moderator")  # config's moderators: the default college

        queue = await alpha_mod.say("/review")
        assert f"Review #{alpha_item}" in queue and "1 waiting" in queue
        assert f"#{beta_item}" not in queue and "Bala" not in queue
        for attempt in (
            f"/review {beta_item}",
            f"/review approve {beta_item}",
            f"/review reject {beta_item}",
        ):
            assert f"There is no experience #{beta_item}." in await alpha_mod.say(attempt)
        assert await status_of(app, beta_item) == "pending"

        beta_mod = console_in(app, "beta", BETA_MOD_CONSOLE)
        queue = await beta_mod.say("/review")
        assert f"Review #{beta_item}" in queue and "Bala" in queue and "Asha" not in queue
        assert f"There is no experience #{alpha_item}." in await beta_mod.say(f"/review approve {alpha_item}")
        assert f"Approved #{beta_item}." in await beta_mod.say(f"/review approve {beta_item}")
        assert (await status_of(app, beta_item), await status_of(app, alpha_item)) == ("approved", "pending")

        # Beta's moderator is nobody's moderator in alpha; alpha's is not one in beta.
        assert "Review #" not in await console_in(app, "alpha", BETA_MOD_CONSOLE).say("/review")
        assert "Review #" not in await console_in(app, "beta", "console-moderator").say("/review")
    finally:
        await app.close()


async def test_a_shared_experience_belongs_to_the_students_college(tmp_path, database_url):
    app = await two_colleges(tmp_path, database_url)
    try:
        async with app.database.sessions.begin() as session:
            session.add(Company(name="TCS", slug="tcs"))
        outbox = Outbox()
        app.register_notifier("console", outbox)
        student = console_in(app, "beta")
        await play(student, STEP_BY_STEP)
        assert "pending moderation" in await student.pick("✅ Submit")
        [alert] = outbox.to(BETA_MOD_CONSOLE)  # the alert goes to the college's own moderators only
        assert "New experience waiting for review: #1 TCS" in alert
        assert outbox.to("console-moderator") == []
        async with app.database.sessions() as session:
            stored = (await session.execute(select(Experience.author_name, Experience.college_id))).all()
        assert [tuple(row) for row in stored] == [("Asha Rao", (await college_ids(app))["beta"])]
        assert "Asha Rao" not in await console_in(app, "alpha", "console-moderator").say("/review")
    finally:
        await app.close()


async def test_company_card_shows_your_college_beside_the_colleges_that_share(tmp_path, database_url):
    app = await two_colleges(tmp_path, database_url)
    try:
        ids = await college_ids(app)
        for author, outcome in (("A1", "selected"), ("A2", "selected"), ("A3", "rejected")):
            await add_experience(app, ids["alpha"], "TCS", author, outcome=outcome, difficulty=2)
        for author, outcome in (
            ("B1", "selected"),
            ("B2", "rejected"),
            ("B3", "rejected"),
            ("B4", "rejected"),
        ):
            await add_experience(app, ids["beta"], "TCS", author, outcome=outcome, difficulty=4)
        for n in range(5):  # gamma does not share: never in anyone else's figures
            await add_experience(app, ids["gamma"], "TCS", f"G{n}", outcome="selected", difficulty=5)

        alpha = await console_in(app, "alpha").say("/company TCS")
        assert "📚 Experiences shared: 3" in alpha
        assert "Your college · All colleges" in alpha
        assert "📚 Experiences: 3 · 7" in alpha  # alpha's 3 + beta's 4; gamma's 5 never
        assert "✅ Selection rate: 67% · 43%" in alpha  # 2/3 and 3/7
        assert "🧗 Average difficulty (1-5): 2.0 · 3.1" in alpha  # (3*2 + 4*4) / 7

        gamma = await console_in(app, "gamma").say("/company TCS")
        assert "📚 Experiences shared: 5" in gamma and "📚 Experiences: 5 · 9" in gamma

        beta = await console_in(app, "beta").say("/company TCS")  # nobody else shares: no comparison
        assert "📚 Experiences shared: 4" in beta and "All colleges" not in beta
    finally:
        await app.close()


async def test_figures_from_fewer_than_three_people_are_withheld_on_the_comparison(tmp_path, database_url):
    app = await two_colleges(tmp_path, database_url)
    try:
        ids = await college_ids(app)
        for author in ("A1", "A2"):
            await add_experience(app, ids["alpha"], "Infosys", author, outcome="selected", difficulty=1)
        for author in ("B1", "B2", "B3"):
            await add_experience(app, ids["beta"], "Infosys", author, outcome="rejected", difficulty=3)
        card = await console_in(app, "alpha").say("/company Infosys")
        assert "📚 Experiences: fewer than 3 · 5" in card
        assert "✅ Selection rate: too few results · 40%" in card  # 2 of 5 across colleges
        assert "🧗 Average difficulty (1-5): too few · 2.2" in card  # (2*1 + 3*3) / 5
    finally:
        await app.close()


async def test_experiences_of_other_colleges_open_only_when_shared_and_then_anonymously(
    tmp_path, database_url
):
    app = await two_colleges(tmp_path, database_url)
    try:
        ids = await college_ids(app)
        alpha_post = await add_experience(app, ids["alpha"], "TCS", "Asha Alpha")
        beta_post = await add_experience(app, ids["beta"], "TCS", "Bala Beta")
        alpha = console_in(app, "alpha")
        shown = await alpha.say(f"/experience {beta_post}")  # beta shares across
        assert "Bala Beta" not in shown and "Anonymous" in shown
        assert "Asha Alpha" in await alpha.say(f"/experience {alpha_post}")
        hidden = await console_in(app, "beta").say(f"/experience {alpha_post}")  # alpha does not share
        assert f"There is no published experience #{alpha_post}." in hidden
    finally:
        await app.close()


async def test_without_a_college_a_student_is_asked_to_pick_one_first(tmp_path, database_url):
    app = await two_colleges(tmp_path, database_url)
    try:
        student = console_in(app, None)
        assert "pick yours first with /college" in await student.say("/share")
        listing = await student.say("/college")
        assert "You have not picked a college yet." in listing
        assert "Beta College" in student.adapter.choices
        assert "You are now in Beta College" in await student.pick("Beta College")
        assert "/college" not in await student.say("/company TCS")
        assert "Your college: Beta College (beta)" in await student.say("/college")
    finally:
        await app.close()


async def test_the_leaderboard_ranks_the_students_own_college(tmp_path, database_url):
    app = await two_colleges(tmp_path, database_url)
    try:
        ids = await college_ids(app)
        await add_experience(app, ids["alpha"], "TCS", "Asha")
        for _ in range(2):
            await add_experience(app, ids["beta"], "TCS", "Bala")
        alpha = await console_in(app, "alpha").say("/leaderboard")
        assert "1. Asha: 10 pts" in alpha and "Bala" not in alpha
        beta = await console_in(app, "beta").say("/leaderboard")
        assert "1. Bala: 20 pts" in beta and "Asha" not in beta
    finally:
        await app.close()


async def test_a_colleges_own_roll_number_format_and_branches_apply_to_its_students(tmp_path, database_url):
    colleges = copy.deepcopy(COLLEGES)
    gamma_spec = next(c for c in colleges["colleges"] if c["code"] == "gamma")
    gamma_spec.update(
        roll_number_pattern="^G[0-9]{4}$", roll_number_example="G1234", branches=["CSE", "Mining"]
    )
    app = await make_app(tmp_path, database_url, insights={"chart_workers": 0}, **colleges)
    try:
        gamma = console_in(app, "gamma")
        await gamma.say("/share")
        await gamma.say("Asha Rao")
        branches = await gamma.say("skip")
        assert "Mining" in branches and "ECE" not in branches
        roll = await gamma.say(str(gamma.number_of("Mining")))
        assert "e.g. G1234" in roll
        assert "Roll numbers look like G1234" in await gamma.say("21CSE1234")
        assert "passout" in (await gamma.say("g1234")).lower()

        alpha = console_in(app, "alpha", "alpha-student")  # the default college: config.yaml's rules
        await alpha.say("/share")
        await alpha.say("Bala Das")
        branches = await alpha.say("skip")
        assert "ECE" in branches and "Mining" not in branches
        await alpha.say(str(alpha.number_of("CSE")))
        assert "passout" in (await alpha.say("21CSE1234")).lower()
    finally:
        await app.close()


async def test_a_post_hidden_after_reports_alerts_its_own_colleges_moderators_only(tmp_path, database_url):
    app = await two_colleges(tmp_path, database_url)
    try:
        ids = await college_ids(app)
        post = await add_experience(app, ids["beta"], "TCS", "Bala")
        outbox = Outbox()
        app.register_notifier("console", outbox)
        for reader in ("r1", "r2", "r3"):  # reports_to_hide: 3
            said = await console_in(app, "beta", f"reader-{reader}").say(f"/report {post} spam")
            if "Why" in said or "reason" in said.lower():
                said = await console_in(app, "beta", f"reader-{reader}").say("It is spam")
        assert await status_of(app, post) == "hidden"
        [alert] = outbox.to(BETA_MOD_CONSOLE)
        assert f"Experience #{post} was hidden after reports" in alert
        assert outbox.to("console-moderator") == []  # the default college's moderators see nothing of it
    finally:
        await app.close()


async def test_mock_questions_come_from_the_students_college_and_those_sharing(tmp_path, database_url):
    import random

    from storage.mock import MockRepo

    app = await two_colleges(tmp_path, database_url)
    try:
        ids = await college_ids(app)
        await add_experience(app, ids["gamma"], "TCS", "Gita")  # gamma does not share: asked "Two Sum"
        company_id = await app.services.repos.companies.get_or_create("TCS")
        repo = MockRepo(app.database.sessions)
        bank = [("hr", "Tell me about yourself.")]
        rng = random.Random(1)
        in_gamma = await repo.pick(bank, company_id, None, set(), rng, colleges=[ids["gamma"]])
        assert (in_gamma.source, in_gamma.text) == ("experience", "Two Sum")
        in_alpha = await repo.pick(bank, company_id, None, set(), rng, colleges=[ids["alpha"], ids["beta"]])
        assert (in_alpha.source, in_alpha.text) == ("bank", "Tell me about yourself.")
    finally:
        await app.close()


async def test_other_colleges_newer_posts_never_crowd_a_colleges_own_out_of_search(tmp_path, database_url):
    from storage.search import SearchRepo, index_missing

    app = await two_colleges(tmp_path, database_url)
    try:
        ids = await college_ids(app)
        own = await add_experience(app, ids["gamma"], "Zomato", "Gita")  # the oldest
        for n in range(3):
            await add_experience(app, ids["alpha"], "Zomato", f"Alpha{n}")  # newer, another college
        await index_missing(app.database.sessions)
        search = SearchRepo(app.database.sessions, candidates=2)  # the newest 2 matches are ranked
        found = await search.search("two sum", colleges=[ids["gamma"]])
        assert [hit.experience_id for hit in found.hits] == [own]
        everyone = await search.search("two sum")
        assert own not in [hit.experience_id for hit in everyone.hits]  # the cap applies, per scope
    finally:
        await app.close()
