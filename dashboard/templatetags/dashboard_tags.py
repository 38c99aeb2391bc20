"""The main menu's entries of the académie dashboard (DANE and rectorat)."""

from django import template

from schools.access import Perm, academie_ids_with

register = template.Library()


@register.inclusion_tag("dashboard/_nav_items.html", takes_context=True)
def dashboard_nav_items(context):
    """ "Tableau de bord" and "Établissements" for the académie roles (the roles query is cached per request)."""
    request = context["request"]
    return {
        "request": request,
        "shown": bool(academie_ids_with(request.user, Perm.VIEW_DASHBOARD)),
    }
