"""The plans' reminder (loaded by NotificationsConfig.ready): this year's draft copied at the rentrée waits."""

import datetime
from collections.abc import Iterator

from django.db.models import Count, Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from missions.models import AllocationPlan
from notifications.reminders import Outgoing, principals_by_school, reminder
from schools.models import SchoolYear


@reminder("rentree_plan", label=_("Brouillon de rentrée repris de l'an dernier, à compléter"))
def rentree_plan(today: datetime.date, only: int | None = None) -> Iterator[Outgoing]:
    """After the rentrée copy: the principal is told that this year's draft waits, with the rows to fill."""
    year = SchoolYear.current(today)
    plans = (
        AllocationPlan.objects.filter(
            school_year=year, copied_from__isnull=False, state=AllocationPlan.State.DRAFT, school__is_active=True
        )
        .select_related("school", "copied_from__school_year")
        .annotate(flagged=Count("rows", filter=~Q(rows__left_by="")))
        .order_by("school__name", "pk")
    )
    if only is not None:
        plans = plans.filter(school_id=only)
    plans = list(plans)
    principals = principals_by_school(p.school_id for p in plans)
    for plan in plans:
        link = reverse("missions:allocation", args=[plan.school.uai, year.name])
        for user in principals.get(plan.school_id, []):
            yield Outgoing(
                object_id=plan.school_id,
                school_year=year.start_year,
                user=user,
                link=link,
                context={"school": plan.school, "plan": plan, "school_year": year},
            )
