"""The services features and dialog steps use, gathered in one object the app wires at start."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from core.companies import CompanyMatcher
from core.config import Config
from storage.repos import Repos


@dataclass
class Services:
    """Config, repositories and shared indexes; passed to steps as `ctx.services`."""

    config: Config
    repos: Repos
    companies: CompanyMatcher
    clock: Callable[[], datetime]

    def this_year(self) -> int:
        """The current calendar year (UTC), so "never in the future" is testable with a fake clock."""
        return self.clock().year
