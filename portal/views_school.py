"""The school page: its plans of this year and the next, its means, its activity and points d'étape."""

from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from activity.selectors import school_page_extras
from missions.selectors import plan_for, plan_view
from schools.access import Perm, get_school_or_404, school_perms
from schools.models import SchoolYear
from schools.selectors import school_means


@require_GET
def school_detail(request, uai: str):
    school = get_school_or_404(request.user, uai, perm=None)
    perms = school_perms(request.user, school)
    if Perm.VIEW_SCHOOL not in perms:
        if Perm.VIEW_TEAM_PAGE in perms:  # a teacher: their page of the school is the team's
            return redirect("helpdesk:team", uai=school.uai)
        raise PermissionDenied(_("Votre rôle ne permet pas cette action dans cet établissement."))
    plans = []
    for year in (SchoolYear.current(), SchoolYear.next()):
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
