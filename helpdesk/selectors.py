"""Reads of the team's pages, each with a fixed number of queries."""

import datetime
from dataclasses import dataclass, field

from django.db.models import Count, Prefetch, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from helpdesk.models import HelpRequest, HelpRequestEvent, TeamSession, TeamSessionRegistration
from missions.models import AllocationPlan, PlanRow
from schools.access import Perm
from schools.models import Collectivity, Person, School, SchoolYear

# Each mission of the plan in the teachers' words: "Pour un souci d'ENT : …". Missions not listed (advising the
# principal, training, the group heading) do not concern the team.
WHO_DOES_WHAT = {
    "support_teams": gettext_lazy("Pour être accompagné dans vos usages du numérique"),
    "tools.tickets": gettext_lazy("Pour signaler une panne ou un dysfonctionnement"),
    "tools.collectivity_link": gettext_lazy("Pour le lien avec la collectivité (matériel, réseau)"),
    "communicate": gettext_lazy("Pour le lien avec la DANE"),
}
TOOLS = {
    "tools.ent_admin": gettext_lazy("Pour un souci d'ENT (comptes, droits, espaces)"),
    "tools.ent_usage": gettext_lazy("Pour utiliser l'ENT avec vos élèves"),
    "tools.website": gettext_lazy("Pour le site web de l'établissement"),
    "tools.tablets": gettext_lazy("Pour les tablettes"),
    "tools.amon": gettext_lazy("Pour l'interface pédagogique AMON"),
    "tools.accounts": gettext_lazy("Pour un compte ou un mot de passe"),
}


@dataclass(frozen=True)
class TeamLine:
    """One line of the team page: what it is for, and who to ask."""

    row_id: int
    text: str
    names: list[str]

    @property
    def who(self) -> str:
        return ", ".join(self.names)


@dataclass
class TeamPage:
    plan: AllocationPlan | None
    who_does_what: list[TeamLine] = field(default_factory=list)
    tools: list[TeamLine] = field(default_factory=list)


def submitted_plan(school: School, school_year: SchoolYear) -> AllocationPlan | None:
    """The year's plan once submitted to the CA (a draft is the principal's work in progress: never shown)."""
    holders = Person.objects.order_by("last_name", "first_name", "pk")
    return (
        AllocationPlan.objects.filter(school=school, school_year=school_year, state=AllocationPlan.State.SUBMITTED)
        .prefetch_related(
            Prefetch("rows", queryset=PlanRow.objects.select_related("mission").order_by("mission__position", "pk")),
            Prefetch("rows__holders", queryset=holders),
        )
        .first()
    )


def row_text(row: PlanRow) -> str | None:
    code = row.mission.code
    if code == "tools.services":
        return _("Pour %(service)s") % {"service": row.service_name} if row.service_name else None
    text = WHO_DOES_WHAT.get(code) or TOOLS.get(code)
    return str(text) if text else None


def team_page(school: School, school_year: SchoolYear) -> TeamPage:
    """Who does what this year, from the submitted plan, in plain words (three queries)."""
    plan = submitted_plan(school, school_year)
    page = TeamPage(plan=plan)
    if plan is None:
        return page
    for row in plan.rows.all():
        text = row_text(row)
        names = [person.full_name for person in row.holders.all()]
        if text is None or not names:
            continue
        line = TeamLine(row.pk, text, names)
        (page.who_does_what if row.mission.code in WHO_DOES_WHAT else page.tools).append(line)
    return page


def request_topics(school: School, school_year: SchoolYear) -> list[tuple[int, str]]:
    """The rows a request may concern (the tools and services of the submitted plan that have a holder)."""
    page = team_page(school, school_year)
    return [(line.row_id, line.text) for line in page.tools + page.who_does_what]


def _requests(school: School) -> QuerySet:
    return HelpRequest.objects.filter(school=school).select_related("author", "handler")


def visible_requests(user, school: School, perms) -> QuerySet:
    """The school's requests for those who handle them; one's own for a teacher; none for others."""
    if Perm.HANDLE_HELP_REQUESTS in perms:
        return _requests(school)
    if Perm.FILE_HELP_REQUEST in perms:
        return _requests(school).filter(author__user=user)
    return HelpRequest.objects.none()


def request_list(user, school: School, perms, school_year: SchoolYear, *, state: str = "") -> list[HelpRequest]:
    """The book's page: the year's requests this user sees, the open ones first (one query)."""
    requests = visible_requests(user, school, perms).filter(school_year=school_year)
    if state == "open":
        requests = requests.exclude(state=HelpRequest.State.CLOSED)
    elif state in HelpRequest.State.values:
        requests = requests.filter(state=state)
    return list(requests.order_by("-created_at", "-pk"))


def request_detail(request: HelpRequest) -> list[HelpRequestEvent]:
    return list(request.events.order_by("at", "pk"))


def sessions_of(school: School, user) -> QuerySet:
    """The school's sessions with their count of registrations and whether this user has a place."""
    return (
        TeamSession.objects.filter(school=school)
        .select_related("referent")
        .annotate(
            taken=Count("registrations", distinct=True),
            mine=Count("registrations", filter=Q(registrations__person__user=user), distinct=True),
        )
    )


def upcoming_sessions(school: School, user, *, limit: int | None = None) -> list[TeamSession]:
    """The sessions to come, soonest first (one query)."""
    sessions = sessions_of(school, user).filter(starts_at__gte=timezone.now()).order_by("starts_at", "pk")
    return list(sessions[:limit] if limit else sessions)


def past_sessions(school: School, school_year: SchoolYear, user) -> list[TeamSession]:
    """The year's sessions already begun, latest first (one query)."""
    return list(
        sessions_of(school, user)
        .filter(school_year=school_year, starts_at__lt=timezone.now())
        .order_by("-starts_at", "-pk")
    )


def session_registrations(session: TeamSession) -> list[TeamSessionRegistration]:
    return list(session.registrations.select_related("person").order_by("person__last_name", "person__first_name"))


# --- figures ----------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class HelpFigures:
    total: int
    by_kind: list[tuple[str, int]]
    open: int
    passed_on: int
    first_answer: datetime.timedelta | None
    to_close: datetime.timedelta | None

    @property
    def passed_on_share(self) -> int | None:
        return round(100 * self.passed_on / self.total) if self.total else None


def _mean(deltas: list[datetime.timedelta]) -> datetime.timedelta | None:
    return sum(deltas, datetime.timedelta()) / len(deltas) if deltas else None


def help_figures(school: School, school_year: SchoolYear) -> HelpFigures:
    """The year's requests of a school: by kind, mean time to first answer and to close, share passed on."""
    rows = list(
        HelpRequest.objects.filter(school=school, school_year=school_year)
        .order_by("pk")
        .values_list("kind", "state", "created_at", "first_answer_at", "closed_at", "passed_on_at")
    )
    kinds = dict.fromkeys(HelpRequest.Kind.values, 0)
    for kind, *_rest in rows:
        kinds[kind] += 1
    return HelpFigures(
        total=len(rows),
        by_kind=[(HelpRequest.Kind(kind).label, count) for kind, count in kinds.items()],
        open=sum(1 for row in rows if row[1] != HelpRequest.State.CLOSED),
        passed_on=sum(1 for row in rows if row[5] is not None),
        first_answer=_mean([row[3] - row[2] for row in rows if row[3]]),
        to_close=_mean([row[4] - row[2] for row in rows if row[4]]),
    )


def collectivity_passed_on(collectivity: Collectivity, school_year: SchoolYear) -> list[tuple[School, int]]:
    """How many requests each school of the collectivité passed on to it this year (counts only, no content)."""
    return [
        (school, school.passed_on)
        for school in School.objects.filter(collectivity=collectivity)
        .annotate(
            passed_on=Count(
                "help_requests",
                filter=Q(help_requests__school_year=school_year, help_requests__passed_on_at__isnull=False),
            )
        )
        .filter(passed_on__gt=0)
        .order_by("name", "uai")
    ]
