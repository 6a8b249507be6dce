"""Which college a page belongs to: /c/<code>/... resolves here, and only here.

For now a deployment has one college (config `college.code`, "default" until the colleges feature adds
it); any other code is a 404. When colleges arrive, this is the one place that maps a code to a college
and its scope for the core's services.
"""

from __future__ import annotations

import logging

from starlette.exceptions import HTTPException

from core.config import Config, college_code

logger = logging.getLogger(__name__)


def resolve_college(config: Config, code: str) -> str:
    """The college code of a URL when this deployment serves it; HTTPException(404) otherwise."""
    known = college_code(config)
    if code != known:
        raise HTTPException(404, "No such college here.")
    return known
