"""The dashboard on the admin index (templates/admin/index.html)."""

from __future__ import annotations

from django import template

from desk.admin.registration import waiting_query
from desk.selectors import dashboard_edition, desk_dashboard

register = template.Library()


@register.inclusion_tag("admin/registrations/dashboard.html", takes_context=True)
def desk_dashboard_panel(context) -> dict:
    request = context["request"]
    if not request.user.has_perm("registrations.view_registration"):
        return {"dashboard": None}
    edition = dashboard_edition()
    if edition is None:
        return {"dashboard": None}
    return {"dashboard": desk_dashboard(edition=edition), "waiting_query": waiting_query(edition)}
