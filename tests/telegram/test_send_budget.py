"""The send budget is spent on messages (issue 14): which calls a button press makes, and which are paced.

Telegram's flood limits count messages posted into chats (about 30/s overall, ~1/s per private chat,
20/min per group: core.telegram.org/bots/faq). The adapter used to charge every call carrying a chat_id
(keyboard edits, typing indicators) to the 30/s budget. These tests run the real PTB Application
against the fake Bot API *with its flood limits on* (a 429 beyond them) and the production send
limits, and check what a student would notice: each press is acknowledged once, its keyboard is
retired by one edit, the next question arrives, nothing is refused with a 429 — and only messages
ever wait in a limiter.
"""

from __future__ import annotations

import asyncio

import pytest

from bots.telegram.limits import SendLimits
from bots.telegram.ratelimit import FREE, Allowance, Budget, SendRateLimiter, budget_of
from core.app import bootstrap
from core.config import parse_config
from core.events import ChatRef
from core.replies import Reply
from storage.models import Company
from tests.support.drivers import play
from tests.support.share_script import UP_TO_COMPANY
from tests.telegram.conftest import TOKEN, Harness, TelegramDriver, start_adapter, texts
from tests.telegram.fake_bot_api import FakeBotApi

USER = 1001
GROUP = -100777
PRODUCTION = SendLimits()  # 30/s overall, 1/s per private chat (bursts of 3), 20/min per group


@pytest.mark.parametrize(
    ("method", "chat_id", "budget"),
    [
        ("sendMessage", USER, Budget(overall=True, chat=USER)),
        ("sendPhoto", str(USER), Budget(overall=True, chat=USER)),
        ("sendMediaGroup", GROUP, Budget(overall=True, group=GROUP)),
        ("copyMessage", "@channel", Budget(overall=True, group="@channel")),
        ("forwardMessage", USER, Budget(overall=True, chat=USER)),
        ("editMessageText", USER, FREE),  # an edit in a private chat posts nothing
        ("editMessageReplyMarkup", USER, FREE),
        ("editMessageText", GROUP, Budget(group=GROUP)),  # in a group: counted by the group's 20/min
        ("sendChatAction", USER, FREE),  # "typing…" is not a message
        ("answerCallbackQuery", None, FREE),
        ("getFile", None, FREE),
        ("getUpdates", None, FREE),
        ("setMyCommands", None, FREE),
        ("answerInlineQuery", None, FREE),
    ],
)
def test_only_messages_spend_the_platform_budget(method, chat_id, budget):
    data = {} if chat_id is None else {"chat_id": chat_id}
    assert budget_of(method, data) == budget


@pytest.fixture
async def limited_fake():
    """The fake Bot API refusing messages beyond Telegram's limits (one message of slack per chat for
    the network reordering two paced requests)."""
    server = FakeBotApi(TOKEN, rate_limit=30, chat_rate_limit=1, chat_burst=PRODUCTION.chat_burst + 1)
    await server.start()
    yield server
    await server.close()
    assert server.violations == [], server.violations


@pytest.fixture
async def core(tmp_path):
    app = await bootstrap(parse_config({}), db_url=f"sqlite+aiosqlite:///{tmp_path}/t.db")
    async with app.database.sessions.begin() as session:
        session.add(Company(name="TCS", slug="tcs"))
    yield app
    await app.close()


@pytest.fixture
async def tg(core, limited_fake):
    adapter = await start_adapter(core, limited_fake, limits=PRODUCTION)
    yield Harness(limited_fake, adapter)
    await adapter.stop()


def _limiter(tg: Harness) -> SendRateLimiter:
    application = tg.adapter.application
    assert application is not None
    limiter = application.bot.rate_limiter
    assert isinstance(limiter, SendRateLimiter)
    return limiter


async def test_a_button_press_is_one_answer_one_edit_and_the_next_question(tg):
    await play(TelegramDriver(tg), UP_TO_COMPANY[:3])  # /share, name, LinkedIn: the branch question
    prompt = tg.last_with_button("CSE", USER)
    before = len(tg.fake.calls)
    answer = await tg.press("CSE")
    calls = [c for c in tg.fake.calls[before:] if c.method != "getUpdates"]

    assert sorted(c.method for c in calls) == ["answerCallbackQuery", "editMessageText", "sendMessage"]
    [edit] = [c for c in calls if c.method == "editMessageText"]
    assert int(edit.params["message_id"]) == prompt["message_id"]
    retired = tg.fake.messages[(USER, prompt["message_id"])]
    assert "reply_markup" not in retired  # the keyboard is gone ...
    assert retired["text"].endswith("✓ CSE")  # ... and the chosen answer shows, in the same call
    assert "roll number" in texts(answer).lower()  # the next question came as a new message


async def test_paced_dialog_gets_no_429_and_only_messages_wait(tg):
    await play(TelegramDriver(tg), UP_TO_COMPANY)  # 6 steps, 2 presses, at 1 message/s per chat
    sent = tg.fake.counts.get("sendMessage", 0)
    assert tg.fake.too_many == 0  # the adapter paced its messages within the platform's limits
    assert tg.fake.counts["answerCallbackQuery"] == 2
    assert tg.fake.counts["editMessageText"] == 2
    assert "editMessageReplyMarkup" not in tg.fake.counts
    charged = _limiter(tg).charged
    assert dict(charged) == {"sendMessage": sent}  # answers, edits, getUpdates, setMyCommands: unpaced


async def test_a_press_is_acknowledged_and_retired_before_a_paced_message_goes_out(tg):
    """With the chat's message budget used up, the acknowledgement and the edit do not queue behind it."""
    await play(TelegramDriver(tg), UP_TO_COMPANY[:3])  # three messages at once: this chat's burst is spent
    before = len(tg.fake.calls)
    await tg.press("CSE")
    order = [c.method for c in tg.fake.calls[before:] if c.method != "getUpdates"]
    assert order.index("answerCallbackQuery") < order.index("sendMessage")
    assert order.index("editMessageText") < order.index("sendMessage")
    assert tg.fake.too_many == 0


async def test_a_stale_button_is_still_acknowledged_and_answered(tg):
    await play(TelegramDriver(tg), UP_TO_COMPANY[:3])
    prompt = tg.last_with_button("CSE", USER)
    await tg.press("CSE")
    before = len(tg.fake.calls)
    stale = await tg.press("ECE", message=prompt)  # the old keyboard, as a slow client still shows it
    calls = [c.method for c in tg.fake.calls[before:] if c.method != "getUpdates"]
    assert "expired" in texts(stale).lower()
    assert calls.count("answerCallbackQuery") == 1
    assert "editMessageText" not in calls  # the stale choice is never shown as the answer ...
    retired = tg.fake.messages[(USER, prompt["message_id"])]
    assert retired["text"].endswith("✓ CSE") and "reply_markup" not in retired  # ... the real one stays
    assert tg.fake.too_many == 0


def test_typing_indicators_share_a_small_allowance():
    now = [0.0]
    allowance = Allowance(rate=5, burst=5, clock=lambda: now[0])
    assert [allowance.take() for _ in range(7)] == [True] * 5 + [False] * 2  # a burst, then skipped
    now[0] += 0.2  # one more indicator's worth of time
    assert [allowance.take() for _ in range(2)] == [True, False]
    now[0] += 60
    assert sum(allowance.take() for _ in range(20)) == 5  # never more than the burst after a pause


async def test_a_slow_core_still_shows_typing_but_a_busy_bot_skips_most(tg):
    tg.adapter.typing_after = 0.0  # every answer counts as slow
    for _ in range(3):
        await tg.say("/help")
    assert tg.fake.counts["sendChatAction"] == 3  # within the allowance: each slow answer shows typing
    tg.adapter._typing = Allowance(rate=0.001, burst=1)  # a saturated bot: the allowance is spent
    for _ in range(3):
        await tg.say("/help")
    assert tg.fake.counts["sendChatAction"] == 4  # one more indicator, then none: the answers still came
    assert tg.fake.counts["sendMessage"] >= 6


async def test_a_burst_of_pushes_to_many_chats_stays_within_the_overall_rate(tg):
    """60 pushes at once (a digest, results) against a fake allowing 30 messages/s: none refused."""
    chats = [ChatRef("telegram", str(5000 + n), is_private=True) for n in range(60)]
    await asyncio.gather(*(tg.adapter.send(chat, Reply(text=f"Digest {chat.id}")) for chat in chats))
    assert tg.fake.too_many == 0
    assert all(tg.fake.delivered.get(5000 + n) == 1 for n in range(60))
    assert _limiter(tg).charged["sendMessage"] == 60
