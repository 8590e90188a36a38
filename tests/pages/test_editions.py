from __future__ import annotations

import datetime as dt
import re

import pytest
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from events.models import Edition

pytestmark = pytest.mark.django_db


@pytest.fixture
def open_edition() -> Edition:
    now = timezone.now()
    return Edition.objects.create(
        ordinal=7,
        title="7th Global Police Tweet-a-thon",
        date=dt.date(2027, 3, 19),
        theme="Time to Unify",
        theme_hashtag="#TimeToUnify",
        theme_description="Talk with <b>communities</b>.",
        registration_opens_at=now - dt.timedelta(days=1),
        registration_closes_at=now + dt.timedelta(days=10),
    )


def test_home_shows_the_current_edition_with_countdown_data(client, open_edition):
    response = client.get(reverse("pages:home"))
    assert response.status_code == 200
    html = response.content.decode()
    assert "7th Global Police Tweet-a-thon" in html
    assert 'data-date="2027-03-19"' in html
    assert 'data-start="08:00"' in html
    assert 'data-hours="24"' in html
    # Plain-text fallback for visitors without JavaScript.
    assert "Starts Friday 19 March 2027 at 8:00 a.m. in your local time zone." in html
    assert "#TimeToUnify" in html
    # Theme text is escaped, not rendered as markup.
    assert "Talk with &lt;b&gt;communities&lt;/b&gt;." in html


def test_home_has_the_rule_and_three_participation_models(client, open_edition):
    html = client.get(reverse("pages:home")).content.decode()
    assert "Put <strong>#poltwt</strong> in every tweet." in html
    for model in ("Tweet all calls", "Tweet about one topic", "Officers tweet-the-beat"):
        assert model in html


def test_home_has_officer_button_on_the_left_and_agency_on_the_right(client, open_edition):
    html = client.get(reverse("pages:home")).content.decode()
    officer = re.search(
        f'<a [^>]*href="{reverse("registrations:register", args=["officer"])}"[^>]*id="signup-officer"', html
    )
    agency = re.search(
        f'<a [^>]*href="{reverse("registrations:register", args=["agency"])}"[^>]*id="signup-agency"', html
    )
    assert officer and agency
    assert officer.start() < agency.start()


def test_home_without_open_edition_says_so_and_hides_buttons(client):
    Edition.objects.create(ordinal=5, title="5th", date=None, status=Edition.Status.DATE_TBD)
    html = client.get(reverse("pages:home")).content.decode()
    assert "Date to be announced." in html
    assert "Sign-up is not open at the moment." in html
    assert 'id="signup-agency"' not in html
    assert 'id="countdown"' not in html


def test_home_on_an_empty_site(client):
    response = client.get(reverse("pages:home"))
    assert response.status_code == 200
    assert "The next edition has not been announced yet." in response.content.decode()


def test_home_is_accessible_landmarks_and_skip_link(client, open_edition):
    html = client.get(reverse("pages:home")).content.decode()
    assert 'href="#main"' in html and 'id="main"' in html
    assert '<nav class="navbar' in html and 'aria-label="Main"' in html
    assert "<footer" in html and '<html lang="en">' in html


def test_pages_load_bootstrap_from_our_own_static_files_not_a_cdn(client, open_edition):
    html = client.get(reverse("pages:home")).content.decode()
    assert "/static/vendor/bootstrap/css/bootstrap.min.css" in html
    # The canonical address names the page itself (SITE_URL); it loads nothing.
    top = re.sub(r'<link rel="canonical" [^>]*>', "", html.split("<footer")[0].split("</nav>")[0])
    assert not re.search(r"(src|href)=\"https?://", top)
    assert "cdn" not in html.lower()


def test_every_script_is_a_static_file_without_a_nonce(client, open_edition):
    response = client.get(reverse("pages:home"))
    policy = response.headers["Content-Security-Policy"]
    assert "nonce" not in policy
    # The directives come in no fixed order: compare them one by one.
    assert "script-src 'self'" in [directive.strip() for directive in policy.split(";")]
    scripts = re.findall(r"<script[^>]*>", response.content.decode())
    assert scripts
    assert all(re.fullmatch(r'<script src="/static/[^"]+\.js"( defer)?>', tag) for tag in scripts), scripts


def test_editions_page_lists_the_editions_newest_first(client):
    call_command("loaddemo", stdout=None)
    html = client.get(reverse("pages:edition_list")).content.decode()
    positions = [html.index(f'id="edition-{ordinal}"') for ordinal in (6, 5, 4, 3, 2, 1)]
    assert positions == sorted(positions)
    assert "48,842" in html  # tweets in the 1st edition
    assert "over 19,000,000" in html  # people reached by the 2nd


def test_loaddemo_is_idempotent(client):
    call_command("loaddemo")
    first = list(Edition.objects.order_by("ordinal").values())
    call_command("loaddemo")
    second = list(Edition.objects.order_by("ordinal").values())
    assert [e["ordinal"] for e in second] == [1, 2, 3, 4, 5, 6]
    assert [{k: v for k, v in e.items() if k != "updated_at"} for e in first] == [
        {k: v for k, v in e.items() if k != "updated_at"} for e in second
    ]
    fifth = Edition.objects.get(ordinal=5)
    assert fifth.date is None and fifth.status == Edition.Status.DATE_TBD
    assert fifth.theme_hashtag == "#TimeToUnify"
    assert Edition.objects.current() == Edition.objects.get(ordinal=6)


def test_ensure_organizer_prints_a_working_password(settings, capsys):
    settings.DEBUG = True
    call_command("ensure_organizer")
    out = capsys.readouterr().out
    password = re.search(r"password '([^']+)'", out).group(1)
    from django.contrib.auth import authenticate
    from django.test import RequestFactory

    # django-axes counts sign-ins per address, so authentication needs the request.
    user = authenticate(RequestFactory().post("/admin/login/"), username="organizer", password=password)
    assert user is not None and user.is_superuser


def test_loaddemo_can_make_the_open_edition_run_now():
    from pages.selectors.editions import edition_schedule

    # With the date set this way, UTC+0 is always on air; 200 seeded cities always include such zones.
    call_command("loaddemo", "--participants", "200", "--running-now")
    edition = Edition.objects.get(ordinal=6)
    plan = edition_schedule(edition)
    assert plan.on_air and plan.on_air_participants > 0
    assert any(row.live for row in plan.rows)


def test_loaddemo_participants_are_reproducible():
    from registrations.models import Registration

    call_command("loaddemo", "--participants", "30")
    first = list(
        Registration.objects.order_by("handle").values_list("handle", "city", "latitude", "time_zone")
    )
    call_command("loaddemo", "--participants", "30")
    second = list(
        Registration.objects.order_by("handle").values_list("handle", "city", "latitude", "time_zone")
    )
    assert first == second and len(first) == 30 + 9  # and the 1st edition's nine Bay Area agencies
    assert Registration.objects.filter(status="approved", time_zone="").count() == 0
