"""The one access layer: which schools a user sees, and what they may do there.

Every view asks here. A school the user may not see is a 404 (never a leak);
a school they see but where their role may not do the thing is a 403.
"""

from enum import StrEnum

from django.core.exceptions import PermissionDenied
from django.db.models import Q
from django.http import Http404
from django.utils.translation import gettext as _

from schools.models import Academie, Collectivity, School
from schools.scopes import EMPTY_SCOPES, Scopes, user_scopes, visible_schools_q

__all__ = ["EMPTY_SCOPES", "Scopes", "user_scopes", "visible_schools_q"]  # the scopes live in schools.scopes


class Perm(StrEnum):
    VIEW_SCHOOL = "view_school"
    VIEW_PLAN = "view_plan"
    EDIT_PLAN = "edit_plan"
    MANAGE_STAFF = "manage_staff"
    EDIT_MEANS = "edit_means"
    EDIT_EQUIPMENT = "edit_equipment"
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


# Perms that only an académie-level role (DANE, rectorat) may hold.
ACADEMIE_ONLY_PERMS = frozenset(
    {
        Perm.VALIDATE_IMP,
        Perm.MANAGE_ENVELOPES,
        Perm.PRINT_BATCH,
        Perm.MANAGE_BADGES,
        Perm.FEATURE_PROJECTS,
        Perm.VIEW_DASHBOARD,
    }
)


ROLE_PERMS: dict[str, frozenset[Perm]] = {
    "principal": frozenset(Perm) - ACADEMIE_ONLY_PERMS,
    "referent": frozenset(
        {
            Perm.VIEW_SCHOOL,
            Perm.VIEW_PLAN,
            Perm.EDIT_EQUIPMENT,
            Perm.VIEW_PROCEDURES,
            Perm.VIEW_REVIEWS,
            Perm.VIEW_PROJECTS,
            Perm.EDIT_PROJECTS,
        }
    ),
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
    "collectivite": frozenset({Perm.VIEW_SCHOOL, Perm.VIEW_PLAN, Perm.VIEW_PROCEDURES}),
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


def get_school_or_404(user, uai: str, *, perm: Perm = Perm.VIEW_SCHOOL):
    """The school of this UAI if the user sees it (else 404) and holds perm there (else 403)."""
    school = (
        School.objects.visible_to(user)
        .select_related("departement__academie", "collectivity")
        .filter(uai=uai.upper())
        .first()
    )
    if school is None:
        raise Http404(_("Aucun établissement de votre périmètre ne porte cet UAI."))
    if perm not in school_perms(user, school):
        raise PermissionDenied(_("Votre rôle ne permet pas cette action dans cet établissement."))
    return school


def dane_academies(user):
    """The académies where this user is DANE staff (403 when none): the scope of the DANE's own pages."""
    return Academie.objects.filter(pk__in=require_dane(user)).order_by("name", "pk")


def user_collectivities(user):
    """The collectivités this user works for (403 when none)."""
    ids = user_scopes(user).collectivity_ids
    if not ids:
        raise PermissionDenied(_("Cette page est réservée aux collectivités de rattachement."))
    return Collectivity.objects.filter(pk__in=list(ids)).order_by("name", "pk")


def get_collectivity_or_404(user, code: str):
    """The collectivité of this code if the user works for it, else 404 (never a hint that it exists)."""
    collectivity = Collectivity.objects.filter(code=code.upper(), pk__in=list(user_scopes(user).collectivity_ids))
    found = collectivity.first()
    if found is None:
        raise Http404(_("Aucune collectivité de votre périmètre ne porte ce code."))
    return found


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
        raise PermissionDenied(_("Cette page est réservée à la DANE et au rectorat."))
    return academie_ids


def referent_school_ids(user) -> list[int]:
    """The schools where this user is a referent (no query: from the cached scopes)."""
    return sorted(pk for pk, kinds in user_scopes(user).school_roles.items() if "referent" in kinds)


def require_referent(user) -> list[int]:
    """The referent's schools, or 403 for a user who is no school's referent (the activity log is theirs)."""
    school_ids = referent_school_ids(user)
    if not school_ids:
        raise PermissionDenied(_("Cette page est réservée aux référents numériques."))
    return school_ids


def dane_academie_ids(user) -> list[int]:
    """The académies where this user works for the DANE."""
    return sorted(pk for pk, kinds in user_scopes(user).academie_roles.items() if "dane" in kinds)


def require_dane(user) -> list[int]:
    """The DANE user's académies, or 403 for anyone else (académie-level pages of the DANE)."""
    academie_ids = dane_academie_ids(user)
    if not academie_ids:
        raise PermissionDenied(_("Cette page est réservée à la DANE."))
    return academie_ids


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
