"""The participant list's numbered pages, first and last links, page-size choice and whole-list page."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse

from registrations.models import Registration
from tests.factories import RegistrationFactory

pytestmark = pytest.mark.django_db

HANDLE_LINK = 'rel="noopener noreferrer">@'


@pytest.fixture
def many(edition):
    Registration.objects.bulk_create(
        RegistrationFactory.build(
            edition=edition,
            handle=f"Agency{n:03d}",
            status=Registration.Status.APPROVED,
            country="US" if n % 2 else "GB",
            latitude=1.0,
            longitude=1.0,
        )
        for n in range(260)
    )
    return edition


def get(client, **params) -> str:
    response = client.get(reverse("pages:participant_list"), params)
    assert response.status_code == 200
    return response.content.decode()


def page_links(html: str) -> list[str]:
    nav = html[html.index('aria-label="Pages of participants"') :]
    nav = nav[: nav.index("</nav>")]
    return [
        re.sub(r"<[^>]+>", "", text).strip()
        for text in re.findall(r'<li class="page-item[^"]*">(.*?)</li>', nav)
    ]


def test_numbered_pages_with_first_and_last(client, many):
    html = get(client, edition=7, size=25, page=6)
    # 260 at 25 a page: 11 pages; around page 6 two on each side, the ends, the gaps elided.
    assert page_links(html) == [
        "First page", "Previous page", "Page 1", "…", "Page 4", "Page 5", "Page 6", "Page 7", "Page 8", "…",
        "Page 11", "Next page", "Last page (11)",
    ]  # fmt: skip
    assert 'aria-current="page"><span class="visually-hidden">Page </span>6</a>' in html
    assert html.count(HANDLE_LINK) == 25
    assert "participants 126–150 of 260" in html
    # The links keep the filter and the size.
    assert "?edition=7&amp;size=25&amp;page=11" in html


def test_first_page_has_no_first_or_previous_link(client, many):
    links = page_links(get(client, edition=7))
    assert links[0] == "Page 1" and links[-1] == "Last page (3)"


@pytest.mark.parametrize(("size", "shown"), [("50", 50), ("250", 250), ("all", 260), ("7", 100), ("x", 100)])
def test_page_size_choice(client, many, size, shown):
    html = get(client, edition=7, size=size)
    assert html.count(HANDLE_LINK) == shown
    if size in ("50", "250", "all"):
        assert f'<option value="{size}" selected>' in html


def test_whole_filtered_list_on_one_page(client, many):
    html = get(client, edition=7, country="GB", size="all")
    assert html.count(HANDLE_LINK) == 130
    assert 'aria-label="Pages of participants"' not in html
    # The printing link keeps the filter and asks for every row.
    assert "?edition=7&amp;country=GB&amp;size=all#main" in html
