"""The IMP parts of the printed documents: proposals, envelope and what is left, opinion dates, the letter's IMP."""

import datetime
from decimal import Decimal

from imp.models import BoardOpinion
from tests.documents.test_documents import flat, get_pdf, letter_url, sheet_url
from tests.factories import EnvelopeFactory, ImpAwardFactory, imp_rate

NBSP = "\u00a0"


def euros(text: str) -> str:
    """An amount as the PDF gives it back: the no-break spaces read back as no-break spaces."""
    return text.replace(" ", NBSP)


def test_ca_sheet_lists_the_imp_proposals_with_envelope_and_what_is_left(client_for, cast, filled_plan, people):
    EnvelopeFactory(school=cast.school_a, school_year=cast.school_year, amount=Decimal("5000.00"))
    ImpAwardFactory(school=cast.school_a, school_year=cast.school_year, person=people["helene"], accepted=True)
    year = cast.school_year
    ImpAwardFactory(
        school=cast.school_a,
        school_year=year,
        person=people["francois"],
        rate=imp_rate("2500"),
        whole_year=False,
        start_date=datetime.date(year.start_year + 1, 1, 5),
        end_date=datetime.date(year.start_year + 1, 3, 31),
        proposed=True,
    )
    ImpAwardFactory(school=cast.school_a, school_year=year, person=people["zoe"], rejected=True)

    _reader, pages = get_pdf(client_for(cast.principal_a), sheet_url(cast))
    raw = " ".join(pages)
    text = flat(raw)

    assert "Indemnités pour mission particulière (IMP) proposées" in text
    assert euros("1 250,00 €") in raw
    assert euros("2 500,00 €") in raw
    assert "Hélène Bérégovoy" in text.split("Indemnités pour mission particulière")[1]
    assert "toute l'année scolaire" in text
    assert "versée par neuvièmes, de novembre à juillet" in text
    assert f"du 5 janvier au 31 mars {year.start_year + 1}" in text  # one year for a range within it (issue 17)
    assert "versée en une fois, après service fait" in text
    # The rejected award of Zoé counts for nothing and is not listed.
    assert "Zoé Cœurderoy" not in text.split("Indemnités pour mission particulière")[1].split("Actions autorisées")[0]
    imp_part = flat(raw.split("Indemnités pour mission particulière")[1].replace(NBSP, "~"))
    assert "Total des IMP proposées 3~750,00~€" in imp_part
    assert "Enveloppe notifiée 5~000,00~€" in imp_part
    assert "Reste disponible 1~250,00~€" in imp_part
    assert "\u202f" not in raw


def test_ca_sheet_says_when_the_envelope_is_not_notified_or_overspent(client_for, cast, filled_plan, people):
    ImpAwardFactory(school=cast.school_a, school_year=cast.school_year, person=people["helene"], proposed=True)
    text = flat(" ".join(get_pdf(client_for(cast.principal_a), sheet_url(cast))[1]))
    assert "Enveloppe notifiée pas encore notifiée par le rectorat" in text

    EnvelopeFactory(school=cast.school_a, school_year=cast.school_year, amount=Decimal("1000.00"))
    raw = " ".join(get_pdf(client_for(cast.principal_a), sheet_url(cast))[1])
    assert flat(raw.replace(NBSP, "~")).count("Reste disponible -250,00~€ dépassement de l'enveloppe") == 1


def test_ca_sheet_without_imp_says_none_is_proposed(client_for, cast, filled_plan):
    text = flat(" ".join(get_pdf(client_for(cast.principal_a), sheet_url(cast))[1]))
    assert "Aucune IMP n'est proposée pour cette année." in text


def test_ca_sheet_prints_the_recorded_opinion_dates(client_for, cast, filled_plan):
    year = cast.school_year.start_year
    BoardOpinion.objects.create(
        school=cast.school_a,
        school_year=cast.school_year,
        body="cp",
        date=datetime.date(year, 9, 22),
        opinion="favorable",
    )
    text = flat(" ".join(get_pdf(client_for(cast.principal_a), sheet_url(cast))[1]))
    assert f"Avis du conseil pédagogique rendu le 22 septembre {year}" in text
    assert "Avis du conseil d'administration rendu le" in text  # still a blank line to fill in

    BoardOpinion.objects.create(
        school=cast.school_a,
        school_year=cast.school_year,
        body="ca",
        date=datetime.date(year, 10, 1),
        opinion="favorable",
    )
    text = flat(" ".join(get_pdf(client_for(cast.principal_a), sheet_url(cast))[1]))
    assert f"Avis du conseil d'administration rendu le 1 octobre {year}" in text


def test_ca_sheet_prints_each_opinion_with_its_result_votes_and_deliberation_number(client_for, cast, filled_plan):
    year = cast.school_year.start_year
    BoardOpinion.objects.create(
        school=cast.school_a,
        school_year=cast.school_year,
        body="cp",
        date=datetime.date(year, 9, 22),
        opinion="favorable",
    )
    BoardOpinion.objects.create(
        school=cast.school_a,
        school_year=cast.school_year,
        body="ca",
        date=datetime.date(year, 10, 2),
        opinion="unfavorable",
        votes_for=9,
        votes_against=11,
        votes_abstention=0,
        deliberation_number="2026-14",
    )
    text = flat(" ".join(get_pdf(client_for(cast.principal_a), sheet_url(cast))[1]).replace(NBSP, " "))
    assert f"Avis du conseil pédagogique rendu le 22 septembre {year} : avis favorable" in text
    assert f"Avis du conseil d'administration rendu le 2 octobre {year} : avis défavorable" in text
    assert "pour 9, contre 11, abstentions 0" in text
    assert "délibération n° 2026-14" in text
    assert text.count("abstentions") == 1  # no vote counts were recorded for the CP


def test_mission_letter_gives_the_imp_rate_and_how_it_is_paid(client_for, cast, filled_plan, people):
    ImpAwardFactory(
        school=cast.school_a,
        school_year=cast.school_year,
        person=people["helene"],
        rate=imp_rate("2500"),
        accepted=True,
    )
    ImpAwardFactory(school=cast.school_a, school_year=cast.school_year, person=people["francois"], proposed=True)

    raw = " ".join(get_pdf(client_for(cast.principal_a), letter_url(cast, people["helene"]))[1])
    text = flat(raw.replace(NBSP, "~"))
    assert "Indemnité pour mission particulière (IMP)" in text
    assert (
        "Référent pour les ressources et usages pédagogiques numériques : IMP au taux annuel de 2~500,00~€, "
        "pour toute l'année scolaire, versée par neuvièmes, de novembre à juillet." in text
    )
    assert "1~250,00~€" not in text  # François's IMP is not in Hélène's letter

    text = flat(" ".join(get_pdf(client_for(cast.principal_a), letter_url(cast, people["zoe"]))[1]))
    assert "Aucune IMP ne vous est proposée cette année pour ces missions." in text
