"""/healthz for load balancers: database, cache and the age of the task queue; outside any language prefix."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from registrations import tasks
from tests.factories import RegistrationFactory

# The checks run in threads with their own connections: they see only committed data.
pytestmark = pytest.mark.django_db(transaction=True)


def test_healthz_answers_ok_at_the_root(client):
    assert reverse("healthz") == "/healthz"
    response = client.get("/healthz", HTTP_ACCEPT="application/json")
    assert response.status_code == 200
    body = response.json()
    assert any("Database" in name for name in body) and any("Cache" in name for name in body)
    assert any("QueueAge" in name for name in body)
    assert "no-cache" in response["Cache-Control"]


def test_healthz_fails_when_the_queue_is_not_worked(client, settings, edition):
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    settings.HEALTH_QUEUE_MAX_AGE_SECONDS = 600
    result = tasks.geocode_registration_task.enqueue(RegistrationFactory(edition=edition).pk)
    assert client.get("/healthz", HTTP_ACCEPT="text/plain").status_code == 200  # just queued
    DBTaskResult.objects.filter(pk=result.id).update(enqueued_at=timezone.now() - dt.timedelta(minutes=11))
    response = client.get("/healthz", HTTP_ACCEPT="text/plain")
    assert response.status_code == 500
    assert "oldest queued task has waited" in response.content.decode()
