"""Share in one message: a pasted write-up (or a .txt/.md file) fills the sharing dialog's answers.

`/share` opens on `PasteStep`: a pasted write-up runs through `core.analytics.extract.extract_draft`,
`draft_answers` maps the draft onto the dialog's answer keys and option values, and from then on the
dialog asks only for what is still missing (`next_missing`, in `PASTE_ORDER`) plus what a write-up
never holds (name, branch, roll number, passout year in one `AboutStep` message; anonymity; rating).
`PasteAware` wraps the ordinary steps so that, in paste mode, answering one goes to the next missing
field instead of the next step of the 16-step path; outside paste mode it changes nothing. `MaskingReview`
wraps the review screen: personal data seen in the write-up is pointed out with a "Mask it" button.
A long message or a text file sent outside any dialog is offered as a write-up (`OfferStep`).
"""

from __future__ import annotations

import contextlib
import logging
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import quote

from core.analytics.extract import CompanyName as ExtractCompany
from core.analytics.extract import Draft, PersonalData, extract_draft, mask_personal_data
from core.config import college_code
from core.dialog.sections import EDIT_FLAG
from core.dialog.steps import (
    DialogContext,
    Done,
    Invalid,
    Next,
    Outcome,
    Stay,
    Step,
    answer_text,
    choice_index,
)
from core.domain import experience
from core.domain.experience import MIN_NARRATIVE, OUTCOMES, ROUND_KINDS, SOURCES
from core.events import Attachment, IncomingEvent
from core.features.share.rules import submission_of
from core.replies import Button, Field, Form, Reply, link_button
from core.text_norm import collapse_spaces

logger = logging.getLogger(__name__)

PASTE_KEY = "_paste"  # answers flag: this dialog was filled from a write-up
PERSONAL_KEY = "_personal"  # [[kind, value], ...] seen in the write-up, until masked or dismissed
OFFERED_KEY = "_offered_text"  # the text of a message offered as a write-up outside any dialog
MAX_FILE_BYTES = 64 * 1024  # a long write-up is ~10 KB; anything bigger is not a write-up
TEXT_SUFFIXES = (".txt", ".md", ".markdown")
TEXT_MIMES = ("text/plain", "text/markdown", "text/x-markdown")
MIN_WRITEUP = 150  # characters: shorter text at the first step is a typed name, not a write-up
OFFER_MIN = 300  # a plain message outside a dialog this long (with a company or rounds) is offered
STEP_BY_STEP = "stepwise"
PROMPT = (
    "Let's share your interview experience!\n"
    "📋 **Paste your whole write-up in one message** (or send a .txt / .md file): I fill in the form "
    "from it and ask only for what is missing.\n"
    "📝 Or answer step by step: press Step by step, or just type your name to begin."
)
SOURCE_MAP = {
    "campus": "on_campus",
    "off_campus": "off_campus",
    "referral": "referral",
    "internship_ppo": "internship_conversion",
}
DOMAIN_KINDS = {value for value, _label in ROUND_KINDS}
DOMAIN_SOURCES = {value for value, _label in SOURCES}
DOMAIN_OUTCOMES = {value for value, _label in OUTCOMES}
NARRATIVE_KEYS = ("preparation", "reflections", "role_description")
# The dialog's steps in the order a write-up's gaps are asked, with the answer key that fills each.
PASTE_ORDER: tuple[tuple[str, str], ...] = (
    ("about", "roll_number"),
    ("anonymous", "anonymous"),
    ("company", "company_name"),
    ("interview_year", "interview_year"),
    ("role", "role"),
    ("source", "source"),
    ("round_kind", "rounds"),
    ("preparation", "preparation"),
    ("reflections", "reflections"),
    ("outcome", "outcome"),
    ("difficulty", "difficulty"),
    ("rating", "rating"),
)
FILLED_BY = dict(PASTE_ORDER)
SUB_STEPS = {"company_confirm", "round_duration", "round_questions", "round_difficulty", "review_edit"}
# Sub-steps whose answer leads back into the main order: in paste mode they too skip fields already
# filled (confirming a new company must not ask the year the write-up gave).
REJOINING = {"company_confirm"}


def _missing(answers: dict[str, Any], key: str) -> bool:
    value = answers.get(key)
    return value is None or value == "" or value == []


def next_missing(answers: dict[str, Any]) -> str:
    """The step that asks the first field a write-up left empty (PASTE_ORDER), or "review" when none."""
    for step, key in PASTE_ORDER:
        if _missing(answers, key):
            if step == "company" and answers.get("company_typed") and "company_suggestions" in answers:
                return "company_confirm"
            return step
    return "review"


def paste_header(ctx: DialogContext, step: Step) -> str | None:
    """The header of a question asked to fill a pasted write-up's gaps: "**Company** · 3 questions left".

    The gaps are asked in PASTE_ORDER, not in section order, so "N/16" would jump (16/16 then 6/16);
    the count of fields still empty (this one included) only goes down. None outside paste mode and on
    the review screen's edits, which keep the usual numbered header.
    """
    if not ctx.answers.get(PASTE_KEY) or ctx.answers.get(EDIT_FLAG) is not None:
        return None
    left = max(1, sum(1 for _step, key in PASTE_ORDER if _missing(ctx.answers, key)))
    return f"**{step.title}** · {left} question{'s' if left != 1 else ''} left"


def fill_round_difficulty(answers: dict[str, Any]) -> None:
    """Rounds read from a write-up take the overall difficulty until the student edits them (field 11)."""
    overall = answers.get("difficulty")
    if overall is None:
        return
    for spec in answers.get("rounds") or []:
        if spec.get("difficulty") is None:
            spec["difficulty"] = int(overall)


def draft_rounds(draft: Draft, max_rounds: int, max_questions: int) -> list[dict[str, Any]]:
    """The draft's rounds in the dialog's format: kind in the domain's ROUND_KINDS, questions capped.

    Kinds the domain does not have (case interview, resume shortlisting) become "other"; questions the
    extractor did not place in a round go to the first coding/technical round (else the first round);
    a write-up with questions but no stage phrases becomes one technical round.
    """
    rounds: list[dict[str, Any]] = [
        {
            "kind": spec.kind if spec.kind in DOMAIN_KINDS else "other",
            "duration_minutes": spec.duration_minutes,
            "difficulty": None,
            "questions": list(spec.questions),
        }
        for spec in draft.rounds[:max_rounds]
    ]
    placed = {q for spec in rounds for q in spec["questions"]}
    loose = [q for q in draft.questions if q not in placed]
    if loose:
        if not rounds:
            rounds.append(
                {"kind": "technical", "duration_minutes": None, "difficulty": None, "questions": []}
            )
        target = next((r for r in rounds if r["kind"] in ("coding", "technical")), rounds[0])
        target["questions"].extend(loose)
    for spec in rounds:
        spec["questions"] = [q[:1000] for q in spec["questions"]][:max_questions]
    return rounds


def _narrative(text: str, max_text: int) -> str | None:
    text = text.strip()
    if len(text) < MIN_NARRATIVE:
        return None
    return text if len(text) <= max_text else text[: max_text - 1].rstrip() + "…"


async def draft_answers(ctx: DialogContext, text: str) -> dict[str, Any]:
    """Read `text` with extract_draft and return the dialog answers it fills (keys of flow.py's steps).

    Company names resolve through the matcher like CompanyStep: an exact name or alias gives
    company_id/company_name, anything else leaves company_typed plus suggestions for "did you mean".
    Personal data spans are kept as [[kind, value], ...] under PERSONAL_KEY for the review screen.
    """
    services = ctx.services
    config = services.config.submission
    known = await services.repos.companies.all_names()
    companies = [ExtractCompany(c.name, tuple(c.aliases)) for c in known]
    draft = extract_draft(text, companies, this_year=services.this_year())
    max_text = services.config.dialog.max_text_chars
    answers: dict[str, Any] = {PASTE_KEY: True, "linkedin": None, "role_description": None}
    if draft.company:
        match = await services.companies.match(draft.company)
        if match.exact is not None:
            answers.update(company_id=match.exact.id, company_name=match.exact.name)
        else:
            answers["company_typed"] = draft.company[:120]
            answers["company_suggestions"] = [[c.id, c.name] for c in match.suggestions]
    if draft.interview_year is not None and draft.interview_year <= services.this_year():
        answers["interview_year"] = draft.interview_year
    if draft.role:
        with contextlib.suppress(Invalid):  # an odd role is asked again instead
            answers["role"] = experience.validate_role(draft.role)
    source = SOURCE_MAP.get(draft.source or "")
    if source in DOMAIN_SOURCES:
        answers["source"] = source
    if draft.outcome in DOMAIN_OUTCOMES:
        answers["outcome"] = draft.outcome
    if draft.difficulty is not None and 1 <= draft.difficulty <= 5:
        answers["difficulty"] = int(draft.difficulty)
    rounds = draft_rounds(draft, config.max_rounds, config.max_questions_per_round)
    if rounds:
        answers["rounds"] = rounds
    for key, value in (("preparation", draft.preparation), ("reflections", draft.tips)):
        narrative = _narrative(value, max_text)
        if narrative:
            answers[key] = narrative
    personal = [[p.kind, p.value] for p in draft.personal_data]
    if personal:
        answers[PERSONAL_KEY] = [list(pair) for pair in dict.fromkeys(tuple(p) for p in personal)]
    fill_round_difficulty(answers)
    found = [k for k in ("company", "role", "interview_year", "rounds", "outcome") if k not in draft.missing]
    logger.info("write-up of %d chars filled %s", len(text), ", ".join(found) or "nothing")
    return answers


def looks_like_writeup(draft: Draft) -> bool:
    """A draft with a company or at least one round: worth offering as an experience."""
    return bool(draft.company or draft.rounds)


async def offer_text(services: Any, event: IncomingEvent) -> str | None:
    """The write-up to offer for sharing from a message outside any dialog, or None.

    A .txt/.md upload is offered whatever it says (sending a text file to the bot has no other use);
    a plain message is offered when it is at least OFFER_MIN characters and the extractor finds a
    company or a round in it, so a long question or a search is never mistaken for a write-up.
    """
    if event.kind == "upload":
        files = [a for a in event.attachments if is_text_file(a)]
        if not files:
            return None
        try:
            return await read_text_file(files[0])
        except Invalid as problem:
            logger.info("text file not offered for sharing: %s", problem)
            return None
    if event.kind != "text" or len(event.text) < OFFER_MIN:
        return None
    known = await services.repos.companies.all_names()
    companies = [ExtractCompany(c.name, tuple(c.aliases)) for c in known]
    draft = extract_draft(event.text, companies, this_year=services.this_year())
    return event.text if looks_like_writeup(draft) else None


def is_text_file(attachment: Attachment) -> bool:
    """A .txt/.md upload (Discord turns long pastes into message.txt, text/plain)."""
    name = (attachment.filename or "").lower()
    mime = (attachment.mime or "").split(";")[0].strip().lower()
    return name.endswith(TEXT_SUFFIXES) or mime in TEXT_MIMES


async def read_text_file(attachment: Attachment) -> str:
    """The attachment's bytes as UTF-8 text; Invalid with a friendly message for anything else."""
    if not is_text_file(attachment):
        raise Invalid("I can read a write-up pasted as a message, or sent as a .txt or .md file.")
    if (attachment.size or 0) > MAX_FILE_BYTES or attachment.fetch is None:
        raise Invalid(
            f"That file is too big for a write-up (the limit is {MAX_FILE_BYTES // 1024} KB). "
            "Paste the text as a message instead."
        )
    try:
        data = await attachment.fetch()
    except Exception:  # the platform's download failed (network, expired link): say so, keep the dialog
        logger.warning("could not download %s", attachment.filename, exc_info=True)
        raise Invalid("I could not download that file just now. Send it again, or paste the text.") from None
    if len(data) > MAX_FILE_BYTES:
        raise Invalid(f"That file is too big for a write-up (the limit is {MAX_FILE_BYTES // 1024} KB).")
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise Invalid(
            "I could not read that file as text (UTF-8). Paste the write-up as a message."
        ) from None
    text = text.replace("\r\n", "\n").replace("\x00", "")
    if not text.strip():
        raise Invalid("That file is empty. Paste your write-up as a message instead.")
    return text


async def event_writeup(event: IncomingEvent) -> str | None:
    """The write-up an event carries: its text, or the first text file's content (None: neither)."""
    if event.kind == "upload":
        files = [a for a in event.attachments if is_text_file(a)]
        if not files:
            if event.attachments:
                await read_text_file(event.attachments[0])  # raises the friendly message
            return None
        return await read_text_file(files[0])
    text = answer_text(event, "name")
    return text if text and text.strip() else None


async def start_from_writeup(ctx: DialogContext, text: str) -> Outcome:
    """Fill the answers from `text` and go to the first field still missing."""
    ctx.answers.update(await draft_answers(ctx, text))
    filled = sum(1 for _step, key in PASTE_ORDER if not _missing(ctx.answers, key))
    ctx.notes.append(
        f"📋 I read your write-up and filled {filled} of {len(PASTE_ORDER)} fields"
        + (f" (company: {ctx.answers['company_name']})" if ctx.answers.get("company_name") else "")
        + ". A few questions for what a write-up doesn't say, then you can check everything."
    )
    return Next(next_missing(ctx.answers))


FORM_PAGE_LABEL = "🗒 Fill in the form"


async def form_page_row(ctx: DialogContext) -> tuple[tuple[Button, ...], ...]:
    """The sharing form on one screen (web.public_url/c/<college>/share), offered in private chats where
    the platform opens it inside the chat app (a Telegram Mini App: https only); none otherwise."""
    config = ctx.services.config
    public = config.web.public_url
    if not public.startswith("https://") or not ctx.actor.chat.is_private:
        return ()
    code = college_code(config)
    if ctx.actor.college_id is not None:
        college = await ctx.services.repos.colleges.get(ctx.actor.college_id)
        code = college.code if college is not None else code
    url = f"{public.rstrip('/')}/c/{quote(code, safe='')}/share"
    return ((link_button(FORM_PAGE_LABEL, url, app_only=True),),)


@dataclass
class PasteStep:
    """The first step of /share: a write-up (text or file), "Step by step", or a typed name."""

    name: str = "start"
    title: str = "Share"
    section: int = 0

    async def prompt(self, ctx: DialogContext) -> Reply:
        form = Form(
            "Your interview write-up",
            # keyed "name": the same box takes a whole write-up or just a name (the step-by-step start)
            (Field("name", "Your write-up, or just your name", max_length=4000, multiline=True),),
            ctx.token("form"),
        )
        buttons = ((Button("📝 Step by step", ctx.token(STEP_BY_STEP)),), *await form_page_row(ctx))
        return Reply(text=PROMPT, buttons=buttons, form=form, private=True)

    async def accept(self, ctx: DialogContext, event: IncomingEvent) -> Outcome:
        if choice_index(ctx, event) == STEP_BY_STEP:
            return Next("name")
        text = await event_writeup(event)
        if text is None:
            raise Invalid("Paste your write-up as a message (or a .txt/.md file), or press Step by step.")
        if event.kind != "upload" and len(text) < MIN_WRITEUP and "\n" not in text.strip():
            if len(text) > 80:
                raise Invalid(
                    f"That is {len(text):,} characters; please keep it under 80. Shorten it a little."
                )
            ctx.answers["name"] = experience.validate_name(text)  # the step-by-step path, begun by typing
            return Next("linkedin")
        if len(text) < MIN_WRITEUP:
            raise Invalid(
                f"That is short for a write-up ({len(text)} characters). Paste the whole story, or press "
                "Step by step."
            )
        return await start_from_writeup(ctx, text)

    def show(self, answers: dict[str, Any]) -> str:
        return "your write-up" if answers.get(PASTE_KEY) else str(answers.get("name") or "step by step")


@dataclass
class OfferStep:
    """A long message sent outside any dialog: "Share this as your interview experience?"."""

    name: str = "offer"
    title: str = "Share"
    section: int = 0

    async def prompt(self, ctx: DialogContext) -> Reply:
        buttons = (
            (
                Button("✅ Yes, share it", ctx.token("yes")),
                Button("No, thanks", ctx.token("no")),
            ),
        )
        return Reply(
            text="That looks like an interview write-up. **Share this as your interview experience?** "
            "I fill in the form from it and ask only for what is missing.",
            buttons=buttons,
            private=True,
        )

    async def accept(self, ctx: DialogContext, event: IncomingEvent) -> Outcome:
        choice = choice_index(ctx, event)
        typed = (event.text or "").strip().lower() if event.kind == "text" else ""
        if choice == "yes" or typed in {"yes", "y", "share"}:
            text = ctx.answers.pop(OFFERED_KEY, "")
            return await start_from_writeup(ctx, text)
        return Done(
            (
                Reply(
                    text="OK, not shared. Send /share whenever you want to share an experience.", private=True
                ),
            )
        )

    def show(self, answers: dict[str, Any]) -> str:
        return ""


ROLL_TOKEN = re.compile(r"[A-Za-z0-9/]{5,20}")


@dataclass
class AboutStep:
    """Name, branch, roll number and passout year in one message ("Asha Rao, CSE, 21CSE1234, 2024").

    The parts may come in any order, separated by commas or new lines: a 4-digit year in the passout
    range is the passout year, a configured branch is the branch, a token in the roll-number format is
    the roll number, and what is left is the name. A form (Discord modal) asks the four at once.
    """

    name: str = "about"
    title: str = "About you"
    section: int = 0

    async def prompt(self, ctx: DialogContext) -> Reply:
        config = submission_of(ctx)
        branches = ", ".join(config.branches)
        years = config.passout_years
        example_year = min(years.last, max(years.first, ctx.services.this_year()))
        text = (
            "About you, in one message: **your name, branch, roll number and passout year**, e.g. "
            f"Asha Rao, CSE, {config.roll_number_example or '21CSE1234'}, {example_year}.\n"
            f"Branches: {branches}. Your roll number only verifies you and is never shown publicly; "
            "next you choose whether your name is shown."
        )
        form = Form(
            "About you",
            (
                Field("name", "Name", max_length=80),
                Field("branch", "Branch", max_length=40, placeholder=branches[:100]),
                Field("roll_number", "Roll number (private)", max_length=40),
                Field("passout_year", "Year of passout", max_length=4),
            ),
            ctx.token("form"),
        )
        return Reply(text=text, form=form, private=True)

    async def accept(self, ctx: DialogContext, event: IncomingEvent) -> Outcome:
        if event.kind == "form":
            parts = [event.form.get(k, "") for k in ("name", "branch", "roll_number", "passout_year")]
        elif event.kind == "text":
            parts = [p for p in re.split(r"[,\n;]+", event.text) if p.strip()]
        else:
            raise Invalid("Please type your name, branch, roll number and passout year in one message.")
        ctx.answers.update(self.parse(parts, ctx))
        return Next(next_missing(ctx.answers))

    @staticmethod
    def parse(parts: Sequence[str], ctx: DialogContext) -> dict[str, Any]:
        """The four answers from the message's parts; Invalid naming what is missing or wrong."""
        config = submission_of(ctx)
        branches = {b.lower(): b for b in config.branches}
        years = config.passout_years
        found: dict[str, Any] = {}
        rest: list[str] = []
        for raw in parts:
            part = collapse_spaces(raw)
            if not part:
                continue
            if "passout_year" not in found and re.fullmatch(r"(?:19|20)\d{2}", part):
                year = int(part)
                if not years.first <= year <= years.last:
                    raise Invalid(f"The passout year must be between {years.first} and {years.last}.")
                found["passout_year"] = year
            elif "branch" not in found and part.lower() in branches:
                found["branch"] = branches[part.lower()]
            elif (
                "roll_number" not in found
                and ROLL_TOKEN.fullmatch(part.replace(" ", ""))
                and any(ch.isdigit() for ch in part)
            ):
                found["roll_number"] = experience.validate_roll(part, config)
            else:
                rest.append(part)
        if rest:
            found["name"] = experience.validate_name(" ".join(rest))
        labels = {
            "name": "name",
            "branch": "branch",
            "roll_number": "roll number",
            "passout_year": "passout year",
        }
        absent = [labels[k] for k in labels if k not in found]
        if absent:
            raise Invalid(
                "I still need your " + ", ".join(absent) + ". Send all four in one message, e.g. "
                f"Asha Rao, {config.branches[0]}, 21CSE1234, {years.last}."
            )
        return found

    def show(self, answers: dict[str, Any]) -> str:
        return str(answers.get("name") or "—")


@dataclass
class PasteAware:
    """An ordinary step that, in paste mode, goes on to the next missing field instead of its successor.

    `after` is the step that naturally follows (the flow's order). Sub-steps (company confirmation,
    a round's duration/questions/difficulty) are left alone, and a target that is itself still missing
    is kept (e.g. "type the company again").
    """

    inner: Step
    after: str | None = None
    name: str = field(init=False)
    title: str = field(init=False)
    section: int = field(init=False)

    def __post_init__(self) -> None:
        self.name, self.title, self.section = self.inner.name, self.inner.title, self.inner.section

    def __getattr__(self, attribute: str) -> Any:
        """Everything else (show, hint, example) is the wrapped step's."""
        if attribute == "inner":  # not set yet (copying or unpickling): no recursion
            raise AttributeError(attribute)
        return getattr(self.inner, attribute)

    async def prompt(self, ctx: DialogContext) -> Reply:
        return await self.inner.prompt(ctx)

    async def accept(self, ctx: DialogContext, event: IncomingEvent) -> Outcome:
        outcome = await self.inner.accept(ctx, event)
        if not ctx.answers.get(PASTE_KEY) or not isinstance(outcome, Next):
            return outcome
        fill_round_difficulty(ctx.answers)
        target = outcome.step or self.after
        if target is None or target in SUB_STEPS:
            return outcome
        key = FILLED_BY.get(target)
        if key is not None and _missing(ctx.answers, key):
            return Next(target)
        return Next(next_missing(ctx.answers))

    def show(self, answers: dict[str, Any]) -> str:
        return self.inner.show(answers)


def mask_answers(answers: dict[str, Any]) -> int:
    """Mask the personal data of PERSONAL_KEY in the narrative answers and the rounds' questions.

    Every occurrence of each value is replaced by extract.mask_personal_data's placeholder; returns
    how many were masked. The author's own name/roll answers are kept (they are private fields).
    """
    found = [(kind, value) for kind, value in answers.get(PERSONAL_KEY) or [] if value]
    count = 0

    def masked(text: str) -> str:
        nonlocal count
        spans: list[PersonalData] = []
        for kind, value in found:
            for hit in re.finditer(re.escape(value), text, flags=re.IGNORECASE):
                spans.append(PersonalData(kind, value, hit.start(), hit.end()))
        spans.sort(key=lambda p: (p.start, -(p.end - p.start)))
        kept: list[PersonalData] = []
        for span in spans:
            if not kept or span.start >= kept[-1].end:
                kept.append(span)
        count += len(kept)
        return mask_personal_data(text, kept) if kept else text

    for key in (*NARRATIVE_KEYS, "role"):
        if isinstance(answers.get(key), str):
            answers[key] = masked(answers[key])
    for spec in answers.get("rounds") or []:
        spec["questions"] = [masked(q) for q in spec.get("questions", [])]
    answers.pop(PERSONAL_KEY, None)
    return count


PERSONAL_LABELS = {
    "name": "a name",
    "roll_number": "a roll number",
    "email": "an e-mail address",
    "phone": "a phone number",
    "linkedin": "a LinkedIn link",
}


def still_present(answers: dict[str, Any]) -> list[list[str]]:
    """The personal data found in the write-up that the answers still contain (an edit may have
    removed some): the review warns only about what other students would really see."""
    found = answers.get(PERSONAL_KEY) or []
    if not found:
        return []
    keys = ("role", "role_description", "preparation", "reflections")
    parts = [str(answers.get(key) or "") for key in keys]
    parts += [str(q) for spec in answers.get("rounds") or [] for q in spec.get("questions", [])]
    text = "\n".join(parts).casefold()
    return [pair for pair in found if pair[1] and str(pair[1]).casefold() in text]


@dataclass
class MaskingReview:
    """The review screen, plus a warning and a "Mask it" button when the write-up held personal data."""

    inner: Any  # core.features.share.steps.ReviewStep
    name: str = field(init=False)
    title: str = field(init=False)
    section: int = field(init=False)

    def __post_init__(self) -> None:
        self.name, self.title, self.section = self.inner.name, self.inner.title, self.inner.section

    async def prompt(self, ctx: DialogContext) -> Reply:
        reply = await self.inner.prompt(ctx)
        found = still_present(ctx.answers)
        if not found:
            return reply
        listed = "; ".join(f'{PERSONAL_LABELS.get(kind, kind)} "{value}"' for kind, value in found[:8])
        warning = (
            f"\n\n⚠️ **Personal data in your write-up:** {listed}. Other students would see it. "
            "Press Mask it to replace it with placeholders like [name], or Mask and submit (or edit the "
            "fields yourself)."
        )
        buttons = (
            (Button("🙈 Mask and submit", ctx.token("masksubmit")),),
            (Button("🙈 Mask it", ctx.token("mask")), Button("Keep as is", ctx.token("keepdata"))),
            *reply.buttons,
        )
        return Reply(text=reply.text + warning, buttons=buttons, form=reply.form, private=True)

    async def accept(self, ctx: DialogContext, event: IncomingEvent) -> Outcome:
        choice = choice_index(ctx, event)
        typed = (event.text or "").strip().lower() if event.kind == "text" else ""
        if ctx.answers.get(PERSONAL_KEY) and (choice == "mask" or typed in {"mask", "mask it"}):
            count = mask_answers(ctx.answers)
            return Stay(f"🙈 Masked {count} mention(s) of personal data.")
        if ctx.answers.get(PERSONAL_KEY) and choice == "masksubmit":
            mask_answers(ctx.answers)
            return Done(tuple(await self.inner.submit(ctx)))
        if choice == "keepdata":
            ctx.answers.pop(PERSONAL_KEY, None)
            return Stay("Kept as written.")
        return await self.inner.accept(ctx, event)

    def show(self, answers: dict[str, Any]) -> str:
        return ""
