"""The school directory import: both export formats, spreadsheet-mangled files, all-or-nothing writes, re-imports."""

import io
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import CommandError, call_command

from missions.services import plan_get_or_create
from schools.directory_import import DirectoryImportError, normalize_header, parse_date, plain_number
from schools.models import Academie, Collectivity, Departement, School
from schools.services import school_directory_import
from tests.factories import AcademieFactory, CollectivityFactory, DepartementFactory, SchoolFactory, make_uai

DATA = Path(__file__).parent / "data"
REAL_COLLEGES = Path(settings.BASE_DIR).parent / "shared" / "data" / "adresse-geoloc_colleges_academie-dijon.csv"

COLUMNS = (
    "Identifiant_de_l_etablissement;Nom_etablissement;Type_etablissement;Statut_public_prive;Adresse_1;Code_postal;"
    "Nom_commune;Code_departement;Code_academie;etat;code_nature;Code_type_contrat_prive;etablissement_mere;"
    "type_rattachement_etablissement_mere;ministere_tutelle;date_ouverture"
)
EN = "MINISTERE DE L'EDUCATION NATIONALE"


def line(
    uai: str,
    name: str = "Collège Jean Moulin",
    *,
    kind: str = "Collège",
    status: str = "Public",
    postal: str = "21000",
    commune: str = "Dijon",
    departement: str = "21",
    academie: str = "07",
    state: str = "OUVERT",
    nature: str = "340",
    contract: str = "99",
    mother: str = "",
    attachment: str = "",
    ministry: str = EN,
    opened: str = "1965-05-01",
) -> str:
    return ";".join(
        [
            uai,
            name,
            kind,
            status,
            "1 rue de la Paix",
            postal,
            commune,
            departement,
            academie,
            state,
            nature,
            contract,
            mother,
            attachment,
            ministry,
            opened,
        ]
    )


def annuaire(*lines: str, header: str = COLUMNS) -> bytes:
    return (header + "\n" + "".join(f"{text}\n" for text in lines)).encode()


def run(data: bytes, **options):
    return school_directory_import(stream=io.BytesIO(data), **options)


def refused(data: bytes, **options) -> DirectoryImportError:
    with pytest.raises(DirectoryImportError) as caught:
        run(data, **options)
    return caught.value


def uai(n: int) -> str:
    return make_uai(n)


# Reading the formats


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("annuaire_2026_excerpt.csv", {"0890024T", "0210019G", "0580020G", "0211526V"}),
        ("annuaire_2023_excerpt.csv", {"0890024T", "0210019G", "0580020G"}),
        ("geoloc_excerpt.csv", {"0210001M", "0580002M", "0710005V", "0890006Y"}),
    ],
)
def test_each_export_variant_creates_its_public_secondary_schools(db, name, expected):
    result = run((DATA / name).read_bytes())
    assert result.created == len(expected)
    assert set(School.objects.values_list("uai", flat=True)) == expected
    assert result.format == ("geoloc" if name.startswith("geoloc") else "annuaire")


def test_kinds_addresses_and_dates_are_read_from_the_annuaire(db):
    run((DATA / "annuaire_2026_excerpt.csv").read_bytes())
    schools = {s.uai: s for s in School.objects.select_related("departement", "collectivity")}
    college, polyvalent, professional = schools["0890024T"], schools["0210019G"], schools["0580020G"]
    assert (college.kind, polyvalent.kind, professional.kind) == ("college", "lycee_poly", "lycee_pro")
    assert college.name == "Collège Marcel Aymé"
    assert college.address == "Rue Pierre Coudry, BP 168"
    assert (college.postal_code, college.commune, college.departement.code) == ("89600", "Saint-Florentin", "89")
    assert str(college.opened_on) == "1965-05-01"  # written 01/05/1965 by the spreadsheet
    assert college.is_public and college.is_active


def test_bom_and_crlf_give_the_same_schools(db):
    plain = (DATA / "geoloc_excerpt.csv").read_bytes()
    assert b"\r" not in plain and not plain.startswith(b"\xef\xbb\xbf")
    result = run(b"\xef\xbb\xbf" + plain.replace(b"\n", b"\r\n"))
    assert result.created == 4
    assert School.objects.get(uai="0210001M").name == "Collège Claude Guyot"
    assert not School.objects.filter(name__contains="\r").exists()


def test_a_header_with_commas_is_read_with_commas(db):
    data = annuaire(line(uai(210101)), line(uai(210102), "Collège Rameau")).replace(b";", b",")
    assert run(data).created == 2


def test_unknown_columns_are_ignored_and_column_names_ignore_case_and_accents(db):
    header = COLUMNS.replace("Nom_commune", "NOM COMMUNE").replace("Code_postal", "Code postal") + ";Colonne_inconnue"
    run(annuaire(line(uai(210101), postal="21000") + ";n'importe quoi", header=header))
    assert School.objects.get().postal_code == "21000"


def test_spreadsheet_mangled_values_are_understood(db):
    data = annuaire(
        line(uai(10101), departement="1", academie="10", postal="1000", commune="Bourg-en-Bresse", nature="3,4E+02"),
        line(uai(210101), academie="7", opened="01/09/1965", postal="2,1E+04"),
    )
    assert run(data).created == 2
    ain = School.objects.select_related("departement__academie").get(uai=uai(10101))
    assert (ain.departement.code, ain.departement.academie.code, ain.postal_code) == ("01", "10", "01000")
    assert ain.kind == "college"
    dijon = School.objects.get(uai=uai(210101))
    assert (str(dijon.opened_on), dijon.postal_code) == ("1965-09-01", "21000")


@pytest.mark.parametrize(
    ("value", "expected"),
    [("2,1E+04", "21000"), ("1,989E+13", "19890000000000"), ("340", "340"), ("1.5E+00", "1.5E+00"), ("", "")],
)
def test_plain_number(value, expected):
    assert plain_number(value) == expected


def test_dates_in_both_spellings():
    assert str(parse_date("2024-11-05")) == str(parse_date("05/11/2024")) == "2024-11-05"
    assert parse_date("") is None
    with pytest.raises(ValueError):
        parse_date("5 novembre 2024")


def test_header_names_are_normalized():
    assert normalize_header("Code postal") == normalize_header("Code_postal") == normalize_header("CODE-POSTAL")
    assert normalize_header("Libellé_académie") == "libelleacademie"


# What is kept


def test_sections_segpa_private_other_ministries_and_schools_are_skipped_and_counted(db):
    result = run((DATA / "annuaire_2026_excerpt.csv").read_bytes())
    assert result.skipped == 4
    assert result.skipped_reasons == {"section": 1, "private": 1, "private_no_contract": 1, "other_ministry": 1}
    data = annuaire(line(uai(210101), kind="Ecole", nature="151"), line(uai(210102), nature="335"))
    assert run(data).skipped_reasons == {"not_secondary": 1, "section": 1}


def test_a_school_attached_as_a_section_to_its_mother_is_skipped(db):
    mother = uai(210100)
    data = annuaire(
        line(uai(210101), mother=mother, attachment="FILIERE OU DEPARTEMENT OU SECTION"),
        line(mother, mother=mother),  # its own mother: a school
    )
    result = run(data)
    assert (result.created, result.skipped_reasons) == (1, {"section": 1})


def test_with_private_adds_schools_under_contract_marked_private_never_those_without_contract(db):
    result = run((DATA / "annuaire_2026_excerpt.csv").read_bytes(), with_private=True)
    assert result.created == 5
    private = School.objects.get(uai="0711314T")
    assert not private.is_public
    assert not School.objects.filter(uai="0212308V").exists()  # hors contrat
    assert result.skipped_reasons["private_no_contract"] == 1


def test_kind_comes_from_type_etablissement_when_the_file_has_no_code_nature(db):
    header = COLUMNS.replace(";code_nature", "")

    def row(n, kind):
        return ";".join(cell for i, cell in enumerate(line(uai(n), kind=kind).split(";")) if i != 10)

    run(
        annuaire(row(210101, "Collège"), row(210102, "Lycée"), row(210103, "EREA"), row(210104, "Ecole"), header=header)
    )
    assert dict(School.objects.values_list("uai", "kind")) == {
        uai(210101): "college",
        uai(210102): "lycee",
        uai(210103): "erea",
    }


# Collectivités


def test_collectivity_is_the_departement_for_a_college_and_the_region_for_a_lycee(db):
    data = annuaire(
        line(uai(210101)),
        line(uai(710101), "Lycée Lamartine", kind="Lycée", nature="300", departement="71", commune="Mâcon"),
        line(uai(890101), "EREA de l'Yonne", kind="EREA", nature="370", departement="89", commune="Auxerre"),
    )
    result = run(data)
    assert result.collectivities_created == 2
    owners = dict(School.objects.values_list("uai", "collectivity__code"))
    assert owners == {uai(210101): "CD21", uai(710101): "CRBFC", uai(890101): "CRBFC"}
    assert Collectivity.objects.get(code="CD21").name == "Conseil départemental de la Côte-d'Or"
    region = Collectivity.objects.get(code="CRBFC")
    assert (region.name, region.kind) == ("Conseil régional de Bourgogne-Franche-Comté", "region")


def test_an_existing_collectivity_keeps_its_name(db):
    CollectivityFactory(code="CD21", name="Département de la Côte-d'Or (nom local)")
    run(annuaire(line(uai(210101))))
    assert School.objects.get().collectivity.name == "Département de la Côte-d'Or (nom local)"


def test_a_collectivity_set_by_hand_is_kept_across_imports(db):
    run(annuaire(line(uai(210101))))
    metropole = CollectivityFactory(code="DIJONMET", name="Dijon Métropole")
    School.objects.filter(uai=uai(210101)).update(collectivity=metropole, collectivity_override=True)
    result = run(annuaire(line(uai(210101), "Collège Jean Moulin (nouveau nom)")))
    school = School.objects.get()
    assert (result.updated, school.collectivity, school.name) == (1, metropole, "Collège Jean Moulin (nouveau nom)")
    assert run(annuaire(line(uai(210101), "Collège Jean Moulin (nouveau nom)"))).unchanged == 1
    School.objects.update(collectivity_override=False)
    run(annuaire(line(uai(210101), "Collège Jean Moulin (nouveau nom)")))
    assert School.objects.get().collectivity.code == "CD21"


def test_departements_and_academies_are_created_when_missing(db):
    run(annuaire(line(uai(250101), departement="25", academie="3", commune="Besançon")))
    doubs = Departement.objects.select_related("academie").get(code="25")
    assert (doubs.name, doubs.academie.code, doubs.academie.name) == ("Doubs", "03", "Besançon")
    assert School.objects.get().collectivity.name == "Conseil départemental du Doubs"


def test_the_departement_of_the_database_wins_over_the_table(db):
    custom = AcademieFactory(code="99", name="Académie expérimentale")
    DepartementFactory(code="21", name="Côte-d'Or", academie=custom)
    assert run(annuaire(line(uai(210101), academie="99"))).created == 1


# Refusals: the line, the reason, nothing written


def test_a_bad_uai_check_letter_stops_with_the_line_and_writes_nothing(db):
    good = uai(210101)
    bad = good[:7] + ("A" if good[7] != "A" else "B")
    error = refused(annuaire(line(good), line(uai(210102)), line(bad)))
    assert error.line == 4
    assert error.message == f"Ligne 4 : l'UAI « {bad} » est invalide : la lettre de contrôle devrait être {good[7]}."
    assert not School.objects.exists()


def test_a_uai_that_is_not_one_is_refused(db):
    assert "n'est pas un UAI" in refused(annuaire(line("12345"))).message


def test_a_missing_required_column_is_reported_by_name(db):
    header = COLUMNS.replace("Code_academie;", "")
    row = ";".join(c for i, c in enumerate(line(uai(210101)).split(";")) if i != 8)
    error = refused(annuaire(row, header=header))
    assert "« Code_academie »" in error.message
    assert error.line == 1


def test_a_file_of_neither_format_is_refused(db):
    error = refused(b"nom;prenom\nMartin;Claude\n")
    assert "Format de fichier non reconnu" in error.message


def test_an_unknown_academie_code_in_a_line_is_refused(db):
    error = refused(annuaire(line(uai(210101)), line(uai(210102), academie="98")))
    assert (error.line, error.message) == (3, "Ligne 3 : code académie « 98 » inconnu.")
    assert not School.objects.exists()


def test_an_unknown_academie_code_as_option_is_refused(db):
    error = refused(annuaire(line(uai(210101))), academie_code="98")
    assert error.message == "Code académie « 98 » inconnu."


def test_an_unknown_departement_or_one_of_another_academie_is_refused(db):
    assert "code département « 00 » inconnu" in refused(annuaire(line(uai(210101), departement="00"))).message
    error = refused(annuaire(line(uai(210101), departement="25")))
    assert "le département 25 appartient à l'académie 03, pas à l'académie 07" in error.message


def test_the_same_uai_twice_is_refused(db):
    error = refused(annuaire(line(uai(210101)), line(uai(210101))))
    assert error.message == f"Ligne 3 : l'UAI {uai(210101)} figure déjà ligne 2."


def test_a_line_with_more_fields_than_the_header_is_refused_shorter_ones_are_padded(db):
    assert refused(annuaire(line(uai(210101)) + ";en trop")).line == 2
    short = ";".join(line(uai(210101)).split(";")[:11])  # trailing empty cells dropped by a spreadsheet
    assert run(annuaire(short)).created == 1


def test_unknown_state_unreadable_date_and_empty_name_are_refused(db):
    assert "état « PEUT-ÊTRE » inconnu" in refused(annuaire(line(uai(210101), state="PEUT-ÊTRE"))).message
    assert "date d'ouverture « 1965 » illisible" in refused(annuaire(line(uai(210101), opened="1965"))).message
    assert "nom de l'établissement" in refused(annuaire(line(uai(210101), name=" "))).message


def test_a_file_that_is_not_utf8_is_refused(db):
    data = annuaire(line(uai(210101), "College A", kind="C"), line(uai(210102), "College B", kind="C", commune="Mâcon"))
    data = data.decode().encode("cp1252")
    error = refused(data)
    assert error.line == 3 and "UTF-8" in error.message


def test_an_empty_file_is_refused(db):
    assert "vide" in refused(b"").message


# Re-importing, closing


def test_reimport_updates_by_uai_never_duplicates_and_reports_unchanged(db):
    data = (DATA / "annuaire_2026_excerpt.csv").read_bytes()
    first = run(data)
    second = run(data)
    assert (first.created, second.created, second.updated, second.unchanged) == (4, 0, 0, 4)
    renamed = data.replace("Collège Marcel Aymé".encode(), "Collège Marcel-Aymé".encode())
    third = run(renamed)
    assert (third.created, third.updated, third.unchanged) == (0, 1, 3)
    assert School.objects.count() == 4
    assert School.objects.get(uai="0890024T").name == "Collège Marcel-Aymé"


def test_a_school_a_fermer_is_inactive_not_deleted_and_keeps_its_history(db, school_year):
    run(annuaire(line(uai(210101))))
    school = School.objects.get()
    plan = plan_get_or_create(school=school, school_year=school_year)
    result = run(annuaire(line(uai(210101), state="A FERMER")))
    school.refresh_from_db()
    assert (result.updated, school.is_active) == (1, False)
    assert school.plans.get() == plan
    run(annuaire(line(uai(210101), state="OUVERT")))
    school.refresh_from_db()
    assert school.is_active


def test_the_geoloc_state_codes(db):
    data = (DATA / "geoloc_excerpt.csv").read_bytes().decode()
    closing = data.replace(";1;OUVERT;", ";2;A FERMER;", 1)
    run(closing.encode())
    assert not School.objects.get(uai="0210001M").is_active
    assert School.objects.filter(is_active=True).count() == 3


def test_missing_from_a_full_academie_import_means_inactive_for_the_kinds_in_the_file(db):
    run(
        annuaire(
            line(uai(210101)),
            line(uai(210102)),
            line(uai(210103), "Lycée Carnot", kind="Lycée", nature="300"),
        )
    )
    other = SchoolFactory(
        uai=uai(250101), departement=DepartementFactory(code="25", academie=AcademieFactory(code="03"))
    )
    result = run(annuaire(line(uai(210101))), academie_code="07", full_academie=True)
    active = dict(School.objects.values_list("uai", "is_active"))
    assert result.closed == 1
    assert active == {uai(210101): True, uai(210102): False, uai(210103): True, other.uai: True}
    assert School.objects.count() == 4  # never deleted


def test_a_school_skipped_by_the_options_is_not_missing(db):
    run(annuaire(line(uai(210101), status="Privé", contract="30")), with_private=True)
    result = run(annuaire(line(uai(210101), status="Privé", contract="30")), academie_code="07", full_academie=True)
    assert (result.closed, School.objects.get().is_active) == (0, True)


def test_a_full_import_without_an_academie_is_refused(db):
    with pytest.raises(Exception, match="indiquez son code"):
        run(annuaire(line(uai(210101))), full_academie=True)


def test_rows_of_other_academies_are_skipped_when_the_import_is_restricted(db):
    data = annuaire(line(uai(210101)), line(uai(250101), departement="25", academie="03", commune="Besançon"))
    result = run(data, academie_code="7")
    assert (result.created, result.skipped_reasons) == (1, {"other_academie": 1})
    assert not School.objects.filter(uai=uai(250101)).exists()


# The command


def test_command_prints_the_counts_and_a_second_run_changes_nothing(db, tmp_path):
    path = tmp_path / "annuaire.csv"
    path.write_bytes((DATA / "annuaire_2026_excerpt.csv").read_bytes())
    out = io.StringIO()
    call_command("import_schools", str(path), stdout=out)
    assert "créés : 4 / mis à jour : 0 / inchangés : 0 / ignorés : 4" in out.getvalue()
    out = io.StringIO()
    call_command("import_schools", str(path), "--with-private", stdout=out)
    assert "créés : 1 / mis à jour : 0 / inchangés : 4 / ignorés : 3" in out.getvalue()


def test_command_stops_on_a_bad_line_and_writes_nothing(db, tmp_path):
    path = tmp_path / "annuaire.csv"
    path.write_bytes(annuaire(line(uai(210101)), line(uai(210102), academie="98")))
    with pytest.raises(CommandError, match="Ligne 3 : code académie « 98 » inconnu. Rien n'a été importé."):
        call_command("import_schools", str(path), stdout=io.StringIO())
    assert not School.objects.exists()


def test_command_academie_option_marks_the_missing_closed(db, tmp_path):
    SchoolFactory(uai=uai(210199), departement=DepartementFactory(code="21", academie=AcademieFactory(code="07")))
    path = tmp_path / "annuaire.csv"
    path.write_bytes(annuaire(line(uai(210101))))
    out = io.StringIO()
    call_command("import_schools", str(path), "--academie", "07", stdout=out)
    assert "Absents du fichier, marqués fermés : 1" in out.getvalue()
    assert not School.objects.get(uai=uai(210199)).is_active


def test_acceptance_real_colleges_file_creates_the_academie_public_colleges_then_all_unchanged(db):
    assert REAL_COLLEGES.is_file(), f"the real extract is missing: {REAL_COLLEGES}"
    out = io.StringIO()
    call_command("import_schools", str(REAL_COLLEGES), stdout=out)
    assert "créés : 158 / mis à jour : 0 / inchangés : 0 / ignorés : 37" in out.getvalue()
    assert set(School.objects.values_list("kind", "is_public", "is_active").distinct()) == {("college", True, True)}
    assert dict(Departement.objects.values_list("code", "academie__code")) == {
        "21": "07",
        "58": "07",
        "71": "07",
        "89": "07",
    }
    assert Academie.objects.get().name == "Dijon"
    assert dict(Collectivity.objects.values_list("code", "name")) == {
        "CD21": "Conseil départemental de la Côte-d'Or",
        "CD58": "Conseil départemental de la Nièvre",
        "CD71": "Conseil départemental de Saône-et-Loire",
        "CD89": "Conseil départemental de l'Yonne",
    }
    mismatched = [
        s.uai
        for s in School.objects.select_related("departement", "collectivity")
        if s.collectivity.code != f"CD{s.departement.code}" or not s.uai.startswith(f"0{s.departement.code}")
    ]
    assert not mismatched
    out = io.StringIO()
    call_command("import_schools", str(REAL_COLLEGES), stdout=out)
    assert "créés : 0 / mis à jour : 0 / inchangés : 158 / ignorés : 37" in out.getvalue()
