"""Reads for the badge pages, each in a fixed number of queries."""

from django.db.models import Count, Exists, OuterRef, Q
from django.utils.translation import gettext as _

from badges.models import BadgeAward, BadgeClass, Publication
from events.models import Event, EventRegistration
from missions.models import AllocationPlan, PlanRow
from schools.access import Perm, object_or_404, require_academie_perm
from schools.models import Academie, Role, SchoolYear, User


def existing_school_year(start_year: int) -> SchoolYear | None:
    """The school year starting in start_year if it is recorded (one query; never created)."""
    return SchoolYear.objects.filter(start_year=start_year).first()


def issuer_academies():
    """The académies that issued at least one badge: the public issuers."""
    return Academie.objects.filter(badges__isnull=False).distinct().order_by("pk")


def issuer_badges(user):
    """The badges of the académies whose DANE this user is, with their count of awards in force."""
    return (
        BadgeClass.objects.filter(academie_id__in=require_academie_perm(user, Perm.MANAGE_BADGES))
        .select_related("academie")
        .annotate(awarded=Count("awards", filter=Q(awards__revoked_at__isnull=True)))
        .order_by("academie__name", "name", "pk")
    )


def issuer_badge(user, pk: int) -> BadgeClass:
    """A badge of the user's DANE académies (403 for a user who is no DANE, 404 for another académie's badge)."""
    return object_or_404(
        BadgeClass.objects.filter(academie_id__in=require_academie_perm(user, Perm.MANAGE_BADGES))
        .select_related("academie")
        .order_by("pk"),
        _("Aucun badge de votre académie ne porte ce numéro."),
        pk=pk,
    )


def issuer_award(user, pk: int) -> BadgeAward:
    """A badge awarded by the user's DANE académies (403 for a user who is no DANE, 404 for another's)."""
    return object_or_404(
        BadgeAward.objects.filter(badge__academie_id__in=require_academie_perm(user, Perm.MANAGE_BADGES))
        .select_related("badge__academie", "recipient", "school_year")
        .order_by("pk"),
        _("Aucun badge délivré par votre académie ne porte ce numéro."),
        pk=pk,
    )


def badge_awards(badge: BadgeClass):
    return badge.awards.select_related("recipient", "school_year", "awarded_by").order_by(
        "revoked_at", "-issued_on", "pk"
    )


def _referent_roles(academie):
    return Role.objects.filter(kind=Role.Kind.REFERENT, school__departement__academie=academie)


def referent_user_ids(academie, user_ids) -> set[int]:
    """Those of these users who are referents of a school of the académie."""
    return set(_referent_roles(academie).filter(user_id__in=list(user_ids)).values_list("user_id", flat=True))


def held_mission_in_submitted_plan(academie, school_year):
    """Users holding a row of a plan submitted to the CA for that year, in the académie ("a tenu une mission")."""
    return PlanRow.objects.filter(
        plan__state=AllocationPlan.State.SUBMITTED,
        plan__school_year=school_year,
        plan__school__departement__academie=academie,
        holders__user=OuterRef("pk"),
    )


def attended_yearly_meeting(academie, school_year):
    """Users marked present at a "rencontre annuelle des référents" of the académie that started in the year."""
    return EventRegistration.objects.filter(
        user=OuterRef("pk"),
        attended=True,
        event__academie=academie,
        event__kind=Event.Kind.MEETING,
        event__starts_at__date__gte=school_year.start_date,
        event__starts_at__date__lte=school_year.end_date,
    )


def referent_candidates(
    badge: BadgeClass, *, school_year, departement=None, full_year: bool = False, attended: bool = False
) -> list[User]:
    """The académie's referents filtered for a bulk award (two queries), each with .schools, .full_year,
    .attended and .has_badge (holds this badge for the year, not revoked)."""
    roles = _referent_roles(badge.academie)
    if departement is not None:
        roles = roles.filter(school__departement=departement)
    users = User.objects.filter(pk__in=roles.values("user_id")).annotate(
        full_year=Exists(held_mission_in_submitted_plan(badge.academie, school_year)),
        attended=Exists(attended_yearly_meeting(badge.academie, school_year)),
        has_badge=Exists(
            BadgeAward.objects.filter(
                badge=badge, recipient=OuterRef("pk"), school_year=school_year, revoked_at__isnull=True
            )
        ),
    )
    if full_year:
        users = users.filter(full_year=True)
    if attended:
        users = users.filter(attended=True)
    users = list(users.order_by("last_name", "first_name", "pk"))
    schools: dict[int, list[str]] = {}
    for user_id, name in (
        roles.filter(user_id__in=[user.pk for user in users])
        .order_by("school__name", "pk")
        .values_list("user_id", "school__name")
    ):
        schools.setdefault(user_id, []).append(name)
    for user in users:
        user.schools = schools.get(user.pk, [])
    return users


def my_awards(user):
    return (
        BadgeAward.objects.filter(recipient=user)
        .select_related("badge__academie", "school_year")
        .order_by("revoked_at", "-issued_on", "pk")
    )


def my_award(user, uid) -> BadgeAward:
    return object_or_404(
        my_awards(user),
        _("Vous n'avez pas de badge en cours de validité à ce numéro."),
        uid=uid,
        revoked_at__isnull=True,
    )


def publication_for(award: BadgeAward) -> Publication | None:
    """The publication choice that decides whether the assertion carries evidence."""
    if award.school_year_id is None:
        return None
    return Publication.objects.filter(user_id=award.recipient_id, school_year_id=award.school_year_id).first()


def public_record(token: str) -> tuple[Publication, list[BadgeAward], list[PlanRow]]:
    """A public record page: the year's badges in force and the missions held in submitted plans; 404 unless
    the referent made that year public."""
    publication = object_or_404(
        Publication.objects.select_related("user", "school_year").order_by("pk"),
        _("Ce parcours n'est pas public."),
        token=token,
        public=True,
    )
    awards = list(
        BadgeAward.objects.filter(
            recipient=publication.user, school_year=publication.school_year, revoked_at__isnull=True
        )
        .select_related("badge__academie")
        .order_by("badge__name", "pk")
    )
    rows = list(
        PlanRow.objects.filter(
            pk__in=PlanRow.objects.filter(
                plan__state=AllocationPlan.State.SUBMITTED,
                plan__school_year=publication.school_year,
                holders__user=publication.user,
            ).values("pk")
        )
        .select_related("mission", "plan__school")
        .order_by("plan__school__name", "mission__position", "service_name", "pk")
    )
    return publication, awards, rows
