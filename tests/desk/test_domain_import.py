"""The government-domain CSV import in the background (issue 20, point 6): the upload keeps the file and
queues one task, the import's page shows the progress (reloading itself) and then the new domains and the
refused names with their reason; a task run again after a dead worker carries on without doing anything twice.
"""

from __future__ import annotations

import datetime as dt
import io
import re
import subprocess

import pytest
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from registrations import tasks
from registrations.models import CsvImport, GovernmentDomain
from registrations.services.domains import BATCH, REFUSED_LISTED, domains_import_run
from registrations.services.imports import domains_import_create
from tests.factories import RegistrationFactory, UserFactory
from tests.ops.processes import MANAGE, PYTHON, ROOT, process_env

pytestmark = pytest.mark.django_db

IMPORT = "/admin/registrations/governmentdomain/import/"
REFRESH = re.compile(r'<meta http-equiv="refresh" content="\d+">')


@pytest.fixture
def chief(client):
    user = UserFactory(username="chief", is_staff=True, is_superuser=True)
    client.force_login(user)
    return user


def upload(client, content: bytes, **data):
    file = io.BytesIO(content)
    file.name = "domains.csv"
    return client.post(IMPORT, {"file": file, **data})


def csv_of(names: list[str]) -> bytes:
    return ("domain\n" + "".join(f"{name}\n" for name in names)).encode()


def test_the_upload_answers_with_the_progress_page_and_the_page_shows_the_result(
    client, chief, django_capture_on_commit_callbacks
):
    GovernmentDomain.objects.create(domain="known.example")
    names = ["new-one.example", "Known.example", "not a domain", "com", "gmail.com", "new-two.example"]
    with django_capture_on_commit_callbacks(execute=True):  # the inline backend runs the task at commit
        response = upload(client, csv_of(names), note="CISA list")
    draft = CsvImport.objects.get(kind=CsvImport.Kind.DOMAINS)
    assert response.status_code == 302
    assert response["Location"] == f"{IMPORT}{draft.pk}/"
    page = client.get(response["Location"]).content.decode()
    assert not REFRESH.search(page)  # done: nothing to wait for
    assert "6 of 6 names checked." in page
    assert "Done: 2 new domains imported." in page and "1 was in the list already." in page
    assert "3 names refused" in page
    assert "<td>not a domain</td><td>Not a domain name.</td>" in page
    assert "<td>com</td><td>Too broad: it would recognise everyone under it.</td>" in page
    assert "gmail.com is a webmail or free-mail provider" in page
    assert set(GovernmentDomain.objects.filter(note="CISA list").values_list("domain", flat=True)) == {
        "new-one.example",
        "new-two.example",
    }


def test_refused_names_are_shown_as_text(client, chief, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        response = upload(client, csv_of(["<b>x</b>.example"]))
    page = client.get(response["Location"]).content.decode()
    assert "&lt;b&gt;x&lt;/b&gt;.example" in page and "<b>x</b>" not in page


def test_with_the_database_queue_the_upload_only_queues_and_the_page_reloads_itself(
    client, chief, settings, django_capture_on_commit_callbacks
):
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    names = [f"agency{n}.example" for n in range(2 * BATCH + 7)]
    with django_capture_on_commit_callbacks(execute=True):
        response = upload(client, csv_of(names))
    draft = CsvImport.objects.get(kind=CsvImport.Kind.DOMAINS)
    queued = DBTaskResult.objects.get()
    assert queued.task_path == "registrations.tasks.import_domains_task"
    assert queued.args_kwargs == {"args": [draft.pk], "kwargs": {}}
    assert not GovernmentDomain.objects.filter(domain__startswith="agency").exists()
    page = client.get(response["Location"]).content.decode()
    assert REFRESH.search(page)
    assert f"0 of {len(names)} names checked." in page and "Done" not in page

    tasks.import_domains_task.call(draft.pk)  # as the worker runs it
    page = client.get(response["Location"]).content.decode()
    assert not REFRESH.search(page)
    assert f"Done: {len(names)} new domains imported." in page
    assert GovernmentDomain.objects.filter(domain__startswith="agency").count() == len(names)


def test_a_run_again_after_a_dead_worker_carries_on_from_the_last_committed_batch():
    names = [f"force{n}.example" for n in range(2 * BATCH + 5)]
    draft = domains_import_create(data=csv_of(names), filename="x.csv", actor=None)
    # What a worker killed during the second batch leaves: the first batch committed with its progress
    # (each batch and its progress commit together), the task still to run.
    GovernmentDomain.objects.bulk_create(GovernmentDomain(domain=name) for name in names[:BATCH])
    CsvImport.objects.filter(pk=draft.pk).update(rows_done=BATCH, imported_rows=BATCH)
    done = domains_import_run(import_id=draft.pk)
    assert (done.rows_done, done.rows_total, done.imported_rows) == (len(names), len(names), len(names))
    assert done.imported_at is not None
    assert GovernmentDomain.objects.filter(domain__startswith="force").count() == len(names)
    # And a third run (the task queued twice) changes nothing.
    again = domains_import_run(import_id=draft.pk)
    assert (again.imported_rows, again.imported_at) == (done.imported_rows, done.imported_at)


def test_refused_names_are_counted_all_and_listed_up_to_the_limit():
    names = [f"bad name {n}" for n in range(REFUSED_LISTED + 50)] + ["fine.example"]
    draft = domains_import_create(data=csv_of(names), filename="x.csv", actor=None)
    done = domains_import_run(import_id=draft.pk)
    assert done.refused_count == REFUSED_LISTED + 50
    assert len(done.refused) == REFUSED_LISTED
    assert done.imported_rows == 1


def test_a_stalled_import_can_be_carried_on_by_hand(
    client, chief, settings, django_capture_on_commit_callbacks
):
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    draft = domains_import_create(data=csv_of(["late.example"]), filename="x.csv", actor=None)
    url = f"{IMPORT}{draft.pk}/"
    page = client.get(url).content.decode()
    assert 'name="resume"' not in page  # not stalled yet: it waits for the worker
    with django_capture_on_commit_callbacks(execute=True):
        client.post(url, {"resume": "1"})
    assert not DBTaskResult.objects.exists()
    CsvImport.objects.filter(pk=draft.pk).update(created_at=timezone.now() - dt.timedelta(minutes=10))
    page = client.get(url).content.decode()
    assert 'name="resume"' in page and not REFRESH.search(page)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(url, {"resume": "1"})
    assert DBTaskResult.objects.get().args_kwargs == {"args": [draft.pk], "kwargs": {}}


def test_the_import_page_of_another_kind_or_id_is_not_found(client, chief, edition):
    other = CsvImport.objects.create(
        kind=CsvImport.Kind.RESULTS, edition=edition, filename="r.csv", content=""
    )
    assert client.get(f"{IMPORT}{other.pk}/").status_code == 404
    assert client.get(f"{IMPORT}%C2%B2/").status_code == 404
    assert client.get(f"{IMPORT}{'9' * 40}/").status_code == 404


def test_a_domain_import_in_the_csv_imports_list_opens_its_progress_page(client, chief):
    draft = domains_import_create(data=csv_of(["x.example"]), filename="x.csv", actor=None)
    response = client.get(f"/admin/registrations/csvimport/{draft.pk}/preview/")
    assert response["Location"] == f"{IMPORT}{draft.pk}/"
    assert (
        "domains"
        not in client.get("/admin/registrations/csvimport/add/")
        .content.decode()
        .split('name="kind"')[1]
        .split("</select>")[0]
    )


def test_a_reviewer_without_the_add_permission_cannot_upload(client, edition):
    client.force_login(UserFactory(username="viewer", is_staff=True))
    assert upload(client, csv_of(["x.example"])).status_code == 403
    assert not CsvImport.objects.exists()


@pytest.mark.django_db(transaction=True)
def test_a_real_worker_runs_the_queued_import(client, settings):
    """The database queue end to end: the upload queues, `manage.py worker --batch` imports."""
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    client.force_login(UserFactory(username="chief", is_staff=True, is_superuser=True))
    waiting = RegistrationFactory(email="pio@wmp.worker.example", email_domain_recognised=False)
    names = [f"d{n}.worker.example" for n in range(BATCH + 10)] + ["worker.example"]
    upload(client, csv_of(names))
    assert not GovernmentDomain.objects.filter(domain__endswith="worker.example").exists()
    subprocess.run(  # noqa: S603 - our own interpreter and manage.py
        [PYTHON, MANAGE, "worker", "--batch", "--no-startup-delay", "--no-reload"],
        cwd=ROOT,
        env=process_env(),
        check=True,
        timeout=120,
    )
    draft = CsvImport.objects.get(kind=CsvImport.Kind.DOMAINS)
    assert draft.imported_at is not None and draft.imported_rows == len(names)
    assert GovernmentDomain.objects.filter(domain__endswith="worker.example").count() == len(names)
    waiting.refresh_from_db()
    assert waiting.email_domain_recognised
