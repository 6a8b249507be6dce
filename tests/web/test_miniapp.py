"""The Mini App sharing form: Telegram's initData signature, the dialog's validation and moderation."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import httpx
import pytest

from bots.web import initdata
from tests.web.conftest import BOT_TOKEN, TG_USER, Site
from tests.web.helpers import valid_fields

SUBMIT = "/c/default/share/submit"


async def submit(client: httpx.AsyncClient, init: str, fields: dict[str, Any]) -> httpx.Response:
    return await client.post(SUBMIT, json={"initData": init, "fields": fields})


async def test_a_signed_form_is_stored_pending_and_waits_in_the_moderation_queue(
    site: Site, client: httpx.AsyncClient
):
    services = site.app.services
    before = await services.moderation.pending_count()
    response = await submit(client, site.init_data(), valid_fields())
    assert response.status_code == 201, response.text
    body = response.json()
    assert body["pending"] is True and "pending moderation" in body["message"]
    experience_id = body["id"]
    assert await services.moderation.pending_count() == before + 1
    assert await services.moderation.next_in_queue(after_id=experience_id - 1) == experience_id
    card = await services.moderation.card(experience_id)  # the stored row, as /review shows it
    assert card is not None and card.status == "pending"
    assert (card.company, card.role, card.branch, card.passout_year, card.interview_year) == (
        "Amazon",
        "SDE",
        "CSE",
        2025,
        2024,
    )
    assert card.roll_number == "21CSE1234" and card.anonymous and card.author_name == "Asha Verma"
    assert card.rounds == [
        ("online_assessment", ["Two sum", "LRU cache"]),
        ("technical", ["Design a rate limiter"]),
    ]
    # It is the Telegram user's own experience (the same user row the chat dialog would use).
    user_id, _ = await services.repos.users.find_with_moderator("telegram", str(TG_USER))
    assert user_id is not None
    assert await services.repos.experiences.load_own(experience_id, user_id) is not None


@pytest.mark.parametrize(
    "make",
    [
        lambda site: site.init_data(token="999:another-bot"),  # signed with another bot's token
        lambda site: site.init_data().replace("Asha", "Eve"),  # altered after signing
        lambda site: site.init_data(age_s=2 * 24 * 3600),  # expired
        lambda site: "",  # opened outside Telegram
    ],
    ids=["forged", "tampered", "expired", "missing"],
)
async def test_a_forged_or_expired_signature_is_refused_with_a_friendly_message(
    site: Site, client: httpx.AsyncClient, make
):
    before = await site.app.services.moderation.pending_count()
    response = await submit(client, make(site), valid_fields())
    assert response.status_code == 401
    assert "open it again from the bot" in response.json()["error"]
    assert await site.app.services.moderation.pending_count() == before


async def test_invalid_fields_get_their_own_messages(site: Site, client: httpx.AsyncClient):
    fields = valid_fields(
        name="123",
        roll_number="hello",
        linkedin="https://example.com/me",
        preparation="short",
        interview_year=str(site.clock().year + 1),
        branch="Astrology",
        rounds=[{"kind": "technical", "duration": "9999", "difficulty": "", "questions": ""}],
    )
    response = await submit(client, site.init_data(), fields)
    assert response.status_code == 422
    errors = response.json()["errors"]
    assert errors["name"].startswith("Please type your name")
    assert errors["roll_number"].startswith("Roll numbers look like")
    assert "LinkedIn" in errors["linkedin"]
    assert "at least a sentence" in errors["preparation"]
    assert "between" in errors["interview_year"] or "future" in errors["interview_year"]
    assert "branch" in errors["branch"]
    assert "minutes" in errors["rounds.0.duration"]
    assert "difficulty" in errors["rounds.0.difficulty"]
    assert "at least one question" in errors["rounds.0.questions"]
    assert set(errors) == {
        "name",
        "roll_number",
        "linkedin",
        "preparation",
        "interview_year",
        "branch",
        "rounds.0.duration",
        "rounds.0.difficulty",
        "rounds.0.questions",
    }


async def test_no_rounds_and_a_near_miss_company(site: Site, client: httpx.AsyncClient):
    response = await submit(client, site.init_data(), valid_fields(rounds=[], company="Amazn"))
    assert response.status_code == 422
    errors = response.json()["errors"]
    assert errors["rounds"] == "Add at least one round."
    assert "Did you mean Amazon" in errors["company"]
    new = await submit(client, site.init_data(), valid_fields(company="Amazn Widgets", company_new=True))
    assert new.status_code == 201


async def test_the_daily_limit_of_the_chat_applies(site: Site, client: httpx.AsyncClient):
    limit = site.app.services.config.moderation.max_experiences_per_day
    for n in range(limit):
        ok = await submit(
            client, site.init_data(), valid_fields(reflections=f"Round {n}: stay calm and explain.")
        )
        assert ok.status_code == 201
    refused = await submit(client, site.init_data(), valid_fields())
    assert refused.status_code == 422
    assert "in the last 24 hours" in refused.json()["errors"]["_form"]


async def test_a_pasted_write_up_fills_the_form_as_in_the_chat(site: Site, client: httpx.AsyncClient):
    writeup = (
        "Amazon SDE interview experience, 2024 (on campus).\n"
        "Round 1: Online assessment, 90 minutes. Questions: two sum; longest substring without repeats.\n"
        "Round 2: Technical interview. They asked me to design an LRU cache and explain hashing.\n"
        "Preparation: I solved 300 LeetCode problems over three months and revised OS and DBMS notes.\n"
        "Tips: think aloud and ask about constraints before coding. I was selected. "
        "Reach me at asha@example.com."
    )
    response = await client.post(
        "/c/default/share/extract", json={"initData": site.init_data(), "text": writeup}
    )
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["fields"]["company"] == "Amazon"
    assert body["fields"]["interview_year"] == "2024"
    assert body["fields"]["outcome"] == "selected"
    assert [r["kind"] for r in body["rounds"]][:2] == ["online_assessment", "technical"]
    assert "email" in body["personal"]
    refused = await client.post("/c/default/share/extract", json={"initData": "x", "text": writeup})
    assert refused.status_code == 401


def test_initdata_is_checked_as_telegram_documents():
    """The documented algorithm, checked against an independent computation of the hash."""
    import hashlib
    import hmac
    from datetime import UTC, datetime
    from urllib.parse import parse_qsl

    now = datetime(2026, 11, 25, 12, 0, tzinfo=UTC)
    fields = {
        "auth_date": str(int(now.timestamp()) - 10),
        "query_id": "q",
        "user": '{"id":5,"first_name":"A"}',
    }
    signed = initdata.sign(fields, BOT_TOKEN)
    pairs = dict(parse_qsl(signed))
    check = "\n".join(f"{k}={pairs[k]}" for k in sorted(pairs) if k != "hash")
    secret = hmac.new(b"WebAppData", BOT_TOKEN.encode(), hashlib.sha256).digest()
    assert pairs["hash"] == hmac.new(secret, check.encode(), hashlib.sha256).hexdigest()
    assert initdata.validate(signed, BOT_TOKEN, now) == initdata.TelegramUser(5, "A")
    with pytest.raises(initdata.InitDataError):
        initdata.validate(signed, BOT_TOKEN, now + timedelta(days=2))
    with pytest.raises(initdata.InitDataError):
        initdata.validate(signed, "", now)
