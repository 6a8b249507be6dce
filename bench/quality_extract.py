"""Quality of the write-up extractor (core/analytics/extract.py) on labelled real posts.

    python bench/quality_extract.py [--data DIR] [--json]

Reads DIR/posts.jsonl (default tests/data/real-experiences, format in its README), feeds each post's
`text` alone to `extract_draft` (this_year=2026; the post `date` is never used) and compares with the
labels. Scoring (all figures 0-1):
- company_accuracy: the set's companies (with aliases) are the known list; right if the extracted name
  equals the label's `company` or one of `company_aliases` after `company_key` folding (case,
  punctuation, legal suffixes). company_accuracy_unknown: the same with an EMPTY known list.
- outcome_accuracy: extracted outcome == label `outcome`.
- year_accuracy: over posts where the extractor gave a year (None is an abstention, the student fills
  the field), share equal to `season_year`. year_coverage: share of posts with a year;
  year_accuracy_all: right / all posts (None counts wrong).
- question_precision / question_recall: an extracted question matches a labelled one when, after
  case folding and whitespace collapsing, one contains the other and the shorter is at least a third
  of the longer's length, or their token sets have Jaccard overlap >= 0.6 (tokens: [a-z0-9]+).
  An extracted question also finds every label that occurs in it verbatim (folded) when the labels
  occurring in it together cover at least a third of its characters: one sentence that joins several
  asks ("we discussed my internships and why I chose this field") finds each of them, a paragraph that
  mentions a short label among other talk finds none. Precision: extracted questions finding at least
  one label / extracted (each extracted question counts once, however many labels it holds; micro over
  posts); recall: labelled questions found by some extracted one / labelled.
- round_kind_accuracy: extracted rounds are aligned to labelled rounds in order (an order-keeping
  alignment maximising label-token Jaccard + 0.1 per aligned pair, not looking at kinds); share of
  labelled rounds whose aligned extracted round has the same kind (unaligned ones count wrong).
- pii_found_fraction: share of the listed `pii` fakes that occur in the text and lie inside a found
  span; pii_masked_fraction: share of those absent from the masked text.
"""

from __future__ import annotations

import argparse
import json
import logging
import re
import sys
from collections.abc import Sequence
from pathlib import Path

from core.analytics.extract import CompanyName, company_key, extract_draft, mask_personal_data

logger = logging.getLogger(__name__)

THIS_YEAR = 2026
DEFAULT_DATA = Path(__file__).resolve().parent.parent / "tests" / "data" / "real-experiences"
_TOKEN = re.compile(r"[a-z0-9]+")


def load_posts(data_dir: Path) -> list[dict]:
    """Posts of DIR/posts.jsonl, one dict a line."""
    with open(data_dir / "posts.jsonl", encoding="utf-8") as f:
        return [json.loads(line) for line in f if line.strip()]


def _fold(s: str) -> str:
    return re.sub(r"\s+", " ", s.casefold()).strip(" .?!,;:-")


def question_match(extracted: str, labelled: str) -> bool:
    """True if two question strings match under the rule in this module's docstring."""
    a, b = _fold(extracted), _fold(labelled)
    if not a or not b:
        return False
    short, long_ = sorted((a, b), key=len)
    if short in long_ and len(short) * 3 >= len(long_):
        return True
    ta, tb = set(_TOKEN.findall(a)), set(_TOKEN.findall(b))
    return bool(ta and tb) and len(ta & tb) / len(ta | tb) >= 0.6


def _covered_share(text: str, parts: list[str]) -> float:
    """Share of the characters of `text` lying inside some occurrence of one of `parts` (all folded)."""
    covered = [False] * len(text)
    for part in parts:
        for m in re.finditer(re.escape(part), text):
            covered[m.start() : m.end()] = [True] * (m.end() - m.start())
    return sum(covered) / len(text) if text else 0.0


def matched_labels(extracted: str, labelled: Sequence[str]) -> set[int]:
    """Indices of the labelled questions one extracted question finds (rule in the module docstring).

    A label is found when `question_match` holds for the pair, or when the label occurs verbatim (folded)
    inside the extracted text and the labels occurring in it together cover at least a third of it:
    a sentence joining several asks ("discussed my internships and why I chose this field") finds each
    of them, while a paragraph that merely contains a short label among other talk finds none.
    """
    a = _fold(extracted)
    found = {i for i, lab in enumerate(labelled) if question_match(extracted, lab)}
    folded = [_fold(lab) for lab in labelled]
    inside = [i for i, b in enumerate(folded) if b and b in a]
    if inside and _covered_share(a, [folded[i] for i in inside]) * 3 >= 1:
        found.update(inside)
    return found


def _align(extracted: list, labelled: list) -> list[int | None]:
    """For each labelled round, the index of its aligned extracted round (order-keeping DP) or None."""

    def sim(e, lab) -> float:
        a, b = set(_TOKEN.findall(e.label.lower())), set(_TOKEN.findall(lab["label"].lower()))
        return (len(a & b) / len(a | b) if a and b else 0.0) + 0.1

    n, m = len(labelled), len(extracted)
    best = [[0.0] * (m + 1) for _ in range(n + 1)]
    for i in range(n - 1, -1, -1):
        for j in range(m - 1, -1, -1):
            best[i][j] = max(
                best[i + 1][j], best[i][j + 1], sim(extracted[j], labelled[i]) + best[i + 1][j + 1]
            )
    out: list[int | None] = []
    i = j = 0
    while i < n:
        if j < m and best[i][j] == sim(extracted[j], labelled[i]) + best[i + 1][j + 1]:
            out.append(j)
            i += 1
            j += 1
        elif j < m and best[i][j] == best[i][j + 1]:
            j += 1
        else:
            out.append(None)
            i += 1
    return out


def _company_right(name: str | None, post: dict) -> bool:
    if not name:
        return False
    return company_key(name) in {company_key(x) for x in [post["company"], *post.get("company_aliases", [])]}


def extract_metrics(posts: list[dict]) -> dict[str, float]:
    """Extraction figures on labelled posts (keys `extract.*`, values 0-1; rules in the module docstring)."""
    known = sorted(
        {
            p["company"]: CompanyName(p["company"], tuple(p.get("company_aliases", []))) for p in posts
        }.values(),
        key=lambda c: c.name,
    )
    n = len(posts) or 1
    company = company_unknown = outcome = 0
    year_given = year_right = 0
    q_ext = q_ext_ok = q_lab = q_lab_ok = 0
    r_lab = r_ok = 0
    pii_total = pii_found = pii_masked = 0
    for p in posts:
        text = p["text"]
        d = extract_draft(text, known, this_year=THIS_YEAR)
        du = extract_draft(text, [], this_year=THIS_YEAR)
        company += _company_right(d.company, p)
        company_unknown += _company_right(du.company, p)
        outcome += d.outcome == p.get("outcome")
        if d.interview_year is not None:
            year_given += 1
            year_right += d.interview_year == p.get("season_year")
        labelled = p.get("questions", [])
        hits = [matched_labels(q, labelled) for q in d.questions]
        q_ext += len(d.questions)
        q_ext_ok += sum(bool(h) for h in hits)
        q_lab += len(labelled)
        q_lab_ok += len(set().union(*hits))
        lab_rounds = p.get("rounds", [])
        for lr, j in zip(lab_rounds, _align(list(d.rounds), lab_rounds), strict=True):
            r_lab += 1
            r_ok += j is not None and d.rounds[j].kind == lr["kind"]
        masked = mask_personal_data(text, d.personal_data)
        for fake in p.get("pii", []):
            v = fake["value"]
            spots = [m.start() for m in re.finditer(re.escape(v), text)]
            if not spots:
                continue
            pii_total += 1
            pii_found += all(
                any(s.start <= x and x + len(v) <= s.end for s in d.personal_data) for x in spots
            )
            pii_masked += v not in masked
    return {
        "extract.company_accuracy": company / n,
        "extract.company_accuracy_unknown": company_unknown / n,
        "extract.outcome_accuracy": outcome / n,
        "extract.year_accuracy": year_right / year_given if year_given else 0.0,
        "extract.year_coverage": year_given / n,
        "extract.year_accuracy_all": year_right / n,
        "extract.question_precision": q_ext_ok / q_ext if q_ext else 0.0,
        "extract.question_recall": q_lab_ok / q_lab if q_lab else 0.0,
        "extract.round_kind_accuracy": r_ok / r_lab if r_lab else 0.0,
        "extract.pii_found_fraction": pii_found / pii_total if pii_total else 1.0,
        "extract.pii_masked_fraction": pii_masked / pii_total if pii_total else 1.0,
    }


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--data", type=Path, default=DEFAULT_DATA, help="folder holding posts.jsonl")
    ap.add_argument("--json", action="store_true", help="print one JSON object instead of a table")
    args = ap.parse_args(argv)
    posts = load_posts(args.data)
    figures = extract_metrics(posts)
    if args.json:
        print(json.dumps(figures, indent=2, sort_keys=True))
    else:
        print(f"{len(posts)} posts from {args.data}")
        for k, v in figures.items():
            print(f"{k:<36} {v:6.3f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
