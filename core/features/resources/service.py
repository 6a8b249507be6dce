"""Company resources: links and PDFs students share, listed per company once approved."""

from __future__ import annotations

import logging
import re
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from pathlib import PurePath
from typing import Any
from urllib.parse import urlsplit

from core.colleges import needs_college, own_scope
from core.dialog.engine import DialogEngine, Flow
from core.dialog.steps import DialogContext, Done, Invalid, Outcome, Upload, UploadMessages
from core.events import Actor, Attachment, IncomingEvent
from core.features.base import CommandSink, FeatureBase
from core.features.discussions.common import (
    Scope,
    needs_review,
    parse_id,
    scope_from_token,
    short,
    spam_message,
)
from core.features.discussions.moderation import CommunityModeration
from core.features.resources.pdf import check_pdf_bytes
from core.ports import CommandInfo
from core.replies import Button, Document, Field, Form, Reply
from core.repositories.community import CommunityRepository
from core.router import command_button_action
from core.services import Services

logger = logging.getLogger(__name__)

Handler = Callable[[IncomingEvent], Awaitable[list[Reply]]]
MAX_PDF_BYTES = 10 * 1024 * 1024
MAX_URL = 500
LIST_SIZE = 10
HOST = re.compile(r"^(?=.{1,253}$)([a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$")
URL_LIKE = re.compile(r"^(?:[a-z][a-z0-9+.-]*:\S|www\.)", re.IGNORECASE)
ADD_HELP = (
    "Share like this: /addresource <company> <link> [title], "
    "e.g. /addresource TCS https://example.com/nqt NQT guide"
)


def check_url(raw: str) -> str:
    """A shareable web link (http/https, a real host name) or Invalid saying what is wrong."""
    url = raw.strip().strip("<>")
    if not url:
        raise Invalid("Please send a link starting with https://.")
    if len(url) > MAX_URL:
        raise Invalid(f"That link is {len(url)} characters long; links can be at most {MAX_URL}.")
    if url.lower().startswith("www."):
        raise Invalid(f"Please send the full link, starting with https:// (e.g. https://{url}).")
    if any(ch.isspace() or ord(ch) < 32 for ch in url):
        raise Invalid("A link cannot contain spaces.")
    parts = urlsplit(url)
    if parts.scheme.lower() not in ("http", "https"):
        raise Invalid("Only web links (starting with https:// or http://) can be shared.")
    host = (parts.hostname or "").lower()
    if not HOST.match(host):
        raise Invalid(
            f"“{short(url, 60)}” does not look like a web address (e.g. https://example.com/guide)."
        )
    return url


def default_title(url: str) -> str:
    """A readable title for a link shared without one: host and path."""
    parts = urlsplit(url)
    return short((parts.hostname or "") + parts.path.rstrip("/"), 80)


def is_pdf_name(attachment: Attachment) -> bool:
    """Whether the file is presented as a PDF (by type or name); the bytes are checked separately."""
    return attachment.mime.lower() == "application/pdf" or attachment.filename.lower().endswith(".pdf")


async def _real_pdf(attachment: Attachment, data: bytes) -> bytes:
    """The bytes, once filetype and pypdf agree they are a PDF with pages (core.features.resources.pdf)."""
    await check_pdf_bytes(data, attachment.filename)
    return data


PDF_UPLOAD = Upload(
    "source",
    "Link or PDF",
    "Send the PDF file (at most 10 MB).",
    check=_real_pdf,
    max_bytes=MAX_PDF_BYTES,
    mimes=("application/pdf",),
    suffixes=(".pdf",),
    expected="a PDF file",
    messages=UploadMessages(
        wrong_kind="Only PDF files can be shared as resources; “{filename}” is not a PDF.",
        too_big="That PDF is {size_mb:.1f} MB; the limit is {limit_mb:g} MB.",
        no_download="I couldn't download that file; please send it again.",
    ),
)


async def check_pdf(attachment: Attachment) -> bytes:
    """The bytes of a real PDF of at most 10 MB, or Invalid with a clear reason (the PDF Upload's checks)."""
    data: bytes = await PDF_UPLOAD.receive(attachment)
    return data


@dataclass
class LinkOrFile:
    """A dialog step that takes either a link (with an optional title) or a PDF upload, then saves it.

    The upload half is the generic `Upload` step (`PDF_UPLOAD`: kind, 10 MB, download, real PDF).
    """

    name: str
    title: str
    save: Callable[[DialogContext, str | None, str, tuple[str, bytes] | None], Awaitable[list[Reply]]]
    section: int = 0
    upload: Upload = field(default_factory=lambda: PDF_UPLOAD)
    hint: str = "Send a web link starting with https:// (a title may follow it), or a PDF file."
    example: str = "https://example.com/nqt-guide NQT guide"

    async def prompt(self, ctx: DialogContext) -> Reply:
        text = (
            f"Send the link for {ctx.answers.get('label', 'the company')} (https://…, optionally followed "
            "by a title), or send the PDF file (at most 10 MB; a caption becomes its title)."
        )
        form = Form(
            "Add a resource",
            (
                Field("link", "Link (https://…)", max_length=MAX_URL),
                Field("title", "Title", required=False, max_length=150),
            ),
            ctx.token("form"),
        )
        return Reply(text=text, form=form, private=True)

    async def accept(self, ctx: DialogContext, event: IncomingEvent) -> Outcome:
        if event.kind == "upload" and event.attachments:
            attachment = event.attachments[0]
            data = await self.upload.receive(attachment)
            title = " ".join(event.text.split()) or PurePath(attachment.filename).stem
            return Done(tuple(await self.save(ctx, None, title, (attachment.filename, data))))
        if event.kind == "form":
            link, title = event.form.get("link", ""), event.form.get("title", "")
        elif event.kind == "text":
            link, _, title = event.text.strip().partition(" ")
        else:
            raise Invalid("Please send a link or a PDF file.")
        url = check_url(link)
        return Done(tuple(await self.save(ctx, url, " ".join(title.split()) or default_title(url), None)))

    def show(self, answers: dict[str, Any]) -> str:
        return "—"


class Resources(FeatureBase):
    """`/resources`, `/addresource`, `/resource <id>` and PDFs sent with a company caption."""

    name = "resources"
    text_priority = 20

    def __init__(
        self,
        services: Services,
        engine: DialogEngine,
        repo: CommunityRepository,
        moderation: CommunityModeration,
    ) -> None:
        self._services = services
        self._engine = engine
        self._repo = repo
        self._moderation = moderation

    def flows(self) -> list[Flow]:
        """The "send the link or the PDF" dialog."""

        return [
            Flow("resource_add", "resource", [LinkOrFile("source", "Link or PDF", self._save_from_dialog)])
        ]

    def register(self, commands: CommandSink) -> None:
        """Add the commands to the router."""
        commands.add(
            CommandInfo("resources", "Links and PDFs shared for a company", "<company>"), self.resources
        )
        commands.add(
            CommandInfo("addresource", "Share a link or PDF for a company", "<company> [link] [title]"),
            self.add,
        )
        commands.add(CommandInfo("resource", "Get a shared PDF", "<id>"), self.resource)

    async def on_text(self, event: IncomingEvent) -> list[Reply] | None:
        """PDFs sent with a company caption outside a dialog; None for anything else."""
        return await self.upload(event)

    async def _company(self, text: str) -> Scope | list[Reply]:
        text = " ".join(text.split())
        if text.startswith("@"):
            scope = await scope_from_token(self._services, text)
            if scope is not None and scope.company_id is not None:
                return scope
        match = await self._services.companies.match(text) if text else None
        if match is not None and match.exact is not None:
            return Scope(match.exact.id, match.exact.name)
        close = ", ".join(c.name for c in match.suggestions[:3]) if match else ""
        hint = f" Did you mean {close}?" if close else ""
        return [Reply(text=f"I don't know a company called “{short(text, 60)}”.{hint}")]

    async def resources(self, event: IncomingEvent) -> list[Reply]:
        """`/resources <company>`: approved links and PDFs, newest first."""
        if not event.args.strip():
            return [Reply(text="Tell me the company: /resources <company>, e.g. /resources TCS.")]
        scope = await self._company(event.args)
        if isinstance(scope, list):
            return scope
        assert scope.company_id is not None
        if (unplaced := needs_college(event.actor)) is not None:
            return unplaced
        rows, total = await self._repo.list_resources(
            scope.company_id, limit=LIST_SIZE, colleges=own_scope(event.actor)
        )
        add = (Button("➕ Add a resource", command_button_action("addresource", scope.token)),)
        if not rows:
            return [
                Reply(text=f"No resources for {scope.label} yet. Share a useful link or PDF!", buttons=(add,))
            ]
        lines = [f"**Resources for {scope.label}** ({total})"]
        buttons = []
        for row in rows:
            if row.url:
                lines.append(f"🔗 {row.title}: {row.url}")
            else:
                lines.append(
                    f"📄 {row.title} ({row.file_name}, {max(1, row.size // 1024)} KB): /resource {row.id}"
                )
                buttons.append(
                    (Button(f"📄 {short(row.title, 30)}", command_button_action("resource", str(row.id))),)
                )
        if total > len(rows):
            lines.append(f"…and {total - len(rows)} older ones.")
        return [Reply(text="\n".join(lines), buttons=(*buttons, add))]

    async def resource(self, event: IncomingEvent) -> list[Reply]:
        """`/resource <id>`: the PDF itself (moderators may also fetch waiting ones)."""
        resource_id = parse_id(event.args)
        colleges = own_scope(event.actor)  # issue #15: another college's resource reads as missing
        row = await self._repo.resource(resource_id, colleges=colleges) if resource_id is not None else None
        if row is None or (row.status != "approved" and not event.actor.is_moderator):
            return [Reply(text="There is no such resource. /resources <company> lists them.")]
        if row.url:
            return [Reply(text=f"🔗 {row.title}: {row.url}")]
        stored = await self._repo.resource_file(row.id)
        if stored is None:
            return [Reply(text="That resource has no file.")]
        return [
            Reply(
                text=f"📄 {row.title}", files=(Document(stored[1], stored[0], "application/pdf", row.title),)
            )
        ]

    async def add(self, event: IncomingEvent) -> list[Reply]:
        """`/addresource <company> <link> [title]`, or `/addresource <company>` then the link or PDF."""
        words = event.args.split()
        at = next((i for i, word in enumerate(words) if URL_LIKE.match(word) and i > 0), None)
        company_words = words if at is None else words[:at]
        if not company_words:
            return [Reply(text=ADD_HELP)]
        scope = await self._company(" ".join(company_words))
        if isinstance(scope, list):
            return [*scope, Reply(text=ADD_HELP)]
        refused = await spam_message(
            self._services, self._repo, (await event.actor.ensure_id()), event.actor.is_moderator
        )
        if refused:
            return [Reply(text=refused, private=True)]
        if at is None:
            answers = {"scope": scope.token, "label": scope.label}
            return await self._engine.start(event, "resource_add", answers)
        try:
            url = check_url(words[at])
        except Invalid as problem:
            return [Reply(text=f"⚠️ {problem}")]
        title = " ".join(words[at + 1 :]) or default_title(url)
        return await self.save(event.actor, scope, url, title, None, event.actor.is_moderator)

    async def _save_from_dialog(
        self, ctx: DialogContext, url: str | None, title: str, file: tuple[str, bytes] | None
    ) -> list[Reply]:
        scope = await scope_from_token(self._services, ctx.answers["scope"])
        if scope is None or scope.company_id is None:
            return [Reply(text="That company no longer exists; nothing was saved.", private=True)]
        return await self.save(ctx.actor, scope, url, title, file, ctx.is_moderator)

    async def save(
        self,
        actor: Actor,
        scope: Scope,
        url: str | None,
        title: str,
        file: tuple[str, bytes] | None,
        is_moderator: bool,
    ) -> list[Reply]:
        """Store a resource (pending for low-reputation users, who wait for a moderator)."""
        user_id = await actor.ensure_id()
        refused = await spam_message(self._services, self._repo, user_id, is_moderator)
        if refused:
            return [Reply(text=refused, private=True)]
        pending = await needs_review(self._services, self._repo, user_id, is_moderator)
        assert scope.company_id is not None
        resource_id = await self._repo.add_resource(
            college_id=actor.college_id,
            user_id=user_id,
            company_id=scope.company_id,
            title=title,
            url=url,
            file_name=file[0] if file else None,
            data=file[1] if file else None,
            status="pending" if pending else "approved",
            now=self._services.clock(),
        )
        if pending:
            await self._moderation.announce("resource", resource_id)
            return [
                Reply(
                    text=f"Thanks! “{short(title, 60)}” for {scope.label} waits for a moderator; "
                    "I'll tell you when it is listed.",
                    private=True,
                )
            ]
        return [
            Reply(
                text=f"✅ Added “{short(title, 60)}” to the {scope.label} resources "
                f"(/resources {scope.label})."
            )
        ]

    async def upload(self, event: IncomingEvent) -> list[Reply] | None:
        """A document sent outside a dialog: a PDF captioned "<company> [title]" becomes a resource."""
        if event.kind != "upload" or not event.attachments or event.attachments[0].kind != "document":
            return None
        attachment = event.attachments[0]
        caption = event.text.strip()
        if not caption:
            if not is_pdf_name(attachment):
                return None
            return [
                Reply(
                    text="To share this PDF as a company resource, send /addresource <company> first and "
                    "then the file, or send it again with the company name as its caption "
                    "(e.g. “TCS NQT notes”)."
                )
            ]
        words = caption.split()
        scope, rest = None, words
        for size in range(min(4, len(words)), 0, -1):
            match = await self._services.companies.match(" ".join(words[:size]))
            if match.exact is not None:
                scope, rest = Scope(match.exact.id, match.exact.name), words[size:]
                break
        if scope is None:
            if not is_pdf_name(attachment):
                return None
            return [
                Reply(text=f"Which company is this PDF for? I don't know “{short(caption, 40)}”. {ADD_HELP}")
            ]
        try:
            data = await check_pdf(attachment)
        except Invalid as problem:
            return [Reply(text=f"⚠️ {problem}")]
        title = " ".join(rest) or PurePath(attachment.filename).stem
        return await self.save(
            event.actor, scope, None, title, (attachment.filename, data), event.actor.is_moderator
        )
