"""Seed the recognised government email domains with the common forms (shared/NOTES.md).

Organizers extend the list in admin; an address on an unknown domain is accepted but flagged for review.
"""

from django.db import migrations

DOMAINS = {
    "gov": "United States federal, state and local government",
    "mil": "United States military",
    "gov.uk": "United Kingdom government",
    "police.uk": "United Kingdom police forces (incl. pnn.police.uk)",
    "gc.ca": "Government of Canada",
    "govt.nz": "New Zealand government (incl. police.govt.nz)",
    "gov.au": "Australian government",
    "politie.nl": "Netherlands police",
    "polizei.bwl.de": "Baden-Württemberg state police",
    "polizei.nrw.de": "North Rhine-Westphalia state police",
    "polizei.bayern.de": "Bavarian state police",
    "politsei.ee": "Estonian police",
    "logreglan.is": "Icelandic police",
    "politi.dk": "Danish police",
    "politiet.no": "Norwegian police",
    "polisen.se": "Swedish police",
    "poliisi.fi": "Finnish police",
    "garda.ie": "Irish police (An Garda Síochána)",
    "gov.ie": "Irish government",
    "gouv.fr": "French government",
    "gob.mx": "Mexican government",
    "gov.br": "Brazilian government",
    "gov.in": "Indian government",
    "gov.za": "South African government",
    "go.ke": "Kenyan government",
    "gov.sg": "Singapore government",
}


def seed(apps, schema_editor):
    GovernmentDomain = apps.get_model("registrations", "GovernmentDomain")
    for domain, note in DOMAINS.items():
        GovernmentDomain.objects.get_or_create(domain=domain, defaults={"note": note})


def unseed(apps, schema_editor):
    apps.get_model("registrations", "GovernmentDomain").objects.filter(domain__in=DOMAINS).delete()


class Migration(migrations.Migration):
    dependencies = [("registrations", "0001_initial")]

    operations = [migrations.RunPython(seed, unseed)]
