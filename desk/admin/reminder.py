"""Reminders in the admin: what was planned and sent, read-only (send_reminders does the writing)."""

from __future__ import annotations

from django.contrib import admin
from django.http import HttpRequest

from registrations.models import Reminder


@admin.register(Reminder)
class ReminderAdmin(admin.ModelAdmin):
    list_display = ["registration", "kind", "sequence", "starts_at", "due_at", "sent_at", "error"]
    list_filter = ["kind", "registration__edition", ("sent_at", admin.EmptyFieldListFilter)]
    list_select_related = ["registration__edition"]
    search_fields = ["registration__handle"]
    date_hierarchy = "due_at"

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Reminder | None = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Reminder | None = None) -> bool:
        return False
