"""The educational team served: the help-request book (carnet de demandes d'intervention) and its history, the
sessions de prise en main and their registrations."""

import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from missions.models import PlanRow
from schools.access import Perm
from schools.models import Person, School, SchoolYear


def help_screenshot_path(instance, filename: str) -> str:
    """A name nobody can guess: screenshots are served only by a view that checks who asks."""
    return f"demandes/{uuid.uuid4().hex}.{instance.screenshot_format or 'png'}"


class HelpRequest(models.Model):
    """One request of a teacher to the school's referents: an incident, or a question (accompagnement)."""

    class Kind(models.TextChoices):
        INCIDENT = "incident", _("Incident")
        SUPPORT = "accompagnement", _("Accompagnement (comment faire…)")

    class Urgency(models.TextChoices):
        LOW = "low", _("Peut attendre")
        NORMAL = "normal", _("Dans la semaine")
        HIGH = "high", _("Bloquant : au plus vite")

    class State(models.TextChoices):
        NEW = "new", _("Nouvelle")
        TAKEN = "taken", _("Prise en charge")
        QUESTION = "question", _("Question posée à l'enseignant")
        SOLVED = "solved", _("Résolue")
        PASSED_ON = "passed_on", _("Transmise à la collectivité")
        CLOSED = "closed", _("Clôturée")

    school = models.ForeignKey(
        School, on_delete=models.CASCADE, related_name="help_requests", verbose_name=_("établissement")
    )
    school_year = models.ForeignKey(SchoolYear, on_delete=models.PROTECT, related_name="+", verbose_name=_("année"))
    author = models.ForeignKey(
        Person, on_delete=models.PROTECT, related_name="help_requests", verbose_name=_("demandeur")
    )
    kind = models.CharField(_("nature"), max_length=20, choices=Kind.choices, default=Kind.INCIDENT)
    # The row of the plan it concerns (ENT, site web, tablettes, a service…): its holders are told. Empty: the
    # referents of "Remontée des tickets" (incident) or "Accompagner l'équipe" (accompagnement).
    row = models.ForeignKey(
        PlanRow, null=True, blank=True, on_delete=models.SET_NULL, related_name="+", verbose_name=_("outil concerné")
    )
    topic = models.CharField(_("outil concerné"), max_length=200, blank=True)
    subject = models.CharField(_("quel est le problème ?"), max_length=200)
    description = models.TextField(_("précisions"), blank=True)
    location = models.CharField(_("où ? (salle ou équipement)"), max_length=200, blank=True)
    urgency = models.CharField(_("urgence"), max_length=10, choices=Urgency.choices, default=Urgency.NORMAL)
    screenshot = models.FileField(_("capture d'écran"), upload_to=help_screenshot_path, max_length=200, blank=True)
    screenshot_format = models.CharField(max_length=4, blank=True, editable=False)  # "png" or "jpeg"
    state = models.CharField(_("état"), max_length=20, choices=State.choices, default=State.NEW)
    handler = models.ForeignKey(
        Person, null=True, blank=True, on_delete=models.SET_NULL, related_name="+", verbose_name=_("pris en charge par")
    )
    ticket_number = models.CharField(_("numéro du ticket"), max_length=50, blank=True)
    ticket_url = models.URLField(_("lien vers le ticket"), max_length=300, blank=True)
    created_at = models.DateTimeField(_("déposée le"), default=timezone.now)
    first_answer_at = models.DateTimeField(_("première réponse le"), null=True, blank=True)
    passed_on_at = models.DateTimeField(_("transmise le"), null=True, blank=True)
    closed_at = models.DateTimeField(_("clôturée le"), null=True, blank=True)
    version = models.PositiveIntegerField(default=1, editable=False)
    updated_at = models.DateTimeField(_("modifiée le"), default=timezone.now)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        verbose_name = _("demande d'intervention")
        verbose_name_plural = _("demandes d'intervention")
        ordering = ["-created_at", "-pk"]
        indexes = [
            models.Index(fields=["school", "school_year", "state"]),
            models.Index(fields=["author", "created_at"]),
        ]
        constraints = [
            models.CheckConstraint(
                name="help_request_passed_on_has_ticket",
                condition=Q(passed_on_at__isnull=True) | ~Q(ticket_number=""),
            ),
            models.CheckConstraint(
                name="help_request_closed_has_date", condition=~Q(state="closed") | Q(closed_at__isnull=False)
            ),
        ]

    def __str__(self) -> str:
        return self.subject

    def abilities(self, user, perms) -> dict[str, bool]:
        """What this user, holding perms in the request's school, may do with it now (HELP_TRANSITIONS)."""
        is_author = self.author.user_id is not None and self.author.user_id == user.pk
        return {
            action: self.state in sources and (is_author if perm is AUTHOR else perm in perms)
            for action, (sources, _target, perm, _label) in HELP_TRANSITIONS.items()
        }

    @property
    def is_open(self) -> bool:
        return self.state != self.State.CLOSED


AUTHOR = object()  # a transition only the request's author may take (answering the referent's question)

_S = HelpRequest.State
# The one table of what may happen to a request: action -> (states it may start from, state it leads to, the perm
# it takes in the school or AUTHOR, the history's wording). The services check it; abilities() reads it.
HELP_TRANSITIONS = {
    "take": ((_S.NEW, _S.QUESTION), _S.TAKEN, Perm.HANDLE_HELP_REQUESTS, _("Prise en charge")),
    "ask": ((_S.NEW, _S.TAKEN), _S.QUESTION, Perm.HANDLE_HELP_REQUESTS, _("Question posée")),
    "reply": ((_S.QUESTION,), _S.TAKEN, AUTHOR, _("Réponse de l'enseignant")),
    "solve": ((_S.NEW, _S.TAKEN, _S.QUESTION), _S.SOLVED, Perm.HANDLE_HELP_REQUESTS, _("Résolue")),
    "pass_on": (
        (_S.NEW, _S.TAKEN, _S.QUESTION),
        _S.PASSED_ON,
        Perm.HANDLE_HELP_REQUESTS,
        _("Transmise au support de la collectivité"),
    ),
    "close": ((_S.SOLVED, _S.PASSED_ON), _S.CLOSED, Perm.HANDLE_HELP_REQUESTS, _("Clôturée")),
}


class HelpRequestEvent(models.Model):
    """One line of a request's history: who did what, when, with what message."""

    FILED = "file"

    request = models.ForeignKey(HelpRequest, on_delete=models.CASCADE, related_name="events")
    action = models.CharField(_("action"), max_length=20)
    state = models.CharField(_("état après"), max_length=20, choices=HelpRequest.State.choices)
    note = models.TextField(_("message"), blank=True)
    by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    by_name = models.CharField(_("par"), max_length=200, blank=True)
    at = models.DateTimeField(_("le"), default=timezone.now)

    class Meta:
        verbose_name = _("étape d'une demande")
        ordering = ["request_id", "at", "pk"]

    def __str__(self) -> str:
        return f"{self.request_id} {self.action}"

    @property
    def label(self) -> str:
        if self.action == self.FILED:
            return _("Demande déposée")
        return str(HELP_TRANSITIONS[self.action][3]) if self.action in HELP_TRANSITIONS else self.action


class TeamSession(models.Model):
    """A session de prise en main that a referent offers the school's teachers."""

    school = models.ForeignKey(School, on_delete=models.CASCADE, related_name="team_sessions")
    school_year = models.ForeignKey(SchoolYear, on_delete=models.PROTECT, related_name="+", verbose_name=_("année"))
    referent = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="+", verbose_name=_("animée par"))
    topic = models.CharField(_("thème"), max_length=200)
    starts_at = models.DateTimeField(_("date et heure"))
    minutes = models.PositiveIntegerField(_("durée (minutes)"), default=60)
    room = models.CharField(_("salle"), max_length=100)
    places = models.PositiveIntegerField(_("nombre de places"))
    attendance_recorded_at = models.DateTimeField(_("présences notées le"), null=True, blank=True)

    class Meta:
        verbose_name = _("session de prise en main")
        verbose_name_plural = _("sessions de prise en main")
        ordering = ["starts_at", "pk"]
        constraints = [
            models.CheckConstraint(name="team_session_places_positive", condition=Q(places__gte=1)),
            models.CheckConstraint(
                name="team_session_minutes_in_range", condition=Q(minutes__gte=1) & Q(minutes__lte=12 * 60)
            ),
        ]

    def __str__(self) -> str:
        return self.topic


class TeamSessionRegistration(models.Model):
    """A teacher registered for a session; attended is set when the referent records attendance."""

    session = models.ForeignKey(TeamSession, on_delete=models.CASCADE, related_name="registrations")
    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="team_session_registrations")
    registered_at = models.DateTimeField(default=timezone.now)
    attended = models.BooleanField(_("présent"), null=True)

    class Meta:
        ordering = ["session_id", "registered_at", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["session", "person"], name="team_session_registration_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.session_id} {self.person_id}"
