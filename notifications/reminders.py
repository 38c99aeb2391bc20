"""Reminders: the e-mails of the yearly calendar (DOMAIN.md), each sent once.

A kind of reminder is one function, registered with @reminder: given a day (and optionally one object's
primary key), it yields an Outgoing for every e-mail due that day. The daily beat job (notifications.tasks.
reminders_daily, Celery name missions.tasks.reminders_daily) asks every kind what is due, leaves out what was already sent, and queues one send_reminder
task per (kind, object); that task asks the kind again for that object and sends each e-mail through
email_send_once, whose unique key is

    reminder:<kind>:<school year>:<object id>:<period>:<recipient>

so a reminder goes once per (kind, recipient, object, school year) — and per ISO week for the weekly one —
however many times the jobs run or retry.

Another app plugs a kind in with one function in its own <app>/reminders.py (loaded by NotificationsConfig.ready: the apps above plug their kinds in, this module imports none of them),
plus its three templates in templates/emails/reminder_<kind>_*. For instance, for the IMP app:

    @reminder("imp_award_proposed", label=_("IMP proposée en attente de votre accord"))
    def imp_award_proposed(today, only=None):
        for award in Award.objects.filter(state="proposed", ...):
            yield Outgoing(object_id=award.pk, school_year=award.school_year.start_year, user=award.person.user,
                           link=..., context={"award": award})
"""

import datetime
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from notifications.emails import email_send_once, render_email
from notifications.models import SentEmail
from notifications.selectors import reminder_settings
from schools.models import Academie, Role, School, User


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


def settings_by_academie(today: datetime.date):
    return reminder_settings(Academie.objects.values_list("pk", flat=True).order_by("pk"))


def active_schools(only: int | None, academie_ids) -> Iterable[School]:
    schools = School.objects.filter(is_active=True, departement__academie_id__in=list(academie_ids))
    if only is not None:
        schools = schools.filter(pk=only)
    return schools
