"""/editions/ and the home page tell the record as loaddemo loads it: each figure with its qualifier and
source, beside poltwt's own counts; the dates editions were first set for; a chart with its table."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.core.management import call_command
from django.urls import reverse

from events.models import Award, Edition, Figure, FormerDate
from registrations.models import ParticipantResult, Registration
from tests.factories import EditionFactory, ParticipantFactory

pytestmark = pytest.mark.django_db

BAY_AREA = {
    "FremontPD",
    "SanMateoPD",
    "PaloAltoPolice",
    "EPAPD",
    "SunnyvaleDPS",
    "SanRafaelPD",
    "MountainViewPD",
    "CampbellPolice",
    "LosGatosPD",
}

# Every figure of editions 1 to 5 as the record gives it: (edition, measure) -> (shown, source contains).
RECORD = {
    (1, "agencies"): ("over 200", "Government Technology"),
    (1, "participating_countries"): ("about 10", "Government Technology"),
    (1, "tweets"): ("48,842", "BrightPlanet"),
    (1, "retweets"): ("18,092", "BrightPlanet"),
    (1, "unique_users"): ("15,621", "BrightPlanet"),
    (1, "languages"): ("23", "BrightPlanet"),
    (1, "people_reached"): ("11,203,796", "BrightPlanet"),
    (1, "trended"): ("top 10 in the United States on 22 March", "BrightPlanet"),
    (2, "agencies"): ("over 250", "Roger Nield"),
    (2, "officers"): ("over 75", "Roger Nield"),
    (2, "participating_countries"): ("12", "Roger Nield"),
    (2, "countries_reached"): ("68", "Roger Nield"),
    (2, "people_reached"): ("over 19,000,000", "Roger Nield"),
    (3, "original_tweets"): ("over 15,000", "wrap-up"),
    (3, "unique_users"): ("1,000", "wrap-up"),
}
# Where each source lives: every figure links one of these.
SOURCE_LINKS = {
    "https://brightplanet.com/2013/03/25/final-results-of-poltwt-tweet-a-thon/",
    "https://www.govtech.com/public-safety/Cops-Worldwide-Participate-in-Global-Tweet-a-Thon.html",
    "https://runnymederesidents.wordpress.com/2013/11/01/"
    "today-for-one-day-only-check-out-poltwt-and-see-what-police-are-doing-worldwide/",
    "http://connectedcops.net/poltwt-wrap-up/",
}
TWELVE_COUNTRIES = (
    "South Africa",
    "Kenya",
    "Estonia",
    "Belgium",
    "Netherlands",
    "United Kingdom",
    "Spain",
    "New Zealand",
    "Australia",
    "Iceland",
    "Canada",
    "United States",
)


def article(html: str, ordinal: int) -> str:
    match = re.search(rf'<article [^>]*id="edition-{ordinal}".*?</article>', html, re.S)
    assert match, f"no article for edition {ordinal}"
    return match.group(0)


def measure_rows(block: str) -> dict[str, str]:
    return dict(re.findall(r'<tr data-measure="(\w+)">(.*?)</tr>', block, re.S))


def cell(row: str, name: str) -> str:
    return re.sub(r"\s+", " ", re.search(rf'<td class="{name}">(.*?)</td>', row, re.S).group(1)).strip()


@pytest.fixture
def demo_html(client) -> str:
    call_command("loaddemo", "--participants", "20", stdout=None)
    return client.get(reverse("pages:edition_list")).content.decode()


def test_every_figure_of_editions_1_to_5_with_its_qualifier_and_source(demo_html):
    published = {}
    for ordinal in range(1, 6):
        for measure, row in measure_rows(article(demo_html, ordinal)).items():
            shown = re.sub(r"<[^>]+>.*", "", cell(row, "reported"), flags=re.S).strip()
            if shown != "—":
                published[(ordinal, measure)] = (shown, cell(row, "source"))
    assert set(published) == set(RECORD)  # no invented figure, none missing
    for key, (shown, source) in RECORD.items():
        assert published[key][0] == shown, key
        assert source in published[key][1], key


def test_every_figure_on_the_editions_page_links_its_source(demo_html):
    rows = [row for ordinal in range(1, 6) for row in measure_rows(article(demo_html, ordinal)).values()]
    figures = [row for row in rows if cell(row, "reported") != "—"]
    assert len(figures) == len(RECORD)
    for row in figures:
        link = re.fullmatch(r'<a href="([^"]+)" rel="noopener noreferrer">[^<]+</a>', cell(row, "source"))
        assert link, row
        assert link.group(1).replace("&amp;", "&") in SOURCE_LINKS


def test_the_3rd_and_4th_are_dated_with_their_sources(demo_html):
    third, fourth = article(demo_html, 3), article(demo_html, 4)
    assert "27 June 2014" in third and "brightplanet.com/2014/06/26/" in third
    assert "19 December 2014" in fourth and "grandjunctionpolicedepartment.com/2014/12/19/" in fourth
    assert "Exact date not recorded" not in demo_html


def test_the_2nd_editions_countries_are_participants_and_the_68_is_the_audience(demo_html):
    rows = measure_rows(article(demo_html, 2))
    participating = rows["participating_countries"]
    for country in TWELVE_COUNTRIES:
        assert country in participating
    assert "68" not in participating
    assert "Countries reached" in rows["countries_reached"]


def test_the_editions_without_figures_say_so_and_keep_their_theme(demo_html):
    fourth, fifth = article(demo_html, 4), article(demo_html, 5)
    for block in (fourth, fifth):
        assert "No results have been published." in block
        assert "Time to Unify" in block and "#TimeToUnify" in block
    assert "First set for 5 June 2015, rescheduled." in fifth
    assert "Date to be announced" in fifth
    assert "First set for" not in article(demo_html, 1)


def test_the_bay_area_agencies_are_the_1st_editions_participants(demo_html):
    first = Edition.objects.get(ordinal=1)
    assert set(Registration.objects.for_edition(first).public().values_list("handle", flat=True)) == BAY_AREA
    assert not Registration.objects.filter(edition__ordinal=6, handle__in=BAY_AREA).exists()
    rows = measure_rows(article(demo_html, 1))
    assert cell(rows["agencies"], "counted") == "9"
    assert cell(rows["participating_countries"], "counted") == "1"
    assert cell(rows["tweets"], "counted") == "—"


def test_loaddemo_twice_changes_no_figure_or_former_date():
    call_command("loaddemo", "--participants", "5", stdout=None)
    before = list(Figure.objects.order_by("pk").values()), list(FormerDate.objects.values("edition", "date"))
    call_command("loaddemo", "--participants", "5", stdout=None)
    after = list(Figure.objects.order_by("pk").values()), list(FormerDate.objects.values("edition", "date"))
    assert before == after
    assert Registration.objects.filter(edition__ordinal=1).count() == 9
    assert [e.ordinal for e in Edition.objects.order_by("ordinal")] == [1, 2, 3, 4, 5, 6]


def test_the_chart_and_its_table_carry_the_same_numbers(demo_html):
    svg = re.search(r'<svg class="bar-chart grouped-bar-chart".*?</svg>', demo_html, re.S).group(0)
    table = re.search(r'<table [^>]*id="accounts-table".*?</table>', demo_html, re.S).group(0)
    bars = re.findall(r'data-series="(\w+)">.*?class="bar-value">([^<]*)</text>', svg, re.S)
    assert bars[:3] == [("agencies", "over 200"), ("agencies", "over 250"), ("officers", "over 75")]
    rows = re.findall(r'<tr><th scope="row">([^<]*)</th>\s*<td>([^<]*)</td>\s*<td>([^<]*)</td>', table)
    assert rows[:2] == [("1st (2013)", "over 200", "—"), ("2nd (2013)", "over 250", "over 75")]
    # Bars are drawn to scale: 250 is the largest published figure.
    widths = [int(w) for w in re.findall(r'<rect [^>]*width="(\d+)"', svg)]
    assert widths[1] == max(widths) and round(widths[0] / widths[1], 2) == 0.8


def test_the_home_page_says_when_the_edition_was_first_set_for(client):
    fifth = EditionFactory(ordinal=5, date=None, status=Edition.Status.DATE_TBD, theme="Time to Unify")
    FormerDate.objects.create(edition=fifth, date=dt.date(2015, 6, 5))
    html = client.get(reverse("pages:home")).content.decode()
    assert "First set for 5 June 2015, rescheduled." in html
    assert "Date to be announced." in html and "Time to Unify" in html


def test_figures_and_sources_are_text_not_markup(client):
    edition = EditionFactory(ordinal=9, date=dt.date(2014, 5, 1), status=Edition.Status.COMPLETED)
    Figure.objects.create(
        edition=edition,
        measure="trended",
        details="<img src=x onerror=alert(1)> ${x}",
        source_name="<script>alert(1)</script>",
        source_url="https://example.org/?a=1&b=<2>",
    )
    html = client.get(reverse("pages:edition_list")).content.decode()
    assert "<img src=x" not in html and "<script>alert" not in html
    assert "&lt;img src=x onerror=alert(1)&gt; ${x}" in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html


def test_editions_page_runs_a_fixed_number_of_queries(client, django_assert_max_num_queries):
    call_command("loaddemo", "--participants", "5", stdout=None)
    for ordinal in (7, 8, 9):
        edition = EditionFactory(ordinal=ordinal, date=dt.date(2016, 1, ordinal), status="completed")
        Figure.objects.create(edition=edition, measure="agencies", value=ordinal)
        FormerDate.objects.create(edition=edition, date=dt.date(2015, 12, ordinal))
        ParticipantFactory(edition=edition)
        Award.objects.create(edition=edition, category="Best selfie", winner=f"@Winner{ordinal}")
        for rank in range(15):
            ParticipantResult.objects.create(edition=edition, handle=f"acct{ordinal}_{rank}", tweets=rank)
    # The editions with their figures, former dates and awards, the top accounts of all, the versions.
    with django_assert_max_num_queries(6):
        response = client.get(reverse("pages:edition_list"))
    assert response.status_code == 200
