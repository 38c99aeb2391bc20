"""The IMP part of `manage.py load_demo`: envelopes, the CP and CA opinions, a proposal for the demo referent."""

from io import StringIO

import pytest
from django.core.management import call_command

from imp.models import AwardEvent, BoardOpinion, Envelope, EnvelopeChange, ImpAward
from schools.models import School


@pytest.mark.django_db
def test_demo_gives_every_school_an_envelope_and_the_referent_a_proposal_once():
    call_command("load_demo", stdout=StringIO())
    counts = [m.objects.count() for m in (Envelope, EnvelopeChange, BoardOpinion, ImpAward, AwardEvent)]
    call_command("load_demo", stdout=StringIO())

    assert [m.objects.count() for m in (Envelope, EnvelopeChange, BoardOpinion, ImpAward, AwardEvent)] == counts
    assert Envelope.objects.count() == School.objects.count()
    proposal = ImpAward.objects.get(person__user__email="referent@demo.rupn.fr")
    assert proposal.state == ImpAward.State.PROPOSED
    assert set(BoardOpinion.objects.filter(school=proposal.school).values_list("body", flat=True)) == {"cp", "ca"}
    assert ImpAward.objects.filter(school=proposal.school, state=ImpAward.State.DRAFT).count() == 1
