"""Quality of the text analytics on real, labelled interview experiences (issue 11, "Right on real text").

    python bench/quality.py [--data DIR] [--json]

DIR (default tests/data/real-experiences) holds `posts.jsonl` and `paraphrases.json` in the format its
README describes. Each metric family is one function `family(data) -> dict[str, float | int]`, registered
in FAMILIES; add a family by writing such a function and appending it there. Figures are in 0-1 unless
a key says it is a count.

Posts are mapped to what the analyser sees by `experience_text_from_post`: only what an importer knows
(the post text as the narrative, `tips` as reflections, `role`); the labelled questions are never used
for the topic figures.
"""

from __future__ import annotations

import argparse
import contextlib
import io
import itertools
import json
import logging
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from core.analytics.faq import FaqItem, group_questions  # noqa: E402
from core.analytics.text import ExperienceText, analyse_experience, sentiment  # noqa: E402

logger = logging.getLogger(__name__)

DEFAULT_DATA = ROOT / "tests" / "data" / "real-experiences"
SENTIMENT_LABELS = "sentiment_labels.json"
# A compound score inside (-NEUTRAL_BAND, NEUTRAL_BAND) is shown as neutral (VADER's own convention).
NEUTRAL_BAND = 0.05


@dataclass(frozen=True)
class Data:
    """One labelled set: its posts (dicts as in posts.jsonl), paraphrases and optional sentiment labels."""

    posts: list[dict[str, Any]]
    paraphrases: dict[str, Any]
    sentiment_labels: dict[str, Any] | None
    queries: list[dict[str, Any]] | None = None  # search.json: judged queries (the search family)


def load(folder: Path) -> Data:
    """Read a labelled folder; `sentiment_labels.json` is optional (the sentiment family is then skipped)."""
    posts = [json.loads(line) for line in (folder / "posts.jsonl").read_text("utf-8").splitlines() if line]
    paraphrases = json.loads((folder / "paraphrases.json").read_text("utf-8"))
    labels_path = folder / SENTIMENT_LABELS
    labels = json.loads(labels_path.read_text("utf-8")) if labels_path.exists() else None
    queries_path = folder / SEARCH_QUERIES
    queries = json.loads(queries_path.read_text("utf-8")) if queries_path.exists() else None
    return Data(posts, paraphrases, labels, queries)


def experience_text_from_post(post: dict[str, Any]) -> ExperienceText:
    """What the import path stores for a post: its text as the narrative, `tips` as reflections.

    Questions stay empty: the labelled `questions` are what we measure against, not what an importer
    would know. The title names the author and company, so it adds nothing the text lacks.
    """
    return ExperienceText(
        role=str(post.get("role") or ""),
        role_description="",
        preparation=str(post.get("text") or ""),
        reflections=str(post.get("tips") or ""),
        questions=(),
    )


# ------------------------------------------------------------------ topics


def _ratio(num: int, den: int) -> float:
    return round(num / den, 4) if den else 0.0


def topic_metrics(data: Data) -> dict[str, Any]:
    """Micro precision/recall of asked topics over posts x topics, prep-only and other-company leakage.

    topics.precision = tagged and asked / tagged; topics.recall = tagged and asked / asked;
    topics.prep_only_rate = tagged / (post, prep-only topic) pairs; topics.other_company_rate likewise
    for topics of other companies' processes not asked here. `per_topic` holds (tp, fp, fn) per topic.
    """
    tp = fp = fn = 0
    prep_pairs = prep_tagged = other_pairs = other_tagged = 0
    per: dict[str, list[int]] = {}
    for post in data.posts:
        tagged = set(analyse_experience(experience_text_from_post(post)).topics)
        asked = {t["topic"] for t in post.get("topics", [])}
        for topic in tagged | asked:
            row = per.setdefault(topic, [0, 0, 0])
            if topic in tagged and topic in asked:
                row[0] += 1
            elif topic in tagged:
                row[1] += 1
            else:
                row[2] += 1
        tp += len(tagged & asked)
        fp += len(tagged - asked)
        fn += len(asked - tagged)
        for topic in set(post.get("prep_only_topics", [])) - asked:
            prep_pairs += 1
            prep_tagged += topic in tagged
        for topic in {t["topic"] for t in post.get("other_company_topics", [])} - asked:
            other_pairs += 1
            other_tagged += topic in tagged
    return {
        "topics.precision": _ratio(tp, tp + fp),
        "topics.recall": _ratio(tp, tp + fn),
        "topics.prep_only_rate": _ratio(prep_tagged, prep_pairs),
        "topics.other_company_rate": _ratio(other_tagged, other_pairs),
        "topics.per_topic": {t: tuple(v) for t, v in sorted(per.items())},
    }


# --------------------------------------------------------------------- FAQ


def _pairs(groups: list[list[str]]) -> set[frozenset[str]]:
    return {frozenset(p) for g in groups for p in itertools.combinations(dict.fromkeys(g), 2) if p[0] != p[1]}


def faq_metrics(data: Data) -> dict[str, Any]:
    """Pairwise precision/recall of group_questions over the paraphrase groups; hard negatives merged.

    All paraphrase strings and both sides of every hard negative are grouped together in one call (as
    the FAQ archive groups every question at once). Precision counts predicted pairs among the
    paraphrase strings; recall counts gold pairs found; hard negatives merged is a count.
    """
    gold_groups = [list(g) for g in data.paraphrases.get("paraphrase_groups", [])]
    negatives = [(h["a"], h["b"]) for h in data.paraphrases.get("hard_negatives", [])]
    texts = list(dict.fromkeys([*(q for g in gold_groups for q in g), *(x for p in negatives for x in p)]))
    items = [FaqItem(question_id=i, text=t, experience_id=i) for i, t in enumerate(texts)]
    group_of: dict[str, int] = {}
    for gi, group in enumerate(group_questions(items)):
        for qid in group.question_ids:
            group_of[texts[qid]] = gi
    gold = _pairs(gold_groups)
    in_gold = {q for g in gold_groups for q in g}
    predicted = {
        frozenset((a, b))
        for a, b in itertools.combinations(sorted(in_gold), 2)
        if a in group_of and group_of.get(a) == group_of.get(b)
    }
    merged = sum(1 for a, b in negatives if a in group_of and group_of.get(a) == group_of.get(b))
    return {
        "faq.pair_precision": _ratio(len(predicted & gold), len(predicted)),
        "faq.pair_recall": _ratio(len(predicted & gold), len(gold)),
        "faq.hard_negatives_merged": merged,
    }


# --------------------------------------------------------------- sentiment


def label_of(score: float) -> str:
    """positive / neutral / negative from a VADER compound score (band NEUTRAL_BAND)."""
    if score >= NEUTRAL_BAND:
        return "positive"
    if score <= -NEUTRAL_BAND:
        return "negative"
    return "neutral"


def sentiment_metrics(data: Data) -> dict[str, Any]:
    """Agreement of core.analytics.text.sentiment on each post's `tips` with our hand labels.

    sentiment.agreement = share of labelled reflections whose shown label (positive / neutral /
    negative) equals ours; sentiment.negative_false = share of reflections we labelled non-negative that
    the score shows as negative (what the issue complained about).
    """
    if not data.sentiment_labels:
        return {}
    by_id = {p["id"]: p for p in data.posts}
    agree = total = false_neg = non_neg = 0
    for pid, gold in data.sentiment_labels["labels"].items():
        post = by_id.get(pid)
        if post is None or not (post.get("tips") or "").strip():
            continue
        shown = label_of(sentiment(post["tips"]))
        total += 1
        agree += shown == gold
        if gold != "negative":
            non_neg += 1
            false_neg += shown == "negative"
    return {
        "sentiment.agreement": _ratio(agree, total),
        "sentiment.negative_false": _ratio(false_neg, non_neg),
        "sentiment.labelled": total,
    }


# ------------------------------------------------------------------ search

SEARCH_QUERIES = "search.json"
SEARCH_TOP = 10  # results read per query (recall@10)
BEST_TOP = 5  # every best post must be in this many


def search_metrics(data: Data) -> dict[str, Any]:
    """Ranking quality of /search on the judged queries, measured through the REAL import path.

    The posts are written to a posts.jsonl, imported with `main.py import --approve` (run_import) into a
    fresh SQLite database, and each query of `search.json` goes through the search feature (parsing,
    company resolution, ranking) as /search would. search.best_in_top5 = share of queries whose every
    `best` id is among the first 5 results; search.recall_at_10 = mean share of `relevant` ids among the
    first 10. Results are mapped back to post ids by import order (a fresh database).

    Two query sets DERIVED from the other labels (not written by whoever tunes the ranking) guard
    against fitting the ranking to search.json; see `derived_queries`. Their keys are
    search.<set>.recall_at_10 (relevant found in the first 10 / min(relevant, 10), mean over queries),
    search.<set>.best_in_top5 (share of queries with at most BEST_TOP relevant posts that have them all
    in the first 5), search.<set>.precision_at_5 (relevant among the first 5 / min(relevant, 5), mean)
    and search.<set>.queries.
    """
    if not data.queries:
        return {}
    import asyncio
    import tempfile

    derived = derived_queries(data)
    texts = list(
        dict.fromkeys([j["query"] for j in data.queries] + [j["query"] for s in derived.values() for j in s])
    )
    with tempfile.TemporaryDirectory() as tmp:
        ranked = asyncio.run(_search_rankings(data, Path(tmp), texts))
    best_hits = 0
    recalls = []
    misses: list[str] = []
    for judged in data.queries:
        got = ranked[judged["query"]]
        best_ok = all(pid in got[:BEST_TOP] for pid in judged["best"])
        best_hits += best_ok
        relevant = set(judged["relevant"])
        recalls.append(len(relevant & set(got[:SEARCH_TOP])) / len(relevant) if relevant else 1.0)
        if not best_ok:
            misses.append(judged["query"])
    out: dict[str, Any] = {
        "search.best_in_top5": _ratio(best_hits, len(data.queries)),
        "search.recall_at_10": round(sum(recalls) / len(recalls), 4),
        "search.queries": len(data.queries),
        "search.best_missed": misses,
    }
    for name, queries in derived.items():
        out.update(_derived_figures(name, queries, ranked))
    return out


def derived_queries(data: Data) -> dict[str, list[dict[str, Any]]]:
    """Held-out judged queries built mechanically from the topic and paraphrase labels.

    - "topic_queries": for every topic some post is labelled as ASKING, the topic's display name
      ("Dynamic programming", "Guesstimates & case studies") as the query; relevant = the posts whose
      `topics` hold it (prep-only and other-company topics are not relevant).
    - "paraphrase_queries": every string of every paraphrase group as the query; relevant = the posts
      whose text holds any string of that group (the same question, however it is worded).
    Each item is {query, relevant}; the same query text is judged once (the first definition wins).
    """
    topic_posts: dict[str, list[str]] = {}
    for post in data.posts:
        for topic in dict.fromkeys(t["topic"] for t in post.get("topics", [])):
            topic_posts.setdefault(topic, []).append(post["id"])
    topic_set = [{"query": t, "relevant": ids} for t, ids in sorted(topic_posts.items())]
    para_set: list[dict[str, Any]] = []
    seen: set[str] = set()
    for group in data.paraphrases.get("paraphrase_groups", []):
        holders = [p["id"] for p in data.posts if any(s in (p.get("text") or "") for s in group)]
        for string in group:
            query = " ".join(string.split())
            if holders and query not in seen:
                seen.add(query)
                para_set.append({"query": query, "relevant": holders})
    return {"topic_queries": topic_set, "paraphrase_queries": para_set}


def _derived_figures(
    name: str, queries: list[dict[str, Any]], ranked: dict[str, list[str]]
) -> dict[str, Any]:
    recall, precision, best = [], [], []
    for judged in queries:
        got, relevant = ranked[judged["query"]], set(judged["relevant"])
        recall.append(len(relevant & set(got[:SEARCH_TOP])) / min(len(relevant), SEARCH_TOP))
        precision.append(len(relevant & set(got[:BEST_TOP])) / min(len(relevant), BEST_TOP))
        if len(relevant) <= BEST_TOP:
            best.append(relevant <= set(got[:BEST_TOP]))
    return {
        f"search.{name}.best_in_top5": _ratio(sum(best), len(best)),
        f"search.{name}.precision_at_5": round(sum(precision) / len(precision), 4) if precision else 0.0,
        f"search.{name}.recall_at_10": round(sum(recall) / len(recall), 4) if recall else 0.0,
        f"search.{name}.queries": len(queries),
    }


async def _search_rankings(data: Data, tmp: Path, queries: list[str]) -> dict[str, list[str]]:
    """Import the posts into a fresh database and rank each query text: {query: [post id, ...]}."""
    from sqlalchemy import select

    import main
    from core.app import bootstrap
    from core.config import parse_config
    from core.features.search.service import SearchFeature
    from storage.models import Experience

    posts = tmp / "posts.jsonl"
    posts.write_text("".join(json.dumps(p, ensure_ascii=False) + "\n" for p in data.posts), "utf-8")
    config = parse_config({"console": {"output_dir": str(tmp / "console")}})
    url = f"sqlite+aiosqlite:///{tmp / 'search.db'}"
    with contextlib.redirect_stdout(io.StringIO()):  # its summary line would break --json
        code = await main.run_import(config, url, str(posts), approve=True, dry_run=False)
    if code != 0:
        raise RuntimeError(f"import of the labelled posts failed (exit {code})")
    app = await bootstrap(config, db_url=url)
    try:
        # A fresh database and an import that rejected nothing: ids follow the file's order. (The stored
        # text cannot identify a post: publishing masks the personal data in it.)
        async with app.database.sessions() as session:
            ids = sorted((await session.scalars(select(Experience.id))).all())
        if len(ids) != len(data.posts):
            raise RuntimeError(f"{len(ids)} experiences stored for {len(data.posts)} posts")
        post_of = {eid: post["id"] for eid, post in zip(ids, data.posts, strict=True)}
        feature = app.feature(SearchFeature)
        out = {}
        for query in queries:
            page = await feature.find(query, page_size=SEARCH_TOP)
            out[query] = [post_of.get(hit.experience_id, "") for hit in page.hits]
        return out
    finally:
        await app.close()


# --------------------------------------------------------------------- personal data


def _post_fields(post: dict[str, Any]) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    """A post as `ExperienceRepo.store_imported` takes it: text -> preparation, tips -> reflections, the
    labelled rounds, the author name and roll number from its `pii` list, posted anonymous."""
    pii = {p["kind"]: p["value"] for p in reversed(post.get("pii", []))}
    year = int(post.get("season_year") or 2024)
    fields = {
        "author_name": pii.get("name") or pii.get("first_name") or "",
        "linkedin_url": pii.get("linkedin"),
        "branch": "CSE",
        "roll_number": pii.get("roll_number"),
        "passout_year": year + (1 if post.get("kind") == "internship" else 0),
        "interview_year": year,
        "role": str(post.get("role") or "Intern")[:80],
        "role_description": "",
        "source": "on_campus",
        "preparation": str(post.get("text") or ""),
        "reflections": str(post.get("tips") or ""),
        "outcome": post.get("outcome") or "pending",
        "difficulty": 3,
        "rating": 3,
        "anonymous": True,
    }
    rounds = [
        {"kind": r["kind"], "difficulty": 3, "duration_minutes": None, "questions": list(r["questions"])}
        for r in post.get("rounds", [])
    ]
    return fields, rounds


async def _public_outputs(
    posts: list[dict[str, Any]], db_url: str
) -> list[tuple[dict[str, Any], str, set[str]]]:
    """Store and publish every post, then read every public output: per post (post, the text of its
    outputs, the fakes whose search finds that post)."""
    from datetime import UTC, datetime

    from sqlalchemy import select

    from core.features.company.charts import word_frequencies
    from core.features.company.views import experience_text
    from storage.analysis import analyse_and_store
    from storage.db import open_database
    from storage.digest import DigestRepo
    from storage.exporter import export_experiences
    from storage.repos import Repos
    from storage.search import SearchRepo, _docs_table
    from storage.stats import StatsRepo

    now = datetime(2026, 11, 25, tzinfo=UTC)
    database = await open_database(db_url)
    try:
        sessions = database.sessions
        repos = Repos.over(sessions)
        stats, search = StatsRepo(sessions), SearchRepo(sessions)
        ids: list[int] = []
        for post in posts:
            fields, rounds = _post_fields(post)
            company_id = await repos.companies.get_or_create(post["company"])
            experience_id = await repos.experiences.store_imported(
                company_id, fields, rounds, "approved", now
            )
            assert experience_id is not None, post["id"]
            await analyse_and_store(sessions, experience_id)  # what `import --approve` runs on each
            ids.append(experience_id)
        table = _docs_table()
        async with sessions() as session:
            rows = await session.execute(select(table.c.experience_id, table.c.title, table.c.body))
            docs = {eid: f"{title} {body}" for eid, title, body in rows}
        exports = [
            await export_experiences(sessions, now=now, with_personal_data=personal)
            for personal in (False, True)
        ]
        week = await DigestRepo(sessions).week(datetime(2000, 1, 1, tzinfo=UTC), now, top=1000)
        shared = json.dumps([e["experiences"] for e in exports], ensure_ascii=False)
        shared += " ".join(q for q, _ in week.questions)
        out = []
        for post, experience_id in zip(posts, ids, strict=True):
            view = await stats.experience(experience_id)
            company_id = await repos.companies.get_or_create(post["company"])
            cloud = " ".join(word_frequencies(await stats.question_texts(company_id)))
            text = "\n".join([experience_text(view) if view else "", docs.get(experience_id, ""), cloud])
            found: set[str] = set()
            for fake in post.get("pii", []):
                page = await search.search(fake["value"], page_size=100)
                if any(hit.experience_id == experience_id for hit in page.hits):
                    found.add(fake["value"])
            out.append((post, text + "\n" + shared, found))
        return out
    finally:
        await database.dispose()


def pii_metrics(data: Data) -> dict[str, Any]:
    """Share of the listed personal-data fakes absent from every public output once the set is published.

    Every post is stored as an import stores it (`ExperienceRepo.store_imported`, anonymous, its `pii`
    name and roll number in the private columns) and published (`analyse_and_store`), in a throw-away
    SQLite database. Public outputs read: the experience view, the search-index row, word-cloud words,
    the digest's most-asked questions, both exports, and a search for the fake (the post must not be
    found). pii.masked_fraction = fakes absent from all / listed fakes; pii.fakes is their count;
    pii.posts_found_by_fake counts posts a search for one of their fakes still finds.
    """
    import asyncio
    import tempfile

    with tempfile.TemporaryDirectory() as folder:
        outputs = asyncio.run(_public_outputs(data.posts, f"sqlite+aiosqlite:///{folder}/pii.db"))
    listed = absent = 0
    for post, text, found in outputs:
        low = " ".join(text.lower().split())
        for fake in post.get("pii", []):
            listed += 1
            absent += " ".join(fake["value"].lower().split()) not in low and fake["value"] not in found
    return {
        "pii.masked_fraction": _ratio(absent, listed),
        "pii.fakes": listed,
        "pii.posts_found_by_fake": sum(1 for _, _, found in outputs if found),
    }


def degree_metrics(data: Data) -> dict[str, Any]:
    """How the degree words of the process sentences (`core.analytics.degree`, search rule 4) hold on the set.

    degree.amplified_topics = (post, topic) pairs whose topic the tagger finds in an amplified phrase of
    the post's process sentences ("mainly on DP"), a count; degree.amplified_asked = the share of those
    labelled as asked (the rule counts them twice in search); degree.downtoned_topics = pairs found in a
    downtoned phrase ("a little SQL"), a count, and degree.downtoned_asked the share labelled as asked
    (search moves them aside).
    """
    from core.analytics.degree import degrees
    from core.analytics.sections import process_text
    from core.analytics.text import tag_topics

    amplified = amplified_asked = downtoned = downtoned_asked = 0
    for post in data.posts:
        process = process_text(str(post.get("text") or ""))
        _, up, down = degrees(process).split(process)
        asked = {t["topic"] for t in post.get("topics", [])}
        up_topics = {t for phrase in up for t in tag_topics(phrase)}
        down_topics = {t for phrase in down for t in tag_topics(phrase)}
        amplified += len(up_topics)
        amplified_asked += len(up_topics & asked)
        downtoned += len(down_topics)
        downtoned_asked += len(down_topics & asked)
    return {
        "degree.amplified_topics": amplified,
        "degree.amplified_asked": _ratio(amplified_asked, amplified),
        "degree.downtoned_topics": downtoned,
        "degree.downtoned_asked": _ratio(downtoned_asked, downtoned),
    }


Family = Callable[[Data], dict[str, Any]]


def extract_family(data: Data) -> dict[str, Any]:
    """The write-up extractor's figures (`extract.*` keys; scoring in bench/quality_extract.py)."""
    import importlib.util

    spec = importlib.util.spec_from_file_location(
        "bench_quality_extract", ROOT / "bench" / "quality_extract.py"
    )
    if spec is None or spec.loader is None:
        raise ImportError("bench/quality_extract.py not found")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return dict(module.extract_metrics(data.posts))


FAMILIES: list[Family] = [
    topic_metrics,
    faq_metrics,
    sentiment_metrics,
    search_metrics,
    degree_metrics,
    pii_metrics,
    extract_family,
]


def run(folder: Path) -> dict[str, Any]:
    """Every registered family's keys for the labelled set in `folder`."""
    data = load(folder)
    out: dict[str, Any] = {}
    for family in FAMILIES:
        out.update(family(data))
    return out


def _table(results: dict[str, Any]) -> str:
    lines = [f"{'metric':32} value"]
    for key, value in results.items():
        if key == "topics.per_topic":
            continue
        if isinstance(value, list):
            value = ", ".join(map(str, value)) or "-"
        lines.append(f"{key:32} {value}")
    per = results.get("topics.per_topic")
    if per:
        lines += ["", f"{'topic':30} {'P':>6} {'R':>6} {'tp':>4} {'fp':>4} {'fn':>4}"]
        for topic, (tp, fp, fn) in per.items():
            lines.append(
                f"{topic:30} {_ratio(tp, tp + fp):6.2f} {_ratio(tp, tp + fn):6.2f} {tp:4} {fp:4} {fn:4}"
            )
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA, help="labelled folder (posts.jsonl ...)")
    parser.add_argument("--json", action="store_true", help="print one JSON object instead of a table")
    args = parser.parse_args(argv)
    results = run(args.data)
    print(json.dumps(results, indent=1) if args.json else _table(results))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
