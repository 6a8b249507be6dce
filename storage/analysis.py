"""Analyse approved experiences once and store the results (sentiment, keywords, topics, search text).

`analyse_and_store` runs when a moderator approves one experience; `analyse_all` catches up every
approved experience that was never analysed or never masked (after seed-demo, an import, or migration
0006), in batches with bulk writes. Both bump the companies' data_version so cached cards and charts are
rebuilt.

Publishing masks first (core/domain/privacy.py `mask_public_text`): the public text fields (role,
role_description, preparation, reflections, question texts) of an approved experience are overwritten
with their masked text, and the kinds masked go to `experiences.masked_personal_data`, before anything is
analysed or indexed, so every reader of those columns (experience view, search, FAQ, word clouds, digest,
inline cards, export) gets masked text. The originals of masked spans are not kept: e-mails and phones
of a public post have no private column to go to, and the author's own name, roll number and LinkedIn
already live in their private columns. Analysis and search see the text without the placeholders, so
"[name]" becomes no keyword and no search hit. `remask_in` does the same inside a caller's transaction
(a post made anonymous by /forget, a moderator's edit of a public post).
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import JSON, bindparam, delete, insert, select, update
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from core.analytics.text import Analysis, ExperienceText, analyse_experience
from core.domain.privacy import mask_public_text, merge_kinds, without_placeholders
from storage.models import Company, Experience, ExperienceTopic, Question, Round
from storage.repos import bump_data_version
from storage.search import SearchDoc, build_doc, remove_docs, store_docs

logger = logging.getLogger(__name__)

Sessions = async_sessionmaker[AsyncSession]
BATCH = 400


@dataclass(frozen=True)
class Author:
    """Whose personal data to mask: the stored author name, roll number and LinkedIn, and anonymity."""

    name: str
    roll_number: str | None
    linkedin: str | None
    anonymous: bool


@dataclass
class _Loaded:
    """One experience's text as stored: fields plus (question id, round kind, text) in order."""

    id: int
    company_id: int
    company: str
    status: str
    text: ExperienceText
    question_ids: list[int]
    author: Author
    masked_before: tuple[str, ...] | None  # stored masked_personal_data (None: never masked)


@dataclass
class _Masked:
    """What publishing writes back: the masked text and the kinds masked (None: left as it was)."""

    text: ExperienceText
    kinds: tuple[str, ...] | None


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
                Experience.author_name,
                Experience.roll_number,
                Experience.linkedin_url,
                Experience.anonymous,
                Experience.masked_personal_data,
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
    for eid, cid, company, status, role, desc, prep, refl, name, roll, linkedin, anonymous, before in rows:
        qs = questions.get(eid, [])
        text = ExperienceText(
            role=role or "",
            role_description=desc or "",
            preparation=prep or "",
            reflections=refl or "",
            questions=[(kind, q) for _, kind, q in qs],
        )
        author = Author(name or "", roll, linkedin, bool(anonymous))
        previous = None if before is None else tuple(str(k) for k in before)
        loaded.append(_Loaded(eid, cid, company, status, text, [qid for qid, _, _ in qs], author, previous))
    return loaded


def mask_experience_text(text: ExperienceText, author: Author) -> tuple[ExperienceText, tuple[str, ...]]:
    """Every public text field of an experience masked for `author`, and the kinds masked (pure).

    Used on publishing and by the moderator's review card (what *will* be masked, nothing stored).
    """

    def mask(value: str) -> tuple[str, tuple[str, ...]]:
        result = mask_public_text(
            value,
            author_name=author.name,
            roll_number=author.roll_number,
            linkedin=author.linkedin,
            anonymous=author.anonymous,
        )
        return result.text, result.masked

    fields = [mask(v) for v in (text.role, text.role_description, text.preparation, text.reflections)]
    questions = [(kind, mask(q)) for kind, q in text.questions]
    masked = ExperienceText(
        role=fields[0][0],
        role_description=fields[1][0],
        preparation=fields[2][0],
        reflections=fields[3][0],
        questions=[(kind, q) for kind, (q, _) in questions],
    )
    return masked, merge_kinds([k for _, k in fields] + [k for _, (_, k) in questions])


def _mask(item: _Loaded, force: bool) -> _Masked:
    """Mask a public (approved) experience, or any when `force`; others are analysed as they are."""
    if item.status != "approved" and not force:
        return _Masked(item.text, None)
    text, kinds = mask_experience_text(item.text, item.author)
    return _Masked(text, merge_kinds([kinds, item.masked_before or ()]))


def _analysis_view(text: ExperienceText) -> ExperienceText:
    """The text without masking placeholders: what analysis and search see."""
    return ExperienceText(
        role=without_placeholders(text.role),
        role_description=without_placeholders(text.role_description),
        preparation=without_placeholders(text.preparation),
        reflections=without_placeholders(text.reflections),
        questions=[(kind, without_placeholders(q)) for kind, q in text.questions],
    )


def _analyse(items: list[_Loaded], force_mask: bool = False) -> list[tuple[Analysis, SearchDoc, _Masked]]:
    """CPU part (run in a thread): masking, analysis and search document of each experience."""
    out = []
    for item in items:
        masked = _mask(item, force_mask)
        seen = _analysis_view(masked.text)
        analysis = analyse_experience(seen)
        doc = build_doc(
            item.id,
            item.company_id,
            item.company,
            seen.role,
            [q for _, q in seen.questions],
            (seen.role_description, seen.preparation, seen.reflections),
            analysis.topics,
        )
        out.append((analysis, doc, masked))
    return out


Result = tuple[Analysis, SearchDoc, _Masked]


async def _store_masked(session: AsyncSession, items: list[_Loaded], masked: list[_Masked]) -> None:
    """Write the masked text fields, question texts and masked kinds of the experiences that were masked."""
    exp = Experience.__table__
    rows = [
        {
            "eid": item.id,
            "role": m.text.role,
            "desc": m.text.role_description,
            "prep": m.text.preparation,
            "refl": m.text.reflections,
            "kinds": list(m.kinds),
        }
        for item, m in zip(items, masked, strict=True)
        if m.kinds is not None
    ]
    if not rows:
        return
    await session.execute(
        update(exp)
        .where(exp.c.id == bindparam("eid"))
        .values(
            role=bindparam("role"),
            role_description=bindparam("desc"),
            preparation=bindparam("prep"),
            reflections=bindparam("refl"),
            masked_personal_data=bindparam("kinds", type_=JSON),
        ),
        rows,
    )
    q = Question.__table__
    changed = [
        {"qid": qid, "text": new}
        for item, m in zip(items, masked, strict=True)
        if m.kinds
        for qid, (_, old), (_, new) in zip(
            item.question_ids, item.text.questions, m.text.questions, strict=True
        )
        if new != old
    ]
    if changed:
        await session.execute(
            update(q).where(q.c.id == bindparam("qid")).values(text=bindparam("text")), changed
        )


async def _store(
    session: AsyncSession, items: list[_Loaded], results: list[Result], *, bump: bool = True
) -> None:
    """Write analyses in bulk: masked text, experiences, topics, questions, search docs, company versions."""
    if not items:
        return
    ids = [item.id for item in items]
    await _store_masked(session, items, [m for _, _, m in results])
    exp = Experience.__table__
    await session.execute(
        update(exp)
        .where(exp.c.id == bindparam("eid"))
        .values(sentiment=bindparam("s"), keywords=bindparam("k", type_=JSON)),
        [
            {"eid": item.id, "s": analysis.sentiment, "k": list(analysis.keywords)}
            for item, (analysis, _, _) in zip(items, results, strict=True)
        ],
    )
    await session.execute(delete(ExperienceTopic).where(ExperienceTopic.experience_id.in_(ids)))
    topic_rows = [
        {"experience_id": item.id, "topic": topic[:40]}
        for item, (analysis, _, _) in zip(items, results, strict=True)
        for topic in dict.fromkeys(analysis.topics)
    ]
    if topic_rows:
        await session.execute(insert(ExperienceTopic.__table__), topic_rows)
    q = Question.__table__
    question_rows = [
        {"qid": qid, "t": (topic or None) and topic[:40], "n": normalized}
        for item, (analysis, _, _) in zip(items, results, strict=True)
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
    public = [doc for item, (_, doc, _) in zip(items, results, strict=True) if item.status == "approved"]
    await store_docs(session, public)
    hidden = [item.id for item in items if item.status != "approved"]
    if hidden:
        await remove_docs(session, hidden)
    if bump:
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
    logger.info(
        "experience %s analysed: topics %s, masked %s",
        experience_id,
        results[0][0].topics,
        results[0][2].kinds,
    )
    return items[0].company_id


async def mask_in(session: AsyncSession, ids: Sequence[int]) -> None:
    """Mask the public text of these approved experiences inside the caller's transaction (no analysis).

    For the transaction that publishes (a moderator's approval), so the text is masked the moment the
    post is public, before `analyse_and_store` runs; idempotent, so the analysis masking again is harmless.
    """
    if not ids:
        return
    await session.flush()
    items = await _load(session, ids)
    await _store_masked(session, items, [_mask(item, force=False) for item in items])


async def remask_in(
    session: AsyncSession,
    ids: Sequence[int],
    authors: dict[int, Author] | None = None,
    *,
    bump: bool = True,
) -> None:
    """Mask, analyse and re-index these experiences inside the caller's transaction, whatever their status.

    For a post made anonymous (/forget) or edited by a moderator after publishing. `authors` overrides the
    stored author per experience id (the caller may already have cleared the private columns). Runs the
    analysis in the event loop: meant for a handful of experiences. `bump=False` leaves the companies'
    data_version to a caller that bumps them itself.
    """
    if not ids:
        return
    await session.flush()
    items = await _load(session, ids)
    for item in items:
        if authors and item.id in authors:
            item.author = authors[item.id]
    await _store(session, items, _analyse(items, force_mask=True), bump=bump)


async def unanalysed_ids(sessions: Sessions) -> list[int]:
    """Approved experiences without stored analysis, without a search document, or never masked."""
    from storage.search import _docs_table

    docs = _docs_table()
    async with sessions() as session:
        rows = await session.execute(
            select(Experience.id)
            .outerjoin(docs, docs.c.experience_id == Experience.id)
            .where(Experience.status == "approved")
            .where(
                Experience.sentiment.is_(None)
                | docs.c.experience_id.is_(None)
                | Experience.masked_personal_data.is_(None)
            )
            .order_by(Experience.id)
        )
        return [int(r[0]) for r in rows]


async def analyse_all(sessions: Sessions, batch: int = BATCH) -> int:
    """Mask and analyse every approved experience not yet analysed or masked; return how many were done."""
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
