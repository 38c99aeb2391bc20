"""The teacher's menu entries (base.html)."""

from django import template

from schools.access import Perm, school_ids_with
from schools.models import School

register = template.Library()


@register.inclusion_tag("helpdesk/_nav_items.html", takes_context=True)
def teacher_nav_items(context):
    """A teacher's entries: their school's page, their requests, the sessions (no query for other roles)."""
    request = context["request"]
    ids = school_ids_with(request.user, Perm.FILE_HELP_REQUEST)
    schools = list(School.objects.filter(pk__in=ids).order_by("name", "uai").values_list("uai", "name")) if ids else []
    return {"request": request, "schools": schools, "several": len(schools) > 1}
