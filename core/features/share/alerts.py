"""Tell moderators about a submission, only once it is stored (after the unit of work commits)."""

from __future__ import annotations

from typing import Any

from core.replies import Button, Reply
from core.router import command_button_action


def alert_moderators_after_commit(services: Any, unit: Any, experience_id: int, text: str) -> None:
    """Once the unit of work commits, push `text` with a Review button to every moderator chat."""
    review = ((Button(f"🔍 Review #{experience_id}", command_button_action("review", str(experience_id))),),)
    alert = Reply(text=text, buttons=review)

    async def tell_moderators() -> None:
        for chat in services.moderator_chats():
            await services.notify(chat, alert)

    unit.after_commit(tell_moderators)
