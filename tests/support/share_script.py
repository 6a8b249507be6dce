"""One platform-neutral write-up and what the bot must store from it, shared by the paste tests of
the console, Telegram and Discord adapters (tests/*/test_share_paste.py).

The write-up is invented for these tests (no real student); its contact details are fake and exist
to check that personal data is pointed out and masked.
"""

from __future__ import annotations

WRITEUP = """I am Ravi Kumar and I interviewed at TCS for the SDE role in 2025 through on-campus placements.

## Interview process
Round 1 - Online Assessment (90 minutes): two coding questions. They asked me to find the longest
substring without repeating characters, and to implement an LRU cache.

Round 2 - Technical Interview: What is normalization in DBMS? Explain the difference between a
process and a thread. They asked me about my final year project.

Round 3 - HR Interview: Why do you want to join TCS? Are you open to relocation?

I was selected! Difficulty: medium.

## Preparation
I solved around 200 LeetCode problems over three months and revised DBMS, OS and networking notes
from GeeksforGeeks. Mail me at ravi.kumar@example.com for my notes.

## Tips
Think aloud while coding and be honest about what you do not know. Read your resume twice.
"""

ABOUT = "Asha Rao, CSE, 21CSE1234, 2025"
COMPANY = "TCS"
ROLE = "SDE"
INTERVIEW_YEAR = 2025
OUTCOME = "selected"
SOURCE = "on_campus"
ROUND_KINDS = ["online_assessment", "technical", "hr"]
SOME_QUESTIONS = ["Explain the difference between a process and a thread.", "Are you open to relocation?"]
EMAIL = "ravi.kumar@example.com"  # personal data in WRITEUP: masked by "Mask and submit"
MAX_MESSAGES = 6  # /share, the write-up, about you, anonymity, rating, mask and submit


# ---------------------------------------------------------------------------------- step by step
# The 16-question sharing dialog as one platform-neutral script, played by the console, Telegram and
# Discord drivers (tests/support/drivers.py wraps each platform's harness). Each line is (verb,
# value): "command" sends /value, "type" types an answer (Discord: into the ✏️ modal), "pick" chooses
# the choice labelled value (a numbered choice, an inline-keyboard button, a Discord button).
STEP_NAME = "Asha Rao"
STEP_PREPARATION = "Solved 200 LeetCode problems & revised <DBMS> notes 📚"  # checks escaping everywhere
UP_TO_COMPANY: tuple[tuple[str, str], ...] = (
    ("command", "share"),
    ("type", STEP_NAME),
    ("type", "https://www.linkedin.com/in/asha-rao"),
    ("pick", "CSE"),
    ("type", "21cse1234"),
    ("pick", "2024"),
)
COMPANY = ("type", "tcs")  # the company question; answered separately (did-you-mean tests vary it)
AFTER_COMPANY: tuple[tuple[str, str], ...] = (
    ("pick", "2023"),
    ("pick", "SDE"),
    ("type", "Builds backend services in Java"),
    ("pick", "On-campus"),
    ("pick", "Online assessment"),
    ("type", "90"),
    ("type", "1. Two Sum\n2. Explain normalization in DBMS"),
    ("pick", "✅ Done with questions"),
    ("pick", "3"),
    ("pick", "HR"),
    ("type", "skip"),
    ("type", "Tell me about yourself"),
    ("pick", "✅ Done with questions"),
    ("pick", "1 easy"),
    ("pick", "✅ Done with rounds"),
    ("type", STEP_PREPARATION),
    ("type", "Think aloud; interviewers care about your approach more than the final code."),
    ("pick", "Selected"),
    ("pick", "3"),
    ("pick", "5 great"),
    ("pick", "No, show my name"),
)
STEP_BY_STEP: tuple[tuple[str, str], ...] = (*UP_TO_COMPANY, COMPANY, *AFTER_COMPANY)

# What a submitted step-by-step experience must store, whichever platform it came from.
STEP_EXPERIENCE = {
    "status": "pending",
    "author_name": STEP_NAME,
    "roll_number": "21CSE1234",
    "linkedin_url": "https://www.linkedin.com/in/asha-rao",
    "branch": "CSE",
    "passout_year": 2024,
    "interview_year": 2023,
    "role": "SDE",
    "source": "on_campus",
    "preparation": STEP_PREPARATION,
    "outcome": "selected",
    "difficulty": 3,
    "rating": 5,
    "anonymous": False,
}
STEP_ROUNDS = [("online_assessment", 90, 3), ("hr", None, 1)]  # (kind, minutes, difficulty) in order
STEP_QUESTIONS = ["Two Sum", "Explain normalization in DBMS", "Tell me about yourself"]
