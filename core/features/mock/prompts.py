"""Turn a question seniors were asked into something a student can answer out loud on camera.

Behavioural and concept questions ("Explain deadlock", "Why this company?") are asked as they were.
A coding puzzle ("Simplify Path (LeetCode Medium)", "Given an array, return ...") cannot be solved on
camera, so it becomes "Explain your approach to: ..." with what a good spoken answer covers. The
rule is textual: a question is a coding puzzle when it names a judge or difficulty tag, opens like a
problem statement, or asks to write code, or when its only topics are data-structure topics (the
keyword map of core.analytics.topics) and it does not ask to explain, compare or define.
"""

from __future__ import annotations

import re

from core.analytics.text import tag_topics
from core.analytics.topics import DSA, DSA_KEYWORDS

_JUDGE_TAG = re.compile(
    r"\s*[\(\[]\s*(?:leet\s*code|lc|gfg|geeks\s*for\s*geeks|codeforces|hackerrank)?[\s:-]*"
    r"(?:easy|medium|hard)?\s*[\)\]]\s*",
    re.IGNORECASE,
)
_JUDGE_WORDS = re.compile(r"\b(?:leet\s*code|gfg|geeksforgeeks|codeforces|hackerrank)\b", re.IGNORECASE)
_PROBLEM_OPENING = re.compile(
    r"^\s*(?:given\s+(?:an?|the|two|n)\b|write\s+(?:a|the)\s+(?:code|program|function|query)|"
    r"implement\b|code\s+(?:a|the)\b|find\s+the\b|return\s+the\b|design\s+an?\s+algorithm)",
    re.IGNORECASE,
)
_SPOKEN_OPENING = re.compile(
    r"^\s*(?:explain|what|why|how|when|describe|tell|compare|difference|define|discuss|walk\s+me)\b",
    re.IGNORECASE,
)
_DSA_TOPICS = frozenset((DSA, *DSA_KEYWORDS))
MAX_TITLE = 200


def is_coding_puzzle(question: str) -> bool:
    """Whether `question` asks to solve a coding problem rather than to speak about something."""
    if _JUDGE_WORDS.search(question) or re.search(r"\((?:easy|medium|hard)\)", question, re.IGNORECASE):
        return True
    if _PROBLEM_OPENING.match(question):
        return True
    if _SPOKEN_OPENING.match(question):
        return False
    topics = tag_topics(question, question=True)
    return bool(topics) and set(topics) <= _DSA_TOPICS


def puzzle_title(question: str) -> str:
    """The question without judge/difficulty tags and trailing punctuation, at most MAX_TITLE chars."""
    title = _JUDGE_TAG.sub(" ", question)
    title = " ".join(title.split()).strip(" .:;-")
    return title[:MAX_TITLE].rstrip() + ("…" if len(title) > MAX_TITLE else "")


def spoken_prompt(question: str) -> str:
    """The prompt to show for a mock answer: the question as asked, or "explain your approach to ..."."""
    if not is_coding_puzzle(question):
        return " ".join(question.split())
    return (
        f"Explain your approach to: {puzzle_title(question)}. Talk through the idea, why it works, its time "
        "and space complexity, and one edge case you would test (no code needed)."
    )
