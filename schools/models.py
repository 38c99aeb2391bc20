"""Académies, départements, collectivités, schools, school years, staff and roles."""

import datetime
import uuid

from django.contrib.auth.base_user import BaseUserManager
from django.contrib.auth.models import AbstractUser
from django.db import models
from django.db.models import Q
from django.db.models.functions import Lower
from django.utils import timezone
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from rupn.lib.formats import of
from schools.scopes import visible_schools_q
from schools.uai import validate_uai


class Academie(models.Model):
    code = models.CharField(
        _("code"), max_length=3, unique=True, help_text=_("Code ministériel, par exemple 07 pour Dijon.")
    )
    name = models.CharField(_("nom"), max_length=100)

    class Meta:
        verbose_name = _("académie")
        ordering = ["name"]

    def __str__(self) -> str:
        return _("Académie %(of_name)s") % {"of_name": of(self.name)}


class Departement(models.Model):
    code = models.CharField(_("code"), max_length=3, unique=True)
    name = models.CharField(_("nom"), max_length=100)
    academie = models.ForeignKey(
        Academie, on_delete=models.PROTECT, related_name="departements", verbose_name=_("académie")
    )

    class Meta:
        verbose_name = _("département")
        ordering = ["code"]

    def __str__(self) -> str:
        return f"{self.code} {self.name}"


class Collectivity(models.Model):
    class Kind(models.TextChoices):
        DEPARTEMENT = "departement", _("Conseil départemental")
        REGION = "region", _("Conseil régional")

    code = models.CharField(_("code"), max_length=20, unique=True)
    name = models.CharField(_("nom"), max_length=150)
    kind = models.CharField(_("type"), max_length=20, choices=Kind.choices)

    class Meta:
        verbose_name = _("collectivité")
        verbose_name_plural = _("collectivités")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class SchoolQuerySet(models.QuerySet):
    def visible_to(self, user) -> "SchoolQuerySet":
        """The schools this user may open, whatever their role: see schools.access."""
        return self.filter(visible_schools_q(user))

    def search(self, text: str) -> "SchoolQuerySet":
        """The schools whose name or commune holds the text, or whose UAI it is (any case)."""
        text = text.strip()
        return self.filter(Q(name__icontains=text) | Q(commune__icontains=text) | Q(uai__iexact=text))


class School(models.Model):
    class Kind(models.TextChoices):
        COLLEGE = "college", _("Collège")
        LYCEE = "lycee", _("Lycée général et technologique")
        LYCEE_PRO = "lycee_pro", _("Lycée professionnel")
        LYCEE_POLY = "lycee_poly", _("Lycée polyvalent")
        EREA = "erea", _("EREA")

    uai = models.CharField(_("UAI"), max_length=8, unique=True, validators=[validate_uai])
    name = models.CharField(_("nom"), max_length=200)
    kind = models.CharField(_("type"), max_length=20, choices=Kind.choices)
    commune = models.CharField(_("commune"), max_length=100)
    postal_code = models.CharField(_("code postal"), max_length=5, blank=True)
    departement = models.ForeignKey(
        Departement, on_delete=models.PROTECT, related_name="schools", verbose_name=_("département")
    )
    collectivity = models.ForeignKey(
        Collectivity, on_delete=models.PROTECT, related_name="schools", verbose_name=_("collectivité de rattachement")
    )
    address = models.CharField(_("adresse"), max_length=300, blank=True)
    opened_on = models.DateField(_("date d'ouverture"), null=True, blank=True)
    # WGS 84, as the ministry's directory exports give them (the dashboard's map); None until imported.
    latitude = models.DecimalField(_("latitude"), max_digits=9, decimal_places=6, null=True, blank=True)
    longitude = models.DecimalField(_("longitude"), max_digits=9, decimal_places=6, null=True, blank=True)
    is_public = models.BooleanField(
        _("public"), default=True, help_text=_("Décoché : établissement privé sous contrat.")
    )
    is_active = models.BooleanField(
        _("ouvert"), default=True, help_text=_("Décoché : fermé ou à fermer ; l'établissement garde son historique.")
    )
    collectivity_override = models.BooleanField(
        _("collectivité fixée à la main"),
        default=False,
        help_text=_("L'import de l'annuaire ne change pas la collectivité de rattachement de cet établissement."),
    )

    objects = SchoolQuerySet.as_manager()

    class Meta:
        verbose_name = _("établissement")
        ordering = ["name", "uai"]
        indexes = [models.Index(fields=["departement", "kind"])]

    def __str__(self) -> str:
        return f"{self.name} ({self.uai})"


class SchoolYear(models.Model):
    """A school year, 1 September to 31 August, named like 2026-2027."""

    start_year = models.PositiveSmallIntegerField(_("année de début"), unique=True)

    class Meta:
        verbose_name = _("année scolaire")
        verbose_name_plural = _("années scolaires")
        ordering = ["start_year"]

    def __str__(self) -> str:
        return self.name

    @property
    def name(self) -> str:
        return f"{self.start_year}-{self.start_year + 1}"

    @property
    def start_date(self) -> datetime.date:
        return datetime.date(self.start_year, 9, 1)

    @property
    def end_date(self) -> datetime.date:
        return datetime.date(self.start_year + 1, 8, 31)

    @staticmethod
    def start_year_for(day: datetime.date) -> int:
        return day.year if day.month >= 9 else day.year - 1

    @classmethod
    def current(cls, today: datetime.date | None = None) -> "SchoolYear":
        """The school year containing today (created on first use)."""
        day = today or timezone.localdate()
        year, _created = cls.objects.get_or_create(start_year=cls.start_year_for(day))
        return year

    @classmethod
    def next(cls, today: datetime.date | None = None) -> "SchoolYear":
        """The school year after the current one, whose plans the CA votes in June (created on first use).

        The current and the next school year are calendar rows, the same for everybody: they are the only rows a
        page may create while being read. Any other year is read, never created, by a GET.
        """
        day = today or timezone.localdate()
        year, _created = cls.objects.get_or_create(start_year=cls.start_year_for(day) + 1)
        return year

    @staticmethod
    def parse_name(name: str) -> int | None:
        """Return the start year of "2026-2027", or None when the name is not a school year."""
        first, sep, second = name.partition("-")
        if not (sep and first.isdecimal() and second.isdecimal() and len(first) == 4):
            return None
        return int(first) if int(second) == int(first) + 1 else None


class UserManager(BaseUserManager):
    use_in_migrations = True

    def _create_user(self, email, password, **extra_fields):
        if not email:
            raise ValueError("The e-mail address is required")
        user = self.model(email=self.normalize_email(email).lower(), **extra_fields)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_user(self, email, password=None, **extra_fields):
        extra_fields.setdefault("is_staff", False)
        extra_fields.setdefault("is_superuser", False)
        return self._create_user(email, password, **extra_fields)

    def create_superuser(self, email, password=None, **extra_fields):
        extra_fields.setdefault("is_staff", True)
        extra_fields.setdefault("is_superuser", True)
        return self._create_user(email, password, **extra_fields)


class User(AbstractUser):
    """An account: people log in with their e-mail address."""

    username = None
    email = models.EmailField(_("adresse électronique"), unique=True)
    # The identity provider's subject ("sub" claim) of this person, set at their first single sign-on (matched then
    # by e-mail, portal.oidc); later sign-ons match it, not the address, so a changed address keeps the account.
    oidc_sub = models.CharField(_("identifiant ProConnect (sub)"), max_length=255, blank=True, editable=False)

    USERNAME_FIELD = "email"
    REQUIRED_FIELDS: list[str] = []

    objects = UserManager()

    class Meta:
        verbose_name = _("utilisateur")
        ordering = ["email"]
        constraints = [
            models.UniqueConstraint(fields=["oidc_sub"], condition=~Q(oidc_sub=""), name="user_unique_oidc_sub"),
        ]

    def __str__(self) -> str:
        return self.get_full_name() or self.email


class Role(models.Model):
    """What a user may do, and where: one row per (user, role, scope)."""

    class Kind(models.TextChoices):
        PRINCIPAL = "principal", _("Chef d'établissement")
        REFERENT = "referent", _("Référent numérique")
        DANE = "dane", _("DANE")
        RECTORAT = "rectorat", _("Rectorat")
        COLLECTIVITY = "collectivite", _("Collectivité")
        TEACHER = "enseignant", _("Enseignant")

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="roles", verbose_name=_("utilisateur"))
    kind = models.CharField(_("rôle"), max_length=20, choices=Kind.choices)
    school = models.ForeignKey(School, null=True, blank=True, on_delete=models.CASCADE, verbose_name=_("établissement"))
    academie = models.ForeignKey(Academie, null=True, blank=True, on_delete=models.CASCADE, verbose_name=_("académie"))
    collectivity = models.ForeignKey(
        Collectivity, null=True, blank=True, on_delete=models.CASCADE, verbose_name=_("collectivité")
    )
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("rôle")
        ordering = ["user_id", "kind", "pk"]
        constraints = [
            models.CheckConstraint(
                name="role_scope_matches_kind",
                condition=(
                    Q(
                        kind__in=["principal", "referent", "enseignant"],
                        school__isnull=False,
                        academie__isnull=True,
                        collectivity__isnull=True,
                    )
                    | Q(
                        kind__in=["dane", "rectorat"],
                        school__isnull=True,
                        academie__isnull=False,
                        collectivity__isnull=True,
                    )
                    | Q(kind="collectivite", school__isnull=True, academie__isnull=True, collectivity__isnull=False)
                ),
                violation_error_message=_("Le périmètre ne correspond pas au rôle."),
            ),
            models.UniqueConstraint(
                fields=["user", "kind", "school"], condition=Q(school__isnull=False), name="role_unique_per_school"
            ),
            models.UniqueConstraint(
                fields=["user", "kind", "academie"],
                condition=Q(academie__isnull=False),
                name="role_unique_per_academie",
            ),
            models.UniqueConstraint(
                fields=["user", "kind", "collectivity"],
                condition=Q(collectivity__isnull=False),
                name="role_unique_per_collectivity",
            ),
        ]

    def __str__(self) -> str:
        scope = self.school or self.academie or self.collectivity
        return f"{self.user} — {self.get_kind_display()} — {scope}"


class Person(models.Model):
    """A member of a school's staff who may hold a mission."""

    class Status(models.TextChoices):
        TEACHER = "enseignant", _("Enseignant")
        LIBRARIAN = "documentaliste", _("Professeur documentaliste")
        CPE = "cpe", _("CPE")
        DIRECTION = "direction", _("Personnel de direction")
        OTHER = "autre", _("Autre personnel")

    school = models.ForeignKey(School, on_delete=models.CASCADE, related_name="staff", verbose_name=_("établissement"))
    user = models.ForeignKey(
        User, null=True, blank=True, on_delete=models.SET_NULL, related_name="persons", verbose_name=_("compte")
    )
    last_name = models.CharField(_("nom"), max_length=100)
    first_name = models.CharField(_("prénom"), max_length=100)
    email = models.EmailField(_("adresse électronique"), blank=True)
    status = models.CharField(_("statut"), max_length=20, choices=Status.choices, default=Status.TEACHER)
    full_service_cpge = models.BooleanField(_("service complet en CPGE"), default=False)
    leaving = models.BooleanField(_("quitte l'établissement à la fin de l'année"), default=False)
    is_active = models.BooleanField(_("en poste"), default=True)
    # Set when the principal marks the person as no longer in post (schools.services.person_update); the
    # anonymization counts its years from it (portal.personal_data). Empty for people still in post, and for those
    # who left before it existed (the anonymization then uses their last mission's school year).
    left_on = models.DateField(_("n'est plus en poste depuis le"), null=True, blank=True)
    # STS-web's identifier of the person ("epp:4189", "local:3506": the INDIVIDU's TYPE and ID), set by the
    # STS-web import (schools.sts_import) and used to match them on the next import; empty for people typed by hand.
    sts_id = models.CharField(_("identifiant STS-web"), max_length=40, blank=True, editable=False)
    discipline = models.CharField(_("discipline"), max_length=200, blank=True, help_text=_("Selon STS-web."))
    version = models.PositiveIntegerField(default=1, editable=False)

    class Meta:
        verbose_name = _("personnel")
        verbose_name_plural = _("personnels")
        ordering = ["last_name", "first_name", "pk"]
        constraints = [
            models.UniqueConstraint(
                Lower("email"), "school", condition=~Q(email=""), name="person_unique_email_per_school"
            ),
            models.UniqueConstraint(fields=["school", "sts_id"], condition=~Q(sts_id=""), name="person_unique_sts_id"),
        ]

    def __str__(self) -> str:
        return self.full_name

    @property
    def full_name(self) -> str:
        return f"{self.first_name} {self.last_name}"


class AuthorizedAction(models.Model):
    """A technical action that a collectivité authorizes its schools' referents to do, for a year."""

    class Action(models.TextChoices):
        AMON = "amon", _("Interface pédagogique AMON")
        ACCOUNTS = "accounts", _("Création et import des comptes utilisateurs")
        PROFILES = "profiles", _("Gestion des profils utilisateurs")
        TABLETS = "tablets", _("Déploiement d'applications sur les tablettes")
        GUEST_WIFI = "guest_wifi", _("Comptes wifi invité")

    # "other": an action the collectivité names itself (other_label). Kept out of Action, whose choices the
    # mission catalogue (missions.Mission.requires_action) also uses.
    OTHER = "other"
    ACTION_CHOICES = [*Action.choices, (OTHER, _("Autre action (à préciser)"))]

    collectivity = models.ForeignKey(
        Collectivity, on_delete=models.CASCADE, related_name="authorized_actions", verbose_name=_("collectivité")
    )
    school_year = models.ForeignKey(
        SchoolYear, on_delete=models.PROTECT, related_name="+", verbose_name=_("année scolaire")
    )
    action = models.CharField(_("action"), max_length=20, choices=ACTION_CHOICES)
    other_label = models.CharField(
        _("intitulé de l'action"), max_length=150, blank=True, help_text=_("Pour une autre action seulement.")
    )
    school = models.ForeignKey(
        School,
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        help_text=_("Vide : toutes les écoles de la collectivité."),
        verbose_name=_("établissement"),
    )
    convention_reference = models.CharField(_("référence de la convention"), max_length=100, blank=True)
    convention_date = models.DateField(_("date de la convention"), null=True, blank=True)
    created_at = models.DateTimeField(_("publiée le"), default=timezone.now)
    created_by = models.ForeignKey(
        User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+", verbose_name=_("publiée par")
    )
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("action autorisée")
        verbose_name_plural = _("actions autorisées")
        ordering = ["collectivity_id", "school_year_id", "action", "other_label", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["collectivity", "school_year", "action", "other_label", "school"],
                condition=Q(school__isnull=False),
                name="authorized_action_unique_per_school",
            ),
            models.UniqueConstraint(
                fields=["collectivity", "school_year", "action", "other_label"],
                condition=Q(school__isnull=True),
                name="authorized_action_unique_for_all",
            ),
            models.CheckConstraint(
                name="authorized_action_other_has_label",
                condition=(Q(action="other") & ~Q(other_label="")) | (~Q(action="other") & Q(other_label="")),
                violation_error_message=_("Une autre action a un intitulé ; les actions de la liste n'en ont pas."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.collectivity} — {self.label} — {self.school_year}"

    @property
    def label(self) -> str:
        return self.other_label if self.action == self.OTHER else self.get_action_display()


def procedure_sheet_path(instance, filename: str) -> str:
    """A name nobody can guess: the sheets are served only by a view that checks who asks."""
    return f"fiches-procedure/{uuid.uuid4().hex}.pdf"


class ProcedureSheet(models.Model):
    """A PDF procedure for an authorized action, uploaded by the collectivité, then validated by it."""

    action = models.ForeignKey(
        AuthorizedAction, on_delete=models.CASCADE, related_name="sheets", verbose_name=_("action autorisée")
    )
    title = models.CharField(_("titre"), max_length=200)
    file = models.FileField(_("fichier PDF"), upload_to=procedure_sheet_path, max_length=200)
    original_name = models.CharField(_("nom du fichier envoyé"), max_length=200)
    size = models.PositiveIntegerField(_("taille (octets)"))
    uploaded_at = models.DateTimeField(_("déposée le"), default=timezone.now)
    uploaded_by = models.ForeignKey(
        User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+", verbose_name=_("déposée par")
    )
    validated = models.BooleanField(_("validée"), default=False)
    validated_at = models.DateTimeField(_("validée le"), null=True, blank=True)
    validated_by = models.ForeignKey(
        User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+", verbose_name=_("validée par")
    )

    class Meta:
        verbose_name = _("fiche de procédure")
        verbose_name_plural = _("fiches de procédure")
        ordering = ["action_id", "title", "pk"]
        constraints = [
            models.CheckConstraint(
                name="procedure_sheet_validated_has_date",
                condition=Q(validated=False) | Q(validated_at__isnull=False),
            ),
        ]

    def __str__(self) -> str:
        return self.title


class SchoolMeans(models.Model):
    """What the school gives its referents for a year (the seed's checklist)."""

    school = models.ForeignKey(School, on_delete=models.CASCADE, related_name="means", verbose_name=_("établissement"))
    school_year = models.ForeignKey(
        SchoolYear, on_delete=models.PROTECT, related_name="+", verbose_name=_("année scolaire")
    )
    phone = models.BooleanField(_("téléphone"), default=False)
    notice_board = models.BooleanField(_("tableau d'affichage"), default=False)
    intervention_book = models.BooleanField(_("cahier de demandes d'intervention"), default=False)
    ticket_server = models.BooleanField(_("serveur de tickets"), default=False)
    ticket_server_url = models.URLField(_("adresse du serveur de tickets"), max_length=300, blank=True)
    office = models.BooleanField(_("bureau"), default=False)
    details = models.TextField(_("précisions"), blank=True)
    version = models.PositiveIntegerField(default=1, editable=False)
    updated_at = models.DateTimeField(_("modifié le"), auto_now=True)
    updated_by = models.ForeignKey(
        User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+", verbose_name=_("modifié par")
    )

    class Meta:
        verbose_name = _("moyens donnés aux référents")
        verbose_name_plural = _("moyens donnés aux référents")
        ordering = ["school_id", "school_year_id"]
        constraints = [
            models.UniqueConstraint(fields=["school", "school_year"], name="school_means_unique_per_year"),
            models.CheckConstraint(
                name="school_means_url_needs_ticket_server", condition=Q(ticket_server=True) | Q(ticket_server_url="")
            ),
        ]

    def __str__(self) -> str:
        return f"{self.school} — {self.school_year}"

    ITEMS = ("phone", "notice_board", "intervention_book", "ticket_server", "office")

    @property
    def given(self) -> list[str]:
        """The labels of the means given, in the checklist's order."""
        return [capfirst(self._meta.get_field(name).verbose_name) for name in self.ITEMS if getattr(self, name)]


class EquipmentRequest(models.Model):
    """One line of a school's yearly equipment requests to its collectivité, in priority order."""

    class State(models.TextChoices):
        DRAFT = "draft", _("En préparation")
        SENT = "sent", _("Envoyée à la collectivité")
        ACCEPTED = "accepted", _("Acceptée")
        REFUSED = "refused", _("Refusée")
        DELIVERED = "delivered", _("Livrée")

    # The one table of what may happen to a request: action -> (states it may start from, state it leads to or
    # None when the state stays, the perm it takes in the school, named as in the access layer's Perm). The
    # services check it; abilities() reads it for the pages.
    TRANSITIONS = {
        "edit": ((State.DRAFT,), None, "edit_equipment"),
        "delete": ((State.DRAFT,), None, "edit_equipment"),
        "move": ((State.DRAFT, State.SENT), None, "edit_equipment"),
        "send": ((State.DRAFT,), State.SENT, "edit_equipment"),
        "accept": ((State.SENT,), State.ACCEPTED, "answer_equipment"),
        "deliver": ((State.SENT, State.ACCEPTED), State.DELIVERED, "answer_equipment"),
        "refuse": ((State.SENT, State.ACCEPTED), State.REFUSED, "answer_equipment"),
    }
    ANSWER_ACTIONS = ("accept", "deliver", "refuse")  # the collectivité's answers, the one it is offered first

    school = models.ForeignKey(
        School, on_delete=models.CASCADE, related_name="equipment_requests", verbose_name=_("établissement")
    )
    school_year = models.ForeignKey(
        SchoolYear, on_delete=models.PROTECT, related_name="+", verbose_name=_("année scolaire")
    )
    item = models.CharField(_("équipement demandé"), max_length=200)
    quantity = models.PositiveIntegerField(_("quantité"), default=1)
    use = models.CharField(_("pour quel usage"), max_length=500)
    cost_estimate = models.DecimalField(
        _("estimation du coût (€)"), max_digits=10, decimal_places=2, null=True, blank=True
    )
    priority = models.PositiveIntegerField(_("priorité"))
    state = models.CharField(_("état"), max_length=20, choices=State.choices, default=State.DRAFT)
    answer_comment = models.CharField(_("réponse de la collectivité"), max_length=500, blank=True)
    created_at = models.DateTimeField(_("créée le"), default=timezone.now)
    created_by = models.ForeignKey(
        User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+", verbose_name=_("créée par")
    )
    sent_at = models.DateTimeField(_("envoyée le"), null=True, blank=True)
    sent_by = models.ForeignKey(
        User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+", verbose_name=_("envoyée par")
    )
    answered_at = models.DateTimeField(_("répondue le"), null=True, blank=True)
    answered_by = models.ForeignKey(
        User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+", verbose_name=_("répondue par")
    )
    # Optimistic locking of the school's edit form (rupn.lib.concurrency): bumped by equipment_request_update only.
    version = models.PositiveIntegerField(default=1, editable=False)
    updated_at = models.DateTimeField(_("modifiée le"), null=True, blank=True)
    updated_by = models.ForeignKey(
        User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+", verbose_name=_("modifiée par")
    )

    class Meta:
        verbose_name = _("demande d'équipement")
        verbose_name_plural = _("demandes d'équipement")
        ordering = ["school_id", "school_year_id", "priority", "pk"]
        indexes = [models.Index(fields=["school", "school_year", "priority"])]
        constraints = [
            models.CheckConstraint(name="equipment_request_quantity_positive", condition=Q(quantity__gte=1)),
            models.CheckConstraint(
                name="equipment_request_cost_not_negative",
                condition=Q(cost_estimate__isnull=True) | Q(cost_estimate__gte=0),
            ),
            models.CheckConstraint(
                name="equipment_request_refusal_has_reason", condition=~Q(state="refused") | ~Q(answer_comment="")
            ),
            models.CheckConstraint(
                name="equipment_request_sent_has_date", condition=Q(state="draft") | Q(sent_at__isnull=False)
            ),
            models.CheckConstraint(
                name="equipment_request_answer_has_date",
                condition=Q(state__in=["draft", "sent"]) | Q(answered_at__isnull=False),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.item} × {self.quantity}"

    @property
    def is_answered(self) -> bool:
        return self.state in (self.State.ACCEPTED, self.State.REFUSED, self.State.DELIVERED)

    def abilities(self, perms) -> dict[str, bool]:
        """What a user holding perms in the request's school may do with it now (one entry per action, and
        "answer" when any answer is possible)."""
        result = {
            action: self.state in sources and perm in perms
            for action, (sources, _target, perm) in self.TRANSITIONS.items()
        }
        result["answer"] = any(result[action] for action in self.ANSWER_ACTIONS)
        return result

    @property
    def next_answer(self) -> str:
        """The answer the collectivité's form offers first: accepted, then delivered once accepted."""
        return next(
            (self.TRANSITIONS[a][1] for a in self.ANSWER_ACTIONS if self.state in self.TRANSITIONS[a][0]),
            self.State.ACCEPTED,
        )
