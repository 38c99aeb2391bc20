"""rupn.lib.csvfiles: what every import reads and every export writes."""

import datetime
from decimal import Decimal

import pytest

from rupn.lib import csvfiles
from rupn.lib.csvfiles import CsvFileError


def read(data: bytes, **limits):
    options = {"max_bytes": 1_000_000, "max_rows": 100, "too_many": "trop"} | limits
    return csvfiles.read_rows(data, **options)


@pytest.mark.parametrize(
    "data",
    [
        "nom;prénom\r\nÉlodie;Hélène\r\n".encode(),
        "\ufeffnom;prénom\nÉlodie;Hélène\n".encode(),
        "nom;prénom\r\nÉlodie;Hélène\r\n".encode("cp1252"),
        b"nom,pr\xe9nom\n\xc9lodie,H\xe9l\xe8ne\n",
    ],
    ids=["utf-8", "utf-8 with BOM", "windows-1252", "commas"],
)
def test_every_encoding_and_separator_excel_writes_reads_the_same(data):
    assert read(data) == [(1, ["nom", "prénom"]), (2, ["Élodie", "Hélène"])]


def test_blank_lines_are_skipped_and_records_keep_their_first_line_number():
    data = b'a;b\n\n"multi\nline";x\n;\nc;d\n'
    assert read(data) == [(1, ["a", "b"]), (3, ["multi\nline", "x"]), (6, ["c", "d"])]


def test_a_huge_cell_is_refused_with_the_line_where_it_starts():
    with pytest.raises(CsvFileError) as caught:
        read(b"a;b\nc;d\n" + b'"' + b"x" * 200_000 + b"\n")
    assert caught.value.errors == [
        "Ligne 3 : un champ dépasse 131 072 caractères ; un guillemet n'est-il pas resté ouvert ?"
    ]
    assert caught.value.message.startswith("Le fichier n'a pas été importé : il contient 1 erreur.")


def test_a_nul_byte_is_refused_with_its_line_number():
    with pytest.raises(CsvFileError) as caught:
        read(b"a;b\nc;d\ne\x00;f\n")
    assert caught.value.problems[0][0] == 3
    assert caught.value.errors[0].startswith("Ligne 3 : la ligne contient un caractère nul")


def test_size_and_line_limits_refuse_the_whole_file():
    with pytest.raises(CsvFileError) as caught:
        read(b"a;b\n" * 10, max_bytes=20)
    assert caught.value.errors == ["Le fichier dépasse 20 o ; découpez-le en plusieurs fichiers."]
    with pytest.raises(CsvFileError) as caught:
        read(b"a;b\n" * 4, max_rows=3)
    assert caught.value.errors == ["trop"]


def test_at_most_fifty_errors_are_shown_then_their_count():
    error = CsvFileError([(n, "faux") for n in range(60, 0, -1)], outcome="Rien n'a changé.")
    assert len(error.errors) == csvfiles.MAX_ERRORS_SHOWN + 1
    assert error.errors[0] == "Ligne 1 : faux" and error.errors[-1] == "… et 10 autres erreurs."
    assert error.message == "Le fichier n'a pas été importé : il contient 60 erreurs. Rien n'a changé."


def test_a_streamed_file_reads_line_by_line_and_refuses_a_line_that_is_not_utf8():
    rows = list(csvfiles.stream_rows([b"\xef\xbb\xbfa,b\r\n", b"\xc3\xa9,f\r\n"]))
    assert rows == [(1, ["a", "b"]), (2, ["é", "f"])]
    with pytest.raises(CsvFileError) as caught:
        list(csvfiles.stream_rows([b"a;b\n", b"c;d\n", b"\xe9;f\n"]))
    assert caught.value.problems == [(3, "le fichier n'est pas encodé en UTF-8 ; enregistrez-le en « CSV UTF-8 ».")]


def test_french_excel_csv_has_a_bom_semicolons_crlf_decimal_commas_french_dates_and_no_formula():
    lines = list(
        csvfiles.csv_lines(
            ["nom", "montant", "heures", "date", "nombre", "parti"],
            [
                ['=HYPERLINK("x")', Decimal("1250.5"), 1.5, datetime.date(2027, 6, 1), 3, True],
                ["@SUM(1+1)", Decimal("-3.20"), None, datetime.datetime(2027, 6, 1, 9, 5), -4, False],
                ["-2+3", "+33 6", "Élodie; « guillemets »", "\tx", "ok", ""],
            ],
        )
    )
    assert lines == [
        "\ufeffnom;montant;heures;date;nombre;parti\r\n",
        '"\'=HYPERLINK(""x"")";1250,50;1,50;01/06/2027;3;oui\r\n',
        "'@SUM(1+1);-3,20;;01/06/2027 09:05;-4;non\r\n",
        "'-2+3;'+33 6;\"Élodie; « guillemets »\";'\tx;ok;\r\n",
    ]


def test_a_streamed_response_and_a_plain_one_hold_the_same_bytes():
    rows = [["é", Decimal("1")]]
    plain = csvfiles.csv_response("f.csv", ["a", "b"], rows)
    streamed = csvfiles.csv_response("f.csv", ["a", "b"], iter(rows), stream=True)
    assert plain.content == b"".join(streamed.streaming_content) == "\ufeffa;b\r\né;1,00\r\n".encode()
    assert plain["Content-Type"] == streamed["Content-Type"] == "text/csv; charset=utf-8"
    assert plain["Content-Disposition"] == 'attachment; filename="f.csv"'
