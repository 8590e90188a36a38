from django.contrib import admin

from events.models import Edition


@admin.register(Edition)
class EditionAdmin(admin.ModelAdmin):
    list_display = ["ordinal", "title", "date", "status", "registration_opens_at", "registration_closes_at"]
    list_filter = ["status"]
    search_fields = ["title", "theme", "theme_hashtag"]
    ordering = ["-ordinal"]
    fieldsets = [
        (None, {"fields": ["ordinal", "title", "hashtag", "status"]}),
        ("When", {"fields": ["date", "start_time", "duration_hours"]}),
        ("Sign-up", {"fields": ["registration_opens_at", "registration_closes_at"]}),
        ("Theme", {"fields": ["theme", "theme_hashtag", "theme_description"], "classes": ["collapse"]}),
        (
            "Results",
            {
                "fields": [
                    "result_agency_accounts",
                    "result_officer_accounts",
                    "result_countries",
                    "result_tweets",
                    "result_languages",
                    "result_people_reached",
                ],
            },
        ),
    ]
