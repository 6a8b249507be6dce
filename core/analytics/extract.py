"""Turn a free-text interview write-up (what a student pastes in one message) into a draft experience.

`extract_draft(text, companies, this_year=...)` reads the write-up with plain rules (no model, no I/O, no
SQL) and returns a `Draft`: company, role, year, how the interview came, rounds with their kind and
questions, preparation, tips, outcome, difficulty, the personal data it saw (spans), and the names of
the fields it could not fill (`missing`), so the share dialog asks only for those.
`mask_personal_data(text, found)` replaces those spans with neutral placeholders before anything is
shown to other students.

How each field is found (rules, in order; the first that answers wins):
- sections: markdown headers ("## ...") and header-like lines ("Sample Interview Questions:") split the
  text; a section named like "shortlisted ... companies" lists OTHER companies and is ignored except
  for collecting their names; "prep..." feeds `preparation`, "advice/tips/dos" feeds `tips`; the rest is
  the process. A write-up with no headers is all process.
- company: the name after a target phrase ("internship ... at X", "joining X", "placed at X",
  "selected at/in X", "interview at/with X", "offer from X", "Summer Intern at X"), resolved against the
  known companies and their aliases; else the known company mentioned most outside the other-companies
  section. A name not in the list is kept as written, cut at the first role word, bracket or clause end
  and with legal suffixes (Pvt Ltd, Inc.) removed; then `company_known` is False.
- interview_year: a year 2000-2099 in a sentence about the interview (not about an exam, school or
  batch); else "this year"/"last year" relative to `this_year`; else the student's batch (Y'22, "batch of
  2022" or the leading year digits of a roll number) plus the programme's length (B.Tech/BS 4 years,
  dual degree/double major 5, M.Tech/M.Sc/MBA 2), minus one for an internship; a year after
  `this_year + 1` is discarded. Else None.
- outcome: "rejected"/"not selected"/"didn't make it" phrases about the writer -> rejected; "waiting
  for the result" -> pending; "selected", "got the offer", "will be joining", "will do ... internship",
  "placed at", "converted" -> selected. Else None.
- questions: links removed and hard-wrapped lines joined first. In a sample-questions section, and in
  a list opened by a line like "Some questions were -", every list item or sentence; elsewhere each
  sentence or clause that carries a question mark, a question cue ("asked (me) to/about", "questions
  on/about/from/based on", "given a ...", "to code/implement/design ...", "try to assess") or opens
  like a question ("what is", "how would", "explain"). Clauses are cut at "then", "; ", before "Round
  N"/"Interview N -", and where the interviewer becomes the subject (", they also asked", "where he
  asked"). The text after a stage label ("HR Interview: ...") and a line labelled with the target
  company or its initials ("TI: ...") are read as asks; a list tagged with difficulties ("(Medium)") is
  cut at its commas. Skipped: sentences about another named company, advice, statements that do not
  say what was asked ("questions were asked from that"), how hard it was ("the question was easy"),
  test formats ("15 ques – 20 min"), bracketed asides. Each is at most `MAX_QUESTION_CHARS` long.
- rounds: stage phrases in the process sections ("Round 1", "2nd round", "Interview 2", "Online
  Assessment", "Resume Shortlist", "GD", "HR round", "case interview", ...); a round's text runs to the
  next stage phrase. Its kind comes from the stage phrase, else from words in its text (HR words ->
  hr, case/guesstimate -> case_interview, manager -> managerial), else technical.
- personal data: e-mails, Indian phone numbers, LinkedIn URLs, roll numbers (`DEFAULT_ROLL_PATTERN`;
  bare digit roll numbers only next to a roll-number word, a found name or in the opening sentence),
  and names introduced as "Name X", "my name is X", "I am X", "Myself X", "X here", or a capitalised
  name opening the write-up before ", studying"/"(roll)"; every later occurrence of a found name (and
  of its first word, 3+ letters) is reported too.
"""

from __future__ import annotations

import logging
import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass

from core.domain.experience import DEFAULT_ROLL_PATTERN, ROLL_ALNUM, ROLL_DIGITS

logger = logging.getLogger(__name__)

ROUND_KINDS = (
    "online_assessment",
    "coding",
    "technical",
    "managerial",
    "hr",
    "group_discussion",
    "case_interview",
    "resume_shortlisting",
    "other",
)
SOURCES = ("campus", "off_campus", "referral", "internship_ppo")
OUTCOMES = ("selected", "rejected", "pending")
PERSONAL_KINDS = ("name", "roll_number", "email", "phone", "linkedin")
MAX_QUESTION_CHARS = 400
PLACEHOLDERS = {
    "name": "[name]",
    "roll_number": "[roll number]",
    "email": "[e-mail]",
    "phone": "[phone]",
    "linkedin": "[LinkedIn]",
}


@dataclass(frozen=True)
class CompanyName:
    """A company the bot knows: its display name and other spellings (e.g. "JPMC" for JPMorgan Chase)."""

    name: str
    aliases: tuple[str, ...] = ()


@dataclass(frozen=True)
class DraftRound:
    """One stage of the process: kind (one of ROUND_KINDS), label as written, minutes if said, questions."""

    kind: str
    label: str
    duration_minutes: int | None
    questions: tuple[str, ...]


@dataclass(frozen=True)
class PersonalData:
    """Personal data seen in the text: kind (one of PERSONAL_KINDS), the value and its [start, end) span."""

    kind: str
    value: str
    start: int
    end: int


@dataclass(frozen=True)
class Draft:
    """What the extractor could read from a write-up; `missing` names the fields it left empty."""

    company: str | None
    company_known: bool
    role: str | None
    interview_year: int | None
    source: str | None
    rounds: tuple[DraftRound, ...]
    questions: tuple[str, ...]
    preparation: str
    tips: str
    outcome: str | None
    difficulty: int | None
    personal_data: tuple[PersonalData, ...]
    missing: tuple[str, ...]


# ------------------------------------------------------------------ personal data

# Roll-number formats used by Indian colleges: one rule, in core.domain.experience.
_ROLL_ALNUM = ROLL_ALNUM
_ROLL_DIGITS = ROLL_DIGITS
_ALNUM_ROLL_RE = re.compile(rf"(?<![\w/])(?:{_ROLL_ALNUM})(?![\w/])")
_DIGIT_ROLL_RE = re.compile(
    rf"(?<![\w.,/₹$#-])(?:{_ROLL_DIGITS})(?![\w/]|[.,]\d|\s*(?:lpa|lakh|k\b|rs|inr|/-|ctc))", re.I
)
_NOT_ALNUM_ROLL = re.compile(r"^(?:\d{2,4}(?:LPA|CTC|INR|RS|K|PM|AM|MB|GB|KB|HZ|MHZ)\d*)$", re.I)


def looks_like_roll_number(s: str) -> bool:
    """True if `s` (stripped) has a college roll-number shape and is not a year, phone, salary or count.

    Accepts the formats of `DEFAULT_ROLL_PATTERN`; rejects 4-digit years, 10-digit phone numbers,
    and salary-like tokens ("12LPA"). Bare 6- or 8-digit numbers pass only if they start with a plausible
    admission year (15-29); the extractor additionally wants a roll-number context for those.
    """
    s = s.strip()
    if not s or not DEFAULT_ROLL_PATTERN.fullmatch(s):
        return False
    return not _NOT_ALNUM_ROLL.match(s)


_EMAIL_RE = re.compile(r"\b[\w.+-]+@[\w-]+(?:\.[\w-]+)+\b")
_PHONE_RE = re.compile(r"(?<![\w+])(?:\+91[\s-]?|0)?[6-9]\d{4}[\s-]?\d{5}(?!\d)")
_LINKEDIN_RE = re.compile(r"(?:https?://)?(?:[a-z]{2,3}\.)?linkedin\.com/(?:in|pub)/[\w%-]+/?", re.I)
_ROLL_CONTEXT = re.compile(r"roll\s*(?:no\.?|number|#)?\s*(?:is\s*)?[:.\-–]?\s*$", re.I)
_NAME_WORD = r"[A-Z][a-zA-Z'’]+|[A-Z]\.?"
_NAME = rf"(?:{_NAME_WORD})(?:[ \t]+(?:{_NAME_WORD}|[a-z][a-z]+(?=[ \t]*[,(]))){{0,3}}"
_NAME_INTRO = [
    re.compile(rf"\bName\s*[:\-–]?\s*(?P<n>{_NAME})", re.UNICODE),
    re.compile(rf"\b(?i:my name is|myself|i am|i'm|this is)\s+(?P<n>{_NAME})"),
    re.compile(rf"(?:^|[.!]\s+|\bHi,?\s+|\bHello,?\s+)(?P<n>{_NAME})\s+here\b"),
    re.compile(
        rf"^\s*(?P<n>(?:{_NAME_WORD}|[a-z]+)(?:[ \t]+(?:{_NAME_WORD}|[a-z]+)){{0,3}})\s*"
        r"(?:,\s*(?:studying|a\s|an\s|[A-Z]\.?\s?Tech|B\.?T|M\.?T|Y\d\d)|\(\s*\d)"
    ),
]
_NOT_NAME_WORDS = {
    "roll",
    "no",
    "number",
    "branch",
    "programme",
    "program",
    "dept",
    "department",
    "studying",
    "the",
    "student",
    "from",
    "in",
    "at",
    "iit",
    "btech",
    "mtech",
    "selected",
    "placed",
    "intern",
    "a",
    "an",
}
_NAME_STOP = re.compile(
    r"\s+(?:Roll|Branch|Programme|Program|Dept|Department|B\.?\s?Tech|M\.?\s?Tech|BT|MT)\b.*$", re.I
)


def _clean_name(raw: str) -> str | None:
    name = _NAME_STOP.sub("", raw).strip(" ,.-–")
    words = name.split()
    while words and words[-1].lower() in _NOT_NAME_WORDS:
        words.pop()
    if not words or words[0].lower() in _NOT_NAME_WORDS:
        return None
    if not words or len(words) > 4:
        return None
    if words[0][0].islower() and len(words) < 2:
        return None
    name = " ".join(words)
    if len(name) < 3 or name.isupper() and len(name) <= 4:
        return None
    return name


def find_personal_data(text: str) -> tuple[PersonalData, ...]:
    """Spans of e-mails, phones, LinkedIn URLs, roll numbers and self-introduced names in `text`.

    Returns non-overlapping PersonalData sorted by start (a longer span wins an overlap).
    """
    found: list[PersonalData] = []
    for kind, rx in (("email", _EMAIL_RE), ("linkedin", _LINKEDIN_RE), ("phone", _PHONE_RE)):
        found += [PersonalData(kind, m.group(0), m.start(), m.end()) for m in rx.finditer(text)]
    for m in _ALNUM_ROLL_RE.finditer(text):
        if looks_like_roll_number(m.group(0)) and not m.group(0).isdigit():
            found.append(PersonalData("roll_number", m.group(0), m.start(), m.end()))
    names: list[str] = []
    for rx in _NAME_INTRO:
        for m in rx.finditer(text):
            name = _clean_name(m.group("n"))
            if name and name.lower() not in {n.lower() for n in names}:
                names.append(name)
    opening_end = _first_sentence_end(text)
    name_spans: list[tuple[int, int]] = []
    for name in names:
        variants = {name}
        first = name.split()[0]
        if len(first) >= 3 and first[0].isupper():
            variants.add(first)
        for v in sorted(variants, key=len, reverse=True):
            for m in re.finditer(rf"(?<!\w){re.escape(v)}(?!\w)", text, re.I):
                found.append(PersonalData("name", m.group(0), m.start(), m.end()))
                name_spans.append((m.start(), m.end()))
    for m in _DIGIT_ROLL_RE.finditer(text):
        before = text[max(0, m.start() - 25) : m.start()]
        near_name = any(abs(m.start() - e) <= 40 or abs(s - m.end()) <= 40 for s, e in name_spans)
        if _ROLL_CONTEXT.search(before) or near_name or m.start() < opening_end:
            found.append(PersonalData("roll_number", m.group(0), m.start(), m.end()))
    return _non_overlapping(found)


def _first_sentence_end(text: str) -> int:
    m = re.search(r"[.!?](?=\s+[A-Z])|\n\s*\n", text)
    return m.start() if m else len(text)


def _non_overlapping(found: list[PersonalData]) -> tuple[PersonalData, ...]:
    out: list[PersonalData] = []
    for pd in sorted(found, key=lambda p: (p.start, -(p.end - p.start))):
        if out and pd.start < out[-1].end:
            continue
        out.append(pd)
    return tuple(out)


def mask_personal_data(text: str, found: Sequence[PersonalData]) -> str:
    """`text` with each found span replaced by its placeholder ("[name]", "[roll number]", ...).

    Spans that overlap are merged (the first placeholder wins); out-of-range spans are ignored.
    """
    out: list[str] = []
    pos = 0
    for pd in sorted(found, key=lambda p: (p.start, -p.end)):
        if pd.start < pos or pd.end > len(text) or pd.start >= pd.end:
            continue
        out.append(text[pos : pd.start])
        out.append(PLACEHOLDERS.get(pd.kind, "[hidden]"))
        pos = pd.end
    out.append(text[pos:])
    return "".join(out)


# ------------------------------------------------------------------ sections

_MD_HEADER = re.compile(r"^[ \t]*#{1,6}[ \t]*(?P<h>.*?)[ \t]*$", re.M)
_LINE_HEADER = re.compile(
    r"^[ \t]*(?P<h>(?:sample\s+(?:interview\s+)?(?:/\s*test\s+)?questions|(?:interview\s+)?questions\s+asked"
    r"|preparation(?:\s+resources)?|resources|tips|advice[^\n:]{0,40}|insights\s+on\s+the\s+selection\s+process"
    r"|three insights)[ \t]*[:?]?)[ \t\r]*$",
    re.I | re.M,
)


_PROCESS_HEADER = re.compile(r"select|process|round|interview|test|experience|insight|question", re.I)


@dataclass(frozen=True)
class _Section:
    kind: str  # intro | others | process | questions | prep | tips
    start: int
    text: str


def _section_kind(header: str) -> str:
    h = header.lower()
    if re.search(r"shortlisted\s+(?:profiles|compan)", h):
        return "others"
    if "prep" in h or "resource" in h:
        return "prep"
    if (
        "advice" in h
        or "adivce" in h
        or re.search(r"\btips?\b", h)
        or "dos" in h
        or "do's" in h
        or "insights:" in h
    ):
        return "tips"
    if "question" in h:
        return "questions"
    return "process"


# "Preparation: I solved ..." / "prep: leetcode" / "Tips - stay calm": a label opening a paragraph starts
# that section (the text after the label is the section's first line).
_INLINE_HEADER = re.compile(
    r"^[ \t]*(?P<h>prep(?:aration)?|how\s+i\s+prepared|resources|tips?(?:\s+for\s+juniors)?|advice)"
    r"[ \t]*[:\-–][ \t]*(?=\S)",
    re.I | re.M,
)


def _sections(text: str) -> list[_Section]:
    marks = [(m.start(), m.end(), m.group("h")) for m in _MD_HEADER.finditer(text)]
    marks += [(m.start(), m.end(), m.group("h")) for m in _LINE_HEADER.finditer(text)]
    marks += [(m.start(), m.end(), m.group("h")) for m in _INLINE_HEADER.finditer(text)]
    marks.sort()
    if not marks:
        return [_Section("process", 0, text)]
    out = [_Section("intro", 0, text[: marks[0][0]])] if marks[0][0] > 0 else []
    for i, (_s, e, h) in enumerate(marks):
        end = marks[i + 1][0] if i + 1 < len(marks) else len(text)
        kind = _section_kind(h)
        if kind == "process" and out and out[-1].kind in ("prep", "tips") and not _PROCESS_HEADER.search(h):
            kind = out[-1].kind  # "# General:" under "## Advice ...": a sub-heading of the advice
        out.append(_Section(kind, e, text[e:end]))
    return out


# ------------------------------------------------------------------ company

_LEGAL = re.compile(
    r"(?:[\s,]+(?:pvt\.?|private|ltd\.?|limited|inc\.?|llc|llp|corp\.?|corporation|co\.)(?=[\s,.]|$))+[\s.,]*$",
    re.I,
)
_ROLE_WORDS = (
    r"as|for|in|on|with|and|to|where|who|which|that|profile|role|team|intern|internship|engineer|analyst|"
    r"associate|developer|sde|swe|trainee|manager|scientist|consultant|hardware|software|summer|full[- ]time|"
    r"office|here|this|through|job"
)
_TARGET_PHRASES = [
    r"internship\b[^\n]{0,160}?\bprofile\s+at\s+",
    r"\bwill\s+be\s+joining\s+(?:[^\n.]{0,60}?\s+at\s+(?=[A-Z]))?",
    r"\bjoining\s+(?=[A-Z])",
    r"\b(?:placed|selected|hired|interned?|interviews?|interviewed|internship|offer)\s+(?:at|with|by|from|in)\s+"
    r"(?=[A-Z])",
    r"\bselected\s+as\s+(?:an?\s+)?[\w/ -]{1,30}?\s+(?:in|at|by)\s+(?=[A-Z])",
    r"\bsummer\s+intern\s+at\s+",
    r"\bintern(?:ship)?\s+at\s+",
    r"\boffer\s+from\s+",
]
_TARGET_RE = re.compile("|".join(f"(?:{p})" for p in _TARGET_PHRASES), re.I)
_NAME_AFTER = re.compile(
    r"(?:(?i:company)(?:\s+name)?\s*[:\-–]?\s*)?(?P<n>[A-Za-z0-9][\w&.'’-]*(?:[ \t]+(?!company\b)(?!(?i:"
    + _ROLE_WORDS
    + r")\b)(?:[A-Z0-9&][\w&.'’-]*|&|and|of|one|now)){0,5})",
)


def _norm_company(s: str) -> str:
    s = re.sub(r"&#39;s?\b|'s\b|’s\b", "", s)
    s = re.sub(r"\s+", " ", s).strip(" .,:;-–()\"'")
    prev = None
    while prev != s:
        prev = s
        s = _LEGAL.sub("", s).strip(" .,:;-–")
    return s


def company_key(s: str) -> str:
    """Case- and punctuation-folded company name without legal suffixes (for matching names)."""
    return re.sub(r"[^a-z0-9&]+", " ", _norm_company(s).lower()).strip()


def _company_regex(c: CompanyName) -> re.Pattern[str]:
    names = sorted({c.name, *c.aliases}, key=len, reverse=True)
    alts = []
    for n in names:
        n = _norm_company(n)
        if not n:
            continue
        pat = r"\s*".join(re.escape(w) for w in n.split())
        alts.append(pat)
    flags = 0 if all(len(n) <= 4 and n.isupper() for n in names) else re.I
    return re.compile(r"(?<![\w&])(?:" + "|".join(alts) + r")(?![\w&])", flags)


def _target_regex(c: CompanyName) -> re.Pattern[str]:
    """`_company_regex` plus the name's initials in capitals ("TI" for Texas Instruments), as posts that
    compare companies label lines with them."""
    rx = _company_regex(c)
    words = [w for w in re.split(r"[\s&]+", _norm_company(c.name)) if w and w[0].isalpha()]
    if len(words) < 2:
        return rx
    initials = "".join(w[0].upper() for w in words)
    return re.compile(rf"{rx.pattern}|(?<![\w&])(?-i:{initials})(?![\w&])", rx.flags)


def _find_company(
    text: str, sections: list[_Section], companies: Sequence[CompanyName]
) -> tuple[str | None, bool, set[str]]:
    """(company, known?, names of other companies seen) for the write-up."""
    regexes = [(c, _company_regex(c)) for c in companies]
    others_text = " ".join(s.text for s in sections if s.kind == "others")
    body = "\n".join(s.text for s in sections if s.kind != "others")
    other_names = {
        company_key(re.split(r"\s*[(–:]|\s-\s", x)[0])
        for x in re.split(r"[,\n•●;]|\s-\s|\d[.)]", others_text)
        if x.strip()
    }

    candidate: str | None = None
    for m in _TARGET_RE.finditer(body):
        n = _NAME_AFTER.match(body, m.end())
        if not n:
            continue
        raw = re.split(r"\s*[(–,:]|\s+-\s|[.!?](?=\s+[A-Za-z]{2}|\s*$)", n.group("n"))[0]
        raw = _norm_company(raw)
        if raw and raw.lower() not in {"i", "the", "a", "my", "iit", "iit kanpur"} and not raw.isdigit():
            candidate = raw
            break
    if candidate:
        for c, rx in regexes:
            if rx.search(candidate):
                return c.name, True, other_names
    counts: Counter[str] = Counter()
    first: dict[str, int] = {}
    for c, rx in regexes:
        for m in rx.finditer(body):
            counts[c.name] += 1
            first.setdefault(c.name, m.start())
    if candidate:
        return candidate, False, other_names
    if counts:
        best = max(counts, key=lambda k: (counts[k], -first[k]))
        return best, True, other_names
    return None, False, other_names


# ------------------------------------------------------------------ year

_YEAR = re.compile(r"(?<![\d/])(20\d\d)(?![\d/])")
_YEAR_GOOD = re.compile(
    r"interview|placement|intern|season|recruit|drive|hiring|\boa\b|test|round|selected|offer|applied|summer|"
    r"campus|joined|process",
    re.I,
)
_YEAR_BAD = re.compile(
    r"\bjee\b|\bjam\b|\bgate\b|\bcat\b|\bgre\b|exam|rank|\bair\b|school|batch|class of|graduat|"
    r"admission|joined (?:iit|college|the institute)|since|born",
    re.I,
)
_BATCH = re.compile(r"\bY\s*['’]?\s*(\d\d)\b|\bbatch\s+(?:of\s+)?(20\d\d)\b|\b(20\d\d)\s+batch\b", re.I)
_PROGRAMME_5 = re.compile(r"dual\s+degree|double\s+major|\bbt-mt\b|integrated|\bidd\b", re.I)
_PROGRAMME_2 = re.compile(
    r"\bm\.?\s?tech\b|\bm\.?\s?t\b|\bm\.?\s?sc\b|\bmba\b|\bm\.?\s?des\b|\bmasters?\b|\bm\.?\s?s\b", re.I
)
_PROGRAMME_4 = re.compile(r"\bb\.?\s?tech\b|\bb\.?\s?t\b|\bb\.?\s?s\b|\bb\.?\s?e\b|\bbachelor", re.I)
_INTERNSHIP = re.compile(r"\binternship\b|\bsummer\s+intern\b|\bintern\b", re.I)


def _sentences(text: str) -> list[str]:
    return [s for s in re.split(r"(?<=[.!?])\s+|\n+", text) if s.strip()]


def _find_year(text: str, roll_numbers: list[str], this_year: int) -> int | None:
    for sent in _sentences(text):
        for m in _YEAR.finditer(sent):
            y = int(m.group(1))
            if y <= this_year + 1 and _YEAR_GOOD.search(sent) and not _YEAR_BAD.search(sent):
                return y
    low = text.lower()
    if re.search(r"\bthis (?:year|season|summer)\b", low):
        return this_year
    if re.search(r"\blast (?:year|season|summer)\b", low):
        return this_year - 1
    batch: int | None = None
    found = _BATCH.search(text)
    if found:
        g = next(x for x in found.groups() if x)
        batch = int(g) if len(g) == 4 else 2000 + int(g)
    elif roll_numbers:
        d = re.match(r"(?:[A-Z]{2})?(20\d\d|\d\d)", roll_numbers[0])
        if d:
            batch = int(d.group(1)) if len(d.group(1)) == 4 else 2000 + int(d.group(1))
    if batch is None:
        return None
    head = text[:600]
    if _PROGRAMME_5.search(head):
        length = 5
    elif _PROGRAMME_2.search(head):
        length = 2
    elif _PROGRAMME_4.search(head):
        length = 4
    else:
        return None
    year = batch + length - (1 if _INTERNSHIP.search(head) else 0)
    return year if 2000 <= year <= this_year + 1 else None


# ------------------------------------------------------------------ outcome, source, difficulty

_REJECTED = re.compile(
    r"\b(?:i|we)\s+(?:was|were|got)\s+(?:not\s+selected|rejected)|"
    r"\bi\s+(?:didn'?t|did not|could not|couldn'?t)\s+(?:get|make|clear|crack)\b|"
    r"\b(?:got|was)\s+rejected\b|\bno\s+offer\b|\bnot\s+selected\b|"
    r"\bdidn'?t\s+(?:get|make)\s+(?:it|the\s+offer|through)|\brejected\s+(?:me|after|in\s+the\s+(?:final|last))",
    re.I,
)
_PENDING = re.compile(
    r"\b(?:waiting|awaiting)\s+(?:for\s+)?(?:the\s+)?(?:result|outcome|response)|"
    r"\bresults?\s+(?:are\s+)?(?:awaited|pending)|\bfingers crossed\b",
    re.I,
)
_SELECTED = re.compile(
    r"\b(?:i\s+(?:was|got|am)\s+selected|got\s+(?:the\s+|an\s+)?offer|got\s+selected|will\s+be\s+joining|"
    r"will\s+do\s+(?:his|her|my|their)?\s*(?:summer\s+)?internship|placed\s+at|converted|received\s+(?:an?\s+)?"
    r"offer|selected\s+(?:at|in|for|as)|bagged|cracked|offer\s+letter)\b",
    re.I,
)


def _find_outcome(text: str) -> str | None:
    for sent in _sentences(text):
        if _REJECTED.search(sent) and not re.search(
            r"\b(?:many|other|some|most)\s+(?:candidates|students|people)", sent, re.I
        ):
            return "rejected"
    if _PENDING.search(text):
        return "pending"
    if _SELECTED.search(text):
        return "selected"
    return None


def _find_source(text: str) -> str | None:
    low = text.lower()
    if re.search(r"\bppo\b|pre[- ]placement offer|converted (?:my |the )?internship", low):
        return "internship_ppo"
    if re.search(r"\boff[- ]?campus\b", low):
        return "off_campus"
    if re.search(r"\breferr(?:al|ed)\b", low):
        return "referral"
    if re.search(
        r"\bon[- ]?campus\b|\bcampus (?:placement|recruitment|drive)|placement (?:cell|office|season)|"
        r"\bspo\b|\bday\s*1\b|studying in iit",
        low,
    ):
        return "campus"
    return None


def _find_difficulty(text: str) -> int | None:
    m = re.search(
        r"difficulty\s*(?:level)?\s*[:\-–]?\s*([1-5])\s*(?:/\s*5|out of 5)?|\b([1-5])\s*/\s*5\b", text, re.I
    )
    if m:
        return int(m.group(1) or m.group(2))
    m = re.search(
        r"difficulty\s*(?:level)?\s*[:\-–]?\s*(very easy|easy|medium|moderate|hard|very hard)", text, re.I
    )
    if m:
        return {"very easy": 1, "easy": 2, "medium": 3, "moderate": 3, "hard": 4, "very hard": 5}[
            m.group(1).lower()
        ]
    return None


def _find_role(text: str) -> str | None:
    for rx in (
        r"internship\s+in\s+(?P<r>[^\n]{2,80}?)\s+profile\b",
        r"\bjoining\s+[^\n.]{1,60}?\s+as\s+(?:an?\s+)?(?P<r>[A-Za-z][\w /&().-]{1,60}?)(?=[.,\n]|\s+here)",
        r"\b(?:for|as)\s+(?:the|an?)\s+(?P<r>[A-Z][\w /&-]{1,40}?)\s+(?:role|profile|position)\b",
        r"\b(?P<r>(?:SDE|SWE|Software|Data|Product|Quant|Business|Hardware|Analyst)[\w /-]{0,30}?"
        r"\s+(?:Intern|Engineer|Analyst|Manager|Scientist|Developer))\b",
    ):
        m = re.search(rx, text, re.I if rx.startswith(r"internship") else 0)
        if m:
            return m.group("r").strip(" -–")
    return None


# ------------------------------------------------------------------ questions

_LIST_SPLIT = re.compile(
    r"(?:^|(?<=\s)|(?<=[.:;?!]))-?\(?\d{1,2}\s*[.)](?![\d.])\s*|^\s*[-•●*]\s+|(?<=\S)\s+[•●]\s+"
    r"|(?<=[a-z.)])-\s+(?=[A-Z0-9])|(?<!\d)\s+-\s+(?=[A-Z0-9])",
    re.M,
)
_SENT_SPLIT = re.compile(r"(?<=[?])\s*|(?<=[.!])\s+(?=[A-Z\"'(])|(?<=[a-z]\.)(?=[A-Z][a-z])|\n+")
_CLAUSE_SPLIT = re.compile(
    r",?\s+(?:after (?:that|this)|then|and then|after which)\s*,?\s+|,?(?<!\band)\s+followed by\s*,?\s+|;\s+"
    r"|,?\s+and\s+(?=(?:also\s+)?(?:asked|included|gave|told|provided|discussed)\b)"
    r"|\s+(?=\d+\s*(?:st|nd|rd|th)\s+round\b|round\s*\d+\b|interview\s*\d+\s*[-–:])"
    # a new clause whose subject is the interviewer: "..., they also asked", "a round where he asked"
    r"|,\s+(?=(?:(?:and|then|again|also|so)\s+)*(?:he|she|they|the\s+interviewers?|the\s+panel)\s+"
    r"(?:(?:also|then|again|first|were|was)\s+)*(?:asked|ask|gave|told|discussed|trying|tried|wanted)\b)"
    r"|\s+where\s+(?=(?:he|she|they|the\s+interviewers?|the\s+panel)\b)",
    re.I,
)
_CUE = re.compile(
    r"\basked\b|\bask\s+(?:me|us)\b|\b(?:questions?|qs|ques)\s*[-–:]\s|\b(?:questions?|qs|ques)\s+(?:on|about|from|based\s+on|related\s+to|regarding|like|was|is|"
    r"were\s+asked|asked)\b|\bgiven\s+an?\b|\bgave\s+(?:me\s+)?an?\b|\btold\s+(?:me|us)\s+to\b|\bto\s+(?:code|implement|"
    r"write|design|solve|explain|describe|derive|prove)\b|\b(?:inquired|enquired|quizzed|tested)\b|\bdiscussed\b|"
    r"\bquestion\s+(?:is|was)\b|\bask(?:s|ed)?\s+about\b"
    r"|\b(?:try|tries|tried|trying)\s+to\s+(?:assess|determine|judge|check|test|understand|gauge)\b",
    re.I,
)
# A piece that opens like a question or a task is one even without a cue word.
_ASKING_START = re.compile(
    # a wh-word opens a question when a verb follows ("how would", "what is"), not in "how good your idea was"
    r"^(?:(?:what|why|how|which|when|where|who|whom)(?:\s+\w+)?\s+(?:is|are|was|were|do|does|did|can|could|would|"
    r"will|should|to|has|have|happens?|makes?)\b|why\b|explain|describe|design|implement|write|find|given|"
    r"difference between|introduce|tell me|walk me)\b",
    re.I,
)
# Statements about what usually happens, or advice, are not questions that were asked.
_GENERIC = re.compile(
    r"\b(?:are|is|may be|might be|will be|can be|would be)\s+(?:also\s+)?asked\b"
    r"|\bexpected to\b|\byou will\b"
    r"|\b(?:is|are)\s+(?:always|very|really)\s+(?:good|important|helpful|useful|recommended|necessary|better)\b"
    # what was asked is not said: "questions were asked from that", "basic questions were asked in round 1"
    r"|\b(?:from|on|about|regarding)\s+(?:that|this|it|them|those)\W*$"
    r"|(?:^|,\s*(?:so\s+)?)(?:[\w-]+\s+){0,5}(?:questions?|ques)\s+(?:type\s+)?(?:were|was)\s+(?:also\s+)?(?:\w+\s+)?"
    r"asked(?:\s+in\s+(?:the\s+)?[\w\s]{0,30}rounds?)?\W*$"
    # how hard a question was, not what it was
    r"|\bquestions?\s+(?:which\s+)?(?:is|was|were|are|should\s+be|would\s+be)\s+(?:\w+\s+)?(?:straightforward|easy|"
    r"simple|good|hard|difficult|tough|moderate|solvable|standard|doable|lengthy)\b",
    re.I,
)
_NOT_QUESTION = re.compile(
    r"^(?:n\.?a\.?|none|nil|nan|-+)$|^(?:focus|prepare|practice|be\s|try|make sure|"
    r"do\s|don'?t|always|better|if you|you should|it is|it was|it will|overall|also|"
    r"there (?:was|were|is|are)|each\b|candidates\b)",
    re.I,
)
_LEAD = re.compile(
    r"^(?:[-–:,.\s]+|(?:and|also|then|so|but)\s+|round\s*\d+\s*[-–:]\s*|interview\s*\d*\s*[-–:]\s*)+", re.I
)
_ASIDE = re.compile(r"^\([^()]*\)\W*$")
_DIFFICULTY_TAG = re.compile(r"\(\s*(?:easy|medium|hard)\s*\)", re.I)
_OTHER_LABEL = re.compile(r"^(?:for\s+|in\s+)?(?P<n>[A-Z][\w&.]*(?:\s+[A-Z][\w&.]*){0,3})\s*[-–:]\s")
_STAGE_WORDS = re.compile(
    r"^(?:round|interview|test|hr|gd|technical|coding|online|resume|case|topics?|note|q|"
    r"questions?|answer|the|first|second|third|final|sample|some|i|we|he|she|they|it|"
    r"one|two|three)\b",
    re.I,
)
# A line break inside a sentence (text pasted from a PDF or hard-wrapped mail): the next line goes on
# in lower case.
_WRAPPED = re.compile(r"[ \t]*\r?\n[ \t]*(?=[a-z][a-z])")
# "HR Interview:", "Interview 1 (Theoretical):", "Deck round:" opening a list item or sentence.
_STAGE_PREFIX = re.compile(
    r"^(?:[A-Za-z&/-]+\s+){0,3}?(?:round|interview|test|assessment|discussion|gd)(?:\s*-?\s*\d+)?"
    r"(?:\s*\([^)]{0,30}\))?\s*(?::|[-–]+\s)\s*(?=\S)",
    re.I,
)
# How a test was made up ("Aptitude (15 ques – 20 min)"): a format, not a question.
_FORMAT = re.compile(
    r"^[^,;]{0,40}\b\d+\s*(?:ques|questions|qs|mcqs?|problems)\b[^,;]{0,6}\d+\s*(?:min|mins|minutes|hours?|hrs)\b"
    r"|\b(?:\d+|a single|one|two|three|four|five)\s+(?:\w+\s+)?(?:questions?|problems?)\s+(?:and|in|with)\s+"
    r"\d+\s*(?:min|mins|minutes|hours?|hrs)\b"
    r"|^\d+(?:\s*-\s*\d+)?\s*(?:min|mins|minutes|hours?|hrs)\b"
    r"|\b(?:test|assessment|oa|paper)\b[^.]{0,20}?\b(?:had|has|having|consist(?:s|ed)?\s+of|compris(?:es|ed)|"
    r"contain(?:s|ed)?)\s+(?:of\s+)?(?:\d+|two|three|four|five)\s+(?:[\w-]+\s+){0,3}?(?:questions|problems|sections)\b",
    re.I,
)
_URL = re.compile(r"\[?\(?(?:https?://|www\.)[^\s)\]]+[)\]]*(?:\((?:https?://|www\.)[^\s)]+\))?")
_LINK = re.compile(r"https?://|\]\(|www\.")


def _split_outside_brackets(rx: re.Pattern[str], text: str) -> list[str]:
    """`rx.split(text)`, except at matches inside round brackets (an aside is part of its sentence)."""
    out: list[str] = []
    pos = 0
    for m in rx.finditer(text):
        if text.count("(", 0, m.start()) > text.count(")", 0, m.start()):
            continue
        out.append(text[pos : m.start()])
        pos = m.end()
    out.append(text[pos:])
    return out


def _top_level_parts(text: str) -> list[str]:
    """`text` cut at commas outside brackets ("DSU(Medium), DFS (Cycle Detection+ DP(Easy))" -> 2 parts)."""
    parts, depth, start = [], 0, 0
    for i, ch in enumerate(text):
        depth += (ch == "(") - (ch == ")")
        if ch == "," and depth <= 0:
            parts.append(text[start:i])
            start = i + 1
    parts.append(text[start:])
    return [p.strip() for p in parts if p.strip()]


def _items(text: str) -> list[list[str]]:
    """List items (or paragraphs) of `text`, each as its sentences with whitespace collapsed."""
    out: list[list[str]] = []
    text = _WRAPPED.sub(" ", _URL.sub(" ", text))
    for item in _LIST_SPLIT.split(text):
        parts = _split_outside_brackets(_SENT_SPLIT, item or "")
        sents = [re.sub(r"\s+", " ", s or "").strip() for s in parts]
        sents = [s for s in sents if s]
        if sents:
            out.append(sents)
    return out


def _mentions_other(piece: str, target_rx: re.Pattern[str] | None, others: list[re.Pattern[str]]) -> bool:
    if target_rx is not None and target_rx.search(piece):
        return False
    if any(rx.search(piece) for rx in others):
        return True
    m = _OTHER_LABEL.match(piece)
    return bool(m and not _STAGE_WORDS.match(m.group("n")))


def _tidy(q: str) -> str:
    q = _LEAD.sub("", q).strip(" -–:,")
    return q[:MAX_QUESTION_CHARS].rstrip()


def _keep(q: str, min_len: int) -> bool:
    return (
        len(q) >= min_len
        and not _NOT_QUESTION.match(q)
        and not q.endswith(":")
        and not _GENERIC.search(q)
        and not _FORMAT.search(q)
    )


def _asks(clause: str) -> bool:
    """True if a clause of narrative carries a question: a question mark, a cue, or a question opening."""
    return "?" in clause or bool(_CUE.search(clause)) or bool(_ASKING_START.match(_tidy(clause)))


# The end of a stage label: "HR: ...", "Online Assessment (90 min) - ...".
_LABEL_END = re.compile(r"\s*(?:\([^)]{0,30}\))?\s*(?::|[-–]+\s)\s*")


def _after_stage_labels(rest: str) -> str:
    """`rest` without the stage labels that still open it: "Round 1 - Online Assessment: X" and
    "Round 3 - HR: X" name the round twice before saying what it asked (X)."""
    for _ in range(3):
        m = _STAGE_PREFIX.match(rest)
        if m is None:
            stage = _STAGE_RE.match(rest)
            m = _LABEL_END.match(rest, stage.end()) if stage else None
        if m is None or m.end() >= len(rest.rstrip()):
            break
        rest = rest[m.end() :]
    return rest


_NUMBERS = {"two": 2, "three": 3, "four": 4, "five": 5, "2": 2, "3": 3, "4": 4, "5": 5}
# "two coding questions, A and B", "3 problems: A, B, C": a count of asks, then the asks.
_COUNTED = re.compile(
    r"^(?:[\w-]+\s+){0,3}?(?P<n>two|three|four|five|[2-5])\s+(?:[\w-]+\s+){0,2}?(?:questions|problems|qs)"
    r"(?:\s+(?:were|was)\s+(?:asked|given))?\s*(?:[:,\-–]|\bwhich\s+were\b|\bi\.e\.?)\s*(?P<rest>.+)$",
    re.I,
)


def _counted_list(q: str) -> list[str]:
    """A clause that counts its asks and lists them ("two coding questions, reverse a linked list and
    find the middle element") as one question per ask, when the list has exactly that many parts
    (commas outside brackets and a last "and"); else `[q]` unchanged, so nothing is cut on a guess."""
    m = _COUNTED.match(q)
    if m is None:
        return [q]
    parts = _top_level_parts(m.group("rest"))
    joined = parts[-1].count(" and ") if parts else 0
    if joined > 1:
        return [q]  # "reverse a string and check if it is odd and prime": which "and" joins two asks?
    if joined == 1:
        head, _, tail = parts[-1].partition(" and ")
        parts[-1:] = [head, tail]
    parts = [_tidy(p).rstrip(".") for p in parts]
    if len(parts) != _NUMBERS[m.group("n").lower()] or not all(_keep(p, 3) for p in parts):
        return [q]
    return parts


def _questions_in(
    text: str, listed: bool, target_rx: re.Pattern[str] | None, others: list[re.Pattern[str]]
) -> list[str]:
    """Questions in one section. `listed`: a sample-questions section, where each item is a question.

    An item (list entry or paragraph) whose first sentence is about another company is skipped whole:
    the sentences after it usually go on about that company. In any section, what follows a stage label
    ("HR Interview: ...", "Deck round: ...") says what that stage asked, so it is read like a listed item.
    """
    out: list[str] = []
    for sents in _items(text):
        if _mentions_other(sents[0], target_rx, others):
            continue
        for piece in sents:
            if _LINK.search(piece) or _mentions_other(piece, target_rx, others):
                continue
            if _ASIDE.match(piece):
                continue  # "(Questions related to the project in the resume)": a comment on the above
            label = _OTHER_LABEL.match(piece)
            if label and target_rx is not None and target_rx.fullmatch(label.group("n")):
                # "TI: pointer arithmetic, ..." in a post comparing companies: what the target asked
                q = _tidy(piece[label.end() :])
                if _keep(q, 3):
                    out.append(q)
                continue
            if _DIFFICULTY_TAG.search(piece):
                # "Disjoint Set Union(Medium), DFS (Cycle Detection+ DP(Easy))": a list of problems
                out += [q for q in map(_tidy, _top_level_parts(piece)) if _keep(q, 3)]
                continue
            if listed:
                if len(piece) <= 120 or "?" in piece or _CUE.search(piece):
                    q = _tidy(_STAGE_PREFIX.sub("", piece))
                    if _keep(q, 3) and not piece.rstrip().endswith(":"):  # "Details are here:" -> a link
                        out.append(q)
                continue
            for clause in _CLAUSE_SPLIT.split(piece):
                staged = _STAGE_PREFIX.match(clause)
                if staged:
                    rest = _after_stage_labels(clause[staged.end() :])
                    if _STAGE_RE.match(rest.strip()) and not _asks(rest) and len(rest) < 40:
                        continue  # "Round 1 - Online test": a stage name, not what it asked
                    if len(rest) > 120 and not _asks(rest):
                        continue
                    q = _tidy(rest)
                    if _keep(q, 3) and not rest.rstrip().endswith(":"):
                        out += _counted_list(q)
                elif _asks(clause):
                    q = _tidy(clause)
                    if _keep(q, 8):
                        out += _counted_list(q)
    return out


# "Some questions were -", "Questions asked:" on a line of its own opens a list of questions, which
# runs to the first paragraph that is not a list item.
_LIST_INTRO = re.compile(
    r"^[ \t]*[^\n#]{0,40}\b(?:questions?|qs|ques)\s+(?:were|asked|included|like)\b"
    r"[^\n]{0,20}?[:\-–][ \t\r]*$",
    re.I | re.M,
)
_LIST_END = re.compile(r"\n[ \t\r]*\n(?=[ \t]*[^\s•●*\-\d])")


def _list_runs(text: str) -> list[tuple[str, bool]]:
    """`text` cut into (part, listed) runs: a list opened by a `_LIST_INTRO` line is listed."""
    out: list[tuple[str, bool]] = []
    pos = 0
    for m in _LIST_INTRO.finditer(text):
        if m.start() < pos:
            continue
        end = _LIST_END.search(text, m.end())
        stop = end.start() if end else len(text)
        out += [(text[pos : m.start()], False), (text[m.end() : stop], True)]
        pos = stop
    out.append((text[pos:], False))
    return [(t, listed) for t, listed in out if t.strip()]


# ------------------------------------------------------------------ rounds

_STAGES: list[tuple[str, str]] = [
    (
        "resume_shortlisting",
        r"(?:resume|cv|cpi)[\s_]*short[- ]?list(?:ing|ed)?|short[- ]?list(?:ing)?\s+(?:based|on\s+the"
        r"\s+basis)|(?:initial|first)\s+shortlisting|shortlisting\s+process|resume\s+screening",
    ),
    ("group_discussion", r"group\s+discussions?|\bGDs?\b"),
    ("case_interview", r"case\s+(?:interview|round)s?|consulting\s+interviews?|guess?timate\s+round"),
    (
        "hr",
        r"\bhr\s+(?:interview|round|discussion)s?|\bhr(?=\s*[-–:]\s)|behaviou?ral(?:\s*/\s*hr)?\s+round|hr\s+questions\s+round",
    ),
    (
        "managerial",
        r"manag(?:erial|er)\s+round|(?:interview|round)\s+with\s+(?:the\s+)?(?:team\s+|hiring\s+)?manager"
        r"|senior\s+leadership",
    ),
    ("coding", r"coding\s+interview"),
    (
        "online_assessment",
        r"online\s+(?:assessment|test|coding\s+(?:test|round))|\bOA\b|coding\s+(?:test|round)|"
        r"(?:aptitude|written|technical|cognitive|screening|analytics|psychometric|mcq|online)\s+test|situation\s+judge?ment"
        r"\s+test|codethon|hackathon|(?<![\w-])test(?![\w-])",
    ),
    ("technical", r"technical\s+(?:interview|round)s?|tech\s+round|technical(?=\s*[-–:]\s)"),
    (
        "",
        r"round\s*-?\s*\d+|\d+\s*(?:st|nd|rd|th)\s+round|(?:first|second|third|fourth|fifth|final|last)\s+round|"
        r"interview\s*-?\s*\d+|(?:\d+|two|three|four|multiple)\s+(?:rounds?\s+of\s+(?:technical\s+)?interviews?"
        r"|interview\s+rounds?)|(?:^|(?<=[\n•●-]))\s*interview"
        r"(?=\s*[:\-–(])",
    ),
]
_STAGE_RE = re.compile("|".join(f"(?P<k{i}>{p})" for i, (_k, p) in enumerate(_STAGES)), re.I | re.M)
_KIND_WORDS = [
    (
        "hr",
        re.compile(r"\bhr\b|behaviou?r|culture|hobbies|why (?:this|the) (?:company|field|role)|fit\b", re.I),
    ),
    ("case_interview", re.compile(r"\bcase\b|guess?timate|market siz", re.I)),
    ("managerial", re.compile(r"\bmanager|leadership|director", re.I)),
]
_DURATION = re.compile(
    r"(\d+(?:\.\d+)?)\s*(?:-\s*\d+(?:\.\d+)?\s*)?(mins?|minutes|hrs|hours?|hr(?!\s*(?:round|interview|question|discussion)))\b",
    re.I,
)


def _duration(text: str) -> int | None:
    m = _DURATION.search(text)
    if not m:
        return None
    v = float(m.group(1))
    return int(round(v * 60 if m.group(2).lower().startswith("h") else v))


def _rounds_in(text: str) -> list[tuple[str, str, str]]:
    """(kind, label, body) per stage phrase in `text`, in order."""
    marks = list(_STAGE_RE.finditer(text))
    out: list[tuple[str, str, str, bool, int]] = []  # kind, label, body, generic?, end of the phrase
    for i, m in enumerate(marks):
        idx = next(j for j in range(len(_STAGES)) if m.group(f"k{j}") is not None)
        end = marks[i + 1].start() if i + 1 < len(marks) else len(text)
        body = text[m.end() : end]
        kind = _STAGES[idx][0]
        label = re.sub(r"\s+", " ", m.group(0)).strip(" -–:(")
        if out and out[-1][0] == kind and out[-1][1].lower() == label.lower():
            continue
        if (
            out
            and out[-1][3]
            and kind
            and out[-1][4] + 45 >= m.start()
            and not re.search(r"[.!?\n]", text[out[-1][4] : m.start()])
        ):
            # "Round 3 Group Discussion", "ROUND 2: It was an HR interview": the stage names the round.
            prev = out.pop()
            out.append((kind, prev[1] + " " + label, text[prev[4] : end], False, m.end()))
            continue
        if out and out[-1][0] == kind and not out[-1][3] and out[-1][4] + 25 >= m.start():
            continue  # "Group Discussion (GD)": the same stage said twice
        out.append(
            (
                kind or next((k for k, rx in _KIND_WORDS if rx.search(body[:200])), "technical"),
                label,
                body,
                not kind,
                m.end(),
            )
        )
    return [(k, lab, b) for k, lab, b, _g, _e in out]


# ------------------------------------------------------------------ the draft


def extract_draft(text: str, companies: Sequence[CompanyName], *, this_year: int) -> Draft:
    """Read a pasted write-up into a Draft (see the module docstring for each rule).

    `companies`: every company the bot knows, with aliases (may be empty); `this_year`: the current
    calendar year, for "this/last year" and to reject future years. Never raises on odd text; fields
    it cannot read are None/empty and named in `missing`.
    """
    text = text or ""
    sections = _sections(text)
    company, known, other_keys = _find_company(text, sections, companies)
    target_rx = _target_regex(CompanyName(company)) if company else None
    if company and known:
        target_rx = _target_regex(next(c for c in companies if c.name == company))
    ck = company_key(company) if company else ""
    others = [_company_regex(c) for c in companies if c.name != company and company_key(c.name) != ck]
    others += [
        re.compile(rf"(?<!\w){re.escape(k)}(?!\w)", re.I)
        for k in other_keys
        if len(k) >= 3
        and k != ck
        and not (ck and (k in ck or ck in k))
        and not k.isdigit()
        and not re.search(
            r"\b(?:none|nil|nan|n a|sde|swe|quant|software|hardware|analyst|intern|engineer|profile|"
            r"role|associate|systems?|data|research|consult)",
            k,
        )
    ]

    questions: list[str] = []
    rounds: list[DraftRound] = []
    prep: list[str] = []
    tips: list[str] = []
    # Text before the first heading is the story itself when no heading opens one ("...rounds...
    # Preparation: ..."); under a "Process" heading it is only an introduction.
    has_process = any(sec.kind == "process" for sec in sections)
    for sec in sections:
        if sec.kind == "prep":
            prep.append(sec.text.strip())
        elif sec.kind == "tips":
            tips.append(sec.text.strip())
        elif sec.kind == "questions":
            questions += _questions_in(sec.text, True, target_rx, others)
        elif sec.kind == "process" or (sec.kind == "intro" and not has_process):
            qs = []
            for part, listed in _list_runs(sec.text):
                qs += _questions_in(part, listed, target_rx, others)
            questions += qs
            for kind, label, body in _rounds_in(sec.text):
                rq = tuple(q for q in qs if q in body)
                rounds.append(DraftRound(kind, label, _duration(body[:120]), rq))
    questions = list(dict.fromkeys(questions))

    personal = find_personal_data(text)
    rolls = [p.value for p in personal if p.kind == "roll_number"]
    year = _find_year(text, rolls, this_year)
    outcome = _find_outcome(text)
    role = _find_role(text)
    source = _find_source(text)
    difficulty = _find_difficulty(text)
    preparation = "\n\n".join(p for p in prep if p)
    tips_text = "\n\n".join(t for t in tips if t)
    draft_fields = {
        "company": company,
        "role": role,
        "interview_year": year,
        "source": source,
        "rounds": rounds,
        "questions": questions,
        "preparation": preparation,
        "tips": tips_text,
        "outcome": outcome,
        "difficulty": difficulty,
    }
    missing = tuple(k for k, v in draft_fields.items() if v in (None, "", []))
    return Draft(
        company=company,
        company_known=known,
        role=role,
        interview_year=year,
        source=source,
        rounds=tuple(rounds),
        questions=tuple(questions),
        preparation=preparation,
        tips=tips_text,
        outcome=outcome,
        difficulty=difficulty,
        personal_data=personal,
        missing=missing,
    )
