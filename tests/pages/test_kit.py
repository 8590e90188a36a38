"""What a shared link and a browser expect of every site: preview cards, share images, icons, robots,
sitemap; the live link during the event; links that follow the address the site was reached on."""

from __future__ import annotations

import datetime as dt
import io
import re
import threading
import time

import pytest
from django.contrib.auth import authenticate
from django.contrib.staticfiles import finders
from django.core import mail
from django.core.cache import cache
from django.core.management import call_command
from django.test import RequestFactory
from django.urls import reverse
from django.utils import timezone
from PIL import Image

from pages import shareimage
from registrations.emails import send_registration_email
from registrations.models import Registration
from registrations.signals import public_data_changed
from tests.factories import EditionFactory, ParticipantFactory, RegistrationFactory

pytestmark = pytest.mark.django_db

PUBLIC_PAGES = (
    "pages:home",
    "pages:map",
    "pages:participant_list",
    "pages:statistics",
    "pages:schedule",
    "pages:edition_list",
)


def meta(html: str, attribute: str, name: str) -> str:
    match = re.search(rf'<meta {attribute}="{re.escape(name)}" content="([^"]*)">', html)
    assert match, f"no {name} in the page"
    return match.group(1)


@pytest.mark.parametrize("page", PUBLIC_PAGES)
def test_every_public_page_has_a_preview_card(client, settings, edition, page):
    settings.SITE_URL = "https://poltwt.example.org"
    html = client.get(reverse(page) + f"?edition={edition.ordinal}").content.decode()
    assert meta(html, "property", "og:title")
    assert meta(html, "property", "og:description")
    url = meta(html, "property", "og:url")
    assert url == f"https://poltwt.example.org{reverse(page)}?edition={edition.ordinal}"
    assert f'<link rel="canonical" href="{url}">' in html
    image = meta(html, "property", "og:image")
    assert image.startswith("https://poltwt.example.org/")
    if page != "pages:edition_list":  # the only page about no edition in particular
        assert image == f"https://poltwt.example.org{reverse('pages:share_image', args=[edition.ordinal])}"
        assert meta(html, "name", "twitter:card") == "summary_large_image"


def test_the_canonical_url_drops_everything_but_the_edition(client, settings, edition):
    settings.SITE_URL = "https://poltwt.example.org"
    html = client.get(reverse("pages:map") + '?p="><script>x</script>&utm_source=x').content.decode()
    assert meta(html, "property", "og:url") == f"https://poltwt.example.org{reverse('pages:map')}"
    assert "<script>x</script>" not in html


def png(client, edition) -> Image.Image:
    response = client.get(reverse("pages:share_image", args=[edition.ordinal]))
    assert response.status_code == 200
    assert response["Content-Type"] == "image/png"
    image = Image.open(io.BytesIO(response.content))
    assert image.format == "PNG"
    return image


def test_share_image_is_a_1200_by_630_png_cached_and_redrawn_when_data_change(
    client, edition, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        ParticipantFactory(edition=edition)
    drawn = shareimage.draw_count
    assert png(client, edition).size == (1200, 630)
    assert shareimage.draw_count == drawn + 1
    first = client.get(reverse("pages:share_image", args=[edition.ordinal])).content
    assert shareimage.draw_count == drawn + 1  # served from cache
    # A participant in Kolkata: a new point, a new count; the image is drawn again.
    with django_capture_on_commit_callbacks(execute=True):
        ParticipantFactory(edition=edition, latitude=22.57, longitude=88.36, time_zone="Asia/Kolkata")
    second = client.get(reverse("pages:share_image", args=[edition.ordinal])).content
    assert shareimage.draw_count == drawn + 2
    assert second != first
    # The point is drawn in the participants' colour where Kolkata is.
    x, y = shareimage._xy(88.36, 22.57)
    assert Image.open(io.BytesIO(second)).convert("RGB").getpixel((int(x), int(y))) == shareimage.AGENCY


def test_a_date_to_be_announced_edition_still_has_an_image(client):
    tbd = EditionFactory(date=None, status="tbd")
    assert png(client, tbd).size == (1200, 630)


def test_unknown_edition_gives_404_pages_not_files(client):
    for name in ("pages:share_image", "pages:edition_ics"):
        response = client.get(reverse(name, args=[987]))
        assert response.status_code == 404
        assert response["Content-Type"].startswith("text/html")


@pytest.mark.django_db(transaction=True)  # the threads read the committed data version
def test_the_image_is_never_drawn_twice_at_once(edition):
    shareimage.share_image(edition)  # warm the participants' data and the basemap
    # A new data version: every thread needs a new image.
    public_data_changed.send(sender=Registration, edition_ids={edition.pk}, fields=None)
    drawn = shareimage.draw_count
    barrier = threading.Barrier(4)
    results: list[bytes] = []

    def worker() -> None:
        barrier.wait(timeout=10)
        results.append(shareimage.share_image(edition))

    threads = [threading.Thread(target=worker) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert len(results) == 4 and len(set(results)) == 1
    assert shareimage.draw_count == drawn + 1


def test_a_process_waits_for_another_process_drawing_the_same_image(edition):
    shareimage.share_image(edition)
    cache.clear()
    shareimage._local.clear()
    key = shareimage._key(edition)
    assert cache.add(f"{key}:lock", "drawing", 30)  # "another process" is drawing
    drawn = shareimage.draw_count
    result: list[bytes] = []
    thread = threading.Thread(target=lambda: result.append(shareimage.share_image(edition)))
    thread.start()
    time.sleep(0.3)
    assert thread.is_alive() and shareimage.draw_count == drawn
    cache.set(key, b"drawn elsewhere")
    thread.join(timeout=5)
    assert result == [b"drawn elsewhere"] and shareimage.draw_count == drawn


def test_icons_manifest_and_robots(client, settings):
    settings.SITE_URL = "https://poltwt.example.org"
    icon = client.get("/favicon.ico")
    assert (
        icon.status_code == 200 and Image.open(io.BytesIO(b"".join(icon.streaming_content))).format == "ICO"
    )
    home = client.get(reverse("pages:home")).content.decode()
    hrefs = re.findall(r'<link rel="(?:icon|apple-touch-icon)" href="(/static/[^"]+)"', home)
    assert len(hrefs) == 2
    manifest = client.get("/site.webmanifest")
    assert manifest["Content-Type"] == "application/manifest+json"
    hrefs += [icon["src"] for icon in manifest.json()["icons"]]
    for href in hrefs:
        assert finders.find(href.removeprefix("/static/")), href
    with Image.open(finders.find("img/apple-touch-icon.png")) as touch:
        assert touch.size == (180, 180)
    robots = client.get("/robots.txt").content.decode()
    assert "Sitemap: https://poltwt.example.org/sitemap.xml" in robots
    assert "Disallow: /manage/" in robots


def test_sitemap_lists_the_public_pages_of_every_edition(client, settings, edition, other_edition):
    settings.SITE_URL = "https://poltwt.example.org"
    EditionFactory(ordinal=9, status="cancelled", date=None)
    xml = client.get("/sitemap.xml").content.decode()
    locations = set(re.findall(r"<loc>([^<]+)</loc>", xml))
    for ordinal in (7, 8):
        for name in ("pages:map", "pages:participant_list", "pages:statistics", "pages:schedule"):
            assert f"https://poltwt.example.org{reverse(name)}?edition={ordinal}" in locations
    assert "https://poltwt.example.org/en/" in locations
    assert not any("edition=9" in location for location in locations)
    assert 'hreflang="x-default"' in xml


def test_sitemap_gives_alternates_for_each_language_once_there_are_several(client, settings, edition):
    settings.LANGUAGES = [("en", "English"), ("fr", "French")]
    xml = client.get("/sitemap.xml").content.decode()
    assert 'hreflang="en"' in xml and 'hreflang="fr"' in xml


def test_home_offers_the_edition_calendar_or_says_why_not(client, edition):
    html = client.get(reverse("pages:home")).content.decode()
    assert reverse("pages:edition_ics", args=[edition.ordinal]) in html
    assert "calendar.google.com" in html and "outlook.live.com" in html
    edition.date, edition.status = None, "tbd"
    edition.save()
    cache.clear()
    html = client.get(reverse("pages:home")).content.decode()
    assert "No calendar entry yet: the date is to be announced." in html
    assert reverse("pages:edition_ics", args=[edition.ordinal]) not in html


def test_the_live_stream_link_shows_during_the_event_only(client, edition):
    live = "https://x.com/hashtag/poltwt?f=live"
    assert live not in client.get(reverse("pages:home")).content.decode()
    edition.date = timezone.localdate()  # 08:00 is passing somewhere on Earth all day long
    edition.start_time = dt.time(8)
    edition.save()
    cache.clear()
    for page in ("pages:home", "pages:map"):
        assert live in client.get(reverse(page)).content.decode(), page


@pytest.mark.django_db(transaction=True)
def test_email_links_follow_the_address_reached_in_development(client, settings):
    # Transactional: the email goes out when the view's transaction commits, inside the request, as it
    # does under runserver.
    settings.DEBUG = True
    settings.SITE_URL = ""
    registration = RegistrationFactory(edition=EditionFactory(ordinal=40))
    client.post(reverse("registrations:lost_link"), {"email": registration.email}, HTTP_HOST="127.0.0.1:8123")
    [message] = mail.outbox
    assert "http://127.0.0.1:8123/en/manage/" in message.body
    # Outside a request (a worker), without SITE_URL: the runserver default.
    mail.outbox.clear()
    send_registration_email(registration, "links")
    assert "http://127.0.0.1:8000/en/manage/" in mail.outbox[0].body
    # SITE_URL, when set, always wins.
    settings.SITE_URL = "https://poltwt.example.org"
    mail.outbox.clear()
    client.post(reverse("registrations:lost_link"), {"email": registration.email}, HTTP_HOST="127.0.0.1:8123")
    assert "https://poltwt.example.org/en/manage/" in mail.outbox[0].body


def test_ensure_organizer_keeps_the_password_unless_asked(settings, capsys):
    settings.DEBUG = True
    call_command("ensure_organizer")
    password = re.search(r"password '([^']+)'", capsys.readouterr().out).group(1)
    call_command("ensure_organizer")
    out = capsys.readouterr().out
    assert "keeps its password" in out and password not in out
    assert (
        authenticate(RequestFactory().post("/admin/login/"), username="organizer", password=password)
        is not None
    )
    call_command("ensure_organizer", "--reset-password")
    new = re.search(r"password '([^']+)'", capsys.readouterr().out).group(1)
    assert new != password
    assert (
        authenticate(RequestFactory().post("/admin/login/"), username="organizer", password=password) is None
    )
    assert (
        authenticate(RequestFactory().post("/admin/login/"), username="organizer", password=new) is not None
    )
