"""The preview-card image of an edition: a 1200 x 630 PNG drawn with Pillow.

It shows the edition, its date (or "date to be announced"), how many agencies and officers from how many
countries (for a past edition, its published results), and their points on the packaged world outline
(static/basemap/). The PNG is cached under the edition's public data version (pages/versioning.py), so it
is redrawn when participants or the edition change; a lock in the process and one in the shared cache
make sure it is never drawn twice at once.
"""

from __future__ import annotations

import io
import json
import threading
import time
from pathlib import Path

from django.conf import settings
from django.core.cache import cache
from django.utils import translation
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from PIL import Image, ImageDraw

from events.models import Edition
from pages import cardtext, versioning
from pages.selectors import participants as selectors
from pages.selectors.editions import published_line

WIDTH, HEIGHT = 1200, 630
# The world above, the title block below: no point is ever hidden under the text.
MAP_HEIGHT = 410
# The latitudes shown: Antarctica and the far north would take space for no participant.
NORTH, SOUTH = 84.0, -58.0
BACKGROUND = (11, 37, 69)
LAND = (29, 66, 110)
COAST = (58, 98, 145)
AGENCY = (255, 204, 0)
OFFICER = (120, 220, 255)
TEXT = (255, 255, 255)
MUTED = (190, 205, 225)
BAND = (7, 25, 48)
MARGIN = 48
TITLE_SIZES = (40, 34, 28, 24)
LOCK_SECONDS = 30  # longer than any drawing takes; a crashed holder's lock expires after it
BASEMAP = Path(settings.BASE_DIR) / "static" / "basemap" / "countries-110m.geojson"

_base_lock = threading.Lock()
_base: Image.Image | None = None
_process_locks: dict[int, threading.Lock] = {}
_process_locks_guard = threading.Lock()
# The PNG last served per edition in this process, with the key it was built for: a warm request is a
# dictionary lookup plus the data-version read.
_local: dict[int, tuple[str, bytes]] = {}
# How many images this process has drawn (read by the tests and the benchmark).
draw_count = 0


def _xy(longitude: float, latitude: float) -> tuple[float, float]:
    """Equirectangular projection of the shown latitudes onto the whole image."""
    return (
        (longitude + 180.0) / 360.0 * WIDTH,
        (NORTH - latitude) / (NORTH - SOUTH) * MAP_HEIGHT,
    )


def _basemap() -> Image.Image:
    """The world outline, drawn once per process (a few milliseconds) and copied for each image."""
    global _base
    with _base_lock:
        if _base is None:
            image = Image.new("RGB", (WIDTH, HEIGHT), BACKGROUND)
            draw = ImageDraw.Draw(image)
            for feature in json.loads(BASEMAP.read_text())["features"]:
                geometry = feature["geometry"]
                polygons = (
                    [geometry["coordinates"]] if geometry["type"] == "Polygon" else geometry["coordinates"]
                )
                for polygon in polygons:
                    ring = [_xy(lon, lat) for lon, lat in polygon[0]]
                    if len(ring) >= 3:
                        draw.polygon(ring, fill=LAND, outline=COAST)
            _base = image
        return _base


def _date_line(edition: Edition) -> str:
    if edition.status == Edition.Status.CANCELLED:
        return _("Cancelled")
    if edition.date is None:
        return _("Date to be announced")
    return _("%(date)s · from %(time)s local time") % {
        "date": date_format(edition.date, "j F Y"),
        "time": edition.start_time.strftime("%H:%M"),
    }


def results_line(edition: Edition) -> str:
    """A past edition's published results; else poltwt's own counts (the record of an edition run here)."""
    if published := published_line(edition):
        return published
    headline = selectors.headline(edition)
    if edition.status == Edition.Status.COMPLETED and not (headline.agencies or headline.officers):
        return _("No results have been published.")
    return _counts_line(headline)


def _counts_line(headline: selectors.Headline) -> str:
    agencies = ngettext("%(n)d agency", "%(n)d agencies", headline.agencies) % {"n": headline.agencies}
    officers = ngettext("%(n)d officer", "%(n)d officers", headline.officers) % {"n": headline.officers}
    countries = ngettext("%(n)d country", "%(n)d countries", headline.countries) % {"n": headline.countries}
    return _("%(agencies)s and %(officers)s from %(countries)s") % {
        "agencies": agencies,
        "officers": officers,
        "countries": countries,
    }


def draw(edition: Edition) -> bytes:
    """Draw the card now (no cache): the world, the participants' points, the title block."""
    global draw_count
    image = _basemap().copy()
    canvas = ImageDraw.Draw(image)
    # Points: one dot per occupied pixel, officers after agencies so both kinds stay visible.
    seen: set[tuple[int, int, str]] = set()
    points = selectors.located_points(edition)
    for kind, colour in (("agency", AGENCY), ("officer", OFFICER)):
        for point_kind, latitude, longitude in points:
            if point_kind != kind:
                continue
            x, y = _xy(longitude, latitude)
            spot = (int(x), int(y), kind)
            if spot in seen or not 0 <= y < MAP_HEIGHT:
                continue
            seen.add(spot)
            canvas.ellipse((x - 3.5, y - 3.5, x + 3.5, y + 3.5), fill=colour)
    # The title block under the map, in the language's direction (pages/cardtext.py): a long title is
    # wrapped on two lines, in smaller type if need be, and cut with an ellipsis beyond that.
    canvas.rectangle((0, MAP_HEIGHT, WIDTH, HEIGHT), fill=BAND)
    rtl = translation.get_language_bidi()
    line = {"canvas": canvas, "left": MARGIN, "right": WIDTH - MARGIN, "rtl": rtl}
    baseline = MAP_HEIGHT + 46
    cardtext.draw_line(
        **line, baseline=baseline, text=edition.hashtag or "#poltwt", weight="bold", size=30, fill=AGENCY
    )
    size, title_lines = cardtext.fit(
        edition.display_title, weight="bold", sizes=TITLE_SIZES, room=WIDTH - 2 * MARGIN, max_lines=2
    )
    baseline += 10
    for text in title_lines:
        baseline += size if text is title_lines[0] else round(size * 1.25)
        cardtext.draw_line(**line, baseline=baseline, text=text, weight="bold", size=size, fill=TEXT)
    baseline += 40
    cardtext.draw_line(
        **line, baseline=baseline, text=_date_line(edition), weight="regular", size=26, fill=MUTED
    )
    baseline += 36
    cardtext.draw_line(
        **line, baseline=baseline, text=results_line(edition), weight="regular", size=26, fill=MUTED
    )
    output = io.BytesIO()
    image.save(output, format="PNG", optimize=False)
    draw_count += 1
    return output.getvalue()


def _key(edition: Edition) -> str:
    token = versioning.edition(edition.pk).token
    return f"poltwt:share-image:{edition.pk}:{token}:{translation.get_language() or ''}"


def _process_lock(edition_id: int) -> threading.Lock:
    with _process_locks_guard:
        return _process_locks.setdefault(edition_id, threading.Lock())


def share_image(edition: Edition) -> bytes:
    """The edition's card as PNG bytes: from this process, else the shared cache, else drawn once."""
    key = _key(edition)
    held = _local.get(edition.pk)
    if held is not None and held[0] == key:
        return held[1]
    with _process_lock(edition.pk):
        held = _local.get(edition.pk)
        if held is not None and held[0] == key:
            return held[1]
        png = cache.get(key)
        if png is None:
            png = _draw_once_across_processes(edition, key)
        _local[edition.pk] = (key, png)
        return png


def _draw_once_across_processes(edition: Edition, key: str) -> bytes:
    lock_key = f"{key}:lock"
    # cache.add is atomic in every shared backend: only one process gets the lock; the others wait for
    # its result (or for the lock to expire, if the holder died).
    while not cache.add(lock_key, "drawing", LOCK_SECONDS):
        png = cache.get(key)
        if png is not None:
            return png
        time.sleep(0.05)
    try:
        png = cache.get(key)
        if png is None:
            png = draw(edition)
            cache.set(key, png, settings.PUBLIC_DATA_CACHE_SECONDS)
        return png
    finally:
        cache.delete(lock_key)
