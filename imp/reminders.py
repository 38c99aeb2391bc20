"""The IMP's reminders (loaded by MissionsConfig.ready, sent through missions.reminders): each sent once.

- envelope_notified: the rectorat has notified the school's IMP envelope for this year or the next one; its
  principals are told the amount (once per envelope and school year).
- imp_award_proposed: an IMP proposed to someone waits for their agreement; they are told once.
"""

import datetime
from collections.abc import Iterator

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from imp.models import Envelope, ImpAward
from imp.money import format_euros
from missions.reminders import Outgoing, principals_by_school, reminder
from schools.models import SchoolYear


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
