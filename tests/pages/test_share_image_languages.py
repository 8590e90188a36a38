"""The share image in every language: bundled fonts, Arabic shaped right to left, long titles on the card,
no empty boxes for characters the fonts lack (pages/cardtext.py)."""

from __future__ import annotations

import io
import os
from pathlib import Path

import pytest
from django.utils import translation
from PIL import Image

from events.models import Edition
from pages import cardtext, shareimage
from tests.factories import ParticipantFactory

pytestmark = pytest.mark.django_db

ROOM = shareimage.WIDTH - 2 * shareimage.MARGIN
LONG_TITLE = ("The Global Police Tweet-a-thon of community policing, open data and road safety " * 3)[:200]


def band(png: bytes) -> Image.Image:
    image = Image.open(io.BytesIO(png)).convert("RGB")
    assert image.size == (1200, 630)
    return image.crop((0, shareimage.MAP_HEIGHT, shareimage.WIDTH, shareimage.HEIGHT))


def ink_columns(image: Image.Image) -> tuple[int, int]:
    """The leftmost and rightmost columns where anything but the band's colour is drawn."""
    mask = Image.eval(image.convert("L"), lambda v: 255 if v > 60 else 0)
    left, _, right, _ = mask.getbbox()
    return left, right


def save(png: bytes, name: str) -> None:
    # POLTWT_SHARE_IMAGES=/some/dir keeps the drawn cards to look at.
    if folder := os.environ.get("POLTWT_SHARE_IMAGES"):
        Path(folder, name).write_bytes(png)


def test_the_fonts_and_their_licence_are_bundled():
    names = {path.name for path in cardtext.FONT_DIR.iterdir()}
    assert {"NotoSans-Regular.ttf", "NotoSansArabic-Regular.ttf", "OFL.txt"} <= names
    assert "SIL OPEN FONT LICENSE Version 1.1" in (cardtext.FONT_DIR / "OFL.txt").read_text()


def test_arabic_is_its_own_run_and_emoji_are_left_out():
    found = cardtext.runs("النسخة 🚓 #poltwt 2026")
    assert [(run.text, run.arabic) for run in found if not run.space] == [
        ("النسخة", True),
        ("#poltwt", False),
        ("2026", False),
    ]


def test_a_200_character_title_stays_on_the_card():
    size, lines = cardtext.fit(
        LONG_TITLE, weight="bold", sizes=shareimage.TITLE_SIZES, room=ROOM, max_lines=2
    )
    assert len(lines) <= 2
    assert all(cardtext.width(line, "bold", size) <= ROOM for line in lines)
    words = " ".join(lines).rstrip("…").split()
    assert len(" ".join(words)) > 150  # most of it is shown, not just a first word


def test_a_word_of_emoji_leaves_no_gap():
    assert cardtext.fit("🚓 7th #poltwt", weight="bold", sizes=(40,), room=ROOM, max_lines=1) == (
        40,
        ["7th #poltwt"],
    )


def test_an_arabic_card_is_drawn_right_to_left_in_arabic_letters(edition):
    ParticipantFactory(edition=edition)
    edition.title = "النسخة السابعة من تغريدات الشرطة العالمية 🚓"
    edition.save()
    with translation.override("ar"):
        arabic = shareimage.draw(edition)
    with translation.override("en"):
        english = shareimage.draw(edition)
    save(arabic, "share-ar.png")
    save(english, "share-en.png")
    ar_left, ar_right = ink_columns(band(arabic))
    en_left, _ = ink_columns(band(english))
    assert ar_right > shareimage.WIDTH - shareimage.MARGIN - 4  # right-aligned
    assert en_left < shareimage.MARGIN + 4  # left-aligned
    assert ar_left > en_left


def test_a_long_title_with_emoji_is_kept_inside_the_margins(edition):
    edition.title = ("🚓 " + LONG_TITLE)[: Edition._meta.get_field("title").max_length]
    edition.save()
    with translation.override("es"):
        png = shareimage.draw(edition)
    save(png, "share-long-es.png")
    left, right = ink_columns(band(png))
    assert left >= shareimage.MARGIN - 4
    assert right <= shareimage.WIDTH - shareimage.MARGIN + 4
