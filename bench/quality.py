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


def load(folder: Path) -> Data:
    """Read a labelled folder; `sentiment_labels.json` is optional (the sentiment family is then skipped)."""
    posts = [json.loads(line) for line in (folder / "posts.jsonl").read_text("utf-8").splitlines() if line]
    paraphrases = json.loads((folder / "paraphrases.json").read_text("utf-8"))
    labels_path = folder / SENTIMENT_LABELS
    labels = json.loads(labels_path.read_text("utf-8")) if labels_path.exists() else None
    return Data(posts, paraphrases, labels)


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


FAMILIES: list[Family] = [topic_metrics, faq_metrics, sentiment_metrics, extract_family]


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
