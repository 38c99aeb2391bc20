"""rupn.lib.formats: euros, hours, French dates and months, and elision on the demo's names."""

import datetime
from decimal import Decimal

import pytest
from django.template import Context, Template

from rupn.lib import formats
from rupn.lib.formats import of, to

NBSP = "\u00a0"


def test_euros_hours_and_durations():
    assert formats.format_euros(Decimal("1250")) == f"1{NBSP}250,00{NBSP}€"
    assert formats.format_euros(Decimal("-0.005")) == f"-0,01{NBSP}€"
    assert formats.format_euros(Decimal("1234567.891")) == f"1{NBSP}234{NBSP}567,89{NBSP}€"
    assert formats.format_euros(None) == ""
    assert [formats.format_duration(m) for m in (0, 45, 60, 65, 90)] == ["0 min", "45 min", "1 h", "1 h 05", "1 h 30"]
    assert formats.format_hours(74100) == f"1{NBSP}235,0{NBSP}h"
    assert formats.decimal_hours(20) == Decimal("0.33") and formats.decimal_hours(90) == Decimal("1.50")


def test_french_months_and_dates():
    assert formats.month_name(datetime.date(2027, 7, 1)) == "juillet 2027"
    assert formats.month_name(datetime.date(2027, 7, 1), abbreviated=True) == "juil. 2027"
    assert [formats.MONTHS_ABBR[m - 1] for m in (2, 6, 9, 12)] == ["févr.", "juin", "sept.", "déc."]
    assert formats.format_date(datetime.date(2027, 6, 1)) == "1er juin 2027"
    assert formats.short_date(datetime.date(2027, 6, 1)) == "01/06/2027"


@pytest.mark.parametrize(
    ("start", "end", "text"),
    [
        ((2027, 6, 1), (2027, 6, 30), "du 1er au 30 juin 2027"),
        ((2027, 3, 15), (2027, 4, 2), "du 15 mars au 2 avril 2027"),
        ((2026, 11, 1), (2027, 7, 31), "du 1er novembre 2026 au 31 juillet 2027"),
        ((2027, 6, 4), (2027, 6, 4), "le 4 juin 2027"),
    ],
)
def test_date_ranges(start, end, text):
    assert formats.date_range(datetime.date(*start), datetime.date(*end)) == text


@pytest.mark.parametrize(
    ("name", "with_de", "with_a"),
    [  # names of the demo (schools/demo.py and the directory extracts)
        ("Audrey Perrin", "d'Audrey Perrin", "à Audrey Perrin"),
        ("Élodie Martin", "d'Élodie Martin", "à Élodie Martin"),
        ("Romain Référent", "de Romain Référent", "à Romain Référent"),
        ("Collège Montchapet", "du Collège Montchapet", "au Collège Montchapet"),
        ("Collège Les Lentillères", "du Collège Les Lentillères", "au Collège Les Lentillères"),
        ("lycée Carnot", "du lycée Carnot", "au lycée Carnot"),
        (
            "Lycée polyvalent Hippolyte Fontaine",
            "du Lycée polyvalent Hippolyte Fontaine",
            "au Lycée polyvalent Hippolyte Fontaine",
        ),
        ("EREA", "de l'EREA", "à l'EREA"),
        ("EREA Joseph Pérard", "de l'EREA Joseph Pérard", "à l'EREA Joseph Pérard"),
        ("Cité scolaire Henri Vincenot", "de la Cité scolaire Henri Vincenot", "à la Cité scolaire Henri Vincenot"),
        ("Le Creusot", "du Creusot", "au Creusot"),
        ("Les Riceys", "des Riceys", "aux Riceys"),
        ("La Réunion", "de La Réunion", "à La Réunion"),
        ("L'Isle-sur-le-Doubs", "de L'Isle-sur-le-Doubs", "à L'Isle-sur-le-Doubs"),
        ("Dijon", "de Dijon", "à Dijon"),
        ("Auxerre", "d'Auxerre", "à Auxerre"),
        ("Aix-Marseille", "d'Aix-Marseille", "à Aix-Marseille"),
        (
            "Conseil départemental de la Côte-d'Or",
            "du Conseil départemental de la Côte-d'Or",
            "au Conseil départemental de la Côte-d'Or",
        ),
    ],
)
def test_elision_and_contraction(name, with_de, with_a):
    assert (of(name), to(name)) == (with_de, with_a)


def test_template_filters():
    template = Template(
        "{% load rupn_formats %}IMP {{ a|of }} ; fiche {{ b|of }} ; fait {{ c|to }} ; {{ m|month_abbr }} ; "
        "{% date_range start end %}"
    )
    text = template.render(
        Context(
            {
                "a": "Audrey Perrin",
                "b": "EREA",
                "c": "Le Creusot",
                "m": datetime.date(2027, 7, 1),
                "start": datetime.date(2027, 6, 1),
                "end": datetime.date(2027, 6, 30),
            }
        )
    )
    assert (
        text
        == "IMP d&#x27;Audrey Perrin ; fiche de l&#x27;EREA ; fait au Creusot ; juil. 2027 ; du 1er au 30 juin 2027"
    )
