"""The school's digital-education projects: what the referents' recognition (record, i-prof text) rests on."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from schools.models import Person, School, SchoolYear


class DaneProject(models.TextChoices):
    """The académie's projects a school may take part in (the seed names Tw'haïku, Blogue ton école, webdiff)."""

    TWHAIKU = "twhaiku", "Tw'haïku"
    BLOGUE = "blogue", "Blogue ton école"
    WEBDIFF = "webdiff", "webdiff"
    OTHER = "autre", _("Autre projet de la DANE")


class Project(models.Model):
    """One digital-education project of a school for a school year."""

    school = models.ForeignKey(
        School, on_delete=models.PROTECT, related_name="projects", verbose_name=_("établissement")
    )
    school_year = models.ForeignKey(
        SchoolYear, on_delete=models.PROTECT, related_name="projects", verbose_name=_("année scolaire")
    )
    title = models.CharField(_("intitulé"), max_length=200)
    classes = models.CharField(_("classes concernées"), max_length=300, blank=True)
    description = models.TextField(_("description"), blank=True)
    teachers = models.ManyToManyField(
        Person, blank=True, related_name="projects_as_teacher", verbose_name=_("enseignants impliqués")
    )
    other_teachers = models.CharField(
        _("autres intervenants"),
        max_length=300,
        blank=True,
        help_text=_("Personnes qui ne figurent pas dans la liste des personnels."),
    )
    referents = models.ManyToManyField(
        Person, blank=True, related_name="projects", verbose_name=_("référents numériques associés")
    )
    dane_project = models.CharField(_("projet de la DANE"), max_length=20, choices=DaneProject.choices, blank=True)
    outcome = models.TextField(_("bilan de fin d'année"), blank=True)
    featured = models.BooleanField(_("valorisé par la DANE"), default=False)
    featured_at = models.DateTimeField(_("valorisé le"), null=True, blank=True)
    featured_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    version = models.PositiveIntegerField(default=1, editable=False)
    created_at = models.DateTimeField(_("créé le"), auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    updated_at = models.DateTimeField(_("modifié le"), auto_now=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        verbose_name = _("projet numérique")
        verbose_name_plural = _("projets numériques")
        ordering = ["school_year_id", "school_id", "title", "pk"]
        indexes = [models.Index(fields=["school_year", "school"])]
        constraints = [
            models.CheckConstraint(name="project_title_not_blank", condition=~Q(title="")),
            models.CheckConstraint(
                name="project_featured_has_date", condition=Q(featured=False) | Q(featured_at__isnull=False)
            ),
        ]

    def __str__(self) -> str:
        return self.title
