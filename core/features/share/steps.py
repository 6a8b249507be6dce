"""Steps of the sharing dialog that need more than a plain Ask/Choose: company, rounds, review."""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass
from typing import Any

from core.dialog.sections import start_edit
from core.dialog.steps import (
    Choose,
    DialogContext,
    Done,
    Invalid,
    Next,
    Option,
    Outcome,
    Stay,
    answer_text,
    choice_index,
)
from core.domain.experience import ROUND_KINDS
from core.events import IncomingEvent
from core.replies import Button, Field, Form, Reply, button_rows
from core.text_norm import collapse_spaces

logger = logging.getLogger(__name__)

ROUND_LABELS = dict(ROUND_KINDS)
DONE_ROUNDS = "done"
QUESTION_BULLET = re.compile(r"^\s*(?:[-*•]+|q?\d{1,2}\s*[.):-]|q\s*[.):-])\s*", re.IGNORECASE)


@dataclass
class CompanyStep:
    """Ask for the company; exact names/aliases match at once, near misses get "did you mean ...?"."""

    name: str = "company"
    title: str = "Company"
    section: int = 6

    async def prompt(self, ctx: DialogContext) -> Reply:
        form = Form(
            "Company",
            (Field("company", "Company name", max_length=120, placeholder="e.g. TCS"),),
            ctx.token("form"),
        )
        return Reply(
            text="Which company was the interview with? (e.g. TCS, Amazon, Infosys)", form=form, private=True
        )

    async def accept(self, ctx: DialogContext, event: IncomingEvent) -> Outcome:
        raw = collapse_spaces(answer_text(event, self.name) or "")
        if not raw:
            raise Invalid("Please type the company's name, for example TCS or Amazon.")
        if len(raw) > 120 or not re.search(r"[A-Za-z0-9]", raw):
            raise Invalid("A company name is 1 to 120 characters with at least one letter or digit.")
        match = await ctx.services.companies.match(raw)
        ctx.answers["company_typed"] = raw.title() if raw.islower() else raw
        if match.exact is not None:
            ctx.answers.update(company_id=match.exact.id, company_name=match.exact.name)
            ctx.answers.pop("company_suggestions", None)
            return Next("interview_year")
        ctx.answers["company_suggestions"] = [[c.id, c.name] for c in match.suggestions]
        ctx.answers.pop("company_id", None)
        ctx.answers.pop("company_name", None)
        return Next("company_confirm")

    def show(self, answers: dict[str, Any]) -> str:
        return answers.get("company_name") or "—"


def company_options(ctx: DialogContext) -> list[Option]:
    """The "did you mean" choices: suggestions, the typed name as a new company, or type again."""
    typed = ctx.answers.get("company_typed", "")
    options = [Option(["known", cid, name], name) for cid, name in ctx.answers.get("company_suggestions", [])]
    options.append(Option(["new", None, typed], f'Add "{typed[:40]}" as a new company'))
    options.append(Option(["retype", None, None], "Type it again"))
    return options


def company_question(ctx: DialogContext) -> str:
    typed = ctx.answers.get("company_typed", "")
    if ctx.answers.get("company_suggestions"):
        return f'I don\'t know "{typed}" exactly. Did you mean one of these?'
    return f'I don\'t know "{typed}" yet. Add it as a new company, or type the name again?'


def company_chosen(ctx: DialogContext, value: Any) -> Outcome:
    kind, company_id, name = value
    ctx.answers.pop("company_confirm", None)
    if kind == "retype":
        return Next("company")
    ctx.answers.update(company_id=company_id, company_name=name)
    return Next("interview_year")


def company_confirm_step() -> Choose:
    """The "did you mean ...?" step after an unknown company name."""
    return Choose(
        "company_confirm",
        "Company",
        company_question,
        company_options,
        per_row=1,
        section=6,
        then=company_chosen,
    )


def round_kind_options(ctx: DialogContext) -> list[Option]:
    options = [Option(value, label) for value, label in ROUND_KINDS]
    if ctx.answers.get("rounds"):
        options.append(Option(DONE_ROUNDS, "✅ Done with rounds"))
    return options


def round_kind_question(ctx: DialogContext) -> str:
    count = len(ctx.answers.get("rounds", []))
    if count == 0:
        return "Now the rounds, one at a time. What was the first round?"
    return f"{count} round(s) so far. What was round {count + 1}? Or press Done if that was all."


def round_kind_chosen(ctx: DialogContext, value: Any) -> Outcome:
    if value == DONE_ROUNDS:
        return Next("preparation")
    ctx.answers["round"] = {"kind": value, "questions": []}
    return Next("round_duration")


def round_kind_step() -> Choose:
    """Which kind of round came next (or done)."""
    return Choose(
        "round_kind", "Rounds", round_kind_question, round_kind_options, section=11, then=round_kind_chosen
    )


def parse_duration(raw: str, ctx: DialogContext) -> int:
    """Minutes from "45", "45 min", "1h", "1.5 hours", "1h 30m"; 1 to 600."""
    text = raw.strip().lower().replace(" ", "")
    match = re.fullmatch(r"(?:(\d+(?:\.\d+)?)h(?:ours?|rs?)?)?(?:(\d+)m(?:in(?:ute)?s?)?)?", text)
    minutes: float | None = None
    if text.isascii() and text.isdigit():  # "²".isdigit() is true but int() refuses it
        minutes = int(text)
    elif match and (match.group(1) or match.group(2)):
        minutes = float(match.group(1) or 0) * 60 + int(match.group(2) or 0)
    if minutes is None or not 1 <= minutes <= 600:
        raise Invalid("Please give the duration in minutes (1 to 600), like 45 or 1h 30m, or press Skip.")
    ctx.answers["round"]["duration_minutes"] = int(round(minutes))
    return int(round(minutes))


def split_questions(raw: str) -> list[str]:
    """One question per line; list bullets and numbering ("1.", "Q2)", "-") are removed."""
    questions = []
    for line in raw.splitlines():
        text = collapse_spaces(QUESTION_BULLET.sub("", line))
        if text:
            questions.append(text)
    return questions


@dataclass
class QuestionsStep:
    """Collect the questions of the current round: one or many per message, until Done."""

    max_questions: int
    max_length: int = 1000
    name: str = "round_questions"
    title: str = "Rounds"
    section: int = 11

    async def prompt(self, ctx: DialogContext) -> Reply:
        current = ctx.answers.get("round", {})
        kind = ROUND_LABELS.get(current.get("kind", ""), "this round")
        noted = current.get("questions", [])
        count = len(noted)
        if count:
            listed = "\n".join(f"• {q}" for q in noted)
            text = f"{count} question(s) noted for the {kind} round:\n{listed}\nSend more, or press Done."
        else:
            text = (
                f"Which questions were asked in the {kind} round? Send one per line (several lines in "
                "one message are fine). For an aptitude test, describe the sections."
            )
        buttons = (
            [
                Button("✅ Done with questions", ctx.token("done")),
                Button("🗑 Clear and retype", ctx.token("clear")),
            ]
            if count
            else []
        )
        form = Form(
            "Questions",
            (Field("round_questions", "Questions (one per line)", max_length=4000, multiline=True),),
            ctx.token("form"),
        )
        return Reply(text=text, buttons=button_rows(buttons), form=form, private=True)

    async def accept(self, ctx: DialogContext, event: IncomingEvent) -> Outcome:
        current = ctx.answers.setdefault("round", {"kind": "other", "questions": []})
        questions = current.setdefault("questions", [])
        choice = choice_index(ctx, event)
        if choice == "done" or (event.kind == "text" and event.text.strip().lower() in {"done", "next"}):
            if not questions:
                raise Invalid("Add at least one question (or a short description of the round) first.")
            return Next("round_difficulty")
        if choice == "clear":
            questions.clear()
            return Stay("Cleared this round's questions.")
        raw = answer_text(event, self.name)
        if raw is None:
            raise Invalid("Please type the questions as a message, one per line.")
        new = split_questions(raw)
        if not new:
            raise Invalid("That was empty. Type the questions, one per line.")
        too_long = [q for q in new if len(q) > self.max_length]
        if too_long:
            raise Invalid(
                f"Each question can be up to {self.max_length:,} characters; one was {len(too_long[0]):,}."
            )
        room = self.max_questions - len(questions)
        if room <= 0 or len(new) > room:
            raise Invalid(
                f"A round can list up to {self.max_questions} questions; you can add {max(room, 0)} more. "
                "Press Done to continue."
            )
        questions.extend(new)
        return Stay(f"Added {len(new)} question(s).")

    def show(self, answers: dict[str, Any]) -> str:
        return "; ".join(answers.get("round", {}).get("questions", [])) or "—"


def round_difficulty_chosen(ctx: DialogContext, value: Any) -> Outcome:
    current = ctx.answers.pop("round", {"kind": "other", "questions": []})
    current["difficulty"] = value
    ctx.answers.pop("round_difficulty", None)
    rounds = ctx.answers.setdefault("rounds", [])
    rounds.append(current)
    if len(rounds) >= ctx.services.config.submission.max_rounds:
        ctx.notes.append(f"That makes {len(rounds)} rounds, the most one experience can hold.")
        return Next("preparation")
    return Next("round_kind")


def scale_options(low: str, high: str) -> list[Option]:
    """1-5 options with the ends explained."""
    return [Option(1, f"1 {low}"), Option(2, "2"), Option(3, "3"), Option(4, "4"), Option(5, f"5 {high}")]


def round_difficulty_step() -> Choose:
    """How hard the current round was."""
    return Choose(
        "round_difficulty",
        "Rounds",
        "How difficult was this round? (1 easy … 5 very hard)",
        scale_options("easy", "very hard"),
        per_row=5,
        section=11,
        then=round_difficulty_chosen,
        display=lambda a: f"{a['rounds'][-1]['difficulty']}/5" if a.get("rounds") else "—",
    )


def describe_rounds(rounds: list[dict[str, Any]]) -> str:
    """The rounds as numbered lines for the review screen."""
    if not rounds:
        return "—"
    lines = []
    for number, spec in enumerate(rounds, start=1):
        duration = f", {spec['duration_minutes']} min" if spec.get("duration_minutes") else ""
        kind = ROUND_LABELS.get(spec["kind"], spec["kind"])
        lines.append(f"   {number}) {kind}{duration}, difficulty {spec['difficulty']}/5")
        lines.extend(f"      • {q}" for q in spec.get("questions", []))
    return "\n" + "\n".join(lines)


@dataclass
class ReviewStep:
    """Show everything with numbered fields: submit, edit field N, or cancel."""

    fields: list[tuple[int, str, str, Any]]  # (number, label, first step name, shower)
    submit: Any  # async (ctx) -> list[Reply]
    name: str = "review"
    title: str = "Review"
    section: int = 0

    async def prompt(self, ctx: DialogContext) -> Reply:
        lines = ["**Please check your experience before it is submitted:**"]
        for number, label, _step, shower in self.fields:
            lines.append(f"{number}. {label}: {shower(ctx.answers)}")
        lines.append("")
        lines.append('Press Submit, pick a field to edit (or type "edit 7"), or Cancel.')
        buttons = [
            (Button("✅ Submit", ctx.token("submit")),),
            (Button("✏️ Edit a field", ctx.token("edit")), Button("❌ Cancel", ctx.token("cancel"))),
        ]
        return Reply(text="\n".join(lines), buttons=tuple(buttons), private=True)

    async def accept(self, ctx: DialogContext, event: IncomingEvent) -> Outcome:
        choice = choice_index(ctx, event)
        typed = (event.text or "").strip().lower() if event.kind == "text" else ""
        if choice == "submit" or typed in {"submit", "yes"}:
            return Done(tuple(await self.submit(ctx)))
        if choice == "cancel" or typed == "cancel":
            return Done((Reply(text="Cancelled: nothing was submitted.", private=True),))
        if choice == "edit" or typed == "edit":
            return Next("review_edit")
        match = re.fullmatch(r"(?:edit\s*)?(\d{1,2})", typed)
        if match:
            return self.edit(ctx, int(match.group(1)))
        raise Invalid('Press Submit, Edit a field or Cancel (or type "edit 7" to change field 7).')

    def edit(self, ctx: DialogContext, number: int) -> Outcome:
        """Jump to the first step of field `number`, coming back here when it is answered."""
        for field_number, _label, step_name, _shower in self.fields:
            if field_number == number:
                start_edit(ctx.answers, field_number)
                if step_name == "round_kind":
                    ctx.answers["rounds"] = []
                    ctx.answers.pop("round", None)
                return Next(step_name)
        raise Invalid(f"There is no field {number}; pick 1 to {self.fields[-1][0]}.")

    def show(self, answers: dict[str, Any]) -> str:
        return ""


def review_edit_step(review: ReviewStep) -> Choose:
    """Pick the field to edit from the review screen."""
    options = [Option(number, f"{number}. {label}") for number, label, _s, _f in review.fields]

    def chosen(ctx: DialogContext, value: Any) -> Outcome:
        ctx.answers.pop("review_edit", None)
        return review.edit(ctx, value)

    return Choose(
        "review_edit", "Edit", "Which field do you want to change?", options, per_row=2, then=chosen
    )
