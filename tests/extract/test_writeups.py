"""The extractor on short write-ups a student would paste into the chat."""

from __future__ import annotations

import pytest

from core.analytics.extract import (
    DEFAULT_ROLL_PATTERN,
    CompanyName,
    extract_draft,
    looks_like_roll_number,
    mask_personal_data,
)

KNOWN = [
    CompanyName("Amazon"),
    CompanyName("JPMorgan Chase", ("JPMC", "J.P. Morgan")),
    CompanyName("Goldman Sachs", ("GS",)),
    CompanyName("Microsoft"),
]

WHATSAPP = """hi all, my name is Priya Raman, roll no 21CSE1234 (ph 98765 43210, priya.r@example.edu)
got selected at JPMC for SDE intern this year!! sharing my exp

Round 1 (45 mins): online test on hackerrank, 2 coding qs - find the longest palindromic substring, and
a graph question on shortest path
Round 2 - technical interview. They asked me to explain my project and then asked why is a hashmap O(1)?
Round 3: HR round, 20 mins. Why JPMC? Where do you see yourself in 5 years?

prep: leetcode medium, striver sheet
tip: be loud while thinking
"""


def test_whatsapp_style_writeup_fills_the_form():
    d = extract_draft(WHATSAPP, KNOWN, this_year=2026)
    assert d.company == "JPMorgan Chase" and d.company_known
    assert d.outcome == "selected"
    assert d.interview_year == 2026
    assert [r.kind for r in d.rounds] == ["online_assessment", "technical", "hr"]
    assert [r.duration_minutes for r in d.rounds] == [45, None, 20]
    qs = " | ".join(d.questions)
    assert "longest palindromic substring" in qs
    assert "why is a hashmap O(1)?" in qs
    assert "Where do you see yourself in 5 years?" in qs
    assert "company" not in d.missing and "questions" not in d.missing
    # "prep: ..." and "tip: ..." open their sections like a heading on its own line would
    assert (d.preparation, d.tips) == ("leetcode medium, striver sheet", "be loud while thinking")


def test_personal_data_is_found_and_masked():
    d = extract_draft(WHATSAPP, KNOWN, this_year=2026)
    kinds = {p.kind: p.value for p in d.personal_data}
    assert kinds["name"] == "Priya Raman"
    assert kinds["roll_number"] == "21CSE1234"
    assert kinds["email"] == "priya.r@example.edu"
    assert kinds["phone"].replace(" ", "") == "9876543210"
    masked = mask_personal_data(WHATSAPP, d.personal_data)
    for secret in ("Priya", "21CSE1234", "98765", "priya.r@example.edu"):
        assert secret not in masked
    assert "[name]" in masked and "[roll number]" in masked and "[phone]" in masked and "[e-mail]" in masked
    assert "longest palindromic substring" in masked  # the experience itself stays


def test_linkedin_and_bare_roll_number_next_to_a_name():
    text = "Name: Arjun Mehta (210022), linkedin.com/in/arjun-mehta-01. Interview at Amazon went well."
    d = extract_draft(text, KNOWN, this_year=2026)
    found = {(p.kind, p.value) for p in d.personal_data}
    assert ("roll_number", "210022") in found
    assert ("linkedin", "linkedin.com/in/arjun-mehta-01") in found
    assert "Arjun" not in mask_personal_data(text, d.personal_data)


def test_rejected_outcome_and_last_year():
    text = (
        "Interviewed with Goldman Sachs last year for the analyst role. Round 1: aptitude test. "
        "Round 2: technical interview on probability puzzles. Sadly I was rejected after the final round."
    )
    d = extract_draft(text, KNOWN, this_year=2026)
    assert d.company == "Goldman Sachs"
    assert d.outcome == "rejected"
    assert d.interview_year == 2025


def test_unknown_company_is_taken_as_written():
    text = "Summer Intern at Zeta Suite. There was an online test and then one technical round."
    d = extract_draft(text, KNOWN, this_year=2026)
    assert d.company == "Zeta Suite"
    assert not d.company_known


def test_no_company_is_reported_missing():
    text = "Two rounds. They asked me to reverse a linked list and explain deadlocks. Waiting for the result."
    d = extract_draft(text, KNOWN, this_year=2026)
    assert d.company is None
    assert "company" in d.missing and "interview_year" in d.missing
    assert d.outcome == "pending"
    assert any("reverse a linked list" in q for q in d.questions)


@pytest.mark.parametrize(
    "roll", ["19K41A0512", "21CSE1234", "210022", "2021UCS1234", "RA2011003010123", "22094061"]
)
def test_roll_number_formats(roll):
    assert looks_like_roll_number(roll)
    assert DEFAULT_ROLL_PATTERN.fullmatch(roll)


@pytest.mark.parametrize("not_roll", ["2023", "9876543210", "1234", "12LPA", "150000000", "LC1234", "hello"])
def test_not_roll_numbers(not_roll):
    assert not looks_like_roll_number(not_roll)


def test_numbers_in_a_writeup_are_not_taken_for_roll_numbers():
    text = (
        "Got the offer at Amazon in 2024 with 32 LPA (3200000 per year). Solved LeetCode 1235 and #2402. "
        "Call the office at 0512 2597000 if needed. The campus PIN is 208016."
    )
    d = extract_draft(text, KNOWN, this_year=2026)
    assert [p for p in d.personal_data if p.kind == "roll_number"] == []
    assert d.interview_year == 2024


COMPARING = """I will be joining Texas Instruments as a Digital Design Engineer. Here are my insights.

## Insights on the Selection Process
TI: Pointer arithmetic in C, swapping first four and last four bits, what is a pre processor.
GS: Trees, stacks, recursion

## Advice for students
TI: revise ESC101 basics. Knowing the company is always good.
"""


def test_a_line_labelled_with_the_targets_initials_is_its_questions_and_other_companies_are_not():
    d = extract_draft(
        COMPARING, [CompanyName("Texas Instruments"), CompanyName("Goldman Sachs", ("GS",))], this_year=2026
    )
    assert d.company == "Texas Instruments"
    assert d.questions == (
        "Pointer arithmetic in C, swapping first four and last four bits, what is a pre processor.",
    )


NARRATIVE = """Selected at Acme Corp.
Round 1 - Disjoint Set Union(Medium), DFS (Cycle Detection+ DP(Easy))
2nd round was a technical round where he asked about data types (int vs long).
In HR round we discussed my internships, and then they asked about my hobbies and passions.
Basic conceptual questions were asked in first round. The question was straightforward.
Questions were asked from that.
Online test - 60-90 min test with 3 questions on DSA.
(Questions related to the project in the resume)
"""


def test_asks_inside_narrative_are_cut_out_and_statements_about_them_are_not_questions():
    d = extract_draft(NARRATIVE, [], this_year=2026)
    assert d.questions == (
        "Disjoint Set Union(Medium)",
        "DFS (Cycle Detection+ DP(Easy))",
        "he asked about data types (int vs long).",
        "In HR round we discussed my internships",
        "they asked about my hobbies and passions.",
    )


def test_a_round_line_naming_its_stage_twice_gives_what_it_asked():
    """ "Round 3 - HR: tell me about yourself" names the round twice (number, then stage) before the ask:
    the ask is the question, not the stage name (it was dropped as "a stage name") nor the label."""
    text = (
        "I interviewed at TCS for the SDE role in 2025.\n"
        "Round 2 - Technical Interview: they asked me about OOPs and DBMS normalisation.\n"
        "Round 3 - HR: tell me about yourself, why TCS.\n"
    )
    rounds = extract_draft(text, [], this_year=2026).rounds
    assert [r.kind for r in rounds] == ["technical", "hr"]
    assert rounds[0].questions == ("they asked me about OOPs and DBMS normalisation.",)
    assert rounds[1].questions == ("tell me about yourself, why TCS.",)


@pytest.mark.parametrize(
    ("line", "questions"),
    [
        (
            "Round 1 - Online test: two coding questions, reverse a linked list and find the middle node.",
            ("reverse a linked list", "find the middle node"),
        ),
        (
            "Round 2: they asked me three questions: two sum, LRU cache and merge intervals.",
            ("two sum", "LRU cache", "merge intervals"),
        ),
        # the count and the list disagree, or "and" is ambiguous: kept whole rather than cut on a guess
        (
            "Round 2: they asked me three questions: two sum, LRU cache.",
            ("they asked me three questions: two sum, LRU cache.",),
        ),
        (
            "Interview 1: two questions were asked: reverse a string and check if a number is prime and odd",
            ("two questions were asked: reverse a string and check if a number is prime and odd",),
        ),
    ],
)
def test_a_counted_inline_list_becomes_one_question_per_ask(line, questions):
    [round_] = extract_draft(line, [], this_year=2026).rounds
    assert round_.questions == questions
