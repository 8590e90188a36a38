"""Government domains (issue 22, build point 3): webmail is never trusted, by any path; trusting needs
the permission to change the domain list; every change to the list re-checks the waiting entries."""

from __future__ import annotations

import io

import pytest
from django.contrib.auth.models import Group
from django.core.exceptions import ValidationError

from registrations.models import GovernmentDomain, Registration
from registrations.services.common import ReviewError
from registrations.services.domains import (
    domains_import_run,
    domains_reevaluate,
    domains_trust,
    domains_untrustable,
)
from registrations.services.imports import domains_import_create
from registrations.services.review import is_government_email
from registrations.validators import (
    domain_is_recognised,
    is_webmail,
    validate_trustable_domain,
    webmail_domains,
)
from tests.factories import RegistrationFactory, UserFactory

pytestmark = pytest.mark.django_db

CHANGELIST = "/admin/registrations/registration/"
DOMAINS = "/admin/registrations/governmentdomain/"


@pytest.fixture
def chief():
    return UserFactory(username="chief", is_staff=True, is_superuser=True, email="chief@poltwt.example")


@pytest.fixture
def reviewer():
    user = UserFactory(username="volunteer", is_staff=True, email="volunteer@poltwt.example")
    user.groups.add(Group.objects.get(name="Reviewers"))
    return user


# --- the rule ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "domain",
    [
        "gmail.com",
        "yahoo.com",
        "Yahoo.co.uk",
        "hotmail.com",
        "outlook.com",
        "gmx.de",
        "mail.yahoo.com",
        "protonmail.com",
        "proton.me",
        "mailinator.com",
    ],
)
def test_webmail_is_recognised_as_webmail(domain):
    assert is_webmail(domain)
    with pytest.raises(ValidationError):
        validate_trustable_domain(domain)


@pytest.mark.parametrize("domain", ["com", "co.uk", "uk", "de"])
def test_a_suffix_that_covers_webmail_cannot_be_trusted(domain):
    with pytest.raises(ValidationError, match="would also recognise webmail"):
        validate_trustable_domain(domain)


@pytest.mark.parametrize("domain", ["gov", "police.uk", "gov.uk", "politie.nl", "cityofpaloalto.org"])
def test_government_domains_are_not_webmail(domain):
    assert not is_webmail(domain)
    validate_trustable_domain(domain)


def test_the_package_list_is_read_without_the_network():
    # freemail's own is_free() would fetch the public suffix list; the rule reads the package's data.
    assert len(webmail_domains()) > 5000


def test_webmail_is_never_recognised_even_when_the_list_holds_it():
    assert not domain_is_recognised("gmail.com", ["gmail.com", "com"])
    GovernmentDomain.objects.bulk_create([GovernmentDomain(domain="yahoo.com")])  # e.g. added before the rule
    assert not is_government_email("chief@yahoo.com")


def test_goal_no_webmail_domain_can_be_trusted():
    """The issue's goal: 0 webmail domains can be trusted. Every domain of the maintained list is refused."""
    listed = sorted(webmail_domains())
    assert len(domains_untrustable(listed)) == len(listed)
    with pytest.raises(ReviewError, match="webmail"):
        domains_trust(domains=["gmail.com"])
    assert not GovernmentDomain.objects.filter(domain__in=listed).exists()


# --- every path that adds a domain -------------------------------------------------------------------------


def test_domains_trust_refuses_webmail_and_adds_nothing():
    with pytest.raises(ReviewError, match=r"yahoo\.com"):
        domains_trust(domains=["new-agency.example", "yahoo.com"])
    assert not GovernmentDomain.objects.filter(domain__in=["new-agency.example", "yahoo.com"]).exists()


def test_csv_import_refuses_webmail_and_imports_the_rest(client, chief, django_capture_on_commit_callbacks):
    client.force_login(chief)
    upload = io.BytesIO(b"domain\npolice.example.org\ngmail.com\n")
    upload.name = "domains.csv"
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(f"{DOMAINS}import/", {"file": upload})
    page = client.get(response["Location"]).content.decode()
    assert "gmail.com is a webmail or free-mail provider" in page
    assert GovernmentDomain.objects.filter(domain="police.example.org").exists()
    assert not GovernmentDomain.objects.filter(domain="gmail.com").exists()
    draft = domains_import_create(data=b"hotmail.com\n", filename="x.csv", actor=None)
    assert domains_import_run(import_id=draft.pk).refused == [["hotmail.com", "untrustable"]]
    assert not GovernmentDomain.objects.filter(domain="hotmail.com").exists()


@pytest.mark.parametrize("typed", ["gmail.com", " GMail.com ", "com"])
def test_admin_add_form_refuses_webmail(client, chief, typed):
    client.force_login(chief)
    response = client.post(f"{DOMAINS}add/", {"domain": typed, "note": ""})
    assert response.status_code == 200
    assert response.context["adminform"].form.errors["domain"]
    assert not GovernmentDomain.objects.filter(domain=typed.strip().lower()).exists()


def test_admin_change_form_refuses_webmail(client, chief):
    domain = GovernmentDomain.objects.create(domain="agency.example")
    client.force_login(chief)
    response = client.post(f"{DOMAINS}{domain.pk}/change/", {"domain": "outlook.com", "note": ""})
    assert response.status_code == 200
    domain.refresh_from_db()
    assert domain.domain == "agency.example"


def test_approval_page_warns_about_webmail_and_offers_no_trust(client, chief, edition):
    registration = RegistrationFactory(edition=edition, email="chief.pio@gmail.com")
    client.force_login(chief)
    page = client.post(f"{CHANGELIST}{registration.pk}/approve/").content.decode()
    assert "webmail-warning" in page and "gmail.com is a webmail or free-mail provider" in page
    assert 'name="trust"' not in page
    # Even a forged "trust" adds nothing; the organizer's approval itself goes through.
    client.post(f"{CHANGELIST}{registration.pk}/approve/", {"confirm": "1", "trust": "1"})
    assert not GovernmentDomain.objects.filter(domain="gmail.com").exists()
    registration.refresh_from_db()
    assert registration.status == Registration.Status.APPROVED


def test_approval_page_offers_only_the_trustable_domains(client, chief, edition):
    webmail = RegistrationFactory(edition=edition, email="a@yahoo.com")
    city = RegistrationFactory(edition=edition, email="b@ayto-ejemplo.es")
    client.force_login(chief)
    data = {"action": "approve_selected", "index": 0, "_selected_action": [webmail.pk, city.pk]}
    page = client.post(CHANGELIST + "?all=1", data).content.decode()
    assert (
        "Also trust these domains from now on (add them to the list of government domains): ayto-ejemplo.es"
        in page
    )
    client.post(CHANGELIST + "?all=1", {**data, "confirm": "1", "trust": "1"})
    assert GovernmentDomain.objects.filter(domain="ayto-ejemplo.es").exists()
    assert not GovernmentDomain.objects.filter(domain="yahoo.com").exists()
    assert Registration.objects.filter(status="approved").count() == 2


# --- permission -------------------------------------------------------------------------------------------


def test_a_reviewer_cannot_trust_domains_on_the_approval_page(client, reviewer, edition):
    registration = RegistrationFactory(edition=edition, email="prensa@ayto-ejemplo.es")
    client.force_login(reviewer)
    page = client.post(f"{CHANGELIST}{registration.pk}/approve/").content.decode()
    assert 'name="trust"' not in page
    assert "Only organizers who may change the list of government domains can trust a domain." in page
    response = client.post(f"{CHANGELIST}{registration.pk}/approve/", {"confirm": "1", "trust": "1"})
    assert response.status_code == 403
    assert not GovernmentDomain.objects.filter(domain="ayto-ejemplo.es").exists()
    registration.refresh_from_db()
    assert registration.status == Registration.Status.PENDING
    # Without asking to trust, the reviewer approves as before.
    client.post(f"{CHANGELIST}{registration.pk}/approve/", {"confirm": "1"})
    registration.refresh_from_db()
    assert registration.status == Registration.Status.APPROVED


# --- re-evaluation ----------------------------------------------------------------------------------------


def test_deleting_a_domain_in_the_admin_unflags_the_waiting_entries(
    client, chief, edition, django_capture_on_commit_callbacks
):
    domain = GovernmentDomain.objects.create(domain="sheriff.example")
    waiting = RegistrationFactory(edition=edition, email="pio@sheriff.example", email_domain_recognised=True)
    approved = RegistrationFactory(
        edition=edition, email="x@sheriff.example", email_domain_recognised=True, status="approved"
    )
    client.force_login(chief)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(f"{DOMAINS}{domain.pk}/delete/", {"post": "yes"})
    assert not GovernmentDomain.objects.filter(domain="sheriff.example").exists()
    waiting.refresh_from_db()
    approved.refresh_from_db()
    assert not waiting.email_domain_recognised  # no longer shown as recognised
    assert approved.email_domain_recognised  # reviewed entries keep what they were approved with
    page = client.get(f"{CHANGELIST}{waiting.pk}/change/").content.decode()
    assert "email domain not recognised: check it before approving" in page


def test_bulk_deleting_domains_unflags_the_waiting_entries(
    client, chief, edition, django_capture_on_commit_callbacks
):
    domain = GovernmentDomain.objects.create(domain="sheriff.example")
    waiting = RegistrationFactory(
        edition=edition, email="pio@mail.sheriff.example", email_domain_recognised=True
    )
    client.force_login(chief)
    data = {"action": "delete_selected", "_selected_action": [domain.pk], "post": "yes"}
    with django_capture_on_commit_callbacks(execute=True):
        client.post(DOMAINS, data)
    waiting.refresh_from_db()
    assert not waiting.email_domain_recognised


def test_adding_a_domain_in_the_admin_flags_the_waiting_entries(
    client, chief, edition, django_capture_on_commit_callbacks
):
    waiting = RegistrationFactory(edition=edition, email="pio@mail.sheriff.example")
    unconfirmed = RegistrationFactory(edition=edition, email="b@sheriff.example", email_confirmed_at=None)
    client.force_login(chief)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(f"{DOMAINS}add/", {"domain": "sheriff.example", "note": ""})
    waiting.refresh_from_db()
    unconfirmed.refresh_from_db()
    assert waiting.email_domain_recognised and unconfirmed.email_domain_recognised


def test_import_and_trust_flag_the_waiting_entries_after_commit(edition, django_capture_on_commit_callbacks):
    imported = RegistrationFactory(edition=edition, email="a@imported.example")
    trusted = RegistrationFactory(edition=edition, email="b@trusted.example")
    draft = domains_import_create(data=b"imported.example\n", filename="x.csv", actor=None)
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        domains_import_run(import_id=draft.pk)
    imported.refresh_from_db()
    assert not imported.email_domain_recognised  # not before the list change commits
    for callback in callbacks:
        callback()
    imported.refresh_from_db()
    assert imported.email_domain_recognised
    with django_capture_on_commit_callbacks(execute=True):
        domains_trust(domains=["trusted.example"])
    trusted.refresh_from_db()
    assert trusted.email_domain_recognised


def test_reevaluate_counts_what_changed(edition):
    RegistrationFactory(edition=edition, email="a@police.uk")  # flag False, domain seeded: becomes True
    RegistrationFactory(edition=edition, email="b@gmail.com", email_domain_recognised=True)  # becomes False
    RegistrationFactory(edition=edition, email="c@police.uk", email_domain_recognised=True)  # stays
    assert domains_reevaluate() == 2
    assert domains_reevaluate() == 0
