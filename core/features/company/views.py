"""Text of the company insight card, drill-downs, experience lists and full experiences (no roll numbers)."""

from __future__ import annotations

import logging
from collections.abc import Sequence
from urllib.parse import quote

from core.analytics.stats import (
    DIFFICULTY_LABELS,
    MIN_GROUP,
    OTHER_SMALL,
    OUTCOME_LABELS,
    SOURCE_LABELS,
    compress_sequence,
    distribution_line,
    enough,
    k_anonymous,
    mean_of,
    percent,
    rate_phrase,
    round_label,
    share_line,
    shown_rate,
    typical_sequence,
)
from core.replies import Button, link_button, or_dash
from core.repositories.stats import CompanyStats, ExperienceLine, ExperienceView, Tally

logger = logging.getLogger(__name__)

DIMENSION_TITLES = {
    "passout": "by year of passout",
    "role": "by role",
    "branch": "by branch",
    "round": "by round type",
    "year": "by interview year",
}
OPEN_IN_BROWSER = "🌐 Open in browser"
OPEN_AS_APP = "📱 Open full insights"
CARD_TOPICS = 6
CARD_QUESTIONS = 5


def rate_text(selected: int, decided: int) -> str:
    """ "76% (62 of 82 with a known result)", or "too few known results ..." under MIN_GROUP results.

    The shared wording of core.analytics.stats.rate_phrase: decided = selected + rejected.
    """
    return rate_phrase(selected, decided)


def typical_rounds(stats: CompanyStats) -> str:
    """The typical rounds sequence of a company, e.g. "OA → Technical ×2 → HR"."""
    return compress_sequence(typical_sequence(stats.round_counts, stats.round_positions)) or "n/a"


def card_text(stats: CompanyStats) -> str:
    """The insight card of one company."""
    name = stats.name
    if not stats.total:
        return (
            f"**{name}**\nNo published experiences of {name} yet. Interviewed there? "
            "Send /share and help the next batch."
        )
    mean = mean_of(stats.difficulty)
    lines = [
        f"**{name}: what seniors learned**",
        f"📚 Experiences shared: {stats.total}",
        f"✅ Selection rate: {rate_text(stats.selected, stats.decided)}",
        f"🧗 Difficulty (1-5): {distribution_line(stats.difficulty)}"
        + (f" — average {mean:.1f}, {DIFFICULTY_LABELS[round(mean)]}" if mean else ""),
        f"⭐ Rating (1-5): {distribution_line(stats.rating)}",
        f"🔁 Typical rounds: {typical_rounds(stats)}",
    ]
    if stats.topics:
        window = f" (newest {stats.sample:,} experiences)" if 0 < stats.sample < stats.total else ""
        lines.append(
            f"🧠 Top topics{window}: " + ", ".join(f"{t} ({n})" for t, n in stats.topics[:CARD_TOPICS])
        )
    lines.append(f"🧭 Sources: {share_line(stats.sources, SOURCE_LABELS)}")
    if stats.latest_year is not None:
        lines.append(f"🕒 Latest experience: interviews of {stats.latest_year}")
    if stats.questions:
        drawn = stats.question_sample or stats.total
        noun = "experience" if drawn == 1 else "experiences"
        newest = "newest " if drawn < stats.total else ""
        lines.append(f"\n**Most asked questions** (from {newest}{drawn:,} {noun}):")
        for i, (text, n) in enumerate(stats.questions[:CARD_QUESTIONS], start=1):
            lines.append(f"{i}. {text} — asked in {n}")
    return "\n".join(lines)


def _people(n: int) -> str:
    return "none yet" if n == 0 else str(n) if enough(n) else f"fewer than {MIN_GROUP}"


def _rate(stats: CompanyStats) -> str:
    rate = shown_rate(stats.selected, stats.decided)
    return percent(rate) if rate is not None else "too few results"


def _difficulty(stats: CompanyStats) -> str:
    mean = mean_of(stats.difficulty)
    return f"{mean:.1f}" if mean is not None and enough(sum(stats.difficulty.values())) else "too few"


def compare_text(own: CompanyStats, everyone: CompanyStats) -> str:
    """ "Your college" and "All colleges" side by side (issue #15): experiences, selection rate, average
    difficulty. `everyone` counts the student's college and the colleges sharing across (approved,
    anonymised experiences). Every figure drawn from fewer than MIN_GROUP people is withheld in words."""
    rows = [
        ("📚 Experiences", _people(own.total), _people(everyone.total)),
        ("✅ Selection rate", _rate(own), _rate(everyone)),
        ("🧗 Average difficulty (1-5)", _difficulty(own), _difficulty(everyone)),
    ]
    lines = ["**Your college · All colleges**"]
    lines += [f"{label}: {mine} · {theirs}" for label, mine, theirs in rows]
    lines.append("All colleges: yours and the colleges that share their experiences across.")
    return "\n".join(lines)


def breakdown_text(name: str, dimension: str, tallies: Sequence[Tally]) -> str:
    """A drill-down table: one line per passout year / role / branch / round type."""
    title = f"**{name} {DIMENSION_TITLES.get(dimension, dimension)}**"
    if not tallies:
        return f"{title}\nNothing to show yet."
    lines = [title]
    shown, left_out = k_anonymous(list(tallies), lambda t: t.total, merge_tallies)
    if not shown:
        return f"{title}\nEvery group here has fewer than {MIN_GROUP} experiences, too few to show."
    for t in top_with_other_tallies(shown):
        key = (
            t.key if t.key == OTHER_SMALL else round_label(str(t.key)) if dimension == "round" else str(t.key)
        )
        avg = f", difficulty {t.avg_difficulty:.1f}/5" if t.avg_difficulty is not None else ""
        lines.append(f"• {key}: {t.total} experiences, selected {rate_text(t.selected, t.decided)}{avg}")
    if left_out:
        lines.append(f"(groups of fewer than {MIN_GROUP} experiences are not shown)")
    if dimension == "round":
        lines.append("(a round type counts each experience that had it once)")
    return "\n".join(lines)


def merge_tallies(tallies: Sequence[Tally], key: str = OTHER_SMALL) -> Tally:
    """One tally adding up several (the "other" line); difficulty averaged over their experiences."""
    total = sum(t.total for t in tallies)
    weighted = [(t.avg_difficulty, t.total) for t in tallies if t.avg_difficulty is not None]
    weight = sum(n for _, n in weighted)
    avg = sum(a * n for a, n in weighted) / weight if weight else None
    return Tally(key, total, sum(t.selected for t in tallies), sum(t.decided for t in tallies), avg)


def top_with_other_tallies(tallies: Sequence[Tally], limit: int = 15) -> list[Tally]:
    """At most `limit` lines: the rest folded into one "other" line."""
    if len(tallies) <= limit:
        return list(tallies)
    head, tail = list(tallies[: limit - 1]), tallies[limit - 1 :]
    return [*head, merge_tallies(tail, "other")]


def list_text(name: str, lines: Sequence[ExperienceLine], page: int, pages: int, total: int) -> str:
    """One page of a company's experiences, newest first."""
    if not lines:
        return f"No published experiences of {name} yet."
    out = [f"**{name} experiences** (newest first, page {page + 1} of {pages}, {total} in all)"]
    for line in lines:
        out.append(
            f"#{line.id} · {line.role} · {line.interview_year} · "
            f"{OUTCOME_LABELS.get(line.outcome, line.outcome)} · difficulty {or_dash(line.difficulty)}/5 · "
            f"{or_dash(line.branch)} {or_dash(line.passout_year)} · by {line.author}"
        )
    out.append("Open one with its button or /experience <number>.")
    return "\n".join(out)


def experience_text(view: ExperienceView) -> str:
    """A whole experience: who (name or Anonymous), the role, every round with its questions, advice."""
    out = [
        f"**{view.company} — {view.role} ({view.interview_year})** #{view.id}",
        f"By {view.author} · {or_dash(view.branch)}, passout {or_dash(view.passout_year)}"
        + (f" · {view.linkedin_url}" if view.linkedin_url else ""),
        f"How: {SOURCE_LABELS.get(view.source, view.source)} · Outcome: "
        f"{OUTCOME_LABELS.get(view.outcome, view.outcome)} · Difficulty {or_dash(view.difficulty)}/5 · "
        f"Rating {view.rating}/5",
    ]
    if view.role_description.strip():
        out.append(f"Role: {view.role_description.strip()}")
    for r in view.rounds:
        minutes = f", {r.duration_minutes} min" if r.duration_minutes else ""
        out.append(
            f"\n**Round {r.position}: {round_label(r.kind)}** (difficulty {or_dash(r.difficulty)}/5{minutes})"
        )
        out.extend(f"• {q}" for q in r.questions)
        if not r.questions:
            out.append("• (no questions recorded)")
    if view.preparation.strip():
        out.append(f"\n**Preparation**\n{view.preparation.strip()}")
    if view.reflections.strip():
        out.append(f"\n**Reflections and advice**\n{view.reflections.strip()}")
    return "\n".join(out)


def no_match_text(typed: str, suggestions: Sequence[str]) -> str:
    """Nothing matched: closest companies (if any) and an invitation to share."""
    head = f'I couldn\'t find a company called "{typed.strip()[:60]}".'
    if suggestions:
        head += " Closest: " + ", ".join(suggestions) + "."
    return (
        head + "\nIf you interviewed there, send /share: your experience will start its page. "
        "Search questions across all companies with /search <words>."
    )


def company_page_url(public_url: str, college: str, company: str) -> str:
    """The company's web page (bots/web): <public_url>/c/<college>/company/<name>, parts percent-encoded."""
    return f"{public_url.rstrip('/')}/c/{quote(college, safe='')}/company/{quote(company, safe='')}"


def web_page_row(
    public_url: str, college: str, company: str, *, in_app: bool
) -> tuple[tuple[Button, ...], ...]:
    """The card's link to its web page (config web.public_url; none when it is empty).

    `in_app` (a private chat) asks the platform to open it inside the chat app (a Telegram Mini App);
    elsewhere it is an "Open in browser" link.
    """
    if not public_url:
        return ()
    url = company_page_url(public_url, college, company)
    return ((link_button(OPEN_AS_APP if in_app else OPEN_IN_BROWSER, url, web_app=in_app),),)
