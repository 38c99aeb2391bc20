"""The principal is told, once, when a holder accepts or declines an IMP and when the rectorat validates or rejects
it: by e-mail (imp.award_emails, through notifications.emails) and on the school's IMP page."""

import html as htmllib

from django.core import mail
from django.urls import reverse

from imp import services
from imp.award_emails import notify_award_answer
from imp.models import AwardEvent
from tests.imp.conftest import record_opinions


def principal_mails():
    return [m for m in mail.outbox if "[RUPN] IMP" in m.subject]


def test_the_principal_is_emailed_once_when_the_holder_accepts(cast, make_award, django_capture_on_commit_callbacks):
    award = make_award(state="proposed")
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        services.award_accept(award=award, expected_version=award.version, by=cast.referent_a)
    (message,) = principal_mails()
    assert message.to == [cast.principal_a.email]
    assert message.subject == f"[RUPN] IMP de Romain Référent acceptée — {cast.school_a.name}"
    assert "Romain Référent a accepté le" in message.body and "1\u00a0250,00\u00a0€" in message.body
    event = AwardEvent.objects.get(award=award, kind=AwardEvent.Kind.ACCEPTED)
    assert notify_award_answer(event.pk) == 0  # run again: nothing sent twice
    assert len(principal_mails()) == 1


def test_a_rejection_by_the_rectorat_reaches_the_principal_with_its_reason_and_shows_on_the_imp_page(
    client_for, cast, imp, make_award, django_capture_on_commit_callbacks
):
    award = make_award(imp.staff.alice, state="accepted")
    record_opinions(cast)
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        services.award_reject(award=award, reason="Service incomplet", by=cast.rectorat)
    (message,) = principal_mails()
    assert message.subject == f"[RUPN] IMP d'Alice Dupont rejetée par le rectorat — {cast.school_a.name}"  # elided
    assert "Motif : Service incomplet" in message.body
    html_part = message.alternatives[0][0]
    assert "Le rectorat a rejeté le" in html_part
    page = htmllib.unescape(
        client_for(cast.principal_a)
        .get(reverse("imp:school", args=[cast.school_a.uai, cast.school_year.name]))
        .content.decode()
    )
    answers = page.split('id="imp-answers"')[1].split("</section>")[0]
    assert "Le rectorat a rejeté le" in answers and "l'IMP d'Alice Dupont" in answers
    assert "Alice Dupont a accepté le" in answers  # the earlier answer, listed too
    assert "Motif : Service incomplet" in answers


def test_a_proposal_or_a_withdrawal_sends_the_principal_nothing(cast, make_award, django_capture_on_commit_callbacks):
    award = make_award()
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        award = services.award_propose(award=award, by=cast.principal_a)
        services.award_withdraw(award=award, by=cast.principal_a)
    assert principal_mails() == []
