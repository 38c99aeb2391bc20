"""The school page: its plans of this year and the next, its means, its activity and points d'étape."""

from django.shortcuts import render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from activity.selectors import school_page_extras
from missions.selectors import plan_for, plan_view
from schools.access import Perm, get_school_or_404, school_perms
from schools.models import SchoolYear
from schools.selectors import school_means


@require_GET
def school_detail(request, uai: str):
    school = get_school_or_404(request.user, uai)
    perms = school_perms(request.user, school)
    current = SchoolYear.current()
    next_year, _created = SchoolYear.objects.get_or_create(start_year=current.start_year + 1)
    plans = []
    for year in (current, next_year):
        plan = plan_for(school, year) if Perm.VIEW_PLAN in perms else None
        plans.append(
            {
                "year": year,
                "plan": plan,
                "check": plan_view(plan).check if plan else None,
                "means": school_means(school, year),
            }
        )
    return render(
        request,
        "schools/school_detail.html",
        {
            "school": school,
            "plans": plans,
            "can_edit": Perm.EDIT_PLAN in perms,
            "can_manage_staff": Perm.MANAGE_STAFF in perms,
            "can_edit_means": Perm.EDIT_MEANS in perms,
            "can_view_audit": Perm.VIEW_AUDIT in perms,
            "breadcrumb_data": {"links": [], "current": school.name},
            "title": _("%(school)s, %(commune)s") % {"school": school.name, "commune": school.commune},
            **school_page_extras(request.user, school, perms, [p["year"] for p in plans if p["plan"] is None]),
        },
    )
