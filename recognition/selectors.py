"""Reads for the projects pages and the referent's record, each with a fixed number of queries."""

import datetime
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Count, Prefetch, Q, QuerySet, Sum
from django.db.models.functions import ExtractMonth, ExtractYear
from django.utils import timezone

from activity.models import ActivityEntry, Review
from events.models import EventRegistration
from imp.models import ImpAward
from missions.models import PlanRow
from recognition.iprof import Holding
from recognition.models import Project
from schools.models import Person, School, SchoolYear

PEOPLE = Prefetch("referents", queryset=Person.objects.order_by("last_name", "first_name", "pk"))
TEACHERS = Prefetch("teachers", queryset=Person.objects.order_by("last_name", "first_name", "pk"))


def school_projects(school: School, school_year: SchoolYear) -> list[Project]:
    """The school's projects for the year with their teachers and referents (three queries)."""
    return list(
        Project.objects.filter(school=school, school_year=school_year)
        .prefetch_related(TEACHERS, PEOPLE)
        .order_by("title", "pk")
    )


@dataclass(frozen=True)
class ProjectFilters:
    """The DANE list's filters, as read from the URL (empty: no filter)."""

    year: SchoolYear
    departement: str = ""
    dane_project: str = ""
    featured: bool | None = None
    without_referent: bool = False
    text: str = ""


def academie_projects(academie_ids: list[int], filters: ProjectFilters) -> QuerySet[Project]:
    """The projects of the académies' schools, filtered; referents prefetched (count, page, two prefetches)."""
    projects = Project.objects.filter(
        school__departement__academie_id__in=academie_ids, school_year=filters.year
    ).annotate(referent_count=Count("referents", distinct=True))
    if filters.departement:
        projects = projects.filter(school__departement__code=filters.departement)
    if filters.dane_project:
        projects = projects.filter(dane_project=filters.dane_project)
    if filters.featured is not None:
        projects = projects.filter(featured=filters.featured)
    if filters.without_referent:
        projects = projects.filter(referent_count=0)
    if filters.text:
        projects = projects.filter(
            Q(title__icontains=filters.text)
            | Q(school__name__icontains=filters.text)
            | Q(school__uai__iexact=filters.text)
            | Q(school__commune__icontains=filters.text)
        )
    return (
        projects.select_related("school__departement")
        .prefetch_related(PEOPLE)
        .order_by("school__departement__code", "school__name", "title", "pk")
    )


# The referent's record ("Mon parcours")


@dataclass
class SchoolRecord:
    school: School
    missions: list[str] = field(default_factory=list)  # catalogue labels, in its order
    mission_codes: list[str] = field(default_factory=list)
    services: list[str] = field(default_factory=list)
    projects: list[Project] = field(default_factory=list)
    awards: list[ImpAward] = field(default_factory=list)
    minutes: int = 0
    reviews: list[Review] = field(default_factory=list)

    @property
    def imp_total(self) -> Decimal:
        """What the rectorat validated (or the person accepted): proposals and drafts do not count."""
        return sum((a.amount for a in self.awards if a.state in RECORD_AWARD_STATES), Decimal("0.00"))


@dataclass
class YearRecord:
    year: SchoolYear
    schools: list[SchoolRecord] = field(default_factory=list)
    events: list[EventRegistration] = field(default_factory=list)

    @property
    def minutes(self) -> int:
        return sum(s.minutes for s in self.schools)


# The awards the record shows: accepted by the person, validated by the rectorat, paid or closed.
RECORD_AWARD_STATES = (ImpAward.State.ACCEPTED, *ImpAward.PAYABLE_STATES)


@dataclass
class Record:
    years: list[YearRecord]  # newest first
    holdings: list[Holding]  # what the i-prof text is made of

    @property
    def is_empty(self) -> bool:
        return not self.years


def _year_of(moment: datetime.datetime) -> int:
    return SchoolYear.start_year_for(timezone.localtime(moment).date())


def referent_record(user) -> Record:
    """Every school year the user held missions or took part: seven queries whatever the number of years."""
    persons = {p.pk: p for p in Person.objects.filter(user=user).select_related("school").order_by("pk")}
    person_ids = list(persons)
    years: dict[int, SchoolYear] = {}
    cells: dict[tuple[int, int], SchoolRecord] = {}  # (start year, school id) -> record

    def cell(school_year: SchoolYear, school: School) -> SchoolRecord:
        years.setdefault(school_year.start_year, school_year)
        key = (school_year.start_year, school.pk)
        if key not in cells:
            cells[key] = SchoolRecord(school=school)
        return cells[key]

    rows = (
        PlanRow.holders.through.objects.filter(person_id__in=person_ids)
        .select_related("planrow__mission", "planrow__plan__school_year", "planrow__plan__school")
        .order_by("planrow__plan__school_year__start_year", "planrow__mission__position", "planrow__service_name")
    )
    for link in rows:
        row = link.planrow
        record = cell(row.plan.school_year, row.plan.school)
        if row.mission.code not in record.mission_codes:
            record.mission_codes.append(row.mission.code)
            record.missions.append(row.mission.label)
        if row.service_name and row.service_name not in record.services:
            record.services.append(row.service_name)
    positions = {}
    labels = {}
    for link in rows:  # already fetched: the catalogue's order and labels, for the i-prof text
        positions[link.planrow.mission.code] = link.planrow.mission.position
        labels[link.planrow.mission.code] = link.planrow.mission.label

    for link in (
        Project.referents.through.objects.filter(person_id__in=person_ids)
        .select_related("project__school_year", "project__school")
        .order_by("project__title", "project_id")
    ):
        cell(link.project.school_year, link.project.school).projects.append(link.project)

    for award in (
        ImpAward.objects.filter(person_id__in=person_ids)
        .select_related("rate", "school", "school_year")
        .order_by("start_date", "pk")
    ):
        cell(award.school_year, award.school).awards.append(award)

    minutes = (
        ActivityEntry.objects.filter(person_id__in=person_ids)
        .annotate(y=ExtractYear("date"), m=ExtractMonth("date"))
        .values("person_id", "y", "m")
        .annotate(total=Sum("minutes"))
        .order_by("person_id", "y", "m")
    )
    wanted_years: dict[tuple[int, int], int] = {}
    for group in minutes:
        key = (SchoolYear.start_year_for(datetime.date(group["y"], group["m"], 1)), group["person_id"])
        wanted_years[key] = wanted_years.get(key, 0) + group["total"]

    for link in (
        Review.referents.through.objects.filter(person_id__in=person_ids)
        .select_related("review__school_year", "review__school")
        .order_by("review__date", "review_id")
    ):
        cell(link.review.school_year, link.review.school).reviews.append(link.review)

    registrations = list(
        EventRegistration.objects.filter(user=user, attended=True)
        .select_related("event")
        .order_by("event__starts_at", "pk")
    )
    # Years that only appear through hours or events: an unsaved SchoolYear names them (no query).
    for start_year in {start for start, _pid in wanted_years} | {_year_of(r.event.starts_at) for r in registrations}:
        years.setdefault(start_year, SchoolYear(start_year=start_year))
    for (start_year, person_id), total in wanted_years.items():
        cell(years[start_year], persons[person_id].school).minutes += total

    year_records = {start: YearRecord(year=school_year) for start, school_year in years.items()}
    for (start_year, _school_id), record in sorted(cells.items(), key=lambda kv: (kv[0][0], kv[1].school.name)):
        year_records[start_year].schools.append(record)
    for registration in registrations:
        year_records[_year_of(registration.event.starts_at)].events.append(registration)

    holdings = [
        Holding(
            school_key=record.school.uai,
            school_name=record.school.name,
            school_kind=record.school.kind,
            start_year=start_year,
            mission_codes=tuple(record.mission_codes),
            mission_labels=labels,
            services=tuple(record.services),
            positions=positions,
        )
        for (start_year, _school_id), record in cells.items()
        if record.mission_codes
    ]
    return Record(years=sorted(year_records.values(), key=lambda y: -y.year.start_year), holdings=holdings)
