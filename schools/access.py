"""The one access layer: which schools a user sees, and what they may do there.

Every view asks here. A school the user may not see is a 404 (never a leak);
a school they see but where their role may not do the thing is a 403.
"""

from dataclasses import dataclass
from enum import StrEnum
from functools import wraps
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db.models import Q
from django.http import Http404
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from schools.models import Academie, Collectivity, School
from schools.scopes import EMPTY_SCOPES, Scopes, user_scopes, visible_schools_q
from schools.selectors import school_year_or_404

__all__ = ["EMPTY_SCOPES", "Scopes", "user_scopes", "visible_schools_q"]  # the scopes live in schools.scopes


class Perm(StrEnum):
    VIEW_SCHOOL = "view_school"
    VIEW_PLAN = "view_plan"
    EDIT_PLAN = "edit_plan"
    MANAGE_STAFF = "manage_staff"
    EDIT_MEANS = "edit_means"
    EDIT_EQUIPMENT = "edit_equipment"
    ANSWER_EQUIPMENT = "answer_equipment"  # collectivité: accept, refuse or deliver the schools' equipment requests
    VIEW_PROCEDURES = "view_procedures"
    VIEW_LETTERS = "view_letters"  # every lettre de mission of the school (a referent reads their own)
    PRINT_BATCH = "print_batch"  # académie roles: print every CA sheet of a département or the académie
    VIEW_SCHOOL_ACTIVITY = "view_school_activity"  # the activity log of the school's referents
    VIEW_REVIEWS = "view_reviews"  # points d'étape and their minutes
    MANAGE_REVIEWS = "manage_reviews"  # schedule a point d'étape, record its minutes
    VIEW_IMP = "view_imp"  # the school's IMP awards, envelope, schedule and history
    MANAGE_IMP = "manage_imp"  # propose awards, record CP/CA opinions, reductions, leaves, service done
    VALIDATE_IMP = "validate_imp"  # rectorat: validate or reject awards, put them into payment
    MANAGE_ENVELOPES = "manage_envelopes"  # rectorat: set and import the schools' IMP envelopes
    MANAGE_BADGES = "manage_badges"  # DANE: define the académie's Open Badges, award and revoke them
    VIEW_PROJECTS = "view_projects"  # the school's digital-education projects (recognition)
    EDIT_PROJECTS = "edit_projects"  # record, change and delete them: principal and referents
    FEATURE_PROJECTS = "feature_projects"  # DANE: feature a project of its académie ("valoriser les usages")
    VIEW_AUDIT = "view_audit"  # the history of plans, IMP, envelopes, authorized actions and roles (README "Audit")
    VIEW_DASHBOARD = "view_dashboard"  # académie roles: the académie's dashboard, its table of schools and exports
    IMPORT_DIRECTORY = "import_directory"  # DANE: load the académie's schools from the ministry's directory
    MANAGE_EVENTS = "manage_events"  # DANE: publish the académie's events, change them, record attendance
    FOLLOW_REFERENTS = "follow_referents"  # DANE: the activity and points d'étape of every school of the académie
    LOG_ACTIVITY = "log_activity"  # referent: keep one's own activity log
    ATTEND_EVENTS = "attend_events"  # referent: register for the DANE's events
    VIEW_TEAM_PAGE = "view_team_page"  # "Le numérique dans mon établissement": every member of the school
    FILE_HELP_REQUEST = "file_help_request"  # teacher: file a request in the help book, follow one's own
    HANDLE_HELP_REQUESTS = "handle_help_requests"  # referents and principal: every request of the school
    VIEW_HELP_FIGURES = "view_help_figures"  # principal: the year's figures of the help book, CSV export
    RUN_SESSIONS = "run_sessions"  # referent: schedule the sessions de prise en main, record attendance
    ATTEND_SESSIONS = "attend_sessions"  # teacher: register for them and unregister


# Perms that only an académie-level role (DANE, rectorat) may hold.
ACADEMIE_ONLY_PERMS = frozenset(
    {
        Perm.VALIDATE_IMP,
        Perm.MANAGE_ENVELOPES,
        Perm.PRINT_BATCH,
        Perm.MANAGE_BADGES,
        Perm.FEATURE_PROJECTS,
        Perm.VIEW_DASHBOARD,
        Perm.MANAGE_EVENTS,
        Perm.FOLLOW_REFERENTS,
        Perm.IMPORT_DIRECTORY,
    }
)

# Perms that are the referent's own (their log, their events): a principal does not hold them.
REFERENT_ONLY_PERMS = frozenset({Perm.LOG_ACTIVITY, Perm.ATTEND_EVENTS, Perm.RUN_SESSIONS})
# Perms that are the teacher's own (the requests they file, the sessions they attend).
TEACHER_ONLY_PERMS = frozenset({Perm.FILE_HELP_REQUEST, Perm.ATTEND_SESSIONS})
# Perms of the collectivité (its answers to the schools): no school or académie role holds them.
COLLECTIVITY_ONLY_PERMS = frozenset({Perm.ANSWER_EQUIPMENT})


ROLE_PERMS: dict[str, frozenset[Perm]] = {
    "principal": frozenset(Perm)
    - ACADEMIE_ONLY_PERMS
    - REFERENT_ONLY_PERMS
    - COLLECTIVITY_ONLY_PERMS
    - TEACHER_ONLY_PERMS,
    "referent": frozenset(
        {
            Perm.VIEW_SCHOOL,
            Perm.VIEW_PLAN,
            Perm.EDIT_EQUIPMENT,
            Perm.VIEW_PROCEDURES,
            Perm.VIEW_REVIEWS,
            Perm.VIEW_PROJECTS,
            Perm.EDIT_PROJECTS,
            Perm.LOG_ACTIVITY,
            Perm.ATTEND_EVENTS,
            Perm.VIEW_TEAM_PAGE,
            Perm.HANDLE_HELP_REQUESTS,
            Perm.RUN_SESSIONS,
        }
    ),
    # A teacher sees the team page, their own requests and the sessions: never the plan, IMP or staff data.
    "enseignant": frozenset({Perm.VIEW_TEAM_PAGE, Perm.FILE_HELP_REQUEST, Perm.ATTEND_SESSIONS, Perm.VIEW_PROCEDURES}),
    "dane": frozenset(
        {
            Perm.VIEW_SCHOOL,
            Perm.VIEW_PLAN,
            Perm.PRINT_BATCH,
            Perm.VIEW_REVIEWS,
            Perm.MANAGE_REVIEWS,
            Perm.VIEW_IMP,
            Perm.MANAGE_BADGES,
            Perm.VIEW_PROJECTS,
            Perm.FEATURE_PROJECTS,
            Perm.VIEW_AUDIT,
            Perm.VIEW_DASHBOARD,
            Perm.MANAGE_EVENTS,
            Perm.FOLLOW_REFERENTS,
            Perm.IMPORT_DIRECTORY,
        }
    ),
    "rectorat": frozenset(
        {
            Perm.VIEW_SCHOOL,
            Perm.VIEW_PLAN,
            Perm.PRINT_BATCH,
            Perm.VIEW_REVIEWS,
            Perm.VIEW_IMP,
            Perm.VALIDATE_IMP,
            Perm.MANAGE_ENVELOPES,
            Perm.VIEW_PROJECTS,
            Perm.VIEW_AUDIT,
            Perm.VIEW_DASHBOARD,
        }
    ),
    "collectivite": frozenset({Perm.VIEW_SCHOOL, Perm.VIEW_PLAN, Perm.VIEW_PROCEDURES, Perm.ANSWER_EQUIPMENT}),
}


def roles_in_school(user, school) -> frozenset[str]:
    """The role kinds through which this user reaches this school."""
    scopes = user_scopes(user)
    kinds = set(scopes.school_roles.get(school.pk, ()))
    kinds |= scopes.academie_roles.get(school.departement.academie_id, frozenset())
    if school.collectivity_id in scopes.collectivity_ids:
        kinds.add("collectivite")
    return frozenset(kinds)


def school_perms(user, school) -> frozenset[Perm]:
    """What this user may do in this school (get_abilities, for the UI and the views)."""
    perms: set[Perm] = set()
    for kind in roles_in_school(user, school):
        perms |= ROLE_PERMS[kind]
    return frozenset(perms)


def get_school_or_404(user, uai: str, *, perm: Perm | None = Perm.VIEW_SCHOOL):
    """The school of this UAI if the user sees it (else 404) and holds perm there (else 403; None: no check)."""
    school = (
        School.objects.visible_to(user)
        .select_related("departement__academie", "collectivity")
        .filter(uai=uai.upper())
        .first()
    )
    if school is None:
        raise Http404(_("Aucun établissement de votre périmètre ne porte cet UAI."))
    if perm is not None and perm not in school_perms(user, school):
        raise PermissionDenied(_("Votre rôle ne permet pas cette action dans cet établissement."))
    return school


def user_collectivities(user):
    """The collectivités this user works for (403 when none)."""
    ids = user_scopes(user).collectivity_ids
    if not ids:
        raise PermissionDenied(_("Cette page est réservée aux collectivités de rattachement."))
    return Collectivity.objects.filter(pk__in=list(ids)).order_by("name", "pk")


def get_collectivity_or_404(user, code: str):
    """The collectivité of this code if the user works for it, else 404 (never a hint that it exists)."""
    return object_or_404(
        Collectivity.objects.filter(pk__in=list(user_scopes(user).collectivity_ids)).order_by("pk"),
        _("Aucune collectivité de votre périmètre ne porte ce code."),
        code=code.upper(),
    )


def may_view_letter(user, school, person) -> bool:
    """A lettre de mission is personal: the principal's (VIEW_LETTERS), or a referent's own."""
    perms = school_perms(user, school)
    if Perm.VIEW_LETTERS in perms:
        return True
    return (
        Perm.VIEW_PLAN in perms
        and person.user_id is not None
        and person.user_id == user.pk
        and "referent" in roles_in_school(user, school)
    )


ACADEMIE_REFUSAL = gettext_lazy("Cette page est réservée à la DANE et au rectorat.")
DANE_REFUSAL = gettext_lazy("Cette page est réservée à la DANE.")
REFERENT_REFUSAL = gettext_lazy("Cette page est réservée aux référents numériques.")
REFUSALS = {
    Perm.MANAGE_BADGES: DANE_REFUSAL,
    Perm.MANAGE_EVENTS: DANE_REFUSAL,
    Perm.FOLLOW_REFERENTS: DANE_REFUSAL,
    Perm.IMPORT_DIRECTORY: DANE_REFUSAL,
    Perm.LOG_ACTIVITY: REFERENT_REFUSAL,
    Perm.ATTEND_EVENTS: REFERENT_REFUSAL,
    Perm.RUN_SESSIONS: REFERENT_REFUSAL,
    Perm.FILE_HELP_REQUEST: gettext_lazy("Cette page est réservée aux enseignants de l'établissement."),
    Perm.ATTEND_SESSIONS: gettext_lazy("Cette page est réservée aux enseignants de l'établissement."),
}


def academie_ids_with(user, perm: Perm) -> list[int]:
    """The académies where one of the user's académie-wide roles (DANE, rectorat) grants perm."""
    return sorted(
        academie_id
        for academie_id, kinds in user_scopes(user).academie_roles.items()
        if any(perm in ROLE_PERMS[kind] for kind in kinds)
    )


def require_academie_perm(user, perm: Perm) -> list[int]:
    """For académie-level pages: the user's académies for perm, or 403 when they hold none."""
    academie_ids = academie_ids_with(user, perm)
    if not academie_ids:
        raise PermissionDenied(REFUSALS.get(perm, ACADEMIE_REFUSAL))
    return academie_ids


def academies_with(user, perm: Perm):
    """The académies where the user holds perm (403 when none): the scope of an académie-level page."""
    return Academie.objects.filter(pk__in=require_academie_perm(user, perm)).order_by("name", "pk")


def school_ids_with(user, perm: Perm) -> list[int]:
    """The schools where one of the user's school roles grants perm (no query: from the cached scopes)."""
    return sorted(
        school_id
        for school_id, kinds in user_scopes(user).school_roles.items()
        if any(perm in ROLE_PERMS[kind] for kind in kinds)
    )


def require_school_perm(user, perm: Perm) -> list[int]:
    """For a person's own pages (a referent's log): the schools where they hold perm, or 403 when none."""
    school_ids = school_ids_with(user, perm)
    if not school_ids:
        raise PermissionDenied(REFUSALS.get(perm, _("Votre rôle ne permet pas d'ouvrir cette page.")))
    return school_ids


def object_or_404(queryset, message: str, **lookup):
    """The one object of this (already scoped) queryset matching lookup, or a 404 saying message.

    Every object lookup of a page goes through a queryset the access layer or a selector scoped to the user,
    then here: another school's or académie's object is a 404, never a hint that it exists.
    """
    found = queryset.filter(**lookup).first()
    if found is None:
        raise Http404(message)
    return found


@dataclass(frozen=True)
class SchoolPage:
    """What a school page is handed by @school_page: the school, the year (None without one), the user's perms."""

    school: Any
    school_year: Any
    perms: frozenset[Perm]

    def can(self, perm: Perm) -> bool:
        return perm in self.perms


def school_page(perm: Perm = Perm.VIEW_SCHOOL, *, post: Perm | None = None):
    """View decorator for the pages under /etablissements/<uai>/[<year>/]: one prologue for all of them.

    The school must be in the user's scope (else 404) and the user must hold perm there (else 403); then the
    year must exist (else 404); a POST needs the post perm too (else 403). The view is called as
    view(request, page, **other_url_kwargs) with page a SchoolPage.
    """

    def decorator(view):
        @wraps(view)
        def wrapped(request, uai: str, year: str | None = None, **kwargs):
            school = get_school_or_404(request.user, uai, perm=perm)
            school_year = school_year_or_404(year) if year is not None else None
            perms = school_perms(request.user, school)
            if request.method == "POST" and post is not None and post not in perms:
                raise PermissionDenied
            return view(request, SchoolPage(school, school_year, perms), **kwargs)

        return wrapped

    return decorator


def visible_academie_ids(user) -> frozenset[int]:
    """The académies this user reaches: their académie roles, and the académies of the schools they see."""
    scopes = user_scopes(user)
    cached = getattr(user, "_rupn_academies", None)
    if cached is not None:
        return cached
    ids = set(scopes.academie_roles)
    if scopes.school_roles or scopes.collectivity_ids:
        q = Q(pk__in=list(scopes.school_roles)) | Q(collectivity_id__in=list(scopes.collectivity_ids))
        ids |= set(School.objects.filter(q).values_list("departement__academie_id", flat=True).distinct().order_by())
    user._rupn_academies = frozenset(ids)
    return user._rupn_academies
