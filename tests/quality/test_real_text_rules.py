"""The faults found on real posts (issue 11), each with the input that showed it and the right value."""

from __future__ import annotations

from core.analytics import text as T
from core.analytics.faq import FaqItem, group_questions, signature
from core.analytics.sections import ADVICE, OTHER, PREPARATION, PROCESS, process_text, split_sections
from core.analytics.topics import ALL_TOPICS, DSA, DSA_KEYWORDS

POST = """Asha Rao, studying in IIT Kanpur as a BT student in CSE will do her summer internship in SDE
profile at Acme. Here are some brief insights of hers.

## Shortlisted Profiles & Companies:
Google, Goldman Sachs, Quadeye

## Insights on the Selection Process
Round 1 was an online test with two graph questions. Round 2: they asked me to explain deadlock.
GS: Trees, stacks, recursion.
I practised dynamic programming from GFG.

## Preparation Resources
LeetCode for SQL and DBMS, Brainstellar for puzzles.

## Advice for students (dos and don'ts)?
Revise OOPs and computer networks. Don't lose hope.
"""


def topics_of(narrative: str, reflections: str = "") -> set[str]:
    return set(T.analyse_experience(T.ExperienceText(preparation=narrative, reflections=reflections)).topics)


def test_write_up_is_split_into_process_preparation_advice_and_other() -> None:
    kinds = [s.kind for s in split_sections(POST)]
    assert kinds == [OTHER, OTHER, PROCESS, PREPARATION, ADVICE]


def test_topics_come_from_the_process_only() -> None:
    topics = topics_of(POST, "Revise OOPs and computer networks. Don't lose hope.")
    assert {"Trees & graphs", "OS", DSA} <= topics
    # Preparation, advice, a prep sentence and another company's ("GS: ...") process are not asked.
    assert not topics & {"SQL", "DBMS", "Puzzles", "OOP", "Networks", "Dynamic programming"}
    assert not topics & {"Stacks & queues", "Recursion & backtracking"}


def test_companies_heading_and_joining_are_not_topics() -> None:
    assert "HR" not in topics_of("## Shortlisted Profiles & Companies\nGoogle, Microsoft\n## Insights\nOA")
    assert "SQL" not in topics_of("I will be joining Acme as an analyst after the interview rounds.")
    assert "SQL" in topics_of("They asked me to write SQL joins with GROUP BY.")


def test_product_manager_interview_is_not_math() -> None:
    q = "Based on the product, what features would you build as a product manager?"
    assert T.primary_topic(q) == "Product management"
    assert "Math & bits" not in T.tag_topics(q, question=True)


def test_unheaded_story_still_tags_what_was_asked() -> None:
    assert {"OS", "DBMS"} <= topics_of("The interviewer asked about deadlock and normalisation in DBMS.")


def test_taxonomy_has_every_label_name() -> None:
    names = """DSA, Linked lists, Trees & graphs, Dynamic programming, Stacks & queues, Heaps, Hashing,
    Sorting & searching, Recursion & backtracking, Greedy, Math & bits, Arrays & strings, DBMS, SQL, OS,
    Networks, OOP, System design, Puzzles, Projects, HR, Aptitude, Machine learning, Web, Java, Python,
    C/C++, Cloud, Guesstimates & case studies, Finance & economics, Product management, Core engineering"""
    assert {n.strip() for n in names.split(",")} == set(ALL_TOPICS)
    assert all(len(t) <= 40 for t in ALL_TOPICS)


def test_dsa_is_set_with_any_subtopic() -> None:
    for topic in DSA_KEYWORDS:
        tags = T.tag_topics("They asked " + topic.split(" & ")[0].lower())
        if topic in tags:
            assert DSA in tags


def test_new_topics_are_found() -> None:
    assert "Guesstimates & case studies" in topics_of("Round 2 was a guesstimate and two case rounds.")
    assert "Finance & economics" in topics_of("The test had questions on basic finance.")
    assert "Core engineering" in topics_of("They asked questions on VLSI and Verilog.")


def groups(*texts: str) -> list[list[str]]:
    items = [FaqItem(i, t, experience_id=i) for i, t in enumerate(texts)]
    return [[texts[q] for q in g.question_ids] for g in group_questions(items)]


def test_order_words_keep_stack_and_queue_questions_apart() -> None:
    assert len(groups("Implement stack using queues", "Implement queue using stacks")) == 2
    assert len(groups("Implement a queue using two stacks", "Implement queue using stacks")) == 1


def test_oops_wordings_fold_together() -> None:
    g = groups(
        "Oops concepts", "Concepts OOPs", "Can you list down OOPS principles?", "Object oriented programming"
    )
    assert len(g) == 1


def test_project_questions_group_but_why_stays_apart() -> None:
    g = groups(
        "The interviewer discussed the projects that I had mentioned in my resume",
        "Describe your project.",
        "Mostly was based on projects mentioned in CV",
        "Why this project?",
    )
    assert sorted(len(x) for x in g) == [1, 3]
    assert signature("Why this project?") != signature("Describe your project.")


def test_neutral_interview_words_are_not_negative() -> None:
    for t in (
        "The problem was tricky and I got stuck on the edge case.",
        "It was a hard DP problem, then a mock-style discussion.",
        "The questions were difficult.",
    ):
        assert T.sentiment(t) > -0.05, t
    assert T.sentiment("Don't lose hope, it will be worth it.") > 0.05
    assert T.sentiment("I struggled and felt miserable after the rejection.") < -0.05
    assert T.sentiment("Be confident. Don't bluff in your resume.") == 0.0  # instructions only


def test_keywords_drop_markdown_urls_code_and_fold_inflections() -> None:
    texts = [
        "## Preparation Resources\n**Numbers** and a number: see [LeetCode](https://leetcode.com/x) `x = y`",
        "Counting numbers again; id m6adyutsu3ebds99 and https://docs.google.com/abc",
    ]
    kws = dict(T.keywords(texts, 20))
    assert kws.get("numbers") == 3 and "number" not in kws
    assert not {"preparation", "resources", "https", "com", "m6adyutsu3ebds99", "x", "y"} & set(kws)
    counts = T.word_counts([("number of numbers", 2), ("Numbers!", 1)])
    assert counts == {"numbers": 3}


def test_process_text_drops_denied_and_hypothetical_asks() -> None:
    t = process_text("They don't ask anything from resume.\nProjects may be asked.\nThey asked about OS.")
    assert t == "They asked about OS."


def test_the_subject_of_a_students_own_project_is_not_an_asked_topic() -> None:
    # Rakuten Mobile, 2023: the interview asked about the student's ML projects, not machine learning.
    rakuten = (
        "## Insights on the Selection Process\nQuestions were based on my resume.ML projects, "
        "implementations in new generation.Basic Coding questions.\n"
    )
    assert topics_of(rakuten) == {"Projects", DSA}
    assert T.tag_topics("They asked about my web development project") == ["Projects"]
    assert T.tag_topics("I did ML projects and web projects") == ["Projects"]
    # Only the word right before "project(s)" is its subject: what was asked besides still counts.
    assert set(T.tag_topics("ML questions, then my final year project")) == {"Machine learning", "Projects"}
    assert T.tag_topics("Machine learning was asked") == ["Machine learning"]
