# ScheduledJob and WorkerHeartbeat now belong to jobs, GeocodeCacheEntry and GeocoderThrottle to geo; their
# migrations took the tables over, so here they leave registrations' state only. Deliveries and reminders
# now share the outbox's fields.
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("registrations", "0010_reminder"),
        ("jobs", "0001_initial"),
        ("geo", "0001_initial"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.DeleteModel(name="ScheduledJob"),
                migrations.DeleteModel(name="WorkerHeartbeat"),
                migrations.DeleteModel(name="GeocodeCacheEntry"),
                migrations.DeleteModel(name="GeocoderThrottle"),
            ],
            database_operations=[],
        ),
        migrations.AlterField(
            model_name="delivery",
            name="sent_at",
            field=models.DateTimeField(blank=True, null=True, verbose_name="sent"),
        ),
    ]
