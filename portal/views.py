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

from schools.access import Perm, academie_ids_with, school_ids_with, school_perms, user_scopes
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
        is_referent=bool(school_ids_with(request.user, Perm.LOG_ACTIVITY)),
    )


def _current_years() -> list[str]:
    start = SchoolYear.start_year_for(timezone.localdate())
    return [SchoolYear(start_year=start).name, SchoolYear(start_year=start + 1).name]


def _site_map_academie(user) -> list[dict]:
    """The académie-wide pages of DANE and rectorat staff."""
    pages = [
        (Perm.VIEW_DASHBOARD, "dashboard:dashboard", _("Tableau de bord de l'académie")),
        (Perm.VIEW_DASHBOARD, "dashboard:schools", _("Établissements de l'académie")),
        (Perm.FOLLOW_REFERENTS, "missions:dane_activity", _("Activité des référents par établissement")),
        (Perm.FOLLOW_REFERENTS, "missions:dane_reviews", _("Points d'étape à faire")),
        (Perm.MANAGE_EVENTS, "missions:event_create", _("Publier un événement")),
        (Perm.MANAGE_BADGES, "badges:list", _("Badges de la DANE")),
        (Perm.VALIDATE_IMP, "imp:queue", _("IMP à valider")),
        (Perm.MANAGE_ENVELOPES, "imp:envelopes", _("Enveloppes d'IMP")),
        (Perm.VIEW_PROJECTS, "recognition:dane_projects", _("Projets numériques de l'académie")),
        (Perm.PRINT_BATCH, "documents:print_batches", _("Impressions des fiches pour le CA")),
        (Perm.VIEW_AUDIT, "audit:academie", _("Historique des modifications de l'académie")),
        (Perm.IMPORT_DIRECTORY, "schools:directory_import", _("Importer l'annuaire des établissements")),
    ]
    return [{"url": reverse(name), "title": title} for perm, name, title in pages if academie_ids_with(user, perm)]


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
                    {"url": reverse("helpdesk:collectivity"), "title": _("Demandes d'intervention transmises")},
                ],
            }
        )
    return sections


def _school_links(school, perms, years: list[str]) -> list[dict]:
    """The links of one school's section of the site map, for what perms allow."""
    uai, year = school.uai, years[0]

    def link(name, title, *args):
        return {"url": reverse(name, args=[uai, *args]), "title": title}

    links = [link("schools:detail", _("Page de l'établissement"))]
    if Perm.VIEW_PLAN in perms:
        links += [
            link("missions:allocation", _("Répartition des missions %(year)s") % {"year": each}, each) for each in years
        ]
    if Perm.MANAGE_STAFF in perms:
        links.append(link("schools:staff", _("Personnels")))
    if Perm.VIEW_PLAN in perms:
        title = _("Fiche pour le conseil d'administration %(year)s") % {"year": year}
        links.append(link("documents:ca_sheet_preview", title, year))
    if Perm.VIEW_IMP in perms:
        links.append(link("imp:school", _("IMP %(year)s") % {"year": year}, year))
        links.append(link("imp:schedule", _("Échéancier des IMP"), year))
    by_perm = [
        (Perm.VIEW_SCHOOL_ACTIVITY, "missions:school_activity", _("Activité")),
        (Perm.VIEW_REVIEWS, "missions:reviews", _("Points d'étape")),
        (Perm.VIEW_PROJECTS, "recognition:projects", _("Projets numériques")),
    ]
    links += [link(name, title, year) for perm, name, title in by_perm if perm in perms]
    team = [
        (Perm.VIEW_TEAM_PAGE, "helpdesk:team", _("Le numérique dans mon établissement")),
        (Perm.HANDLE_HELP_REQUESTS, "helpdesk:requests", _("Demandes d'intervention")),
        (Perm.FILE_HELP_REQUEST, "helpdesk:requests", _("Mes demandes d'intervention")),
        (Perm.VIEW_HELP_FIGURES, "helpdesk:figures", _("Chiffres des demandes d'intervention")),
        (Perm.VIEW_TEAM_PAGE, "helpdesk:sessions", _("Sessions de prise en main")),
        (Perm.MANAGE_STAFF, "helpdesk:invite", _("Inviter les enseignants")),
    ]
    links += [link(name, title) for perm, name, title in team if perm in perms]
    if Perm.VIEW_AUDIT in perms:
        links.append(link("audit:school", _("Historique des modifications")))
    links.append(link("schools:means", _("Moyens mis à disposition"), year))
    links.append(link("schools:equipment", _("Demandes d'équipement"), year))
    return links


def _site_map_schools(user) -> list[dict]:
    """The pages of the schools where the user holds a school-level role (principal, referent)."""
    scopes = user_scopes(user)
    if not scopes.school_roles or len(scopes.school_roles) > SITE_MAP_MAX_SCHOOLS:
        return []
    years = _current_years()
    schools = (
        School.objects.filter(pk__in=list(scopes.school_roles)).select_related("departement").order_by("name", "uai")
    )
    return [{"school": school, "links": _school_links(school, school_perms(user, school), years)} for school in schools]
