"""Full-text search over approved experiences: FTS5 on SQLite, tsvector + GIN on PostgreSQL, same results.

Documents and queries are stemmed here, in Python, into plain `[a-z0-9]+` tokens, so both engines only
do token matching and find the same rows. A query word of PREFIX_MIN+ characters also matches the
tokens it begins ("lru" finds "lrucache", FTS5 `"lru"*`, tsquery `lru:*`: the same tokens on both).
The engine returns the newest CANDIDATES matching every word, then (when fewer) the newest matching
any word: rowid-ordered scans that stay fast for words found in most rows. The candidates are ranked
here, identically on both: those with every word first, then by BM25 (title words count double, a
prefix-only match counts PREFIX_WEIGHT of an exact one).
"""

from __future__ import annotations

import logging
import math
import re
import unicodedata
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from sqlalchemy import bindparam, delete, insert, select, text
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncSession, async_sessionmaker

from core.analytics.extract import find_personal_data, mask_personal_data
from core.analytics.text import stems
from core.repositories.search import SearchHit, SearchPage, SearchPort
from storage.colleges import in_colleges
from storage.models import Company, Experience, ExperienceTopic, Question, Round

logger = logging.getLogger(__name__)

Sessions = async_sessionmaker[AsyncSession]
# Bumped whenever search_tokens/build_doc change what a document holds: stored documents (bench templates)
# of an older version must be rebuilt.
INDEX_VERSION = 2
INDEX_BATCH = 500
CANDIDATES = 300  # newest matching documents ranked per query
MAX_TERMS = 12
K1, B = 1.2, 0.3
TITLE_WEIGHT = 3
PREFIX_MIN = 3  # query words this long also match longer tokens they begin
PREFIX_WEIGHT = 0.5
SNIPPET_CHARS = 140
_SPECIAL = {"c++": "cpp", "c#": "csharp", ".net": "dotnet"}
_NON_ALNUM = re.compile(r"[^a-z0-9]+")
_CAMEL = re.compile(r"(?<=[a-z])(?=[A-Z])|(?<=[A-Z])(?=[A-Z][a-z]{2})")
# "Why X?", "why do you want to join", "reason(s) to join": the why-this-company question however it is
# phrased, indexed as the token the text analyser gives the phrase "why this company" (whyjoin).
_WHY_JOIN = re.compile(
    r"\b(?:why|reasons?)\b(?:\W+\w+){0,6}?\W+(?:join\w*|this\s+(?:company|firm|organi[sz]ation))\b", re.I
)


def _fold(text: str) -> str:
    """Accents folded ("café" -> "cafe") and camel-case words split ("LRUCache" -> "LRU Cache")."""
    folded = unicodedata.normalize("NFKD", text)
    folded = "".join(ch for ch in folded if not unicodedata.combining(ch))
    return _CAMEL.sub(" ", folded)


def search_tokens(text: str | None) -> list[str]:
    """Stemmed content words of `text` as plain `[a-z0-9]+` tokens (the same for documents and queries).

    Accents are folded and camel-case compounds split first, so "LRUCache" and "LRU cache" give the same
    tokens; "OOPs", "oops" and "OOP" all give "oop".
    """
    out = []
    for word in stems(_fold(text or ""), keep_numbers=True):
        token = _NON_ALNUM.sub("", _SPECIAL.get(word, word))
        if token:
            out.append(token[:60])
    return out


def concept_tokens(text: str | None) -> list[str]:
    """Extra document tokens for questions phrased many ways (why-this-company: "whyjoin")."""
    return ["whyjoin"] if text and _WHY_JOIN.search(text) else []


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
        body.extend(concept_tokens(part))
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


async def index_missing(sessions: Sessions, batch: int = INDEX_BATCH) -> int:
    """Give every approved experience without a search document one (after a seed or a bulk copy), in
    batches; returns how many were indexed. Text analytics are not redone (storage.analysis does that)."""
    table = _docs_table()
    async with sessions() as session:
        ids = [
            int(r[0])
            for r in await session.execute(
                select(Experience.id)
                .outerjoin(table, table.c.experience_id == Experience.id)
                .where(Experience.status == "approved", table.c.experience_id.is_(None))
                .order_by(Experience.id)
            )
        ]
    for chunk in _chunks(ids, batch):
        async with sessions.begin() as session:
            await store_docs(session, await load_docs(session, chunk))
    if ids:
        logger.info("indexed %d approved experiences for search", len(ids))
    return len(ids)


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


class SearchRepo(SearchPort):
    """Ranked, paged search on either database."""

    def __init__(self, sessions: Sessions, candidates: int = CANDIDATES) -> None:
        self._sessions = sessions
        self._candidates = candidates

    async def search(
        self,
        query: str,
        *,
        company_id: int | None = None,
        page: int = 0,
        page_size: int = 5,
        colleges: Sequence[int] | None = None,
    ) -> SearchPage:
        """Experiences matching `query` (optionally of one company), best first, one page of them.

        Those with every word come first; when fewer than CANDIDATES have every word, those with some of
        them follow (`complete` counts the first kind; `matched_all` is False when none had every word).
        """
        terms = list(dict.fromkeys(search_tokens(query)))[:MAX_TERMS]
        async with self._sessions() as session:
            conn = await session.connection()
            ids = await self._match(conn, terms, company_id, any_term=False)
            every = set(ids)
            if len(terms) > 1 and len(ids) < self._candidates:
                more = await self._match(conn, terms, company_id, any_term=True)
                ids += [i for i in more if i not in every][: self._candidates - len(ids)]
            if colleges is not None and ids:  # issue #15: only the experiences of the reader's college(s)
                kept = set(
                    await session.scalars(
                        select(Experience.id).where(Experience.id.in_(ids), in_colleges(Experience, colleges))
                    )
                )
                ids, every = [i for i in ids if i in kept], every & kept
            if not ids:
                return SearchPage((), 0, False, 0, 0, True)
            ranked = await self._rank(session, ids, terms, every)
            total = len(ranked)
            complete = sum(1 for eid, _ in ranked if eid in every)
            pages = max(1, math.ceil(total / page_size))
            page = min(max(page, 0), pages - 1)
            chosen = dict(ranked[page * page_size : (page + 1) * page_size])
            hits = await self._hits(session, chosen, terms)
        capped = len(every) >= self._candidates
        return SearchPage(tuple(hits), total, capped, page, pages, complete > 0, complete)

    async def _match(
        self, conn: AsyncConnection, terms: list[str], company_id: int | None, any_term: bool
    ) -> list[int]:
        """Ids of the newest documents matching the terms (all, or any), as the engine finds them."""
        filter_token = company_token(company_id) if company_id is not None else None
        if not terms and filter_token is None:
            return []
        if conn.dialect.name == "sqlite":
            quoted = [f'"{t}"*' if len(t) >= PREFIX_MIN else f'"{t}"' for t in terms]
            words = " OR ".join(quoted) if any_term else " AND ".join(quoted)
            parts = [f"({words})"] if terms else []
            if filter_token:
                parts.append(f'"{filter_token}"')
            sql = "SELECT rowid FROM search_fts WHERE search_fts MATCH :q ORDER BY rowid DESC LIMIT :k"
        else:
            quoted = [f"{t}:*" if len(t) >= PREFIX_MIN else t for t in terms]
            words = " | ".join(quoted) if any_term else " & ".join(quoted)
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

    async def _rank(
        self, session: AsyncSession, ids: list[int], terms: list[str], every: set[int]
    ) -> list[tuple[int, float]]:
        """Approved candidates with every word first, each part by BM25 (title terms count double, prefix
        matches PREFIX_WEIGHT); ties newest first."""
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
        docs: list[tuple[int, dict[str, float], int]] = []
        for eid, title, body in rows:
            counts: dict[str, float] = {}
            title_tokens = title.split()
            body_tokens = body.split()
            for tokens, weight in ((title_tokens, TITLE_WEIGHT), (body_tokens, 1)):
                for token, n in Counter(tokens).items():
                    for t in terms:
                        if token == t:
                            counts[t] = counts.get(t, 0.0) + weight * n
                        elif len(t) >= PREFIX_MIN and token.startswith(t):
                            counts[t] = counts.get(t, 0.0) + weight * n * PREFIX_WEIGHT
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
            scored.append((eid in every, round(score, 9), eid))
        scored.sort(key=lambda s: (not s[0], -s[1], -s[2]))
        return [(eid, score) for _, score, eid in scored]

    async def _hits(
        self, session: AsyncSession, scores: dict[int, float], terms: list[str]
    ) -> list[SearchHit]:
        """The list rows of the chosen ids, in rank order, each with the question that matched best, else
        an excerpt of the narrative around the words (personal data masked)."""
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
                    Experience.preparation,
                    Experience.reflections,
                    Experience.author_name,
                    Experience.anonymous,
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
            _, company, role, year, outcome, prep, refl, author, anonymous = rows[eid]
            best, best_n = "", 0
            for q in questions.get(eid, []):
                n = len(_covered(wanted, set(search_tokens(q))))
                if n > best_n:
                    best, best_n = q, n
            if best_n < len(wanted):
                excerpt, excerpt_n = narrative_snippet((prep or "", refl or ""), terms)
                if excerpt_n > best_n:
                    best = excerpt
            if best:
                best = public_text(best, author if anonymous else "")
            hits.append(SearchHit(eid, company, role, year, outcome, best, scores[eid]))
        return hits


def _covered(wanted: set[str], tokens: set[str]) -> set[str]:
    """The query terms these tokens match: equal, or begun by a term of PREFIX_MIN+ characters."""
    return {
        w for w in wanted if w in tokens or (len(w) >= PREFIX_MIN and any(t.startswith(w) for t in tokens))
    }


_WORD = re.compile(r"\w[\w+#.-]*")


def narrative_snippet(
    parts: Iterable[str], terms: Sequence[str], width: int = SNIPPET_CHARS
) -> tuple[str, int]:
    """The excerpt (about `width` characters, cut at word boundaries) of the narrative with the most
    distinct query terms, and that count; ("", 0) when no term occurs.

    The whole text is masked first (core.analytics.extract: names introduced in it, roll numbers,
    e-mails, phones, LinkedIn URLs), so a name found in the opening sentence is masked later too.
    """
    wanted = set(terms)
    best, best_n = "", 0
    for part in parts:
        if not part:
            continue
        masked = mask_personal_data(part, find_personal_data(part))
        words = [(m.start(), m.end(), set(search_tokens(m.group(0)))) for m in _WORD.finditer(masked)]
        for i, (_start, _end, toks) in enumerate(words):
            if not _covered(wanted, toks):
                continue
            first = max(0, i - 4)
            begin = words[first][0]
            stop = begin + width
            j = i
            while j + 1 < len(words) and words[j + 1][1] <= stop:
                j += 1
            found: set[str] = set()
            for _s, _e, tk in words[first : j + 1]:
                found |= _covered(wanted, tk)
            if len(found) > best_n:
                text_ = " ".join(masked[begin : words[j][1]].split())
                best = ("…" if begin > 0 else "") + text_ + ("…" if words[j][1] < len(masked) else "")
                best_n = len(found)
                if best_n == len(wanted):
                    return best, best_n
    return best, best_n


def public_text(text_: str, private_name: str = "") -> str:
    """`text_` with personal data masked, and an anonymous author's name (and first name) too."""
    masked = mask_personal_data(text_, find_personal_data(text_))
    name = " ".join(private_name.split())
    for variant in sorted({name, *name.split()[:1]}, key=len, reverse=True):
        if len(variant) >= 3:
            masked = re.sub(rf"(?<!\w){re.escape(variant)}(?!\w)", "[name]", masked, flags=re.I)
    return masked
