"""Analyse approved experiences once and store the results (sentiment, keywords, topics, search text).

`analyse_and_store` runs when a moderator approves one experience; `analyse_all` catches up every
approved experience that was never analysed (after seed-demo or an import), in batches with bulk writes.
Both bump the companies' data_version so cached cards and charts are rebuilt.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import JSON, bindparam, delete, insert, select, update
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from core.analytics.text import Analysis, ExperienceText, analyse_experience
from storage.models import Company, Experience, ExperienceTopic, Question, Round
from storage.repos import bump_data_version
from storage.search import SearchDoc, build_doc, remove_docs, store_docs

logger = logging.getLogger(__name__)

Sessions = async_sessionmaker[AsyncSession]
BATCH = 400


@dataclass
class _Loaded:
    """One experience's text as stored: fields plus (question id, round kind, text) in order."""

    id: int
    company_id: int
    company: str
    status: str
    text: ExperienceText
    question_ids: list[int]


async def _load(session: AsyncSession, ids: Sequence[int]) -> list[_Loaded]:
    rows = (
        await session.execute(
            select(
                Experience.id,
                Experience.company_id,
                Company.name,
                Experience.status,
                Experience.role,
                Experience.role_description,
                Experience.preparation,
                Experience.reflections,
            )
            .join(Company, Company.id == Experience.company_id)
            .where(Experience.id.in_(list(ids)))
            .order_by(Experience.id)
        )
    ).all()
    questions: dict[int, list[tuple[int, str, str]]] = {}
    q_rows = await session.execute(
        select(Question.experience_id, Question.id, Round.kind, Question.text)
        .join(Round, Round.id == Question.round_id)
        .where(Question.experience_id.in_(list(ids)))
        .order_by(Question.experience_id, Round.position, Question.position, Question.id)
    )
    for eid, qid, kind, q in q_rows:
        questions.setdefault(eid, []).append((qid, kind, q))
    loaded = []
    for eid, cid, company, status, role, desc, prep, refl in rows:
        qs = questions.get(eid, [])
        text = ExperienceText(
            role=role or "",
            role_description=desc or "",
            preparation=prep or "",
            reflections=refl or "",
            questions=[(kind, q) for _, kind, q in qs],
        )
        loaded.append(_Loaded(eid, cid, company, status, text, [qid for qid, _, _ in qs]))
    return loaded


def _analyse(items: list[_Loaded]) -> list[tuple[Analysis, SearchDoc]]:
    """CPU part (run in a thread): analysis and search document of each experience."""
    out = []
    for item in items:
        analysis = analyse_experience(item.text)
        doc = build_doc(
            item.id,
            item.company_id,
            item.company,
            item.text.role,
            [q for _, q in item.text.questions],
            (item.text.role_description, item.text.preparation, item.text.reflections),
            analysis.topics,
        )
        out.append((analysis, doc))
    return out


async def _store(
    session: AsyncSession, items: list[_Loaded], results: list[tuple[Analysis, SearchDoc]]
) -> None:
    """Write analyses in bulk: experiences, topics, questions, search documents, company versions."""
    if not items:
        return
    ids = [item.id for item in items]
    exp = Experience.__table__
    await session.execute(
        update(exp)
        .where(exp.c.id == bindparam("eid"))
        .values(sentiment=bindparam("s"), keywords=bindparam("k", type_=JSON)),
        [
            {"eid": item.id, "s": analysis.sentiment, "k": list(analysis.keywords)}
            for item, (analysis, _) in zip(items, results, strict=True)
        ],
    )
    await session.execute(delete(ExperienceTopic).where(ExperienceTopic.experience_id.in_(ids)))
    topic_rows = [
        {"experience_id": item.id, "topic": topic[:40]}
        for item, (analysis, _) in zip(items, results, strict=True)
        for topic in dict.fromkeys(analysis.topics)
    ]
    if topic_rows:
        await session.execute(insert(ExperienceTopic.__table__), topic_rows)
    q = Question.__table__
    question_rows = [
        {"qid": qid, "t": (topic or None) and topic[:40], "n": normalized}
        for item, (analysis, _) in zip(items, results, strict=True)
        for qid, topic, normalized in zip(
            item.question_ids, analysis.question_topics, analysis.question_normalized, strict=False
        )
    ]
    if question_rows:
        await session.execute(
            update(q)
            .where(q.c.id == bindparam("qid"))
            .values(topic=bindparam("t"), normalized=bindparam("n")),
            question_rows,
        )
    public = [doc for item, (_, doc) in zip(items, results, strict=True) if item.status == "approved"]
    await store_docs(session, public)
    hidden = [item.id for item in items if item.status != "approved"]
    if hidden:
        await remove_docs(session, hidden)
    await bump_data_version(session, (item.company_id for item in items))


async def analyse_and_store(sessions: Sessions, experience_id: int) -> int | None:
    """Analyse one experience (on approval), store the results and bump its company's data_version.

    Returns the experience's company id (None when the experience does not exist), so the caller can
    redraw that company's card.
    """
    async with sessions() as session:
        items = await _load(session, [experience_id])
    if not items:
        logger.warning("analyse_and_store: experience %s does not exist", experience_id)
        return None
    results = await asyncio.to_thread(_analyse, items)
    async with sessions.begin() as session:
        await _store(session, items, results)
    logger.info("experience %s analysed: topics %s", experience_id, results[0][0].topics)
    return items[0].company_id


async def unanalysed_ids(sessions: Sessions) -> list[int]:
    """Approved experiences without stored analysis or without a search document."""
    from storage.search import _docs_table

    docs = _docs_table()
    async with sessions() as session:
        rows = await session.execute(
            select(Experience.id)
            .outerjoin(docs, docs.c.experience_id == Experience.id)
            .where(Experience.status == "approved")
            .where((Experience.sentiment.is_(None)) | (docs.c.experience_id.is_(None)))
            .order_by(Experience.id)
        )
        return [int(r[0]) for r in rows]


async def analyse_all(sessions: Sessions, batch: int = BATCH) -> int:
    """Analyse every approved experience that has no analysis yet; return how many were analysed."""
    ids = await unanalysed_ids(sessions)
    done = 0
    for start in range(0, len(ids), batch):
        chunk = ids[start : start + batch]
        async with sessions() as session:
            items = await _load(session, chunk)
        results = await asyncio.to_thread(_analyse, items)
        async with sessions.begin() as session:
            await _store(session, items, results)
        done += len(items)
    if done:
        logger.info("analysed %d approved experiences", done)
    return done
