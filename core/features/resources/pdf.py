"""Is this upload really a PDF? Checked with well-kept libraries, not a prefix scan.

`filetype` reads the file's magic number at offset 0 (an HTML page or an executable that merely
contains "%PDF-" somewhere is not a PDF), then `pypdf` parses the document and counts its pages
(a truncated or corrupt file fails). Parsing runs in a thread: a 10 MB PDF can take a moment.
"""

from __future__ import annotations

import asyncio
import io
import logging

import filetype
from pypdf import PdfReader

from core.domain.experience import Invalid

logger = logging.getLogger(__name__)


def pdf_pages(data: bytes, filename: str) -> int:
    """The number of pages of a valid PDF; Invalid naming `filename` otherwise."""
    kind = filetype.guess(data[:8192])
    if kind is None or kind.mime != "application/pdf":
        found = f" (it looks like {kind.mime})" if kind is not None else ""
        raise Invalid(f"“{filename}” is not a PDF{found}. Please send the real PDF.")
    try:
        pages = len(PdfReader(io.BytesIO(data), strict=False).pages)
    except Exception as exc:  # pypdf raises many kinds on broken files
        logger.info("rejected a PDF that does not parse: %s", type(exc).__name__)
        raise Invalid(f"“{filename}” is damaged or incomplete: I could not open it as a PDF.") from None
    if pages < 1:
        raise Invalid(f"“{filename}” has no pages.")
    return pages


async def check_pdf_bytes(data: bytes, filename: str) -> int:
    """pdf_pages off the event loop."""
    return await asyncio.to_thread(pdf_pages, data, filename)
