"""The dashboard on the admin index (templates/admin/index.html)."""

from __future__ import annotations

from django import template

from desk.selectors import dashboard_edition, desk_dashboard

register = template.Library()


@register.inclusion_tag("admin/registrations/dashboard.html", takes_context=True)
def desk_dashboard_panel(context) -> dict:
    request = context["request"]
    if not request.user.has_perm("registrations.view_registration"):
        return {"dashboard": None}
    edition = dashboard_edition()
    return {"dashboard": desk_dashboard(edition=edition) if edition else None}
