"""The staff CSV import: the file is read whole, refused whole with line-numbered errors, never deletes."""

from pathlib import Path

import pytest

from rupn.lib.csvfiles import CsvFileError
from schools.models import Person
from schools.services import staff_import
from schools.staff_import import parse_staff_csv
from tests.factories import PersonFactory

DATA = Path(__file__).parent / "data"
HEADER = "nom;prenom;email;statut;cpge;depart\n"


def sample(name: str) -> bytes:
    return (DATA / name).read_bytes()


def csv_bytes(*lines: str, header: str = HEADER) -> bytes:
    return (header + "".join(line + "\n" for line in lines)).encode()


def errors_of(data: bytes) -> list[str]:
    with pytest.raises(CsvFileError) as caught:
        parse_staff_csv(data)
    return caught.value.errors


def staff(school) -> list[tuple]:
    return list(
        Person.objects.filter(school=school)
        .order_by("last_name", "first_name", "pk")
        .values_list("last_name", "first_name", "email", "status", "full_service_cpge", "leaving")
    )


# Reading the file


def test_good_file_gives_one_row_per_person_with_defaults_and_mapped_values():
    rows = parse_staff_csv(sample("good_staff.csv"))

    assert [(r.line, r.last_name, r.first_name, r.email, r.status, r.full_service_cpge, r.leaving) for r in rows] == [
        (2, "Martin", "Claude", "claude.martin@ac-dijon.fr", Person.Status.TEACHER, False, False),
        (3, "Durand", "Léa", "lea.durand@ac-dijon.fr", Person.Status.LIBRARIAN, False, True),
        (4, "Petit", "Jean", "", Person.Status.CPE, False, False),
        (5, "Lefèvre", "Éloïse", "eloise.lefevre@ac-dijon.fr", Person.Status.TEACHER, True, False),
        (6, "Moreau", "Hélène", "helene.moreau@ac-dijon.fr", Person.Status.OTHER, True, True),
    ]


def test_excel_utf8_file_with_bom_crlf_and_accented_header_is_read():
    rows = parse_staff_csv(sample("excel_utf8_bom_crlf_staff.csv"))

    assert [(r.last_name, r.first_name, r.email, r.status, r.leaving) for r in rows] == [
        ("Martin", "Claude", "claude.martin@ac-dijon.fr", Person.Status.TEACHER, False),
        ("Durand", "Léa", "lea.durand@ac-dijon.fr", Person.Status.LIBRARIAN, True),
    ]


def test_windows_1252_file_is_read_with_its_accents():
    rows = parse_staff_csv(sample("excel_windows1252_staff.csv"))

    assert [(r.last_name, r.first_name, r.email, r.status, r.leaving) for r in rows] == [
        ("Lecœur", "Gaëlle", "gaelle.lecoeur@ac-dijon.fr", Person.Status.LIBRARIAN, True),
        ("Béranger", "Zoé", "", Person.Status.OTHER, False),
    ]


def test_latin_1_bytes_are_read():
    data = "nom;prenom\nMüller;Inès\n".encode("latin-1")

    assert [(r.last_name, r.first_name) for r in parse_staff_csv(data)] == [("Müller", "Inès")]


def test_comma_separator_is_detected_from_the_header():
    rows = parse_staff_csv(sample("comma_staff.csv"))

    assert [(r.last_name, r.first_name, r.status) for r in rows] == [
        ("Martin", "Claude", Person.Status.TEACHER),
        ("Durand, épouse Roy", "Léa", Person.Status.CPE),
    ]


def test_unknown_extra_columns_are_ignored():
    data = csv_bytes("Discipline;Martin;Claude;Mathématiques", header="discipline;NOM;Prénom;remarque\n")

    rows = parse_staff_csv(data)

    assert [(r.last_name, r.first_name, r.email, r.status) for r in rows] == [
        ("Martin", "Claude", "", Person.Status.TEACHER)
    ]
    assert rows[0].columns == frozenset()


def test_blank_lines_and_lines_of_separators_are_skipped_but_keep_the_line_numbering():
    data = csv_bytes("Martin;Claude;;;;", "", ";;;;;", "Durand;;;;;")

    assert errors_of(data) == ["Ligne 5 : le prénom est vide."]


def test_missing_required_column_is_named():
    assert errors_of(csv_bytes("Martin;x@ac-dijon.fr", header="nom;email\n")) == [
        "Colonne obligatoire absente : prenom."
    ]


def test_a_column_given_twice_is_refused():
    assert errors_of(csv_bytes("Martin;Claude;Claude", header="nom;prenom;Prénom\n")) == [
        "Ligne 1 : la colonne « prenom » apparaît deux fois."
    ]


@pytest.mark.parametrize("data", [b"", b"\xef\xbb\xbf", b"\r\n\r\n", HEADER.encode(), b"nom;prenom\r\n;\r\n"])
def test_empty_file_or_header_only_is_refused(data):
    assert errors_of(data) == ["Le fichier ne contient aucune ligne de personnel."]


def test_file_over_one_megabyte_is_refused():
    data = csv_bytes("Martin;Claude;;;;") + b" " * 1_000_000

    assert errors_of(data) == ["Le fichier dépasse 1 Mo ; découpez-le en plusieurs fichiers."]


def test_file_over_5000_lines_is_refused_and_5000_lines_are_accepted():
    lines = [f"Nom{n};Claude;;;;" for n in range(5000)]

    assert len(parse_staff_csv(csv_bytes(*lines))) == 5000
    assert errors_of(csv_bytes(*lines, "Nom5000;Claude;;;;")) == [
        "Le fichier contient plus de 5 000 lignes de personnel ; découpez-le en plusieurs fichiers."
    ]


def test_a_spreadsheet_saved_as_xlsx_is_refused_with_advice():
    errors = errors_of(b"PK\x03\x04\x14\x00\x06\x00\x08\x00\x00\x00!\x00")

    assert len(errors) == 1
    assert "« CSV UTF-8 »" in errors[0]


# Bad lines: each reported with its line number (the header is line 1)


@pytest.mark.parametrize(
    ("line", "error"),
    [
        (";Claude;;;;", "Ligne 3 : le nom est vide."),
        ("Martin;   ;;;;", "Ligne 3 : le prénom est vide."),
        ("Martin;Claude;claude.martin@;;;", "Ligne 3 : l'adresse électronique « claude.martin@ » n'est pas valide."),
        (
            "Martin;Claude;;prof;;",
            "Ligne 3 : le statut « prof » est inconnu ; valeurs possibles : enseignant, documentaliste, cpe, direction, autre.",
        ),
        (
            "Martin;Claude;;;peut-être;",
            "Ligne 3 : la valeur « peut-être » de la colonne cpge n'est pas reconnue ; "
            "valeurs possibles : oui, non, vrai, faux, 1, 0, x ou vide.",
        ),
        (
            "Martin;Claude;;;;2",
            "Ligne 3 : la valeur « 2 » de la colonne depart n'est pas reconnue ; "
            "valeurs possibles : oui, non, vrai, faux, 1, 0, x ou vide.",
        ),
        ("M" * 101 + ";Claude;;;;", "Ligne 3 : le nom dépasse 100 caractères (101)."),
        (
            "Martin;Claude;;;;;Lettres",
            "Ligne 3 : 7 champs au lieu de 6 comme dans l'en-tête ; vérifiez les séparateurs et les guillemets.",
        ),
        (
            "Martin;Claude",
            "Ligne 3 : 2 champs au lieu de 6 comme dans l'en-tête ; vérifiez les séparateurs et les guillemets.",
        ),
    ],
)
def test_import_with_a_bad_row_is_refused_whole_with_line_number(line, error):
    assert errors_of(csv_bytes("Durand;Léa;;;;", line)) == [error]


def test_import_with_a_bad_status_is_refused_whole_with_line_number(cast):
    before = staff(cast.school_a)
    data = csv_bytes("Durand;Léa;;;;", "Petit;Jean;;;;", "Martin;Claude;;prof;;")

    with pytest.raises(CsvFileError) as caught:
        staff_import(school=cast.school_a, data=data, by=cast.principal_a)

    assert caught.value.errors == [
        "Ligne 4 : le statut « prof » est inconnu ; valeurs possibles : enseignant, documentaliste, cpe, direction, autre."
    ]
    assert "Rien n'a été enregistré" in caught.value.message
    assert staff(cast.school_a) == before


def test_duplicate_email_within_the_file_names_both_lines_whatever_the_case():
    data = csv_bytes(
        "Martin;Claude;c.martin@ac-dijon.fr;;;", "Durand;Léa;;;;", "Martin;Claudine;C.Martin@ac-dijon.fr;;;"
    )

    assert errors_of(data) == ["Ligne 4 : l'adresse électronique « c.martin@ac-dijon.fr » figure déjà ligne 2."]


def test_same_name_twice_without_email_is_refused_and_with_emails_is_accepted():
    assert errors_of(csv_bytes("Martin;Claude;;;;", "MARTIN;claude;;;;")) == [
        "Ligne 3 : « claude MARTIN » figure déjà ligne 2, et aucune de ces deux lignes n'a d'adresse électronique ; "
        "ajoutez-les pour distinguer ces deux personnes."
    ]
    assert len(parse_staff_csv(csv_bytes("Martin;Claude;c1@ac-dijon.fr;;;", "Martin;Claude;c2@ac-dijon.fr;;;"))) == 2


def test_an_unclosed_quote_is_reported_at_its_line():
    assert errors_of(csv_bytes('Martin;"Claude;;;;', "Durand;Léa;;;;")) == [
        "Ligne 2 : un champ contient un retour à la ligne ; un guillemet n'est-il pas fermé ?"
    ]


def test_all_errors_of_the_file_are_reported_in_line_order():
    data = csv_bytes(
        "Martin;Claude;claude@ac-dijon.fr;;;",
        ";Léa;pas-une-adresse;prof;;",
        "Petit;Jean;;;;;",
        "Moreau;Hélène;claude@ac-dijon.fr;cpe;oui;bof",
    )

    assert errors_of(data) == [
        "Ligne 3 : le nom est vide.",
        "Ligne 3 : l'adresse électronique « pas-une-adresse » n'est pas valide.",
        "Ligne 3 : le statut « prof » est inconnu ; valeurs possibles : enseignant, documentaliste, cpe, direction, autre.",
        "Ligne 4 : 7 champs au lieu de 6 comme dans l'en-tête ; vérifiez les séparateurs et les guillemets.",
        "Ligne 5 : la valeur « bof » de la colonne depart n'est pas reconnue ; "
        "valeurs possibles : oui, non, vrai, faux, 1, 0, x ou vide.",
        "Ligne 5 : l'adresse électronique « claude@ac-dijon.fr » figure déjà ligne 2.",
    ]


def test_at_most_50_errors_are_shown_then_the_count_of_the_others():
    with pytest.raises(CsvFileError) as caught:
        parse_staff_csv(csv_bytes(*[f"Nom{n};;;;;" for n in range(60)]))

    error = caught.value
    assert error.error_count == 60
    assert len(error.errors) == 51
    assert error.errors[49] == "Ligne 51 : le prénom est vide."
    assert error.errors[50] == "… et 10 autres erreurs."
    assert error.messages == error.errors
    assert error.message.startswith("Le fichier n'a pas été importé : il contient 60 erreurs.")


# Importing into the school


def test_import_of_a_good_file_creates_the_persons_with_their_fields(cast):
    result = staff_import(school=cast.school_a, data=sample("good_staff.csv"), by=cast.principal_a)

    assert (result.created, result.updated, result.unchanged) == (5, 0, 0)
    assert [p for p in staff(cast.school_a) if p[0] not in ("Référent", "Seconde")] == [
        ("Durand", "Léa", "lea.durand@ac-dijon.fr", "documentaliste", False, True),
        ("Lefèvre", "Éloïse", "eloise.lefevre@ac-dijon.fr", "enseignant", True, False),
        ("Martin", "Claude", "claude.martin@ac-dijon.fr", "enseignant", False, False),
        ("Moreau", "Hélène", "helene.moreau@ac-dijon.fr", "autre", True, True),
        ("Petit", "Jean", "", "cpe", False, False),
    ]
    assert Person.objects.filter(school=cast.school_a, is_active=True, user=None).count() == 5


def test_nothing_is_written_when_the_last_line_is_bad_after_good_ones(cast):
    count = Person.objects.count()
    data = sample("good_staff.csv") + b"Bernard;Paul;paul@;;;\n"

    with pytest.raises(CsvFileError) as caught:
        staff_import(school=cast.school_a, data=data, by=cast.principal_a)

    assert caught.value.errors == ["Ligne 7 : l'adresse électronique « paul@ » n'est pas valide."]
    assert Person.objects.count() == count


def test_reimporting_the_same_file_reports_everything_unchanged(cast):
    staff_import(school=cast.school_a, data=sample("good_staff.csv"), by=cast.principal_a)
    before = staff(cast.school_a)
    versions = dict(Person.objects.values_list("pk", "version").order_by("pk"))

    result = staff_import(school=cast.school_a, data=sample("good_staff.csv"), by=cast.principal_a)

    assert (result.created, result.updated, result.unchanged) == (0, 0, 5)
    assert staff(cast.school_a) == before
    assert dict(Person.objects.values_list("pk", "version").order_by("pk")) == versions


def test_reimport_updates_changed_fields_matching_by_email_whatever_its_case(cast):
    person = PersonFactory(
        school=cast.school_a, last_name="Martin", first_name="Claude", email="claude.martin@ac-dijon.fr"
    )
    data = csv_bytes("MARTIN;Claude;CLAUDE.MARTIN@ac-dijon.fr;cpe;oui;oui", "Durand;Léa;lea.durand@ac-dijon.fr;;;")

    result = staff_import(school=cast.school_a, data=data, by=cast.principal_a)

    assert (result.created, result.updated, result.unchanged) == (1, 1, 0)
    person.refresh_from_db()
    assert (person.last_name, person.email, person.status, person.full_service_cpge, person.leaving) == (
        "MARTIN",
        "claude.martin@ac-dijon.fr",
        Person.Status.CPE,
        True,
        True,
    )
    assert person.version == 2


def test_import_never_deletes_nor_deactivates_persons_missing_from_the_file(cast):
    staff_import(school=cast.school_a, data=csv_bytes("Martin;Claude;;;;"), by=cast.principal_a)

    assert Person.objects.get(pk=cast.referent_person.pk).is_active


def test_person_without_email_is_matched_by_name_whatever_the_case(cast):
    person = PersonFactory(school=cast.school_a, last_name="Petit", first_name="Jean", email="", cpe=True)

    result = staff_import(school=cast.school_a, data=csv_bytes("PETIT;jean;;cpe;;oui"), by=cast.principal_a)

    assert (result.created, result.updated, result.unchanged) == (0, 1, 0)
    person.refresh_from_db()
    assert (person.last_name, person.first_name, person.leaving) == ("PETIT", "jean", True)


def test_a_line_without_email_does_not_match_a_namesake_who_has_one(cast):
    PersonFactory(school=cast.school_a, last_name="Petit", first_name="Jean", email="jean.petit@ac-dijon.fr")

    result = staff_import(school=cast.school_a, data=csv_bytes("Petit;Jean;;;;"), by=cast.principal_a)

    assert (result.created, result.updated, result.unchanged) == (1, 0, 0)


def test_a_new_email_is_added_to_the_namesake_recorded_without_one(cast):
    person = PersonFactory(school=cast.school_a, last_name="Petit", first_name="Jean", email="")

    result = staff_import(
        school=cast.school_a, data=csv_bytes("Petit;Jean;Jean.Petit@ac-dijon.fr;;;"), by=cast.principal_a
    )

    assert (result.created, result.updated, result.unchanged) == (0, 1, 0)
    person.refresh_from_db()
    assert person.email == "jean.petit@ac-dijon.fr"


def test_line_without_email_matching_two_namesakes_without_email_is_refused(cast):
    PersonFactory.create_batch(2, school=cast.school_a, last_name="Petit", first_name="Jean", email="")
    count = Person.objects.count()

    with pytest.raises(CsvFileError) as caught:
        staff_import(school=cast.school_a, data=csv_bytes("Durand;Léa;;;;", "Petit;Jean;;;;"), by=cast.principal_a)

    assert caught.value.errors == [
        "Ligne 3 : plusieurs personnes de l'établissement s'appellent « Jean Petit » sans adresse électronique ; "
        "indiquez l'adresse électronique de cette personne dans le fichier."
    ]
    assert Person.objects.count() == count


def test_columns_left_out_of_the_file_leave_existing_values_alone(cast):
    person = PersonFactory(
        school=cast.school_a, last_name="Petit", first_name="Jean", email="", cpe=True, cpge=True, leaving_soon=True
    )

    result = staff_import(
        school=cast.school_a, data=csv_bytes("Petit;Jean", "Durand;Léa", header="nom;prenom\n"), by=cast.principal_a
    )

    assert (result.created, result.updated, result.unchanged) == (1, 0, 1)
    person.refresh_from_db()
    assert (person.status, person.full_service_cpge, person.leaving) == (Person.Status.CPE, True, True)
    assert Person.objects.get(school=cast.school_a, last_name="Durand").status == Person.Status.TEACHER


def test_persons_of_another_school_with_the_same_email_are_untouched(cast):
    other = PersonFactory(
        school=cast.school_b, last_name="Martin", first_name="Claude", email="claude.martin@ac-dijon.fr"
    )
    namesake = PersonFactory(school=cast.school_b, last_name="Petit", first_name="Jean", email="")
    before = staff(cast.school_b)

    result = staff_import(school=cast.school_a, data=sample("good_staff.csv"), by=cast.principal_a)

    assert result.created == 5
    assert staff(cast.school_b) == before
    assert Person.objects.get(pk=other.pk).version == 1
    assert Person.objects.get(pk=namesake.pk).version == 1
    assert Person.objects.filter(school=cast.school_a, email="claude.martin@ac-dijon.fr").count() == 1
