from django import template
from django.utils import timezone

from schools.access import Perm, school_perms
from schools.models import SchoolYear

register = template.Library()


@register.inclusion_tag("recognition/_school_projects_link.html", takes_context=True)
def school_projects_link(context, school) -> dict:
    """The school page's way to its projects of the year, for those who may see them (no query)."""
    request = context.get("request")
    user = getattr(request, "user", None)
    shown = user is not None and Perm.VIEW_PROJECTS in school_perms(user, school)
    year = SchoolYear(start_year=SchoolYear.start_year_for(timezone.localdate())).name
    return {
        "school": school,
        "shown": shown,
        "year": year,
        "can_edit": shown and Perm.EDIT_PROJECTS in school_perms(user, school),
    }
