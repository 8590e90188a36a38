"""Background work (django-tasks): thin wrappers that load the object and call the code that does the job."""

from __future__ import annotations

from django.db import transaction
from django_tasks import task

from registrations import emails
from registrations.models import Registration
from registrations.services.delivery import lost_links_send, mailing_deliver, mailing_retry_at
from registrations.services.domains import domains_import_run
from registrations.services.location import registration_geocode
from registrations.services.reminders import reminders_plan_all, reminders_send_due


@task()
def send_registration_email_task(registration_id: int, template: str) -> None:
    registration = Registration.objects.select_related("edition").filter(pk=registration_id).first()
    if registration is not None:
        emails.send_registration_email(registration, template)


@task()
def geocode_registration_task(registration_id: int, force: bool = False) -> None:
    """Geocode one registration (``force``: ask the provider again, as the admin's "geocode again" does);
    after a temporary failure, come back when its backoff expires.

    Only a backend that can defer (the database queue) re-enqueues. ImmediateBackend, in development and
    tests, cannot wait; there `manage.py geocode_pending` picks the registration up when it is due.
    """
    try:
        registration = registration_geocode(registration_id=registration_id, force=force)
    except Registration.DoesNotExist:
        return  # deleted before the worker got to it
    retry_at = registration.geo_next_attempt_at
    if (
        registration.geo_status == Registration.GeoStatus.PENDING
        and retry_at is not None
        and geocode_registration_task.get_backend().supports_defer
    ):
        geocode_registration_task.using(run_after=retry_at).enqueue(registration_id, force=force)


@task()
def geocode_registrations_task(registration_ids: list[int]) -> None:
    """Queue one geocode_registration_task per registration: a bulk import enqueues this one task, so the
    organizer's request does not wait for thousands of enqueues (about 1.5 ms each on the database queue)."""
    with transaction.atomic():  # the database queue's rows in one commit
        for registration_id in registration_ids:
            geocode_registration_task.enqueue(registration_id)


@task()
def import_domains_task(import_id: int) -> None:
    """Import an uploaded CSV file of government domains, or carry on with it after a worker died."""
    domains_import_run(import_id=import_id)


@task()
def send_mailing_task(mailing_id: int) -> None:
    """Send a mailing's open deliveries. Running it again (a retry) writes to nobody twice.

    Deliveries still leased by a run that died are taken over when the lease runs out: the task comes
    back then (on a backend that can defer; elsewhere the recurring ``resume_mailings`` job does).
    """
    mailing = mailing_deliver(mailing_id=mailing_id)
    retry_at = None if mailing.finished_at else mailing_retry_at(mailing=mailing)
    if retry_at is not None and send_mailing_task.get_backend().supports_defer:
        send_mailing_task.using(run_after=retry_at).enqueue(mailing_id)


@task()
def send_lost_links_task(email: str) -> None:
    """Look up an address someone asked the links for, and email each of its registrations' links."""
    lost_links_send(email=email)


@task()
def send_reminders_task() -> None:
    """Plan every reminder again, then send the due ones. Idempotent: run it as often as you like."""
    reminders_plan_all()
    reminders_send_due()
