"""Who sees what: every URL of the project (admin aside) for every member of the cast.

A URL missing from MATRIX fails test_every_url_has_an_expected_outcome, so no page
is added without saying who may open it.
"""

from collections import namedtuple
from pathlib import Path

import pytest
from django.core.files.base import ContentFile
from django.db import transaction
from django.urls import URLPattern, URLResolver, get_resolver

from missions.services import plan_get_or_create
from tests.documents.utils import done_batch
from tests.factories import (
    ActivityEntryFactory,
    AuthorizedActionFactory,
    BadgeAwardFactory,
    BadgeClassFactory,
    EquipmentRequestFactory,
    EventFactory,
    HelpRequestFactory,
    ImpAwardFactory,
    ProcedureSheetFactory,
    ProjectFactory,
    ReviewFactory,
    TeamSessionFactory,
    tiny_png,
)

ROLES = (
    "anonymous",
    "referent_a",
    "principal_a",
    "principal_b",
    "dane",
    "dane_other",
    "rectorat",
    "collectivity_a",
    "collectivity_other",
    "referent_b",  # a referent of school B (same académie, same collectivité as school A)
    "referent_a2",  # a second referent of school A
)
LOGIN = "login"  # 302 to the login page

# What each member of the cast gets on a URL, by role name: building one without naming every role is a
# TypeError, so a role added to the cast is one keyword per outcome kind below.
Outcomes = namedtuple("Outcomes", ROLES)


def same_for_all(expected, *, anonymous=None) -> Outcomes:
    """Every role gets `expected` (the anonymous visitor `anonymous`, when given)."""
    outcomes = dict.fromkeys(ROLES, expected)
    if anonymous is not None:
        outcomes["anonymous"] = anonymous
    return Outcomes(**outcomes)


def signed_in(expected, **by_role) -> Outcomes:
    """Every signed-in role gets `expected` unless named; the anonymous visitor goes to the login page."""
    return same_for_all(expected, anonymous=LOGIN)._replace(**by_role)


# Outcome kinds. School A's pages: its principal and referents, the DANE and rectorat of Dijon, CD21 (which owns
# it) see them; school B's staff and the other académie get 404.
SCHOOL_READ = signed_in(
    404,
    referent_a=200,
    principal_a=200,
    dane=200,
    rectorat=200,
    collectivity_a=200,
    referent_a2=200,
)
PRINCIPAL_ONLY = signed_in(
    404, referent_a=403, principal_a=200, dane=403, rectorat=403, collectivity_a=403, referent_a2=403
)
SCHOOL_TEAM = signed_in(  # principal and referents
    404, referent_a=200, principal_a=200, dane=403, rectorat=403, collectivity_a=403, referent_a2=200
)
SCHOOL_TEAM_AND_COLLECTIVITY = SCHOOL_TEAM._replace(collectivity_a=200)
DANE_ONLY = signed_in(403, dane=200, dane_other=200)  # each DANE for its own académie
COLLECTIVITY_A = signed_in(404, collectivity_a=200)  # /collectivite/CD21/…: the others get 404
COLLECTIVITY_A_POST = signed_in(404, collectivity_a=302)
LETTER = SCHOOL_TEAM._replace(referent_a2=403)  # the cast's referent opens their own letter, not a colleague's
ACADEMIE_STAFF = signed_in(403, dane=200, dane_other=200, rectorat=200)
REQUESTER_ONLY = signed_in(404, dane=200)  # a batch printed by cast.dane
REFERENT_ONLY = signed_in(403, referent_a=200, referent_b=200, referent_a2=200)
OWN_ENTRY = signed_in(403, referent_a=200, referent_b=404, referent_a2=404)  # referent_a's activity entry
EVERYONE = signed_in(200)
REVIEW_READ = SCHOOL_READ._replace(collectivity_a=403)
EVENT_READ = signed_in(200, dane_other=404, collectivity_other=404)  # an event of the académie de Dijon
EVENT_REFERENT_POST = signed_in(
    403, referent_a=302, dane_other=404, collectivity_other=404, referent_b=302, referent_a2=302
)
EVENT_DANE = signed_in(403, dane=200, dane_other=404, collectivity_other=404)
IMP_READ = SCHOOL_READ._replace(  # principal, DANE, rectorat; referents use /mes-imp/
    referent_a=403, collectivity_a=403, referent_a2=403
)
SIGNED_IN = signed_in(200)
RECTORAT_ONLY = signed_in(403, rectorat=200)
BADGE_DANE = signed_in(403, dane=200, dane_other=404)  # a badge of the académie de Dijon
TEACHER_ONLY = PRINCIPAL_ONLY._replace(principal_a=403)  # filing a help request: the school's teachers (none here)
COLLECTIVITIES = signed_in(403, collectivity_a=200, collectivity_other=200)  # each its own schools' counts
PUBLIC = same_for_all(200)  # Open Badges hosted verification: the only pages open without signing in
MATRIX = {
    "dashboard:dashboard": ("get", "/dane/", ACADEMIE_STAFF),
    "dashboard:schools": ("get", "/dane/etablissements/", ACADEMIE_STAFF),
    "dashboard:schools_csv": ("get", "/dane/etablissements.csv", ACADEMIE_STAFF),
    "dashboard:schools_xlsx": ("get", "/dane/etablissements.xlsx", ACADEMIE_STAFF),
    "dashboard:map_json": ("get", "/dane/carte.json", ACADEMIE_STAFF),
    "helpdesk:team": ("get", "/etablissements/{uai}/numerique/", SCHOOL_TEAM),
    "helpdesk:invite": ("get", "/etablissements/{uai}/personnels/inviter/", PRINCIPAL_ONLY),
    "helpdesk:requests": ("get", "/etablissements/{uai}/demandes/", SCHOOL_TEAM),
    "helpdesk:request_file": ("get", "/etablissements/{uai}/demandes/nouvelle/", TEACHER_ONLY),
    "helpdesk:figures": ("get", "/etablissements/{uai}/demandes/chiffres/", PRINCIPAL_ONLY),
    "helpdesk:request": ("get", "/etablissements/{uai}/demandes/{help_request}/", SCHOOL_TEAM),
    "helpdesk:screenshot": ("get", "/etablissements/{uai}/demandes/{help_request}/capture/", SCHOOL_TEAM),
    "helpdesk:sessions": ("get", "/etablissements/{uai}/sessions/", SCHOOL_TEAM),
    "helpdesk:session": ("get", "/etablissements/{uai}/sessions/{team_session}/", SCHOOL_TEAM),
    "helpdesk:collectivity": ("get", "/collectivite/demandes-transmises/", COLLECTIVITIES),
    "login": ("get", "/connexion/", same_for_all(302, anonymous=200)),
    "logout": ("post", "/deconnexion/", signed_in(302)),
    "schools:home": (
        "get",
        "/",
        signed_in(200, referent_a=302, principal_a=302, principal_b=302, referent_b=302, referent_a2=302),
    ),
    "schools:detail": ("get", "/etablissements/{uai}/", SCHOOL_READ),
    "audit:school": ("get", "/etablissements/{uai}/historique/", IMP_READ),  # principal, DANE, rectorat
    "audit:academie": ("get", "/dane/historique/", ACADEMIE_STAFF),
    "schools:staff": ("get", "/etablissements/{uai}/personnels/", PRINCIPAL_ONLY),
    "schools:person_edit": ("get", "/etablissements/{uai}/personnels/{person}/", PRINCIPAL_ONLY),
    "schools:staff_sts": ("get", "/etablissements/{uai}/personnels/sts-web/", PRINCIPAL_ONLY),
    "missions:allocation": ("get", "/etablissements/{uai}/{year}/repartition/", SCHOOL_READ),
    "missions:allocation_check": ("post", "/etablissements/{uai}/{year}/repartition/verifier/", PRINCIPAL_ONLY),
    "password_reset": ("get", "/mot-de-passe/oublie/", same_for_all(200)),
    "password_reset_done": ("get", "/mot-de-passe/oublie/envoye/", same_for_all(200)),
    "password_reset_confirm": ("get", "/mot-de-passe/nouveau/MQ/jeton-invalide/", same_for_all(200)),
    "password_reset_complete": ("get", "/mot-de-passe/change/", same_for_all(200)),
    "oidc_authentication_init": ("get", "/oidc/connexion/", same_for_all(404)),  # single sign-on is off by default
    "oidc_authentication_callback": ("get", "/oidc/retour/", same_for_all(404)),
    "oidc_unknown_account": ("get", "/oidc/compte-inconnu/", same_for_all(404)),
    "accessibility": ("get", "/accessibilite/", same_for_all(200)),
    "legal_notice": ("get", "/mentions-legales/", same_for_all(200)),
    "personal_data": ("get", "/donnees-personnelles/", same_for_all(200)),
    "site_map": ("get", "/plan-du-site/", same_for_all(200)),
    "my_data": ("get", "/mes-donnees/", signed_in(200)),
    "schools:means": ("get", "/etablissements/{uai}/{year}/moyens/", SCHOOL_READ),
    "schools:equipment": ("get", "/etablissements/{uai}/{year}/equipements/", SCHOOL_READ),
    "schools:equipment_edit": ("get", "/etablissements/{uai}/{year}/equipements/{equipment}/", SCHOOL_TEAM),
    "schools:school_sheet": ("get", "/etablissements/{uai}/fiches/{sheet}/", SCHOOL_TEAM_AND_COLLECTIVITY),
    "schools:directory_import": ("get", "/dane/import-etablissements/", DANE_ONLY),
    "schools:collectivity_home": ("get", "/collectivite/", signed_in(403, collectivity_a=302, collectivity_other=302)),
    "schools:collectivity_detail": ("get", "/collectivite/{collectivity}/", COLLECTIVITY_A),
    "schools:collectivity_actions": ("get", "/collectivite/{collectivity}/{year}/actions/", COLLECTIVITY_A),
    "schools:collectivity_action_delete": (
        "post",
        "/collectivite/{collectivity}/actions/{action}/retirer/",
        COLLECTIVITY_A_POST,
    ),
    "schools:sheet_validate": ("post", "/collectivite/{collectivity}/fiches/{sheet}/valider/", COLLECTIVITY_A_POST),
    "schools:sheet_delete": ("post", "/collectivite/{collectivity}/fiches/{sheet}/supprimer/", COLLECTIVITY_A_POST),
    "schools:sheet_download": ("get", "/collectivite/{collectivity}/fiches/{sheet}/", COLLECTIVITY_A),
    "schools:collectivity_equipment": ("get", "/collectivite/{collectivity}/{year}/equipements/", COLLECTIVITY_A),
    "documents:ca_sheet_pdf": ("get", "/etablissements/{uai}/{year}/fiche-ca.pdf", SCHOOL_READ),
    "documents:ca_sheet_preview": ("get", "/etablissements/{uai}/{year}/fiche-ca/", SCHOOL_READ),
    "documents:letter_pdf": ("get", "/etablissements/{uai}/{year}/lettres/{person}.pdf", LETTER),
    "documents:letter_preview": ("get", "/etablissements/{uai}/{year}/lettres/{person}/", LETTER),
    "documents:print_batches": ("get", "/impressions/", ACADEMIE_STAFF),
    "documents:print_batch": ("get", "/impressions/{batch}/", REQUESTER_ONLY),
    "documents:print_batch_state": ("get", "/impressions/{batch}/etat.json", REQUESTER_ONLY),
    "documents:print_batch_zip": ("get", "/impressions/{batch}.zip", REQUESTER_ONLY),
    "missions:plan_rollover": ("get", "/etablissements/{uai}/{year}/repartition/reprendre/", PRINCIPAL_ONLY),
    "missions:plan_reopen": ("get", "/etablissements/{uai}/{year}/repartition/modifier/", PRINCIPAL_ONLY),
    "missions:activity": ("get", "/activite/", REFERENT_ONLY),
    "missions:activity_export": ("get", "/activite/export.csv", REFERENT_ONLY),
    "missions:activity_edit": ("get", "/activite/{entry}/modifier/", OWN_ENTRY),
    "missions:activity_delete": ("get", "/activite/{entry}/supprimer/", OWN_ENTRY),
    "missions:school_activity": ("get", "/etablissements/{uai}/{year}/activite/", PRINCIPAL_ONLY),
    "missions:school_activity_export": ("get", "/etablissements/{uai}/{year}/activite/export.csv", PRINCIPAL_ONLY),
    "missions:dane_activity": ("get", "/dane/activite/", DANE_ONLY),
    "missions:reviews": ("get", "/etablissements/{uai}/{year}/points-etape/", REVIEW_READ),
    "missions:review_detail": ("get", "/etablissements/{uai}/{year}/points-etape/{review}/", REVIEW_READ),
    "missions:review_delete": (
        "post",
        "/etablissements/{uai}/{year}/points-etape/{review}/supprimer/",
        REVIEW_READ._replace(referent_a=403, principal_a=302, dane=302, rectorat=403, referent_a2=403),
    ),
    "missions:dane_reviews": ("get", "/dane/points-etape/", DANE_ONLY),
    "missions:events": ("get", "/evenements/", EVERYONE),
    "missions:event_create": ("get", "/evenements/nouveau/", DANE_ONLY),
    "missions:event_detail": ("get", "/evenements/{event}/", EVENT_READ),
    "missions:event_edit": ("get", "/evenements/{event}/modifier/", EVENT_DANE),
    "missions:event_register": ("post", "/evenements/{event}/inscription/", EVENT_REFERENT_POST),
    "missions:event_unregister": ("post", "/evenements/{event}/desinscription/", EVENT_REFERENT_POST),
    "missions:event_attendance": (
        "post",
        "/evenements/{event}/presences/",
        EVENT_DANE._replace(dane=302),
    ),
    "missions:event_calendar": ("get", "/evenements/{event}/evenement.ics", EVENT_READ),
    "missions:my_reminders": ("get", "/rappels/", EVERYONE),
    "imp:school": ("get", "/etablissements/{uai}/{year}/imp/", IMP_READ),
    "imp:award": ("get", "/etablissements/{uai}/{year}/imp/{award}/", IMP_READ),
    "imp:schedule": ("get", "/etablissements/{uai}/{year}/imp/echeancier/", IMP_READ),
    "imp:schedule_csv": ("get", "/etablissements/{uai}/{year}/imp/echeancier.csv", IMP_READ),
    "imp:mine": ("get", "/mes-imp/", SIGNED_IN),
    "imp:mine_csv": ("get", "/mes-imp/echeancier.csv", SIGNED_IN),
    "imp:queue": ("get", "/rectorat/imp/", RECTORAT_ONLY),
    "imp:envelopes": ("get", "/rectorat/enveloppes/", RECTORAT_ONLY),
    "imp:payroll_csv": ("get", "/rectorat/imp/paie.csv", RECTORAT_ONLY),
    "imp:payroll_xlsx": ("get", "/rectorat/imp/paie.xlsx", RECTORAT_ONLY),
    "badges:list": ("get", "/badges/", DANE_ONLY),
    "badges:create": ("get", "/badges/nouveau/", DANE_ONLY),
    "badges:detail": ("get", "/badges/{badge}/", BADGE_DANE),
    "badges:edit": ("get", "/badges/{badge}/modifier/", BADGE_DANE),
    "badges:award": ("get", "/badges/{badge}/delivrer/", BADGE_DANE),
    "badges:revoke": ("get", "/badges/delivres/{badge_award}/revoquer/", BADGE_DANE),
    "badges:mine": ("get", "/badges/mes-badges/", SIGNED_IN),
    "badges:publication": ("post", "/badges/mes-badges/publication/", signed_in(302)),
    "badges:mine_download": (
        "get",
        "/badges/mes-badges/{badge_uid}.png",
        signed_in(404, referent_a=200),  # the cast's referent downloads their own badge
    ),
    "openbadges:issuer": ("get", "/openbadges/emetteurs/{academie_code}/", PUBLIC),
    "openbadges:revocations": ("get", "/openbadges/emetteurs/{academie_code}/revocations/", PUBLIC),
    "openbadges:badge": ("get", "/openbadges/badges/{badge}/", PUBLIC),
    "openbadges:badge_image": ("get", "/openbadges/badges/{badge}/image/", PUBLIC),
    "openbadges:assertion": ("get", "/openbadges/assertions/{badge_uid}/", PUBLIC),
    "openbadges:record": ("get", "/openbadges/parcours/{record_token}/", PUBLIC),
    "recognition:projects": ("get", "/etablissements/{uai}/{year}/projets/", REVIEW_READ),
    "recognition:project_edit": ("get", "/etablissements/{uai}/{year}/projets/{project}/", SCHOOL_TEAM),
    "recognition:project_delete": ("get", "/etablissements/{uai}/{year}/projets/{project}/supprimer/", SCHOOL_TEAM),
    "recognition:dane_projects": ("get", "/dane/projets/", ACADEMIE_STAFF),
    "recognition:dane_projects_csv": ("get", "/dane/projets.csv", ACADEMIE_STAFF),
    "recognition:project_feature": (
        "post",
        "/dane/projets/{project}/valoriser/",
        signed_in(403, dane=302, dane_other=404),  # the DANE of another académie: 404
    ),
    "recognition:my_record": ("get", "/mon-parcours/", SIGNED_IN),  # an empty state for who held no mission
}


# URLs that answer a file (PDF, CSV, ZIP…), not an HTML page: no title, no accessibility check of their own.
FILE_URLS = {
    "dashboard:schools_csv": "the table of schools (CSV)",
    "dashboard:schools_xlsx": "the table of schools (Excel)",
    "helpdesk:screenshot": "a help request's screenshot (PNG or JPEG)",
    "my_data": "the signed-in person's data (JSON)",
    "schools:school_sheet": "a procedure sheet (PDF)",
    "schools:sheet_download": "a procedure sheet (PDF)",
    "documents:ca_sheet_pdf": "the CA sheet (PDF)",
    "documents:letter_pdf": "a lettre de mission (PDF)",
    "documents:print_batch_state": "a batch's progress (JSON polled by its page)",
    "documents:print_batch_zip": "a batch's ZIP of PDFs",
    "missions:activity_export": "the referent's activity log (CSV)",
    "missions:school_activity_export": "the school's activity log (CSV)",
    "missions:event_calendar": "an event (iCalendar .ics)",
    "imp:schedule_csv": "the school's payment schedule (CSV)",
    "imp:mine_csv": "the referent's payments (CSV)",
    "imp:payroll_csv": "the académie's IMP payments for payroll (CSV)",
    "imp:payroll_xlsx": "the académie's IMP payments for payroll (Excel)",
    "badges:mine_download": "a badge image with its assertion baked in (PNG)",
    "openbadges:issuer": "an Open Badges issuer profile (JSON-LD)",
    "openbadges:revocations": "an Open Badges revocation list (JSON-LD)",
    "openbadges:badge": "an Open Badges badge class (JSON-LD)",
    "openbadges:badge_image": "a badge image (PNG)",
    "openbadges:assertion": "an Open Badges assertion (JSON-LD)",
    "recognition:dane_projects_csv": "the académie's projects (CSV)",
    "dashboard:map_json": "the dashboard map's points (JSON)",
}


def document_objects(cast) -> dict:
    """What the documents' URLs name: the cast's referent holds a row (so has a letter); a batch of cast.dane."""
    if hasattr(cast, "document_objects"):
        return cast.document_objects
    from django.conf import settings

    plan = plan_get_or_create(school=cast.school_a, school_year=cast.school_year)
    plan.rows.get(mission__code="communicate").holders.add(cast.referent_person)
    batch = done_batch(cast.dane, cast.dijon, cast.school_year, settings, Path(settings.MEDIA_ROOT))
    cast.document_objects = {"batch": batch.pk}
    return cast.document_objects


def collectivity_objects(cast) -> dict:
    """What the URLs of the collectivité's side name: CD21 (school A's), an authorization, a sheet, a request."""
    if hasattr(cast, "collectivity_objects"):
        return cast.collectivity_objects
    action = AuthorizedActionFactory(collectivity=cast.cd21, school_year=cast.school_year)
    sheet = ProcedureSheetFactory(action=action, is_validated=True)
    equipment = EquipmentRequestFactory(school=cast.school_a, school_year=cast.school_year)
    cast.collectivity_objects = {
        "collectivity": cast.cd21.code,
        "action": action.pk,
        "sheet": sheet.pk,
        "equipment": equipment.pk,
    }
    return cast.collectivity_objects


def imp_objects(cast) -> dict[str, int]:
    """What the IMP URLs name: an award of the cast's referent in school A."""
    if not hasattr(cast, "imp_objects"):
        award = ImpAwardFactory(school=cast.school_a, school_year=cast.school_year, person=cast.referent_person)
        cast.imp_objects = {"award": award.pk}
    return cast.imp_objects


def badge_objects(cast) -> dict:
    """What the badge URLs name: a badge of Dijon awarded to the cast's referent, whose year is public."""
    if not hasattr(cast, "badge_objects"):
        from badges.models import Publication

        badge = BadgeClassFactory(academie=cast.dijon)
        award = BadgeAwardFactory(badge=badge, recipient=cast.referent_a, school_year=cast.school_year)
        publication = Publication.objects.create(user=cast.referent_a, school_year=cast.school_year, public=True)
        cast.badge_objects = {
            "badge": badge.pk,
            "badge_award": award.pk,
            "badge_uid": award.uid,
            "academie_code": cast.dijon.code,
            "record_token": publication.token,
        }
    return cast.badge_objects


def matrix_objects(cast) -> dict[str, int]:
    """The objects the URLs name: an activity of referent_a, a review of school A, an event of Dijon."""
    if not hasattr(cast, "activity_objects"):
        cast.activity_objects = {
            "entry": ActivityEntryFactory(person=cast.referent_person).pk,
            "review": ReviewFactory(school=cast.school_a, school_year=cast.school_year).pk,
            "event": EventFactory(academie=cast.dijon).pk,
        }
    return cast.activity_objects


def recognition_objects(cast) -> dict[str, int]:
    """What the projects' URLs name: a project of school A with the cast's referent associated."""
    if not hasattr(cast, "recognition_objects"):
        project = ProjectFactory(school=cast.school_a, school_year=cast.school_year)
        project.referents.add(cast.referent_person)
        cast.recognition_objects = {"project": project.pk}
    return cast.recognition_objects


def project_url_names(patterns=None, namespace="") -> set[str]:
    names = set()
    for pattern in patterns if patterns is not None else get_resolver().url_patterns:
        if isinstance(pattern, URLResolver):
            if pattern.namespace == "admin":
                continue
            inner = f"{namespace}{pattern.namespace}:" if pattern.namespace else namespace
            names |= project_url_names(pattern.url_patterns, inner)
        elif isinstance(pattern, URLPattern):
            assert pattern.name, f"URL pattern {pattern.pattern} has no name"
            names.add(f"{namespace}{pattern.name}")
    return names


def test_every_url_has_an_expected_outcome():
    assert project_url_names() == set(MATRIX)


def test_a_url_missing_from_the_matrix_is_reported():
    from django.urls import path

    extra = [URLResolver(r"^", [path("nouvelle-page/", lambda r: None, name="new_page")])]
    assert "new_page" in project_url_names(extra) - set(MATRIX)


def roles_opening(name: str) -> list[str]:
    """The roles of the cast that get a 200 on this URL, in ROLES order."""
    return [role for role, expected in zip(ROLES, MATRIX[name][2], strict=True) if expected == 200]


def helpdesk_objects(cast) -> dict[str, int]:
    """What the team's URLs name: a help request of a teacher of school A, with its screenshot, and a session de
    prise en main of the cast's referent."""
    if not hasattr(cast, "helpdesk_objects"):
        request = HelpRequestFactory(school=cast.school_a, school_year=cast.school_year, screenshot_format="png")
        request.screenshot.save("capture.png", ContentFile(tiny_png()))
        session = TeamSessionFactory(school=cast.school_a, school_year=cast.school_year, referent=cast.referent_person)
        cast.helpdesk_objects = {"help_request": request.pk, "team_session": session.pk}
    return cast.helpdesk_objects


def matrix_urls(cast, **overrides) -> dict[str, str]:
    """Every MATRIX path with its placeholders filled for the cast (creating what they name); shared with the
    accessibility test of every page (tests/browser/test_accessibility.py)."""
    plan_get_or_create(school=cast.school_a, school_year=cast.school_year)
    values = {
        "uai": cast.school_a.uai,
        "year": cast.school_year.name,
        "person": cast.referent_person.pk,
        **collectivity_objects(cast),
        **document_objects(cast),
        **matrix_objects(cast),
        **imp_objects(cast),
        **badge_objects(cast),
        **recognition_objects(cast),
        **helpdesk_objects(cast),
        **overrides,  # e.g. uai=another school's UAI, with school A's objects (tests/test_access_matrix_writes.py)
    }
    return {name: template.format(**values) for name, (_m, template, _o) in MATRIX.items()}


def test_every_outcome_names_every_role():
    assert all(isinstance(outcomes, Outcomes) for _m, _p, outcomes in MATRIX.values())
    with pytest.raises(TypeError):
        Outcomes(anonymous=LOGIN, referent_a=200)  # a role left out is an error, not a silent default


def outcome_of(client, method: str, url: str):
    """What the URL answers: LOGIN for a redirection to the login page, else the status code."""
    response = getattr(client, method)(url)
    if response.streaming:
        b"".join(response.streaming_content)  # read to the end: the test client then closes the file
    if response.status_code == 302 and response["Location"].startswith("/connexion/?next="):
        return LOGIN
    return response.status_code


@pytest.mark.parametrize("name", list(MATRIX))
def test_access(client_for, cast, name):
    """One URL for every member of the cast; every role that gets something else than expected is reported."""
    method, _template, expected = MATRIX[name]
    url = matrix_urls(cast)[name]
    got = {}
    for role in ROLES:
        with transaction.atomic():  # what a role's POST changes is undone before the next role asks
            got[role] = outcome_of(client_for(None if role == "anonymous" else getattr(cast, role)), method, url)
            transaction.set_rollback(True)
    wrong = {
        role: f"expected {expected._asdict()[role]}, got {got[role]}"
        for role in ROLES
        if got[role] != expected._asdict()[role]
    }
    assert not wrong, f"{method.upper()} {url}: {wrong}"


def test_principal_of_other_school_gets_404_on_a_lowercase_uai_too(client_for, cast):
    client = client_for(cast.principal_b)
    assert client.get(f"/etablissements/{cast.school_a.uai.lower()}/").status_code == 404
    assert client_for(cast.principal_a).get(f"/etablissements/{cast.school_a.uai.lower()}/").status_code == 200
