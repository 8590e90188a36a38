from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("registrations", "0002_seed_government_domains"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.RenameModel("RegistrationEvent", "RegistrationLogEntry"),
        migrations.AlterField(
            model_name="registrationlogentry",
            name="registration",
            field=models.ForeignKey(
                on_delete=models.deletion.CASCADE, related_name="log_entries", to="registrations.registration"
            ),
        ),
    ]
