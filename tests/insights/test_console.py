"""The insight features end to end through the real console adapter: cards, charts, buttons, anonymity."""

from __future__ import annotations

import io
import re
from pathlib import Path

import pytest
from PIL import Image as PILImage

from core.features.company.service import CompanyFeature
from storage.analysis import analyse_all
from tests.console.driver import Console, make_app
from tests.console.driver import test_config as config_for
from tests.insights.data import ANONYMOUS_LINKS, ANONYMOUS_NAMES, ROLL_NUMBERS, seed

MODERATORS = {"console_user_ids": ["console-moderator"]}
IMAGE = re.compile(r"\[image: (\S+)\] (.*)")


@pytest.fixture
async def app_and_ids(tmp_path, database_url):
    app = await make_app(tmp_path, database_url)
    ids = await seed(app.database.sessions)
    await analyse_all(app.database.sessions)
    try:
        yield app, ids
    finally:
        await app.close()


def console(app, tmp_path, user_id="student-1") -> Console:
    return Console(app, config_for(tmp_path, moderation=MODERATORS), user_id=user_id)


def images(out: str) -> list[tuple[Path, str]]:
    return [(Path(p), caption) for p, caption in IMAGE.findall(out)]


async def test_plain_text_opens_the_card_with_five_decodable_charts(app_and_ids, tmp_path):
    app, ids = app_and_ids
    c = console(app, tmp_path)
    out = await c.say("TCS")
    assert "TCS: what seniors learned" in out
    assert "Experiences shared: 3" in out and "Selection rate: 67%" in out
    charts = images(out)
    names = [p.name.split("-", 3)[-1] for p, _ in charts]
    assert names == [
        "tcs-topics.png",
        "tcs-per-year.png",
        "tcs-passout.png",
        "tcs-difficulty.png",
        "tcs-words.png",
    ]
    for path, caption in charts:
        with PILImage.open(io.BytesIO(path.read_bytes())) as img:
            img.load()
            assert img.format == "PNG" and img.width >= 600 and img.height >= 300
        assert len(caption) > 20  # states a finding
    assert "3 TCS experiences" in charts[0][1]
    # Aliases and legal suffixes reach the same card.
    assert "TCS: what seniors learned" in await c.say("/company Tata Consultancy")
    assert "Infosys: what seniors learned" in await c.say("infosys limited")


async def test_charts_are_cached_per_data_version_and_redrawn_after_an_approval(app_and_ids, tmp_path):
    app, ids = app_and_ids
    company = app.feature(CompanyFeature)
    charts = app.charts
    first = await company.card(ids.tcs)
    assert charts.renders == 5 and len(first[1].images) == 5
    again = await company.card(ids.tcs)
    assert charts.renders == 5  # warm: nothing redrawn
    assert [i.png for i in again[1].images] == [i.png for i in first[1].images]
    # Approving another TCS experience bumps data_version; the card is redrawn in the background at once.
    from sqlalchemy import update

    from storage.models import Experience

    async with app.database.sessions.begin() as session:
        await session.execute(update(Experience).where(Experience.id == ids.e4).values(status="approved"))
    await app.services.experience_approved(ids.e4)
    await company.idle()
    assert charts.renders == 10
    replies = await company.card(ids.tcs)
    assert "Experiences shared: 4" in replies[0].text and len(replies[1].images) == 5
    assert charts.renders == 10  # the student got the background render
    assert [i.png for i in replies[1].images] != [i.png for i in first[1].images]
    out = await console(app, tmp_path).say("/company tcs")
    assert "Experiences shared: 4" in out and len(images(out)) == 5


async def test_did_you_mean_typo_and_no_match(app_and_ids, tmp_path):
    app, ids = app_and_ids
    c = console(app, tmp_path)
    out = await c.say("tata")
    assert "Did you mean" in out and c.adapter.choices == ["TCS", "Tata Steel"]
    assert "Tata Steel" in await c.pick("Tata Steel")  # no experiences yet: invitation to share
    out = await c.say("amazn")
    assert 'Showing Amazon (closest to "amazn")' in out and "Amazon: what seniors learned" in out
    out = await c.say("Zyxwv Corp")
    assert 'couldn\'t find a company called "Zyxwv Corp"' in out and "/share" in out
    assert "share your interview experience" in await c.say("hello")  # chit-chat keeps the old hint


async def test_drill_downs_list_paging_and_full_experience(app_and_ids, tmp_path):
    app, ids = app_and_ids
    c = console(app, tmp_path)
    await c.say("TCS")
    out = await c.pick("🏫 By branch")
    # CSE has 2 experiences and ECE 1: no branch of fewer than 3 is shown on its own (k-anonymity).
    assert "TCS by branch" in out and "CSE" not in out and "ECE" not in out
    assert "• other (fewer than 3 each): 3 experiences, selected 67% (2 of 3 with a known result)" in out
    out = await c.pick("By round")
    assert "TCS by round type" in out and "Technical: 3 experiences" in out
    out = await c.pick("📄 Read experiences")
    assert "page 1 of 1, 3 in all" in out
    assert "Older ▶" not in out and "◀ Newer" not in out  # one page: no paging buttons
    assert out.index(f"#{ids.e3}") < out.index(f"#{ids.e2}") < out.index(f"#{ids.e1}")
    out = await c.pick(f"#{ids.e1}")
    assert "Round 2: Technical" in out and "• Reverse a linked list" in out
    assert "By Asha Rao" in out and "linkedin.com/in/asha-rao" in out
    assert "There is no published experience" in await c.say(f"/experience {ids.e4}")
    assert "Send the number" in await c.say("/experience abc")
    out = await c.say(f"/company #{ids.tcs} list 7")  # past the end: the last page
    assert "page 1 of 1" in out


async def test_search_command_pages_and_company_in_words(app_and_ids, tmp_path):
    app, ids = app_and_ids
    c = console(app, tmp_path)
    out = await c.say("/search dynamic programming amazon")
    assert 'Search "dynamic programming" in Amazon**'.replace("**", "") in out
    assert f"#{ids.e6}" in out and f"#{ids.e2}" not in out
    out = await c.say("/search dynamic programming company:tcs")
    assert f"#{ids.e2}" in out and f"#{ids.e6}" not in out
    out = await c.say("/search reverse linked list")
    assert "2 experiences, page 1 of 1" in out and "Next ▶" not in out
    assert "Nothing found" in await c.say("/search zanzibar camels")
    assert "Search every shared experience" in await c.say("/search")


async def test_faq_groups_paraphrases_and_moderators_pin_answers(app_and_ids, tmp_path):
    app, ids = app_and_ids
    c = console(app, tmp_path)
    out = await c.say("/faq tcs")
    lines = [line for line in out.splitlines() if re.match(r"\d+\. ", line)]
    # "Tell me about yourself" / "Introduce yourself", and the two normalisation wordings, group as one each.
    yourself = [line for line in lines if "yourself" in line.lower()]
    assert len(yourself) == 1 and "2 experiences" in yourself[0] and "HR ×2" in yourself[0]
    normal = [line for line in lines if "normali" in line.lower()]
    assert len(normal) == 1 and "2 experiences" in normal[0]
    assert "Only moderators" in await c.say("/faq pin tcs | What is TCS NQT? | The national qualifier test")
    mod = console(app, tmp_path, user_id="console-moderator")
    out = await mod.say(
        "/faq pin tcs | What is TCS NQT? | The National Qualifier Test, taken before interviews"
    )
    assert "Pinned for TCS" in out
    out = await c.say("/faq TCS")
    assert out.index("Pinned answers") < out.index("1. ")
    assert "The National Qualifier Test" in out
    assert "Unpinned" in await mod.say("/faq unpin tcs | what is tcs nqt")
    assert "National Qualifier" not in await c.say("/faq tcs")
    assert "Moderators pin" in await mod.say("/faq pin tcs | missing answer")


async def test_anonymous_authors_and_roll_numbers_never_appear(app_and_ids, tmp_path):
    app, ids = app_and_ids
    c = console(app, tmp_path)
    transcript = []
    for line in (
        "TCS",
        "Amazon",
        f"/company #{ids.tcs} list 0",
        f"/company #{ids.amazon} list 0",
        f"/company #{ids.tcs} by branch",
        f"/company #{ids.tcs} by role",
        f"/company #{ids.tcs} by passout",
        f"/company #{ids.tcs} by round",
        f"/experience {ids.e2}",
        f"/experience {ids.e6}",
        f"/experience {ids.e1}",
        "/search dynamic programming",
        "/search linked list",
        "/search sam",
        "/search hana",
        "/faq tcs",
        "/faq amazon",
        "/insights",
    ):
        transcript.append(await c.say(line))
    text = "\n".join(transcript)
    assert "Anonymous" in text and "Asha Rao" in text  # the views did show authors
    for secret in (*ANONYMOUS_NAMES, *ANONYMOUS_LINKS, *ROLL_NUMBERS):
        assert secret.lower() not in text.lower()
    assert "Nothing found" in transcript[13] and "Nothing found" in transcript[14]  # names are not searchable


async def test_insights_text_and_six_charts(app_and_ids, tmp_path):
    app, ids = app_and_ids
    out = await console(app, tmp_path).say("/insights")
    assert "Insights from 5 experiences at 3 companies" in out
    assert "Overall selection rate: 75% (3 of 4 with a known result)" in out
    charts = images(out)
    assert [p.name.split("-", 3)[-1] for p, _ in charts] == [
        "top-companies.png",
        "branch-year-selection.png",
        "trend.png",
        "sentiment.png",
        "hot-topics.png",
        "difficulty-vs-selection.png",
    ]
    assert charts[0][1].startswith("TCS has the most experiences: 3 of 5")
