"""The recognised government email domains: edit one by one, or import a CSV file of them."""

from __future__ import annotations

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _

from registrations.models import GovernmentDomain
from registrations.services.common import ReviewError
from registrations.services.domains import domains_import_csv, domains_reevaluate_after_commit

MAX_CSV_BYTES = 1_000_000


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
            raise forms.ValidationError(_("The file is larger than 1 MB; split it into smaller files."))
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
        view = self.admin_site.admin_view(self.import_view)
        return [path("import/", view, name="registrations_governmentdomain_import"), *super().get_urls()]

    def import_view(self, request: HttpRequest) -> HttpResponse:
        if not self.has_add_permission(request):
            raise PermissionDenied
        form = DomainImportForm(request.POST or None, request.FILES or None)
        if request.method == "POST" and form.is_valid():
            try:
                new = domains_import_csv(
                    data=form.cleaned_data["file"].read(), note=form.cleaned_data["note"]
                )
            except ReviewError as error:
                form.add_error("file", str(error))
            else:
                self.message_user(
                    request,
                    ngettext("%(count)d new domain imported.", "%(count)d new domains imported.", len(new))
                    % {"count": len(new)},
                    messages.SUCCESS if new else messages.INFO,
                )
                return HttpResponseRedirect(reverse("admin:registrations_governmentdomain_changelist"))
        return TemplateResponse(
            request,
            "admin/registrations/governmentdomain/import.html",
            {
                **self.admin_site.each_context(request),
                "title": gettext("Import government domains from a CSV file"),
                "opts": self.model._meta,
                "form": form,
            },
        )
