"""Helpers of the web tests: a valid form, and a post published through the ordinary approval path."""

from __future__ import annotations

from typing import Any

from core.actors import ActorResolver
from core.events import Actor, ChatRef, IncomingEvent, UserRef
from core.features.share import form
from tests.web.conftest import TG_USER, Site


def valid_fields(**overrides: Any) -> dict[str, Any]:
    """A complete, valid Mini App form (JSON shape the page posts)."""
    fields: dict[str, Any] = {
        "name": "Asha Verma",
        "linkedin": "",
        "branch": "CSE",
        "roll_number": "21CSE1234",
        "passout_year": "2025",
        "company": "Amazon",
        "interview_year": "2024",
        "role": "SDE",
        "role_description": "Backend services for the payments team.",
        "source": "on_campus",
        "preparation": "Two months of LeetCode medium problems and system design basics every evening.",
        "reflections": "Think aloud, state the brute force first, then improve it; ask about constraints.",
        "outcome": "selected",
        "difficulty": "4",
        "rating": "5",
        "anonymous": True,
        "rounds": [
            {
                "kind": "online_assessment",
                "duration": "90",
                "difficulty": "3",
                "questions": "Two sum\nLRU cache",
            },
            {"kind": "technical", "duration": "", "difficulty": "4", "questions": "1. Design a rate limiter"},
        ],
    }
    fields.update(overrides)
    return fields


async def telegram_actor(site: Site, user_id: int = TG_USER) -> Actor:
    uid = str(user_id)
    event = IncomingEvent(UserRef("telegram", uid, "Asha"), ChatRef("telegram", uid), "form")
    return await ActorResolver(site.app.services.repos.users)(event)


async def publish(site: Site, **overrides: Any) -> int:
    """Submit a form through the Mini App's use case, then approve it as a moderator would."""
    services = site.app.services
    checked = await form.check_form(services, valid_fields(**overrides))
    assert not checked.errors, checked.errors
    stored = await form.submit_form(services, await telegram_actor(site), checked.answers)
    assert stored.experience_id is not None
    assert await services.moderation.decide(stored.experience_id, None, approve=True) is not None
    await services.experience_approved(stored.experience_id)
    return stored.experience_id
