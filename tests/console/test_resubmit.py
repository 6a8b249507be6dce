"""Fix and resubmit via the console: /myposts -> Fix -> the reason -> edit -> the same id is pending."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from storage.models import Company, Experience, Question
from tests.console.driver import Console, Outbox, make_app
from tests.console.test_share_dialog import answer_rest, answer_up_to_company

pytestmark = pytest.mark.asyncio

# A high threshold, so an approved first post does not make its author a trusted contributor here.
MODS = {"moderation": {"console_user_ids": ["mod-1"], "reputation_threshold": 1000}}


@pytest.fixture
async def setup(tmp_path, database_url):
    app = await make_app(tmp_path, database_url, **MODS)
    outbox = Outbox()
    app.register_notifier("console", outbox)
    async with app.database.sessions.begin() as session:
        session.add(Company(name="TCS", slug="tcs"))
    yield app, outbox
    await app.close()


async def share(student: Console) -> None:
    await answer_up_to_company(student)
    await answer_rest(student, await student.say("TCS"))
    assert "pending moderation" in await student.pick("✅ Submit")


async def experience(app, experience_id: int) -> Experience:
    async with app.database.sessions() as session:
        found = await session.get(Experience, experience_id)
        assert found is not None
        return found


async def count(app, model) -> int:
    async with app.database.sessions() as session:
        return await session.scalar(select(func.count()).select_from(model)) or 0


async def test_rejected_post_is_fixed_and_resubmitted_as_the_same_experience(setup):
    app, outbox = setup
    student = Console(app, app.config, "stu-1", "Asha")
    moderator = Console(app, app.config, "mod-1", "Mod")
    await share(student)
    await moderator.say("/review 1")
    await moderator.pick("❌ Reject")
    await moderator.say("Please name the role precisely")
    assert (await experience(app, 1)).status == "rejected"

    posts = await student.say("/myposts")
    assert "reason: Please name the role precisely" in posts
    assert student.adapter.choices == ["✏️ Fix #1"]
    opened = await student.pick("✏️ Fix #1")
    assert "A moderator did not publish this: Please name the role precisely. Edit the fields below" in opened
    assert opened.index("did not publish") < opened.index("Please check your experience")
    assert "8. Role: SDE" in opened and "6. Company: TCS" in opened
    assert "Online assessment, 90 min, difficulty 3/5" in opened  # rounds came back with the dialog

    await student.say("edit 8")
    back = await student.say("Software Engineer (Backend)")
    assert "8. Role: Software Engineer (Backend)" in back
    done = await student.pick("✅ Submit")
    assert "#1" in done and "changed: role" in done and "pending moderation" in done

    stored = await experience(app, 1)
    assert (stored.status, stored.role, stored.reject_reason) == (
        "pending",
        "Software Engineer (Backend)",
        None,
    )
    assert await count(app, Experience) == 1  # updated, not created again
    assert await count(app, Question) == 3  # the rounds' questions replaced, not duplicated
    alerts = outbox.to("mod-1")
    assert "resubmitted for review: #1 TCS; changed: role" in alerts[-1]
    card = await moderator.say("/review 1")
    assert "✏️ Resubmitted; changed: role" in card
    assert "Software Engineer (Backend)" in card


async def test_resubmitting_without_a_change_is_refused_and_writes_nothing(setup):
    app, outbox = setup
    student = Console(app, app.config, "stu-1", "Asha")
    moderator = Console(app, app.config, "mod-1", "Mod")
    await share(student)
    await moderator.say("/review 1")
    await moderator.pick("❌ Reject")
    await moderator.say("Too short")
    await student.say("/fix 1")
    out = await student.pick("✅ Submit")
    assert "You have not changed anything yet" in out
    stored = await experience(app, 1)
    assert (stored.status, stored.reject_reason) == ("rejected", "Too short")


async def test_a_strangers_fix_is_refused(setup):
    app, _ = setup
    await share(Console(app, app.config, "stu-1", "Asha"))
    stranger = Console(app, app.config, "stu-2", "Ravi")
    assert "There is no experience #1 of yours." in await stranger.say("/fix 1")
    assert "There is no experience #99 of yours." in await stranger.say("/fix 99")
    assert "/fix <id>" in await stranger.say("/fix")
    assert "Please check your experience" not in await stranger.say("submit")
    assert (await experience(app, 1)).author_name == "Asha Rao"


async def test_editing_a_published_post_hides_it_until_the_edit_is_approved(setup):
    app, outbox = setup
    student = Console(app, app.config, "stu-1", "Asha")
    moderator = Console(app, app.config, "mod-1", "Mod")
    await share(student)
    await moderator.say("/review approve 1")
    assert (await experience(app, 1)).status == "approved"

    await student.say("/myposts")
    assert student.adapter.choices == ["✏️ Edit #1"]
    opened = await student.pick("✏️ Edit #1")
    assert "Editing your published experience #1" in opened and "hidden until a moderator" in opened
    await student.say("edit 13")
    await student.say("Practise mock interviews aloud; explain the approach before writing code.")
    await student.say("edit 8")
    await student.say("SDE 1")
    done = await student.pick("✅ Submit")
    assert "changed: role, reflections" in done and "pending moderation" in done

    stored = await experience(app, 1)
    assert (stored.status, stored.role, stored.approved_at) == ("pending", "SDE 1", None)
    assert stored.reflections.startswith("Practise mock interviews aloud")
    assert "✏️ Resubmitted; changed: role, reflections" in await moderator.say("/review 1")
    await moderator.say("/review approve 1")
    stored = await experience(app, 1)
    assert stored.status == "approved"
    assert "Resubmitted" not in await moderator.say("/review 1")  # the change list is for the pending edit
