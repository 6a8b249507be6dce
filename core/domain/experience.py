"""The rules of a valid interview experience, shared by the sharing dialog and the importer.

Each validator takes the raw text (and the settings it needs) and returns the stored value or
raises `Invalid` whose message tells a student what is expected. The dialog adds where to fix it
("edit field 7"); the importer prefixes the column name.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass

from core.config import SubmissionConfig
from core.text_norm import collapse_spaces


class Invalid(Exception):
    """A value that does not fit; the message tells the person what is expected."""


SOURCES = [
    ("on_campus", "On-campus"),
    ("off_campus", "Off-campus"),
    ("referral", "Referral"),
    ("internship_conversion", "Internship conversion"),
    ("other", "Other"),
]
OUTCOMES = [
    ("selected", "Selected"),
    ("rejected", "Rejected"),
    ("pending", "Result pending"),
    ("withdrew", "Withdrew"),
]
ROUND_KINDS = [
    ("online_assessment", "Online assessment"),
    ("coding", "Coding"),
    ("technical", "Technical"),
    ("managerial", "Managerial"),
    ("hr", "HR"),
    ("group_discussion", "Group discussion"),
    ("other", "Other"),
]
MIN_NARRATIVE = 20
# Roll-number formats used by Indian colleges (anchor with fullmatch or \b...\b):
#   19K41A0512 (JNTU), 1MS19CS001 (VTU USN), 21CSE1234, 2021UCS1234, RA2011003010123 (SRM),
#   2K19/CO/123 (DTU), 210022 / 22094061 (IIT-style digits: two year digits then 4-7 more).
ROLL_ALNUM = (
    r"\d{2}[A-Z0-9]{3}[A-Z][A-Z0-9]{4}"
    r"|\d[A-Z]{2}\d{2}[A-Z]{2}\d{3}"
    r"|(?:19|20)?\d{2}[A-Z]{2,5}\d{3,5}"
    r"|[A-Z]{2,3}\d{10,13}"
    r"|2K\d{2}/[A-Z]{2,4}/\d{2,4}"
)
ROLL_DIGITS = r"(?:1[5-9]|2\d)\d{4}(?:\d{2})?"
DEFAULT_ROLL_PATTERN = re.compile(rf"(?:{ROLL_ALNUM}|{ROLL_DIGITS})")
DEFAULT_ROLL_EXAMPLES = "21CSE1234, 19K41A0512, 2021UCS1234, 210022 or RA2011003010123"
LINKEDIN = re.compile(
    r"^(?:https?://)?(?:[a-z]{2,3}\.)?linkedin\.com/in/([A-Za-z0-9\-_%.]{3,100})/?(?:[?#].*)?$", re.IGNORECASE
)


def validate_name(raw: str) -> str:
    """1-80 characters with at least one letter."""
    name = collapse_spaces(raw)
    if not 1 <= len(name) <= 80 or not re.search(r"[^\W\d_]", name):
        raise Invalid("Please type your name: 1 to 80 characters, with at least one letter.")
    return name


def validate_linkedin(raw: str) -> str:
    """A linkedin.com/in/... profile URL, stored in one canonical form."""
    match = LINKEDIN.match(raw.strip())
    if not match:
        raise Invalid(
            "That doesn't look like a LinkedIn profile link. It should look like "
            "https://www.linkedin.com/in/your-name — or press Skip."
        )
    return f"https://www.linkedin.com/in/{match.group(1)}"


def validate_roll(raw: str, config: SubmissionConfig) -> str:
    """The college roll number (kept private), upper-cased, no spaces: in the college's own
    `submission.roll_number_pattern` when config.yaml sets one, else in one of the formats Indian
    colleges use (DEFAULT_ROLL_PATTERN)."""
    roll = re.sub(r"\s+", "", raw).upper()
    pattern = config.roll_number_pattern
    ok = re.fullmatch(pattern, roll) if pattern else DEFAULT_ROLL_PATTERN.fullmatch(roll)
    if not ok:
        example = config.roll_number_example or DEFAULT_ROLL_EXAMPLES
        raise Invalid(
            f"Roll numbers look like {example}. Please check yours and type it again "
            "(it is only used to verify you and is never shown publicly)."
        )
    return roll


def validate_role(raw: str) -> str:
    """2-80 characters, e.g. SDE or GET."""
    role = collapse_spaces(raw)
    if not 2 <= len(role) <= 80:
        raise Invalid("Please type the role in 2 to 80 characters, for example SDE, GET or Analyst.")
    return role


@dataclass(frozen=True)
class ImportLimits:
    """Size limits of imported experiences (archives, placement-office write-ups), in characters.

    Real posts run long (the labelled IIT Kanpur set reaches about 6,000 characters, write-ups with their
    question lists more), so imports have their own limits; the chat dialog keeps config.yaml
    `dialog.max_text_chars` (3,000) because a message is typed, not pasted from an archive.
    """

    max_text_chars: int = 20_000
    max_question_chars: int = 2_000


IMPORT_LIMITS = ImportLimits()


def validate_narrative(raw: str, max_chars: int | None = None) -> str:
    """Free text of at least a sentence (and at most `max_chars` characters when given)."""
    text = raw.strip()
    if max_chars is not None and len(text) > max_chars:
        raise Invalid(f"Please keep it under {max_chars:,} characters (it has {len(text):,}).")
    if len(text) < MIN_NARRATIVE:
        raise Invalid(
            f"Please write at least a sentence ({MIN_NARRATIVE}+ characters): juniors learn from details."
        )
    return text


def check_years(passout: int, interview: int, this_year: int, config: SubmissionConfig) -> None:
    """The interview happened by now and at most `interview_years_after_passout` after passing out."""
    if interview > this_year:
        raise Invalid(f"The interview year {interview} is in the future")
    after = config.interview_years_after_passout
    if interview > passout + after:
        raise Invalid(
            f"The interview year {interview} is more than {after} years after the passout year {passout}"
        )


def content_hash(parts: list[str]) -> str:
    """A fingerprint of an experience's text (case and spacing folded), so exact resubmissions are caught."""
    text = " ".join(" ".join(part.lower().split()) for part in parts)
    return hashlib.sha256(text.encode()).hexdigest()
