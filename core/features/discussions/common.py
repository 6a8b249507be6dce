"""What the community features share: scopes (company or topic), posting rules and moderator alerts."""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass
from datetime import timedelta

from core.events import ChatRef
from core.replies import Reply
from core.repositories.community import CommunityRepository
from core.services import Services
from core.text_norm import parse_id

__all__ = ["parse_id"]  # the core id parser, re-exported for the discussion modules

logger = logging.getLogger(__name__)

TOPIC_MAX = 32
TOPIC_CHARS = re.compile(r"[^a-z0-9+#.-]+")
# Topics people commonly mean; any other free tag works too once a thread uses it.
KNOWN_TOPICS = frozenset(
    {
        "dsa",
        "system-design",
        "hr",
        "aptitude",
        "dbms",
        "os",
        "cn",
        "oops",
        "resume",
        "offers",
        "internships",
        "placements",
        "coding",
        "behavioural",
        "question",
    }
)
QUESTION_TOPIC = "question"  # threads started with /ask


def normalise_topic(text: str) -> str:
    """A free tag as stored: lower case, words joined by "-" ("System Design" -> "system-design")."""
    tag = TOPIC_CHARS.sub("-", text.strip().lower().lstrip("#")).strip("-.")
    return re.sub("-{2,}", "-", tag)[:TOPIC_MAX].strip("-")


@dataclass(frozen=True)
class Scope:
    """Which threads: one company's, one topic's, or all."""

    company_id: int | None = None
    company: str | None = None
    topic: str | None = None

    @property
    def token(self) -> str:
        """A compact form for button tokens: "@c12", "@t:dsa" or "@all"."""
        if self.company_id is not None:
            return f"@c{self.company_id}"
        if self.topic:
            return f"@t:{self.topic}"
        return "@all"

    @property
    def label(self) -> str:
        """How the scope reads in a sentence."""
        if self.company:
            return self.company
        if self.topic:
            return f"#{self.topic}"
        return "all companies and topics"


async def scope_from_token(services: Services, token: str) -> Scope | None:
    """Read back a Scope.token (from a button); None if it is malformed or the company is gone."""
    if token == "@all":
        return Scope()
    if token.startswith("@t:"):
        topic = normalise_topic(token[3:])
        return Scope(topic=topic) if topic else None
    company_id = parse_id(token[2:]) if token.startswith("@c") else None
    if company_id is not None:
        name = await services.repos.companies.name_of(company_id)
        return Scope(company_id, name) if name else None
    return None


async def spam_message(
    services: Services, repo: CommunityRepository, user_id: int, is_moderator: bool
) -> str | None:
    """A friendly refusal when a user has posted too much in the last hour (moderators are exempt)."""
    if is_moderator:
        return None
    limit = services.config.moderation.max_posts_per_hour
    recent = await repo.contributions_since(user_id, services.clock() - timedelta(hours=1))
    if recent < limit:
        return None
    return (
        f"⏳ You have posted {recent} times in the last hour; the limit is {limit} an hour to keep "
        "discussions free of spam. Please try again a little later: nothing was posted."
    )


async def needs_review(
    services: Services, repo: CommunityRepository, user_id: int, is_moderator: bool
) -> bool:
    """New threads and resources from users below the reputation threshold wait for a moderator."""
    if is_moderator:
        return False
    return await repo.reputation(user_id) < services.config.moderation.reputation_threshold


async def tell(services: Services, recipient, text: str, **reply) -> None:
    """Push a private message to a user (a Recipient), if we know where to reach them."""
    if recipient is not None:
        await services.notify(
            ChatRef(recipient.platform, recipient.user_id), Reply(text=text, private=True, **reply)
        )


def short(text: str, limit: int) -> str:
    """One line of at most `limit` characters (an ellipsis when cut)."""
    line = " ".join(text.split())
    return line if len(line) <= limit else line[: limit - 1].rstrip() + "…"
