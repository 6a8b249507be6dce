"""The built-in mock-interview prompts used when no senior has shared questions for a company/role."""

from __future__ import annotations

BANK: list[tuple[str, str]] = [
    ("behavioural", "Tell me about yourself in under two minutes."),
    (
        "behavioural",
        "Describe a project you are proud of: your role, one hard problem, and how you solved it.",
    ),
    ("behavioural", "Tell me about a time you disagreed with a teammate. What did you do?"),
    ("behavioural", "Describe a failure or a mistake and what you learned from it."),
    ("behavioural", "Why do you want to join this company, and why this role?"),
    ("behavioural", "Where do you see yourself in five years?"),
    ("behavioural", "Tell me about a time you had to learn something new quickly."),
    ("behavioural", "What is your greatest strength, and one weakness you are working on?"),
    ("technical", "Explain the difference between a process and a thread, with an example."),
    ("technical", "Explain normalisation in databases and why 3NF matters."),
    ("technical", "What happens when you type a URL into the browser and press Enter?"),
    ("technical", "Explain the four pillars of object-oriented programming with examples."),
    ("technical", "How would you design a URL shortener? Walk through the main components."),
    ("technical", "Explain how a hash map works and what happens on a collision."),
    ("technical", "What is a deadlock, and how can it be prevented?"),
    ("technical", "Explain the difference between TCP and UDP and when you would use each."),
    ("technical", "Walk me through how you would find the middle of a linked list in one pass."),
    ("technical", "Explain SQL joins: inner, left and full, with a small example."),
]
