"""The recognised government email domains: edit one by one, or import a CSV file of them.

The upload keeps the file and queues its import (registrations/services/domains.py); the import's page
shows the progress, reloading itself until the import is done, then the new domains and refused names.
"""

from __future__ import annotations

import datetime as dt

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.utils import unquote
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from poltwt import querynumbers
from registrations.models import CsvImport, GovernmentDomain
from registrations.services.common import ReviewError
from registrations.services.domains import domain_refusal_message, domains_reevaluate_after_commit
from registrations.services.imports import domains_import_create, domains_import_enqueue

# 40,000 domains with a note column or two; the file is kept in the database until it is imported.
MAX_CSV_BYTES = 5_000_000
# The import's page reloads itself this often until the import is done.
REFRESH_SECONDS = 2
# An import with no progress for this long offers to carry on now (a worker that died is replaced, and
# its task queued again, by the worker processes themselves; this is for an organizer who cannot wait).
STALLED_AFTER = dt.timedelta(minutes=5)


class DomainImportForm(forms.Form):
    file = forms.FileField(
        label=_("CSV file"),
        help_text=_(
            "One domain per line in the first column, or in a column headed “domain”; for example "
            "police.example.org. Each domain also recognises its subdomains."
        ),
    )
    note = forms.CharField(label=_("Note for the imported domains"), max_length=200, required=False)

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > MAX_CSV_BYTES:
            raise forms.ValidationError(_("The file is larger than 5 MB; split it into smaller files."))
        return upload


@admin.register(GovernmentDomain)
class GovernmentDomainAdmin(admin.ModelAdmin):
    list_display = ["domain", "note", "created_at"]
    search_fields = ["domain", "note"]

    # Webmail is refused by the model field's validator (registrations.validators.validate_trustable_domain);
    # every change to the list re-checks the entries waiting for review.
    def save_model(self, request: HttpRequest, obj: GovernmentDomain, form, change: bool) -> None:
        super().save_model(request, obj, form, change)
        domains_reevaluate_after_commit()

    def delete_model(self, request: HttpRequest, obj: GovernmentDomain) -> None:
        super().delete_model(request, obj)
        domains_reevaluate_after_commit()

    def delete_queryset(self, request: HttpRequest, queryset) -> None:
        super().delete_queryset(request, queryset)
        domains_reevaluate_after_commit()

    def get_urls(self):
        wrap = self.admin_site.admin_view
        return [
            path("import/", wrap(self.import_view), name="registrations_governmentdomain_import"),
            path(
                "import/<path:import_id>/",
                wrap(self.import_progress_view),
                name="registrations_governmentdomain_import_progress",
            ),
            *super().get_urls(),
        ]

    def import_view(self, request: HttpRequest) -> HttpResponse:
        if not self.has_add_permission(request):
            raise PermissionDenied
        form = DomainImportForm(request.POST or None, request.FILES or None)
        if request.method == "POST" and form.is_valid():
            upload = form.cleaned_data["file"]
            try:
                draft = domains_import_create(
                    data=upload.read(),
                    filename=upload.name,
                    note=form.cleaned_data["note"],
                    actor=request.user,
                )
            except ReviewError as error:
                form.add_error("file", str(error))
            else:
                return HttpResponseRedirect(import_progress_url(draft))
        return TemplateResponse(
            request,
            "admin/registrations/csvimport/upload.html",  # the desk's one CSV upload form
            {
                **self.admin_site.each_context(request),
                "title": gettext("Import government domains from a CSV file"),
                "step": gettext("Import"),
                "submit_label": gettext("Import"),
                "opts": self.model._meta,
                "form": form,
            },
        )

    def import_progress_view(self, request: HttpRequest, import_id: str) -> HttpResponse:
        """How far the import is; when done, the new domains and the refused names with their reason."""
        if not self.has_view_permission(request):
            raise PermissionDenied
        pk = querynumbers.parse(unquote(import_id))
        draft = (
            CsvImport.objects.filter(kind=CsvImport.Kind.DOMAINS, pk=pk).first() if pk is not None else None
        )
        if draft is None:
            raise Http404(gettext("No domain import with id %(id)s.") % {"id": import_id})
        last_progress = draft.progress_at or draft.created_at
        stalled = draft.imported_at is None and timezone.now() - last_progress > STALLED_AFTER
        if request.method == "POST" and "resume" in request.POST:
            if not self.has_add_permission(request):
                raise PermissionDenied
            if stalled:
                domains_import_enqueue(draft)
                self.message_user(request, gettext("The import carries on."), messages.INFO)
            return HttpResponseRedirect(import_progress_url(draft))
        return TemplateResponse(
            request,
            "admin/registrations/governmentdomain/import_progress.html",
            {
                **self.admin_site.each_context(request),
                "title": gettext("Import of %(file)s") % {"file": draft.filename},
                "opts": self.model._meta,
                "draft": draft,
                "refresh_seconds": None if draft.imported_at or stalled else REFRESH_SECONDS,
                "percent": round(100 * draft.rows_done / draft.rows_total) if draft.rows_total else 100,
                "known": draft.rows_done - draft.imported_rows - draft.refused_count,
                "refused": [(name, domain_refusal_message(name, reason)) for name, reason in draft.refused],
                "refused_more": max(draft.refused_count - len(draft.refused), 0),
                "stalled": stalled,
                "can_resume": stalled and self.has_add_permission(request),
            },
        )


def import_progress_url(draft: CsvImport) -> str:
    return reverse("admin:registrations_governmentdomain_import_progress", args=[draft.pk])
