"""CSV imports in the admin: participants' results (any analytics export) and past participants.

Upload a file, check the preview (the columns are guessed from the header and can be changed; the lines
skipped, the handles of no participant and any error are listed), then confirm once. The file waits in a
CsvImport row between the steps; registrations/services/imports.py does the work.
"""

from __future__ import annotations

import functools

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.utils import unquote
from django.core.exceptions import PermissionDenied
from django.db import models
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _

from desk.admin.domains import import_progress_url
from desk.admin.edition import HttpsURLField
from events.models import Edition
from registrations.forms import VisibleTextMixin
from registrations.models import CsvImport, ParticipantResult, Registration
from registrations.services.imports import (
    FIELD_LABELS,
    FIELDS,
    CsvImportError,
    csv_import_apply,
    csv_import_create,
    csv_import_preview,
    csv_import_set_mapping,
    csv_import_table,
)

# Big enough for 5,000 past participants or an analytics export of 20,000 accounts; the file is kept in
# the database until it is imported.
MAX_CSV_BYTES = 5_000_000
UPLOAD_TEMPLATE = "admin/registrations/csvimport/upload.html"
PREVIEW_TEMPLATE = "admin/registrations/csvimport/preview.html"
# The preview lists this many skipped lines and unmatched handles in full, then says how many more.
MAX_LISTED = 200


def preview_url(draft: CsvImport) -> str:
    return reverse("admin:registrations_csvimport_preview", args=[draft.pk])


class UploadForm(VisibleTextMixin, forms.Form):
    # Government domains have an upload of their own (the domain list's "Import from a CSV file").
    kind = forms.ChoiceField(
        label=_("What the file holds"),
        choices=[(kind.value, kind.label) for kind in (CsvImport.Kind.RESULTS, CsvImport.Kind.PARTICIPANTS)],
    )
    edition = forms.ModelChoiceField(label=_("Edition"), queryset=Edition.objects.order_by("-ordinal"))
    file = forms.FileField(
        label=_("CSV file"),
        help_text=_(
            "UTF-8, with a header line. Results: a column of X handles and any of tweets, retweets, "
            "mentions, followers. Past participants: handle, name, city, country. You check the columns "
            "on the next page before anything is imported."
        ),
    )
    source_name = forms.CharField(
        label=_("Source"), max_length=200, required=False, help_text=_("Who published these figures.")
    )
    source_url = HttpsURLField(label=_("Source link"), required=False)
    account_kind = forms.ChoiceField(
        label=_("Account type of past participants"),
        choices=Registration.Kind.choices,
        initial=Registration.Kind.AGENCY,
    )

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > MAX_CSV_BYTES:
            raise forms.ValidationError(_("The file is larger than 5 MB; split it into smaller files."))
        return upload


def mapping_form(draft: CsvImport, data=None) -> forms.Form:
    """One select per field of the import's kind, offering the file's columns by their header."""
    headers = csv_import_table(draft).headers
    choices = [("", _("— not in this file —"))] + [
        (str(index), header or gettext("Column %(number)d") % {"number": index + 1})
        for index, header in enumerate(headers)
    ]
    fields = {
        name: forms.TypedChoiceField(
            label=FIELD_LABELS[name],
            choices=choices,
            coerce=int,
            empty_value=None,
            required=name == "handle",
            initial="" if draft.mapping.get(name) is None else str(draft.mapping[name]),
        )
        for name in FIELDS[draft.kind]
    }
    return type("MappingForm", (forms.Form,), fields)(data)


@admin.register(CsvImport)
class CsvImportAdmin(admin.ModelAdmin):
    list_display = ["filename", "kind", "edition", "created_by", "created_at", "imported_at", "imported_rows"]
    list_filter = ["kind", "edition"]
    list_select_related = ["edition", "created_by"]

    def get_urls(self):
        wrap = self.admin_site.admin_view
        return [
            path(
                "<path:object_id>/preview/",
                wrap(functools.partial(preview_view, self)),
                name="registrations_csvimport_preview",
            ),
            *super().get_urls(),
        ]

    def add_view(self, request: HttpRequest, form_url="", extra_context=None) -> HttpResponse:
        if not self.has_add_permission(request):
            raise PermissionDenied
        initial = {
            "kind": request.GET.get("kind", CsvImport.Kind.RESULTS),
            "edition": request.GET.get("edition"),
        }
        form = UploadForm(request.POST or None, request.FILES or None, initial=initial)
        if request.method == "POST" and form.is_valid():
            upload = form.cleaned_data["file"]
            try:
                draft = csv_import_create(
                    kind=form.cleaned_data["kind"],
                    edition=form.cleaned_data["edition"],
                    data=upload.read(),
                    filename=upload.name,
                    source_name=form.cleaned_data["source_name"],
                    source_url=form.cleaned_data["source_url"],
                    account_kind=form.cleaned_data["account_kind"],
                    actor=request.user,
                )
            except CsvImportError as error:
                form.add_error("file", str(error))
            else:
                return HttpResponseRedirect(preview_url(draft))
        return TemplateResponse(
            request,
            UPLOAD_TEMPLATE,
            {
                **self.admin_site.each_context(request),
                "title": gettext("Import a CSV file"),
                "step": gettext("Upload"),
                "submit_label": gettext("Upload and check"),
                "opts": self.model._meta,
                "form": form,
            },
        )

    def change_view(self, request: HttpRequest, object_id, form_url="", extra_context=None) -> HttpResponse:
        return HttpResponseRedirect(reverse("admin:registrations_csvimport_preview", args=[object_id]))


def _imported_url(draft: CsvImport) -> str:
    if draft.kind == CsvImport.Kind.RESULTS:
        return (
            reverse("admin:registrations_participantresult_changelist")
            + f"?edition__id__exact={draft.edition_id}"
        )
    return reverse("admin:registrations_registration_changelist") + f"?edition__id__exact={draft.edition_id}"


def preview_view(model_admin: CsvImportAdmin, request: HttpRequest, object_id: str) -> HttpResponse:
    """What the import will do with the columns as mapped; "Import" applies exactly what was shown."""
    # get_object, not a filter on the raw id: an id no integer field takes ("²", "abc") is "not found".
    draft = model_admin.get_object(request, unquote(object_id))
    if draft is None:
        raise Http404(gettext("No CSV import with id %(id)s.") % {"id": object_id})
    if not model_admin.has_view_permission(request, draft):
        raise PermissionDenied
    if draft.kind == CsvImport.Kind.DOMAINS:  # no columns to check: its page shows the progress
        return HttpResponseRedirect(import_progress_url(draft))
    form = mapping_form(draft)
    if request.method == "POST" and draft.imported_at is None:
        if not model_admin.has_add_permission(request):
            raise PermissionDenied
        form = mapping_form(draft, request.POST)
        if form.is_valid():
            changed = csv_import_set_mapping(draft=draft, mapping=form.cleaned_data)
            if "confirm" in request.POST and changed:
                # The organizer changed a column and pressed Import at once: show what that gives first.
                model_admin.message_user(
                    request,
                    gettext("The columns changed: check the preview below, then import."),
                    messages.WARNING,
                )
            elif "confirm" in request.POST:
                try:
                    count = csv_import_apply(draft=draft, actor=request.user)
                except CsvImportError as error:
                    model_admin.message_user(request, str(error), messages.ERROR)
                    return HttpResponseRedirect(preview_url(draft))
                model_admin.message_user(
                    request,
                    ngettext("%(count)d line imported.", "%(count)d lines imported.", count)
                    % {"count": count},
                    messages.SUCCESS,
                )
                return HttpResponseRedirect(_imported_url(draft))
            return HttpResponseRedirect(preview_url(draft))
    preview = csv_import_preview(draft=draft)
    return TemplateResponse(
        request,
        PREVIEW_TEMPLATE,
        {
            **model_admin.admin_site.each_context(request),
            "title": gettext("Check the import: %(file)s") % {"file": draft.filename},
            "opts": model_admin.model._meta,
            "original": draft,
            "form": form,
            "preview": preview,
            "labels": [FIELD_LABELS[name] for name in FIELDS[draft.kind]],
            "skipped": preview.skipped[:MAX_LISTED],
            "skipped_more": max(len(preview.skipped) - MAX_LISTED, 0),
            "unmatched": preview.unmatched[:MAX_LISTED],
            "unmatched_more": max(len(preview.unmatched) - MAX_LISTED, 0),
            "errors": preview.errors[:MAX_LISTED],
            "errors_more": max(len(preview.errors) - MAX_LISTED, 0),
            "imported_url": _imported_url(draft),
            "can_import": model_admin.has_add_permission(request) and draft.imported_at is None,
        },
    )


@admin.register(ParticipantResult)
class ParticipantResultAdmin(admin.ModelAdmin):
    """Per-handle results: imported from CSV files (CSV imports), correctable here one by one."""

    list_display = [
        "handle",
        "edition",
        "tweets",
        "retweets",
        "mentions",
        "followers",
        "registration",
        "source_name",
    ]
    list_filter = ["edition"]
    search_fields = ["handle"]
    list_select_related = ["edition", "registration__edition"]
    raw_id_fields = ["registration"]
    formfield_overrides = {models.URLField: {"form_class": HttpsURLField}}
