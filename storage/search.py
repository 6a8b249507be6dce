"""Full-text search over approved experiences: FTS5 on SQLite, tsvector + GIN on PostgreSQL, same results.

Documents and queries are stemmed here, in Python, into plain `[a-z0-9]+` tokens, so both engines only
do exact token matching and find the same rows. The engine returns the newest CANDIDATES matching
every word (any word when none match all): a rowid-ordered scan that stays fast for words found in
most rows. Those candidates are ranked here with BM25 (title words count double), identically on both.
"""

from __future__ import annotations

import logging
import math
import re
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from sqlalchemy import bindparam, delete, insert, select, text
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncSession, async_sessionmaker

from core.analytics.text import stems
from storage.models import Company, Experience, ExperienceTopic, Question, Round

logger = logging.getLogger(__name__)

Sessions = async_sessionmaker[AsyncSession]
CANDIDATES = 300  # newest matching documents ranked per query
MAX_TERMS = 12
K1, B = 1.2, 0.75
TITLE_WEIGHT = 2
_SPECIAL = {"c++": "cpp", "c#": "csharp", ".net": "dotnet"}
_NON_ALNUM = re.compile(r"[^a-z0-9]+")


def search_tokens(text: str | None) -> list[str]:
    """Stemmed content words of `text` as plain `[a-z0-9]+` tokens (the same for documents and queries)."""
    out = []
    for word in stems(text, keep_numbers=True):
        token = _NON_ALNUM.sub("", _SPECIAL.get(word, word))
        if token:
            out.append(token[:60])
    return out


def company_token(company_id: int) -> str:
    """The token every document of a company carries, so a company filter is one more AND term."""
    return f"zzco{company_id}"


@dataclass(frozen=True)
class SearchDoc:
    """The indexed text of one experience: title = company, role and questions; body = the narrative."""

    experience_id: int
    company_id: int
    title: str
    body: str


def build_doc(
    experience_id: int,
    company_id: int,
    company: str,
    role: str,
    questions: Iterable[str],
    narrative: Iterable[str],
    topics: Iterable[str] = (),
) -> SearchDoc:
    """Tokenise an experience's text; its topic tags let "dynamic programming" find "Coin Change"."""
    title = [company_token(company_id), *search_tokens(company), *search_tokens(role)]
    for topic in topics:
        title.extend(search_tokens(topic))
    for q in questions:
        title.extend(search_tokens(q))
    body: list[str] = []
    for part in narrative:
        body.extend(search_tokens(part))
    return SearchDoc(experience_id, company_id, " ".join(title), " ".join(body))


async def load_docs(session: AsyncSession, experience_ids: Sequence[int]) -> list[SearchDoc]:
    """Build the documents of these experiences from their stored rows."""
    if not experience_ids:
        return []
    ids = list(experience_ids)
    rows = (
        await session.execute(
            select(
                Experience.id,
                Experience.company_id,
                Company.name,
                Experience.role,
                Experience.role_description,
                Experience.preparation,
                Experience.reflections,
            )
            .join(Company, Company.id == Experience.company_id)
            .where(Experience.id.in_(ids))
        )
    ).all()
    questions: dict[int, list[str]] = {}
    q_rows = await session.execute(
        select(Question.experience_id, Question.text)
        .join(Round, Round.id == Question.round_id)
        .where(Question.experience_id.in_(ids))
        .order_by(Question.experience_id, Round.position, Question.position)
    )
    for eid, q in q_rows:
        questions.setdefault(eid, []).append(q)
    topics: dict[int, list[str]] = {}
    t_rows = await session.execute(
        select(ExperienceTopic.experience_id, ExperienceTopic.topic).where(
            ExperienceTopic.experience_id.in_(ids)
        )
    )
    for eid, topic in t_rows:
        topics.setdefault(eid, []).append(topic)
    return [
        build_doc(
            eid,
            cid,
            name,
            role,
            questions.get(eid, []),
            (desc or "", prep or "", refl or ""),
            topics.get(eid, []),
        )
        for eid, cid, name, role, desc, prep, refl in rows
    ]


async def store_docs(session: AsyncSession, docs: Sequence[SearchDoc]) -> None:
    """Replace the search documents of these experiences (inside the caller's transaction)."""
    if not docs:
        return
    table = _docs_table()
    ids = [d.experience_id for d in docs]
    for chunk in _chunks(ids, 500):
        await session.execute(delete(table).where(table.c.experience_id.in_(chunk)))
    await session.execute(
        insert(table),
        [
            {"experience_id": d.experience_id, "company_id": d.company_id, "title": d.title, "body": d.body}
            for d in docs
        ],
    )


async def remove_docs(session: AsyncSession, experience_ids: Sequence[int]) -> None:
    """Take experiences out of search (hidden or rejected after all)."""
    table = _docs_table()
    for chunk in _chunks(list(experience_ids), 500):
        await session.execute(delete(table).where(table.c.experience_id.in_(chunk)))


def _chunks(items: list[int], size: int) -> Iterable[list[int]]:
    for i in range(0, len(items), size):
        yield items[i : i + size]


_TABLE = None


def _docs_table():  # noqa: ANN202 - a lightweight Core table, not part of the ORM metadata
    """search_docs as a Core table (created by migration 0002_fts; not in storage.models on purpose)."""
    global _TABLE
    if _TABLE is None:
        from sqlalchemy import Column, Integer, MetaData, Table, Text

        _TABLE = Table(
            "search_docs",
            MetaData(),
            Column("experience_id", Integer, primary_key=True),
            Column("company_id", Integer),
            Column("title", Text),
            Column("body", Text),
        )
    return _TABLE


@dataclass(frozen=True)
class SearchHit:
    """One ranked result with what the list shows (public fields only)."""

    experience_id: int
    company: str
    role: str
    interview_year: int
    outcome: str
    snippet: str
    score: float


@dataclass(frozen=True)
class SearchPage:
    """A page of ranked results; `capped` when more matched than were ranked (the newest CANDIDATES)."""

    hits: tuple[SearchHit, ...]
    total: int
    capped: bool
    page: int
    pages: int
    matched_all: bool  # False when no experience had every word and results match any of them


class SearchRepo:
    """Ranked, paged search on either database."""

    def __init__(self, sessions: Sessions, candidates: int = CANDIDATES) -> None:
        self._sessions = sessions
        self._candidates = candidates

    async def search(
        self, query: str, *, company_id: int | None = None, page: int = 0, page_size: int = 5
    ) -> SearchPage:
        """Experiences matching `query` (optionally of one company), best first, one page of them."""
        terms = list(dict.fromkeys(search_tokens(query)))[:MAX_TERMS]
        async with self._sessions() as session:
            conn = await session.connection()
            matched_all = True
            ids = await self._match(conn, terms, company_id, any_term=False)
            if not ids and len(terms) > 1:
                ids = await self._match(conn, terms, company_id, any_term=True)
                matched_all = False
            if not ids:
                return SearchPage((), 0, False, 0, 0, True)
            ranked = await self._rank(session, ids, terms)
            total = len(ranked)
            pages = max(1, math.ceil(total / page_size))
            page = min(max(page, 0), pages - 1)
            chosen = dict(ranked[page * page_size : (page + 1) * page_size])
            hits = await self._hits(session, chosen, terms)
        return SearchPage(tuple(hits), total, len(ids) >= self._candidates, page, pages, matched_all)

    async def _match(
        self, conn: AsyncConnection, terms: list[str], company_id: int | None, any_term: bool
    ) -> list[int]:
        """Ids of the newest documents matching the terms (all, or any), as the engine finds them."""
        filter_token = company_token(company_id) if company_id is not None else None
        if not terms and filter_token is None:
            return []
        if conn.dialect.name == "sqlite":
            words = (
                " OR ".join(f'"{t}"' for t in terms) if any_term else " AND ".join(f'"{t}"' for t in terms)
            )
            parts = [f"({words})"] if terms else []
            if filter_token:
                parts.append(f'"{filter_token}"')
            sql = "SELECT rowid FROM search_fts WHERE search_fts MATCH :q ORDER BY rowid DESC LIMIT :k"
        else:
            words = " | ".join(terms) if any_term else " & ".join(terms)
            parts = [f"({words})"] if terms else []
            if filter_token:
                parts.append(filter_token)
            sql = (
                "SELECT experience_id FROM search_docs WHERE tsv @@ to_tsquery('simple', :q) "
                "ORDER BY experience_id DESC LIMIT :k"
            )
        q = " AND ".join(parts) if conn.dialect.name == "sqlite" else " & ".join(parts)
        rows = await conn.execute(text(sql), {"q": q, "k": self._candidates})
        return [int(r[0]) for r in rows]

    async def _rank(self, session: AsyncSession, ids: list[int], terms: list[str]) -> list[tuple[int, float]]:
        """BM25 over the approved candidates (title terms count double); ties newest first."""
        table = _docs_table()
        rows = (
            await session.execute(
                select(table.c.experience_id, table.c.title, table.c.body)
                .join(Experience, Experience.id == table.c.experience_id)
                .where(
                    table.c.experience_id.in_(bindparam("ids", expanding=True)),
                    Experience.status == "approved",
                ),
                {"ids": ids},
            )
        ).all()
        if not terms:
            return [(eid, 0.0) for eid in sorted((r[0] for r in rows), reverse=True)]
        wanted = set(terms)
        docs: list[tuple[int, Counter[str], int]] = []
        for eid, title, body in rows:
            counts: Counter[str] = Counter()
            title_tokens = title.split()
            body_tokens = body.split()
            for t in title_tokens:
                if t in wanted:
                    counts[t] += TITLE_WEIGHT
            for t in body_tokens:
                if t in wanted:
                    counts[t] += 1
            docs.append((eid, counts, TITLE_WEIGHT * len(title_tokens) + len(body_tokens)))
        if not docs:
            return []
        n = len(docs)
        avg = sum(length for _, _, length in docs) / n or 1.0
        df = Counter(t for _, counts, _ in docs for t in counts)
        idf = {t: math.log(1 + (n - df[t] + 0.5) / (df[t] + 0.5)) for t in terms}
        scored = []
        for eid, counts, length in docs:
            score = 0.0
            for t, tf in counts.items():
                score += idf[t] * tf * (K1 + 1) / (tf + K1 * (1 - B + B * length / avg))
            scored.append((round(score, 9), eid))
        scored.sort(key=lambda s: (-s[0], -s[1]))
        return [(eid, score) for score, eid in scored]

    async def _hits(
        self, session: AsyncSession, scores: dict[int, float], terms: list[str]
    ) -> list[SearchHit]:
        """The list rows of the chosen ids, in rank order, each with the question that matched best."""
        ids = list(scores)
        if not ids:
            return []
        rows = {
            r[0]: r
            for r in await session.execute(
                select(
                    Experience.id,
                    Company.name,
                    Experience.role,
                    Experience.interview_year,
                    Experience.outcome,
                )
                .join(Company, Company.id == Experience.company_id)
                .where(Experience.id.in_(ids))
            )
        }
        questions: dict[int, list[str]] = {}
        for eid, q in await session.execute(
            select(Question.experience_id, Question.text)
            .where(Question.experience_id.in_(ids))
            .order_by(Question.experience_id, Question.round_id, Question.position)
        ):
            questions.setdefault(eid, []).append(q)
        wanted = set(terms)
        hits = []
        for eid in ids:
            if eid not in rows:
                continue
            _, company, role, year, outcome = rows[eid]
            best, best_n = "", 0
            for q in questions.get(eid, []):
                n = len(wanted & set(search_tokens(q)))
                if n > best_n:
                    best, best_n = q, n
            hits.append(SearchHit(eid, company, role, year, outcome, best, scores[eid]))
        return hits
