"""After the day and across the years: per-account results, awards, editions each account took part in."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.core.management import call_command
from django.urls import reverse

from events.models import Award, Edition
from registrations import tokens
from registrations.models import ParticipantResult, Registration
from registrations.services.privacy import registration_withdraw
from tests.factories import EditionFactory, ParticipantFactory

pytestmark = pytest.mark.django_db

BRIGHTPLANET = "https://brightplanet.com/2013/03/25/final-results-of-poltwt-tweet-a-thon/"


def section(html: str, element_id: str) -> str:
    match = re.search(rf'<section[^>]*id="{element_id}".*?</section>', html, re.S)
    assert match, element_id
    return match.group(0)


def handles_and_values(table_html: str) -> list[tuple[str, int]]:
    return [(h, int(v)) for h, v in re.findall(r">@(\w+)</a></th><td[^>]*>(\d+)</td>", table_html)]


def test_the_editions_page_shows_the_first_editions_most_vocal_and_most_mentioned_with_their_source(client):
    call_command("loaddemo", "--participants", "0", stdout=None)
    html = client.get(reverse("pages:edition_list")).content.decode()
    vocal = section(html, "edition-1-most-active")
    assert "Most active" in vocal
    assert handles_and_values(vocal) == [
        ("NYorksPolice", 568),
        ("mapwinn0605", 484),
        ("lawscomm", 289),
        ("CalgaryPolice", 209),
        ("GMPBlackley", 205),
        ("HaltonPolice", 186),
    ]
    assert f'href="{BRIGHTPLANET}"' in vocal and "Final Results of #Poltwt Tweet-a-thon" in vocal
    mentioned = section(html, "edition-1-most-mentioned")
    assert handles_and_values(mentioned) == [
        ("CalgaryPolice", 918),
        ("gmpolice", 841),
        ("NYorksPolice", 662),
        ("lawscomm", 407),
        ("hantsyotcop", 355),
        ("FBIPressOffice", 316),
    ]
    assert f'href="{BRIGHTPLANET}"' in mentioned
    # A rerun of the demo changes nothing.
    call_command("loaddemo", "--participants", "0", stdout=None)
    assert ParticipantResult.objects.filter(edition__ordinal=1).count() == 9


def test_the_third_editions_awards_name_only_the_winner_the_record_names(client):
    call_command("loaddemo", "--participants", "0", stdout=None)
    awards = list(Award.objects.filter(edition__ordinal=3).values_list("category", "winner", "source_url"))
    assert len(awards) == 5
    assert awards[0] == (
        "Best overall use of social media",
        "Halton Regional Police",
        "http://connectedcops.net/poltwt-wrap-up/",
    )
    assert all(winner == "" for _, winner, _ in awards[1:])
    html = section(client.get(reverse("pages:edition_list")).content.decode(), "edition-3-awards")
    assert "Best overall use of social media</span>:" in html and "Halton Regional Police" in html
    assert html.count("winner not recorded") == 4
    assert 'href="http://connectedcops.net/poltwt-wrap-up/"' in html


def test_tops_list_ten_accounts_at_most_and_award_text_is_text(client):
    edition = EditionFactory(ordinal=4, date=None, status=Edition.Status.COMPLETED)
    for rank in range(12):
        ParticipantResult.objects.create(edition=edition, handle=f"acct{rank}", tweets=rank * 10)
    ParticipantResult.objects.create(edition=edition, handle="onlyfollowers", followers=5)
    Award.objects.create(
        edition=edition, category="<b>Best</b>", winner="@HaltonPolice", note="<script>alert(1)</script>"
    )
    html = client.get(reverse("pages:edition_list")).content.decode()
    vocal = handles_and_values(section(html, "edition-4-most-active"))
    assert [handle for handle, _ in vocal] == [f"acct{rank}" for rank in range(11, 1, -1)]
    assert 'id="edition-4-most-mentioned"' not in html  # no mentions given: no table
    awards = section(html, "edition-4-awards")
    assert "&lt;b&gt;Best&lt;/b&gt;" in awards and "&lt;script&gt;" in awards and "<script>" not in awards
    assert 'href="https://x.com/HaltonPolice"' in awards


def test_a_new_award_shows_at_once(client):
    edition = EditionFactory(ordinal=3, date=None, status=Edition.Status.COMPLETED)
    client.get(reverse("pages:edition_list"))  # cached now
    Award.objects.create(edition=edition, category="Best use of video")
    assert "Best use of video" in client.get(reverse("pages:edition_list")).content.decode()


@pytest.fixture
def three_editions():
    return [
        EditionFactory(ordinal=ordinal, date=dt.date(2013 + ordinal, 3, 1), status=Edition.Status.COMPLETED)
        for ordinal in (1, 2, 3)
    ]


def test_the_list_and_the_json_export_count_each_accounts_editions_by_handle(client, three_editions):
    first, second, third = three_editions
    ParticipantFactory(edition=first, handle="HaltonPolice")
    ParticipantFactory(edition=second, handle="haltonpolice")  # another letter case: the same account
    ParticipantFactory(edition=third, handle="HALTONPOLICE")
    ParticipantFactory(edition=third, handle="NewcomerPD")
    ParticipantFactory(edition=second, handle="NewcomerPD", status=Registration.Status.PENDING)
    ParticipantResult.objects.create(edition=third, handle="HaltonPolice", tweets=186, source_name="BP")

    html = client.get(reverse("pages:participant_list"), {"edition": 3}).content.decode()
    halton = re.search(r"@HALTONPOLICE</a>(.*?)</td>", html).group(1)
    assert "Editions with #poltwt: 3" in halton
    newcomer = re.search(r"@NewcomerPD</a>(.*?)</td>", html).group(1)
    assert "Editions with #poltwt" not in newcomer  # a first time is not worth a line

    data = client.get(reverse("pages:participants_json"), {"edition": 3}).json()
    rows = {row["handle"]: row for row in data["participants"]}
    assert rows["HALTONPOLICE"]["editions"] == 3
    assert rows["HALTONPOLICE"]["results"]["tweets"] == 186
    assert rows["HALTONPOLICE"]["results"]["mentions"] is None
    assert rows["NewcomerPD"]["editions"] == 1 and rows["NewcomerPD"]["results"] is None


def test_an_approval_elsewhere_moves_the_count_and_the_exports_version(client, three_editions):
    first, _second, third = three_editions
    ParticipantFactory(edition=third, handle="HaltonPolice")
    url = reverse("pages:participants_json")
    response = client.get(url, {"edition": 3})
    assert response.json()["participants"][0]["editions"] == 1
    etag = response["ETag"]
    pending = ParticipantFactory(edition=first, handle="haltonpolice", status=Registration.Status.PENDING)
    assert client.get(url, {"edition": 3}, HTTP_IF_NONE_MATCH=etag).status_code == 304  # nothing public moved
    pending.status = Registration.Status.APPROVED
    pending.save()
    response = client.get(url, {"edition": 3}, HTTP_IF_NONE_MATCH=etag)
    assert response.status_code == 200 and response.json()["participants"][0]["editions"] == 2
    registration_withdraw(registration=pending)
    assert client.get(url, {"edition": 3}).json()["participants"][0]["editions"] == 1


def test_the_manage_page_shows_the_editions_and_the_results_of_the_handle(client, three_editions):
    first = three_editions[0]
    ParticipantFactory(edition=first, handle="CalgaryPolice")
    ParticipantResult.objects.create(
        edition=first, handle="calgarypolice", tweets=209, mentions=918, source_name="BrightPlanet"
    )
    upcoming = EditionFactory(ordinal=6)
    registration = ParticipantFactory(edition=upcoming, handle="CalgaryPolice")
    page = client.get(reverse("registrations:manage", args=[tokens.make_token(registration, "manage")]))
    html = page.content.decode()
    assert re.search(r'id="editions-count">2<', html)
    results = section(html, "your-results")
    assert first.title in results and ">209<" in results and ">918<" in results and "BrightPlanet" in results
