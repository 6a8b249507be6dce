"""Fix and resubmit: `/fix <id>` reopens a student's own experience on the sharing dialog's review screen.

A rejected experience opens with the moderator's reason above the review screen; a pending, published
or hidden one opens the same way for editing. Submitting from there updates the SAME experience
(`FIX_KEY` in the answers holds its id) instead of creating a new one: fields, rounds and questions are
replaced, it goes back to pending with the reject reason cleared, and the moderators' alert and review
card list what changed.

A published experience that is edited goes back to pending as well: it is hidden from search and
company cards until a moderator approves the edit (the simplest honest rule: readers never see text no
moderator has read). The reply to the student says so.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Any, cast

from core.dialog.steps import DialogContext, Invalid
from core.events import IncomingEvent
from core.features.share.alerts import alert_moderators_after_commit
from core.replies import Button, Reply
from core.repositories.experiences import ExperienceRepository, OwnExperience
from core.router import command_button_action
from core.text_norm import parse_id

if TYPE_CHECKING:
    from core.dialog.engine import DialogEngine
    from core.services import Services

logger = logging.getLogger(__name__)

FIX_KEY = "fix_experience_id"  # the answers key holding the id of the experience being fixed
FLOW_NAME = "share"
USAGE = "Tell me which of your experiences to edit: /fix <id>, e.g. /fix 12 (see /myposts)."


def fix_button(experience_id: int, status: str) -> Button:
    """The /myposts button of one post: Fix for a rejected one, Edit for any other."""
    verb = "Fix" if status == "rejected" else "Edit"
    return Button(f"✏️ {verb} #{experience_id}", command_button_action("fix", str(experience_id)))


def answers_from(own: OwnExperience) -> dict[str, Any]:
    """The sharing dialog's answers for a stored experience: every field the review screen shows."""
    fields = own.fields
    return {
        FIX_KEY: own.id,
        "name": fields["author_name"],
        "linkedin": fields.get("linkedin_url"),
        "branch": fields["branch"],
        "roll_number": fields.get("roll_number"),
        "passout_year": fields.get("passout_year"),
        "company_id": own.company_id,
        "company_name": own.company,
        "interview_year": fields["interview_year"],
        "role": fields["role"],
        "role_description": fields.get("role_description") or "",
        "source": fields["source"],
        "rounds": [
            {
                "kind": spec["kind"],
                "duration_minutes": spec.get("duration_minutes"),
                "difficulty": spec.get("difficulty"),
                "questions": list(spec.get("questions", [])),
            }
            for spec in own.rounds
        ],
        "preparation": fields.get("preparation") or "",
        "reflections": fields.get("reflections") or "",
        "outcome": fields["outcome"],
        "difficulty": fields.get("difficulty"),
        "rating": fields.get("rating"),
        "anonymous": bool(fields.get("anonymous")),
    }


def not_yours(typed: str) -> list[Reply]:
    return [Reply(text=f"There is no experience #{typed.strip().lstrip('#')} of yours.", private=True)]


async def start_fix(services: Services, engine: DialogEngine, event: IncomingEvent) -> list[Reply]:
    """`/fix <id>`: the author's experience on the review screen (the reason first when it was rejected).

    Anyone but the author (and any id that does not exist) gets "There is no experience #N of yours.",
    so the command never tells a stranger whether an experience exists.
    """
    typed = event.args.strip().split()[0] if event.args.strip() else ""
    if not typed:
        return [Reply(text=USAGE, private=True)]
    experience_id = parse_id(typed)
    user_id = event.actor.user_id
    if experience_id is None or user_id is None:
        return not_yours(typed)
    own = await services.repos.experiences.load_own(experience_id, user_id)
    if own is None:
        return not_yours(typed)
    replies: list[Reply] = []
    if own.status == "rejected":
        reason = own.reject_reason or "no reason given"
        replies.append(
            Reply(
                text=f"A moderator did not publish this: {reason}. Edit the fields below and submit again.",
                private=True,
            )
        )
    elif own.status == "approved":
        replies.append(
            Reply(
                text=f"Editing your published experience #{own.id}. When you submit, the post is hidden "
                "until a moderator approves the edit.",
                private=True,
            )
        )
    else:
        replies.append(
            Reply(
                text=f"Editing your experience #{own.id}. Submit sends it to moderation again.", private=True
            )
        )
    logger.info("experience %s reopened for editing by its author", own.id)
    return replies + await engine.start(event, FLOW_NAME, answers_from(own), step="review")


async def resubmit_experience(
    ctx: DialogContext, user_id: int, fields: dict[str, Any], rounds: list[dict[str, Any]]
) -> list[Reply]:
    """Store the edited submission over experience `ctx.answers[FIX_KEY]` and alert the moderators.

    Runs inside the dialog engine's unit of work like a first submission (`fields` and `rounds` as
    built by `submit_experience`, with company_id among the fields). Raises Invalid when nothing was
    changed (nothing is written; the student stays on the review screen).
    """
    services = ctx.services
    experience_id = int(ctx.answers[FIX_KEY])
    unit = ctx.unit
    if unit is None:
        raise RuntimeError("resubmit_experience runs inside the dialog engine's unit of work")
    # The unit's experience repository is storage.repos.ExperienceRepo; its port here names only
    # create_pending (core.repositories.uow.PendingExperiences), so it is seen through the full port.
    experiences = cast(ExperienceRepository, unit.experiences)
    try:
        changed = await experiences.resubmit(experience_id, user_id, fields, rounds)
    except LookupError:
        return [Reply(text=f"There is no experience #{experience_id} of yours.", private=True)]
    if not changed:
        raise Invalid("You have not changed anything yet: pick a field to edit, then press Submit.")
    company = ctx.answers["company_name"]
    listed = ", ".join(changed)
    if await unit.moderation.reputation(user_id) >= services.config.moderation.reputation_threshold:
        await unit.moderation.decide(experience_id, None, approve=True, reason="trusted contributor")
        unit.after_commit(lambda: services.experience_approved(experience_id))
        logger.info("experience %s resubmitted and published (trusted contributor)", experience_id)
        text = (
            f"🎉 Your edited {company} experience (#{experience_id}) is **published** (changed: {listed}): "
            "as a trusted contributor your posts skip the moderation queue."
        )
        return [Reply(text=text, private=True)]
    alert_moderators_after_commit(
        services,
        unit,
        experience_id,
        f"✏️ Experience resubmitted for review: #{experience_id} {company}; changed: {listed}. "
        f"/review {experience_id}",
        ctx.actor.college_id,
    )
    text = (
        f"✅ Your {company} experience (#{experience_id}) is updated (changed: {listed}) and is **pending "
        "moderation** again: it stays hidden until a moderator approves it, and you will be told the "
        "outcome. See its status with /myposts."
    )
    return [Reply(text=text, private=True)]
