"""Discord UI pieces: persistent DynamicItem buttons ("ii:"/"iif:" custom_ids) and modals for core Forms."""

from __future__ import annotations

import logging
import re
from typing import Any, Protocol

import discord

from bots.discord.render import ACTION_PREFIX, FORM_PREFIX, ButtonSpec
from core.replies import Form

logger = logging.getLogger(__name__)

MAX_MODAL_TITLE = 45
MAX_INPUT_LABEL = 45
MAX_PLACEHOLDER = 100
MAX_INPUT_LENGTH = 4000


class Presses(Protocol):
    """What the buttons call back into (the adapter)."""

    async def on_action(self, interaction: discord.Interaction, action: str, label: str) -> None: ...

    async def on_form_button(self, interaction: discord.Interaction, action: str) -> None: ...


def _handler(interaction: discord.Interaction) -> Presses:
    """The adapter that owns this client (set as `client.ii_adapter`)."""
    return interaction.client.ii_adapter  # type: ignore[attr-defined]


class ActionButton(
    discord.ui.DynamicItem[discord.ui.Button], template=re.escape(ACTION_PREFIX) + r"(?P<action>.+)"
):
    """A dialog choice; its custom_id carries the core's action token, so it works after a restart."""

    def __init__(self, action: str, label: str = "•") -> None:
        super().__init__(
            discord.ui.Button(
                label=label, style=discord.ButtonStyle.primary, custom_id=ACTION_PREFIX + action
            )
        )
        self.action = action

    @classmethod
    async def from_custom_id(
        cls, interaction: discord.Interaction, item: discord.ui.Item[Any], match: re.Match[str], /
    ) -> ActionButton:
        return cls(match["action"], label=getattr(item, "label", None) or "•")

    async def callback(self, interaction: discord.Interaction) -> None:
        await _handler(interaction).on_action(interaction, self.action, self.item.label or "")


class FormButton(
    discord.ui.DynamicItem[discord.ui.Button], template=re.escape(FORM_PREFIX) + r"(?P<action>.+)"
):
    """Opens the modal of a core Form; the form's action token is in the custom_id."""

    def __init__(self, action: str, label: str = "✏️ Answer") -> None:
        super().__init__(
            discord.ui.Button(label=label, style=discord.ButtonStyle.success, custom_id=FORM_PREFIX + action)
        )
        self.action = action

    @classmethod
    async def from_custom_id(
        cls, interaction: discord.Interaction, item: discord.ui.Item[Any], match: re.Match[str], /
    ) -> FormButton:
        return cls(match["action"], label=getattr(item, "label", None) or "✏️ Answer")

    async def callback(self, interaction: discord.Interaction) -> None:
        await _handler(interaction).on_form_button(interaction, self.action)


def build_view(rows: list[list[ButtonSpec]]) -> discord.ui.View | None:
    """A never-expiring view of dynamic/link buttons laid out in the given rows (None when empty)."""
    if not rows:
        return None
    view = discord.ui.View(timeout=None)
    for row_index, row in enumerate(rows):
        for spec in row:
            if spec.url:
                view.add_item(discord.ui.Button(label=spec.label, url=spec.url, row=row_index))
                continue
            custom_id = spec.custom_id or ""
            if custom_id.startswith(FORM_PREFIX):
                item: discord.ui.Item[Any] = FormButton(custom_id[len(FORM_PREFIX) :], label=spec.label)
            else:
                item = ActionButton(custom_id[len(ACTION_PREFIX) :], label=spec.label)
            item.row = row_index
            view.add_item(item)
    return view


def build_modal(form: Form) -> discord.ui.Modal:
    """A modal with one text input per form field; its custom_id is "iif:" + the form's action."""
    modal = discord.ui.Modal(
        title=(form.title or "Answer")[:MAX_MODAL_TITLE], custom_id=FORM_PREFIX + form.action
    )
    for spec in form.fields:
        max_length = max(1, min(spec.max_length, MAX_INPUT_LENGTH))
        modal.add_item(
            discord.ui.TextInput(
                label=(spec.label or spec.name)[:MAX_INPUT_LABEL],
                custom_id=spec.name,
                style=discord.TextStyle.paragraph if spec.multiline else discord.TextStyle.short,
                required=spec.required,
                max_length=max_length,
                placeholder=spec.placeholder[:MAX_PLACEHOLDER] or None,
                default=spec.default[:max_length] or None,
            )
        )
    return modal


def modal_values(components: list[dict[str, Any]]) -> dict[str, str]:
    """Collect {custom_id: value} from a MODAL_SUBMIT payload (action rows or labels around inputs)."""
    values: dict[str, str] = {}
    stack = list(components)
    while stack:
        node = stack.pop(0)
        if not isinstance(node, dict):
            continue
        if "custom_id" in node and "value" in node:
            values[str(node["custom_id"])] = str(node["value"] or "")
        stack.extend(node.get("components") or [])
        if isinstance(node.get("component"), dict):
            stack.append(node["component"])
    return values
