"""The sharing form on one screen (the Telegram Mini App of bots/web): its fields checked by the chat
dialog's rules, stored by its submit step. A use case of the share feature, so any front end with a form
(the Mini App today) gets the dialog's validation and moderation unchanged.

`check_form(services, data)` validates one JSON form (the keys of `FIELDS`, plus `rounds`: a list of
{kind, duration, difficulty, questions}) with the validators the sharing dialog uses
(core.domain.experience through core.features.share.flow, the same option lists and limits) and
returns the dialog's answers dict, or the per-field messages. `submit_form` then runs the dialog's own
submit step (`core.features.share.flow.submit_experience`) in a unit of work, so the experience is
stored pending (or published for trusted contributors) and moderators are alerted exactly as after
/share. `prefill(services, text)` reads a pasted write-up with the chat's paste extraction
(`core.features.share.paste.draft_answers`) and returns the form values it fills.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from core.dialog.steps import DialogContext, Invalid
from core.domain import experience
from core.domain.experience import OUTCOMES, ROUND_KINDS, SOURCES
from core.events import Actor
from core.features.share import flow
from core.features.share.paste import PERSONAL_KEY, draft_answers
from core.features.share.steps import split_questions
from core.replies import Reply
from core.services import Services
from core.text_norm import collapse_spaces

logger = logging.getLogger(__name__)

FIELDS = (
    "name",
    "linkedin",
    "branch",
    "roll_number",
    "passout_year",
    "company",
    "interview_year",
    "role",
    "role_description",
    "source",
    "preparation",
    "reflections",
    "outcome",
    "difficulty",
    "rating",
    "anonymous",
)
FORM_ERROR = "_form"  # a message about the whole form (e.g. the daily limit)
_EDIT_FIELD = re.compile(r":\s*edit field [\d or]+\.?$")
MAX_QUESTION = 1000  # characters of one question (the dialog's QuestionsStep)
MAX_DURATION = 600  # minutes


@dataclass
class Checked:
    """The answers the dialog would hold, or what to fix (field name -> message; rounds.N.part too)."""

    answers: dict[str, Any] = field(default_factory=dict)
    errors: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class Submitted:
    """A stored submission: its id, whether it waits for moderation, and the dialog's thank-you text."""

    experience_id: int | None
    pending: bool
    message: str


def _text(data: Mapping[str, Any], key: str) -> str:
    value = data.get(key)
    return "" if value is None else str(value).strip()


def _year(raw: str, allowed: range, what: str) -> int:
    try:
        year = int(raw)
    except ValueError:
        raise Invalid(f"Please choose the {what}.") from None
    if year not in allowed:
        raise Invalid(f"The {what} must be between {allowed.start} and {allowed.stop - 1}.")
    return year


def _choice(raw: str, pairs: list[tuple[str, str]], what: str) -> str:
    if raw not in dict(pairs):
        raise Invalid(f"Please choose {what}: " + ", ".join(label for _, label in pairs) + ".")
    return raw


def _scale(raw: str, what: str) -> int:
    if raw not in ("1", "2", "3", "4", "5"):
        raise Invalid(f"Please choose the {what} from 1 to 5.")
    return int(raw)


def _context(services: Services, answers: dict[str, Any], actor: Actor | None = None) -> DialogContext:
    return DialogContext(
        answers=answers,
        services=services,
        user_name=actor.display_name if actor else "",
        version=0,
        token=lambda suffix: suffix,
        resolved=actor,
    )


async def check_form(services: Services, data: Mapping[str, Any], actor: Actor | None = None) -> Checked:
    """Validate every field (all errors at once, like a form should) into the dialog's answers, by the
    rules of `actor`'s college (its roll-number format and branches; config's without an actor)."""
    config = services.submission_for(actor.college_id if actor is not None else None)
    max_text = services.config.dialog.max_text_chars
    out = Checked()
    ctx = _context(services, out.answers, actor)

    def check(key: str, rule: Any) -> None:
        try:
            value = rule(_text(data, key))
        except Invalid as problem:
            out.errors[key] = str(problem)
            return
        out.answers[key] = value

    def optional_text(raw: str) -> str:
        if len(raw) > max_text:
            raise Invalid(f"Please keep it under {max_text:,} characters (it has {len(raw):,}).")
        return raw

    check("name", lambda raw: flow.validate_name(raw, ctx))
    check("linkedin", lambda raw: flow.validate_linkedin(raw, ctx) if raw else None)
    check("branch", lambda raw: _choice(raw, [(b, b) for b in config.branches], "your branch"))
    check("roll_number", lambda raw: flow.validate_roll(raw, ctx))
    passout = range(config.passout_years.first, config.passout_years.last + 1)
    check("passout_year", lambda raw: _year(raw, passout, "year of passout"))
    this_year = services.this_year()
    check("interview_year", lambda raw: _year(raw, range(1990, this_year + 1), "year of interview"))
    check("role", lambda raw: flow.validate_role(raw, ctx))
    check("role_description", optional_text)
    check("source", lambda raw: _choice(raw, SOURCES, "how the interview came"))
    check("preparation", lambda raw: experience.validate_narrative(raw, max_text))
    check("reflections", lambda raw: experience.validate_narrative(raw, max_text))
    check("outcome", lambda raw: _choice(raw, OUTCOMES, "the outcome"))
    check("difficulty", lambda raw: _scale(raw, "difficulty"))
    check("rating", lambda raw: _scale(raw, "rating"))
    out.answers["anonymous"] = data.get("anonymous") in (True, "true", "on", "1", "yes")
    await _check_company(services, data, out)
    _check_rounds(services, data.get("rounds"), out)
    if "passout_year" in out.answers and "interview_year" in out.answers:
        try:
            experience.check_years(
                out.answers["passout_year"], out.answers["interview_year"], this_year, config
            )
        except Invalid as problem:
            out.errors["interview_year"] = f"{problem}."
    return out


async def _check_company(services: Services, data: Mapping[str, Any], out: Checked) -> None:
    """The dialog's CompanyStep: an exact name or alias is that company; a near miss asks "did you mean"
    unless the student said it is a new company (`company_new`)."""
    raw = collapse_spaces(_text(data, "company"))
    if not raw:
        out.errors["company"] = "Please type the company's name, for example TCS or Amazon."
        return
    if len(raw) > 120 or not re.search(r"[A-Za-z0-9]", raw):
        out.errors["company"] = "A company name is 1 to 120 characters with at least one letter or digit."
        return
    match = await services.companies.match(raw)
    if match.exact is not None:
        out.answers.update(company_id=match.exact.id, company_name=match.exact.name)
        return
    if match.suggestions and data.get("company_new") not in (True, "true", "on", "1"):
        names = ", ".join(c.name for c in match.suggestions[:3])
        out.errors["company"] = (
            f'I don\'t know "{raw}" exactly. Did you mean {names}? Type one of them, or tick '
            "“It's a new company”."
        )
        return
    out.answers.update(company_id=None, company_name=raw.title() if raw.islower() else raw)


def _check_rounds(services: Services, rounds: Any, out: Checked) -> None:
    """1 to max_rounds rounds, each with a known kind, an optional duration (1-600 minutes), a difficulty
    and 1 to max_questions_per_round questions (one per line, bullets removed, as in the chat)."""
    config = services.config.submission
    if not isinstance(rounds, list) or not rounds:
        out.errors["rounds"] = "Add at least one round."
        return
    if len(rounds) > config.max_rounds:
        out.errors["rounds"] = f"At most {config.max_rounds} rounds, please."
        return
    kinds = dict(ROUND_KINDS)
    checked = []
    for index, spec in enumerate(rounds):
        spec = spec if isinstance(spec, Mapping) else {}
        where = f"rounds.{index}"
        kind = _text(spec, "kind")
        if kind not in kinds:
            out.errors[f"{where}.kind"] = "Please choose the kind of round."
        duration = None
        raw_duration = _text(spec, "duration")
        if raw_duration:
            if (
                not (raw_duration.isascii() and raw_duration.isdigit())
                or not 1 <= int(raw_duration) <= MAX_DURATION
            ):
                out.errors[f"{where}.duration"] = (
                    f"Give the duration in minutes (1 to {MAX_DURATION}), or leave it empty."
                )
            else:
                duration = int(raw_duration)
        difficulty = _text(spec, "difficulty")
        if difficulty not in ("1", "2", "3", "4", "5"):
            out.errors[f"{where}.difficulty"] = "Please choose this round's difficulty from 1 to 5."
        raw_questions = spec.get("questions", "")
        lines = "\n".join(raw_questions) if isinstance(raw_questions, list) else str(raw_questions or "")
        questions = split_questions(lines)
        if not questions:
            out.errors[f"{where}.questions"] = (
                "Add at least one question (or a short description of the round)."
            )
        elif len(questions) > config.max_questions_per_round:
            out.errors[f"{where}.questions"] = (
                f"At most {config.max_questions_per_round} questions per round."
            )
        elif any(len(q) > MAX_QUESTION for q in questions):
            out.errors[f"{where}.questions"] = f"Keep each question under {MAX_QUESTION:,} characters."
        checked.append(
            {
                "kind": kind,
                "duration_minutes": duration,
                "difficulty": int(difficulty) if difficulty.isdigit() else None,
                "questions": questions,
            }
        )
    out.answers["rounds"] = checked


async def submit_form(services: Services, actor: Actor, answers: dict[str, Any]) -> Submitted:
    """Store checked answers through the sharing dialog's submit step, in one unit of work.

    Raises Invalid with the step's message when it refuses (the daily limit, a cross-field rule)."""
    ctx = _context(services, dict(answers), actor)
    async with services.repos.dialogs.unit() as unit:
        ctx.unit = unit
        replies: list[Reply] = await flow.submit_experience(ctx)
    text = replies[0].text if replies else ""
    found = re.search(r"\(#(\d+)\)", text)
    return Submitted(
        int(found.group(1)) if found else None, "pending moderation" in text, text.replace("**", "")
    )


def field_of(message: str) -> tuple[str, str]:
    """Where a submit step's message belongs in the form and the message without "edit field N"."""
    clean = _EDIT_FIELD.sub(".", message).strip()
    if "round" in message.lower() and "field 11" in message:
        return "rounds", clean
    if "field 7" in message or "field 5" in message:
        return "interview_year", clean
    return FORM_ERROR, clean


async def prefill(services: Services, text: str) -> dict[str, Any]:
    """The form values a pasted write-up fills (the chat's paste extraction), rounds included, and the
    kinds of personal data it mentions (so the form can warn before it is posted)."""
    answers = await draft_answers(_context(services, {}), text)
    values: dict[str, Any] = {}
    if answers.get("company_name"):
        values["company"] = answers["company_name"]
    elif answers.get("company_typed"):
        values["company"] = answers["company_typed"]
    for key in ("interview_year", "role", "source", "outcome", "difficulty", "preparation", "reflections"):
        if answers.get(key) not in (None, ""):
            values[key] = str(answers[key])
    rounds = [
        {
            "kind": spec["kind"],
            "duration": "" if spec.get("duration_minutes") is None else str(spec["duration_minutes"]),
            "difficulty": "" if spec.get("difficulty") is None else str(spec["difficulty"]),
            "questions": "\n".join(spec.get("questions", [])),
        }
        for spec in answers.get("rounds") or []
    ]
    kinds = sorted({kind for kind, _value in answers.get(PERSONAL_KEY, [])})
    return {"fields": values, "rounds": rounds, "personal": kinds}
