"""The STS-web staff import (sts_emp_<UAI>_<année>.xml): read safely, previewed, confirmed in one transaction."""

import datetime
import re
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from portal.personal_data import personal_data_export, persons_anonymize
from schools.models import Person, SchoolYear
from schools.services import staff_sts_import, staff_sts_preview, sts_file_check
from schools.sts_import import MAX_BYTES, StsImportError, parse_sts_emp
from tests.factories import PersonFactory, UserFactory

SAMPLE = Path(__file__).parent / "data" / "sts_emp_0211526V_2026.xml"
SAMPLE_UAI = "0211526V"


def sample(*, year: int | None = None, uai: str = SAMPLE_UAI) -> bytes:
    """The shipped sample, dated this school year (the file says 2026) unless told otherwise."""
    data = SAMPLE.read_bytes()
    year = year or SchoolYear.start_year_for(timezone.localdate())
    data = data.replace(b'ANNEE="2026"', f'ANNEE="{year}"'.encode())
    return data.replace(b'CODE="0211526V"', f'CODE="{uai}"'.encode())


@pytest.fixture
def school(cast):
    """School A, given the UAI of the sample file (the demo's collège)."""
    cast.school_a.uai = SAMPLE_UAI
    cast.school_a.save(update_fields=["uai"])
    return cast.school_a


def refusal(data: bytes) -> list[str]:
    with pytest.raises(StsImportError) as caught:
        parse_sts_emp(data)
    return [caught.value.message, *caught.value.messages]


def import_file(school, data: bytes, *, absent_ids=()):
    parsed = parse_sts_emp(data)
    sts_file_check(school=school, uai=parsed.uai, year=parsed.year)
    return staff_sts_import(school=school, people=parsed.people, absent_ids=absent_ids, by=None)


def staff(school) -> list[tuple]:
    return list(
        Person.objects.filter(school=school)
        .order_by("sts_id", "last_name", "pk")
        .values_list("sts_id", "last_name", "first_name", "status", "discipline", "is_active")
    )


# Reading the file


def test_sample_file_gives_the_school_year_and_every_person_with_mapped_status():
    parsed = parse_sts_emp(SAMPLE.read_bytes())

    assert (parsed.uai, parsed.year) == (SAMPLE_UAI, 2026)
    by_id = {p.sts_id: p for p in parsed.people}
    assert len(by_id) == 12
    assert {p.sts_id for p in parsed.people if p.sts_id.startswith("local:")} == {
        "local:3506",
        "local:3507",
        "local:3508",
    }
    # Every mapped FONCTION code, and two that map to "other"
    assert (by_id["epp:4189"].fonction, by_id["epp:4189"].status) == ("ENS", Person.Status.TEACHER)
    assert (by_id["epp:4190"].fonction, by_id["epp:4190"].status) == ("DOC", Person.Status.LIBRARIAN)
    assert (by_id["epp:4191"].fonction, by_id["epp:4191"].status) == ("EDU", Person.Status.CPE)
    assert (by_id["epp:4192"].fonction, by_id["epp:4192"].status) == ("DIR", Person.Status.DIRECTION)
    assert (by_id["epp:4196"].fonction, by_id["epp:4196"].status) == ("ADF", Person.Status.OTHER)
    assert (by_id["local:3506"].fonction, by_id["local:3506"].status) == ("SUR", Person.Status.OTHER)
    # Names from STS-web's capitals; the usage name, not the birth name; the discipline once
    assert (by_id["epp:4197"].last_name, by_id["epp:4197"].first_name) == ("De La Fontaine", "Anne-Sophie")
    assert by_id["local:3508"].last_name == "N'Diaye"
    assert by_id["epp:4193"].discipline == "MATHEMATIQUES"


def test_birth_dates_are_never_read_into_what_is_kept():
    parsed = parse_sts_emp(SAMPLE.read_bytes())
    kept = repr([p.as_dict() for p in parsed.people])
    assert b"1978-03-14" in SAMPLE.read_bytes()
    assert "1978" not in kept
    assert "DATE_NAISSANCE" not in kept


def test_malformed_file_is_refused_with_the_line_and_element():
    broken = sample().replace(b"<PRENOM>JEAN</PRENOM>", b"<PRENOM>JEAN</PRENOMM>")
    line = sample().split(b"<PRENOM>JEAN</PRENOM>")[0].count(b"\n") + 1

    (message, *_rest) = refusal(broken)

    assert f"ligne {line}" in message
    assert "<PRENOM>" in message


def test_person_without_first_name_refuses_the_whole_file_naming_the_line():
    data = sample().replace(b"<PRENOM>LEA</PRENOM>", b"<PRENOM/>")
    line = sample().split(b'<INDIVIDU ID="4190"')[0].count(b"\n") + 1

    messages = refusal(data)

    assert any(f"Ligne {line} : l'élément <INDIVIDU> n'a pas de <PRENOM>" in m for m in messages)


def test_file_that_is_not_an_sts_export_is_refused():
    assert "pas <STS_EDT>" in refusal(b'<?xml version="1.0"?><ANNUAIRE><X/></ANNUAIRE>')[0]
    assert "vide" in refusal(b"  ")[0]
    assert "XML lisible" in refusal(b"nom;prenom\nMartin;Claude\n")[0]


def test_xml_bomb_is_refused_without_expanding_it():
    bomb = (
        b'<?xml version="1.0"?>\n<!DOCTYPE STS_EDT [\n <!ENTITY a "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa">\n'
        + b"".join(f' <!ENTITY {chr(98 + i)} "{("&" + chr(97 + i) + ";") * 10}">\n'.encode() for i in range(9))
        + b']>\n<STS_EDT><PARAMETRES><UAJ CODE="&j;"/></PARAMETRES></STS_EDT>\n'
    )  # &j; would be 10^9 letters

    (message, *_rest) = refusal(bomb)

    assert "DTD" in message


def test_external_entity_is_refused():
    xxe = b'<?xml version="1.0"?><!DOCTYPE STS_EDT [<!ENTITY x SYSTEM "file:///etc/passwd">]><STS_EDT>&x;</STS_EDT>'
    assert "DTD" in refusal(xxe)[0]


def test_a_20_mb_file_is_refused_by_its_size():
    padding = b"<!--" + b" " * (20 * 1024 * 1024) + b"-->"
    data = sample().replace(b"<STS_EDT>", b"<STS_EDT>" + padding, 1)
    assert len(data) > MAX_BYTES

    assert "dépasse 10 Mo" in refusal(data)[0]


def test_another_schools_file_is_refused_saying_which(school):
    parsed = parse_sts_emp(sample(uai="0210001M"))
    with pytest.raises(StsImportError) as caught:
        sts_file_check(school=school, uai=parsed.uai, year=parsed.year)
    assert "0210001M" in caught.value.message
    assert SAMPLE_UAI in caught.value.message


def test_a_year_the_school_does_not_have_is_refused(school):
    old = SchoolYear.current().start_year - 5
    SchoolYear.objects.get_or_create(start_year=old)
    parsed = parse_sts_emp(sample(year=old))
    with pytest.raises(StsImportError) as caught:
        sts_file_check(school=school, uai=parsed.uai, year=parsed.year)
    assert f"{old}-{old + 1}" in caught.value.message


# Importing


def test_first_import_creates_everyone_without_birth_dates(school, cast):
    before = staff(school)  # the cast's referent, typed by hand
    plan = import_file(school, sample())

    assert len(plan.created) == 12 and not plan.updated and not plan.unchanged
    rows = staff(school)
    assert len(rows) == len(before) + 12
    assert ("epp:4192", "Bonnet", "Sylvie", "direction", "", True) in rows
    assert ("local:3507", "Chevalier", "Louis", "enseignant", "TECHNOLOGIE", True) in rows
    assert not any("1978" in str(value) for row in rows for value in row)


def test_importing_the_same_file_twice_changes_nothing(school):
    import_file(school, sample())
    first = list(Person.objects.filter(school=school).order_by("pk").values())

    plan = import_file(school, sample())

    assert (len(plan.created), len(plan.updated), len(plan.unchanged)) == (0, 0, 12)
    assert list(Person.objects.filter(school=school).order_by("pk").values()) == first


def test_people_are_matched_by_sts_id_then_by_name_and_updated(school):
    import_file(school, sample())
    renamed = Person.objects.get(school=school, sts_id="epp:4194")  # Hélène Girard marries
    typed = PersonFactory(school=school, last_name="Durand", first_name="Léa", status=Person.Status.TEACHER)
    Person.objects.filter(school=school, sts_id="epp:4190").delete()  # as if Léa had been typed by hand
    data = sample().replace(b"<NOM_USAGE>GIRARD</NOM_USAGE>", b"<NOM_USAGE>LEROY</NOM_USAGE>")

    plan = staff_sts_preview(school=school, people=parse_sts_emp(data).people)

    updated = {change.person.pk: change for change in plan.updated}
    assert set(updated) == {renamed.pk, typed.pk}
    assert updated[renamed.pk].matched_by == "sts_id"
    assert updated[renamed.pk].changes["last_name"] == ("Girard", "Leroy")
    assert updated[typed.pk].matched_by == "name"  # "Léa" in RUPN, "LEA" in STS-web: the same name
    assert set(updated[typed.pk].changes) == {"sts_id", "status", "discipline"}
    assert not plan.created

    import_file(school, data)

    renamed.refresh_from_db()
    typed.refresh_from_db()
    assert (renamed.last_name, renamed.version) == ("Leroy", 2)
    assert (typed.first_name, typed.sts_id, typed.status, typed.discipline) == (
        "Léa",
        "epp:4190",
        Person.Status.LIBRARIAN,
        "DOCUMENTATION",
    )


def test_people_absent_from_the_file_are_shown_and_only_those_confirmed_leave(school, cast):
    stays = PersonFactory(school=school, last_name="Aubry", first_name="Marc")
    gone = PersonFactory(school=school, last_name="Vidal", first_name="Inès")
    already_left = PersonFactory(school=school, last_name="Ancien", first_name="Paul", is_active=False)

    plan = staff_sts_preview(school=school, people=parse_sts_emp(sample()).people)

    assert {p.pk for p in plan.absent} == {stays.pk, gone.pk, cast.referent_person.pk, cast.referent_a2_person.pk}
    assert already_left.pk not in {p.pk for p in plan.absent}

    result = import_file(school, sample(), absent_ids=[gone.pk, already_left.pk])

    assert [p.pk for p in result.left] == [gone.pk]
    gone.refresh_from_db()
    stays.refresh_from_db()
    assert (gone.is_active, gone.left_on is not None) == (False, True)
    assert stays.is_active
    assert Person.objects.filter(pk__in=[stays.pk, gone.pk, already_left.pk]).count() == 3  # nobody deleted


def test_a_person_back_in_the_file_is_in_post_again(school):
    import_file(school, sample())
    person = Person.objects.get(school=school, sts_id="epp:4189")
    import_file(school, sample().replace(b'ID="4189"', b'ID="9999"'), absent_ids=[person.pk])
    person.refresh_from_db()
    assert not person.is_active

    plan = import_file(school, sample())

    person.refresh_from_db()
    assert (person.is_active, person.left_on) == (True, None)
    assert [change.person.pk for change in plan.updated] == [person.pk]


def test_another_schools_staff_is_never_touched(school, cast):
    other = PersonFactory(school=cast.school_b, last_name="Martin", first_name="Claude")
    import_file(school, sample(), absent_ids=[other.pk])
    other.refresh_from_db()
    assert (other.sts_id, other.is_active) == ("", True)


# The pages


def upload(client, school, data: bytes, name: str = "sts_emp_0211526V_2026.xml"):
    url = f"/etablissements/{school.uai}/personnels/sts-web/"
    file = SimpleUploadedFile(name, data, content_type="text/xml")
    return client.post(url, {"action": "preview", "export": file})


def test_preview_then_confirm_writes_once(client_for, school, cast):
    client = client_for(cast.principal_a)
    gone = PersonFactory(school=school, last_name="Vidal", first_name="Inès")

    response = upload(client, school, sample())
    assert response.status_code == 302
    assert not Person.objects.filter(school=school, sts_id__startswith="epp:").exists()  # nothing written yet
    page = client.get(response["Location"]).content.decode()
    assert "12 personnes ajoutées" in page
    assert f'name="absent" value="{gone.pk}"' in page
    token = re.search(r'name="token" value="([^"]+)"', page).group(1)

    url = f"/etablissements/{school.uai}/personnels/sts-web/"
    done = client.post(url, {"action": "confirm", "token": token, "absent": [str(gone.pk)]}, follow=True)

    assert "Import STS-web terminé : 12 ajout(s), 0 mise(s) à jour, 0 inchangé(s), 1 personne(s)" in (
        done.content.decode()
    )
    assert Person.objects.filter(school=school, sts_id__startswith="epp:").count() == 9
    gone.refresh_from_db()
    assert not gone.is_active
    again = client.post(url, {"action": "confirm", "token": token}, follow=True)  # the same form posted twice
    assert "Cet aperçu n&#x27;est plus disponible" in again.content.decode()
    assert Person.objects.filter(school=school).count() == 12 + 3  # + gone and the cast's two referents


def test_a_forged_token_writes_nothing(client_for, school, cast):
    client = client_for(cast.principal_a)
    upload(client, school, sample())
    url = f"/etablissements/{school.uai}/personnels/sts-web/"
    response = client.post(url, {"action": "confirm", "token": "invente"}, follow=True)
    assert "Cet aperçu n&#x27;est plus disponible" in response.content.decode()
    assert not Person.objects.filter(school=school, sts_id__startswith="epp:").exists()


def test_refused_file_page_lists_the_problem_with_400(client_for, school, cast):
    client = client_for(cast.principal_a)
    response = upload(client, school, sample(uai="0210002X"))
    assert response.status_code == 400
    assert "0210002X" in response.content.decode()
    response = upload(client, school, sample().replace(b"</NOM_USAGE>", b"</NOM>", 1))
    assert response.status_code == 400
    assert "XML lisible" in response.content.decode()


def test_preview_of_school_a_is_not_confirmable_in_school_b(client_for, school, cast):
    client = client_for(cast.principal_a)
    upload(client, school, sample())
    token = client.session["sts_import"]["token"]
    response = client.post(
        f"/etablissements/{cast.school_b.uai}/personnels/sts-web/", {"action": "confirm", "token": token}
    )
    assert response.status_code == 404


def test_staff_page_offers_the_sts_import_and_the_demo_sample(client_for, school, cast, settings):
    settings.DEBUG = True
    page = client_for(cast.principal_a).get(f"/etablissements/{school.uai}/personnels/").content.decode()
    assert "Importer l'export STS-web (sts_emp_….xml)" in page
    assert "tests/schools/data/sts_emp_0211526V_2026.xml" in page


def test_personal_data_export_and_anonymization_cover_the_sts_fields(school):
    import_file(school, sample())
    person = Person.objects.get(school=school, sts_id="epp:4189")
    user = UserFactory(email="claude.martin@ac-dijon.fr", oidc_sub="agent-7f3a")
    person.email, person.user = user.email, user
    person.save()

    export = personal_data_export(user)
    assert export["compte"]["identifiant_proconnect"] == "agent-7f3a"
    assert export["fiches_personnel"][0]["identifiant_sts_web"] == "epp:4189"
    assert export["fiches_personnel"][0]["discipline"] == "LETTRES MODERNES"

    Person.objects.filter(pk=person.pk).update(is_active=False, left_on=datetime.date(2015, 1, 1))
    assert persons_anonymize(years=5) >= 1
    person.refresh_from_db()
    assert (person.sts_id, person.discipline, person.first_name) == ("", "", "")
