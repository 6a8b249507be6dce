"""Resources: link validation, PDF checks (type, header, 10 MB), moderation and listing, via the console."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from pypdf import PdfWriter
from sqlalchemy import select

from core.events import Attachment, ChatRef, IncomingEvent, UserRef
from storage.models import Resource
from tests.community.conftest import Env

pytestmark = pytest.mark.asyncio


def real_pdf() -> bytes:
    """A valid one-page PDF, written by pypdf."""
    writer = PdfWriter()
    writer.add_blank_page(width=200, height=200)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


PDF = real_pdf()


def upload(user_id: str, name: str, data: bytes, mime: str, caption: str = "", size: int | None = None):
    """An upload event as an adapter sends it (bytes fetched lazily)."""

    async def fetch() -> bytes:
        return data

    attachment = Attachment(name, len(data) if size is None else size, mime, None, "document", fetch)
    return IncomingEvent(
        user=UserRef("console", user_id, "Asha"),
        chat=ChatRef("console", user_id),
        kind="upload",
        text=caption,
        attachments=(attachment,),
    )


async def texts(env: Env, event) -> str:
    return "\n".join(reply.text for reply in await env.app.handle(event))


@pytest.mark.parametrize(
    "link, problem",
    [
        ("javascript:alert(1)", "Only web links"),
        ("ftp://files.example.com/a.pdf", "Only web links"),
        ("www.example.com/guide", "full link, starting with https://"),
        ("https://localhost/guide", "does not look like a web address"),
        ("https://" + "a" * 600 + ".com", "links can be at most 500"),
    ],
)
async def test_bad_links_are_refused_clearly(env: Env, link, problem):
    student = env.console("stu-1", "Asha")
    assert problem in await student.say(f"/addresource TCS {link}")
    async with env.app.database.sessions() as session:
        assert (await session.scalars(select(Resource))).all() == []


async def test_link_from_new_member_waits_then_is_listed(env: Env):
    student = env.console("stu-1", "Asha")
    out = await student.say("/addresource tcs https://example.com/nqt-guide NQT preparation guide")
    assert "waits for a moderator" in out
    assert "No resources for TCS yet" in await env.console("stu-2", "Ravi").say("/resources TCS")
    [alert] = env.outbox.to("mod-1")
    assert "/moderate r1" in alert and "https://example.com/nqt-guide" in alert
    moderator = env.console("mod-1", "Mod")
    await moderator.say("/moderate r1")
    assert "Approved resource r1" in await moderator.pick("✅ Approve")
    assert any("is now listed" in text for text in env.outbox.to("stu-1"))
    out = await env.console("stu-2", "Ravi").say("/resources TCS")
    assert "NQT preparation guide: https://example.com/nqt-guide" in out


async def test_rejected_resource_is_never_listed(env: Env):
    await env.console("stu-1", "Asha").say("/addresource TCS https://example.com/x")
    moderator = env.console("mod-1", "Mod")
    await moderator.say("/moderate r1")
    await moderator.pick("❌ Reject")
    assert "Rejected resource r1" in await moderator.say("Not about TCS")
    assert "No resources for TCS" in await env.console("stu-2", "Ravi").say("/resources TCS")
    assert any("not published. Reason: Not about TCS" in t for t in env.outbox.to("stu-1"))


async def test_pdf_after_prompt_from_a_file_path(env: Env, tmp_path):
    await env.trusted("stu-1", "Asha")
    student = env.console("stu-1", "Asha")
    assert "or send the PDF file" in await student.say("/addresource TCS")
    fake = tmp_path / "notes.pdf"
    fake.write_bytes(b"this is not a pdf at all")
    assert "is not a PDF" in await student.say(str(fake))
    real = tmp_path / "aptitude-notes.pdf"
    real.write_bytes(PDF)
    assert "Added “aptitude-notes” to the TCS resources" in await student.say(str(real))
    reader = env.console("stu-2", "Ravi")
    out = await reader.say("/resources TCS")
    assert "aptitude-notes (aptitude-notes.pdf, 1 KB)" in out
    out = await reader.pick("📄 aptitude-notes")
    saved = out.split("[file: ")[1].split("]")[0]
    assert Path(saved).read_bytes() == PDF


async def test_pdf_with_caption_and_file_checks(env: Env):
    await env.trusted("stu-1", "Asha")
    out = await texts(env, upload("stu-1", "report.docx", b"PK\x03\x04", "application/msword", "TCS notes"))
    assert "Only PDF files can be shared" in out
    big = upload("stu-1", "huge.pdf", PDF, "application/pdf", "TCS Big", size=11 * 1024 * 1024)
    assert "the limit is 10 MB" in await texts(env, big)
    lying = upload("stu-1", "fake.pdf", b"<html>not a pdf</html>", "application/pdf", "TCS Fake")
    assert "is not a PDF" in await texts(env, lying)
    # Found in the field: "%PDF-" anywhere in the first KB passed the old prefix scan.
    html = b"<!doctype html><html><body>%PDF-1.7 looks like a pdf</body></html>"
    out = await texts(env, upload("stu-1", "page.pdf", html, "application/pdf", "TCS Page"))
    assert "“page.pdf” is not a PDF" in out and "Added" not in out
    elf = b"\x7fELF\x02\x01\x01" + b"\x00" * 40 + b"%PDF-1.4 hidden"
    out = await texts(env, upload("stu-1", "tool.pdf", elf, "application/pdf", "TCS Tool"))
    assert "“tool.pdf” is not a PDF (it looks like application/x-executable)" in out
    truncated = PDF[: len(PDF) // 2]
    out = await texts(env, upload("stu-1", "half.pdf", truncated, "application/pdf", "TCS Half"))
    assert "“half.pdf” is damaged or incomplete" in out
    assert "To share this PDF" in await texts(env, upload("stu-1", "x.pdf", PDF, "application/pdf"))
    ok = upload("stu-1", "infy.pdf", PDF, "application/pdf", "Infosys HR questions 2025")
    assert "Added “HR questions 2025” to the Infosys resources" in await texts(env, ok)
    async with env.app.database.sessions() as session:
        [resource] = (await session.scalars(select(Resource))).all()
        assert (resource.title, resource.file_name, resource.file_data, resource.status) == (
            "HR questions 2025",
            "infy.pdf",
            PDF,
            "approved",
        )


async def test_oversized_pdf_is_refused_without_downloading_it(env: Env):
    fetched = []

    async def fetch() -> bytes:
        fetched.append(True)
        return PDF

    attachment = Attachment("big.pdf", 10 * 1024 * 1024 + 1, "application/pdf", None, "document", fetch)
    event = IncomingEvent(
        user=UserRef("console", "stu-1", "Asha"),
        chat=ChatRef("console", "stu-1"),
        kind="upload",
        text="TCS",
        attachments=(attachment,),
    )
    assert "the limit is 10 MB" in await texts(env, event)
    assert fetched == []
