"""Moderators' company commands: merge two companies into one, rename one; each behind a confirm button.

    /companies merge <from> into <to>     e.g. /companies merge Microsoft India into Microsoft
    /companies rename <old> to <new>      e.g. /companies rename Acme Motors to Acme Motors Ltd

<from>, <to> and <old> are a company's exact name or alias, or "#<id>": a merge or rename never acts
on a fuzzy guess (an ambiguous name is answered with the candidates and their #ids). The first
message shows what would happen (rows per table) and a confirm button; the button carries the ids
(and the new name), so pressing it runs "/companies do ..." which the router again allows to
moderators only. Storage does each change in one transaction (storage.repos.CompanyRepo.merge /
rename); the company matcher is refreshed afterwards so the old name finds the survivor at once.
Same replies on every platform: nothing here names one.
"""

from __future__ import annotations

import logging
import re

from core.events import IncomingEvent
from core.ports import CommandInfo
from core.replies import Button, Reply
from core.repositories.companies import CompanyError, CompanyName
from core.router import command_button_action
from core.services import Services

logger = logging.getLogger(__name__)

COMMAND = "companies"
MAX_TOKEN = 64  # Telegram's callback data limit, in bytes
USAGE = (
    "Moderators: /companies merge <from> into <to> moves every experience, question, thread, resource, "
    "FAQ entry, subscription and alias of <from> to <to> and keeps <from> as an alias.\n"
    "/companies rename <old> to <new> renames a company and keeps the old name as an alias.\n"
    "Name companies exactly (name or alias) or by #id."
)
TABLE_LABELS = {  # table -> (one, many)
    "experiences": ("experience", "experiences"),
    "questions": ("question", "questions"),
    "threads": ("thread", "threads"),
    "resources": ("resource", "resources"),
    "faqs": ("FAQ entry", "FAQ entries"),
    "mock_questions": ("mock question", "mock questions"),
    "subscriptions": ("subscription", "subscriptions"),
    "company_aliases": ("alias", "aliases"),
}
_ID = re.compile(r"^#(\d{1,9})$")
_DO_MERGE = re.compile(r"^merge (\d{1,9}) (\d{1,9})$")
_DO_RENAME = re.compile(r"^rename (\d{1,9}) (.+)$")


def info() -> CommandInfo:
    """The /companies command as adapters list it (moderators only)."""
    return CommandInfo(
        COMMAND,
        "Moderators: merge or rename companies",
        "merge <from> into <to> | rename <old> to <new>",
        moderator_only=True,
    )


def usage_line(usage: dict[str, int]) -> str:
    """ "3 experiences, 7 questions, 1 thread ..." (tables with rows only), or "no rows"."""
    parts = [f"{n} {TABLE_LABELS.get(table, (table, table))[n != 1]}" for table, n in usage.items() if n]
    return ", ".join(parts) or "no rows"


class CompanyAdmin:
    """Handles /companies for moderators (the router refuses everyone else before this runs)."""

    def __init__(self, services: Services) -> None:
        self._services = services

    async def handle(self, event: IncomingEvent) -> list[Reply]:
        """Dispatch merge / rename previews and their confirmations."""
        if not event.actor.is_moderator:  # the router checks too; a second lock costs nothing
            return [Reply(text="Sorry, only moderators can use that command.", private=True)]
        args = " ".join(event.args.split())
        verb, _, rest = args.partition(" ")
        verb = verb.lower()
        if verb == "do":
            return await self._confirmed(event, rest)
        if verb == "cancelled":
            return [Reply(text="Nothing changed.", replaces_prompt=True)]
        if verb == "merge":
            return await self._preview_merge(rest)
        if verb == "rename":
            return await self._preview_rename(rest)
        return [Reply(text=USAGE, private=True)]

    # -- previews ----------------------------------------------------------------------------------

    async def _preview_merge(self, rest: str) -> list[Reply]:
        split = await self._split(rest, " into ")
        if isinstance(split, Reply):
            return [split]
        source, target_text = split
        target = await self._exact(target_text)
        if isinstance(target, Reply):
            return [target]
        if source.id == target.id:
            return [Reply(text=f"{source.name} and {target_text} are the same company.", private=True)]
        usage = await self._services.repos.companies.usage(source.id)
        yes = command_button_action(COMMAND, f"do merge {source.id} {target.id}")
        text = (
            f"Merge **{source.name}** (#{source.id}) into **{target.name}** (#{target.id})?\n"
            f'Moves {usage_line(usage)} to {target.name}; "{source.name}" stays as an alias of it '
            f"and #{source.id} is deleted. This cannot be undone."
        )
        return [Reply(text=text, buttons=((Button("✅ Merge", yes), Button("✖ Cancel", _cancel())),))]

    async def _preview_rename(self, rest: str) -> list[Reply]:
        split = await self._split(rest, " to ")
        if isinstance(split, Reply):
            return [split]
        company, new_name = split
        new_name = new_name.strip()
        yes = command_button_action(COMMAND, f"do rename {company.id} {new_name}")
        if len(yes.encode("utf-8")) > MAX_TOKEN:
            room = MAX_TOKEN - len(command_button_action(COMMAND, f"do rename {company.id} ").encode("utf-8"))
            return [Reply(text=f"New names can be at most {room} characters here.", private=True)]
        text = (
            f"Rename **{company.name}** (#{company.id}) to **{new_name}**?\n"
            f'"{company.name}" stays as an alias, so it still finds the company.'
        )
        return [Reply(text=text, buttons=((Button("✅ Rename", yes), Button("✖ Cancel", _cancel())),))]

    # -- confirmations -----------------------------------------------------------------------------

    async def _confirmed(self, event: IncomingEvent, rest: str) -> list[Reply]:
        repo = self._services.repos.companies
        moderator = await event.actor.ensure_id()
        merge, rename = _DO_MERGE.match(rest), _DO_RENAME.match(rest)
        try:
            if merge:
                result = await repo.merge(
                    int(merge.group(1)), int(merge.group(2)), moderator_user_id=moderator
                )
                await self._services.companies.refresh()
                dropped = (
                    f" (chats that followed both keep one subscription: {result.dropped_subscriptions} "
                    "folded)"
                    if result.dropped_subscriptions
                    else ""
                )
                moved = {k: v for k, v in result.moved.items() if k != "company_aliases"}
                return [
                    Reply(
                        text=f"✅ Merged {result.from_name} into {result.into_name}: moved "
                        f'{usage_line(moved)}{dropped}. "{result.from_name}" now opens {result.into_name}.',
                        replaces_prompt=True,
                    )
                ]
            if rename:
                company_id, new_name = int(rename.group(1)), rename.group(2)
                old = await repo.rename(company_id, new_name, moderator_user_id=moderator)
                await self._services.companies.refresh()
                return [
                    Reply(
                        text=f'✅ Renamed {old} to {" ".join(new_name.split())}; "{old}" stays as an alias.',
                        replaces_prompt=True,
                    )
                ]
        except CompanyError as error:
            return [Reply(text=f"Not done: {error}", private=True)]
        return [Reply(text=USAGE, private=True)]

    # -- naming companies exactly ------------------------------------------------------------------

    async def _split(self, rest: str, word: str) -> tuple[CompanyName, str] | Reply:
        """(company named before `word`, the text after it): tries every occurrence of the word, so
        names that contain it ("Path to Success") still work when the left side names a company."""
        lowered = rest.lower()
        starts = [m.start() for m in re.finditer(re.escape(word), lowered)]
        if not starts:
            return Reply(text=USAGE, private=True)
        first_miss: Reply | None = None
        for start in starts:
            left, right = rest[:start].strip(), rest[start + len(word) :].strip()
            if not left or not right:
                continue
            found = await self._exact(left)
            if isinstance(found, CompanyName):
                return found, right
            first_miss = first_miss or found
        return first_miss or Reply(text=USAGE, private=True)

    async def _exact(self, typed: str) -> CompanyName | Reply:
        """The company named exactly (name, alias, its only folded variant, or #id), else a reply why not."""
        by_id = _ID.match(typed.strip())
        if by_id:
            company_id = int(by_id.group(1))
            name = await self._services.repos.companies.name_of(company_id)
            if name is None:
                return Reply(text=f"There is no company #{company_id}.", private=True)
            return CompanyName(company_id, name, ())
        match = await self._services.companies.match(typed)
        if match.exact is not None:
            return match.exact
        if match.suggestions:
            listed = ", ".join(f"{c.name} (#{c.id})" for c in match.suggestions)
            return Reply(
                text=f'"{typed[:60]}" is not exact. Did you mean: {listed}? Use the #id.', private=True
            )
        return Reply(text=f'I know no company called "{typed[:60]}".', private=True)


def _cancel() -> str:
    """The Cancel button: shows the usage again, changes nothing."""
    return command_button_action(COMMAND, "cancelled")
