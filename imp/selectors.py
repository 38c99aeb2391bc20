"""Reads for the IMP pages, each with a fixed number of queries whatever the number of awards."""

import datetime
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Exists, OuterRef, Prefetch, Q, QuerySet, Subquery, Sum

from imp.award_emails import ANSWERS
from imp.models import (
    AcademiePolicy,
    AwardEvent,
    BoardOpinion,
    Envelope,
    EnvelopeChange,
    ImpAward,
    ImpRate,
    Leave,
    Mission,
    Replacement,
    ServiceReduction,
)
from imp.rules import PolicyMessage, ca_calendar_message, rupn_range_messages
from imp.schedule import AwardTerms, payment_schedule
from imp.schedule import Leave as LeaveTerms
from imp.schedule import Replacement as ReplacementTerms
from imp.services import legal_rates
from missions.models import AllocationPlan, PlanRow
from schools.models import Person, School, SchoolYear

ENVELOPE_CHANGES_SHOWN = 20


@dataclass
class SchoolImp:
    """What the school's IMP page shows."""

    envelope: Envelope | None
    envelope_changes: list[EnvelopeChange]
    awards: list[ImpAward]
    committed: Decimal
    left: Decimal | None
    policy: AcademiePolicy
    policy_messages: list[PolicyMessage]
    opinions: dict[str, BoardOpinion]
    reductions: list[ServiceReduction]
    rates: list[ImpRate]
    answers: list[AwardEvent] = field(default_factory=list)  # holders' and rectorat's answers, latest first

    @property
    def live_awards(self) -> list[ImpAward]:
        return [a for a in self.awards if not a.is_void]

    @property
    def over_envelope(self) -> bool:
        return self.left is not None and self.left < 0

    @property
    def proposed_total(self) -> Decimal:
        """The "IMP proposées" (ImpAward.PROPOSED_STATES), as the CA sheet and the dashboard count them."""
        return sum((a.rate.amount for a in self.awards if a.is_proposed), Decimal("0.00"))

    @property
    def draft_total(self) -> Decimal:
        return sum((a.rate.amount for a in self.awards if a.is_draft), Decimal("0.00"))


def school_awards(school: School, school_year: SchoolYear) -> list[ImpAward]:
    """The school's awards of the year, live ones first (one query)."""
    return list(
        ImpAward.objects.filter(school=school, school_year=school_year)
        .select_related("person", "rate")
        .order_by("person__last_name", "person__first_name", "pk")
    )


ANSWERS_SHOWN = 10


def board_opinions(school: School, school_year: SchoolYear) -> list[BoardOpinion]:
    """The CP and CA opinions of the year (one query), each with earlier_version: given on an earlier version of
    the plan, which changed since (read in the same query)."""
    plan = AllocationPlan.objects.filter(school_id=OuterRef("school_id"), school_year_id=OuterRef("school_year_id"))
    opinions = list(
        BoardOpinion.objects.filter(school=school, school_year=school_year)
        .annotate(current_plan_version=Subquery(plan.values("version")[:1]))
        .select_related("recorded_by")
        .order_by("body")
    )
    for opinion in opinions:
        opinion.earlier_version = opinion.on_earlier_version(opinion.current_plan_version)
    return opinions


def school_imp(school: School, school_year: SchoolYear) -> SchoolImp:
    """The envelope, awards, opinions, reductions and policy check of a school for a year (seven queries)."""
    envelope = Envelope.objects.filter(school=school, school_year=school_year).select_related("updated_by").first()
    changes = (
        list(EnvelopeChange.objects.filter(envelope=envelope).select_related("changed_by")[:ENVELOPE_CHANGES_SHOWN])
        if envelope
        else []
    )
    awards = school_awards(school, school_year)
    live = [a for a in awards if not a.is_void]
    committed = sum((a.rate.amount for a in live), Decimal("0.00"))
    policy = AcademiePolicy.for_academie(school.departement.academie_id)
    opinions = {o.body: o for o in board_opinions(school, school_year)}
    rupn_totals: dict[str, Decimal] = defaultdict(Decimal)
    for award in live:
        if award.mission == Mission.RUPN:
            rupn_totals[award.person.full_name] += award.rate.amount
    messages = rupn_range_messages(policy, dict(rupn_totals))
    ca = opinions.get(BoardOpinion.Body.CA)
    calendar_message = ca_calendar_message(policy, school_year.start_year, ca.date if ca else None)
    if calendar_message:
        messages.append(calendar_message)
    return SchoolImp(
        envelope=envelope,
        envelope_changes=changes,
        awards=awards,
        committed=committed,
        left=envelope.amount - committed if envelope else None,
        policy=policy,
        policy_messages=messages,
        opinions=opinions,
        answers=list(
            AwardEvent.objects.filter(award__school=school, award__school_year=school_year, kind__in=ANSWERS)
            .select_related("award__person", "award__rate", "by")
            .order_by("-at", "-pk")[:ANSWERS_SHOWN]
        ),
        reductions=list(
            ServiceReduction.objects.filter(school=school, school_year=school_year)
            .select_related("person")
            .order_by("person__last_name", "person__first_name", "pk")
        ),
        rates=legal_rates(school_year),
    )


def plan_holder_ids(school: School, school_year: SchoolYear) -> set[int]:
    """The people named in the school's allocation table for the year (one query)."""
    through = PlanRow.holders.through
    return set(
        through.objects.filter(planrow__plan__school=school, planrow__plan__school_year=school_year)
        .values_list("person_id", flat=True)
        .order_by()
    )


def award_details(school: School, school_year: SchoolYear):
    """The school's awards of the year, each with its history, leaves and replacements (four queries for one)."""
    return (
        ImpAward.objects.filter(school=school, school_year=school_year)
        .order_by("pk")
        .select_related("person__user", "rate", "school_year", "created_by")
        .prefetch_related(
            Prefetch("events", queryset=AwardEvent.objects.select_related("by").order_by("at", "pk")),
            Prefetch("leaves", queryset=Leave.objects.order_by("start_date", "pk")),
            Prefetch(
                "replacements", queryset=Replacement.objects.select_related("person").order_by("start_date", "pk")
            ),
        )
    )


# --- payment schedules ------------------------------------------------------------------------------------------


def with_schedule_data(awards: QuerySet) -> QuerySet:
    """Awards with what their schedule needs: holder, rate, year, leaves, replacements (three queries)."""
    return awards.select_related("person", "rate", "school_year", "school").prefetch_related(
        Prefetch("leaves", queryset=Leave.objects.order_by("start_date", "pk")),
        Prefetch("replacements", queryset=Replacement.objects.select_related("person").order_by("start_date", "pk")),
    )


def award_terms(award: ImpAward) -> AwardTerms:
    """The award as the pure schedule function sees it (leaves and replacements must be prefetched)."""
    return AwardTerms(
        holder=award.person_id,
        amount=award.rate.amount,
        school_year_start=award.school_year.start_year,
        whole_year=award.whole_year,
        start=award.start_date,
        end=award.end_date,
        service_done_on=award.service_done_on,
        ended_on=award.ended_on,
        leaves=tuple(
            LeaveTerms(leave.start_date, leave.end_date, leave.salary_percent / 100) for leave in award.leaves.all()
        ),
        replacements=tuple(ReplacementTerms(r.person_id, r.start_date, r.end_date) for r in award.replacements.all()),
    )


@dataclass(frozen=True)
class ScheduleLine:
    award: ImpAward
    person: Person
    month: datetime.date | None
    amount: Decimal
    start: datetime.date
    end: datetime.date
    as_replacement: bool


@dataclass
class Schedule:
    lines: list[ScheduleLine]
    by_month: list[tuple[datetime.date | None, Decimal]] = field(default_factory=list)

    @property
    def total(self) -> Decimal:
        return sum((line.amount for line in self.lines), Decimal("0.00"))

    @property
    def dated_lines(self) -> list[ScheduleLine]:
        return [line for line in self.lines if line.month is not None]

    @property
    def pending_lines(self) -> list[ScheduleLine]:
        return [line for line in self.lines if line.month is None]


def schedule_of(awards, *, only_person_ids: set[int] | None = None) -> Schedule:
    """The payments of these awards (prefetched with with_schedule_data), by month, then school, then person."""
    lines: list[ScheduleLine] = []
    for award in awards:
        people = {award.person_id: award.person} | {r.person_id: r.person for r in award.replacements.all()}
        for payment in payment_schedule(award_terms(award)):
            if only_person_ids is not None and payment.person not in only_person_ids:
                continue
            lines.append(
                ScheduleLine(
                    award=award,
                    person=people[payment.person],
                    month=payment.month,
                    amount=payment.amount,
                    start=payment.start,
                    end=payment.end,
                    as_replacement=payment.person != award.person_id,
                )
            )
    far = datetime.date.max
    lines.sort(
        key=lambda line: (
            line.month or far,
            line.award.school.name,
            line.person.last_name,
            line.person.first_name,
            line.person.pk,
            line.start,
        )
    )
    totals: dict[datetime.date | None, Decimal] = {}
    for line in lines:
        totals[line.month] = totals.get(line.month, Decimal("0.00")) + line.amount
    return Schedule(lines=lines, by_month=list(totals.items()))


def school_schedule(school: School, school_year: SchoolYear) -> Schedule:
    """The payments of the school's validated awards for the year (three queries)."""
    awards = with_schedule_data(
        ImpAward.objects.filter(school=school, school_year=school_year, state__in=ImpAward.PAYABLE_STATES).order_by(
            "pk"
        )
    )
    return schedule_of(awards)


def csv_rows(schedule: Schedule) -> list[list]:
    """One row per award, person and month: uai, nom, prenom, mission, mois (YYYY-MM), montant (Decimal)."""
    totals: dict[tuple, Decimal] = {}
    for line in schedule.dated_lines:
        key = (
            line.award.school.uai,
            line.person.last_name,
            line.person.first_name,
            line.award.get_mission_display(),
            line.month.strftime("%Y-%m"),
            line.person.pk,
            line.award.pk,
        )
        totals[key] = totals.get(key, Decimal("0.00")) + line.amount
    return [[*key[:5], amount] for key, amount in totals.items()]


@dataclass(frozen=True)
class PayrollLine:
    """What the rectorat keys into its payroll tools: one person, one award, one month."""

    uai: str
    school: str
    last_name: str
    first_name: str
    mission: str
    rate: Decimal  # the annual rate awarded
    month: datetime.date
    amount: Decimal
    as_replacement: bool


def payroll_lines(academie_ids, school_year: SchoolYear) -> list[PayrollLine]:
    """The dated payments of the académies' payable awards for the year, one line per person, award and month,
    by school, name and month (three queries, whatever the number of awards)."""
    awards = with_schedule_data(
        ImpAward.objects.filter(
            school__departement__academie_id__in=list(academie_ids),
            school_year=school_year,
            state__in=ImpAward.PAYABLE_STATES,
        ).order_by("pk")
    )
    totals: dict[tuple, Decimal] = {}
    lines: dict[tuple, ScheduleLine] = {}
    for line in schedule_of(awards).dated_lines:
        key = (line.award.pk, line.person.pk, line.month)
        totals[key] = totals.get(key, Decimal("0.00")) + line.amount
        lines.setdefault(key, line)
    rows = [
        PayrollLine(
            uai=line.award.school.uai,
            school=line.award.school.name,
            last_name=line.person.last_name,
            first_name=line.person.first_name,
            mission=line.award.get_mission_display(),
            rate=line.award.rate.amount,
            month=line.month,
            amount=totals[key],
            as_replacement=line.as_replacement,
        )
        for key, line in lines.items()
    ]
    rows.sort(key=lambda r: (r.uai, r.last_name.casefold(), r.first_name.casefold(), r.mission, r.month))
    return rows


# --- the referent's own page --------------------------------------------------------------------------------------


@dataclass
class MyImp:
    awards: list[ImpAward]
    schedule: Schedule


def my_imp(user) -> MyImp:
    """The user's own awards (as holder) and payments (as holder or replacement), in every school (four queries)."""
    person_ids = set(Person.objects.filter(user=user).values_list("pk", flat=True).order_by())
    proposed_once = AwardEvent.objects.filter(award=OuterRef("pk"), kind=AwardEvent.Kind.PROPOSED)
    awards = list(
        ImpAward.objects.filter(person_id__in=person_ids)
        # A draft is the principal's working copy; a draft withdrawn before it was proposed was never theirs to see.
        .exclude(state=ImpAward.State.DRAFT)
        .exclude(Q(state=ImpAward.State.WITHDRAWN) & ~Exists(proposed_once))
        .select_related("school__departement", "school_year", "rate", "person")
        .order_by("-school_year__start_year", "school__name", "pk")
    )
    payable = with_schedule_data(
        ImpAward.objects.filter(Q(person_id__in=person_ids) | Q(replacements__person_id__in=person_ids))
        .filter(state__in=ImpAward.PAYABLE_STATES)
        .distinct()
        .order_by("pk")
    )
    return MyImp(awards=awards, schedule=schedule_of(payable, only_person_ids=person_ids))


# --- the rectorat's pages -----------------------------------------------------------------------------------------


def queue(
    academie_ids,
    *,
    status: str = "ready",
    start_year: int | None = None,
    departement_id: int | None = None,
    q: str = "",
) -> QuerySet:
    """Awards of the rectorat's académies for the validation queue, with whether the CP and CA gave their opinion."""
    opinions = BoardOpinion.objects.filter(school=OuterRef("school"), school_year=OuterRef("school_year"))
    awards = (
        ImpAward.objects.filter(school__departement__academie_id__in=list(academie_ids))
        .select_related("school__departement", "school_year", "person", "rate")
        .annotate(
            has_cp=Exists(opinions.filter(body=BoardOpinion.Body.CP)),
            has_ca=Exists(opinions.filter(body=BoardOpinion.Body.CA)),
        )
    )
    State = ImpAward.State
    if status == "ready":
        awards = awards.filter(state=State.ACCEPTED, has_cp=True, has_ca=True)
    elif status == "waiting":
        awards = awards.filter(state=State.ACCEPTED).filter(Q(has_cp=False) | Q(has_ca=False))
    elif status in ("validated", "paying", "rejected"):
        awards = awards.filter(state=status)
    else:
        awards = awards.exclude(state__in=[State.DRAFT, State.WITHDRAWN])
    if start_year:
        awards = awards.filter(school_year__start_year=start_year)
    if departement_id:
        awards = awards.filter(school__departement_id=departement_id)
    if q:
        awards = awards.filter(
            Q(school__name__icontains=q)
            | Q(school__commune__icontains=q)
            | Q(school__uai__iexact=q)
            | Q(person__last_name__icontains=q)
        )
    return awards.order_by("school__departement__code", "school__name", "person__last_name", "person__first_name", "pk")


@dataclass(frozen=True)
class EnvelopeRow:
    school: School
    envelope: Envelope | None
    committed: Decimal

    @property
    def left(self) -> Decimal | None:
        return self.envelope.amount - self.committed if self.envelope else None


def envelope_rows(schools: list[School], school_year: SchoolYear) -> list[EnvelopeRow]:
    """Each school's envelope and committed total for the year (two queries for the page of schools)."""
    ids = [s.pk for s in schools]
    envelopes = {
        e.school_id: e
        for e in Envelope.objects.filter(school_id__in=ids, school_year=school_year)
        .select_related("updated_by")
        .order_by("pk")
    }
    committed = dict(
        ImpAward.objects.filter(school_id__in=ids, school_year=school_year)
        .exclude(state__in=ImpAward.VOID_STATES)
        .values("school_id")
        .annotate(total=Sum("rate__amount"))
        .values_list("school_id", "total")
        .order_by("school_id")
    )
    return [EnvelopeRow(s, envelopes.get(s.pk), committed.get(s.pk) or Decimal("0.00")) for s in schools]


def envelope_schools(academie_ids, q: str = ""):
    """The active schools of the académies, matching q when given, in the envelopes page's order."""
    schools = School.objects.filter(departement__academie_id__in=list(academie_ids), is_active=True).select_related(
        "departement"
    )
    if q:
        schools = schools.search(q)
    return schools.order_by("departement__code", "name", "uai")
