"""The masking rule of public text (core/domain/privacy.py), on sentences like the real posts'."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from core.domain.privacy import mask_public_text, without_placeholders

DATA = Path(__file__).resolve().parents[1] / "data" / "real-experiences" / "posts.jsonl"


def test_email_and_phone_are_masked_on_every_post_even_under_the_authors_name() -> None:
    text = (
        "Mail me at rohan.b@gmail.com or rohan [at] iitk [dot] ac [dot] in, "
        "call +91 98765 43210 or 555-123-4567."
    )
    result = mask_public_text(text, author_name="Rohan Bansal", anonymous=False)
    assert "gmail" not in result.text and "iitk" not in result.text
    assert "98765" not in result.text and "4567" not in result.text
    assert result.text.count("[e-mail]") == 2 and result.text.count("[phone]") == 2
    assert result.masked == ("email", "phone")


def test_a_public_author_keeps_name_and_linkedin_but_never_the_roll_number() -> None:
    text = "Name Rohan Bansal Roll No. 210443, linkedin.com/in/rohan-bansal-1. Rohan thanks his seniors."
    result = mask_public_text(
        text, author_name="Rohan Bansal", roll_number="210443", linkedin=None, anonymous=False
    )
    assert "Rohan Bansal" in result.text and "linkedin.com/in/rohan-bansal-1" in result.text
    assert "210443" not in result.text and result.masked == ("roll_number",)


def test_an_anonymous_author_loses_full_name_first_name_surname_roll_and_linkedin() -> None:
    text = (
        "meera  iyer (212098), a senior undergraduate. Profile: https://www.linkedin.com/in/meera-iyer-9/ "
        "Later MEERA cleared the case round; Iyer advises reading. Roll 212098 again."
    )
    result = mask_public_text(
        text,
        author_name="Meera Iyer",
        roll_number="212098",
        linkedin="https://www.linkedin.com/in/meera-iyer-9",
        anonymous=True,
    )
    low = result.text.lower()
    assert "meera" not in low and "iyer" not in low and "212098" not in low and "linkedin.com" not in low
    assert result.masked == ("name", "roll_number", "linkedin")
    assert "cleared the case round" in result.text  # only personal data goes


def test_a_surname_that_is_an_english_word_is_masked_only_inside_the_full_name() -> None:
    text = "Zubair Hassan Lone here. Coding alone is a lone journey; Zubair says practise."
    result = mask_public_text(text, author_name="Zubair Hassan Lone", anonymous=True)
    assert "Zubair" not in result.text and "Hassan" not in result.text
    assert "alone is a lone journey" in result.text


def test_years_salaries_and_counts_are_not_mistaken_for_personal_data() -> None:
    text = "I interviewed in 2023. The CTC was 32 LPA; 150000 applied, 3 rounds of 45 minutes, 2 questions."
    assert mask_public_text(text, author_name="Varun Goyal", anonymous=True) == (
        mask_public_text(text, anonymous=True)
    )
    assert mask_public_text(text, author_name="Varun Goyal", anonymous=True).text == text


def test_masking_is_idempotent_and_placeholders_stay_out_of_analysis() -> None:
    once = mask_public_text("Myself Prathamesh Kadam (Roll no. 21659808).", anonymous=True)
    again = mask_public_text(once.text, author_name="Prathamesh Kadam", anonymous=True)
    assert again.text == once.text and again.masked == ()
    assert "name" not in without_placeholders(once.text) and "roll" not in without_placeholders(once.text)


@pytest.mark.parametrize("anonymous", [True, False])
def test_every_listed_fake_of_the_real_set_is_masked(anonymous: bool) -> None:
    """On the 60 real posts: all 87 listed fakes in text/tips go when anonymous; roll numbers always."""
    posts = [json.loads(line) for line in DATA.read_text("utf-8").splitlines() if line]
    seen = left = 0
    for post in posts:
        name = next((p["value"] for p in post["pii"] if p["kind"] == "name"), "")
        for field in ("text", "tips"):
            raw = post[field] or ""
            masked = mask_public_text(raw, author_name=name, anonymous=anonymous).text.lower()
            for fake in post["pii"]:
                if fake["value"] not in raw or (not anonymous and "name" in fake["kind"]):
                    continue
                seen += 1
                left += fake["value"].lower() in masked
    assert seen == (87 if anonymous else 26)
    assert left == 0
