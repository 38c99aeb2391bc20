"""Personal data (RGPD): what the app holds about a person, as JSON (/mes-donnees/), and the anonymization of
staff who left long ago (management command anonymize_persons, beat job rupn.tasks.anonymize_persons).

Anonymization blanks names, e-mail and the link to an account; it keeps the person's row, so the missions they
held, their amounts and dates stay for accounting."""

import datetime

from django.db import transaction
from django.db.models import Max, Prefetch, Q, Value
from django.db.models.functions import Replace
from django.http import JsonResponse
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe

from badges.models import BadgeAward, Publication
from helpdesk.models import HelpRequest, HelpRequestEvent
from imp.models import AwardEvent
from missions.models import AllocationPlan, PlanRow
from notifications.models import SentEmail
from schools.models import Person

ANONYMOUS_NAME = "Anonyme"


def personal_data_export(user) -> dict:
    """Everything RUPN holds about this user: account, roles, staff records, missions held, e-mails sent."""
    persons = list(
        Person.objects.filter(Q(user=user) | Q(email__iexact=user.email)).select_related("school").order_by("pk")
    )
    rows = (
        PlanRow.objects.filter(holders__in=persons)
        .select_related("plan__school", "plan__school_year", "mission")
        .order_by("plan__school_year__start_year", "pk")
        .distinct()
    )
    return {
        "compte": {
            "adresse_electronique": user.email,
            "prenom": user.first_name,
            "nom": user.last_name,
            "cree_le": user.date_joined.isoformat(),
            "derniere_connexion": user.last_login.isoformat() if user.last_login else None,
            "identifiant_proconnect": user.oidc_sub,
        },
        "roles": [
            {
                "role": role.get_kind_display(),
                "etablissement": role.school.uai if role.school_id else None,
                "academie": role.academie.name if role.academie_id else None,
                "collectivite": role.collectivity.name if role.collectivity_id else None,
            }
            for role in user.roles.select_related("school", "academie", "collectivity").order_by("pk")
        ],
        "fiches_personnel": [
            {
                "etablissement": person.school.uai,
                "nom": person.last_name,
                "prenom": person.first_name,
                "adresse_electronique": person.email,
                "statut": person.get_status_display(),
                "discipline": person.discipline,
                "identifiant_sts_web": person.sts_id,
                "service_complet_cpge": person.full_service_cpge,
                "quitte_l_etablissement": person.leaving,
                "en_poste": person.is_active,
                "plus_en_poste_depuis": person.left_on.isoformat() if person.left_on else None,
            }
            for person in persons
        ],
        "missions": [
            {
                "etablissement": row.plan.school.uai,
                "annee": row.plan.school_year.name,
                "mission": str(row.mission),
                "service": row.service_name,
                "organisation": row.organisation,
            }
            for row in rows
        ],
        "plans_modifies_ou_soumis": [
            {"etablissement": plan.school.uai, "annee": plan.school_year.name, "etat": plan.get_state_display()}
            for plan in AllocationPlan.objects.filter(Q(updated_by=user) | Q(submitted_by=user))
            .select_related("school", "school_year")
            .order_by("pk")
        ],
        "courriels_envoyes": [
            {"objet": sent.subject, "envoye_le": sent.sent_at.isoformat()}
            for sent in SentEmail.objects.filter(recipient__iexact=user.email).order_by("sent_at")
        ],
        **_badges_export(user),
        "demandes_d_intervention": _help_requests_export(persons),
    }


def _help_requests_export(persons) -> list[dict]:
    """The requests this person filed in the help book, each with its history."""
    requests = (
        HelpRequest.objects.filter(author__in=persons)
        .select_related("school", "school_year")
        .prefetch_related(Prefetch("events", queryset=HelpRequestEvent.objects.order_by("at", "pk")))
        .order_by("created_at", "pk")
    )
    return [
        {
            "etablissement": request.school.uai,
            "annee": request.school_year.name,
            "deposee_le": request.created_at.isoformat(),
            "nature": request.get_kind_display(),
            "demande": request.subject,
            "outil": request.topic,
            "lieu": request.location,
            "precisions": request.description,
            "urgence": request.get_urgency_display(),
            "etat": request.get_state_display(),
            "ticket_collectivite": request.ticket_number,
            "historique": [
                {"etape": event.label, "le": event.at.isoformat(), "par": event.by_name, "message": event.note}
                for event in request.events.all()
            ],
        }
        for request in requests
    ]


def _badges_export(user) -> dict:
    """The Open Badges received (with their salt and hash) and the choices of what is public."""
    awards = BadgeAward.objects.filter(recipient=user).select_related("badge", "school_year").order_by("pk")
    return {
        "badges": [
            {
                "badge": award.badge.name,
                "annee": award.school_year.name if award.school_year_id else None,
                "delivre_le": award.issued_on.isoformat(),
                "note": award.note,
                "assertion": str(award.uid),
                "sel": award.salt,
                "empreinte": award.identity_hash,
                "revoque_le": award.revoked_at.isoformat() if award.revoked_at else None,
                "motif_revocation": award.revocation_reason,
            }
            for award in awards
        ],
        "parcours_publics": [
            {"annee": publication.school_year.name, "public": publication.public}
            for publication in Publication.objects.filter(user=user).select_related("school_year").order_by("pk")
        ],
    }


@never_cache  # personal data: never kept by a browser or a proxy (Cache-Control: no-store)
@require_safe
def my_data(request):
    response = JsonResponse(personal_data_export(request.user), json_dumps_params={"ensure_ascii": False, "indent": 2})
    response["Content-Disposition"] = 'attachment; filename="rupn-mes-donnees.json"'
    return response


def persons_to_anonymize(*, years: int, today: datetime.date | None = None):
    """Staff no longer in post who left `years` years ago or more.

    They left on Person.left_on (set when the principal marks them as no longer in post). For those who left before
    that date was kept, the end of the school year of their last mission stands for it (a school year N-N+1 ends in
    the summer of N+1); persons with neither are left alone: nothing says when they left."""
    today = today or timezone.localdate()
    try:
        cutoff = today.replace(year=today.year - years)
    except ValueError:  # 29 February
        cutoff = today.replace(year=today.year - years, day=28)
    last_start = today.year - years - 1  # the last school year start that ended at least `years` years ago
    return (
        Person.objects.filter(is_active=False)
        .exclude(last_name=ANONYMOUS_NAME, first_name="", email="")
        .annotate(last_year=Max("plan_rows__plan__school_year__start_year"))
        .filter(Q(left_on__lte=cutoff) | Q(left_on__isnull=True, last_year__isnull=False, last_year__lte=last_start))
    )


@transaction.atomic
def persons_anonymize(*, years: int, today: datetime.date | None = None) -> int:
    """Blank the names, e-mail and account link of the persons above; their missions and amounts stay."""
    people = list(
        persons_to_anonymize(years=years, today=today).values_list("pk", "school_id", "first_name", "last_name")
    )
    names_by_school: dict[int, list[str]] = {}
    for _pk, school_id, first_name, last_name in people:
        # Names written as text elsewhere: the rentrée copy's PlanRow.left_by (kept out of the audit) and the
        # before/after of the school's IMP awards' own history (AwardEvent.changes), matched in Python: JSON
        # text may escape accents.
        name = f"{first_name} {last_name}"
        PlanRow.objects.filter(left_by__contains=name).update(
            left_by=Replace("left_by", Value(name), Value(ANONYMOUS_NAME))
        )
        names_by_school.setdefault(school_id, []).append(name)
        # The help book's history names who took each step.
        HelpRequestEvent.objects.filter(request__school_id=school_id, by_name=name).update(by_name=ANONYMOUS_NAME)
    for school_id, names in names_by_school.items():  # each school's award history read once
        events = []
        for event in AwardEvent.objects.filter(award__school_id=school_id).exclude(changes=[]).order_by("pk"):
            changes = event.changes
            for name in names:
                changes = [
                    {
                        key: value.replace(name, ANONYMOUS_NAME) if isinstance(value, str) else value
                        for key, value in c.items()
                    }
                    for c in changes
                ]
            if changes != event.changes:
                event.changes = changes
                events.append(event)
        AwardEvent.objects.bulk_update(events, ["changes"])
    ids = [pk for pk, _school, _first, _last in people]
    return Person.objects.filter(pk__in=ids).update(
        last_name=ANONYMOUS_NAME, first_name="", email="", user=None, sts_id="", discipline=""
    )
