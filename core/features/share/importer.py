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

Real archives are read too (fields a post lacks are stored empty or NULL, never invented):
  .jsonl          one post a line in the labelled-archive format (tests/data/real-experiences/README.md):
                  `text` -> preparation (the narrative), `tips` -> reflections, `company` (+
                  `company_aliases` as aliases), `role`, `season_year` -> interview year, `outcome`,
                  `rounds` [{kind, label, questions}] (questions without rounds go in one "other" round),
                  `name` when the post names its author (else the experience is anonymous). A line that
                  is not JSON is rejected with its line number.
  a folder        one markdown or text write-up per file (.md, .mdx, .markdown, .txt): each is read by
                  core.analytics.extract.extract_draft and stored pending (or rejected with the reason,
                  e.g. no company or year found; a year in the file name, as placement offices name
                  their posts, counts when the text has none); the report counts what was extracted
                  per field.
Imports have their own size limits (core.domain.experience.IMPORT_LIMITS: a 20,000-character post, a
2,000-character question); the chat dialog keeps config.yaml `dialog.max_text_chars`.

A row is the same experience as an earlier import when company, roll number and the content hash of its
preparation, reflections and questions match: re-importing a file adds nothing twice.
"""

from __future__ import annotations

import csv
import io
import json
import logging
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any, Protocol

from core.analytics.extract import CompanyName as ExtractCompany
from core.analytics.extract import Draft, extract_draft
from core.config import Config
from core.domain import experience
from core.domain.experience import IMPORT_LIMITS, OUTCOMES, ROUND_KINDS, SOURCES, ImportLimits, Invalid
from core.domain.experience import content_hash as experience_hash
from core.text_norm import collapse_spaces, normalise_name

logger = logging.getLogger(__name__)

REQUIRED: tuple[str, ...] = ("branch", "passout_year", "company", "interview_year", "role", "source")
REQUIRED += ("rounds", "preparation", "reflections", "outcome", "difficulty", "rating")
POST_REQUIRED: tuple[str, ...] = ("text", "company", "season_year")
WRITEUP_SUFFIXES = (".md", ".mdx", ".markdown", ".txt")
POST_ROUND_KINDS = (*(kind for kind, _ in ROUND_KINDS), "case_interview", "resume_shortlisting")
MAX_IMPORT_QUESTIONS = 200  # per experience: a sanity bound, far above any real post
TRUE_WORDS = {"yes", "y", "true", "1"}
FALSE_WORDS = {"no", "n", "false", "0", ""}


class ImportRepos(Protocol):
    """The repositories an import writes through (storage.repos.Repos)."""

    @property
    def companies(self) -> CompanyStore: ...

    @property
    def experiences(self) -> ImportedExperienceStore: ...


class KnownCompany(Protocol):
    """A stored company as `CompanyStore.all_names` lists it."""

    @property
    def id(self) -> int: ...

    @property
    def name(self) -> str: ...

    @property
    def aliases(self) -> tuple[str, ...]: ...


class CompanyStore(Protocol):
    """Companies by name, created when new."""

    async def get_or_create(self, name: str) -> int:
        """The company id for `name` (matched case- and suffix-insensitively), created if unknown."""
        ...

    async def all_names(self) -> Sequence[KnownCompany]:
        """Every company with its aliases (for write-up extraction and dry runs)."""
        ...

    async def add_alias(self, company_id: int, alias: str) -> None:
        """Record another name for a company (ignored when known)."""
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
        *,
        bump: bool = True,
        dry_run: bool = False,
    ) -> int | None:
        """Store one experience with its rounds and questions in one transaction; None if it is a duplicate
        (same company, roll number and content hash). `bump=False` leaves the company's data_version to
        the caller (a bulk import bumps each company once at the end); `dry_run` stores nothing and
        returns 0 for a row that would be new."""
        ...


class ImportFormatError(Exception):
    """The file as a whole cannot be read (not CSV/JSON, no header, wrong shape)."""


@dataclass(frozen=True)
class Rejected:
    """A row that was not imported: where it is (line, or the file of a write-up) and why."""

    line: int
    reason: str
    file: str = ""

    @property
    def where(self) -> str:
        """ "line 12" or the write-up's file name."""
        return self.file or f"line {self.line}"


EXTRACTED_FIELDS = ("company", "year", "outcome", "rounds", "questions")


@dataclass
class ImportReport:
    """What an import did; in a dry run `would_add` counts the rows that would be new (nothing stored)."""

    imported: list[int] = field(default_factory=list)
    approved: list[int] = field(default_factory=list)
    duplicates: list[int] = field(default_factory=list)  # line numbers of rows already in the database
    rejected: list[Rejected] = field(default_factory=list)
    would_add: int = 0
    approved_companies: list[int] = field(default_factory=list)  # each once, in first-approved order
    files: int = 0  # write-ups read (folder imports)
    extracted: dict[str, int] = field(default_factory=dict)  # write-ups per field found (EXTRACTED_FIELDS)

    @property
    def added(self) -> int:
        """Rows stored (or, in a dry run, that would be)."""
        return self.would_add or len(self.imported)


@dataclass(frozen=True)
class Candidate:
    """A validated row, ready to store (`aliases`: other names of its company, from an archive)."""

    company: str
    fields: dict[str, Any]
    rounds: list[dict[str, Any]]
    status: str | None
    aliases: tuple[str, ...] = ()


# ---------------------------------------------------------------------- reading


def read_records(path: Path) -> list[tuple[int, dict[str, Any]]]:
    """(line number, record) pairs from a .csv or .json file."""
    try:
        text = path.read_text(encoding="utf-8-sig")
    except OSError as exc:
        raise ImportFormatError(f"cannot read {path}: {exc.strerror}") from None
    except UnicodeDecodeError:
        raise ImportFormatError(f"{path} is not UTF-8 text") from None
    if path.suffix.lower() == ".jsonl":
        return jsonl_records(text)
    if path.suffix.lower() == ".json" or text.lstrip()[:1] in ("[", "{"):
        return json_records(text)
    return csv_records(text)


def jsonl_records(text: str) -> list[tuple[int, dict[str, Any]]]:
    """One JSON object a line (blank lines skipped); a line that is not one becomes an `_error` record, so
    it is reported with its line number while the other lines still import."""
    records: list[tuple[int, dict[str, Any]]] = []
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        try:
            item = json.loads(line)
        except json.JSONDecodeError as exc:
            records.append((number, {"_error": f"not valid JSON ({exc.msg}, column {exc.colno})"}))
            continue
        records.append((number, item if isinstance(item, dict) else {"_error": "not a JSON object"}))
    return records


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
    if record.get("_error"):
        raise Invalid(str(record["_error"]))
    if "text" in record and "preparation" not in record:
        return validate_post(record, this_year)
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


# ---------------------------------------------------------------------- archive posts


def _post_text(record: dict[str, Any], key: str, limits: ImportLimits) -> str:
    text = _text(record, key).replace("\r\n", "\n").strip()
    if len(text) > limits.max_text_chars:
        raise Invalid(f"{key} is longer than {limits.max_text_chars:,} characters ({len(text):,})")
    return text


def _post_questions(value: Any, where: str, limits: ImportLimits) -> list[str]:
    if value in (None, ""):
        return []
    if not isinstance(value, list) or not all(isinstance(q, str) for q in value):
        raise Invalid(f"{where}: questions must be a list of texts")
    questions = [collapse_spaces(q) for q in value if q.strip()]
    for q in questions:
        if len(q) > limits.max_question_chars:
            raise Invalid(f"{where}: a question is longer than {limits.max_question_chars:,} characters")
    return questions


def post_rounds(record: dict[str, Any], limits: ImportLimits = IMPORT_LIMITS) -> list[dict[str, Any]]:
    """Rounds of an archive post in order, with their kinds and verbatim questions; no difficulty or
    duration (posts do not say). Questions listed without rounds go in one round of kind "other"."""
    raw = record.get("rounds") or []
    if not isinstance(raw, list):
        raise Invalid("rounds must be a list of {kind, label, questions}")
    rounds: list[dict[str, Any]] = []
    for number, item in enumerate(raw, start=1):
        if not isinstance(item, dict):
            raise Invalid(f"round {number} must be an object with kind, label and questions")
        kind = str(item.get("kind") or "other").strip().lower()
        if kind not in POST_ROUND_KINDS:
            raise Invalid(f"round {number}: kind must be one of {', '.join(POST_ROUND_KINDS)}, not {kind!r}")
        questions = _post_questions(item.get("questions"), f"round {number}", limits)
        rounds.append({"kind": kind, "difficulty": None, "duration_minutes": None, "questions": questions})
    if not rounds:
        questions = _post_questions(record.get("questions"), "questions", limits)
        if questions:
            rounds.append(
                {"kind": "other", "difficulty": None, "duration_minutes": None, "questions": questions}
            )
    if sum(len(r["questions"]) for r in rounds) > MAX_IMPORT_QUESTIONS:
        raise Invalid(f"at most {MAX_IMPORT_QUESTIONS} questions per experience")
    return rounds


def validate_post(record: dict[str, Any], this_year: int, limits: ImportLimits = IMPORT_LIMITS) -> Candidate:
    """Check one archive post (keys lower-cased) and map it to stored fields; raise Invalid if unusable.

    Nothing the post lacks is invented: branch and source are stored empty, passout year, difficulty and
    rating as NULL, roll number and LinkedIn as NULL; without `name` the experience is anonymous.
    """
    missing = [key for key in POST_REQUIRED if record.get(key) in (None, "", [])]
    if missing:
        raise Invalid("missing " + ", ".join(missing))
    company = collapse_spaces(_text(record, "company"))
    if not company or len(company) > 120 or not normalise_name(company):
        raise Invalid("company must be 1 to 120 characters with a letter or digit")
    year = _int(record, "season_year", 1990, this_year)
    text = _post_text(record, "text", limits)
    if len(text) < experience.MIN_NARRATIVE:
        raise Invalid(f"text must be at least {experience.MIN_NARRATIVE} characters")
    name = experience.validate_name(_text(record, "name")) if _text(record, "name").strip() else None
    role = collapse_spaces(_text(record, "role"))[:80]
    outcome_raw = _text(record, "outcome").strip()
    outcome = _choice(record, "outcome", OUTCOMES) if outcome_raw else ""
    aliases = record.get("company_aliases") or []
    if not isinstance(aliases, list) or not all(isinstance(a, str) for a in aliases):
        raise Invalid("company_aliases must be a list of names")
    fields = {
        "author_name": name or "",
        "linkedin_url": None,
        "branch": "",
        "roll_number": None,
        "passout_year": None,
        "interview_year": year,
        "role": role,
        "role_description": "",
        "source": "",
        "preparation": text,
        "reflections": _post_text(record, "tips", limits),
        "outcome": outcome,
        "difficulty": None,
        "rating": None,
        "anonymous": name is None,
    }
    aliases_kept = tuple(a for a in (collapse_spaces(a) for a in aliases) if a and normalise_name(a))
    return Candidate(company, fields, post_rounds(record, limits), None, aliases_kept)


# ---------------------------------------------------------------------- write-ups


def writeup_files(folder: Path) -> list[Path]:
    """The write-ups of a folder (markdown or text files, not recursive), in name order."""
    return sorted(p for p in folder.iterdir() if p.is_file() and p.suffix.lower() in WRITEUP_SUFFIXES)


_FILE_YEAR = re.compile(r"(?<!\d)(20\d\d)(?!\d)")


def year_in_name(name: str, this_year: int) -> int | None:
    """A season year in a write-up's file name ("2022-intern-rubrik.md" -> 2022), not after `this_year`.

    Placement offices name their posts by season; the text itself often never says the year.
    """
    years = [int(y) for y in _FILE_YEAR.findall(name) if int(y) <= this_year]
    return years[0] if years else None


def draft_candidate(
    draft: Draft,
    text: str,
    this_year: int,
    file_year: int | None = None,
    limits: ImportLimits = IMPORT_LIMITS,
) -> Candidate:
    """A write-up's extracted draft as a pending experience; Invalid names what could not be found.

    The interview year is the draft's, else `file_year` (from the file name)."""
    if not draft.company:
        raise Invalid("no company found in the write-up")
    year = draft.interview_year if draft.interview_year is not None else file_year
    if year is None or year > this_year:
        raise Invalid("no interview year found in the write-up or its file name")
    record = {"text": text, "tips": draft.tips, "company": draft.company, "season_year": year}
    record["role"] = draft.role or ""
    record["outcome"] = draft.outcome or ""
    record["rounds"] = [{"kind": r.kind, "questions": list(r.questions)} for r in draft.rounds]
    record["questions"] = list(draft.questions)
    candidate = validate_post(record, this_year, limits)
    if draft.difficulty is not None:
        candidate.fields["difficulty"] = draft.difficulty
    if draft.source:
        candidate.fields["source"] = draft.source
    for spec, found in zip(candidate.rounds, draft.rounds, strict=False):
        spec["duration_minutes"] = found.duration_minutes
    return candidate


def _count_extracted(report: ImportReport, draft: Draft, file_year: int | None) -> None:
    found = {
        "company": bool(draft.company),
        "year": draft.interview_year is not None or file_year is not None,
        "outcome": draft.outcome is not None,
        "rounds": bool(draft.rounds),
        "questions": bool(draft.questions),
    }
    for key in EXTRACTED_FIELDS:
        report.extracted[key] = report.extracted.get(key, 0) + int(found[key])


async def _writeup_candidates(
    repos: ImportRepos, folder: Path, report: ImportReport, this_year: int
) -> list[tuple[int, str, Candidate]]:
    """Extract every write-up of `folder`; unreadable or incomplete ones go to `report.rejected`."""
    known = [ExtractCompany(c.name, tuple(c.aliases)) for c in await repos.companies.all_names()]
    out: list[tuple[int, str, Candidate]] = []
    report.extracted = {key: 0 for key in EXTRACTED_FIELDS}
    for path in writeup_files(folder):
        report.files += 1
        try:
            text = path.read_text(encoding="utf-8-sig")
        except (OSError, UnicodeDecodeError):
            report.rejected.append(Rejected(0, "not readable UTF-8 text", path.name))
            continue
        draft = extract_draft(text, known, this_year=this_year)
        file_year = year_in_name(path.stem, this_year)
        _count_extracted(report, draft, file_year)
        try:
            out.append((0, path.name, draft_candidate(draft, text, this_year, file_year)))
        except Invalid as problem:
            report.rejected.append(Rejected(0, str(problem), path.name))
    return out


# ---------------------------------------------------------------------- storing


async def _known_company_ids(repos: ImportRepos) -> dict[str, int]:
    keys: dict[str, int] = {}
    for company in await repos.companies.all_names():
        for key in (normalise_name(company.name), *company.aliases):
            keys.setdefault(key, company.id)
    return keys


async def import_experiences(
    repos: ImportRepos, config: Config, path: Path, *, approve: bool, now: datetime, dry_run: bool = False
) -> ImportReport:
    """Validate every row (or write-up of a folder), store the new ones (approved or pending), report
    duplicates and rejects.

    Approved rows do not bump their company's data_version one by one: the caller analyses them and
    bumps/redraws each company in `report.approved_companies` once (see main.py run_import). A dry run
    stores nothing and counts in `would_add` the rows that would be new (also against earlier rows of
    the same file).
    """
    report = ImportReport()
    rows: list[tuple[int, str, Candidate]] = []
    if path.is_dir():
        rows = await _writeup_candidates(repos, path, report, now.year)
    else:
        for line, record in read_records(path):
            try:
                rows.append((line, "", validate_record(record, config, now.year)))
            except Invalid as problem:
                report.rejected.append(Rejected(line, str(problem)))
    known = await _known_company_ids(repos) if dry_run else {}
    seen: set[tuple[str, str | None, str]] = set()
    for line, _file, candidate in rows:
        status = candidate.status or ("approved" if approve else "pending")
        if dry_run:
            key = normalise_name(candidate.company)
            questions = [q for spec in candidate.rounds for q in spec["questions"]]
            digest = experience_hash(
                [candidate.fields["preparation"], candidate.fields["reflections"], *questions]
            )
            marker = (key, candidate.fields["roll_number"], digest)
            company_id = known.get(key)
            duplicate = marker in seen or (
                company_id is not None
                and await repos.experiences.store_imported(
                    company_id, candidate.fields, candidate.rounds, status, now, dry_run=True
                )
                is None
            )
            seen.add(marker)
            if duplicate:
                report.duplicates.append(line)
            else:
                report.would_add += 1
            continue
        company_id = await repos.companies.get_or_create(candidate.company)
        for alias in candidate.aliases:
            await repos.companies.add_alias(company_id, alias)
        experience_id = await repos.experiences.store_imported(
            company_id, candidate.fields, candidate.rounds, status, now, bump=False
        )
        if experience_id is None:
            report.duplicates.append(line)
            continue
        report.imported.append(experience_id)
        if status == "approved":
            report.approved.append(experience_id)
            if company_id not in report.approved_companies:
                report.approved_companies.append(company_id)
    logger.info(
        "import of %s: %d new, %d duplicates, %d rejected%s",
        path.name,
        report.added,
        len(report.duplicates),
        len(report.rejected),
        " (dry run)" if dry_run else "",
    )
    return report
