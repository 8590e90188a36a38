# The recurring jobs' schedule and the workers' heartbeats moved here from registrations: the tables
# registrations made are taken over (state only), then renamed to this app's names.
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
                    name="ScheduledJob",
                    fields=[
                        ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                        ("name", models.CharField(max_length=50, unique=True)),
                        ("next_run_at", models.DateTimeField()),
                        ("last_started_at", models.DateTimeField(blank=True, null=True)),
                        ("last_finished_at", models.DateTimeField(blank=True, null=True)),
                        ("last_error", models.TextField(blank=True)),
                    ],
                    options={"ordering": ["name"], "db_table": "registrations_scheduledjob"},
                ),
                migrations.CreateModel(
                    name="WorkerHeartbeat",
                    fields=[
                        ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                        ("worker_id", models.CharField(max_length=64, unique=True)),
                        ("host", models.CharField(blank=True, max_length=255)),
                        ("pid", models.PositiveIntegerField(null=True)),
                        ("started_at", models.DateTimeField(auto_now_add=True)),
                        ("seen_at", models.DateTimeField()),
                    ],
                    options={"db_table": "registrations_workerheartbeat"},
                ),
            ],
            database_operations=[],
        ),
        migrations.AlterModelTable(name="scheduledjob", table=None),
        migrations.AlterModelTable(name="workerheartbeat", table=None),
    ]
