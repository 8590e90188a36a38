"""The "Reviewers" group: exactly what reviewing needs (see the README, "Adding a volunteer reviewer").

View registrations and their history, approve and reject them (the review permission), correct an
entry or its point on the map (change), see the government domains, and write messages to registrants
(add and view mailings: every mailing is reviewed and sent from its review page). No delete anywhere.
"""

from django.contrib.auth.management import create_permissions
from django.db import migrations

GROUP = "Reviewers"
PERMISSIONS = [
    ("registrations", "registration", "view_registration"),
    ("registrations", "registration", "change_registration"),
    ("registrations", "registration", "review_registration"),
    ("registrations", "registrationlogentry", "view_registrationlogentry"),
    ("registrations", "governmentdomain", "view_governmentdomain"),
    ("registrations", "mailing", "view_mailing"),
    ("registrations", "mailing", "add_mailing"),
    ("registrations", "delivery", "view_delivery"),
    ("events", "edition", "view_edition"),
]


def create_group(apps, schema_editor):
    # Permissions are created after migrations run (post_migrate): make sure they exist on a fresh database.
    for app_label in ("registrations", "events"):
        app_config = apps.get_app_config(app_label)
        app_config.models_module = True  # create_permissions skips app configs without models
        create_permissions(app_config, verbosity=0, apps=apps)
        app_config.models_module = None
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    group, _ = Group.objects.get_or_create(name=GROUP)
    wanted = [
        Permission.objects.get(content_type__app_label=app, content_type__model=model, codename=codename)
        for app, model, codename in PERMISSIONS
    ]
    group.permissions.set(wanted)


def delete_group(apps, schema_editor):
    apps.get_model("auth", "Group").objects.filter(name=GROUP).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("registrations", "0006_seed_government_domain_countries"),
        ("events", "0001_initial"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [migrations.RunPython(create_group, delete_group)]
