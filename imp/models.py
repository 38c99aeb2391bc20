"""IMP (indemnité pour mission particulière): rates, académie policy, envelopes, awards, their history,
board opinions, teaching reductions, leaves and replacements. The rules are in imp.rules (pure) and
imp.schedule (pure); changes go through imp.services."""

from decimal import Decimal

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from rupn.lib.formats import format_euros
from schools.access import Perm, school_perms
from schools.models import Academie, Person, School, SchoolYear

HOLDER = "holder"  # in a transition table: the person the award is for (their own account), not a perm


class ImpRate(models.Model):
    """A legal annual flat rate (décret 2015-475, arrêté du 27 avril 2015), valid between two dates."""

    amount = models.DecimalField(_("montant annuel"), max_digits=8, decimal_places=2)
    valid_from = models.DateField(_("en vigueur à partir du"))
    valid_until = models.DateField(_("en vigueur jusqu'au"), null=True, blank=True)

    class Meta:
        verbose_name = _("taux d'IMP")
        verbose_name_plural = _("taux d'IMP")
        ordering = ["valid_from", "amount"]
        constraints = [
            models.CheckConstraint(name="imp_rate_amount_positive", condition=Q(amount__gt=0)),
            models.CheckConstraint(
                name="imp_rate_period_ordered",
                condition=Q(valid_until__isnull=True) | Q(valid_until__gte=models.F("valid_from")),
            ),
            models.UniqueConstraint(fields=["amount", "valid_from"], name="imp_rate_unique_amount_from"),
        ]

    def __str__(self) -> str:
        return format_euros(self.amount)


class AcademiePolicy(models.Model):
    """How an académie applies the circular where the circular leaves it a choice (defaults when absent)."""

    class RangeScope(models.TextChoices):
        SCHOOL = "school", _("au total des IMP RUPN de l'établissement")
        PERSON = "person", _("à l'IMP RUPN de chaque référent")

    DEFAULT_MIN = Decimal("1250.00")
    DEFAULT_MAX = Decimal("3750.00")

    academie = models.OneToOneField(
        Academie, on_delete=models.CASCADE, related_name="imp_policy", verbose_name=_("académie")
    )
    rupn_min_total = models.DecimalField(
        _("minimum RUPN"), max_digits=8, decimal_places=2, default=DEFAULT_MIN, help_text=_("En euros.")
    )
    rupn_max_total = models.DecimalField(
        _("maximum RUPN"), max_digits=8, decimal_places=2, default=DEFAULT_MAX, help_text=_("En euros.")
    )
    rupn_range_scope = models.CharField(
        _("la fourchette s'applique"),
        max_length=10,
        choices=RangeScope.choices,
        default=RangeScope.SCHOOL,
        help_text=_("Mission partagée : la fourchette de la circulaire vaut pour l'établissement ou pour chacun."),
    )
    ca_first_month = models.PositiveSmallIntegerField(
        _("premier mois de l'avis du CA"), default=2, help_text=_("2 = février de l'année qui précède la rentrée.")
    )
    ca_last_month = models.PositiveSmallIntegerField(
        _("dernier mois de l'avis du CA"), default=6, help_text=_("6 = juin de l'année qui précède la rentrée.")
    )

    class Meta:
        verbose_name = _("règles IMP de l'académie")
        verbose_name_plural = _("règles IMP des académies")
        ordering = ["academie_id"]
        constraints = [
            models.CheckConstraint(
                name="imp_policy_range_ordered",
                condition=Q(rupn_min_total__gte=0) & Q(rupn_max_total__gte=models.F("rupn_min_total")),
            ),
            models.CheckConstraint(
                name="imp_policy_ca_months",
                condition=Q(ca_first_month__gte=1)
                & Q(ca_last_month__lte=12)
                & Q(ca_last_month__gte=models.F("ca_first_month")),
            ),
        ]

    def __str__(self) -> str:
        return str(self.academie)

    @classmethod
    def for_academie(cls, academie_id: int) -> "AcademiePolicy":
        """The académie's settings, or the circular's defaults (unsaved) when it has none."""
        return cls.objects.filter(academie_id=academie_id).first() or cls(academie_id=academie_id)


class Envelope(models.Model):
    """The IMP envelope the rectorat notifies a school for a school year, with the DHG."""

    school = models.ForeignKey(
        School, on_delete=models.PROTECT, related_name="imp_envelopes", verbose_name=_("établissement")
    )
    school_year = models.ForeignKey(SchoolYear, on_delete=models.PROTECT, related_name="+", verbose_name=_("année"))
    amount = models.DecimalField(_("montant"), max_digits=10, decimal_places=2)
    updated_at = models.DateTimeField(_("modifiée le"), auto_now=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        verbose_name = _("enveloppe IMP")
        verbose_name_plural = _("enveloppes IMP")
        ordering = ["school_year_id", "school_id"]
        constraints = [
            models.UniqueConstraint(fields=["school", "school_year"], name="envelope_unique_per_school_year"),
            models.CheckConstraint(name="envelope_amount_positive", condition=Q(amount__gt=0)),
        ]

    def __str__(self) -> str:
        return f"{self.school} — {self.school_year}"


class EnvelopeChange(models.Model):
    """One change of an envelope: who, when, the amount before and after."""

    class Source(models.TextChoices):
        MANUAL = "manual", _("Saisie")
        IMPORT = "import", _("Import CSV")

    envelope = models.ForeignKey(Envelope, on_delete=models.CASCADE, related_name="changes")
    before = models.DecimalField(_("avant"), max_digits=10, decimal_places=2, null=True, blank=True)
    after = models.DecimalField(_("après"), max_digits=10, decimal_places=2)
    source = models.CharField(_("origine"), max_length=10, choices=Source.choices, default=Source.MANUAL)
    changed_at = models.DateTimeField(_("le"), default=timezone.now)
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("par"),
    )

    class Meta:
        verbose_name = _("modification d'enveloppe")
        verbose_name_plural = _("modifications d'enveloppe")
        ordering = ["-changed_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.envelope}: {self.before} → {self.after}"


class Mission(models.TextChoices):
    """The particular missions this application awards an IMP for (circular 2015-058, II, 6)."""

    RUPN = "rupn", _("Référent pour les ressources et usages pédagogiques numériques")


class ImpAward(models.Model):
    """One person's IMP for one mission in one school for one school year."""

    class State(models.TextChoices):
        DRAFT = "draft", _("Brouillon")
        PROPOSED = "proposed", _("Proposée à l'intéressé(e)")
        ACCEPTED = "accepted", _("Acceptée par l'intéressé(e)")
        DECLINED = "declined", _("Refusée par l'intéressé(e)")
        VALIDATED = "validated", _("Validée par le rectorat")
        REJECTED = "rejected", _("Rejetée par le rectorat")
        PAYING = "paying", _("En paiement")
        CLOSED = "closed", _("Service fait, close")
        WITHDRAWN = "withdrawn", _("Retirée")

    # Awards in these states no longer count in the envelope and free the (person, mission) slot.
    VOID_STATES = (State.DECLINED, State.REJECTED, State.WITHDRAWN)
    # Awards in these states have a payment schedule.
    PAYABLE_STATES = (State.VALIDATED, State.PAYING, State.CLOSED)
    # "IMP proposées", on the IMP page, the CA sheet and the dashboard alike: proposed to their holder or further
    # on. Drafts are the principal's working copy: every page shows them apart; void awards count nowhere.
    PROPOSED_STATES = (State.PROPOSED, State.ACCEPTED, *PAYABLE_STATES)

    school = models.ForeignKey(
        School, on_delete=models.PROTECT, related_name="imp_awards", verbose_name=_("établissement")
    )
    school_year = models.ForeignKey(SchoolYear, on_delete=models.PROTECT, related_name="+", verbose_name=_("année"))
    person = models.ForeignKey(
        Person, on_delete=models.PROTECT, related_name="imp_awards", verbose_name=_("bénéficiaire")
    )
    mission = models.CharField(_("mission"), max_length=20, choices=Mission.choices, default=Mission.RUPN)
    rate = models.ForeignKey(ImpRate, on_delete=models.PROTECT, related_name="awards", verbose_name=_("taux"))
    whole_year = models.BooleanField(_("toute l'année scolaire"), default=True)
    start_date = models.DateField(_("début"))
    end_date = models.DateField(_("fin"))
    state = models.CharField(_("état"), max_length=20, choices=State.choices, default=State.DRAFT)
    version = models.PositiveIntegerField(default=1, editable=False)
    decline_reason = models.TextField(_("motif du refus"), blank=True)
    rejection_reason = models.TextField(_("motif du rejet"), blank=True)
    service_done_on = models.DateField(_("service fait le"), null=True, blank=True)
    ended_on = models.DateField(
        _("mission interrompue le"),
        null=True,
        blank=True,
        help_text=_("Dernier jour effectué quand la mission a pris fin avant la date prévue."),
    )
    created_at = models.DateTimeField(_("créée le"), default=timezone.now)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    updated_at = models.DateTimeField(_("modifiée le"), auto_now=True)

    class Meta:
        verbose_name = _("IMP")
        verbose_name_plural = _("IMP")
        ordering = ["school_year_id", "school_id", "person__last_name", "person__first_name", "pk"]
        indexes = [models.Index(fields=["state", "school_year"])]
        constraints = [
            models.UniqueConstraint(
                fields=["school", "school_year", "person", "mission"],
                condition=~Q(state__in=["declined", "rejected", "withdrawn"]),
                name="imp_award_unique_live_per_person_mission",
            ),
            models.CheckConstraint(name="imp_award_period_ordered", condition=Q(end_date__gte=models.F("start_date"))),
            models.CheckConstraint(
                name="imp_award_rejection_has_reason", condition=~Q(state="rejected") | ~Q(rejection_reason="")
            ),
            models.CheckConstraint(
                name="imp_award_closed_has_service_done",
                condition=~Q(state="closed") | Q(service_done_on__isnull=False),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.person} — {self.get_mission_display()} — {self.school_year}"

    @property
    def amount(self) -> Decimal:
        return self.rate.amount

    @property
    def is_void(self) -> bool:
        return self.state in self.VOID_STATES

    @property
    def is_payable(self) -> bool:
        return self.state in self.PAYABLE_STATES

    @property
    def is_proposed(self) -> bool:
        return self.state in self.PROPOSED_STATES

    @property
    def is_draft(self) -> bool:
        return self.state == self.State.DRAFT

    def update_asks_consent_again(self) -> bool:
        """An agreed award that is changed goes back to its holder for agreement (award_update)."""
        return self.state == self.State.ACCEPTED

    def abilities(self, user, *, perms=None) -> dict[str, bool]:
        """What this user may do with this award now, one entry per action of AWARD_TRANSITIONS.

        perms: the user's perms in the award's school when the caller has them (else read from the cached roles).
        """
        result = {}
        for action, (sources, _target, who) in AWARD_TRANSITIONS.items():
            if self.state not in sources:
                result[action] = False
            elif who == HOLDER:
                result[action] = self.person.user_id is not None and self.person.user_id == user.pk
            else:
                if perms is None:
                    perms = school_perms(user, self.school)
                result[action] = who in perms
        return result


_S = ImpAward.State
# The one table of what may happen to an award: action -> (states it may start from, state it leads to or None
# when the state stays, who may do it). The services move awards by it; ImpAward.abilities reads it for the pages.
AWARD_TRANSITIONS = {
    "propose": ((_S.DRAFT,), _S.PROPOSED, Perm.MANAGE_IMP),
    "withdraw": ((_S.DRAFT, _S.PROPOSED, _S.ACCEPTED), _S.WITHDRAWN, Perm.MANAGE_IMP),
    "accept": ((_S.PROPOSED,), _S.ACCEPTED, HOLDER),
    "decline": ((_S.PROPOSED,), _S.DECLINED, HOLDER),
    "validate": ((_S.ACCEPTED,), _S.VALIDATED, Perm.VALIDATE_IMP),
    "reject": ((_S.ACCEPTED,), _S.REJECTED, Perm.VALIDATE_IMP),
    "start_payment": ((_S.VALIDATED,), _S.PAYING, Perm.VALIDATE_IMP),
    "close": ((_S.VALIDATED, _S.PAYING), _S.CLOSED, Perm.MANAGE_IMP),  # declare the service done
    "update": ((_S.DRAFT, _S.PROPOSED, _S.ACCEPTED), None, Perm.MANAGE_IMP),  # change person, rate or period
    "follow": ((_S.ACCEPTED, _S.VALIDATED, _S.PAYING), None, Perm.MANAGE_IMP),  # record leaves and replacements
}


class AwardEvent(models.Model):
    """The history of an award: each creation, change and transition, with who, when, before and after."""

    class Kind(models.TextChoices):
        CREATED = "created", _("Création")
        UPDATED = "updated", _("Modification")
        PROPOSED = "proposed", _("Proposition à l'intéressé(e)")
        ACCEPTED = "accepted", _("Acceptation par l'intéressé(e)")
        DECLINED = "declined", _("Refus par l'intéressé(e)")
        VALIDATED = "validated", _("Validation par le rectorat")
        REJECTED = "rejected", _("Rejet par le rectorat")
        PAYING = "paying", _("Mise en paiement")
        CLOSED = "closed", _("Service fait")
        WITHDRAWN = "withdrawn", _("Retrait")
        LEAVE_ADDED = "leave_added", _("Congé enregistré")
        LEAVE_REMOVED = "leave_removed", _("Congé supprimé")
        REPLACEMENT_ADDED = "replacement_added", _("Remplacement enregistré")
        REPLACEMENT_REMOVED = "replacement_removed", _("Remplacement supprimé")

    award = models.ForeignKey(ImpAward, on_delete=models.CASCADE, related_name="events")
    kind = models.CharField(_("action"), max_length=30, choices=Kind.choices)
    at = models.DateTimeField(_("le"), default=timezone.now)
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("par"),
    )
    # [{"field": "Taux", "before": "1 250,00 €", "after": "2 500,00 €"}, ...], in French, as shown.
    changes = models.JSONField(_("changements"), default=list, blank=True)
    note = models.TextField(_("précision"), blank=True)

    class Meta:
        verbose_name = _("événement d'IMP")
        verbose_name_plural = _("historique des IMP")
        ordering = ["award_id", "at", "pk"]

    def __str__(self) -> str:
        return f"{self.award_id} {self.get_kind_display()} {self.at:%Y-%m-%d %H:%M}"


class BoardOpinion(models.Model):
    """The conseil pédagogique's or the conseil d'administration's opinion on the school's plan and IMP."""

    class Body(models.TextChoices):
        CP = "cp", _("Conseil pédagogique")
        CA = "ca", _("Conseil d'administration")

    class Opinion(models.TextChoices):
        FAVORABLE = "favorable", _("Avis favorable")
        UNFAVORABLE = "unfavorable", _("Avis défavorable")

    school = models.ForeignKey(School, on_delete=models.CASCADE, related_name="board_opinions")
    school_year = models.ForeignKey(SchoolYear, on_delete=models.PROTECT, related_name="+")
    body = models.CharField(_("instance"), max_length=2, choices=Body.choices)
    date = models.DateField(_("date de la séance"))
    opinion = models.CharField(_("avis"), max_length=20, choices=Opinion.choices)
    votes_for = models.PositiveSmallIntegerField(_("voix pour"), null=True, blank=True)
    votes_against = models.PositiveSmallIntegerField(_("voix contre"), null=True, blank=True)
    votes_abstention = models.PositiveSmallIntegerField(_("abstentions"), null=True, blank=True)
    deliberation_number = models.CharField(
        _("numéro de délibération"), max_length=40, blank=True, help_text=_("Par exemple 2026-14 (facultatif).")
    )
    recorded_at = models.DateTimeField(_("enregistré le"), default=timezone.now)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    plan_version = models.PositiveIntegerField(
        _("version du plan"),
        default=0,
        db_default=0,
        editable=False,
        help_text=_("La version du plan de répartition sur laquelle l'avis a été rendu (0 : pas encore de plan)."),
    )

    class Meta:
        verbose_name = _("avis d'instance")
        verbose_name_plural = _("avis des instances")
        ordering = ["school_year_id", "school_id", "body"]
        constraints = [
            models.UniqueConstraint(fields=["school", "school_year", "body"], name="board_opinion_unique_per_body"),
        ]

    def __str__(self) -> str:
        return f"{self.get_body_display()} — {self.school} — {self.school_year}"

    def on_earlier_version(self, plan_version: int | None) -> bool:
        """Given on an earlier version of the plan: the plan (of that version; None: no plan) changed since."""
        return plan_version is not None and plan_version != self.plan_version


class ServiceReduction(models.Model):
    """A teaching-hours reduction (allègement de service) for a mission: exclusive with an IMP for it."""

    school = models.ForeignKey(School, on_delete=models.PROTECT, related_name="service_reductions")
    school_year = models.ForeignKey(SchoolYear, on_delete=models.PROTECT, related_name="+")
    person = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="service_reductions")
    mission = models.CharField(_("mission"), max_length=20, choices=Mission.choices, default=Mission.RUPN)
    hours = models.DecimalField(_("heures hebdomadaires"), max_digits=4, decimal_places=2)
    created_at = models.DateTimeField(_("enregistré le"), default=timezone.now)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        verbose_name = _("allègement de service")
        verbose_name_plural = _("allègements de service")
        ordering = ["school_year_id", "school_id", "person_id"]
        constraints = [
            models.UniqueConstraint(
                fields=["school", "school_year", "person", "mission"], name="service_reduction_unique"
            ),
            models.CheckConstraint(name="service_reduction_hours_positive", condition=Q(hours__gt=0)),
        ]

    def __str__(self) -> str:
        return f"{self.person} — {self.hours} h — {self.school_year}"


class Leave(models.Model):
    """A leave of the award's holder, with the proportion of salary kept during it."""

    class Kind(models.TextChoices):
        ANNUAL = "annual", _("Congé annuel")
        SICK = "sick", _("Congé de maladie ordinaire")
        MATERNITY = "maternity", _("Congé de maternité")
        ADOPTION = "adoption", _("Congé d'adoption")
        PATERNITY = "paternity", _("Congé de paternité")
        OTHER = "other", _("Autre absence (l'IMP n'est pas maintenue)")

    award = models.ForeignKey(ImpAward, on_delete=models.CASCADE, related_name="leaves")
    kind = models.CharField(_("nature"), max_length=20, choices=Kind.choices)
    start_date = models.DateField(_("du"))
    end_date = models.DateField(_("au"))
    salary_percent = models.DecimalField(
        _("traitement maintenu (%)"),
        max_digits=5,
        decimal_places=2,
        help_text=_("100 : plein traitement ; 50 : demi-traitement."),
    )
    recorded_at = models.DateTimeField(default=timezone.now)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        verbose_name = _("congé")
        ordering = ["award_id", "start_date", "pk"]
        constraints = [
            models.CheckConstraint(name="leave_period_ordered", condition=Q(end_date__gte=models.F("start_date"))),
            models.CheckConstraint(
                name="leave_salary_percent_range", condition=Q(salary_percent__gte=0) & Q(salary_percent__lte=100)
            ),
            models.CheckConstraint(name="leave_other_keeps_nothing", condition=~Q(kind="other") | Q(salary_percent=0)),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.start_date} – {self.end_date}"


class Replacement(models.Model):
    """From start_date, someone replaces the holder in the mission: the holder's IMP stops, theirs starts."""

    class Kind(models.TextChoices):
        REPLACEMENT = "replacement", _("Remplacement")
        INTERIM = "interim", _("Intérim")

    award = models.ForeignKey(ImpAward, on_delete=models.CASCADE, related_name="replacements")
    person = models.ForeignKey(
        Person, on_delete=models.PROTECT, related_name="imp_replacements", verbose_name=_("remplaçant(e)")
    )
    kind = models.CharField(_("nature"), max_length=20, choices=Kind.choices, default=Kind.REPLACEMENT)
    start_date = models.DateField(_("à partir du"))
    end_date = models.DateField(
        _("jusqu'au"), null=True, blank=True, help_text=_("Vide : jusqu'à la fin de la mission.")
    )
    recorded_at = models.DateTimeField(default=timezone.now)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        verbose_name = _("remplacement")
        ordering = ["award_id", "start_date", "pk"]
        constraints = [
            models.CheckConstraint(
                name="replacement_period_ordered",
                condition=Q(end_date__isnull=True) | Q(end_date__gte=models.F("start_date")),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} — {self.person} — {self.start_date}"
