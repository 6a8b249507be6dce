"""Issue 11, personal data: real posts with fakes, published as an import publishes them, leak nowhere.

Three real posts (tests/data/real-experiences) are stored anonymous with their listed fakes (author name,
roll number) plus an e-mail and a phone number in the text and a question that names the author; one
more post stays under its author's name but carries an e-mail and a phone. Every public output is then
read the way a student gets it, and none may show an anonymous author's name or roll number, or any
e-mail or phone number.
"""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
from sqlalchemy import select

from core.features.company.charts import word_frequencies
from core.features.digest.content import digest_text
from core.features.moderation.service import render_card
from storage.digest import DigestRepo
from storage.exporter import export_experiences
from storage.models import Experience
from storage.privacy import PrivacyRepo
from storage.search import SearchRepo, _docs_table, search_tokens
from storage.stats import StatsRepo
from tests.console.driver import TODAY, Console, Outbox, make_app
from tests.privacy.helpers import MODS, add_experience
from tests.privacy.real_posts import Fake, leaks, load_posts, pii_value, store_post

pytestmark = pytest.mark.asyncio

ANONYMOUS = (
    "spo-a-2024-intern-atlassian-1",
    "spo-a-2024-placement-hilti-1",
    "spo-a-2024-intern-boston-consulting-group-1",
)
PUBLIC = "spo-a-2022-intern-microsoft-1"


def contact(post_id: str, index: int) -> tuple[str, str]:
    """A made-up e-mail and phone number for a post."""
    return f"student{index}.{post_id.split('-')[4]}@gmail.com", f"+91 98{index}11 2233{index}"


class World:
    """The published posts, their fakes and the app."""

    def __init__(self) -> None:
        self.ids: dict[str, int] = {}
        self.fakes: list[Fake] = []
        self.companies: list[str] = []


@pytest.fixture
async def app(tmp_path, database_url):
    app = await make_app(tmp_path, database_url, **MODS)
    app.register_notifier("console", Outbox())
    yield app
    await app.close()


@pytest.fixture
async def world(app) -> World:
    posts = load_posts()
    world = World()
    now = TODAY - timedelta(days=2)
    for index, post_id in enumerate((*ANONYMOUS, PUBLIC), start=1):
        post = posts[post_id]
        email, phone = contact(post_id, index)
        anonymous = post_id != PUBLIC
        name = pii_value(post, "name") or ""
        first = name.split()[0]
        world.ids[post_id] = await store_post(
            app.services.repos,
            post,
            anonymous=anonymous,
            now=now,
            extra=f"\nAny doubts? Write to {email} or call {phone}.",
            extra_questions=[f"{first}, walk me through your resume and your coding profile"],
        )
        world.companies.append(post["company"])
        world.fakes += [Fake("email", email), Fake("phone", phone)]
        if anonymous:
            world.fakes += [Fake(p["kind"], p["value"]) for p in post["pii"]]
        await app.services.experience_approved(world.ids[post_id])  # what `import --approve` does next
    return world


def every_fake_needle(world: World) -> list[str]:
    return sorted({needle for fake in world.fakes for needle in fake.needles()})


async def test_the_fakes_were_in_the_posts_before_publishing() -> None:
    """The test can fail: each anonymous post's text really holds its name and roll number."""
    posts = load_posts()
    for post_id in ANONYMOUS:
        text = posts[post_id]["text"].lower()
        assert any(v["value"].lower() in text for v in posts[post_id]["pii"] if "name" in v["kind"])
        assert pii_value(posts[post_id], "roll_number") in text


async def test_experience_view_shows_no_personal_data(app, world) -> None:
    reader = Console(app, app.config, "reader", "Reader")
    for post_id, experience_id in world.ids.items():
        out = await reader.say(f"/experience {experience_id}")
        assert "Round 1" in out  # the experience is shown
        assert leaks(out, world.fakes) == [], post_id
        if post_id != PUBLIC:
            assert "By Anonymous" in out and "[name]" in out and "[roll number]" in out
    public = await reader.say(f"/experience {world.ids[PUBLIC]}")
    assert "Hemant Yadav" in public  # an author who posted under their name keeps it
    assert "[e-mail]" in public and "[phone]" in public


async def test_search_finds_nothing_by_personal_data_and_snippets_show_none(app, world) -> None:
    repo = SearchRepo(app.database.sessions)
    for needle in every_fake_needle(world):
        page = await repo.search(needle)
        assert page.total == 0, needle
    page = await repo.search("walk me through your resume")
    assert page.total == 4
    assert leaks(" ".join(hit.snippet for hit in page.hits), world.fakes) == []
    out = await Console(app, app.config, "reader", "Reader").say("/search resume coding profile")
    assert "resume" in out.lower()
    assert leaks(out, world.fakes) == []


async def test_search_index_rows_hold_no_personal_data(app, world) -> None:
    table = _docs_table()
    async with app.database.sessions() as session:
        rows = (await session.execute(select(table.c.title, table.c.body))).all()
    assert len(rows) == 4
    tokens = {t for title, body in rows for t in f"{title} {body}".split()}
    for fake in world.fakes:
        for needle in fake.needles():
            assert not set(search_tokens(needle)) <= tokens or not search_tokens(needle), needle
    anonymous_ids = [world.ids[post_id] for post_id in ANONYMOUS]
    async with app.database.sessions() as session:
        masked_rows = (
            await session.execute(
                select(table.c.title, table.c.body).where(table.c.experience_id.in_(anonymous_ids))
            )
        ).all()
    masked_tokens = {t for title, body in masked_rows for t in f"{title} {body}".split()}
    assert "name" not in masked_tokens  # the "[name]" placeholders are not indexed (the posts never say it)


async def test_faq_shows_no_personal_data(app, world) -> None:
    reader = Console(app, app.config, "reader", "Reader")
    for company in world.companies:
        out = await reader.say(f"/faq {company}")
        assert "walk me through your resume" in out.lower()
        assert leaks(out, world.fakes) == [], company


async def test_word_clouds_and_company_cards_show_no_personal_data(app, world) -> None:
    stats = StatsRepo(app.database.sessions)
    reader = Console(app, app.config, "reader", "Reader")
    for company in world.companies:
        company_id = await app.services.repos.companies.get_or_create(company)
        words = word_frequencies(await stats.question_texts(company_id))
        assert "profile" in words and "name" not in words  # no "[name]" placeholder word either
        assert leaks(" ".join(words), world.fakes) == [], company
        assert leaks(await reader.say(f"/company {company}"), world.fakes) == [], company


async def test_digest_shows_no_personal_data(app, world) -> None:
    repo = DigestRepo(app.database.sessions)
    start, end = TODAY - timedelta(days=7), TODAY
    week = await repo.week(start, end)
    assert week.total == 4
    company_ids = [await app.services.repos.companies.get_or_create(c) for c in world.companies]
    new = await repo.new_experiences(company_ids, start, end)
    followed = [(c, new.get(cid, [])) for c, cid in zip(world.companies, company_ids, strict=True)]
    text = digest_text(week, "this week", followed, 5)
    assert "Anonymous" in text
    assert leaks(text, world.fakes) == []


async def test_inline_cards_show_no_personal_data(app, world) -> None:
    cards = []
    for query in [*world.companies, *every_fake_needle(world)]:
        cards += await app.inline(query)
    assert cards  # the company queries found cards
    text = "\n".join(f"{c.title}\n{c.description}\n{c.text}" for c in cards)
    assert leaks(text, world.fakes) == []


async def test_export_holds_no_personal_data_of_anonymous_posts_and_no_contacts(app, world) -> None:
    for personal in (False, True):
        document = await export_experiences(app.database.sessions, now=TODAY, with_personal_data=personal)
        assert len(document["experiences"]) == 4
        assert leaks(json.dumps(document, ensure_ascii=False), world.fakes) == [], personal


async def test_export_masks_a_post_published_before_masking_existed(app, world) -> None:
    """An approved post never analysed (e.g. published before migration 0006) is masked in the export."""
    post = load_posts()["spo-a-2024-placement-pharmaace-1"]
    await store_post(app.services.repos, post, anonymous=True, now=TODAY, extra=" Call 9123456780.")
    document = await export_experiences(app.database.sessions, now=TODAY)
    fakes = [Fake(p["kind"], p["value"]) for p in post["pii"]] + [Fake("phone", "9123456780")]
    assert len(document["experiences"]) == 5
    assert leaks(json.dumps(document, ensure_ascii=False), fakes) == []


async def test_the_stored_public_text_is_masked_and_says_what_was_masked(app, world) -> None:
    async with app.database.sessions() as session:
        rows = {
            e.id: e
            for e in (
                await session.scalars(select(Experience).where(Experience.id.in_(world.ids.values())))
            ).all()
        }
    assert rows[world.ids[ANONYMOUS[0]]].masked_personal_data == ["name", "roll_number", "email", "phone"]
    assert rows[world.ids[PUBLIC]].masked_personal_data == ["email", "phone"]
    # the private columns keep the author for moderators and /mydata
    assert rows[world.ids[ANONYMOUS[0]]].author_name == "Gaurav Jhunjhunwala"


async def test_the_review_card_says_what_publishing_will_mask(app, world) -> None:
    post = load_posts()["spo-a-2024-placement-tata-steel-1"]
    pending = await store_post(
        app.services.repos, post, anonymous=True, now=TODAY, status="pending", extra=" Mail: v.p@iitk.ac.in"
    )
    card = await app.services.moderation.card(pending)
    assert card is not None
    text = render_card(card, 1).text
    assert "Personal data that will be masked when published: name, roll number, e-mail" in text
    assert "Venkatesh Pothuri" in text  # the moderator still reads the original
    moderator = await app.services.repos.users.ensure_user("console", "mod-1", "Mod")
    await app.services.moderation.decide(pending, moderator, approve=True)
    reader = Console(app, app.config, "reader", "Reader")
    out = await reader.say(f"/experience {pending}")  # public from the approval on, before any analysis
    assert "By Anonymous" in out and "Pothuri" not in out and "22094061" not in out and "v.p@" not in out
    await app.services.experience_approved(pending)
    text = render_card(await app.services.moderation.card(pending), 0).text  # type: ignore[arg-type]
    assert "Personal data masked when it was published: name, roll number, e-mail" in text
    assert "will be masked" not in text and "Pothuri" not in text.split("Author:")[1].split("\n", 1)[1]


async def test_a_moderator_edit_of_a_published_post_is_masked_and_reindexed(app, world) -> None:
    experience_id = world.ids[ANONYMOUS[0]]
    moderator = await app.services.repos.users.ensure_user("console", "mod-1", "Mod")
    edited = "Gaurav Jhunjhunwala solved 300 problems; ping gaurav.j@outlook.com or 9876501234."
    assert await app.services.moderation.edit(experience_id, moderator, "preparation", edited)
    out = await Console(app, app.config, "reader", "Reader").say(f"/experience {experience_id}")
    assert "solved 300 problems" in out
    fakes = [
        Fake("name", "Gaurav Jhunjhunwala"),
        Fake("email", "gaurav.j@outlook.com"),
        Fake("phone", "9876501234"),
    ]
    assert leaks(out, fakes) == []
    repo = SearchRepo(app.database.sessions)
    assert (await repo.search("300 problems")).complete == 1  # re-indexed: the one post with both words
    assert (await repo.search("outlook")).total == 0


async def test_forget_anonymise_masks_the_surname_and_first_name_alone_everywhere(app) -> None:
    prep = "I am Zarina Quill and I practised daily. Later Quill cleared two rounds; Zarina thanks seniors."
    experience_id = await add_experience(app, "stu-zq", "Zarina Quill", "21CSE7777", prep=prep)
    await app.services.experience_approved(experience_id)
    repo = SearchRepo(app.database.sessions)
    assert (await repo.search("quill")).total == 1  # published under her name: findable
    user_id = await app.services.repos.users.ensure_user("console", "stu-zq", "Zarina")
    assert await PrivacyRepo(app.database.sessions).forget(user_id, "anonymise") is not None
    out = await Console(app, app.config, "reader", "Reader").say(f"/experience {experience_id}")
    assert "practised daily" in out and "By Anonymous" in out
    assert leaks(out, [Fake("name", "Zarina Quill"), Fake("roll_number", "21CSE7777")]) == []
    assert (await repo.search("quill")).total == 0 and (await repo.search("zarina")).total == 0
