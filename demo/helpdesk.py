"""The team's part of the demo (called by demo.loader): a teacher login, requests in every state, an upcoming
session, once.

The teacher is a member of the demo school's staff who holds no mission; the requests are theirs and a colleague's,
handled by the demo referent."""

import datetime

from django.contrib.auth.hashers import make_password
from django.utils import timezone

from helpdesk.models import HelpRequest, HelpRequestEvent, TeamSession
from schools.models import Person, Role, School, SchoolYear, User

S = HelpRequest.State
# subject, kind, location, state, the steps after filing (action, note), whose (0: the demo teacher, 1: a colleague)
REQUESTS = [
    ("Le vidéoprojecteur de la B12 ne s'allume plus", "incident", "Salle B12", S.NEW, [], 0),
    ("Comment créer un QCM dans l'ENT ?", "accompagnement", "", S.TAKEN, [("take", "")], 0),
    (
        "Les élèves de 4e C n'ont plus accès à Pearltrees",
        "incident",
        "Salle informatique",
        S.QUESTION,
        [("take", ""), ("ask", "Depuis quand ? Tous les élèves ou quelques-uns ?")],
        0,
    ),
    ("Partager un cahier de textes avec un collègue", "accompagnement", "", S.SOLVED, [("solve", "Fait ensemble.")], 1),
    (
        "Tablettes : la borne wifi du CDI ne répond plus",
        "incident",
        "CDI",
        S.PASSED_ON,
        [("take", ""), ("pass_on", "Ticket ouvert chez le département.")],
        0,
    ),
    (
        "Imprimante de la salle des professeurs hors service",
        "incident",
        "Salle des professeurs",
        S.CLOSED,
        [("take", ""), ("pass_on", ""), ("close", "Réparée par le prestataire.")],
        1,
    ),
]
TEACHER_EMAIL = "enseignant@demo.rupn.fr"


def _teacher(school: School, referent_person: Person, password: str, created: dict) -> tuple[User, list[Person]]:
    teachers = list(
        Person.objects.filter(school=school, is_active=True, leaving=False, status=Person.Status.TEACHER)
        .exclude(pk=referent_person.pk)
        .filter(plan_rows__isnull=True)
        .order_by("last_name", "first_name", "pk")[:2]
    )
    user = User.objects.filter(email=TEACHER_EMAIL).first()
    if user is None:
        first = teachers[0]
        user = User.objects.create(
            email=TEACHER_EMAIL,
            first_name=first.first_name,
            last_name=first.last_name,
            password=make_password(password),
        )
        created["comptes"] = created.get("comptes", 0) + 1
    if not Role.objects.filter(user=user, kind=Role.Kind.TEACHER, school=school).exists():
        Role.objects.create(user=user, kind=Role.Kind.TEACHER, school=school)
        created["rôles"] = created.get("rôles", 0) + 1
    person = Person.objects.filter(school=school, user=user).first() or teachers[0]
    if person.user_id is None:
        person.user = user
        person.save(update_fields=["user"])
    others = [p for p in teachers if p.pk != person.pk]
    return user, [person, *others]


def load_helpdesk_demo(
    *, school: School, year: SchoolYear, referent_person: Person, referent: User, password: str, created: dict
) -> str:
    """Create what is missing; returns the demo teacher's e-mail."""
    created["demandes d'intervention"] = created["sessions de prise en main"] = 0
    user, authors = _teacher(school, referent_person, password, created)
    start = timezone.now() - datetime.timedelta(days=len(REQUESTS) + 1)
    for n, (subject, kind, location, state, steps, whose) in enumerate(REQUESTS):
        author = authors[min(whose, len(authors) - 1)]
        if HelpRequest.objects.filter(school=school, subject=subject).exists():
            continue
        filed = start + datetime.timedelta(days=n)
        request = HelpRequest.objects.create(
            school=school,
            school_year=year,
            author=author,
            kind=kind,
            subject=subject,
            location=location,
            state=state,
            handler=referent_person if steps else None,
            created_at=filed,
            first_answer_at=filed + datetime.timedelta(hours=2) if steps else None,
            ticket_number=f"CD21-{4500 + n}" if state in (S.PASSED_ON, S.CLOSED) else "",
            ticket_url=f"https://assistance.cotedor.example/tickets/{4500 + n}" if state == S.PASSED_ON else "",
            passed_on_at=filed + datetime.timedelta(hours=3) if state in (S.PASSED_ON, S.CLOSED) else None,
            closed_at=filed + datetime.timedelta(days=1) if state == S.CLOSED else None,
            updated_at=filed,
        )
        HelpRequestEvent.objects.create(
            request=request, action="file", state=S.NEW, by=author.user, by_name=author.full_name, at=filed
        )
        for hours, (action, note) in enumerate(steps, start=2):
            HelpRequestEvent.objects.create(
                request=request,
                action=action,
                state=state,
                note=note,
                by=referent,
                by_name=referent.get_full_name(),
                at=filed + datetime.timedelta(hours=hours),
            )
        created["demandes d'intervention"] += 1
    day = timezone.localdate() + datetime.timedelta(days=10)
    _session, new = TeamSession.objects.get_or_create(
        school=school,
        topic="Prendre en main le cahier de textes de l'ENT",
        defaults={
            "school_year": year,
            "referent": referent_person,
            "starts_at": timezone.make_aware(datetime.datetime.combine(day, datetime.time(12, 30))),
            "minutes": 45,
            "room": "CDI",
            "places": 8,
        },
    )
    created["sessions de prise en main"] += int(new)
    return user.email
