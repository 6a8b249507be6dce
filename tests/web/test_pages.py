"""The read-only pages over HTTP: the card's figures, charts with alt text, escaping, privacy, 404s."""

from __future__ import annotations

import re
from html import unescape
from urllib.parse import quote

import httpx
from PIL import Image as PILImage

from core.analytics.stats import rate_phrase
from core.features.company.service import CompanyFeature
from core.features.company.views import card_text
from tests.web.conftest import Site


async def busiest(site: Site) -> tuple[int, str]:
    """The demo company with the most experiences (id, name)."""
    company = site.app.feature(CompanyFeature)
    best: tuple[int, int, str] = (0, 0, "")
    for name in await site.app.services.companies.names():
        match = await site.app.services.companies.match(name)
        assert match.exact is not None
        stats = await company.stats_for(match.exact.id)
        assert stats is not None
        if stats.total > best[0]:
            best = (stats.total, match.exact.id, name)
    return best[1], best[2]


def text_of(html: str) -> str:
    return " ".join(unescape(re.sub(r"<[^>]+>", " ", html)).split())


async def test_company_page_shows_the_cards_figures_charts_experiences_and_faq(
    site: Site, client: httpx.AsyncClient
):
    company_id, name = await busiest(site)
    stats = await site.app.feature(CompanyFeature).stats_for(company_id)
    assert stats is not None
    response = await client.get(f"/c/default/company/{quote(name)}")
    assert response.status_code == 200
    page = text_of(response.text)
    assert f"{name}: what seniors learned" in page
    assert f"Experiences shared {stats.total}" in page
    assert rate_phrase(stats.selected, stats.decided) in page  # the card's own wording of the rate
    assert rate_phrase(stats.selected, stats.decided) in card_text(stats)
    # Charts: five images, each with a caption as alt text, each a PNG the chart path drew.
    images = re.findall(r'<img src="([^"]+)"\s+alt="([^"]*)"', response.text)
    assert len(images) == 5
    for src, alt in images:
        assert len(alt) > 20 and name in unescape(alt)
        chart = await client.get(src)
        assert chart.status_code == 200 and chart.headers["content-type"] == "image/png"
        assert chart.content.startswith(b"\x89PNG")
    # Ten newest experiences, each linking its page; the FAQ.
    links = re.findall(r'href="/c/default/experience/(\d+)"', response.text)
    assert len(links) == 10
    assert "Frequently asked questions" in page
    assert "Content-Security-Policy".lower() in {k.lower() for k in response.headers}


async def test_an_alias_or_other_spelling_redirects_to_the_companys_page(
    site: Site, client: httpx.AsyncClient
):
    _, name = await busiest(site)
    response = await client.get(f"/c/default/company/{quote(name.lower())}", follow_redirects=False)
    assert response.status_code == 308
    assert response.headers["location"] == f"/c/default/company/{quote(name, safe='')}"


async def test_unknown_company_college_and_experience_are_404(client: httpx.AsyncClient):
    assert (await client.get("/c/default/company/Nonexistent%20Widgets%20Corp")).status_code == 404
    other = await client.get("/c/another-college/company/Amazon")
    assert other.status_code == 404 and "No such college" in other.text
    assert (await client.get("/c/default/experience/999999")).status_code == 404
    assert (await client.get("/c/default/experience/abc")).status_code == 404


async def test_experience_page_is_the_public_view_anonymous_authors_unnamed(
    site: Site, client: httpx.AsyncClient
):
    company_id, _ = await busiest(site)
    company = site.app.feature(CompanyFeature)
    lines, _total = await company.experience_page(company_id, limit=50, offset=0)
    anonymous = next(line for line in lines if line.author == "Anonymous")
    view = await company.public_experience(anonymous.id)
    assert view is not None
    response = await client.get(f"/c/default/experience/{anonymous.id}")
    assert response.status_code == 200
    page = text_of(response.text)
    assert f"By Anonymous · {view.branch}, passout {view.passout_year}" in page
    assert "Round 1: " in page
    first_question = view.rounds[0].questions[0]
    assert " ".join(first_question.split()) in page


async def test_user_text_is_escaped_and_roll_numbers_never_shown(site: Site, client: httpx.AsyncClient):
    """A published post whose text carries markup and a roll number: shown as text, roll number masked."""
    from tests.web.helpers import publish

    experience_id = await publish(
        site,
        role="SDE <script>alert(1)</script>",
        preparation="I practised <b>graphs</b> & DP; my roll 21CSE4321 is on my ID card, mail me at a@b.co",
        roll_number="21CSE4321",
    )
    response = await client.get(f"/c/default/experience/{experience_id}")
    assert response.status_code == 200
    assert "<script>alert(1)</script>" not in response.text
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in response.text
    assert "<b>graphs</b>" not in response.text and "&lt;b&gt;graphs&lt;/b&gt;" in response.text
    assert "21CSE4321" not in response.text and "a@b.co" not in response.text


async def test_search_page_lists_the_same_hits_as_search(site: Site, client: httpx.AsyncClient):
    from core.features.search.service import SearchFeature

    expected = await site.app.feature(SearchFeature).find("dynamic programming", page_size=20)
    assert expected.hits
    response = await client.get("/c/default/search", params={"q": "dynamic programming"})
    assert response.status_code == 200
    ids = [int(i) for i in re.findall(r'href="/c/default/experience/(\d+)"', response.text)]
    assert ids == [hit.experience_id for hit in expected.hits]
    empty = await client.get("/c/default/search", params={"q": "zzqxv nothingmatches"})
    assert "Nothing found" in empty.text


async def test_home_lists_companies_and_root_redirects(site: Site, client: httpx.AsyncClient):
    root = await client.get("/", follow_redirects=False)
    assert root.status_code == 307 and root.headers["location"] == "/c/default"
    home = await client.get("/c/default")
    names = await site.app.services.companies.names()
    assert all(f">{name}<" in home.text for name in names[:5])


async def test_chart_png_decodes(site: Site, client: httpx.AsyncClient):
    _, name = await busiest(site)
    chart = await client.get(f"/c/default/company/{quote(name)}/charts/difficulty.png")
    import io

    image = PILImage.open(io.BytesIO(chart.content))
    assert image.size[0] > 200 and image.size[1] > 100
    assert (await client.get(f"/c/default/company/{quote(name)}/charts/nope.png")).status_code == 404
