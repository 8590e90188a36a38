# The geocoding cache and the providers' throttle moved here from registrations: the tables registrations
# made are taken over (state only), then renamed to this app's names.
from django.db import migrations, models


class Migration(migrations.Migration):
    initial = True

    dependencies = [
        ("registrations", "0010_reminder"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name="GeocodeCacheEntry",
                    fields=[
                        ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                        ("key", models.CharField(help_text="SHA-256 of the normalised query", max_length=64, unique=True)),
                        ("query", models.TextField()),
                        ("found", models.BooleanField()),
                        ("latitude", models.FloatField(blank=True, null=True)),
                        ("longitude", models.FloatField(blank=True, null=True)),
                        ("precision", models.CharField(blank=True, max_length=10)),
                        ("provider", models.CharField(max_length=50)),
                        ("created_at", models.DateTimeField(auto_now_add=True)),
                    ],
                    options={
                        "verbose_name_plural": "geocode cache entries",
                        "db_table": "registrations_geocodecacheentry",
                    },
                ),
                migrations.CreateModel(
                    name="GeocoderThrottle",
                    fields=[
                        ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                        ("provider", models.CharField(max_length=50, unique=True)),
                        ("next_slot_at", models.DateTimeField()),
                    ],
                    options={"db_table": "registrations_geocoderthrottle"},
                ),
            ],
            database_operations=[],
        ),
        migrations.AlterModelTable(name="geocodecacheentry", table=None),
        migrations.AlterModelTable(name="geocoderthrottle", table=None),
    ]
