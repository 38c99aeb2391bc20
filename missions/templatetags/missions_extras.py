"""Template filters and tags of the missions app."""

from django import template
from django.urls import reverse
from django.utils.translation import gettext as _

from rupn.lib.formats import format_duration
from schools.access import Perm, academie_ids_with, school_ids_with

register = template.Library()


@register.filter
def duration(minutes) -> str:
    """Minutes as "1 h 30"."""
    return format_duration(minutes)


@register.simple_tag(takes_context=True)
def network_links(context) -> list[dict]:
    """The links of the "Réseau des référents" menu for this user's roles (no query beyond the cached scopes)."""
    request = context.get("request")
    user = getattr(request, "user", None)
    links: list[dict] = []
    if user is None:
        return links
    if school_ids_with(user, Perm.LOG_ACTIVITY):
        links.append({"url": reverse("missions:activity"), "title": _("Mon activité")})
        links.append({"url": reverse("recognition:my_record"), "title": _("Mon parcours")})
        links.append({"url": reverse("badges:mine"), "title": _("Mes badges")})
    if academie_ids_with(user, Perm.FOLLOW_REFERENTS):
        links.append({"url": reverse("missions:dane_activity"), "title": _("Activité des établissements")})
        links.append({"url": reverse("missions:dane_reviews"), "title": _("Points d'étape des établissements")})
        links.append({"url": reverse("recognition:dane_projects"), "title": _("Projets de l'académie")})
        links.append({"url": reverse("badges:list"), "title": _("Badges")})
    links.append({"url": reverse("missions:events"), "title": _("Événements de la DANE")})
    links.append({"url": reverse("missions:my_reminders"), "title": _("Mes rappels")})
    return links
