# Held identity changes of approved entries, and points outside the chosen country.

import django_countries.fields
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('registrations', '0014_log_actions_set_aside_and_imported'),
    ]

    operations = [
        migrations.AddField(
            model_name='registration',
            name='geo_other_country',
            field=django_countries.fields.CountryField(blank=True, help_text='The country where the point or the city lies, when it is not the country chosen.', max_length=2, verbose_name='address seems to be in'),
        ),
        migrations.AddField(
            model_name='registration',
            name='pending_changes',
            field=models.JSONField(blank=True, default=dict, editable=False, verbose_name='change awaiting review'),
        ),
        migrations.AlterField(
            model_name='registrationlogentry',
            name='action',
            field=models.CharField(choices=[('created', 'Registered'), ('confirmed', 'Email confirmed'), ('edited', 'Edited by the registrant'), ('withdrawn', 'Withdrawn'), ('approved', 'Approved'), ('rejected', 'Rejected'), ('geocoded', 'Geocoded'), ('location_set', 'Location set by an organizer'), ('purged', 'Personal data erased'), ('x_listed', 'Marked as added to the official X list'), ('x_unlisted', 'Marked as not on the official X list'), ('set_aside', 'Set aside (out of the review queue)'), ('taken_back', 'Taken back into the review queue'), ('imported', 'Imported from the record of a past edition'), ('change_held', 'Change proposed by the registrant'), ('change_approved', 'Change approved'), ('change_rejected', 'Change rejected')], max_length=15),
        ),
    ]
