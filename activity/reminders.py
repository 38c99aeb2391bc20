"""The points d'étape's reminder (loaded by NotificationsConfig.ready): no point d'étape done by the deadline."""

import datetime
from collections.abc import Iterator

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from activity.models import Review
from notifications.reminders import Outgoing, active_schools, principals_by_school, reminder, settings_by_academie
from schools.models import SchoolYear, User


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
    academie_settings = settings_by_academie(today)
    late = [pk for pk, s in academie_settings.items() if s.review_deadline(year) <= today]
    if not late:
        return
    done = Review.objects.filter(school_year=year, state=Review.State.DONE).values("school_id")
    schools = list(active_schools(only, late).exclude(pk__in=done).select_related("departement").order_by("name", "pk"))
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
