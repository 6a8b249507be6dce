"""Mock prompts are answerable out loud: coding puzzles become "explain your approach to ..."."""

from __future__ import annotations

import pytest

from core.features.mock.prompts import is_coding_puzzle, spoken_prompt


@pytest.mark.parametrize(
    ("asked", "title"),
    [
        ("Simplify Path (LeetCode Medium)", "Simplify Path"),
        ("Disjoint Set Union(Medium)", "Disjoint Set Union"),
        ("Given an array of integers, return the indices of two numbers adding up to a target", None),
        ("Reverse a linked list", "Reverse a linked list"),
        ("Write a program to check if a string is a palindrome", None),
    ],
)
def test_coding_puzzles_are_asked_as_an_approach_to_explain(asked: str, title: str | None) -> None:
    prompt = spoken_prompt(asked)
    assert is_coding_puzzle(asked)
    assert prompt.startswith("Explain your approach to: ")
    assert "LeetCode" not in prompt and "(Medium)" not in prompt
    assert "complexity" in prompt and "no code needed" in prompt
    if title is not None:
        assert prompt.startswith(f"Explain your approach to: {title}. ")


@pytest.mark.parametrize(
    "asked",
    [
        "Tell me about yourself in under two minutes.",
        "Why do you want to join this company?",
        "Explain the difference between a process and a thread, with an example.",
        "What is normalization in DBMS?",
        "Explain how a hash map works and what happens on a collision.",
        "Describe a project you are proud of.",
    ],
)
def test_spoken_questions_are_asked_as_they_were(asked: str) -> None:
    assert not is_coding_puzzle(asked)
    assert spoken_prompt(asked) == asked
