"""The one clock: timezone-aware UTC now, so SQLite and PostgreSQL store the same instant."""

from __future__ import annotations

from datetime import UTC, datetime


def utcnow() -> datetime:
    """Timezone-aware now (UTC); pass a fake in tests via `bootstrap(clock=...)`."""
    return datetime.now(UTC)
