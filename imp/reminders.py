"""The IMP's reminders (loaded by NotificationsConfig.ready, sent through notifications.reminders): each sent once.

- envelope_notified: the rectorat has notified the school's IMP envelope for this year or the next one; its
  principals are told the amount (once per envelope and school year).
- imp_award_proposed: an IMP proposed to someone waits for their agreement; they are told once.
- ca_weekly: next year's plan not yet through the CA (the plan submitted, or the CA's opinion recorded here).
"""

import datetime
from collections.abc import Iterator

from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from imp.models import BoardOpinion, Envelope, ImpAward
from missions.models import AllocationPlan
from notifications.reminders import Outgoing, active_schools, principals_by_school, reminder, settings_by_academie
from rupn.lib.formats import format_euros
from schools.models import School, SchoolYear


@reminder("envelope_notified", label=_("Enveloppe IMP notifiée"))
def envelope_notified(today: datetime.date, only: int | None = None) -> Iterator[Outgoing]:
    """The envelopes of this school year and later (notified in January–February with the DHG)."""
    envelopes = Envelope.objects.filter(
        school__is_active=True, school_year__start_year__gte=SchoolYear.start_year_for(today)
    ).select_related("school", "school_year")
    if only is not None:
        envelopes = envelopes.filter(pk=only)
    envelopes = list(envelopes.order_by("school__name", "school_year__start_year", "pk"))
    principals = principals_by_school(e.school_id for e in envelopes)
    for envelope in envelopes:
        link = reverse("imp:school", args=[envelope.school.uai, envelope.school_year.name])
        for user in principals.get(envelope.school_id, []):
            yield Outgoing(
                object_id=envelope.pk,
                school_year=envelope.school_year.start_year,
                user=user,
                link=link,
                context={
                    "school": envelope.school,
                    "school_year": envelope.school_year,
                    "amount": format_euros(envelope.amount),
                },
            )


@reminder("imp_award_proposed", label=_("IMP proposée en attente de votre accord"))
def imp_award_proposed(today: datetime.date, only: int | None = None) -> Iterator[Outgoing]:
    """The proposed IMP of people with an active account: the link leads to their page where they answer."""
    awards = ImpAward.objects.filter(
        state=ImpAward.State.PROPOSED, person__user__isnull=False, person__user__is_active=True
    ).select_related("school", "school_year", "person__user", "rate")
    if only is not None:
        awards = awards.filter(pk=only)
    link = reverse("imp:mine")
    for award in awards.order_by("school__name", "pk"):
        yield Outgoing(
            object_id=award.pk,
            school_year=award.school_year.start_year,
            user=award.person.user,
            link=link,
            context={"award": award, "school": award.school, "amount": format_euros(award.rate.amount)},
        )


def schools_through_ca(school_year: SchoolYear):
    """The schools whose plan for school_year went through the CA: the plan submitted to the CA, or the CA's
    opinion recorded in the imp app (imp.models.BoardOpinion), whichever comes first."""
    submitted = AllocationPlan.objects.filter(school_year=school_year, state=AllocationPlan.State.SUBMITTED).values(
        "school_id"
    )
    ca_opinion = BoardOpinion.objects.filter(school_year=school_year, body=BoardOpinion.Body.CA).values("school_id")
    return School.objects.filter(Q(pk__in=submitted) | Q(pk__in=ca_opinion)).values("pk")


@reminder("ca_weekly", label=_("Plan de l'année prochaine pas encore passé en conseil d'administration"))
def ca_weekly(today: datetime.date, only: int | None = None) -> Iterator[Outgoing]:
    """Weekly, from February to June: next year's plan (and IMP proposals) not yet through the CA."""
    year = SchoolYear.current(today)
    next_year = SchoolYear.next(today)
    in_window = [
        pk for pk, s in settings_by_academie(today).items() if s.ca_window(year)[0] <= today <= s.ca_window(year)[1]
    ]
    if not in_window:
        return
    schools = list(active_schools(only, in_window).exclude(pk__in=schools_through_ca(next_year)).order_by("name", "pk"))
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
