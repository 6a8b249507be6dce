"""Resolve a typed company name for a command: the company, or a "did you mean" / "not found" reply."""

from __future__ import annotations

import logging
from collections.abc import Callable

from core.replies import Button, Reply, button_rows
from core.repositories.companies import CompanyName
from core.router import command_button_action
from core.services import Services

logger = logging.getLogger(__name__)


async def lookup(
    services: Services, typed: str, action: Callable[[int], str]
) -> tuple[CompanyName | None, Reply | None]:
    """(company, None) when clear; else (None, a reply with buttons built by `action(company_id)`)."""
    match = await services.companies.match(typed)
    chosen = match.confident
    if chosen is not None:
        return chosen, None
    if match.suggestions:
        buttons = [Button(c.name, action(c.id)) for c in match.suggestions]
        return None, Reply(
            text=f'Did you mean one of these for "{typed[:60]}"?', buttons=button_rows(buttons)
        )
    closest = await services.companies.closest(typed)
    buttons = [Button(c.name, action(c.id)) for c in closest]
    buttons.append(Button("📝 Share an experience", command_button_action("share")))
    text = f'I couldn\'t find a company called "{typed.strip()[:60]}".'
    if closest:
        text += " Closest: " + ", ".join(c.name for c in closest) + "."
    text += "\nIf you interviewed there, send /share: your experience will start its page."
    return None, Reply(text=text, buttons=button_rows(buttons))
