"""A user's scopes (the schools, académies and collectivités their roles reach): read by schools.models
(School.objects.visible_to) and by the access layer (schools.access). It imports no model, so the two need
no cycle."""

from dataclasses import dataclass

from django.db.models import Q


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
