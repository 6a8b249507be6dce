"""FAQ grouping: paraphrases merge, different questions stay apart, counts and rounds are right, it scales."""

from __future__ import annotations

import random

from core.analytics.faq import FaqGroup, FaqItem, group_questions

_next_id = iter(range(1, 10**9))


def items(*texts: str, kind: str = "Technical", experience: int | None = None) -> list[FaqItem]:
    """One FaqItem per text, each from its own experience unless `experience` is given."""
    out = []
    for t in texts:
        qid = next(_next_id)
        out.append(FaqItem(qid, t, kind, experience if experience is not None else qid))
    return out


def group_of(groups: list[FaqGroup], question_id: int) -> FaqGroup:
    return next(g for g in groups if question_id in g.question_ids)


def test_paraphrases_of_normalization_form_one_group() -> None:
    its = items(
        "Explain normalization in DBMS", "What is normalisation? explain 1NF 2NF 3NF", "normal forms in dbms"
    )
    groups = group_questions(its)
    assert len(groups) == 1
    assert groups[0].count == 3 and groups[0].topic == "DBMS"


def test_self_introduction_paraphrases_merge() -> None:
    its = items("Tell me about yourself", "Introduce yourself", "tell me about yourself.", kind="HR")
    groups = group_questions(its)
    assert len(groups) == 1
    assert groups[0].representative == "Tell me about yourself"  # the wording used most
    assert groups[0].round_kinds == [("HR", 3)]


def test_reverse_linked_list_paraphrases_merge_but_cycle_detection_stays_apart() -> None:
    rev = items("Reverse a linked list", "How do you reverse a singly linked list?", "Revrse a linked list")
    cyc = items("Detect a cycle in a linked list", "Find whether a linked list has a cycle")
    groups = group_questions(rev + cyc)
    assert len(groups) == 2
    assert group_of(groups, rev[0].question_id).question_ids == [it.question_id for it in rev]
    assert sorted(group_of(groups, cyc[0].question_id).question_ids) == sorted(it.question_id for it in cyc)
    assert group_of(groups, rev[0].question_id).representative == "Reverse a linked list"


def test_different_questions_that_share_words_stay_apart() -> None:
    texts = [
        "Two Sum",
        "Two Sum II",
        "3Sum",
        "Longest Palindromic Substring",
        "Longest Palindromic Subsequence",
        "Best Time to Buy and Sell Stock",
        "Best Time to Buy and Sell Stock with Cooldown",
        "Find the second largest element",
        "Find the largest element",
        "Longest increasing subsequence",
        "Longest decreasing subsequence",
        "What is a deadlock?",
        "Conditions for deadlock",
        "Explain process vs thread",
        "Why should we hire you?",
        "Why do you want to join us?",
    ]
    groups = group_questions(items(*texts))
    assert len(groups) == len(texts)


def test_paraphrases_across_wording_noise_merge() -> None:
    pairs = [
        ("Difference between process and thread", "Process vs thread"),
        ("Explain OOPs concepts", "What are the four pillars of OOP?"),
        ("What is a deadlock in OS?", "Explain deadlock"),
        ("Difference between TCP and UDP", "TCP vs UDP"),
        ("Write a program to check if a string is a palindrome", "Check if a string is palindrome"),
    ]
    for a, b in pairs:
        assert len(group_questions(items(a, b))) == 1, (a, b)


def test_count_is_distinct_experiences_and_groups_sorted_by_it() -> None:
    same_exp = items("Reverse a linked list", "reverse a linked list iteratively", experience=7)
    others = items("Explain deadlock", "What is a deadlock?", "deadlock in os")
    groups = group_questions(same_exp + others)
    assert [g.count for g in groups] == [3, 1]
    assert groups[1].experience_ids == [7] and len(groups[1].question_ids) == 2


def test_round_kinds_counted_and_ordered() -> None:
    its = items("Tell me about yourself", kind="HR") + items("Introduce yourself", kind="HR")
    its += items("tell me about yourself", kind="Technical")
    its += items("Tell me about yourself", kind="  hr ")
    g = group_questions(its)[0]
    assert g.round_kinds == [("HR", 3), ("Technical", 1)]


def test_blank_and_stopword_only_questions() -> None:
    its = items("", "   ", "What is it?", "what is it", "Is it?")
    groups = group_questions(its)
    assert sorted(len(g.question_ids) for g in groups) == [1, 2]
    assert group_questions([]) == []


def test_five_thousand_questions_group_in_one_go() -> None:
    titles = [
        "Two Sum",
        "Merge Intervals",
        "LRU Cache",
        "Number of Islands",
        "Word Break",
        "Trapping Rain Water",
        "Reverse a linked list",
        "Explain normalization in DBMS",
        "Tell me about yourself",
        "Design a URL shortener",
        "Kth Largest Element in an Array",
        "Serialize and Deserialize Binary Tree",
        "Course Schedule",
    ]
    titles += [f"Design problem number {i} about widgets and gadgets" for i in range(1500)]
    rnd = random.Random(3)
    prefix = ["", "Explain ", "Write a program to ", "Q: ", "Solve "]
    its = [
        FaqItem(i, rnd.choice(prefix) + rnd.choice(titles) + rnd.choice(["", "?", "."]), "Technical", i // 3)
        for i in range(5000)
    ]
    groups = group_questions(its)
    assert sum(len(g.question_ids) for g in groups) == 5000
    assert groups[0].count >= groups[-1].count
    assert len(groups) <= len(titles)
