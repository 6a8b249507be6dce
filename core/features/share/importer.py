"""Import experiences from CSV or JSON (e.g. an earlier web platform), validated like the sharing dialog.

Columns (CSV header or JSON keys; unknown ones are ignored, names are case-insensitive):
  name            author's name (optional: without it the experience is stored anonymous)
  linkedin        linkedin.com/in/... profile URL (optional)
  branch          one of submission.branches in config.yaml
  roll_number     in submission.roll_number_pattern (optional for rows without a name)
  passout_year    within submission.passout_years
  company         company name; unknown companies are created
  interview_year  not in the future, from passout_year-4 to passout_year+interview_years_after_passout
  role            2-80 characters
  role_description  optional
  source          on_campus, off_campus, referral, internship_conversion, other (or their labels)
  rounds          JSON list [{"kind", "difficulty", "duration_minutes", "questions": [...]}] or the compact
                  "kind:difficulty:q1|q2;kind:difficulty:q1" (kinds: online_assessment, coding, technical,
                  managerial, hr, group_discussion, other; difficulty 1-5)
  preparation, reflections  at least 20 characters each
  outcome         selected, rejected, pending, withdrew
  difficulty, rating        1-5
  anonymous       yes/no, true/false, 1/0 (default no; always yes without a name)
  status          approved or pending (optional; default from the --approve flag)

A row is the same experience as an earlier import when company, roll number and the content hash of its
preparation, reflections and questions match: re-importing a file adds nothing twice.
"""

from __future__ import annotations

import csv
import io
import json
import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any, Protocol

from core.config import Config
from core.domain import experience
from core.domain.experience import OUTCOMES, ROUND_KINDS, SOURCES, Invalid
from core.text_norm import collapse_spaces, normalise_name

logger = logging.getLogger(__name__)

REQUIRED: tuple[str, ...] = ("branch", "passout_year", "company", "interview_year", "role", "source")
REQUIRED += ("rounds", "preparation", "reflections", "outcome", "difficulty", "rating")
TRUE_WORDS = {"yes", "y", "true", "1"}
FALSE_WORDS = {"no", "n", "false", "0", ""}


class ImportRepos(Protocol):
    """The repositories an import writes through (storage.repos.Repos)."""

    @property
    def companies(self) -> CompanyStore: ...

    @property
    def experiences(self) -> ImportedExperienceStore: ...


class CompanyStore(Protocol):
    """Companies by name, created when new."""

    async def get_or_create(self, name: str) -> int:
        """The company id for `name` (matched case- and suffix-insensitively), created if unknown."""
        ...


class ImportedExperienceStore(Protocol):
    """Where validated imported experiences are stored."""

    async def store_imported(
        self,
        company_id: int,
        fields: dict[str, Any],
        rounds: list[dict[str, Any]],
        status: str,
        now: datetime,
    ) -> int | None:
        """Store one experience with its rounds and questions in one transaction; None if it is a duplicate
        (same company, roll number and content hash)."""
        ...


class ImportFormatError(Exception):
    """The file as a whole cannot be read (not CSV/JSON, no header, wrong shape)."""


@dataclass(frozen=True)
class Rejected:
    """A row that was not imported: where it is and why."""

    line: int
    reason: str


@dataclass
class ImportReport:
    """What an import did."""

    imported: list[int] = field(default_factory=list)
    approved: list[int] = field(default_factory=list)
    duplicates: list[int] = field(default_factory=list)  # line numbers of rows already in the database
    rejected: list[Rejected] = field(default_factory=list)


@dataclass(frozen=True)
class Candidate:
    """A validated row, ready to store."""

    company: str
    fields: dict[str, Any]
    rounds: list[dict[str, Any]]
    status: str | None


# ---------------------------------------------------------------------- reading


def read_records(path: Path) -> list[tuple[int, dict[str, Any]]]:
    """(line number, record) pairs from a .csv or .json file."""
    try:
        text = path.read_text(encoding="utf-8-sig")
    except OSError as exc:
        raise ImportFormatError(f"cannot read {path}: {exc.strerror}") from None
    except UnicodeDecodeError:
        raise ImportFormatError(f"{path} is not UTF-8 text") from None
    if path.suffix.lower() == ".json" or text.lstrip()[:1] in ("[", "{"):
        return json_records(text)
    return csv_records(text)


def csv_records(text: str) -> list[tuple[int, dict[str, Any]]]:
    """Rows of a CSV file with a header, each with the line it starts on."""
    reader = csv.DictReader(io.StringIO(text))
    if not reader.fieldnames:
        raise ImportFormatError("the CSV file is empty: the first line must name the columns")
    reader.fieldnames = [(name or "").strip().lower() for name in reader.fieldnames]
    if "company" not in reader.fieldnames:
        raise ImportFormatError("the CSV header has no 'company' column (see the column list in --help)")
    records = []
    start = reader.line_num + 1
    try:
        for row in reader:
            extra = row.pop(None, None)
            record: dict[str, Any] = dict(row)
            if extra:
                record["_extra"] = extra
            if any((value or "").strip() for value in row.values() if isinstance(value, str)):
                records.append((start, record))
            start = reader.line_num + 1
    except csv.Error as exc:
        raise ImportFormatError(f"line {reader.line_num}: unreadable CSV ({exc})") from None
    return records


def json_records(text: str) -> list[tuple[int, dict[str, Any]]]:
    """Records of a JSON list, or of the "experiences" list of an export, with their starting lines."""
    decoder = json.JSONDecoder()
    try:
        document = json.loads(text)
    except json.JSONDecodeError as exc:
        raise ImportFormatError(f"line {exc.lineno}: not valid JSON ({exc.msg})") from None
    if isinstance(document, dict):
        if not isinstance(document.get("experiences"), list):
            raise ImportFormatError('a JSON object must hold an "experiences" list')
        start = _find_key_array(text, decoder, "experiences")
        items = document["experiences"]
    elif isinstance(document, list):
        start = text.index("[")
        items = document
    else:
        raise ImportFormatError("the JSON file must be a list of experiences")
    lines = _element_lines(text, decoder, start, len(items))
    return [(line, item) for line, item in zip(lines, items, strict=True)]


def _skip_ws(text: str, index: int) -> int:
    while index < len(text) and text[index] in " \t\r\n":
        index += 1
    return index


def _find_key_array(text: str, decoder: json.JSONDecoder, key: str) -> int:
    """Offset of the "[" that opens the value of `key` in the top-level object."""
    index = _skip_ws(text, text.index("{") + 1)
    while index < len(text) and text[index] != "}":
        name, index = decoder.raw_decode(text, index)
        index = _skip_ws(text, _skip_ws(text, index) + 1)  # past ':'
        if name == key:
            return index
        _, index = decoder.raw_decode(text, index)
        index = _skip_ws(text, index)
        if text[index] == ",":
            index = _skip_ws(text, index + 1)
    raise ImportFormatError(f'no "{key}" list found')


def _element_lines(text: str, decoder: json.JSONDecoder, start: int, count: int) -> list[int]:
    """The line each element of the array opening at `start` begins on."""
    lines, index = [], _skip_ws(text, start + 1)
    for _ in range(count):
        lines.append(text.count("\n", 0, index) + 1)
        _, index = decoder.raw_decode(text, index)
        index = _skip_ws(text, index)
        if index < len(text) and text[index] == ",":
            index = _skip_ws(text, index + 1)
    return lines


# ---------------------------------------------------------------------- validation


def _text(record: dict[str, Any], key: str) -> str:
    value = record.get(key)
    if value is None:
        return ""
    return value if isinstance(value, str) else str(value)


def _int(record: dict[str, Any], key: str, low: int, high: int) -> int:
    raw = _text(record, key).strip()
    try:
        value = int(raw)
    except ValueError:
        raise Invalid(f"{key} must be a whole number from {low} to {high}, not {raw!r}") from None
    if not low <= value <= high:
        raise Invalid(f"{key} must be from {low} to {high}, not {value}")
    return value


def _choice(record: dict[str, Any], key: str, pairs: list[tuple[str, str]]) -> str:
    raw = collapse_spaces(_text(record, key)).lower()
    for value, label in pairs:
        if raw in (value, label.lower(), value.replace("_", "-"), value.replace("_", " ")):
            return value
    allowed = ", ".join(value for value, _ in pairs)
    raise Invalid(f"{key} must be one of {allowed}, not {_text(record, key)!r}")


def _flag(record: dict[str, Any], key: str) -> bool:
    raw = _text(record, key).strip().lower()
    if raw in TRUE_WORDS:
        return True
    if raw in FALSE_WORDS:
        return False
    raise Invalid(f"{key} must be yes or no, not {_text(record, key)!r}")


def parse_rounds(value: Any, config: Config) -> list[dict[str, Any]]:
    """Rounds from a JSON list (or JSON text) or the compact "kind:difficulty:q1|q2;..." form."""
    if isinstance(value, str) and value.strip().startswith("["):
        try:
            value = json.loads(value)
        except json.JSONDecodeError as exc:
            raise Invalid(f"rounds is not valid JSON ({exc.msg})") from None
    if isinstance(value, str):
        value = [_compact_round(part) for part in value.split(";") if part.strip()]
    if not isinstance(value, list) or not value:
        raise Invalid("rounds must list at least one round")
    limits = config.submission
    if len(value) > limits.max_rounds:
        raise Invalid(f"at most {limits.max_rounds} rounds, not {len(value)}")
    kinds = [kind for kind, _ in ROUND_KINDS]
    rounds = []
    for number, item in enumerate(value, start=1):
        if not isinstance(item, dict):
            raise Invalid(f"round {number} must be an object with kind, difficulty and questions")
        kind = str(item.get("kind", "")).strip().lower()
        if kind not in kinds:
            raise Invalid(f"round {number}: kind must be one of {', '.join(kinds)}, not {item.get('kind')!r}")
        difficulty = _int({"difficulty": item.get("difficulty")}, "difficulty", 1, 5)
        duration = item.get("duration_minutes")
        if duration not in (None, ""):
            duration = _int({"duration_minutes": duration}, "duration_minutes", 1, 600)
        else:
            duration = None
        questions = item.get("questions") or []
        if not isinstance(questions, list) or not all(isinstance(q, str) for q in questions):
            raise Invalid(f"round {number}: questions must be a list of texts")
        questions = [collapse_spaces(q) for q in questions if q.strip()]
        if len(questions) > limits.max_questions_per_round:
            raise Invalid(f"round {number}: at most {limits.max_questions_per_round} questions")
        if any(len(q) > 1000 for q in questions):
            raise Invalid(f"round {number}: a question is longer than 1,000 characters")
        rounds.append(
            {"kind": kind, "difficulty": difficulty, "duration_minutes": duration, "questions": questions}
        )
    return rounds


def _compact_round(part: str) -> dict[str, Any]:
    kind, _, rest = part.strip().partition(":")
    difficulty, _, questions = rest.partition(":")
    return {
        "kind": kind,
        "difficulty": difficulty.strip(),
        "questions": [q for q in questions.split("|") if q.strip()],
    }


def validate_record(record: dict[str, Any], config: Config, this_year: int) -> Candidate:
    """Check one row with core.domain.experience's rules; raise Invalid naming the first problem."""
    if not isinstance(record, dict):
        raise Invalid("each experience must be an object of column: value")
    record = {str(k).strip().lower(): v for k, v in record.items()}
    if record.get("_extra"):
        raise Invalid("the row has more values than the header has columns")
    missing = [key for key in REQUIRED if record.get(key) in (None, "", [])]
    if missing:
        raise Invalid("missing " + ", ".join(missing))
    submission = config.submission

    def check(key: str, validator: Callable[[str], Any]) -> Any:
        try:
            return validator(_text(record, key))
        except Invalid as problem:
            raise Invalid(f"{key}: {problem}") from None

    name = check("name", experience.validate_name) if _text(record, "name").strip() else None
    linkedin = check("linkedin", experience.validate_linkedin) if _text(record, "linkedin").strip() else None
    roll = (
        check("roll_number", lambda raw: experience.validate_roll(raw, submission))
        if _text(record, "roll_number").strip()
        else None
    )
    if name is not None and roll is None:
        raise Invalid("roll_number is needed when a name is given (it is how moderators verify authors)")
    branches = {b.lower(): b for b in submission.branches}
    branch = branches.get(_text(record, "branch").strip().lower())
    if branch is None:
        raise Invalid(
            f"branch must be one of {', '.join(submission.branches)}, not {_text(record, 'branch')!r}"
        )
    years = submission.passout_years
    passout = _int(record, "passout_year", years.first, years.last)
    interview = _int(record, "interview_year", 1990, 2100)
    rounds = parse_rounds(record["rounds"], config)
    experience.check_years(passout, interview, this_year, submission)
    if not rounds:
        raise Invalid("Add at least one round")
    if interview < passout - 4:
        raise Invalid(f"interview_year {interview} is more than 4 years before passout_year {passout}")
    company = collapse_spaces(_text(record, "company"))
    if not company or len(company) > 120 or not normalise_name(company):
        raise Invalid("company must be 1 to 120 characters with a letter or digit")
    max_text = config.dialog.max_text_chars
    for key in ("preparation", "reflections", "role_description"):
        if len(_text(record, key)) > max_text:
            raise Invalid(f"{key} is longer than {max_text:,} characters")
    fields = {
        "author_name": name or "",
        "linkedin_url": linkedin,
        "branch": branch,
        "roll_number": roll,
        "passout_year": passout,
        "interview_year": interview,
        "role": check("role", experience.validate_role),
        "role_description": _text(record, "role_description").strip(),
        "source": _choice(record, "source", SOURCES),
        "preparation": check("preparation", experience.validate_narrative),
        "reflections": check("reflections", experience.validate_narrative),
        "outcome": _choice(record, "outcome", OUTCOMES),
        "difficulty": _int(record, "difficulty", 1, 5),
        "rating": _int(record, "rating", 1, 5),
        "anonymous": _flag(record, "anonymous") or name is None,
    }
    status = _text(record, "status").strip().lower() or None
    if status not in (None, "approved", "pending"):
        raise Invalid(f"status must be approved or pending, not {status!r}")
    return Candidate(company, fields, rounds, status)


# ---------------------------------------------------------------------- storing


async def import_experiences(
    repos: ImportRepos, config: Config, path: Path, *, approve: bool, now: datetime, dry_run: bool = False
) -> ImportReport:
    """Validate every row, store the new ones (approved or pending), report duplicates and rejects."""
    report = ImportReport()
    for line, record in read_records(path):
        try:
            candidate = validate_record(record, config, now.year)
        except Invalid as problem:
            report.rejected.append(Rejected(line, str(problem)))
            continue
        if dry_run:
            continue
        company_id = await repos.companies.get_or_create(candidate.company)
        status = candidate.status or ("approved" if approve else "pending")
        experience_id = await repos.experiences.store_imported(
            company_id, candidate.fields, candidate.rounds, status, now
        )
        if experience_id is None:
            report.duplicates.append(line)
            continue
        report.imported.append(experience_id)
        if status == "approved":
            report.approved.append(experience_id)
    logger.info(
        "import of %s: %d new, %d duplicates, %d rejected",
        path.name,
        len(report.imported),
        len(report.duplicates),
        len(report.rejected),
    )
    return report
