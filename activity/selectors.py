"""Reads of the activity log and the points d'étape, each with a fixed number of queries."""

import datetime
from dataclasses import dataclass, field

from django.db.models import Count, IntegerField, OuterRef, Prefetch, Q, QuerySet, Subquery, Sum
from django.db.models.functions import Coalesce, TruncMonth
from django.utils import timezone

from activity.models import ActivityEntry, Review
from missions.models import AllocationPlan, Mission, PlanRow
from schools.access import Perm, school_ids_with
from schools.models import Person, Role, School, SchoolYear, User


def referent_persons(user) -> list[Person]:
    """The referent's own Person in each school where they are a referent (one query)."""
    return list(
        Person.objects.filter(user=user, school_id__in=school_ids_with(user, Perm.LOG_ACTIVITY))
        .select_related("school")
        .order_by("school__name", "pk")
    )


def activity_missions(
    persons: list[Person], school_year: SchoolYear, missions: list[Mission]
) -> tuple[list[Mission], list[Mission]]:
    """The missions an activity may be logged for: the referent's own this year first, then the others (one query)."""
    loggable = [m for m in missions if m.kind != Mission.Kind.GROUP]
    own_ids = set(
        PlanRow.objects.filter(plan__school_year=school_year, holders__in=[p.pk for p in persons])
        .values_list("mission_id", flat=True)
        .distinct()
        .order_by()
    )
    return [m for m in loggable if m.pk in own_ids], [m for m in loggable if m.pk not in own_ids]


def year_months(school_year: SchoolYear) -> list[datetime.date]:
    """The first day of each month of the school year, September to August."""
    return [datetime.date(school_year.start_year + (month < 9), month, 1) for month in (*range(9, 13), *range(1, 9))]


@dataclass
class ActivityFilter:
    """What the log shows: a school year, and optionally one month, one mission, one person."""

    school_year: SchoolYear
    month: datetime.date | None = None
    mission_id: int | None = None
    person_id: int | None = None

    def date_range(self) -> tuple[datetime.date, datetime.date]:
        if self.month is None:
            return self.school_year.start_date, self.school_year.end_date
        next_month = (self.month.replace(day=28) + datetime.timedelta(days=4)).replace(day=1)
        return self.month, next_month - datetime.timedelta(days=1)


def activity_entries(base: QuerySet, selection: ActivityFilter) -> QuerySet:
    """The entries of base (already limited to whose log it is) that the filter selects, newest first."""
    entries = base.filter(date__range=selection.date_range())
    if selection.mission_id:
        entries = entries.filter(mission_id=selection.mission_id)
    if selection.person_id:
        entries = entries.filter(person_id=selection.person_id)
    return entries.select_related("mission", "person").order_by("-date", "-pk")


@dataclass
class ActivityTotals:
    """Minutes and entries, aggregated in the database, for a set of entries."""

    minutes: int = 0
    entries: int = 0
    by_mission: list[dict] = field(default_factory=list)  # mission_id, label, minutes, entries
    by_month: list[dict] = field(default_factory=list)  # month (a date), minutes, entries
    by_person: list[dict] = field(default_factory=list)  # person_id, first_name, last_name, minutes, entries


def school_year_activity_totals(school: School, school_year: SchoolYear) -> "ActivityTotals":
    """The activity of the school's people over the school year, per person (what a point d'étape looks at)."""
    entries = ActivityEntry.objects.filter(
        person__school=school, date__range=(school_year.start_date, school_year.end_date)
    )
    return activity_totals(entries, per_person=True)


def activity_totals(entries: QuerySet, *, per_person: bool = False) -> ActivityTotals:
    """Totals per mission and per month (and per person): two or three grouped queries."""
    plain = entries.order_by()
    by_mission = list(
        plain.values("mission_id", "mission__label", "mission__position")
        .annotate(minutes=Sum("minutes"), entries=Count("pk"))
        .order_by("mission__position")
    )
    by_month = list(
        plain.annotate(month=TruncMonth("date"))
        .values("month")
        .annotate(minutes=Sum("minutes"), entries=Count("pk"))
        .order_by("month")
    )
    by_person = []
    if per_person:
        by_person = list(
            plain.values("person_id", "person__first_name", "person__last_name")
            .annotate(minutes=Sum("minutes"), entries=Count("pk"))
            .order_by("person__last_name", "person__first_name", "person_id")
        )
    return ActivityTotals(
        minutes=sum(row["minutes"] for row in by_mission),
        entries=sum(row["entries"] for row in by_mission),
        by_mission=by_mission,
        by_month=by_month,
        by_person=by_person,
    )


def school_activity_people(school: School, school_year: SchoolYear) -> list[Person]:
    """The school's people who logged activity in the year, or who have a referent account (one query)."""
    return list(
        Person.objects.filter(school=school)
        .filter(
            Q(activity_entries__date__range=(school_year.start_date, school_year.end_date))
            | Q(user__roles__kind=Role.Kind.REFERENT, user__roles__school=school)
        )
        .distinct()
        .order_by("last_name", "first_name", "pk")
    )


def _minutes_subquery(school_year: SchoolYear, value: str = "minutes"):
    entries = (
        ActivityEntry.objects.filter(
            person__school=OuterRef("pk"), date__range=(school_year.start_date, school_year.end_date)
        )
        .order_by()
        .values("person__school")
    )
    if value == "minutes":
        entries = entries.annotate(total=Sum("minutes"))
    elif value == "entries":
        entries = entries.annotate(total=Count("pk"))
    else:
        entries = entries.annotate(total=Count("person_id", distinct=True))
    return Coalesce(Subquery(entries.values("total"), output_field=IntegerField()), 0)


def _review_date_subquery(school_year: SchoolYear, state: str, *, latest: bool):
    reviews = Review.objects.filter(school=OuterRef("pk"), school_year=school_year, state=state)
    return Subquery(reviews.order_by("-date" if latest else "date", "pk").values("date")[:1])


def academie_schools(academie_ids: list[int], school_year: SchoolYear) -> QuerySet:
    """The académies' schools with their activity and review status for the year, one query per page.

    Each figure is a correlated subquery, so that joining entries and reviews never multiplies the sums.
    """
    return (
        School.objects.filter(departement__academie_id__in=academie_ids, is_active=True)
        .select_related("departement")
        .annotate(
            activity_minutes=_minutes_subquery(school_year, "minutes"),
            activity_entries=_minutes_subquery(school_year, "entries"),
            activity_people=_minutes_subquery(school_year, "people"),
            last_review_done=_review_date_subquery(school_year, Review.State.DONE, latest=True),
            next_review=_review_date_subquery(school_year, Review.State.SCHEDULED, latest=False),
        )
        .order_by("departement__code", "name", "uai")
    )


def academie_activity_total(academie_ids: list[int], school_year: SchoolYear) -> dict:
    """The académie's minutes, entries and referents who logged, for the year (one query)."""
    return ActivityEntry.objects.filter(
        person__school__departement__academie_id__in=academie_ids,
        date__range=(school_year.start_date, school_year.end_date),
    ).aggregate(
        minutes=Coalesce(Sum("minutes"), 0),
        entries=Count("pk"),
        people=Count("person_id", distinct=True),
        schools=Count("person__school_id", distinct=True),
    )


def school_reviews(school: School, school_year: SchoolYear) -> list[Review]:
    """The school's points d'étape of the year with their participants (two queries)."""
    return list(
        Review.objects.filter(school=school, school_year=school_year)
        .select_related("principal", "dane_adviser")
        .prefetch_related(Prefetch("referents", queryset=Person.objects.order_by("last_name", "first_name", "pk")))
        .order_by("date", "pk")
    )


@dataclass
class ReviewStatus:
    """Whether the school's yearly review is done, or when it is planned."""

    done: Review | None
    next: Review | None

    @property
    def is_done(self) -> bool:
        return self.done is not None

    @property
    def awaiting_minutes(self) -> bool:
        """A review was planned on a day now past, and its minutes are not recorded."""
        return self.next is not None and self.next.date <= timezone.localdate()


def review_status(school: School, school_year: SchoolYear) -> ReviewStatus:
    """The last review done and the next one planned this year (one query)."""
    reviews = list(Review.objects.filter(school=school, school_year=school_year).order_by("date", "pk"))
    done = [r for r in reviews if r.state == Review.State.DONE]
    planned = [r for r in reviews if r.state == Review.State.SCHEDULED]
    return ReviewStatus(done=done[-1] if done else None, next=planned[0] if planned else None)


@dataclass
class ReviewChoices:
    principals: list[User]
    advisers: list[User]
    referents: list[Person]


def review_choices(school: School, school_year: SchoolYear) -> ReviewChoices:
    """Who may take part: the school's principals, the académie's DANE, its referents (three queries).

    Referents are the people named in the year's plan and the people with a referent account in the school.
    """
    principals = list(
        User.objects.filter(roles__kind=Role.Kind.PRINCIPAL, roles__school=school, is_active=True)
        .distinct()
        .order_by("last_name", "first_name", "pk")
    )
    advisers = list(
        User.objects.filter(
            roles__kind=Role.Kind.DANE, roles__academie_id=school.departement.academie_id, is_active=True
        )
        .distinct()
        .order_by("last_name", "first_name", "pk")
    )
    referents = list(
        Person.objects.filter(school=school)
        .filter(
            Q(plan_rows__plan__school_year=school_year)
            | Q(user__roles__kind=Role.Kind.REFERENT, user__roles__school=school)
        )
        .distinct()
        .order_by("last_name", "first_name", "pk")
    )
    return ReviewChoices(principals=principals, advisers=advisers, referents=referents)


def school_page_extras(user, school: School, perms, years_without_plan: list[SchoolYear]) -> dict:
    """What the school page shows of the activity, the reviews and the rentrée copy (at most two queries)."""
    current = SchoolYear.current()
    rollovers = []
    if Perm.EDIT_PLAN in perms and years_without_plan:
        plan_years = list(
            AllocationPlan.objects.filter(school=school)
            .values_list("school_year__start_year", flat=True)
            .order_by("-school_year__start_year")
        )
        for year in years_without_plan:
            source = next((start for start in plan_years if start < year.start_year), None)
            if source is not None:
                rollovers.append({"year": year, "source": f"{source}-{source + 1}"})
    return {
        "activity_year": current,
        "review_status": review_status(school, current) if Perm.VIEW_REVIEWS in perms else None,
        "can_view_school_activity": Perm.VIEW_SCHOOL_ACTIVITY in perms,
        "is_referent_here": school.pk in school_ids_with(user, Perm.LOG_ACTIVITY),
        "rollovers": rollovers,
    }
