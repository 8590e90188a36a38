"""Add the government and police domains of the countries that took part (issue 9) to the recognised list.

Each domain also matches its subdomains (sevilla.gob.es matches gob.es). Organizers extend the list in
the admin (one by one, by CSV import, or by trusting a domain when approving an entry).
"""

import importlib

from django.db import migrations

DOMAINS = {
    # Canada
    "canada.ca": "Government of Canada",
    "rcmp-grc.gc.ca": "Royal Canadian Mounted Police",
    "ontario.ca": "Government of Ontario",
    "gov.bc.ca": "Government of British Columbia",
    "gov.on.ca": "Government of Ontario (older addresses)",
    "gouv.qc.ca": "Government of Quebec",
    # United Kingdom
    "pnn.police.uk": "United Kingdom police national network",
    "gov.scot": "Scottish government",
    "gov.wales": "Welsh government",
    # Spain
    "gob.es": "Spanish government (incl. sevilla.gob.es)",
    "policia.es": "Policía Nacional (Spain)",
    "guardiacivil.es": "Guardia Civil (Spain)",
    "interior.gob.es": "Spanish Ministry of the Interior",
    "mossos.cat": "Mossos d'Esquadra (Catalonia)",
    "gencat.cat": "Government of Catalonia",
    "ertzaintza.eus": "Ertzaintza (Basque Country)",
    # Belgium
    "belgium.be": "Belgian federal government",
    "police.be": "Belgian police",
    "politie.be": "Belgian police (Dutch)",
    "fgov.be": "Belgian federal public services",
    # Iceland
    "logreglan.is": "Icelandic police",
    "stjr.is": "Government of Iceland",
    # New Zealand
    "police.govt.nz": "New Zealand Police",
    # South Africa
    "saps.gov.za": "South African Police Service",
    # Kenya
    "police.go.ke": "Kenya National Police Service",
    # Estonia
    "politsei.ee": "Estonian police",
    "riik.ee": "Estonian government",
    # Netherlands
    "politie.nl": "Netherlands police",
    "rijksoverheid.nl": "Netherlands government",
    # Australia
    "police.nsw.gov.au": "New South Wales Police",
    "afp.gov.au": "Australian Federal Police",
    # Germany
    "polizei.de": "German police (federal and state domains under polizei.de)",
    "bund.de": "German federal government",
    # Common patterns in other countries
    "gov.ie": "Irish government",
    "gouv.fr": "French government",
    "interieur.gouv.fr": "French Ministry of the Interior (police nationale)",
    "gendarmerie.interieur.gouv.fr": "French Gendarmerie",
    "gouv.be": "Belgian government (French)",
    "gob.ar": "Argentine government",
    "gob.cl": "Chilean government",
    "gob.pe": "Peruvian government",
    "gov.co": "Colombian government",
    "gov.pt": "Portuguese government",
    "gov.it": "Italian government",
    "poliziadistato.it": "Polizia di Stato (Italy)",
    "gov.pl": "Polish government",
    "policja.gov.pl": "Polish police",
    "gv.at": "Austrian government",
    "polizei.gv.at": "Austrian police",
    "admin.ch": "Swiss federal government",
    "gov.il": "Israeli government",
    "gov.ng": "Nigerian government",
    "go.ug": "Ugandan government",
    "go.tz": "Tanzanian government",
    "go.jp": "Japanese government",
    "go.kr": "South Korean government",
    "gov.ph": "Philippine government",
    "gov.my": "Malaysian government",
    "gov.hk": "Hong Kong government",
    "police.gov.hk": "Hong Kong Police Force",
    "govt.nz": "New Zealand government",
}
# Whole country domains (es, be, us) would recognise any company there: only government forms are listed.


def seed(apps, schema_editor):
    GovernmentDomain = apps.get_model("registrations", "GovernmentDomain")
    existing = set(GovernmentDomain.objects.values_list("domain", flat=True))
    GovernmentDomain.objects.bulk_create(
        [GovernmentDomain(domain=domain, note=note) for domain, note in DOMAINS.items() if domain not in existing]
    )
    # Entries on these domains were flagged "not recognised" when they signed up: they are recognised now.
    Registration = apps.get_model("registrations", "Registration")
    for registration in Registration.objects.filter(email_domain_recognised=False).exclude(email=""):
        domain = registration.email.rsplit("@", 1)[-1].lower().rstrip(".")
        if any(domain == known or domain.endswith("." + known) for known in DOMAINS):
            Registration.objects.filter(pk=registration.pk).update(email_domain_recognised=True)


def unseed(apps, schema_editor):
    """Remove only the domains this migration added (0002's seeds stay)."""
    earlier = importlib.import_module("registrations.migrations.0002_seed_government_domains").DOMAINS
    apps.get_model("registrations", "GovernmentDomain").objects.filter(domain__in=DOMAINS).exclude(
        domain__in=earlier
    ).delete()


class Migration(migrations.Migration):
    dependencies = [("registrations", "0005_mailing_draft_review")]

    operations = [migrations.RunPython(seed, unseed)]
