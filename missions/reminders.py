"""Reminders: the e-mails of the yearly calendar (DOMAIN.md), each sent once.

A kind of reminder is one function, registered with @reminder: given a day (and optionally one object's
primary key), it yields an Outgoing for every e-mail due that day. The daily beat job (missions.tasks.
reminders_daily) asks every kind what is due, leaves out what was already sent, and queues one send_reminder
task per (kind, object); that task asks the kind again for that object and sends each e-mail through
email_send_once, whose unique key is

    reminder:<kind>:<school year>:<object id>:<period>:<recipient>

so a reminder goes once per (kind, recipient, object, school year) — and per ISO week for the weekly one —
however many times the jobs run or retry.

Another app plugs a kind in with one function in its own <app>/reminders.py (loaded by MissionsConfig.ready),
plus its three templates in templates/emails/reminder_<kind>_*. For instance, for the IMP app:

    @reminder("imp_award_proposed", label=_("IMP proposée en attente de votre accord"))
    def imp_award_proposed(today, only=None):
        for award in Award.objects.filter(state="proposed", ...):
            yield Outgoing(object_id=award.pk, school_year=award.school_year.start_year, user=award.person.user,
                           link=..., context={"award": award})
"""

import datetime
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field

from django.db.models import Count, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from imp.models import BoardOpinion
from missions.ics import event_ics
from missions.models import AllocationPlan, Event, EventRegistration, Review, SentEmail
from missions.notifications import email_send_once, render_email
from missions.selectors import reminder_settings
from schools.models import Academie, Role, School, SchoolYear, User


@dataclass(frozen=True)
class Outgoing:
    """One reminder e-mail: to whom, about which object, for which school year (and period)."""

    object_id: int
    school_year: int  # start year: 2026 for 2026-2027
    user: User
    link: str  # the path of the page where the recipient acts
    context: dict = field(default_factory=dict, hash=False, compare=False)
    period: str = ""  # the ISO week of a weekly reminder, e.g. 2027-S06
    attachments: tuple[tuple[str, str | bytes, str], ...] = field(default=(), hash=False, compare=False)

    def key(self, kind: str) -> str:
        return f"reminder:{kind}:{self.school_year}:{self.object_id}:{self.period}:u{self.user.pk}"


Source = Callable[[datetime.date, int | None], Iterable[Outgoing]]


@dataclass(frozen=True)
class ReminderKind:
    code: str
    label: str
    template: str
    source: Source


KINDS: dict[str, ReminderKind] = {}


def reminder(code: str, *, label, template: str | None = None) -> Callable[[Source], Source]:
    """Register a kind of reminder: source(today, only_object_id) yields what is due on that day."""

    def register(source: Source) -> Source:
        KINDS[code] = ReminderKind(code=code, label=label, template=template or f"reminder_{code}", source=source)
        return source

    return register


def kind_label(code: str) -> str:
    kind = KINDS.get(code)
    return str(kind.label) if kind else code


# --- what is due, what is left to send, sending --------------------------------------------------------------


def due(today: datetime.date, *, kinds: Iterable[str] | None = None) -> list[tuple[ReminderKind, Outgoing]]:
    """Every reminder e-mail due today, sent or not."""
    wanted = [KINDS[code] for code in (kinds or KINDS)]
    return [(kind, out) for kind in wanted for out in kind.source(today, None)]


def unsent(items: list[tuple[ReminderKind, Outgoing]]) -> list[tuple[ReminderKind, Outgoing]]:
    """The items whose key was never sent (one query per thousand)."""
    keys = [out.key(kind.code) for kind, out in items]
    sent: set[str] = set()
    for start in range(0, len(keys), 1000):
        sent |= set(SentEmail.objects.filter(key__in=keys[start : start + 1000]).values_list("key", flat=True))
    return [(kind, out) for (kind, out), key in zip(items, keys, strict=True) if key not in sent]


def pending(today: datetime.date) -> list[tuple[ReminderKind, Outgoing]]:
    """The reminder e-mails due today and not yet sent."""
    return unsent(due(today))


def subject_of(kind: ReminderKind, out: Outgoing) -> str:
    return render_email(kind.template, {**out.context, "link": out.link, "recipient": out.user})[0]


def send_one(kind: ReminderKind, out: Outgoing) -> bool:
    """Send one reminder unless its key was sent already; True when it went out now."""
    return email_send_once(
        key=out.key(kind.code),
        to=out.user.email,
        template=kind.template,
        context={**out.context, "link": out.link, "recipient": out.user},
        kind=kind.code,
        user=out.user,
        link=out.link,
        attachments=out.attachments,
    )


def send_for_object(code: str, today: datetime.date, object_id: int) -> int:
    """Send every reminder of this kind due today about this object; returns how many went out now."""
    kind = KINDS[code]
    return sum(send_one(kind, out) for out in kind.source(today, object_id))


# --- helpers for the sources ---------------------------------------------------------------------------------


def principals_by_school(school_ids) -> dict[int, list[User]]:
    """The active principal accounts of each school (one query)."""
    found: dict[int, list[User]] = defaultdict(list)
    for role in (
        Role.objects.filter(kind=Role.Kind.PRINCIPAL, school_id__in=list(school_ids), user__is_active=True)
        .select_related("user")
        .order_by("school_id", "user_id")
    ):
        found[role.school_id].append(role.user)
    return found


def _settings(today: datetime.date):
    return reminder_settings(Academie.objects.values_list("pk", flat=True).order_by("pk"))


def schools_through_ca(school_year: SchoolYear):
    """The schools whose plan for school_year went through the CA: the plan submitted to the CA, or the CA's
    opinion recorded in the imp app (imp.models.BoardOpinion), whichever comes first."""
    submitted = AllocationPlan.objects.filter(school_year=school_year, state=AllocationPlan.State.SUBMITTED).values(
        "school_id"
    )
    ca_opinion = BoardOpinion.objects.filter(school_year=school_year, body=BoardOpinion.Body.CA).values("school_id")
    return School.objects.filter(Q(pk__in=submitted) | Q(pk__in=ca_opinion)).values("pk")


def _schools(only: int | None, academie_ids) -> Iterable[School]:
    schools = School.objects.filter(is_active=True, departement__academie_id__in=list(academie_ids))
    if only is not None:
        schools = schools.filter(pk=only)
    return schools


# --- the kinds of the calendar -------------------------------------------------------------------------------


@reminder("ca_weekly", label=_("Plan de l'année prochaine pas encore passé en conseil d'administration"))
def ca_weekly(today: datetime.date, only: int | None = None) -> Iterator[Outgoing]:
    """Weekly, from February to June: next year's plan (and IMP proposals) not yet through the CA."""
    year = SchoolYear.current(today)
    next_year, _created = SchoolYear.objects.get_or_create(start_year=year.start_year + 1)
    in_window = [pk for pk, s in _settings(today).items() if s.ca_window(year)[0] <= today <= s.ca_window(year)[1]]
    if not in_window:
        return
    schools = list(_schools(only, in_window).exclude(pk__in=schools_through_ca(next_year)).order_by("name", "pk"))
    plans = {
        p.school_id: p for p in AllocationPlan.objects.filter(school__in=[s.pk for s in schools], school_year=next_year)
    }
    principals = principals_by_school(s.pk for s in schools)
    iso_year, week, _day = today.isocalendar()
    for school in schools:
        link = reverse("missions:allocation", args=[school.uai, next_year.name])
        for user in principals.get(school.pk, []):
            yield Outgoing(
                object_id=school.pk,
                school_year=year.start_year,
                user=user,
                link=link,
                period=f"{iso_year}-S{week:02d}",
                context={"school": school, "next_year": next_year, "plan": plans.get(school.pk)},
            )


def _advisers(school_ids) -> dict[int, User]:
    """Each school's DANE adviser: the one named in its latest review, else the académie's default (one query)."""
    advisers: dict[int, User] = {}
    for review in (
        Review.objects.filter(school_id__in=list(school_ids), dane_adviser__isnull=False, dane_adviser__is_active=True)
        .select_related("dane_adviser")
        .order_by("school_id", "-school_year__start_year", "-date", "-pk")
    ):
        advisers.setdefault(review.school_id, review.dane_adviser)
    return advisers


@reminder("review_missing", label=_("Point d'étape de l'année pas encore fait"))
def review_missing(today: datetime.date, only: int | None = None) -> Iterator[Outgoing]:
    """From the académie's deadline (31 March by default): no point d'étape done this year."""
    year = SchoolYear.current(today)
    academie_settings = _settings(today)
    late = [pk for pk, s in academie_settings.items() if s.review_deadline(year) <= today]
    if not late:
        return
    done = Review.objects.filter(school_year=year, state=Review.State.DONE).values("school_id")
    schools = list(_schools(only, late).exclude(pk__in=done).select_related("departement").order_by("name", "pk"))
    principals = principals_by_school(s.pk for s in schools)
    advisers = _advisers([s.pk for s in schools])
    default_ids = {s.default_dane_adviser_id for s in academie_settings.values() if s.default_dane_adviser_id}
    defaults = {u.pk: u for u in User.objects.filter(pk__in=default_ids, is_active=True)}
    for school in schools:
        link = reverse("missions:reviews", args=[school.uai, year.name])
        settings_ = academie_settings[school.departement.academie_id]
        deadline = settings_.review_deadline(year)
        recipients = list(principals.get(school.pk, []))
        adviser = advisers.get(school.pk) or defaults.get(settings_.default_dane_adviser_id)
        if adviser and adviser not in recipients:
            recipients.append(adviser)
        for user in recipients:
            yield Outgoing(
                object_id=school.pk,
                school_year=year.start_year,
                user=user,
                link=link,
                context={"school": school, "school_year": year, "deadline": deadline, "adviser": adviser},
            )


@reminder("event_soon", label=_("Événement de la DANE dans une semaine"))
def event_soon(today: datetime.date, only: int | None = None) -> Iterator[Outgoing]:
    """Seven days before an event (académie setting): its registered people, with the event as an .ics file."""
    academie_settings = _settings(today)
    horizon = max((s.event_days_before for s in academie_settings.values()), default=7)
    events = Event.objects.filter(
        starts_at__date__gt=today, starts_at__date__lte=today + datetime.timedelta(days=horizon)
    )
    if only is not None:
        events = events.filter(pk=only)
    events = [
        e
        for e in events.order_by("starts_at", "pk")
        if timezone.localdate(e.starts_at)
        <= today + datetime.timedelta(days=academie_settings[e.academie_id].event_days_before)
    ]
    registrations = (
        EventRegistration.objects.filter(event__in=[e.pk for e in events], user__is_active=True)
        .select_related("user")
        .order_by("event_id", "pk")
    )
    by_event: dict[int, list[User]] = defaultdict(list)
    for registration in registrations:
        by_event[registration.event_id].append(registration.user)
    for event in events:
        attachment = ("evenement-rupn.ics", event_ics(event), "text/calendar")
        link = reverse("missions:event_detail", args=[event.pk])
        start_year = SchoolYear.start_year_for(timezone.localdate(event.starts_at))
        for user in by_event.get(event.pk, []):
            yield Outgoing(
                object_id=event.pk,
                school_year=start_year,
                user=user,
                link=link,
                context={"event": event},
                attachments=(attachment,),
            )


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
