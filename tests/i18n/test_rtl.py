"""Right-to-left pages: left-to-right runs isolated, dates in the language's own formats."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import formats, translation

from poltwt.bidi import isolate_ltr_runs
from tests.factories import EditionFactory

pytestmark = pytest.mark.django_db

LTR = '<bdi dir="ltr">{}</bdi>'


@pytest.mark.parametrize(
    "text",
    ["#poltwt", "#TimeToUnify", "@lawscomm", "https://x.com/hashtag/poltwt", "UTC+05:30", "08:00", "a@b.gov"],
)
def test_a_left_to_right_run_in_text_is_isolated(text):
    assert isolate_ltr_runs(f"<p>قبل {text} بعد</p>") == f"<p>قبل {LTR.format(text)} بعد</p>"


def test_markup_scripts_and_attributes_are_left_as_written():
    page = (
        '<!doctype html><html><head><title>#poltwt</title><script>let a = "#poltwt";</script></head>'
        '<body><a href="#main" title="@x">&amp; #poltwt</a><br><textarea>#x</textarea>'
        "<bdi>#done</bdi><!-- #c --></body></html>"
    )
    expected = page.replace("&amp; #poltwt", f"&amp; {LTR.format('#poltwt')}")
    assert isolate_ltr_runs(page) == expected


def test_an_arabic_hashtag_keeps_its_direction():
    assert isolate_ltr_runs("<p>#شرطة</p>") == "<p>#شرطة</p>"


def test_arabic_pages_isolate_hashtags_and_english_pages_are_untouched(client, edition):
    edition.theme, edition.theme_hashtag = "Unity", "#TimeToUnify"
    edition.save()
    arabic = client.get("/ar/").content.decode()
    assert LTR.format("#poltwt") in arabic  # the footer's rule and the body
    assert LTR.format("#TimeToUnify") in arabic  # the theme badge
    english = client.get("/en/").content.decode()
    assert "<bdi" not in english


def test_the_arabic_date_and_time_use_the_arabic_format():
    moment = dt.datetime(2026, 12, 26, 19, 0, tzinfo=dt.UTC)
    with translation.override("ar"):
        text = formats.date_format(moment, "DATETIME_FORMAT")
        short = formats.date_format(moment, "SHORT_DATETIME_FORMAT")
    assert text == "26 ديسمبر 2026، 19:00"
    assert short == "26 ديسمبر، 19:00"


def test_the_arabic_schedule_shows_the_utc_line_in_the_arabic_format(client):
    EditionFactory(ordinal=9, date=dt.date(2026, 12, 27))
    with translation.override("ar"):
        page = client.get(reverse("pages:schedule")).content.decode()
    assert "ديسمبر 26, 2026" not in page
    assert "ديسمبر" in page
