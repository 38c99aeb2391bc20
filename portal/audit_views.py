"""The audit pages: a school's history (principal, DANE, rectorat) and the académie's (DANE, rectorat)."""

from django import forms
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_safe
from dsfr.forms import DsfrBaseForm

from portal.audit_selectors import KIND_CHOICES, Scope, history_page
from rupn.lib.formats import of
from rupn.lib.pagination import paged_title, query_without_page
from schools.access import Perm, SchoolPage, require_academie_perm, school_page
from schools.models import Academie, School, SchoolYear


class HistoryFilterForm(DsfrBaseForm):
    """The filters of a history page (a GET form: they stay in the URL)."""

    type = forms.ChoiceField(label=gettext_lazy("Objet"), required=False)
    annee = forms.ChoiceField(label=gettext_lazy("Année scolaire"), required=False)
    uai = forms.CharField(label=gettext_lazy("UAI de l'établissement"), required=False, max_length=8)

    def __init__(self, *args, with_uai: bool, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["type"].choices = [("", _("Tous"))] + [(key, str(label)) for key, label in KIND_CHOICES]
        years = SchoolYear.objects.order_by("-start_year").values_list("start_year", flat=True)
        self.fields["annee"].choices = [("", _("Toutes"))] + [
            (name, name) for name in (f"{start}-{start + 1}" for start in years)
        ]
        if not with_uai:
            del self.fields["uai"]

    def values(self) -> dict:
        if not self.is_valid():
            return {"kind": "", "year": None, "uai": ""}
        data = self.cleaned_data
        year = SchoolYear.objects.filter(start_year=int(data["annee"][:4])).first() if data["annee"] else None
        return {"kind": data["type"], "year": year, "uai": data.get("uai", "").strip().upper()}


def _render(request, *, title: str, form, page, breadcrumb, with_school: bool, intro: str):
    title = paged_title(title, page)
    return render(
        request,
        "audit/history.html",
        {
            "title": title,
            "heading": breadcrumb["current"],
            "intro": intro,
            "form": form,
            "page": page,
            "query": query_without_page(request),
            "with_school": with_school,
            "breadcrumb_data": breadcrumb,
        },
    )


@require_safe
@school_page(Perm.VIEW_AUDIT)
def school_history(request, page: SchoolPage):
    school = page.school
    form = HistoryFilterForm(request.GET or None, with_uai=False)
    values = form.values()
    page = history_page(
        Scope(schools=School.objects.filter(pk=school.pk)),
        kind=values["kind"],
        year=values["year"],
        page_number=request.GET.get("page"),
    )
    current = _("Historique des modifications")
    return _render(
        request,
        title=_("%(current)s – %(school)s") % {"current": current, "school": school.name},
        form=form,
        page=page,
        breadcrumb={
            "links": [{"url": reverse("schools:detail", args=[school.uai]), "title": school.name}],
            "current": current,
        },
        with_school=False,
        intro=_(
            "Les modifications du plan de répartition, des IMP, de l'enveloppe, des actions autorisées et des rôles "
            "%(of_school)s, de la plus récente à la plus ancienne."
        )
        % {"of_school": of(school.name)},
    )


@require_safe
def academie_history(request):
    academie_ids = require_academie_perm(request.user, Perm.VIEW_AUDIT)
    form = HistoryFilterForm(request.GET or None, with_uai=True)
    values = form.values()
    schools = School.objects.filter(departement__academie_id__in=academie_ids)
    if values["uai"]:
        schools = schools.filter(uai=values["uai"])
    page = history_page(
        Scope(schools=schools, academie_ids=() if values["uai"] else tuple(academie_ids)),
        kind=values["kind"],
        year=values["year"],
        page_number=request.GET.get("page"),
    )
    names = ", ".join(Academie.objects.filter(pk__in=academie_ids).order_by("name").values_list("name", flat=True))
    current = _("Historique des modifications de l'académie")
    return _render(
        request,
        title=current,
        form=form,
        page=page,
        breadcrumb={
            "links": [{"url": reverse("dashboard:dashboard"), "title": _("Tableau de bord")}],
            "current": current,
        },
        with_school=True,
        intro=_(
            "Les modifications des plans, des IMP, des enveloppes, des actions autorisées et des rôles des "
            "établissements de l'académie (%(names)s), de la plus récente à la plus ancienne."
        )
        % {"names": names},
    )
