"""Company matching (aliases, suffixes, typos, ambiguity), the analysis pipeline, and button token sizes."""

from __future__ import annotations

from sqlalchemy import select

from core.companies import CompanyMatcher
from core.features.company.service import company_action, experience_action
from core.features.faq.service import faq_action
from storage.analysis import analyse_all, analyse_and_store
from storage.models import Company, Experience, ExperienceTopic, Question
from storage.repos import CompanyName


class FakeRepo:
    async def all_names(self):
        return [
            CompanyName(1, "TCS", ("tcs", "tata consultancy", "tata consultancy services")),
            CompanyName(2, "Tata Steel", ("tata steel",)),
            CompanyName(3, "Infosys", ("infosys",)),
            CompanyName(4, "Amazon", ("amazon",)),
        ]


async def test_aliases_suffixes_typos_and_ambiguity():
    m = CompanyMatcher(FakeRepo())
    for typed, expected in [
        ("tcs", "TCS"),
        ("Tata Consultancy", "TCS"),
        ("infosys ltd", "Infosys"),
        ("AMAZON", "Amazon"),
    ]:
        assert (await m.match(typed)).exact.name == expected
    typo = await m.match("infosis")
    assert typo.exact is None and typo.confident.name == "Infosys"
    ambiguous = await m.match("tata")
    assert ambiguous.confident is None and [c.name for c in ambiguous.suggestions] == ["TCS", "Tata Steel"]
    nothing = await m.match("qwerty")
    assert nothing.exact is None and not nothing.suggestions


async def test_pipeline_stores_analysis_and_bumps_data_version(seeded):
    db, ids = seeded
    async with db.sessions() as s:
        exp = await s.get(Experience, ids.e1)
        topics = set(
            (
                await s.scalars(select(ExperienceTopic.topic).where(ExperienceTopic.experience_id == ids.e1))
            ).all()
        )
        q = (
            await s.scalars(select(Question).where(Question.experience_id == ids.e1).order_by(Question.id))
        ).all()
        version = await s.scalar(select(Company.data_version).where(Company.id == ids.tcs))
    assert exp.sentiment is not None and exp.keywords
    assert {"DSA", "Linked lists", "DBMS"} <= topics
    assert [x.topic for x in q][2] == "Linked lists" and q[0].normalized == "two sum"
    assert await analyse_all(db.sessions) == 0  # nothing left to analyse
    await analyse_and_store(db.sessions, ids.e1)
    async with db.sessions() as s:
        assert await s.scalar(select(Company.data_version).where(Company.id == ids.tcs)) == version + 1
        again = set(
            (
                await s.scalars(select(ExperienceTopic.topic).where(ExperienceTopic.experience_id == ids.e1))
            ).all()
        )
    assert again == topics  # re-analysing replaces, never duplicates
    await analyse_and_store(db.sessions, 999_999)  # a missing experience is ignored


def test_button_tokens_fit_64_bytes():
    big = 999_999_999
    for token in (
        company_action(big, "list 9999"),
        company_action(big, "by passout"),
        experience_action(big),
        faq_action(big, 9999),
    ):
        assert len(token.encode()) <= 64
