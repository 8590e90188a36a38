"""The admin page where an organizer places a registration on the map by hand.

RegistrationAdmin mounts location_view at <id>/location/ (see get_urls there). A point set here has
precision "manual": automatic geocoding never overwrites it, not even "geocode again".
"""

from __future__ import annotations

from django import forms
from django.conf import settings
from django.contrib import admin, messages
from django.contrib.admin.templatetags.admin_urls import admin_urlname
from django.contrib.admin.utils import quote, unquote
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from geo.geocoding import Address, GeocodingError, geocode
from registrations.services.location import registration_set_location

TEMPLATE = "admin/registrations/registration/set_location.html"


class LocationForm(forms.Form):
    # step="any": the browser must accept the five decimals the map writes (about a metre).
    latitude = forms.FloatField(
        label=_("Latitude"),
        min_value=-90,
        max_value=90,
        widget=forms.NumberInput(attrs={"step": "any"}),
        help_text=_("Degrees north (negative: south), from -90 to 90."),
    )
    longitude = forms.FloatField(
        label=_("Longitude"),
        min_value=-180,
        max_value=180,
        widget=forms.NumberInput(attrs={"step": "any"}),
        help_text=_("Degrees east (negative: west), from -180 to 180."),
    )


class SearchForm(forms.Form):
    """Look a place up with the configured geocoder (the offline gazetteer knows cities; Nominatim more)."""

    q = forms.CharField(
        label=_("Search for a place"),
        max_length=200,
        help_text=_("A city, or a full address with a network geocoder. The result only moves the marker."),
    )


def _search(request: HttpRequest, registration) -> tuple[SearchForm, dict | None]:
    """Geocode the search box's text within the registration's country; messages say what happened."""
    form = SearchForm(request.GET if "q" in request.GET else None, initial={"q": registration.city})
    if not form.is_valid():
        return form, None
    try:
        found = geocode(Address(city=form.cleaned_data["q"], country=registration.country.code or ""))
    except GeocodingError as error:
        form.add_error(
            "q",
            gettext("The geocoder could not answer (%(error)s): place the marker by hand.")
            % {"error": error},
        )
        return form, None
    if found is None:
        form.add_error(
            "q", gettext("No place found for this search; try a city name, or place the marker by hand.")
        )
        return form, None
    messages.info(
        request,
        gettext("Found (%(precision)s precision, %(provider)s): check the marker, then save the location.")
        % {"precision": found.precision, "provider": found.provider},
    )
    return form, {"latitude": round(found.latitude, 5), "longitude": round(found.longitude, 5)}


def location_view(model_admin: admin.ModelAdmin, request: HttpRequest, object_id: str) -> HttpResponse:
    """Show the registration's point on a map with a draggable marker; on POST, set it by hand."""
    registration = model_admin.get_object(request, unquote(object_id))
    if registration is None:
        raise Http404(gettext("No registration with id %(id)s.") % {"id": object_id})
    if not model_admin.has_change_permission(request, registration):
        raise PermissionDenied
    opts = model_admin.model._meta
    change_url = reverse(
        admin_urlname(opts, "change"), args=[quote(registration.pk)], current_app=model_admin.admin_site.name
    )
    if request.method == "POST":
        form = LocationForm(request.POST)
        if form.is_valid():
            try:
                registration_set_location(
                    registration=registration,
                    latitude=form.cleaned_data["latitude"],
                    longitude=form.cleaned_data["longitude"],
                    actor=request.user,
                )
            except ValidationError as error:
                form.add_error(None, error)
            else:
                model_admin.log_change(request, registration, "Location set by hand")
                model_admin.message_user(
                    request,
                    gettext("%(registration)s is now placed by hand (time zone: %(zone)s).")
                    % {"registration": registration, "zone": registration.time_zone or gettext("unknown")},
                )
                return HttpResponseRedirect(change_url)
        search_form = SearchForm(initial={"q": registration.city})
    else:
        search_form, found = _search(request, registration)
        initial = found or {"latitude": registration.latitude, "longitude": registration.longitude}
        form = LocationForm(initial=initial)
    context = {
        **model_admin.admin_site.each_context(request),
        "title": gettext("Set the location of %(registration)s") % {"registration": registration},
        "opts": opts,
        "original": registration,
        "form": form,
        "search_form": search_form,
        "change_url": change_url,
        "tiles_url": settings.MAP_TILES_URL,
        "tiles_attribution": settings.MAP_TILES_ATTRIBUTION,
    }
    return TemplateResponse(request, TEMPLATE, context)
