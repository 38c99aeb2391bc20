"""The badge pages: the DANE defines, awards in bulk from a filtered list and revokes; the referent downloads a
baked badge and chooses what is public."""

import datetime
import json

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from badges.baking import unbake_png, unbake_svg
from badges.models import BadgeAward, BadgeClass, Publication
from badges.openbadges import hash_identity
from badges.svg_allowlist import check_svg
from missions.models import AllocationPlan
from missions.services import plan_get_or_create
from schools.models import SchoolYear
from tests.badges.conftest import PUBLIC_URL, make_referent
from tests.factories import (
    BadgeAwardFactory,
    BadgeClassFactory,
    DepartementFactory,
    EventFactory,
    EventRegistrationFactory,
    SchoolFactory,
    tiny_png,
)
from tests.utils import extract_form_fields, flat


def award_url(badge, **query) -> str:
    params = "&".join(f"{key}={value}" for key, value in query.items())
    return f"/badges/{badge.pk}/delivrer/" + (f"?{params}" if params else "")


def submit_plan_with(school, school_year, person):
    plan = plan_get_or_create(school=school, school_year=school_year)
    plan.rows.get(mission__code="communicate").holders.add(person)
    AllocationPlan.objects.filter(pk=plan.pk).update(state="submitted", submitted_at=timezone.now())


def test_dane_creates_a_badge_from_the_rendered_form(client_for, cast):
    client = client_for(cast.dane)
    data = flat(extract_form_fields(client.get("/badges/nouveau/").content, "badge-form"))
    data.update(name="Administrateur ENT", description="Administre l'ENT.", criteria="Toute l'année.")
    data["image"] = SimpleUploadedFile("ent.png", tiny_png(), content_type="image/png")
    response = client.post("/badges/nouveau/", data)
    badge = BadgeClass.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/badges/{badge.pk}/"
    assert badge.academie == cast.dijon and badge.image_format == "png"
    assert "Administrateur ENT" in client.get("/badges/").content.decode()


def test_a_badge_with_a_gif_image_is_refused_beside_the_form(client_for, cast):
    client = client_for(cast.dane)
    data = flat(extract_form_fields(client.get("/badges/nouveau/").content, "badge-form"))
    data.update(name="Badge", description="D", criteria="C")
    data["image"] = SimpleUploadedFile("b.gif", b"GIF89a\x01\x00\x01\x00\x00;", content_type="image/gif")
    response = client.post("/badges/nouveau/", data)
    assert response.status_code == 400
    assert "PNG ou SVG" in response.content.decode()
    assert not BadgeClass.objects.exists()


def test_dane_edits_a_badge_without_changing_its_image(client_for, cast, badge):
    client = client_for(cast.dane)
    data = flat(extract_form_fields(client.get(f"/badges/{badge.pk}/modifier/").content, "badge-form"))
    data["name"] = "Référent numérique confirmé"
    assert client.post(f"/badges/{badge.pk}/modifier/", data).status_code == 302
    badge.refresh_from_db()
    assert badge.name == "Référent numérique confirmé" and badge.image_format == "png"


def test_the_award_page_filters_by_full_year_mission_and_yearly_meeting(client_for, cast, badge):
    year = cast.school_year
    both = make_referent(cast.school_b, "both@ac-dijon.fr", last_name="Deux")
    mission_only = make_referent(cast.school_b, "mission@ac-dijon.fr", last_name="Tenant")
    meeting_only = make_referent(cast.school_a, "meeting@ac-dijon.fr", last_name="Rencontre")
    submit_plan_with(cast.school_b, year, both.persons.get())
    AllocationPlan.objects.filter(school=cast.school_b).first().rows.get(mission__code="tools.website").holders.add(
        mission_only.persons.get()
    )
    meeting = EventFactory(
        academie=cast.dijon, kind="meeting", starts_at=timezone.make_aware(datetime.datetime(year.start_year, 10, 5, 9))
    )
    for user in (both, meeting_only):
        EventRegistrationFactory(event=meeting, user=user, attended=True)
    training = EventFactory(academie=cast.dijon, past=True)
    EventRegistrationFactory(event=training, user=mission_only, attended=True)  # a training is not the meeting
    client = client_for(cast.dane)

    def names(**query) -> set[str]:
        page = client.get(award_url(badge, annee=year.start_year, **query)).content.decode()
        return {name for name in ("Deux", "Tenant", "Rencontre", "Romain") if name in page}

    assert names() == {"Deux", "Tenant", "Rencontre", "Romain"}
    assert names(mission="on") == {"Deux", "Tenant"}
    assert names(reunion="on") == {"Deux", "Rencontre"}
    assert names(mission="on", reunion="on") == {"Deux"}
    cote_dor = cast.school_a.departement
    assert names(departement=cote_dor.pk) == {"Deux", "Tenant", "Rencontre", "Romain"}
    yonne = DepartementFactory(code="89", name="Yonne", academie=cast.dijon)
    assert names(departement=yonne.pk) == set()
    last_year = str(year.start_year - 1)
    page = client.get(award_url(badge, annee=last_year, mission="on")).content.decode()
    assert "Aucun référent" in page  # the plan was submitted for this year, not the last one


def test_the_award_page_of_a_year_not_recorded_creates_nothing(client_for, cast, badge):
    """GET /badges/<id>/delivrer/?annee=… reads the year: one that is not recorded is a message beside the field,
    no referent to award, and no SchoolYear created (nothing is written on a GET)."""
    before = set(SchoolYear.objects.values_list("start_year", flat=True))
    missing = cast.school_year.start_year - 5
    assert missing not in before
    response = client_for(cast.dane).get(award_url(badge, annee=missing))
    assert response.status_code == 200
    page = response.content.decode()
    assert f"Aucune année scolaire {missing}-{missing + 1} n&#x27;est enregistrée" in page
    assert "Aucun référent" in page
    assert set(SchoolYear.objects.values_list("start_year", flat=True)) == before
    posted = client_for(cast.dane).post(award_url(badge, annee=missing), {"recipients": [str(cast.referent_a.pk)]})
    assert posted.status_code == 400
    assert not BadgeAward.objects.exists()
    assert set(SchoolYear.objects.values_list("start_year", flat=True)) == before


def test_the_award_page_lists_only_the_academies_referents(client_for, cast, badge):
    make_referent(cast.school_c, "besancon@ac-besancon.fr", last_name="Bisontin")
    page = client_for(cast.dane).get(award_url(badge)).content.decode()
    assert "Romain" in page and "Bisontin" not in page and "Principale" not in page


def test_dane_awards_in_bulk_from_the_filtered_list(client_for, cast, badge):
    year = cast.school_year
    others = [make_referent(cast.school_b, f"r{n}@ac-dijon.fr", last_name=f"Réf{n}") for n in range(3)]
    for user in others[:2]:
        submit_plan_with(cast.school_b, year, user.persons.get())
    BadgeAwardFactory(badge=badge, recipient=others[0], school_year=year)
    client = client_for(cast.dane)
    url = award_url(badge, annee=year.start_year, mission="on")
    data = extract_form_fields(client.get(url).content, "award-form")
    data["recipients"] = [str(others[0].pk), str(others[1].pk)]  # what "Tout sélectionner" checks
    data["note"] = ["Merci pour cette année"]
    response = client.post(url, flat(data), follow=True)
    assert "Badge délivré à 1 référent(s). 1 l&#x27;avai(en)t déjà" in response.content.decode()
    award = BadgeAward.objects.get(recipient=others[1])
    assert award.school_year == year and award.note == "Merci pour cette année" and award.awarded_by == cast.dane


def test_a_referent_outside_the_filtered_list_cannot_be_posted(client_for, cast, badge):
    outsider = make_referent(cast.school_b, "outsider@ac-dijon.fr")
    url = award_url(badge, annee=cast.school_year.start_year, mission="on")
    response = client_for(cast.dane).post(url, {"recipients": [str(outsider.pk)], "note": ""})
    assert response.status_code == 400
    assert not BadgeAward.objects.exists()


def test_dane_revokes_after_confirming_with_a_reason(client_for, cast, award):
    client = client_for(cast.dane)
    page = client.get(f"/badges/delivres/{award.pk}/revoquer/")
    assert "définitive" in page.content.decode()
    data = extract_form_fields(page.content, "revoke-form")
    assert client.post(f"/badges/delivres/{award.pk}/revoquer/", flat(data)).status_code == 400  # no reason
    data["reason"] = ["Attribué à la mauvaise personne"]
    response = client.post(f"/badges/delivres/{award.pk}/revoquer/", flat(data))
    assert response.status_code == 302
    award.refresh_from_db()
    assert award.revocation_reason == "Attribué à la mauvaise personne"
    assert "Révoqué" in client.get(f"/badges/{award.badge_id}/").content.decode()


def test_dane_of_another_academie_gets_404_on_a_badge_and_its_awards(client_for, cast, award):
    client = client_for(cast.dane_other)
    assert client.get(f"/badges/{award.badge_id}/").status_code == 404
    assert client.post(f"/badges/delivres/{award.pk}/revoquer/", {"reason": "x"}).status_code == 404
    assert client.post(award_url(award.badge), {"recipients": [str(cast.referent_a.pk)]}).status_code == 404
    award.refresh_from_db()
    assert award.revoked_at is None


def test_the_referent_sees_their_badges_and_the_assertion_url(client_for, cast, award):
    page = client_for(cast.referent_a).get("/badges/mes-badges/").content.decode()
    assert "Référent numérique 2026-2027" in page
    assert f"{PUBLIC_URL}/openbadges/assertions/{award.uid}/" in page
    assert f'href="/badges/mes-badges/{award.uid}.png"' in page


def test_the_downloaded_png_has_the_assertion_baked_in(client_for, cast, award):
    response = client_for(cast.referent_a).get(f"/badges/mes-badges/{award.uid}.png")
    assert response.status_code == 200 and response["Content-Type"] == "image/png"
    assert "attachment" in response["Content-Disposition"]
    assertion = json.loads(unbake_png(response.content))
    assert assertion["id"] == f"{PUBLIC_URL}/openbadges/assertions/{award.uid}/"
    assert assertion["recipient"]["identity"] == hash_identity(cast.referent_a.email, assertion["recipient"]["salt"])


def test_an_svg_badge_downloads_as_a_baked_svg(client_for, cast):
    award = BadgeAwardFactory(
        badge=BadgeClassFactory(academie=cast.dijon, svg=True), recipient=cast.referent_a, school_year=cast.school_year
    )
    client = client_for(cast.referent_a)
    assert client.get(f"/badges/mes-badges/{award.uid}.png")["Location"] == f"/badges/mes-badges/{award.uid}.svg"
    response = client.get(f"/badges/mes-badges/{award.uid}.svg")
    assert response["Content-Type"] == "image/svg+xml"
    assert json.loads(unbake_svg(response.content))["id"].endswith(f"/openbadges/assertions/{award.uid}/")


def test_nobody_else_downloads_a_referents_badge_and_a_revoked_one_is_gone(client_for, cast, award):
    assert client_for(cast.principal_a).get(f"/badges/mes-badges/{award.uid}.png").status_code == 404
    award.revoked_at, award.revocation_reason = timezone.now(), "Erreur"
    award.save()
    assert client_for(cast.referent_a).get(f"/badges/mes-badges/{award.uid}.png").status_code == 404


def test_the_referent_makes_a_year_public_then_private_from_the_page(client_for, cast, award):
    client = client_for(cast.referent_a)
    page = client.get("/badges/mes-badges/").content.decode()
    assert f"Rendre {cast.school_year.name} public" in page
    response = client.post("/badges/mes-badges/publication/", {"annee": cast.school_year.start_year, "public": "on"})
    assert response.status_code == 302
    publication = Publication.objects.get(user=cast.referent_a)
    assert publication.public
    page = client.get("/badges/mes-badges/").content.decode()
    assert f"/openbadges/parcours/{publication.token}/" in page
    client.post("/badges/mes-badges/publication/", {"annee": cast.school_year.start_year})
    publication.refresh_from_db()
    assert not publication.public


def test_publishing_an_unknown_year_changes_nothing(client_for, cast):
    client_for(cast.referent_a).post("/badges/mes-badges/publication/", {"annee": 1901, "public": "on"})
    assert not Publication.objects.exists()


@pytest.mark.parametrize("referents", [3, 30])
def test_award_page_query_count_does_not_grow_with_referents(client_for, cast, badge, referents):
    departement = cast.school_a.departement
    for n in range(referents):
        school = SchoolFactory(departement=departement, collectivity=cast.cd21)
        user = make_referent(school, f"q{n}@ac-dijon.fr")
        BadgeAwardFactory(badge=badge, recipient=user, school_year=cast.school_year)
    client = client_for(cast.dane)
    url = award_url(badge, annee=cast.school_year.start_year, mission="on", reunion="on")
    client.get(award_url(badge))
    with CaptureQueriesContext(connection) as queries:
        assert client.get(award_url(badge)).status_code == 200
    assert len(queries) == EXPECTED_AWARD_PAGE_QUERIES, [q["sql"] for q in queries]
    assert client.get(url).status_code == 200


@pytest.mark.parametrize("awards", [2, 20])
def test_badge_page_and_my_badges_query_counts_do_not_grow(client_for, cast, badge, awards):
    for n in range(awards):
        user = make_referent(cast.school_b, f"a{n}@ac-dijon.fr")
        BadgeAwardFactory(badge=badge, recipient=user, school_year=cast.school_year)
        BadgeAwardFactory(badge=BadgeClassFactory(academie=cast.dijon), recipient=cast.referent_a)
    for user, url, expected in (
        (cast.dane, f"/badges/{badge.pk}/", EXPECTED_BADGE_PAGE_QUERIES),
        (cast.dane, "/badges/", EXPECTED_BADGE_LIST_QUERIES),
        (cast.referent_a, "/badges/mes-badges/", EXPECTED_MY_BADGES_QUERIES),
    ):
        client = client_for(user)
        client.get(url)
        with CaptureQueriesContext(connection) as queries:
            assert client.get(url).status_code == 200
        assert len(queries) == expected, (url, [q["sql"] for q in queries])


# Each with the session, the user, their roles and the header's (4 to 5): then the page's own.
EXPECTED_AWARD_PAGE_QUERIES = 9  # + badge, current school year, départements, referents, their schools
EXPECTED_BADGE_PAGE_QUERIES = 6  # + badge, awards
EXPECTED_BADGE_LIST_QUERIES = 5  # + badges with their counts
EXPECTED_MY_BADGES_QUERIES = 7  # + awards, publications, current school year


def test_the_filters_start_on_the_current_school_year(client_for, cast, badge):
    filters = extract_form_fields(client_for(cast.dane).get(award_url(badge)).content, "award-filters")
    assert filters["annee"] == [str(cast.school_year.start_year)]


def test_the_personal_data_export_lists_the_badges_and_public_years(client_for, cast, award, public_year):
    data = json.loads(client_for(cast.referent_a).get("/mes-donnees/").content)
    assert [b["assertion"] for b in data["badges"]] == [str(award.uid)]
    assert data["badges"][0]["empreinte"] == award.identity_hash
    assert data["parcours_publics"] == [{"annee": cast.school_year.name, "public": True}]


def test_a_refused_image_is_explained_beside_the_image_field(client_for, cast):
    client = client_for(cast.dane)
    data = flat(extract_form_fields(client.get("/badges/nouveau/").content, "badge-form"))
    data.update(name="Badge", description="D", criteria="C")
    data["image"] = SimpleUploadedFile("b.gif", b"GIF89a\x01\x00\x01\x00\x00;", content_type="image/gif")
    response = client.post("/badges/nouveau/", data)
    assert response.context["form"].errors["image"] == ["L'image doit être un fichier PNG ou SVG."]


def test_an_svg_stored_before_the_allowlist_is_served_neither_baked_nor_public(client_for, cast):
    """An image uploaded under the old blocklist (written here straight to storage) is not sent to anyone."""
    unsafe = b'<svg xmlns="http://www.w3.org/2000/svg"><use href="//evil.example/s.svg#a"/></svg>'
    badge = BadgeClassFactory(academie=cast.dijon, svg=True)
    with badge.image.open("wb") as handle:
        handle.write(unsafe)
    award = BadgeAwardFactory(badge=badge, recipient=cast.referent_a, school_year=cast.school_year)
    assert client_for(cast.referent_a).get(f"/badges/mes-badges/{award.uid}.svg").status_code == 404
    assert client_for(None).get(f"/openbadges/badges/{badge.pk}/image/").status_code == 404


def test_the_baked_svg_passes_the_allowlist(client_for, cast):
    award = BadgeAwardFactory(
        badge=BadgeClassFactory(academie=cast.dijon, svg=True), recipient=cast.referent_a, school_year=cast.school_year
    )
    response = client_for(cast.referent_a).get(f"/badges/mes-badges/{award.uid}.svg")
    assert response.status_code == 200
    check_svg(response.content, baked=True)
    public = client_for(None).get(f"/openbadges/badges/{award.badge.pk}/image/")
    assert public.status_code == 200
    check_svg(public.content)
