"""/privacy, /mydata and /forget through the console adapter, checked row by row on SQLite and PostgreSQL."""

from __future__ import annotations

import json

import pytest
from sqlalchemy import select

from storage.models import Company, MockAttempt, Post, Thread, User, Vote
from tests.console.driver import Console, Outbox, make_app
from tests.privacy.helpers import (
    LINKEDIN,
    MODS,
    NAME,
    OTHER_ID,
    OTHER_NAME,
    PLATFORM_ID,
    ROLL,
    add_experience,
    all_rows,
    assert_nothing_about,
    build_world,
    saved_file,
)

pytestmark = pytest.mark.asyncio

NEEDLES = [NAME, "Zarina", ROLL, "zarina-quill", PLATFORM_ID, "zarina@college.edu"]


@pytest.fixture
async def app(tmp_path, database_url):
    app = await make_app(tmp_path, database_url, **MODS)
    app.register_notifier("console", Outbox())
    yield app
    await app.close()


async def versions(app) -> dict[str, int]:
    async with app.database.sessions() as session:
        return {c.name: c.data_version for c in (await session.scalars(select(Company))).all()}


async def test_privacy_explains_what_is_stored_and_who_sees_it(app):
    student = Console(app, app.config, PLATFORM_ID, "Zarina")
    out = await student.say("/privacy")
    for words in (
        "roll number",
        "moderators only",
        "LinkedIn",
        "branch",
        "year of passout",
        "Anonymous posts: nobody sees the author",
        "video itself is deleted right after scoring unless you chose to keep it",
        "/mydata",
        "/forget",
    ):
        assert words in out
    assert student.adapter.choices == ["📦 Get my data", "🗑 Forget me"]


async def test_mydata_sends_everything_about_the_student_and_nothing_about_others(app):
    world = await build_world(app)
    student = Console(app, app.config, PLATFORM_ID, "Zarina")
    out = await student.say("/mydata")
    assert "Here is everything I store about you (3 experience(s), 2 post(s), 1 mock interview(s))" in out
    data = json.loads(saved_file(out).read_text(encoding="utf-8"))
    assert data["user"]["id"] == world.user_id and data["user"]["display_name"] == "Zarina"
    assert [(i["platform"], i["platform_user_id"]) for i in data["identities"]] == [("console", PLATFORM_ID)]
    experiences = {e["company"]: e for e in data["experiences"]}
    assert set(experiences) == {"TCS", "Infosys", "Wipro"}
    tcs = experiences["TCS"]
    assert (tcs["roll_number"], tcs["linkedin_url"], tcs["author_name"]) == (ROLL, LINKEDIN, NAME)
    assert [q["text"] for q in tcs["rounds"][0]["questions"]] == ["Explain OOP pillars", "Reverse a list"]
    assert tcs["topics"] == ["OOP"] and experiences["Wipro"]["reject_reason"] == "Too little detail"
    assert {t["title"] for t in data["threads_started"]} == {"Bond period at TCS?", f"Notes from {NAME}"}
    assert sorted(p["body"] for p in data["posts"]) == ["Is the bond two years?", f"Regards, {NAME}"]
    [resource] = data["resources"]
    assert resource["title"] == "My aptitude notes" and resource["file_size"] == 21
    assert "file_data" not in resource and "secret bytes" not in json.dumps(data)
    assert [v["target_id"] for v in data["helpful_votes_given"]] == [world.other_experience]
    assert [r["reason"] for r in data["reports_made"]] == ["Typo"]
    assert sorted(b["badge"] for b in data["badges"]) == ["first_share", "top_contributor_2026_10"]
    [attempt] = data["mock_attempts"]
    assert (attempt["overall"], attempt["scores"], attempt["metrics"]) == (
        72,
        {"eye_contact": 70},
        {"wpm": 130},
    )
    assert [s["chat_id"] for s in data["subscriptions"]] == [PLATFORM_ID]
    assert len(data["digest_deliveries"]) == 1 and len(data["faqs_created"]) == 1
    [code] = data["verification_codes"]
    assert (
        code["email"] == "zarina@college.edu"
        and "code_hash" not in code
        and "scrypt$" not in json.dumps(data)
    )
    [dialog] = data["dialog_states"]
    assert dialog["flow"] == "share" and dialog["answers"]["roll_number"] == ROLL
    assert data["ask_me"] == {"opted_in": False, "settings": {}}
    # Other people's data stays out: Ravi's reply in her thread, who voted for or reported her posts.
    text = json.dumps(data)
    assert "Thanks, this helped." not in text and OTHER_NAME not in text and "Spam" not in text


async def test_mydata_of_another_user_never_reveals_an_anonymous_author(app):
    world = await build_world(app)
    async with app.database.sessions.begin() as session:  # a public title naming her is not a leak
        (await session.get(Thread, world.shared_thread)).title = "Notes for juniors"
    ravi = Console(app, app.config, OTHER_ID, "Ravi")
    await ravi.say(f"/helpful {world.experiences[1]}")  # Zarina's anonymous Infosys experience
    out = await ravi.say("/mydata")
    data = json.loads(saved_file(out).read_text(encoding="utf-8"))
    assert world.experiences[1] in [v["target_id"] for v in data["helpful_votes_given"]]
    text = json.dumps(data)
    for needle in (NAME, "Zarina", ROLL, PLATFORM_ID, "zarina-quill"):
        assert needle not in text


async def test_mydata_for_a_stranger_says_nothing_is_stored(app):
    out = await Console(app, app.config, "new-person", "New").say("/mydata")
    assert "nothing stored about you" in out


async def test_forget_cancel_keeps_everything(app):
    await build_world(app)
    before = await all_rows(app)
    student = Console(app, app.config, PLATFORM_ID, "Zarina")
    out = await student.say("/forget")
    assert "You have 3 shared experience(s)" in out
    assert student.adapter.choices == [
        "🗑 Delete everything",
        "🕶 Anonymise my contributions",
        "Cancel: keep everything",
    ]
    assert "Nothing was deleted" in await student.pick("Cancel")
    after = await all_rows(app)
    # Only the dialog she was in is gone (/forget replaced it, as any new dialog does); her data is intact.
    before.pop("dialog_states"), after.pop("dialog_states")
    assert after == before


async def test_forget_everything_leaves_no_row_about_the_student(app, tmp_path):
    world = await build_world(app)
    video = tmp_path / "kept.webm"
    video.write_bytes(b"video")
    async with app.database.sessions.begin() as session:
        (await session.scalar(select(MockAttempt))).video_path = str(video)  # a video she chose to keep
    before = await versions(app)
    student = Console(app, app.config, PLATFORM_ID, "Zarina")
    await student.say("/forget")
    out = await student.pick("🗑 Delete everything")
    assert "I deleted your account and 3 experience(s)" in out and "Nothing about you is left" in out
    assert not video.exists()
    rows = await all_rows(app)
    assert_nothing_about(rows, world.user_id, NEEDLES)
    # Everything she made is gone; what others made survives (Ravi's experience, his reply in her thread).
    assert [e["id"] for e in rows["experiences"]] == [world.other_experience]
    assert [t["id"] for t in rows["threads"]] == [world.shared_thread]
    assert [p["body"] for p in rows["posts"]] == ["Thanks, this helped."]
    assert rows["resources"] == [] and rows["votes"] == [] and rows["reports"] == []
    assert rows["mock_attempts"] == [] and rows["subscriptions"] == []
    assert [b["user_id"] for b in rows["user_badges"]] == [world.other_id]
    assert (
        rows["verification_codes"] == [] and rows["dialog_states"] == [] and rows["digest_deliveries"] == []
    )
    assert [u["id"] for u in rows["users"] if u["id"] == world.other_id] == [world.other_id]
    # Her vote no longer counts on Ravi's experience; public data changed for TCS and Infosys, not Wipro.
    [other] = rows["experiences"]
    assert other["helpful_count"] == 0 and other["report_count"] == 0
    after = await versions(app)
    assert after["TCS"] == before["TCS"] + 1 and after["Infosys"] == before["Infosys"] + 1
    assert after["Wipro"] == before["Wipro"]
    # She is a stranger now.
    assert "nothing stored about you" in await student.say("/mydata")


async def test_forget_anonymise_keeps_contributions_without_any_link_to_the_student(app):
    world = await build_world(app)
    before = await versions(app)
    student = Console(app, app.config, PLATFORM_ID, "Zarina")
    await student.say("/forget")
    out = await student.pick("🕶 Anonymise")
    assert "2 experience(s), 2 thread(s), 2 post(s), 1 resource(s) stay for juniors" in out
    rows = await all_rows(app)
    assert_nothing_about(rows, world.user_id, NEEDLES)
    kept = {e["id"]: e for e in rows["experiences"]}
    assert set(kept) == {world.experiences[0], world.experiences[1], world.other_experience}
    public = kept[world.experiences[0]]
    assert public["user_id"] is None and public["anonymous"] is True and public["status"] == "approved"
    assert (public["author_name"], public["linkedin_url"], public["roll_number"]) == ("", None, None)
    assert public["preparation"] == "I am [removed] ([roll number]); I practised aptitude daily for a month."
    assert len([q for q in rows["questions"] if q["experience_id"] == public["id"]]) == 2
    async with app.database.sessions() as session:
        threads = (await session.scalars(select(Thread).order_by(Thread.id))).all()
        assert [(t.author_user_id, t.anonymous) for t in threads] == [(None, True), (None, True)]
        assert threads[1].title == "Notes from [removed]"
        bodies = (await session.scalars(select(Post.body).order_by(Post.id))).all()
        assert bodies == ["Is the bond two years?", "Regards, [removed]", "Thanks, this helped."]
        votes = (await session.scalars(select(Vote))).all()  # Ravi's vote on her kept experience stays
        assert [(v.user_id, v.target_id) for v in votes] == [(world.other_id, world.experiences[0])]
        assert await session.get(User, world.user_id) is None
    after = await versions(app)
    assert after["TCS"] == before["TCS"] + 1 and after["Infosys"] == before["Infosys"] + 1


async def test_forget_one_student_leaves_another_untouched(app):
    await add_experience(app, PLATFORM_ID, NAME, ROLL)
    other = await add_experience(app, OTHER_ID, OTHER_NAME, "21ECE0042")
    ravi = Console(app, app.config, OTHER_ID, "Ravi")
    before = json.loads(saved_file(await ravi.say("/mydata")).read_text(encoding="utf-8"))
    student = Console(app, app.config, PLATFORM_ID, "Zarina")
    await student.say("/forget")
    await student.pick("🗑 Delete everything")
    after = json.loads(saved_file(await ravi.say("/mydata")).read_text(encoding="utf-8"))
    before.pop("generated_at"), after.pop("generated_at")
    assert after == before and [e["id"] for e in after["experiences"]] == [other]
