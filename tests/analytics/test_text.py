"""Text analytics: cleaning, tokens, stems, topic tags on real question titles, keywords and sentiment."""

from __future__ import annotations

import subprocess
import sys
import textwrap

import pytest

from core.analytics import text as T
from core.analytics.topics import ALL_TOPICS, DSA

# Real LeetCode titles tagged for companies up to May 2022 (hxu296/leetcode-company-wise-problems-2022, MIT),
# copied here so tests never read ../shared.
LEETCODE_TITLES = {
    "Two Sum": "Hashing",
    "Longest Palindromic Substring": "Arrays & strings",
    "Merge Intervals": "Sorting & searching",
    "Number of Islands": "Trees & graphs",
    "Kth Largest Element in an Array": "Heaps",
    "Trapping Rain Water": "Stacks & queues",
    "Word Break": "Dynamic programming",
    "Serialize and Deserialize Binary Tree": "Trees & graphs",
    "Implement Queue using Stacks": "Stacks & queues",
    "Best Time to Buy and Sell Stock": "Dynamic programming",
    "Convert Sorted List to Binary Search Tree": "Trees & graphs",
    "LRU Cache": "Hashing",
    "Minimum Bit Flips to Convert Number": "Math & bits",
}
MORE_TITLES = [
    "Minimum Consecutive Cards to Pick Up",
    "Remove Digit From Number to Maximize Result",
    "Count Prefixes of a Given String",
    "Intersection of Multiple Arrays",
    "Find the Difference of Two Arrays",
    "Count Hills and Valleys in an Array",
    "Rotting Oranges",
    "Spiral Matrix",
    "Jump Game",
    "Design Browser History",
]


def test_clean_drops_urls_case_and_extra_whitespace() -> None:
    raw = "  Solved   it on https://leetcode.com/problems/two-sum/ and WWW.GFG.org,\n\tmail me@x.org  NOW "
    assert T.clean(raw) == "solved it on and , mail now"
    assert T.clean(None) == "" and T.clean("   ") == ""


def test_content_hash_ignores_case_and_spacing_but_not_words() -> None:
    assert T.content_hash("Reverse a  Linked List") == T.content_hash("reverse a linked list ")
    assert T.content_hash("Reverse a linked list") != T.content_hash("Sort a linked list")


def test_tokens_drop_english_and_interview_noise() -> None:
    toks = T.tokens(
        "In the first technical round the interviewer asked me a question about C++ and deadlocks"
    )
    assert toks == ["first", "technical", "c++", "deadlocks"]
    for noise in ("interview", "round", "asked", "question"):
        assert T.tokens(noise) == []


def test_tokens_keep_technical_names_and_fold_spellings() -> None:
    assert T.tokens("C# vs C++ vs .NET") == ["c#", "c++", ".net"]
    assert T.tokens("normalisation") == T.tokens("normalization") == ["normalization"]
    assert T.tokens("Tell me about yourself") == ["selfintro"]


def test_stems_group_word_forms() -> None:
    assert T.stems("Reversing linked lists") == T.stems("reverse a linked list") == ["revers", "linkedlist"]
    assert T.stems("sorting sorted arrays") == ["sort", "sort", "array"]


@pytest.mark.parametrize(("title", "topic"), sorted(LEETCODE_TITLES.items()))
def test_leetcode_titles_land_in_their_dsa_topic(title: str, topic: str) -> None:
    assert T.primary_topic(title) == topic
    assert DSA in T.tag_topics(title, question=True)


def test_most_coding_titles_get_some_dsa_topic() -> None:
    tagged = [t for t in MORE_TITLES if DSA in T.tag_topics(t, question=True) or T.primary_topic(t)]
    assert len(tagged) == len(MORE_TITLES)


@pytest.mark.parametrize(
    ("text", "topic"),
    [
        ("Explain normalization in DBMS", "DBMS"),
        ("What are normal forms? explain 3NF", "DBMS"),
        ("What is a deadlock and how do you prevent it?", "OS"),
        ("Explain the TCP three way handshake", "Networks"),
        ("Difference between TCP and UDP", "Networks"),
        ("Write a SQL query to find the second highest salary", "SQL"),
        ("What is polymorphism?", "OOP"),
        ("Design a URL shortener like bit.ly", "System design"),
        ("How would you design a rate limiter?", "System design"),
        ("Tell me about yourself", "HR"),
        ("Why should we hire you?", "HR"),
        ("Puzzle: 3 bulbs and 3 switches", "Puzzles"),
        ("Walk me through your final year project", "Projects"),
        ("Explain the bias variance tradeoff", "Machine learning"),
        ("What is garbage collection in Java?", "Java"),
        ("What is a decorator in Python?", "Python"),
        ("What is a dangling pointer?", "C/C++"),
        ("What is Docker and why use containers?", "Cloud"),
        ("How does a REST API differ from GraphQL?", "Web"),
    ],
)
def test_cs_fundamentals_questions_get_their_topic(text: str, topic: str) -> None:
    assert T.primary_topic(text) == topic


def test_stories_do_not_get_coding_title_words_as_topics() -> None:
    story = "The minimum CGPA was 7 and I was a bit nervous, but the panel was kind."
    assert T.tag_topics(story) == []
    assert T.tag_topics(story, question=True) != []  # the same words in a question title do count


def test_topic_falls_back_to_round_kind() -> None:
    assert T.primary_topic("Where are you from?", "HR round") == "HR"
    assert T.primary_topic("Where are you from?", "Technical") is None
    assert T.primary_topic("Explain deadlock", "HR round") == "OS"  # the text wins over the round


def test_topic_names_fit_the_database_column() -> None:
    assert all(len(t) <= 40 for t in ALL_TOPICS)


def test_keywords_find_phrases_and_counts() -> None:
    texts = [
        "I practised dynamic programming and linked lists on LeetCode. Dynamic programming was key.",
        "Focus on dynamic programming, graphs and system design; revise DBMS normalisation.",
        "They asked about my internship project and a linked list question. https://example.com/x",
    ]
    kws = T.keywords(texts, 5)
    assert kws[0] == ("dynamic programming", 3)
    assert ("linked list", 2) in kws
    assert all(k not in {"interview", "asked", "question", "round"} for k, _ in T.keywords(texts, 50))
    assert T.keywords([], 5) == [] and T.keywords(["the and of"], 5) == [] and T.keywords(texts, 0) == []


def test_sentiment_sign_of_clear_reflections() -> None:
    happy = "The interviewers were friendly and supportive. I loved it and got the offer, really happy!"
    sad = "Terrible experience. The interviewer was rude, I was rejected and felt awful and disappointed."
    assert T.sentiment(happy) > 0.5
    assert T.sentiment(sad) < -0.5
    assert T.sentiment("") == 0.0 and T.sentiment(None) == 0.0
    assert -1.0 <= T.sentiment("ok " * 500) <= 1.0


def test_sentiment_needs_no_nltk_data() -> None:
    code = textwrap.dedent(
        """
        import nltk
        nltk.data.path[:] = []
        from core.analytics.text import _load_analyzer, sentiment
        from nltk.sentiment.vader import SentimentIntensityAnalyzer
        assert isinstance(_load_analyzer(), SentimentIntensityAnalyzer)
        print(sentiment("great, friendly and helpful"))
        """
    )
    env = {"NLTK_DATA": "/nonexistent", "PATH": "/usr/bin:/bin", "HOME": "/nonexistent"}
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env, timeout=120)
    assert out.returncode == 0, out.stderr
    assert float(out.stdout.strip()) > 0.5


def test_sentiment_reads_neutral_when_no_lexicon(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(T, "_analyzer", None)
    monkeypatch.setattr(T, "_analyzer_loaded", True)
    assert T.sentiment("wonderful") == 0.0


def test_analyse_experience_gives_everything_to_store() -> None:
    exp = T.ExperienceText(
        role="SDE Intern",
        role_description="Backend development in Java",
        preparation="Practised dynamic programming and linked lists; dynamic programming paid off.",
        reflections="Great experience, friendly panel. Revise DBMS well.",
        questions=[
            ("Technical", "How do you reverse a singly linked list?"),
            ("Technical", "Explain normalisation in DBMS"),
            ("HR", "Where are you from?"),
            ("Online assessment", "Count Good Pairs"),
        ],
    )
    a = T.analyse_experience(exp)
    assert a.sentiment > 0.3
    assert a.keywords[0] == "dynamic programming"
    assert a.topics[0] == DSA
    assert {"Linked lists", "DBMS", "HR", "Java"} <= set(a.topics)
    # Practised, not asked: preparation and reflections never tag a topic as asked (issue 11).
    assert "Dynamic programming" not in a.topics
    assert a.question_topics == ["Linked lists", "DBMS", "HR", "Arrays & strings"]
    assert a.question_normalized[:2] == ["revers linkedlist", "normalization dbms"]
    assert a.question_normalized[2] == "where are you from?"  # all stopwords: the cleaned text is kept


def test_analyse_empty_experience_does_not_crash() -> None:
    a = T.analyse_experience(T.ExperienceText())
    assert (a.sentiment, a.keywords, a.topics, a.question_topics) == (0.0, [], [], [])
