"""Full-text search over approved experiences: FTS5 on SQLite, tsvector + GIN on PostgreSQL, same results.

Documents and queries are stemmed here, in Python, into plain `[a-z0-9]+` tokens, so both engines only
do token matching and find the same rows. A query word of PREFIX_MIN+ characters also matches the
tokens it begins ("lru" finds "lrucache", FTS5 `"lru"*`, tsquery `lru:*`: the same tokens on both).
The engine returns the newest CANDIDATES matching every word, then (when fewer) the newest matching
any word: rowid-ordered scans that stay fast for words found in most rows. The candidates are ranked
here, identically on both, by these rules (`SearchRepo._rank`):

1. Where a word sits: a document has an ASKED part (company, role, questions, topic tags, and the
   sentences of the narrative that describe the process, as `core.analytics.sections.process_text`
   finds them for topic tags) and an ASIDE part (preparation resources, advice, the introduction,
   other companies' processes, reflections). A word counts TITLE_WEIGHT in the title, 1 in the asked
   narrative and ASIDE_WEIGHT aside: "practise DP on LeetCode" is not "DP was asked".
2. Topics: a query phrase that is a topic's display name or part of it ("dynamic programming",
   "guesstimates", "puzzle", "OOPs", "ML") is also matched by every document TAGGED as asking that topic
   (tags exclude prep-only mentions; a subject round kind such as a case interview tags too), with the
   weight of a title word, and the tag makes the phrase count as present for rule 3. A phrase that is
   only one of a topic's keywords ("LRU cache", "why this company", "data science") is narrower than the
   topic and is matched as words only (`query_topics`).
3. Documents that hold every query word in their asked part (or by rule 2) come first; then the others by
   how many of the query's words their asked part holds (coordination level, Lucene's "coord"); within a
   level BM25 (K1, B; a prefix-only match counts PREFIX_WEIGHT of an exact one); ties newest first.
4. Degree words (`core.analytics.degree`): what a sentence of the process says the round was MAINLY about
   ("mainly DP", "focused on system design") counts twice in the asked part, and what it touched only A
   LITTLE ("a bit of SQL", "slightly on OS", in a question too) counts as aside. "The round was mainly DP"
   outranks "DP came up" and "a little DP" (measured in docs/QUALITY.md).
"""

from __future__ import annotations

import logging
import math
import re
import unicodedata
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace

from sqlalchemy import bindparam, delete, insert, select, text
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncSession, async_sessionmaker

from core.analytics.degree import degrees
from core.analytics.extract import find_personal_data, mask_personal_data
from core.analytics.sections import process_text
from core.analytics.text import stems, topic_for_round
from core.analytics.topics import ALL_TOPICS
from core.repositories.search import SearchHit, SearchPage, SearchPort
from storage.models import Company, Experience, ExperienceTopic, Question, Round

logger = logging.getLogger(__name__)

Sessions = async_sessionmaker[AsyncSession]
# Bumped whenever search_tokens/build_doc change what a document holds: stored documents (bench templates)
# of an older version must be rebuilt.
INDEX_VERSION = 4
INDEX_BATCH = 500
CANDIDATES = 300  # newest matching documents ranked per query
MAX_TERMS = 12
K1, B = 1.2, 0.3
TITLE_WEIGHT = 3
PREFIX_MIN = 3  # query words this long also match longer tokens they begin
PREFIX_WEIGHT = 0.5
ASIDE_WEIGHT = 0.25  # a word in preparation/advice/introduction counts a quarter of one in the process
TOPIC_WEIGHT = TITLE_WEIGHT  # a tag of a topic the query names counts like that word in the title
ASIDE_MARK = "zzaside"  # body tokens after this one are the aside part (older documents have none)
TOPIC_PREFIX = "zzt"  # title token of a topic tag: zzt + its letters and digits ("zztdynamicprogramming")
QUERY_WINDOW = 4  # longest run of query words read as one topic phrase
# Coordination (Lucene's coord, "quorum" ranking): after the documents holding every query word come those
# holding more of the query's words in their asked part, then fewer; BM25 orders each level.
# (Measured on all three query sets in docs/QUALITY.md: held-out recall@10 up, the judged set unchanged.)
# Round kinds that name what was tested (not a format, as "online_assessment" is): a round of that kind
# tags its document with the topic for search even when the text names no keyword (a "case_interview"
# round whose questions are "No. of ATMs in Maharashtra").
SUBJECT_ROUND_KINDS = frozenset({"hr", "managerial", "coding", "case_interview"})
SNIPPET_CHARS = 140
_SPECIAL = {"c++": "cpp", "c#": "csharp", ".net": "dotnet"}
# Search-side spellings of one word (after stemming): "stats" is "statistics", and the misspellings the
# topic keyword map lists ("guestimate", "aptitute") are the word.
_VARIANTS = {"stat": "statist", "guestim": "guesstim", "aptitut": "aptitud"}
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
        token = _VARIANTS.get(token, token)
        if token:
            out.append(token[:60])
    return out


def concept_tokens(text: str | None) -> list[str]:
    """Extra document tokens for questions phrased many ways (why-this-company: "whyjoin")."""
    return ["whyjoin"] if text and _WHY_JOIN.search(text) else []


def company_token(company_id: int) -> str:
    """The token every document of a company carries, so a company filter is one more AND term."""
    return f"zzco{company_id}"


def topic_token(topic: str) -> str:
    """The title token of a topic tag ("Dynamic programming" -> "zztdynamicprogramming")."""
    return TOPIC_PREFIX + _NON_ALNUM.sub("", topic.lower())


@dataclass(frozen=True)
class SearchDoc:
    """The indexed text of one experience: title = company, role, topic tags and questions; body = the
    asked narrative, then ASIDE_MARK and the aside narrative (see the module docstring)."""

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
    """Tokenise an experience's text; its topic tags let "dynamic programming" find "Coin Change".

    `narrative` is (role description, preparation, reflections), as both callers pass it: the process
    sentences of the first two are the asked part; their other sentences and all of the reflections (the
    student's advice) are the aside part. Degree words move words between the parts (rule 4 of the module
    docstring): amplified process words are added to the asked part once more, and downtoned words of the
    process or of a question go to the aside part instead.
    """
    title = [company_token(company_id), *search_tokens(company), *search_tokens(role)]
    for topic in dict.fromkeys(topics):
        title.append(topic_token(topic))
    aside: list[str] = []
    for q in questions:
        plain, downtoned = _by_degree(q, amplify=False)
        title.extend(plain)
        aside.extend(downtoned)
    asked: list[str] = []
    for i, part in enumerate(narrative):
        if not part:
            continue
        whole = [*search_tokens(part), *concept_tokens(part)]
        if i >= 2:  # reflections: advice
            aside.extend(whole)
            continue
        process = process_text(part)
        kept = [*search_tokens(process), *concept_tokens(process)]
        plain, downtoned = _by_degree(process, amplify=True)
        asked.extend([*plain, *concept_tokens(process)])
        aside.extend(downtoned)
        rest = Counter(whole) - Counter(kept)  # the words of the other sentences, in text order
        for token in whole:
            if rest[token] > 0:
                rest[token] -= 1
                aside.append(token)
    body = asked + ([ASIDE_MARK, *aside] if aside else [])
    return SearchDoc(experience_id, company_id, " ".join(title), " ".join(body))


def _by_degree(text: str, amplify: bool) -> tuple[list[str], list[str]]:
    """(tokens of `text` outside its downtoned spans, with its amplified ones once more when `amplify`;
    tokens of its downtoned spans), for rule 4 of the module docstring."""
    found = degrees(text)
    plain, amplified, downtoned = found.split(text)
    tokens = search_tokens(plain)
    if amplify:
        for phrase in amplified:
            tokens.extend(search_tokens(phrase))
    return tokens, [t for phrase in downtoned for t in search_tokens(phrase)]


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
    """Replace the search documents of these experiences (inside the caller's transaction).

    Each document is completed with the topics its stored rounds' kinds name (SUBJECT_ROUND_KINDS), so
    every path that stores documents tags them alike."""
    if not docs:
        return
    docs = await _with_round_topics(session, docs)
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


async def _with_round_topics(session: AsyncSession, docs: Sequence[SearchDoc]) -> list[SearchDoc]:
    """`docs` with a topic token added for each subject round kind ("case_interview" -> case studies)."""
    extra: dict[int, list[str]] = {}
    ids = [d.experience_id for d in docs]
    for chunk in _chunks(ids, 500):
        rows = await session.execute(
            select(Round.experience_id, Round.kind).where(
                Round.experience_id.in_(chunk), Round.kind.in_(sorted(SUBJECT_ROUND_KINDS))
            )
        )
        for eid, kind in rows:
            topic = topic_for_round(kind)
            if topic:
                extra.setdefault(eid, []).append(topic_token(topic))
    out = []
    for doc in docs:
        have = doc.title.split()
        add = [t for t in dict.fromkeys(extra.get(doc.experience_id, [])) if t not in have]
        out.append(replace(doc, title=" ".join([*have, *add])) if add else doc)
    return out


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


def _name_phrases() -> dict[tuple[str, ...], str]:
    """Topic display names and their parts as token phrases ("Trees & graphs", "trees", "graphs")."""
    out: dict[tuple[str, ...], str] = {}
    for topic in ALL_TOPICS:
        for part in (topic, *re.split(r"[&/]", topic)):
            key = tuple(search_tokens(part))
            if key and key not in out:
                out[key] = topic
    return out


_NAMES = _name_phrases()


def query_topics(query: str) -> list[tuple[str, frozenset[str]]]:
    """The topics a query names by their display name or part of it, each as (tag token, the query terms
    of the naming phrase), longest phrase first: "dynamic programming" -> Dynamic programming, "ML" and
    "machine learning" -> Machine learning, "guesstimates" -> Guesstimates & case studies, "puzzle" ->
    Puzzles. A topic's keywords do not count: "LRU cache" or "why this company" is one question, far
    narrower than its topic (Hashing, HR), and "statistics" or "data science" is not all of ML.
    """
    words = query.split()
    used = [False] * len(words)
    out: dict[str, set[str]] = {}
    for size in range(min(QUERY_WINDOW, len(words)), 0, -1):
        for start in range(0, len(words) - size + 1):
            if any(used[start : start + size]):
                continue
            terms = tuple(search_tokens(" ".join(words[start : start + size])))
            topic = _NAMES.get(terms)
            if topic:
                out.setdefault(topic_token(topic), set()).update(terms)
                used[start : start + size] = [True] * size
    return [(token, frozenset(terms)) for token, terms in out.items()]


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
        wanted = set(terms)
        topics = {token: set(covered & wanted) for token, covered in query_topics(query) if covered & wanted}
        async with self._sessions() as session:
            conn = await session.connection()
            ids = await self._match(conn, terms, company_id, any_term=False, topics=topics, colleges=colleges)
            every = set(ids)
            if len(terms) > 1 and len(ids) < self._candidates:
                more = await self._match(
                    conn, terms, company_id, any_term=True, topics=topics, colleges=colleges
                )
                ids += [i for i in more if i not in every][: self._candidates - len(ids)]
            if not ids:
                return SearchPage((), 0, False, 0, 0, True)
            ranked, complete_ids = await self._rank(session, ids, terms, topics)
            total = len(ranked)
            complete = sum(1 for eid, _ in ranked if eid in complete_ids)
            pages = max(1, math.ceil(total / page_size))
            page = min(max(page, 0), pages - 1)
            chosen = dict(ranked[page * page_size : (page + 1) * page_size])
            hits = await self._hits(session, chosen, terms)
        capped = len(every) >= self._candidates
        return SearchPage(tuple(hits), total, capped, page, pages, complete > 0, complete)

    async def _match(
        self,
        conn: AsyncConnection,
        terms: list[str],
        company_id: int | None,
        any_term: bool,
        topics: dict[str, set[str]] | None = None,
        colleges: Sequence[int] | None = None,
    ) -> list[int]:
        """Ids of the newest documents matching the terms (all, or any), as the engine finds them; a term
        of a phrase naming a topic is also matched by that topic's tag token (`topics`: token -> terms).
        With `colleges`, only documents of experiences of those colleges, filtered inside the query so the
        CANDIDATES cap counts the reader's college only (issue #15: other colleges' newer posts must not
        crowd a college's own out of its results)."""
        filter_token = company_token(company_id) if company_id is not None else None
        if not terms and filter_token is None:
            return []
        tags = {t: [token for token, covered in (topics or {}).items() if t in covered] for t in terms}
        if conn.dialect.name == "sqlite":
            quoted = [
                "("
                + " OR ".join([f'"{t}"*' if len(t) >= PREFIX_MIN else f'"{t}"', *(f'"{g}"' for g in tags[t])])
                + ")"
                for t in terms
            ]
            words = " OR ".join(quoted) if any_term else " AND ".join(quoted)
            parts = [f"({words})"] if terms else []
            if filter_token:
                parts.append(f'"{filter_token}"')
            sql = (
                "SELECT rowid FROM search_fts WHERE search_fts MATCH :q{college} ORDER BY rowid DESC LIMIT :k"
            )
            in_college = " AND rowid IN (SELECT id FROM experiences WHERE college_id IN ({ids}))"
        else:
            quoted = [
                "(" + " | ".join([f"{t}:*" if len(t) >= PREFIX_MIN else t, *tags[t]]) + ")" for t in terms
            ]
            words = " | ".join(quoted) if any_term else " & ".join(quoted)
            parts = [f"({words})"] if terms else []
            if filter_token:
                parts.append(filter_token)
            sql = (
                "SELECT experience_id FROM search_docs WHERE tsv @@ to_tsquery('simple', :q){college} "
                "ORDER BY experience_id DESC LIMIT :k"
            )
            in_college = " AND experience_id IN (SELECT id FROM experiences WHERE college_id IN ({ids}))"
        params: dict[str, object] = {"k": self._candidates}
        if colleges is not None:
            names = [f"c{i}" for i in range(len(colleges))]
            params.update({name: int(cid) for name, cid in zip(names, colleges, strict=True)})
            ids = ", ".join(f":{name}" for name in names) or "NULL"
            sql = sql.format(college=in_college.format(ids=ids))
        else:
            sql = sql.format(college="")
        params["q"] = " AND ".join(parts) if conn.dialect.name == "sqlite" else " & ".join(parts)
        rows = await conn.execute(text(sql), params)
        return [int(r[0]) for r in rows]

    async def _rank(
        self, session: AsyncSession, ids: list[int], terms: list[str], topics: dict[str, set[str]]
    ) -> tuple[list[tuple[int, float]], set[int]]:
        """Approved candidates ranked by the module's rules, and the ids holding every term in their asked
        part (or by a topic tag): those first, then the rest by how many terms their asked part holds,
        each level by BM25; ties newest first."""
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
            return [(eid, 0.0) for eid in sorted((r[0] for r in rows), reverse=True)], set()
        docs: list[tuple[int, dict[str, float], set[str], float]] = []
        for eid, title, body in rows:
            title_tokens = title.split()
            body_tokens = body.split()
            cut = body_tokens.index(ASIDE_MARK) if ASIDE_MARK in body_tokens else len(body_tokens)
            fields = (
                (title_tokens, TITLE_WEIGHT),
                (body_tokens[:cut], 1.0),
                (body_tokens[cut + 1 :], ASIDE_WEIGHT),
            )
            counts: dict[str, float] = {}
            asked: set[str] = set()
            for tokens, weight in fields:
                for token, n in Counter(tokens).items():
                    for t in terms:
                        if token == t:
                            share = weight * n
                        elif len(t) >= PREFIX_MIN and token.startswith(t):
                            share = weight * n * PREFIX_WEIGHT
                        else:
                            continue
                        counts[t] = counts.get(t, 0.0) + share
                        if weight >= 1:
                            asked.add(t)
            tags = set(title_tokens)
            for token, covered in topics.items():
                if token in tags:
                    for t in covered:
                        counts[t] = counts.get(t, 0.0) + TOPIC_WEIGHT
                    asked |= covered
            length = sum(weight * len(tokens) for tokens, weight in fields)
            docs.append((eid, counts, asked, length))
        if not docs:
            return [], set()
        n = len(docs)
        avg = sum(length for *_, length in docs) / n or 1.0
        df = Counter(t for _, counts, _, _ in docs for t in counts)
        idf = {t: math.log(1 + (n - df[t] + 0.5) / (df[t] + 0.5)) for t in terms}
        scored = []
        complete: set[int] = set()
        for eid, counts, asked, length in docs:
            score = 0.0
            for t, tf in counts.items():
                score += idf[t] * tf * (K1 + 1) / (tf + K1 * (1 - B + B * length / avg))
            if asked >= set(terms):
                complete.add(eid)
            level = len(asked & set(terms))  # coordination: how many query words the asked part holds
            scored.append((eid in complete, level, round(score, 9), eid))
        scored.sort(key=lambda s: (not s[0], -s[1], -s[2], -s[3]))
        return [(eid, score) for _, _, score, eid in scored], complete

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
