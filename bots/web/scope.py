"""Which college a page belongs to: /c/<code>/... resolves here, and only here.

Every page is of one college (issue #15): its company figures, experiences, FAQ and search are that
college's (`own`), and a single experience may also come from colleges that share across (`wider`,
their authors shown anonymous). An unknown code is a 404.
"""

from __future__ import annotations

import logging

from starlette.exceptions import HTTPException

from core.colleges import shared_scope
from core.repositories.colleges import College, CollegeRepository

logger = logging.getLogger(__name__)


async def resolve_college(colleges: CollegeRepository, code: str) -> College:
    """The college of a URL's code (case-insensitive); HTTPException(404) when there is none."""
    college = await colleges.by_code(code) if code else None
    if college is None:
        raise HTTPException(404, "No such college here.")
    return college


def own(college: College) -> tuple[int, ...]:
    """The scope of a college's own figures and lists: its id alone."""
    return (college.id,)


async def wider(colleges: CollegeRepository, college: College) -> tuple[int, ...]:
    """The college and every college sharing its experiences across (for one experience's page)."""
    return await shared_scope(colleges, college.id)
