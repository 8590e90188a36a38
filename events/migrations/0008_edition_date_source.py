# The edition date's own source (an edition whose date the record gives apart from its figures).

from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('events', '0007_awards'),
    ]

    operations = [
        migrations.AddField(
            model_name='edition',
            name='date_source_name',
            field=models.CharField(blank=True, max_length=200, verbose_name='source of the date'),
        ),
        migrations.AddField(
            model_name='edition',
            name='date_source_url',
            field=models.URLField(blank=True, verbose_name='link to the source of the date'),
        ),
    ]
