"""Every aggregate of the card, drill-downs and /insights against values computed by hand (both databases)."""

from __future__ import annotations

from datetime import UTC, datetime

from core.analytics.stats import compress_sequence, selection_rate, top_with_other, typical_sequence
from core.features.company.views import card_text, typical_rounds
from storage.stats import StatsRepo, Tally


async def test_company_stats_match_hand_computed_values(seeded):
    db, ids = seeded
    stats = await StatsRepo(db.sessions).company(ids.tcs)
    # E1, E2, E3 are approved; E4 is pending and must not count.
    assert (stats.total, stats.selected, stats.decided) == (3, 2, 3)
    assert stats.outcomes == {"selected": 2, "rejected": 1}
    assert stats.difficulty == {2: 1, 4: 1, 3: 1}
    assert stats.rating == {4: 1, 2: 1, 5: 1}
    assert stats.sources == {"on_campus": 1, "off_campus": 1, "referral": 1}
    assert stats.latest == datetime(2026, 3, 10, 12, 0, tzinfo=UTC)
    assert stats.latest_year == 2024
    assert stats.by_interview_year == [Tally(2023, 2, 2, 2, 2.5), Tally(2024, 1, 0, 1, 4.0)]
    assert stats.by_passout_year == [Tally(2023, 1, 1, 1, 3.0), Tally(2024, 2, 1, 2, 3.0)]
    assert stats.round_counts == {3: 2, 4: 1}
    assert stats.round_positions[3] == {"hr": 2, "technical": 1}
    assert typical_rounds(stats) == "OA → Technical → HR"
    questions = dict(stats.questions)
    assert questions["Reverse a linked list"] == 2
    assert questions["Two Sum"] == 2  # "Two Sum" and "Two sum" are one question
    assert "Zanzibar puzzle about camels" not in questions
    assert dict(stats.topics)["Linked lists"] == 2


async def test_card_text_shows_the_numbers(seeded):
    db, ids = seeded
    text = card_text(await StatsRepo(db.sessions).company(ids.tcs))
    assert "Experiences shared: 3" in text
    assert "Selection rate: 67% (2 of 3 with a known result)" in text
    assert "1★ 0 · 2★ 1 · 3★ 1 · 4★ 1 · 5★ 0" in text  # difficulty
    assert "Typical rounds: OA → Technical → HR" in text
    # The newest stored experience (E3, stored March 2026) is from 2023 interviews; E2 (stored in
    # February) is from 2024: "latest" is the interview year, not the date a row was stored or imported.
    assert "Latest experience: interviews of 2024" in text and "Mar 2026" not in text
    assert "**Most asked questions** (from 3 experiences):" in text
    assert "Reverse a linked list — asked in 2" in text
    assert "on-campus 33%" in text and "referral 33%" in text


async def test_breakdowns(seeded):
    db, ids = seeded
    repo = StatsRepo(db.sessions)
    assert await repo.breakdown(ids.tcs, "branch") == [Tally("CSE", 2, 1, 2, 3.0), Tally("ECE", 1, 1, 1, 3.0)]
    assert await repo.breakdown(ids.tcs, "role") == [
        Tally("SDE", 2, 1, 2, 3.0),
        Tally("Analyst", 1, 1, 1, 3.0),
    ]
    rounds = {t.key: t for t in await repo.breakdown(ids.tcs, "round")}
    assert set(rounds) == {"online_assessment", "technical", "hr"}
    assert (rounds["technical"].total, rounds["technical"].selected) == (3, 2)
    assert rounds["technical"].avg_difficulty == 3.0  # E1 3, E2 (4+4)/2, E3 2
    assert round(rounds["online_assessment"].avg_difficulty, 3) == round(7 / 3, 3)
    assert rounds["hr"].avg_difficulty == 1.0
    # Infosys' only experience has no known result: no selection rate.
    assert await repo.breakdown(ids.infosys, "passout") == [Tally(2022, 1, 0, 0, 1.0)]


async def test_list_and_full_experience_are_public_only(seeded):
    db, ids = seeded
    repo = StatsRepo(db.sessions)
    assert await repo.count_experiences(ids.tcs) == 3
    lines = await repo.list_experiences(ids.tcs, limit=5, offset=0)
    assert [line.id for line in lines] == [ids.e3, ids.e2, ids.e1]  # newest first, pending E4 left out
    assert [line.author for line in lines] == ["Ravi Kumar", "Anonymous", "Asha Rao"]
    assert await repo.experience(ids.e4) is None
    anonymous = await repo.experience(ids.e2)
    assert anonymous.author == "Anonymous" and anonymous.linkedin_url is None
    named = await repo.experience(ids.e1)
    assert named.author == "Asha Rao" and named.linkedin_url == "https://www.linkedin.com/in/asha-rao"
    assert [r.kind for r in named.rounds] == ["online_assessment", "technical", "hr"]
    assert named.rounds[0].questions == ("Two Sum", "Explain normalization in DBMS")


async def test_global_stats(seeded):
    db, ids = seeded
    data = await StatsRepo(db.sessions).overall()
    assert data.total == 5
    assert [(name, n, s, d) for _, name, n, s, d, _ in data.companies] == [
        ("TCS", 3, 2, 3),
        ("Amazon", 1, 1, 1),
        ("Infosys", 1, 0, 0),
    ]
    assert sorted(data.branch_passout) == [
        ("CSE", 2024, 1, 2),
        ("CSE", 2025, 1, 1),
        ("ECE", 2023, 1, 1),
        ("IT", 2022, 0, 0),
    ]
    assert [(t.key, t.total, t.selected) for t in data.years] == [(2021, 1, 0), (2023, 2, 2), (2024, 2, 1)]
    assert data.season == 2024
    assert sum(n for bands in data.sentiment.values() for n in bands.values()) == 5
    assert sum(n for _, n in data.sentiment_values) == 5


def test_pure_helpers():
    assert selection_rate(2, 3) == 2 / 3
    assert selection_rate(0, 0) is None
    kinds = ["online_assessment", "technical", "technical", "hr"]
    assert compress_sequence(kinds) == "OA → Technical ×2 → HR"
    assert typical_sequence(
        {2: 1, 3: 5}, {1: {"coding": 4, "online_assessment": 2}, 2: {"hr": 5}, 3: {"hr": 3}}
    ) == [
        "coding",
        "hr",
        "hr",
    ]
    assert typical_sequence({}, {}) == []
    pairs = [(f"t{i:02d}", 20 - i) for i in range(15)]
    folded = top_with_other(pairs, 12)
    assert len(folded) == 12 and folded[-1] == ("other", sum(20 - i for i in range(11, 15)))
