"""The sharing dialog: a student tells their interview experience step by step; it waits for moderation."""

from __future__ import annotations

import logging
from datetime import timedelta
from typing import Any

from core.config import SubmissionConfig
from core.dialog.engine import Flow
from core.dialog.sections import sectioned
from core.dialog.steps import Ask, Choose, DialogContext, Invalid, Option, Step, yes_no
from core.domain import experience
from core.domain.experience import OUTCOMES, SOURCES, content_hash
from core.features.share.alerts import alert_moderators_after_commit
from core.features.share.fix import FIX_KEY, resubmit_experience
from core.features.share.paste import (
    REJOINING,
    SUB_STEPS,
    AboutStep,
    MaskingReview,
    OfferStep,
    PasteAware,
    PasteStep,
    paste_header,
)
from core.features.share.rules import submission_of
from core.features.share.steps import (
    CompanyStep,
    QuestionsStep,
    ReviewStep,
    company_confirm_step,
    describe_rounds,
    parse_duration,
    review_edit_step,
    round_difficulty_step,
    round_kind_step,
    scale_options,
)
from core.features.verify.service import author_verified
from core.replies import Reply

logger = logging.getLogger(__name__)

FLOW_NAME = "share"
ROLE_SUGGESTIONS = ("SDE", "SDE Intern", "GET", "Analyst")
ROLL_HINT = "21CSE1234 or 19K41A0512"


def validate_name(raw: str, ctx: DialogContext) -> str:
    """1-80 characters with at least one letter (core.domain.experience)."""
    return experience.validate_name(raw)


def validate_linkedin(raw: str, ctx: DialogContext) -> str:
    """A linkedin.com/in/... profile URL (core.domain.experience)."""
    return experience.validate_linkedin(raw)


def validate_roll(raw: str, ctx: DialogContext) -> str:
    """The college roll number in the college's format (core.domain.experience)."""
    return experience.validate_roll(raw, submission_of(ctx))


def roll_question(ctx: DialogContext) -> str:
    example = submission_of(ctx).roll_number_example or ROLL_HINT
    return f"Your roll number (e.g. {example})? It is used only to verify you and is never shown publicly."


def branch_options(ctx: DialogContext) -> list[Option]:
    return [Option(branch, branch) for branch in submission_of(ctx).branches]


def validate_role(raw: str, ctx: DialogContext) -> str:
    """2-80 characters (core.domain.experience)."""
    return experience.validate_role(raw)


def validate_narrative(raw: str, ctx: DialogContext) -> str:
    """Free text of at least a sentence (core.domain.experience)."""
    return experience.validate_narrative(raw)


def validate_optional_text(raw: str, ctx: DialogContext) -> str:
    """Any text; length is checked by the step."""
    return raw.strip()


def passout_options(ctx: DialogContext) -> list[Option]:
    years = ctx.services.config.submission.passout_years
    return [Option(year, str(year)) for year in range(years.last, years.first - 1, -1)]


def interview_year_options(ctx: DialogContext) -> list[Option]:
    """Years from passout-4 up to passout+N, never after this year; newest first."""
    passout = int(ctx.answers["passout_year"])
    latest = min(
        ctx.services.this_year(), passout + ctx.services.config.submission.interview_years_after_passout
    )
    earliest = min(passout - 4, latest)
    return [Option(year, str(year)) for year in range(latest, earliest - 1, -1)]


def interview_year_question(ctx: DialogContext) -> str:
    return "Which year was the interview?"


def options_of(pairs: list[tuple[str, str]]) -> list[Option]:
    return [Option(value, label) for value, label in pairs]


def label(pairs: list[tuple[str, str]], value: Any) -> str:
    return dict(pairs).get(value, "—" if value is None else str(value))


def build_flow(config: SubmissionConfig, max_text: int) -> Flow:
    """Assemble the sharing dialog from config (branches, roll format, year range, limits)."""
    steps: list[Step] = [
        Ask(
            "name",
            "Name",
            "Let's share your interview experience step by step! First, what is your name?",
            validate_name,
            max_length=80,
            section=1,
        ),
        Ask(
            "linkedin",
            "LinkedIn",
            "Your LinkedIn profile URL (like https://www.linkedin.com/in/your-name)?",
            validate_linkedin,
            optional=True,
            section=2,
            placeholder="https://www.linkedin.com/in/your-name",
        ),
        Choose("branch", "Branch", "Which branch are you from?", branch_options, section=3),
        Ask(
            "roll_number",
            "Roll number",
            roll_question,
            validate_roll,
            max_length=40,
            section=4,
            hint="Type your college roll number as it is written on your ID card, without spaces.",
            example=config.roll_number_example or ROLL_HINT,
        ),
        Choose(
            "passout_year",
            "Year of passout",
            "Your year of passout (graduation)?",
            passout_options,
            per_row=4,
            section=5,
        ),
        CompanyStep(),
        company_confirm_step(),
        Choose(
            "interview_year",
            "Year of interview",
            interview_year_question,
            interview_year_options,
            per_row=4,
            section=7,
        ),
        Ask(
            "role",
            "Role",
            "Which role did you interview for? Pick one or type it.",
            validate_role,
            max_length=80,
            suggestions=ROLE_SUGGESTIONS,
            section=8,
        ),
        Ask(
            "role_description",
            "Role description",
            "Briefly, what does the role involve?",
            validate_optional_text,
            optional=True,
            multiline=True,
            max_length=max_text,
            section=9,
        ),
        Choose(
            "source",
            "How the interview came",
            "How did you get the interview?",
            options_of(SOURCES),
            per_row=2,
            section=10,
        ),
        round_kind_step(),
        Ask(
            "round_duration",
            "Rounds",
            "How long was this round? (minutes, e.g. 45 or 1h 30m)",
            parse_duration,
            optional=True,
            max_length=20,
            section=11,
        ),
        QuestionsStep(max_questions=config.max_questions_per_round),
        round_difficulty_step(),
        Ask(
            "preparation",
            "Preparation",
            "How did you prepare? (resources, topics, how long)",
            validate_narrative,
            multiline=True,
            max_length=max_text,
            section=12,
        ),
        Ask(
            "reflections",
            "Reflections and tips",
            "Looking back: what went well, what would you do differently, and your tips for juniors?",
            validate_narrative,
            multiline=True,
            max_length=max_text,
            section=13,
        ),
        Choose("outcome", "Outcome", "What was the outcome?", options_of(OUTCOMES), per_row=2, section=14),
        Choose(
            "difficulty",
            "Difficulty and rating",
            "Overall, how difficult was the process? (1 easy … 5 very hard)",
            scale_options("easy", "very hard"),
            per_row=5,
            section=15,
        ),
        Choose(
            "rating",
            "Difficulty and rating",
            "How would you rate the experience? (1 poor … 5 great)",
            scale_options("poor", "great"),
            per_row=5,
            section=15,
        ),
        Choose(
            "anonymous",
            "Anonymity",
            "Post anonymously? Your name is then never shown with this experience.",
            yes_no("Yes, post anonymously", "No, show my name"),
            per_row=1,
            section=16,
        ),
    ]
    names = [step.name for step in steps]
    steps = [
        step
        if step.name in SUB_STEPS - REJOINING
        else PasteAware(step, names[i + 1] if i + 1 < len(names) else "review")
        for i, step in enumerate(steps)
    ]
    review = ReviewStep(review_fields(config), submit_experience)
    steps = [PasteStep(), OfferStep(), AboutStep(), *steps, MaskingReview(review), review_edit_step(review)]
    return Flow(
        FLOW_NAME,
        "sharing",
        sectioned(steps, review="review", total=16, header=paste_header),
        restart_command="share",
    )


def review_fields(config: SubmissionConfig) -> list[tuple[int, str, str, Any]]:
    """The numbered fields of the review screen and the step each one edits."""

    def text(key: str):
        return lambda a: "—" if a.get(key) in (None, "") else str(a[key])

    return [
        (1, "Name", "name", text("name")),
        (2, "LinkedIn", "linkedin", text("linkedin")),
        (3, "Branch", "branch", text("branch")),
        (4, "Roll number (private)", "roll_number", text("roll_number")),
        (5, "Year of passout", "passout_year", text("passout_year")),
        (6, "Company", "company", lambda a: a.get("company_name") or "—"),
        (7, "Year of interview", "interview_year", text("interview_year")),
        (8, "Role", "role", text("role")),
        (9, "Role description", "role_description", text("role_description")),
        (10, "How the interview came", "source", lambda a: label(SOURCES, a.get("source"))),
        (11, "Rounds", "round_kind", lambda a: describe_rounds(a.get("rounds", []))),
        (12, "Preparation", "preparation", text("preparation")),
        (13, "Reflections and tips", "reflections", text("reflections")),
        (14, "Outcome", "outcome", lambda a: label(OUTCOMES, a.get("outcome"))),
        (
            15,
            "Difficulty / rating",
            "difficulty",
            lambda a: f"{a.get('difficulty', '—')}/5 difficulty, {a.get('rating', '—')}/5 rating",
        ),
        (16, "Post anonymously", "anonymous", lambda a: "Yes" if a.get("anonymous") else "No"),
    ]


def check_consistency(answers: dict[str, Any], ctx: DialogContext) -> None:
    """Cross-field rules re-checked at submit time (an edit can break them), with the field to edit."""
    passout, interview = int(answers["passout_year"]), int(answers["interview_year"])
    try:
        experience.check_years(passout, interview, ctx.services.this_year(), ctx.services.config.submission)
    except Invalid as problem:
        field = "7" if interview > ctx.services.this_year() else "5 or 7"
        raise Invalid(f"{problem}: edit field {field}.") from None
    if not answers.get("rounds"):
        raise Invalid("Add at least one round: edit field 11.")


async def submit_experience(ctx: DialogContext) -> list[Reply]:
    """Store the experience as pending moderation and tell the student what happens next."""
    answers = ctx.answers
    check_consistency(answers, ctx)
    services = ctx.services
    user_id = await ctx.actor.ensure_id()
    company_id = answers.get("company_id")
    if company_id is None:
        company_id = await services.repos.companies.get_or_create(answers["company_name"])
        await services.companies.refresh()
    fields = {
        "author_name": answers["name"],
        "linkedin_url": answers.get("linkedin"),
        "branch": answers["branch"],
        "roll_number": answers["roll_number"],
        "passout_year": int(answers["passout_year"]),
        "interview_year": int(answers["interview_year"]),
        "role": answers["role"],
        "role_description": answers.get("role_description") or "",
        "source": answers["source"],
        "preparation": answers["preparation"],
        "reflections": answers["reflections"],
        "outcome": answers["outcome"],
        "difficulty": int(answers["difficulty"]),
        "rating": int(answers["rating"]),
        "anonymous": bool(answers["anonymous"]),
    }
    rounds = [
        {
            "kind": spec["kind"],
            "duration_minutes": spec.get("duration_minutes"),
            "difficulty": int(spec["difficulty"]),
            "questions": spec.get("questions", []),
        }
        for spec in answers["rounds"]
    ]
    if FIX_KEY not in answers:  # a resubmission from /fix is not a new post: no daily limit
        await check_spam_limit(services, user_id)
    fields["verified"] = await author_verified(services, user_id)  # the ✔ badge of verified authors
    questions = [q for spec in rounds for q in spec["questions"]]
    fields["content_hash"] = content_hash([fields["preparation"], fields["reflections"], *questions])
    if FIX_KEY in answers:  # /fix: update the same experience instead of creating one
        return await resubmit_experience(ctx, user_id, {**fields, "company_id": company_id}, rounds)
    # One unit of work from here: the experience, its moderation decision and the dialog's end commit
    # together (the engine removes the dialog in the same transaction), so a crash never leaves a stored
    # experience behind a review screen that would store it again.
    unit = ctx.unit
    if unit is None:
        raise RuntimeError("submit_experience runs inside the dialog engine's unit of work")
    if ctx.actor.college_id is not None:  # issue #15: the experience belongs to the author's college
        fields["college_id"] = ctx.actor.college_id
    experience_id = await unit.experiences.create_pending(
        user_id, company_id, ctx.actor.platform, fields, rounds
    )
    company = answers["company_name"]
    if await unit.moderation.reputation(user_id) >= services.config.moderation.reputation_threshold:
        await unit.moderation.decide(experience_id, None, approve=True, reason="trusted contributor")
        unit.after_commit(lambda: services.experience_approved(experience_id))
        logger.info("experience %s published (trusted contributor)", experience_id)
        text = (
            f"🎉 Thank you! Your {company} experience (#{experience_id}) is **published**: as a trusted "
            "contributor your posts skip the moderation queue. See it with /myposts."
        )
        return [Reply(text=text, private=True)]
    logger.info("experience %s submitted (pending moderation)", experience_id)
    alert_moderators_after_commit(
        services,
        unit,
        experience_id,
        f"🆕 New experience waiting for review: #{experience_id} {company}. /review {experience_id}",
        ctx.actor.college_id,
    )
    text = (
        f"🎉 Thank you! Your {company} experience (#{experience_id}) is saved and is now "
        "**pending moderation**: a moderator will review it before it is published, and you will be told "
        "the outcome. See its status any time with /myposts."
    )
    return [Reply(text=text, private=True)]


async def check_spam_limit(services: Any, user_id: int) -> None:
    """At most `max_experiences_per_day` submissions per user, so floods never reach the queue."""
    limit = services.config.moderation.max_experiences_per_day
    since = services.clock() - timedelta(days=1)
    if await services.moderation.submissions_since(user_id, since) >= limit:
        raise Invalid(
            f"You have shared {limit} experiences in the last 24 hours, the most we accept per day. "
            "Your answers are kept: press Submit again tomorrow, or /cancel."
        )
