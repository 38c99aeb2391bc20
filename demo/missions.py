"""The missions part of `manage.py load_demo`: a few activities of the demo referent, the DANE's events of
2026-2027 (the referent registered to two), and the demo school's point d'étape. Looked up by natural keys:
a second run creates nothing."""

import datetime
import zoneinfo

from django.conf import settings

from activity.models import ActivityEntry, Review
from events.models import Event, EventRegistration
from missions.models import Mission
from schools.models import Academie, Person, School, SchoolYear, User

PARIS = zoneinfo.ZoneInfo(settings.TIME_ZONE)

# date, mission code, minutes, kind, ticket, description
ACTIVITIES = [
    (datetime.date(2026, 9, 8), "tools.ent_admin", 120, "ent", "", "Création des comptes ENT des élèves de 6e."),
    (datetime.date(2026, 9, 15), "support_teams", 90, "accompaniment", "", "Prise en main de l'ENT avec deux collègues de SVT."),
    (datetime.date(2026, 9, 22), "tools.tickets", 20, "ticket", "CD21-45872", "Vidéoprojecteur de la salle B12 en panne."),
    (datetime.date(2026, 10, 6), "communicate", 45, "other", "", "Relais de l'appel à projets de la DANE aux équipes."),
    (datetime.date(2026, 10, 13), "support_teams", 180, "training_given", "", "Atelier « Pearltrees en classe » pour six collègues."),
    (datetime.date(2026, 11, 17), "training", 60, "watch", "", "Veille : nouveautés de la BRNE en mathématiques."),
]  # fmt: skip


def _at(day: datetime.date, hour: int, minute: int = 0) -> datetime.datetime:
    return datetime.datetime(day.year, day.month, day.day, hour, minute, tzinfo=PARIS)


# title, kind, audience, start, end, place, link, capacity, the demo referent registered
EVENTS = [
    (
        "Formation PAF : l'ENT Éclat-BFC au quotidien",
        Event.Kind.TRAINING,
        Event.Audience.COLLEGES,
        _at(datetime.date(2026, 12, 9), 14),
        _at(datetime.date(2026, 12, 9), 17),
        "Réseau Canopé Dijon, 3 avenue Alain Savary",
        "",
        20,
        True,
    ),
    (
        "Rencontre annuelle des référents numériques",
        Event.Kind.MEETING,
        Event.Audience.ALL,
        _at(datetime.date(2027, 1, 14), 9),
        _at(datetime.date(2027, 1, 14), 16, 30),
        "Rectorat de Dijon, amphithéâtre",
        "",
        150,
        True,
    ),
    (
        "Classe virtuelle de fin d'année des référents",
        Event.Kind.VIRTUAL_CLASS,
        Event.Audience.ALL,
        _at(datetime.date(2027, 6, 17), 17),
        _at(datetime.date(2027, 6, 17), 18),
        "",
        "https://classe-virtuelle.ac-dijon.fr/rupn-fin-annee",
        None,
        False,
    ),
]


def load(
    *, academie: Academie, school: School, referent_person: Person, referent: User, principal: User, dane: User
) -> dict[str, int]:
    """Create what is missing; returns the counts created, by French label."""
    created = {"activités": 0, "événements": 0, "inscriptions": 0, "points d'étape": 0}
    missions = {m.code: m for m in Mission.objects.all()}
    for day, code, minutes, kind, ticket, description in ACTIVITIES:
        _entry, new = ActivityEntry.objects.get_or_create(
            person=referent_person,
            date=day,
            description=description,
            defaults={"mission": missions[code], "minutes": minutes, "kind": kind, "ticket_number": ticket},
        )
        created["activités"] += new
    for title, kind, audience, start, end, place, link, capacity, registered in EVENTS:
        event, new = Event.objects.get_or_create(
            academie=academie,
            title=title,
            defaults={
                "kind": kind,
                "audience": audience,
                "starts_at": start,
                "ends_at": end,
                "place": place,
                "link": link,
                "capacity": capacity,
                "created_by": dane,
            },
        )
        created["événements"] += new
        if registered:
            created["inscriptions"] += EventRegistration.objects.get_or_create(event=event, user=referent)[1]
    year, _new = SchoolYear.objects.get_or_create(start_year=2026)
    review, new = Review.objects.get_or_create(
        school=school,
        school_year=year,
        date=datetime.date(2026, 10, 15),
        defaults={
            "place": "Salle du conseil",
            "principal": principal,
            "dane_adviser": dane,
            "state": Review.State.DONE,
            "done_at": _at(datetime.date(2026, 10, 15), 18),
            "achievements": "ENT ouvert à toutes les classes ; deux ateliers pour les collègues.",
            "difficulties": "Vidéoprojecteurs anciens : beaucoup de tickets au prestataire du département.",
            "decisions": "Un second référent pour l'ENT ; une demande d'équipement au CD21 avant mars.",
            "training_needs": "Formation PAF sur l'ENT pour le nouveau référent.",
            "created_by": principal,
            "updated_by": principal,
        },
    )
    if new:
        review.referents.set([referent_person])
        created["points d'étape"] += 1
    return created
