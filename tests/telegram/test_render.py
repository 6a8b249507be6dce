"""Rendering rules that need no server: splitting by Telegram's own character count, bold across splits."""

from __future__ import annotations

import httpx
from telegram.error import BadRequest, NetworkError, TimedOut

from bots.telegram.ratelimit import retryable
from bots.telegram.render import render_reply, split_html, to_html, utf16_len
from core.replies import Button, Reply
from tests.telegram.fake_bot_api import parse_html


def test_emoji_count_double_so_chunks_stay_under_4096():
    chunks = split_html("😀" * 4096)
    assert len(chunks) == 2
    assert all(utf16_len(parse_html(chunk)[0]) <= 4096 for chunk in chunks)
    assert "".join(chunks) == "😀" * 4096


def test_bold_span_split_across_messages_stays_valid_html():
    text = "**" + "word " * 1500 + "**"
    chunks = split_html(text)
    assert len(chunks) == 2
    for chunk in chunks:
        plain, entities = parse_html(chunk)  # raises on unbalanced tags
        assert entities[0]["type"] == "bold" and entities[0]["length"] == utf16_len(plain)


def test_markup_is_escaped_and_only_double_stars_become_bold():
    assert to_html("a < b && **c > d** *e* <i>") == "a &lt; b &amp;&amp; <b>c &gt; d</b> *e* &lt;i&gt;"


def test_keyboard_goes_on_last_message_and_link_buttons_keep_urls():
    reply = Reply("x" * 5000, buttons=((Button("Open", "", url="https://t.me/x"), Button("Go", "go:1")),))
    outs = render_reply(reply)
    assert len(outs) == 2 and outs[0].markup is None
    [[link, go]] = outs[1].markup.inline_keyboard
    assert (link.url, go.callback_data) == ("https://t.me/x", "go:1")


def test_buttons_without_text_still_get_a_message():
    [out] = render_reply(Reply(buttons=((Button("Yes", "y"),),)))
    assert out.html and out.markup is not None


def test_only_transient_failures_are_retried():
    assert retryable(NetworkError("Internal Server Error (500)"))
    assert not retryable(BadRequest("Bad Request: chat not found"))
    connect = TimedOut()
    connect.__cause__ = httpx.ConnectTimeout("connect")
    read = TimedOut()
    read.__cause__ = httpx.ReadTimeout("read")
    assert retryable(connect) and not retryable(read)
