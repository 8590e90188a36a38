from django.db import migrations

# The old result_* fields carried no qualifier and no source: their values move over as exact figures
# without a source. "countries" did not say what it counted; it becomes "participating countries"
# (organizers can change the measure in the edition admin where it was the audience reached).
RESULT_FIELDS = {
    "result_agency_accounts": "agencies",
    "result_officer_accounts": "officers",
    "result_countries": "participating_countries",
    "result_tweets": "tweets",
    "result_languages": "languages",
    "result_people_reached": "people_reached",
}


def results_to_figures(apps, schema_editor):
    Edition = apps.get_model("events", "Edition")
    Figure = apps.get_model("events", "Figure")
    # After a migration back and forth the figures are still there (with their qualifier and source).
    existing = set(Figure.objects.values_list("edition_id", "measure"))
    figures = [
        Figure(edition_id=edition["pk"], measure=measure, qualifier="exact", value=edition[field])
        for edition in Edition.objects.values("pk", *RESULT_FIELDS)
        for field, measure in RESULT_FIELDS.items()
        if edition[field] is not None and (edition["pk"], measure) not in existing
    ]
    Figure.objects.bulk_create(figures)


def figures_to_results(apps, schema_editor):
    Edition = apps.get_model("events", "Edition")
    Figure = apps.get_model("events", "Figure")
    by_measure = {measure: field for field, measure in RESULT_FIELDS.items()}
    for figure in Figure.objects.filter(measure__in=by_measure, value__isnull=False):
        Edition.objects.filter(pk=figure.edition_id).update(**{by_measure[figure.measure]: figure.value})


class Migration(migrations.Migration):
    dependencies = [
        ("events", "0002_edition_figures_and_former_dates"),
    ]

    operations = [
        migrations.RunPython(results_to_figures, figures_to_results),
    ]
