"""The public-sector pages every page links to from its footer: accessibility, legal notice, personal data,
site map. They are public: anyone may read them before signing in."""

import datetime

from django.conf import settings
from django.contrib.auth.decorators import login_not_required
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_safe

from schools.access import Perm, school_perms, user_scopes
from schools.models import Collectivity, School, SchoolYear

# The day the accessibility statement was last written: change it with the statement (after an audit).
ACCESSIBILITY_STATEMENT_DATE = datetime.date(2026, 11, 28)


def _page(request, template: str, title: str, **context):
    return render(
        request,
        template,
        {
            "title": title,
            "breadcrumb_data": {"links": [], "current": title},
            "publisher": settings.SITE_PUBLISHER,
            "publication_director": settings.SITE_PUBLICATION_DIRECTOR,
            "hosting": settings.SITE_HOSTING,
            "contact_email": settings.CONTACT_EMAIL,
            "site_url": settings.SITE_URL,
            **context,
        },
    )


@login_not_required
@require_safe
def accessibility(request):
    return _page(
        request,
        "pages/accessibility.html",
        _("Déclaration d'accessibilité"),
        statement_date=ACCESSIBILITY_STATEMENT_DATE,
    )


@login_not_required
@require_safe
def legal_notice(request):
    return _page(request, "pages/legal_notice.html", _("Mentions légales"))


@login_not_required
@require_safe
def personal_data(request):
    return _page(request, "pages/personal_data.html", _("Données personnelles"))


# A school-level user sees links to each of their schools' pages; beyond this many, the list page is enough.
SITE_MAP_MAX_SCHOOLS = 10


@login_not_required
@require_safe
def site_map(request):
    return _page(
        request,
        "pages/site_map.html",
        _("Plan du site"),
        school_sections=_site_map_schools(request.user),
        academie_links=_site_map_academie(request.user),
        collectivity_sections=_site_map_collectivities(request.user),
        is_referent=any("referent" in kinds for kinds in user_scopes(request.user).school_roles.values()),
    )


def _current_years() -> list[str]:
    start = SchoolYear.start_year_for(timezone.localdate())
    return [SchoolYear(start_year=start).name, SchoolYear(start_year=start + 1).name]


def _site_map_academie(user) -> list[dict]:
    """The académie-wide pages of DANE and rectorat staff."""
    kinds = user_scopes(user).kinds
    links = []
    if kinds & {"dane", "rectorat"}:
        links.append({"url": reverse("dashboard:dashboard"), "title": _("Tableau de bord de l'académie")})
        links.append({"url": reverse("dashboard:schools"), "title": _("Établissements de l'académie")})
    if "dane" in kinds:
        links += [
            {"url": reverse("missions:dane_activity"), "title": _("Activité des référents par établissement")},
            {"url": reverse("missions:dane_reviews"), "title": _("Points d'étape à faire")},
            {"url": reverse("missions:event_create"), "title": _("Publier un événement")},
            {"url": reverse("badges:list"), "title": _("Badges de la DANE")},
        ]
    if "rectorat" in kinds:
        links += [
            {"url": reverse("imp:queue"), "title": _("IMP à valider")},
            {"url": reverse("imp:envelopes"), "title": _("Enveloppes d'IMP")},
        ]
    if kinds & {"dane", "rectorat"}:
        links.append({"url": reverse("recognition:dane_projects"), "title": _("Projets numériques de l'académie")})
        links.append({"url": reverse("documents:print_batches"), "title": _("Impressions des fiches pour le CA")})
        links.append({"url": reverse("audit:academie"), "title": _("Historique des modifications de l'académie")})
    if "dane" in kinds:
        links.append({"url": reverse("schools:directory_import"), "title": _("Importer l'annuaire des établissements")})
    return links


def _site_map_collectivities(user) -> list[dict]:
    """The pages of the collectivités the user works for."""
    ids = user_scopes(user).collectivity_ids
    if not ids:
        return []
    year = _current_years()[0]
    sections = []
    for collectivity in Collectivity.objects.filter(pk__in=list(ids)).order_by("name", "pk"):
        code = collectivity.code
        sections.append(
            {
                "collectivity": collectivity,
                "links": [
                    {"url": reverse("schools:collectivity_detail", args=[code]), "title": _("Établissements")},
                    {
                        "url": reverse("schools:collectivity_actions", args=[code, year]),
                        "title": _("Actions autorisées %(year)s") % {"year": year},
                    },
                    {
                        "url": reverse("schools:collectivity_equipment", args=[code, year]),
                        "title": _("Demandes d'équipement %(year)s") % {"year": year},
                    },
                ],
            }
        )
    return sections


def _site_map_schools(user) -> list[dict]:
    """The pages of the schools where the user holds a school-level role (principal, referent)."""
    scopes = user_scopes(user)
    if not scopes.school_roles or len(scopes.school_roles) > SITE_MAP_MAX_SCHOOLS:
        return []
    years = _current_years()
    sections = []
    for school in (
        School.objects.filter(pk__in=list(scopes.school_roles)).select_related("departement").order_by("name", "uai")
    ):
        perms = school_perms(user, school)
        links = [{"url": reverse("schools:detail", args=[school.uai]), "title": _("Page de l'établissement")}]
        if Perm.VIEW_PLAN in perms:
            links += [
                {
                    "url": reverse("missions:allocation", args=[school.uai, year]),
                    "title": _("Répartition des missions %(year)s") % {"year": year},
                }
                for year in years
            ]
        if Perm.MANAGE_STAFF in perms:
            links.append({"url": reverse("schools:staff", args=[school.uai]), "title": _("Personnels")})
        if Perm.VIEW_PLAN in perms:
            links.append(
                {
                    "url": reverse("documents:ca_sheet_preview", args=[school.uai, years[0]]),
                    "title": _("Fiche pour le conseil d'administration %(year)s") % {"year": years[0]},
                }
            )
        if Perm.VIEW_IMP in perms:
            links += [
                {
                    "url": reverse("imp:school", args=[school.uai, years[0]]),
                    "title": _("IMP %(year)s") % {"year": years[0]},
                },
                {"url": reverse("imp:schedule", args=[school.uai, years[0]]), "title": _("Échéancier des IMP")},
            ]
        if Perm.VIEW_SCHOOL_ACTIVITY in perms:
            links.append(
                {"url": reverse("missions:school_activity", args=[school.uai, years[0]]), "title": _("Activité")}
            )
        if Perm.VIEW_REVIEWS in perms:
            links.append(
                {"url": reverse("missions:reviews", args=[school.uai, years[0]]), "title": _("Points d'étape")}
            )
        if Perm.VIEW_PROJECTS in perms:
            links.append(
                {"url": reverse("recognition:projects", args=[school.uai, years[0]]), "title": _("Projets numériques")}
            )
        if Perm.VIEW_AUDIT in perms:
            links.append(
                {"url": reverse("audit:school", args=[school.uai]), "title": _("Historique des modifications")}
            )
        links += [
            {"url": reverse("schools:means", args=[school.uai, years[0]]), "title": _("Moyens mis à disposition")},
            {"url": reverse("schools:equipment", args=[school.uai, years[0]]), "title": _("Demandes d'équipement")},
        ]
        sections.append({"school": school, "links": links})
    return sections
