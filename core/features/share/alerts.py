"""Tell moderators about a submission, only once it is stored (after the unit of work commits)."""

from __future__ import annotations

from typing import Any

from core.colleges import moderator_chats
from core.replies import Button, Reply
from core.router import command_button_action


def alert_moderators_after_commit(
    services: Any, unit: Any, experience_id: int, text: str, college_id: int | None = None
) -> None:
    """Once the unit of work commits, push `text` with a Review button to every moderator chat of the
    experience's college (`college_id`; None: config's moderator chats, as on a single-college bot)."""
    review = ((Button(f"🔍 Review #{experience_id}", command_button_action("review", str(experience_id))),),)
    alert = Reply(text=text, buttons=review)

    async def tell_moderators() -> None:
        for chat in await moderator_chats(services, college_id):
            await services.notify(chat, alert)

    unit.after_commit(tell_moderators)
