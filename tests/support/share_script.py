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
