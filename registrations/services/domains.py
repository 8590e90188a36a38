"""The recognised government email domains: trust some (on approval, or a CSV file of thousands).

Written in batches of BATCH, so that neither SQLite ("Expression tree is too large", too many variables)
nor PostgreSQL gets one query per file: existing domains are read and new ones inserted batch by batch, and
the entries the new domains recognise are found from the (few) unrecognised entries, not with one OR of
every domain.

A CSV file is kept in a CsvImport row (services/imports.py) and imported here by a background task
(registrations.tasks), so that the upload answers at once whatever the file's size: each batch commits
with the row's progress, and a task run again (after a worker died) carries on where the last commit
left it.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterable, Iterator

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from registrations.models import CsvImport, GovernmentDomain, Registration
from registrations.services.errors import ReviewError
from registrations.validators import (
    domain_is_recognised,
    email_domain,
    normalise_domain,
    validate_trustable_domain,
)

BATCH = 500
# An import keeps this many refused names with their reason (the organizer corrects them in the file and
# imports it again); it counts all of them.
REFUSED_LISTED = 200
# Why a name is refused, as stored on the import (the page words it in the reader's language).
INVALID, TOO_BROAD, UNTRUSTABLE = "invalid", "too-broad", "untrustable"
# A domain name as organizers type it: labels of letters, digits and hyphens.
_DOMAIN = re.compile(
    r"^(?=.{1,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)(\.[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)*$"
)
# The only top-level domains registered to governments alone: .gov (United States) and .mil (its armed
# forces). Any other name of one label (com, org, uk, de, ...) would recognise everyone under it.
GOVERNMENT_TOP_LEVEL = frozenset({"gov", "mil"})
# Second-level names that registries hand out to anyone (co.uk, com.au, org.uk, ...): too broad alone.
GENERIC_SECOND_LEVEL = frozenset(
    {"co", "com", "org", "net", "ac", "edu", "ltd", "plc", "info", "biz", "or", "ne"}
)


def recognised_domains() -> list[str]:
    return list(GovernmentDomain.objects.values_list("domain", flat=True))


def domain_is_valid(domain: str) -> bool:
    return bool(_DOMAIN.match(domain))


def domain_is_too_broad(domain: str) -> bool:
    """A top-level domain alone (but gov and mil), or a generic second level such as co.uk."""
    labels = domain.split(".")
    if len(labels) == 1:
        return domain not in GOVERNMENT_TOP_LEVEL
    return len(labels) == 2 and labels[0] in GENERIC_SECOND_LEVEL


@transaction.atomic
def domains_trust(*, domains: Iterable[str], note: str = "") -> list[str]:
    """Add domains to the recognised list and flag the entries on them (and their subdomains) as recognised.

    Returns the domains that were new. Invalid or too broad names raise ReviewError and add nothing.
    """
    wanted = sorted({normalise_domain(domain) for domain in domains if domain.strip()})
    invalid = [domain for domain in wanted if not domain_is_valid(domain)]
    if invalid:
        raise ReviewError(_("Not a domain name: %(domains)s") % {"domains": ", ".join(invalid[:20])})
    broad = [domain for domain in wanted if domain_is_too_broad(domain)]
    if broad:
        raise ReviewError(
            _("These names are too broad to recognise everyone under them: %(domains)s")
            % {"domains": ", ".join(broad[:20])}
        )
    if refused := domains_untrustable(wanted):
        raise ReviewError(" ".join(refused.values()))
    new = _insert_new(wanted, note=note)
    if new:
        domains_reevaluate_after_commit()
    return new


def _insert_new(domains: list[str], *, note: str) -> list[str]:
    """Insert the domains not in the list yet, batch by batch; returns them. Safe to repeat."""
    new = []
    for batch in _batches(domains):
        existing = set(GovernmentDomain.objects.filter(domain__in=batch).values_list("domain", flat=True))
        new.extend(domain for domain in batch if domain not in existing)
    GovernmentDomain.objects.bulk_create(
        [GovernmentDomain(domain=domain, note=note[:200]) for domain in new],
        batch_size=BATCH,
        ignore_conflicts=True,
    )
    return new


def domain_refusal(domain: str) -> str | None:
    """Why a (normalised) name may not join the list: INVALID, TOO_BROAD, UNTRUSTABLE; None when it may."""
    if not domain_is_valid(domain):
        return INVALID
    if domain_is_too_broad(domain):
        return TOO_BROAD
    try:
        validate_trustable_domain(domain)
    except ValidationError:
        return UNTRUSTABLE
    return None


def domains_untrustable(domains: Iterable[str]) -> dict[str, str]:
    """The domains that may never be trusted (webmail providers, suffixes covering them), with the reason."""
    refused = {}
    for domain in domains:
        try:
            validate_trustable_domain(domain)
        except ValidationError as error:
            refused[domain] = " ".join(error.messages)
    return refused


def domains_reevaluate() -> int:
    """Set the "government domain recognised" flag of every waiting entry (pending, not withdrawn) from the
    list as it is now: a domain added flags its entries, a domain removed unflags them. Approved and
    rejected entries keep the flag they were reviewed with. Returns how many entries changed."""
    recognised = recognised_domains()
    waiting = Registration.objects.filter(status=Registration.Status.PENDING).exclude(email="")
    now_true, now_false = [], []
    for pk, email, flag in waiting.values_list("pk", "email", "email_domain_recognised").iterator():
        wanted = domain_is_recognised(email_domain(email), recognised)
        if wanted != flag:
            (now_true if wanted else now_false).append(pk)
    for ids, flag in ((now_true, True), (now_false, False)):
        for batch in _batches(ids):
            Registration.objects.filter(pk__in=batch).update(
                email_domain_recognised=flag, updated_at=timezone.now()
            )
    return len(now_true) + len(now_false)


def domains_reevaluate_after_commit() -> None:
    """Check the waiting entries again once the change to the domain list commits (admin, import, trust)."""
    transaction.on_commit(domains_reevaluate)


def _batches(items: list) -> Iterator[list]:
    for start in range(0, len(items), BATCH):
        yield items[start : start + BATCH]


def domains_read_csv(text: str) -> list[str]:
    """The domains of a CSV file (first column, or a column named "domain"), normalised, each once, in the
    file's order.

    Raises ReviewError for text that is not CSV this import can read (a field longer than the csv
    module's limit, an unclosed quote), or that has no domains.
    """
    reader = csv.reader(io.StringIO(text))
    try:
        rows = [row for row in reader if row and row[0].strip()]
    except csv.Error as exc:
        # The csv module refuses a field over csv.field_size_limit() (131,072 characters), far longer
        # than any domain (253): such a file is not a list of domains.
        raise ReviewError(
            _("Line %(line)d is not a CSV row this import can read (a field too long, or a quote left open).")
            % {"line": reader.line_num}
        ) from exc
    if not rows:
        raise ReviewError(_("The file has no domains."))
    column = 0
    header = [cell.strip().lower() for cell in rows[0]]
    if "domain" in header:
        column = header.index("domain")
        rows = rows[1:]
    names = (normalise_domain(row[column]) for row in rows if len(row) > column)
    return list(dict.fromkeys(name for name in names if name))


def domains_import_run(*, import_id: int) -> CsvImport | None:
    """Add the import's domains from where it stands, BATCH names a transaction with its progress.

    Invalid, too broad and untrustable names are refused one by one (counted, the first REFUSED_LISTED
    kept with their reason); the others are added. Running it again, or twice at once, adds nothing twice:
    each batch starts from the progress committed by the last (the row is locked for the batch). The
    waiting entries are checked again once the last batch commits. Returns the import, or None if gone.
    """
    draft = CsvImport.objects.filter(pk=import_id, kind=CsvImport.Kind.DOMAINS).first()
    if draft is None or draft.imported_at is not None:
        return draft
    names = domains_read_csv(draft.content)
    while draft.imported_at is None:
        with transaction.atomic():
            draft = CsvImport.objects.select_for_update().get(pk=import_id)
            if draft.imported_at is None:
                _import_batch(draft, names[draft.rows_done : draft.rows_done + BATCH])
    return draft


def _import_batch(draft: CsvImport, batch: list[str]) -> None:
    now = timezone.now()
    if not batch:
        draft.imported_at = now
        draft.save(update_fields=["imported_at"])
        if draft.imported_rows:
            domains_reevaluate_after_commit()
        return
    refused, accepted = [], []
    for name in batch:
        reason = domain_refusal(name)
        if reason is None:
            accepted.append(name)
        else:
            refused.append([name[:300], reason])
    new = _insert_new(accepted, note=draft.source_name)
    draft.rows_done += len(batch)
    draft.imported_rows += len(new)
    draft.refused_count += len(refused)
    draft.refused = draft.refused + refused[: max(REFUSED_LISTED - len(draft.refused), 0)]
    draft.progress_at = now
    draft.save(update_fields=["rows_done", "imported_rows", "refused_count", "refused", "progress_at"])


def domain_refusal_message(domain: str, reason: str) -> str:
    """A refused name's reason, in the active language."""
    if reason == INVALID:
        return _("Not a domain name.")
    if reason == TOO_BROAD:
        return _("Too broad: it would recognise everyone under it.")
    try:
        validate_trustable_domain(domain)
    except ValidationError as error:
        return " ".join(error.messages)
    return _("It may not be trusted.")
