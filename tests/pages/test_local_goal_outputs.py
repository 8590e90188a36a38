"""Local goals and hashtags in every public output, as text: list, CSV (formula-safe), JSON, GeoJSON."""

from __future__ import annotations

import csv
import html
import io
import json
import re

import pytest
from django.urls import reverse

from tests.factories import ParticipantFactory, RegistrationFactory

pytestmark = pytest.mark.django_db

GOAL = "<img src=x onerror=alert(1)> ${x}"
FORMULA = '=HYPERLINK("http://evil.example","click")'
HASHTAG = "#GVCopBeat"


@pytest.fixture
def participants(edition):
    ParticipantFactory(edition=edition, handle="GVPD", local_goal=GOAL, local_hashtag=HASHTAG)
    ParticipantFactory(edition=edition, handle="MesaSO", local_goal=FORMULA)
    # Not public: its goal must appear nowhere.
    RegistrationFactory(edition=edition, handle="Hidden", local_goal="SECRET GOAL", status="pending")
    return edition


def get(client, name: str, edition) -> str:
    response = client.get(reverse(name) + f"?edition={edition.ordinal}")
    assert response.status_code == 200
    return b"".join(response.streaming_content).decode() if response.streaming else response.content.decode()


def test_the_list_shows_goal_and_hashtag_escaped(client, participants):
    page = get(client, "pages:participant_list", participants)
    assert "&lt;img src=x onerror=alert(1)&gt; ${x}" in page and "<img src=x" not in page
    assert '<span class="local-hashtag">#GVCopBeat</span>' in page
    assert "SECRET GOAL" not in page


def test_csv_has_the_columns_and_neutralises_formulas(client, participants):
    rows = list(
        csv.DictReader(io.StringIO(get(client, "pages:participants_csv", participants).lstrip("\ufeff")))
    )
    by_handle = {row["handle"]: row for row in rows}
    assert set(by_handle) == {"GVPD", "MesaSO"}
    assert by_handle["GVPD"]["local_goal"] == GOAL
    assert by_handle["GVPD"]["local_hashtag"] == HASHTAG
    assert by_handle["MesaSO"]["local_goal"] == "'" + FORMULA


def test_json_and_geojson_carry_them_as_data(client, participants):
    listed = json.loads(get(client, "pages:participants_json", participants))["participants"]
    assert {row["handle"]: row["local_goal"] for row in listed} == {"GVPD": GOAL, "MesaSO": FORMULA}
    assert all("added_to_x_list_at" not in row for row in listed)
    features = json.loads(get(client, "pages:participants_geojson", participants))["features"]
    props = {feature["properties"]["handle"]: feature["properties"] for feature in features}
    assert props["GVPD"]["local_goal"] == GOAL and props["GVPD"]["local_hashtag"] == HASHTAG
    assert "Hidden" not in props


def test_the_map_page_gives_the_popup_its_translated_label(client, participants):
    page = get(client, "pages:map", participants)
    # The script's words travel as JSON in data-texts, readable as a whole attribute value.
    texts = re.search(r"data-texts='([^']*)'", page).group(1)
    assert json.loads(html.unescape(texts))["goal"] == "Local goal"
