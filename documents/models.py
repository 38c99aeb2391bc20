"""Models shared by the apps: the batch printing of documents."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from schools.models import Academie, Departement, SchoolYear


class PrintBatch(models.Model):
    """Every CA sheet of a département or an académie, printed by a background job into one ZIP."""

    class State(models.TextChoices):
        QUEUED = "queued", _("En attente")
        RUNNING = "running", _("En cours")
        DONE = "done", _("Terminée")
        FAILED = "failed", _("Interrompue")

    ACTIVE_STATES = (State.QUEUED, State.RUNNING)

    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+", verbose_name=_("demandée par")
    )
    academie = models.ForeignKey(Academie, on_delete=models.PROTECT, related_name="+", verbose_name=_("académie"))
    departement = models.ForeignKey(
        Departement,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("département"),
        help_text=_("Vide : toute l'académie."),
    )
    school_year = models.ForeignKey(SchoolYear, on_delete=models.PROTECT, related_name="+", verbose_name=_("année"))
    state = models.CharField(_("état"), max_length=20, choices=State.choices, default=State.QUEUED)
    total = models.PositiveIntegerField(_("établissements à imprimer"), default=0)
    done = models.PositiveIntegerField(_("établissements traités"), default=0)
    failures = models.JSONField(_("échecs"), default=list, blank=True)  # [{"uai", "name", "error"}]
    file = models.FileField(_("archive"), upload_to="impressions/", blank=True)
    run_token = models.CharField(max_length=32, blank=True, editable=False)  # the run that owns the batch
    created_at = models.DateTimeField(_("demandée le"), auto_now_add=True)
    updated_at = models.DateTimeField(_("avancement le"), auto_now=True)
    finished_at = models.DateTimeField(_("terminée le"), null=True, blank=True)
    expires_at = models.DateTimeField(_("disponible jusqu'au"), null=True, blank=True)

    class Meta:
        db_table = "rupn_printbatch"  # the table of its first app, kept when the model moved
        verbose_name = _("impression par lot")
        verbose_name_plural = _("impressions par lot")
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["requested_by"],
                condition=Q(state__in=["queued", "running"]),
                name="print_batch_one_active_per_user",
            ),
            models.CheckConstraint(name="print_batch_done_not_above_total", condition=Q(done__lte=models.F("total"))),
        ]

    def __str__(self) -> str:
        return f"{self.scope_label} — {self.school_year} — {self.get_state_display()}"

    @property
    def scope_label(self) -> str:
        return str(self.departement) if self.departement_id else str(self.academie)

    @property
    def is_active(self) -> bool:
        return self.state in self.ACTIVE_STATES

    @property
    def is_expired(self) -> bool:
        return self.expires_at is not None and self.expires_at <= timezone.now()

    @property
    def is_done(self) -> bool:
        return self.state == self.State.DONE

    @property
    def is_failed(self) -> bool:
        return self.state == self.State.FAILED

    @property
    def can_download(self) -> bool:
        """The archive may be downloaded: the batch is done, its file is there and has not expired."""
        return self.is_done and bool(self.file) and not self.is_expired

    @property
    def percent(self) -> int:
        return round(100 * self.done / self.total) if self.total else (100 if self.state == self.State.DONE else 0)
