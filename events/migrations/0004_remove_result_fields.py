from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("events", "0003_results_to_figures"),
    ]

    operations = [
        migrations.RemoveField(
            model_name='edition',
            name='result_agency_accounts',
        ),
        migrations.RemoveField(
            model_name='edition',
            name='result_countries',
        ),
        migrations.RemoveField(
            model_name='edition',
            name='result_languages',
        ),
        migrations.RemoveField(
            model_name='edition',
            name='result_officer_accounts',
        ),
        migrations.RemoveField(
            model_name='edition',
            name='result_people_reached',
        ),
        migrations.RemoveField(
            model_name='edition',
            name='result_tweets',
        ),
    ]
