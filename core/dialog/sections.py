"""Numbered sections and a review screen, as steps: the engine knows neither.

A long flow (sharing an experience) groups its steps into numbered sections ("**6/16 · Company**")
and ends on a review screen from which any section can be edited. Both behaviours live here, in a
step wrapper, so the dialog engine only loads, lets the step accept, saves and prompts:

- `Sectioned` shows the "**N/M · title**" header above the wrapped step's question;
- once the review screen started an edit (`start_edit`), a `Sectioned` step whose answer would lead
  out of the edited section leads back to the review step instead (the edit flag is then cleared).

`sectioned(steps, review="review")` wraps every step that has a section (section > 0) and leaves the
others (the review screen itself, its "which field?" step) as they are.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from core.dialog.steps import DialogContext, Next, Outcome, Step
from core.events import IncomingEvent
from core.replies import Reply

logger = logging.getLogger(__name__)

EDIT_FLAG = "_edit_section"  # answers key: the section number being edited from the review screen

# A flow's own header for a step, or None for the usual "**N/M · title**" (e.g. the sharing flow
# filled from a pasted write-up counts the questions left instead: its order is not the sections').
Header = Callable[[DialogContext, Step], "str | None"]


def start_edit(answers: dict[str, Any], section: int) -> None:
    """Remember that `section` is edited from the review screen, so its last step returns there."""
    answers[EDIT_FLAG] = section


@dataclass
class Sectioned:
    """A step of a numbered section: header above its question, back to review after an edit.

    `order` is the flow's step names in order and `sections` each step's section number (both filled
    by `sectioned`); `review` names the review step (None: a flow with sections but no review).
    """

    inner: Step
    total: int
    review: str | None
    order: tuple[str, ...] = ()
    sections: dict[str, int] = field(default_factory=dict)
    header: Header | None = None

    @property
    def name(self) -> str:
        return self.inner.name

    @property
    def title(self) -> str:
        return self.inner.title

    @property
    def section(self) -> int:
        return self.inner.section

    def __getattr__(self, attribute: str) -> Any:
        """Anything else (hint, example, answer_key, ...) is the wrapped step's."""
        if attribute == "inner":  # not set yet (copy/pickle): never recurse
            raise AttributeError(attribute)
        return getattr(self.inner, attribute)

    async def prompt(self, ctx: DialogContext) -> Reply:
        reply = await self.inner.prompt(ctx)
        own = self.header(ctx, self.inner) if self.header is not None else None
        header = own if own is not None else f"**{self.inner.section}/{self.total} · {self.inner.title}**"
        return Reply(
            text=header + "\n" + reply.text,
            buttons=reply.buttons,
            form=reply.form,
            private=reply.private,
            images=reply.images,
        )

    async def accept(self, ctx: DialogContext, event: IncomingEvent) -> Outcome:
        outcome = await self.inner.accept(ctx, event)
        editing = ctx.answers.get(EDIT_FLAG)
        if editing is None or self.review is None or not isinstance(outcome, Next):
            return outcome
        target = outcome.step or self._after()
        if target is None or self.sections.get(target, 0) != editing:
            ctx.answers.pop(EDIT_FLAG, None)
            return Next(self.review)
        return outcome

    def _after(self) -> str | None:
        index = self.order.index(self.name)
        return self.order[index + 1] if index + 1 < len(self.order) else None

    def show(self, answers: dict[str, Any]) -> str:
        return self.inner.show(answers)


def sectioned(
    steps: Sequence[Step], review: str | None = None, total: int = 0, header: Header | None = None
) -> list[Step]:
    """`steps` with every sectioned step wrapped in `Sectioned` (total: the highest section number).

    `header(ctx, step)` may replace a step's "**N/M · title**" line (None keeps it).
    """
    total = total or max((step.section for step in steps), default=0)
    order = tuple(step.name for step in steps)
    sections = {step.name: step.section for step in steps}
    return [
        Sectioned(step, total, review, order, sections, header) if step.section else step for step in steps
    ]
