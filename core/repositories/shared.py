"""The repositories every feature may reach as `services.repos`: users, experiences, companies, dialogs,
colleges.

Per-feature repositories (digest, FAQ, mock, privacy, community) are handed to their one feature by
the composition root (core/app.py); these four are shared, so `core.services.Services` carries them in
one object. `storage.repos.Repos` implements `SharedRepositories` (it subclasses it).
"""

from __future__ import annotations

import logging
from typing import Protocol

from core.repositories.colleges import CollegeRepository
from core.repositories.companies import CompanyRepository
from core.repositories.dialogs import DialogRepository
from core.repositories.experiences import ExperienceRepository
from core.repositories.users import UserRepository

logger = logging.getLogger(__name__)


class SharedRepositories(Protocol):
    """One repository per shared aggregate, all over the same database."""

    dialogs: DialogRepository
    users: UserRepository
    companies: CompanyRepository
    experiences: ExperienceRepository
    colleges: CollegeRepository
