"""The mission catalogue and each school's yearly allocation plan."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from schools.access import Perm
from schools.models import AuthorizedAction, Person, School, SchoolYear


class Mission(models.Model):
    """A row of the seed's table. Rules are data, read by missions.rules."""

    class Kind(models.TextChoices):
        STANDARD = "standard", _("Mission")
        GROUP = "group", _("Groupe de missions")
        DERIVED = "derived", _("Déduite du tableau")
        PER_SERVICE = "per_service", _("Une ligne par service")

    code = models.CharField(_("code"), max_length=50, unique=True)
    label = models.CharField(_("mission"), max_length=200)
    proposed_organisation = models.CharField(_("organisation proposée"), max_length=300, blank=True)
    parent = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="children", verbose_name=_("groupe")
    )
    position = models.PositiveSmallIntegerField(_("ordre"))
    kind = models.CharField(_("nature"), max_length=20, choices=Kind.choices, default=Kind.STANDARD)
    min_holders = models.PositiveSmallIntegerField(_("nombre minimal de responsables"), default=0)
    max_holders = models.PositiveSmallIntegerField(_("nombre maximal de responsables"), null=True, blank=True)
    blocking = models.BooleanField(_("bloque la soumission au CA"), default=False)
    requires_action = models.CharField(
        _("action à autoriser par la collectivité"), max_length=20, choices=AuthorizedAction.Action.choices, blank=True
    )
    requires_tablets = models.BooleanField(_("seulement si l'établissement déclare des tablettes"), default=False)

    class Meta:
        verbose_name = _("mission")
        ordering = ["position"]
        constraints = [
            models.CheckConstraint(
                name="mission_max_holders_not_below_min",
                condition=Q(max_holders__isnull=True) | Q(max_holders__gte=models.F("min_holders")),
            ),
        ]

    def __str__(self) -> str:
        return self.label


class AllocationPlan(models.Model):
    """A school's table of who does what for one school year."""

    class State(models.TextChoices):
        DRAFT = "draft", _("Brouillon")
        SUBMITTED = "submitted", _("Soumis au conseil d'administration")

    school = models.ForeignKey(School, on_delete=models.PROTECT, related_name="plans", verbose_name=_("établissement"))
    school_year = models.ForeignKey(SchoolYear, on_delete=models.PROTECT, related_name="plans", verbose_name=_("année"))
    state = models.CharField(_("état"), max_length=20, choices=State.choices, default=State.DRAFT)
    has_tablets = models.BooleanField(_("l'établissement a des tablettes"), default=False)
    version = models.PositiveIntegerField(default=1, editable=False)
    updated_at = models.DateTimeField(_("modifié le"), auto_now=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    submitted_at = models.DateTimeField(_("soumis le"), null=True, blank=True)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    copied_from = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("repris du plan"),
        help_text=_("Le plan d'une année précédente dont ce brouillon est la copie (rentrée)."),
    )
    # Audit (README "Audit"): who changed what; history_user and history_date stand for updated_by/updated_at.
    history = HistoricalRecords(excluded_fields=["version", "updated_at", "updated_by"])

    class Meta:
        verbose_name = _("plan de répartition")
        verbose_name_plural = _("plans de répartition")
        ordering = ["school_year_id", "school_id"]
        constraints = [
            models.UniqueConstraint(fields=["school", "school_year"], name="plan_unique_per_school_year"),
            models.CheckConstraint(
                name="plan_submitted_has_date",
                condition=Q(state="draft") | Q(submitted_at__isnull=False),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.school} — {self.school_year}"

    @property
    def untouched(self) -> bool:
        """Started empty and never saved since: last year's copy may still replace it."""
        return self.version == 1 and self.copied_from_id is None and self.state == self.State.DRAFT

    def abilities(self, perms) -> dict[str, bool]:
        """What a user holding perms in the plan's school may do with it now (PLAN_TRANSITIONS)."""
        return {
            action: self.state in sources and perm in perms
            for action, (sources, _target, perm) in PLAN_TRANSITIONS.items()
        }


# The one table of what may happen to a plan: action -> (states it may start from, state it leads to or None when
# the state stays, the perm it takes). A submitted plan is changed only after "Modifier le plan soumis" (reopen),
# which makes it a draft again, to be submitted (and seen by the CA) again.
PLAN_TRANSITIONS = {
    "edit": ((AllocationPlan.State.DRAFT,), None, Perm.EDIT_PLAN),
    "submit": ((AllocationPlan.State.DRAFT,), AllocationPlan.State.SUBMITTED, Perm.EDIT_PLAN),
    "reopen": ((AllocationPlan.State.SUBMITTED,), AllocationPlan.State.DRAFT, Perm.EDIT_PLAN),
}


class PlanRow(models.Model):
    """One mission of a plan: who holds it and how it is organised."""

    class Sharing(models.TextChoices):
        NONE = "", _("Non partagée")
        WEEKDAY = "weekday", _("Par jour de la semaine")
        PROJECT = "project", _("Par projet")
        DOSSIER = "dossier", _("Par dossier")

    plan = models.ForeignKey(AllocationPlan, on_delete=models.CASCADE, related_name="rows")
    mission = models.ForeignKey(Mission, on_delete=models.PROTECT, related_name="+")
    service_name = models.CharField(
        _("service"),
        max_length=100,
        blank=True,
        help_text=_("Pour une ligne « service pédagogique » : BRNE, Pearltrees…"),
    )
    organisation = models.TextField(_("organisation retenue"), blank=True)
    sharing = models.CharField(_("partage"), max_length=20, choices=Sharing.choices, blank=True)
    sharing_detail = models.CharField(_("précisions sur le partage"), max_length=300, blank=True)
    holders = models.ManyToManyField(Person, blank=True, related_name="plan_rows", verbose_name=_("responsables"))
    left_by = models.CharField(
        _("tenue l'an dernier par des personnes parties"),
        max_length=300,
        blank=True,
        help_text=_("Rempli par la reprise de rentrée ; effacé quand la ligne a de nouveau un responsable."),
    )
    # left_by holds names: kept out of the history, which keeps only ids of people (anonymization stays whole).
    history = HistoricalRecords(excluded_fields=["left_by"], m2m_fields=[holders])

    class Meta:
        verbose_name = _("ligne du plan")
        verbose_name_plural = _("lignes du plan")
        ordering = ["plan_id", "mission__position", "service_name", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["plan", "mission", "service_name"], name="plan_row_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.mission.label} {self.service_name}".strip()

    @property
    def sharing_applies(self) -> bool:
        """Sharing details concern a row of two holders or more; on a row of one they are kept, not shown."""
        return bool(self.sharing) and len(self.holders.all()) >= 2

    @property
    def sharing_text(self) -> str:
        """How the row is shared, as printed ("Par jour de la semaine : …"), or "" when it does not apply."""
        if not self.sharing_applies:
            return ""
        display = self.get_sharing_display()
        return f"{display} : {self.sharing_detail}" if self.sharing_detail else display

    @property
    def sharing_set_aside(self) -> bool:
        """Sharing details recorded on a row that has fallen to one holder (or none)."""
        return bool(self.sharing) and not self.sharing_applies
