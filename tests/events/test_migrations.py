"""The old result_* fields become figures (exact, no source) and come back on the way down."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

pytestmark = pytest.mark.django_db(transaction=True)

BEFORE = ("events", "0002_edition_figures_and_former_dates")
AFTER = ("events", "0004_remove_result_fields")


@pytest.fixture(autouse=True)
def _back_to_the_latest_schema():
    """Leave the database at the newest migration of every app, as the rest of the suite expects."""
    yield
    executor = MigrationExecutor(connection)
    executor.migrate(executor.loader.graph.leaf_nodes())


def migrate(target: tuple[str, str]):
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate([target])
    return executor.loader.project_state([target]).apps


def test_results_are_carried_over_and_back():
    apps = migrate(BEFORE)
    Edition = apps.get_model("events", "Edition")
    second = Edition.objects.create(
        ordinal=2,
        title="2nd",
        date=dt.date(2013, 11, 1),
        status="completed",
        result_agency_accounts=250,
        result_officer_accounts=75,
        result_countries=68,
        result_people_reached=19_000_000,
    )
    Edition.objects.create(ordinal=3, title="3rd", date=dt.date(2014, 5, 1), status="completed")

    apps = migrate(AFTER)
    Figure = apps.get_model("events", "Figure")
    carried = set(
        Figure.objects.values_list("edition__ordinal", "measure", "qualifier", "value", "source_name")
    )
    assert carried == {
        (2, "agencies", "exact", 250, ""),
        (2, "officers", "exact", 75, ""),
        (2, "participating_countries", "exact", 68, ""),
        (2, "people_reached", "exact", 19_000_000, ""),
    }

    apps = migrate(BEFORE)
    Edition = apps.get_model("events", "Edition")
    back = Edition.objects.get(pk=second.pk)
    assert (back.result_agency_accounts, back.result_countries, back.result_tweets) == (250, 68, None)
    migrate(AFTER)
