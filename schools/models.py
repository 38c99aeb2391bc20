"""Académies, départements, collectivités, schools, school years, staff and roles."""

import datetime

from django.contrib.auth.base_user import BaseUserManager
from django.contrib.auth.models import AbstractUser
from django.db import models
from django.db.models import Q
from django.db.models.functions import Lower
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

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
        return _("Académie de %(name)s") % {"name": self.name}


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
        """The schools this user may open, whatever their role: see rupn.access."""
        from rupn.access import visible_schools_q

        return self.filter(visible_schools_q(user))


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
    is_public = models.BooleanField(_("public"), default=True)
    is_active = models.BooleanField(_("ouvert"), default=True)

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

    @staticmethod
    def parse_name(name: str) -> int | None:
        """Return the start year of "2026-2027", or None when the name is not a school year."""
        first, sep, second = name.partition("-")
        if not (sep and first.isdigit() and second.isdigit() and len(first) == 4):
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

    USERNAME_FIELD = "email"
    REQUIRED_FIELDS: list[str] = []

    objects = UserManager()

    class Meta:
        verbose_name = _("utilisateur")
        ordering = ["email"]

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

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="roles", verbose_name=_("utilisateur"))
    kind = models.CharField(_("rôle"), max_length=20, choices=Kind.choices)
    school = models.ForeignKey(School, null=True, blank=True, on_delete=models.CASCADE, verbose_name=_("établissement"))
    academie = models.ForeignKey(Academie, null=True, blank=True, on_delete=models.CASCADE, verbose_name=_("académie"))
    collectivity = models.ForeignKey(
        Collectivity, null=True, blank=True, on_delete=models.CASCADE, verbose_name=_("collectivité")
    )

    class Meta:
        verbose_name = _("rôle")
        ordering = ["user_id", "kind", "pk"]
        constraints = [
            models.CheckConstraint(
                name="role_scope_matches_kind",
                condition=(
                    Q(
                        kind__in=["principal", "referent"],
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
    version = models.PositiveIntegerField(default=1, editable=False)

    class Meta:
        verbose_name = _("personnel")
        verbose_name_plural = _("personnels")
        ordering = ["last_name", "first_name", "pk"]
        constraints = [
            models.UniqueConstraint(
                Lower("email"), "school", condition=~Q(email=""), name="person_unique_email_per_school"
            ),
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

    collectivity = models.ForeignKey(Collectivity, on_delete=models.CASCADE, related_name="authorized_actions")
    school_year = models.ForeignKey(SchoolYear, on_delete=models.PROTECT, related_name="+")
    action = models.CharField(_("action"), max_length=20, choices=Action.choices)
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

    class Meta:
        verbose_name = _("action autorisée")
        verbose_name_plural = _("actions autorisées")
        ordering = ["collectivity_id", "school_year_id", "action", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["collectivity", "school_year", "action", "school"],
                condition=Q(school__isnull=False),
                name="authorized_action_unique_per_school",
            ),
            models.UniqueConstraint(
                fields=["collectivity", "school_year", "action"],
                condition=Q(school__isnull=True),
                name="authorized_action_unique_for_all",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.collectivity} — {self.get_action_display()} — {self.school_year}"
