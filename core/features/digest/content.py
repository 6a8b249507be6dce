"""The words of a weekly digest: the week across companies, followed companies' new posts, the empty note.

Pure functions over core.repositories.digest's records, so the wording is tested without a database. Authors
appear as their display name or "Anonymous" (decided in storage); roll numbers are never read here.
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from core.analytics.stats import rate_phrase
from core.repositories.digest import NewExperience, WeekSummary

logger = logging.getLogger(__name__)

TOP_COMPANIES = 3
FOOTER = "Manage with /subscriptions · stop with /unsubscribe"
MAX_QUESTION = 90


def week_label(start: datetime, end: datetime, timezone: str) -> str:
    """The week as people read it ("16 Nov – 23 Nov 2026"): local dates of its first and last moment."""
    zone = ZoneInfo(timezone)
    first = start.astimezone(zone)
    last = (end - timedelta(seconds=1)).astimezone(zone)
    left = f"{first.day} {first:%b}" + (f" {first.year}" if first.year != last.year else "")
    return f"{left} – {last.day} {last:%b} {last.year}"


def _plural(n: int, word: str, many: str = "") -> str:
    return f"{n} {word if n == 1 else many or word + 's'}"


def _quote(text: str) -> str:
    one_line = " ".join(text.split())
    return one_line if len(one_line) <= MAX_QUESTION else one_line[: MAX_QUESTION - 1].rstrip() + "…"


def summary_lines(week: WeekSummary, label: str) -> list[str]:
    """The part every subscriber gets: counts, top companies, selection rate, hot topics, top questions."""
    companies = week.companies or []
    lines = [
        f"📬 **Weekly interview digest** · {label}",
        f"🆕 {_plural(week.total, 'new experience')} at {_plural(len(companies), 'company', 'companies')}",
    ]
    if companies:
        lines.append(
            "🏢 Top companies: " + ", ".join(f"{name} ({n})" for name, n in companies[:TOP_COMPANIES])
        )
    if week.decided <= 0:
        lines.append("✅ Selection rate: no results known yet for these")
    else:  # the card's wording and rule: selected / (selected + rejected), shown from MIN_GROUP results
        lines.append(f"✅ Selection rate among them: {rate_phrase(week.selected, week.decided)}")
    if week.topics:
        lines.append("🔥 Hot topics: " + ", ".join(f"{t} ({n})" for t, n in week.topics))
    if week.questions:
        lines.append("❓ Most asked this week:")
        lines += [f"• “{_quote(q)}” ({_plural(n, 'experience')})" for q, n in week.questions]
    return lines


def company_lines(name: str, items: list[NewExperience], max_listed: int) -> list[str]:
    """A followed company's new experiences: company · role · year · author (name or "Anonymous")."""
    if not items:
        return [f"**{name}**: no new experiences this week."]
    lines = [f"**{name}**: {_plural(len(items), 'new experience')}"]
    for item in items[:max_listed]:
        lines.append(f"• #{item.id} {item.company} · {item.role} · {item.interview_year} · {item.author}")
    if len(items) > max_listed:
        lines.append(f"…and {len(items) - max_listed} more: /company {name}")
    return lines


def digest_text(
    week: WeekSummary,
    label: str,
    followed: list[tuple[str, list[NewExperience]]],
    max_listed: int,
) -> str:
    """One recipient's digest: the general part, then a section per followed company, then the footer."""
    lines = summary_lines(week, label)
    for name, items in followed:
        lines.append("")
        lines += company_lines(name, items, max_listed)
    lines += ["", "Read any of them with /experience <id>. " + FOOTER]
    return "\n".join(lines)


def empty_text(label: str) -> str:
    """The short note sent when nothing was published in the week."""
    return (
        f"📭 **Weekly interview digest** · {label}\n"
        "Nothing new this week. Interviewed somewhere recently? Share it with /share and help juniors.\n"
        + FOOTER
    )


def chart_caption(caption: str) -> str:
    """The chart's own finding, said to be about this week."""
    return f"This week: {caption}" if caption else "This week's top companies."
