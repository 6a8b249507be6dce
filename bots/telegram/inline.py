"""Inline mode (`@bot tcs` in any chat): the core's experience cards as shareable Telegram articles."""

from __future__ import annotations

import html
import logging
from collections.abc import Sequence

from telegram import (
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    InlineQuery,
    InlineQueryResultArticle,
    InlineQueryResultsButton,
    InputTextMessageContent,
)
from telegram.constants import ParseMode
from telegram.error import TelegramError

from bots.telegram import render
from bots.telegram.limits import MAX_TEXT
from core.ports import AppPort
from core.replies import InlineCard

logger = logging.getLogger(__name__)

MAX_RESULTS = 50  # Telegram accepts at most 50 results per answer
MAX_QUERY = 256  # Telegram never sends a longer query; we cut defensively anyway
MAX_ID_BYTES = 64
MAX_TITLE = 128  # not a hard API limit, but clients cut long titles: keep them short
MAX_DESCRIPTION = 200
CACHE_SECONDS = 30  # short: new experiences show up quickly
NO_MATCH_BUTTON = "📝 No match? Share your experience"
MORE_BUTTON = "🔎 More in the bot"
CUT_MARK = "\n…"


def card_html(text: str) -> str:
    """The card's neutral markup as HTML that fits one message (cut on a line boundary, marked with …)."""
    chunks = render.split_html(text, MAX_TEXT - len(CUT_MARK))
    if not chunks:
        return html.escape("(empty)")
    return chunks[0] + (html.escape(CUT_MARK) if len(chunks) > 1 else "")


def _short(text: str, limit: int) -> str:
    """Plain one-line text for titles and descriptions (no markup: Telegram shows these verbatim)."""
    flat = " ".join(text.replace("**", "").split())
    return flat if len(flat) <= limit else flat[: limit - 1].rstrip() + "…"


def article(card: InlineCard, bot_username: str) -> InlineQueryResultArticle:
    """One card -> an article whose message is the card, with a link button back to the bot."""
    markup = None
    if bot_username:
        url = f"https://t.me/{bot_username}"
        markup = InlineKeyboardMarkup([[InlineKeyboardButton(MORE_BUTTON, url=url)]])
    card_id = card.id.encode("utf-8")[:MAX_ID_BYTES].decode("utf-8", "ignore") or "card"
    return InlineQueryResultArticle(
        id=card_id,
        title=_short(card.title, MAX_TITLE) or "Interview experience",
        description=_short(card.description, MAX_DESCRIPTION) or None,
        input_message_content=InputTextMessageContent(card_html(card.text), parse_mode=ParseMode.HTML),
        reply_markup=markup,
    )


def articles(cards: Sequence[InlineCard], bot_username: str) -> list[InlineQueryResultArticle]:
    """Cards -> articles: at most 50, ids unique (a duplicate id makes Telegram reject the whole answer)."""
    seen: set[str] = set()
    out: list[InlineQueryResultArticle] = []
    for card in cards:
        result = article(card, bot_username)
        if result.id in seen:
            continue
        seen.add(result.id)
        out.append(result)
        if len(out) == MAX_RESULTS:
            break
    return out


async def answer(query: InlineQuery, app: AppPort, bot_username: str) -> None:
    """Ask the core for cards and answer the inline query; any failure answers with no results."""
    results: list[InlineQueryResultArticle] = []
    button: InlineQueryResultsButton | None = None
    try:
        cards = await app.inline(query.query.strip()[:MAX_QUERY], MAX_RESULTS)
        results = articles(cards, bot_username)
    except Exception:  # the query is answered either way; the core's failure is logged
        logger.exception("inline search failed for a query of %d characters", len(query.query))
    if not results:
        button = InlineQueryResultsButton(NO_MATCH_BUTTON, start_parameter="share")
    try:
        await query.answer(results, cache_time=CACHE_SECONDS, is_personal=True, button=button)
    except TelegramError as exc:  # too late (queries expire after ~10 s) or rejected
        logger.info("could not answer inline query: %s", exc)
