"""The one access layer: which schools a user sees, and what they may do there.

Every view asks here. A school the user may not see is a 404 (never a leak);
a school they see but where their role may not do the thing is a 403.
"""

from dataclasses import dataclass
from enum import StrEnum

from django.core.exceptions import PermissionDenied
from django.db.models import Q
from django.http import Http404
from django.utils.translation import gettext as _


class Perm(StrEnum):
    VIEW_SCHOOL = "view_school"
    VIEW_PLAN = "view_plan"
    EDIT_PLAN = "edit_plan"
    MANAGE_STAFF = "manage_staff"
    EDIT_MEANS = "edit_means"
    EDIT_EQUIPMENT = "edit_equipment"
    VIEW_PROCEDURES = "view_procedures"


ROLE_PERMS: dict[str, frozenset[Perm]] = {
    "principal": frozenset(Perm),
    "referent": frozenset({Perm.VIEW_SCHOOL, Perm.VIEW_PLAN, Perm.EDIT_EQUIPMENT, Perm.VIEW_PROCEDURES}),
    "dane": frozenset({Perm.VIEW_SCHOOL, Perm.VIEW_PLAN}),
    "rectorat": frozenset({Perm.VIEW_SCHOOL, Perm.VIEW_PLAN}),
    "collectivite": frozenset({Perm.VIEW_SCHOOL, Perm.VIEW_PLAN, Perm.VIEW_PROCEDURES}),
}


@dataclass(frozen=True)
class Scopes:
    """A user's roles, loaded once per request."""

    school_roles: dict[int, frozenset[str]]  # school id -> role kinds held there
    academie_roles: dict[int, frozenset[str]]  # académie id -> role kinds
    collectivity_ids: frozenset[int]

    @property
    def kinds(self) -> frozenset[str]:
        kinds = set()
        for roles in (*self.school_roles.values(), *self.academie_roles.values()):
            kinds |= roles
        if self.collectivity_ids:
            kinds.add("collectivite")
        return frozenset(kinds)


EMPTY_SCOPES = Scopes({}, {}, frozenset())


def user_scopes(user) -> Scopes:
    """The user's roles by scope (one query, cached on the user object)."""
    if not getattr(user, "is_authenticated", False):
        return EMPTY_SCOPES
    cached = getattr(user, "_rupn_scopes", None)
    if cached is not None:
        return cached
    school_roles: dict[int, set[str]] = {}
    academie_roles: dict[int, set[str]] = {}
    collectivity_ids: set[int] = set()
    for kind, school_id, academie_id, collectivity_id in user.roles.order_by("pk").values_list(
        "kind", "school_id", "academie_id", "collectivity_id"
    ):
        if school_id:
            school_roles.setdefault(school_id, set()).add(kind)
        elif academie_id:
            academie_roles.setdefault(academie_id, set()).add(kind)
        elif collectivity_id:
            collectivity_ids.add(collectivity_id)
    scopes = Scopes(
        {k: frozenset(v) for k, v in school_roles.items()},
        {k: frozenset(v) for k, v in academie_roles.items()},
        frozenset(collectivity_ids),
    )
    user._rupn_scopes = scopes
    return scopes


def visible_schools_q(user) -> Q:
    """A filter on School for the schools this user may see."""
    scopes = user_scopes(user)
    q = Q(pk__in=[])
    if scopes.school_roles:
        q |= Q(pk__in=list(scopes.school_roles))
    if scopes.academie_roles:
        q |= Q(departement__academie_id__in=list(scopes.academie_roles))
    if scopes.collectivity_ids:
        q |= Q(collectivity_id__in=list(scopes.collectivity_ids))
    return q


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
    from schools.models import School

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
    from schools.models import Academie

    ids = [pk for pk, kinds in user_scopes(user).academie_roles.items() if "dane" in kinds]
    if not ids:
        raise PermissionDenied(_("Cette page est réservée à la DANE."))
    return Academie.objects.filter(pk__in=ids).order_by("name", "pk")


def user_collectivities(user):
    """The collectivités this user works for (403 when none)."""
    from schools.models import Collectivity

    ids = user_scopes(user).collectivity_ids
    if not ids:
        raise PermissionDenied(_("Cette page est réservée aux collectivités de rattachement."))
    return Collectivity.objects.filter(pk__in=list(ids)).order_by("name", "pk")


def get_collectivity_or_404(user, code: str):
    """The collectivité of this code if the user works for it, else 404 (never a hint that it exists)."""
    from schools.models import Collectivity

    collectivity = Collectivity.objects.filter(code=code.upper(), pk__in=list(user_scopes(user).collectivity_ids))
    found = collectivity.first()
    if found is None:
        raise Http404(_("Aucune collectivité de votre périmètre ne porte ce code."))
    return found


def academie_staff_academies(user):
    """The académies where this user is DANE or rectorat staff (403 when none): the dashboard's scope."""
    from schools.models import Academie

    ids = [pk for pk, kinds in user_scopes(user).academie_roles.items() if kinds & {"dane", "rectorat"}]
    if not ids:
        raise PermissionDenied(_("Cette page est réservée à la DANE et au rectorat."))
    return Academie.objects.filter(pk__in=ids).order_by("name", "pk")
