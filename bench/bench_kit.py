"""The participant kit at 10,000 participants: share image, calendar files, reminder planning.

    .venv/bin/python bench/bench_kit.py

Builds a throwaway SQLite database in a temporary folder (nothing else is touched) with one edition and
10,000 approved, located participants in 200 time zones, then prints:

* the share image: drawn cold (the participants' rows read from the database too), drawn again with
  the rows cached, and served by the view from the cache (median of 200 requests);
* an .ics file, the edition's and a registrant's, as served by the views (median of 200);
* planning the reminders of all 10,000 (first plan, a plan with nothing to change, and a re-plan after the
  edition moved).

Goals (issue 12): image < 1 s, cached image < 10 ms, .ics < 20 ms, planning 10,000 < 10 s.
"""

from __future__ import annotations

import datetime as dt
import os
import random
import statistics
import sys
import tempfile
import time
import zoneinfo
from pathlib import Path

WORKDIR = tempfile.mkdtemp(prefix="poltwt-bench-kit-")
os.environ.update(
    {
        "DJANGO_SETTINGS_MODULE": "poltwt.settings",
        "DEBUG": "1",
        "DATABASE_URL": f"sqlite:///{WORKDIR}/bench.sqlite3",
        "CACHE_URL": "locmemcache://",
        "EMAIL_URL": "consolemail://",
        "SITE_URL": "http://127.0.0.1:8000",
        "PUBLIC_PAGE_CACHE_RECHECK": "0",
        "ALLOWED_HOSTS": "127.0.0.1",
        "LOG_LEVEL": "WARNING",
        "RATE_LIMIT_LINKS": "1000000/h",
    }
)
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import django  # noqa: E402

django.setup()

from django.core.management import call_command  # noqa: E402
from django.test import Client  # noqa: E402
from django.urls import reverse  # noqa: E402
from django.utils import timezone  # noqa: E402

from events.models import Edition  # noqa: E402
from events.services import edition_update  # noqa: E402
from pages import shareimage  # noqa: E402
from registrations import tokens  # noqa: E402
from registrations.models import Registration, Reminder  # noqa: E402
from registrations.services.reminders import reminders_plan  # noqa: E402
from registrations.signals import public_data_changed  # noqa: E402

PARTICIPANTS = 10_000
RUNS = 200


def ms(seconds: float) -> str:
    return f"{seconds * 1000:8.2f} ms"


def timed(function, runs: int = 1) -> list[float]:
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        function()
        times.append(time.perf_counter() - start)
    return times


def populate() -> Edition:
    call_command("migrate", verbosity=0)
    edition = Edition.objects.create(
        ordinal=1, title="Benchmark Tweet-a-thon", date=timezone.localdate() + dt.timedelta(days=30)
    )
    rng = random.Random(12)
    zones = sorted(zone for zone in zoneinfo.available_timezones() if "/" in zone and "Etc" not in zone)[:200]
    rows = []
    for n in range(PARTICIPANTS):
        officer = n % 4 == 0
        hours = rng.random() < 0.3
        rows.append(
            Registration(
                edition=edition,
                kind="officer" if officer else "agency",
                handle=f"bench{n}",
                agency_name=f"Agency {n}",
                agency_level="local",
                officer_name="Jane Doe" if officer else "",
                email=f"bench{n}@police.example",
                email_confirmed_at=timezone.now(),
                city="Somewhere",
                country=rng.choice(["US", "GB", "IN", "NZ", "KE", "BR", "DE", "PH"]),
                participation_model="all_calls",
                consent_public=True,
                status="approved",
                geo_status="located",
                geo_precision="city",
                latitude=round(rng.uniform(-55, 70), 4),
                longitude=round(rng.uniform(-179, 179), 4),
                time_zone=rng.choice(zones),
                hours_from=dt.time(rng.choice([8, 9, 12, 18])) if hours else None,
                hours_to=dt.time(rng.choice([11, 17, 23])) if hours else None,
            )
        )
    Registration.objects.bulk_create(rows, batch_size=1000)
    public_data_changed.send(sender=Registration, edition_ids={edition.pk}, fields=None)
    return edition


def main() -> None:
    print(f"participant kit, {PARTICIPANTS:,} participants (SQLite in {WORKDIR})\n")
    edition = populate()
    client = Client(HTTP_HOST="127.0.0.1")

    def get(url: str) -> None:
        response = client.get(url)
        assert response.status_code == 200, (url, response.status_code)

    image_url = reverse("pages:share_image", args=[edition.ordinal])

    [cold] = timed(lambda: shareimage.draw(edition))  # first of all: the basemap is drawn too
    drawn = timed(lambda: shareimage.draw(edition), runs=5)  # reads the 10,000 points, then draws
    get(image_url)  # into the cache
    served = timed(lambda: get(image_url), runs=RUNS)
    png = client.get(image_url).content
    print(f"share image (1200x630 PNG, {len(png) // 1024} KiB)")
    print(f"  first draw in the process (+ basemap) {ms(cold)}")
    print(f"  drawn, points read (median of 5)      {ms(statistics.median(drawn))}")
    print(
        f"  served from cache (median of {RUNS})    {ms(statistics.median(served))}"
        f"   (max {ms(max(served)).strip()})"
    )

    ics_url = reverse("pages:edition_ics", args=[edition.ordinal])
    registration = Registration.objects.filter(hours_from__isnull=False).first()
    mine_url = reverse("registrations:calendar", args=[tokens.make_token(registration, "manage")])
    edition_ics = timed(lambda: get(ics_url), runs=RUNS)
    mine_ics = timed(lambda: get(mine_url), runs=RUNS)
    print("\ncalendar files, served by the views")
    print(f"  edition .ics (median of {RUNS})          {ms(statistics.median(edition_ics))}")
    print(f"  registrant .ics (median of {RUNS})       {ms(statistics.median(mine_ics))}")

    [first] = timed(lambda: reminders_plan(edition=edition))
    planned = Reminder.objects.count()
    [again] = timed(lambda: reminders_plan(edition=edition))
    edition.date += dt.timedelta(days=7)
    edition_update(edition=edition)
    [moved] = timed(lambda: reminders_plan(edition=edition))
    print(f"\nreminders for {PARTICIPANTS:,} participants ({planned:,} rows)")
    print(f"  first plan                            {ms(first)}")
    print(f"  plan again, nothing to change         {ms(again)}")
    print(f"  re-plan after the edition moved       {ms(moved)}")


if __name__ == "__main__":
    main()
