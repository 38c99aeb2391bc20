"""The submission e-mail: one per named person with an address, sent once whatever how often the job runs.

The task function is called directly: in CI REDIS_URL is set and tasks are not eager, so the test does not
rely on Celery running them in-process.
"""

import pytest
from django.conf import settings
from django.core import mail
from django.urls import reverse

from missions.models import AllocationPlan, PlanRow
from missions.plan_emails import notify_plan_submitted
from missions.services import RowInput, plan_get_or_create, plan_reopen, plan_save, plan_submit
from notifications.models import Outbox, SentEmail
from tests.factories import PersonFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def people(cast):
    return {
        "alice": PersonFactory(school=cast.school_a, first_name="Alice", last_name="Martin", email="alice@ac-dijon.fr"),
        "bruno": PersonFactory(school=cast.school_a, first_name="Bruno", last_name="Durand", email="bruno@ac-dijon.fr"),
        "chloe": PersonFactory(school=cast.school_a, first_name="Chloé", last_name="Bernard", email=""),
    }


@pytest.fixture
def filled_plan(cast, people):
    """A draft plan whose blocking rules hold: Alice, Bruno and Chloé (no e-mail) are named."""
    plan = plan_get_or_create(school=cast.school_a, school_year=cast.school_year)
    alice, bruno, chloe = people["alice"].pk, people["bruno"].pk, people["chloe"].pk
    holders = {
        "support_teams": {alice, chloe},
        "advise_principal": {alice},
        "communicate": {bruno},
        "tools.collectivity_link": {alice},
        "tools.ent_admin": {bruno},
        "tools.tickets": {chloe},
    }
    rows = [
        RowInput(mission_code=row.mission.code, row_id=row.pk, holder_ids=holders.get(row.mission.code, set()))
        for row in PlanRow.objects.filter(plan=plan).select_related("mission").order_by("pk")
    ]
    rows.append(RowInput(mission_code="tools.services", service_name="BRNE", holder_ids={bruno}))
    return plan_save(plan=plan, expected_version=1, has_tablets=False, rows=rows, by=cast.principal_a)


@pytest.fixture
def submitted_plan(cast, filled_plan, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=False):
        return plan_submit(plan=filled_plan, by=cast.principal_a)


def test_plan_submit_queues_the_notification_once_on_commit(cast, filled_plan, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        plan_submit(plan=filled_plan, by=cast.principal_a)

    assert len(callbacks) == 1
    assert mail.outbox == []


def test_a_submission_writes_its_email_job_in_the_outbox_of_the_same_transaction(
    cast, filled_plan, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=False):
        plan = plan_submit(plan=filled_plan, by=cast.principal_a)

    row = Outbox.objects.get()
    assert (row.task, row.args, row.dispatched_at) == (notify_plan_submitted.name, [plan.pk], None)


def test_submission_sends_one_email_per_named_person_with_an_address(cast, submitted_plan):
    sent = notify_plan_submitted(submitted_plan.pk)

    assert sent == 2
    assert sorted(tuple(message.to) for message in mail.outbox) == [("alice@ac-dijon.fr",), ("bruno@ac-dijon.fr",)]
    year = cast.school_year.name
    assert {message.subject for message in mail.outbox} == {
        f"[RUPN] Vos missions de référent numérique {year} — Collège Les Lentillères"
    }
    address = settings.DEFAULT_FROM_EMAIL.split("<")[-1].rstrip(">")
    assert {message.from_email for message in mail.outbox} == {f"DANE de l'académie de Dijon <{address}>"}
    assert SentEmail.objects.count() == 2


def test_submission_email_lists_the_person_missions_and_links_to_the_plan(cast, submitted_plan):
    notify_plan_submitted(submitted_plan.pk)

    (message,) = [m for m in mail.outbox if m.to == ["bruno@ac-dijon.fr"]]
    link = settings.SITE_URL + reverse(
        "missions:allocation", kwargs={"uai": cast.school_a.uai, "year": cast.school_year.name}
    )
    assert message.body.startswith("Bonjour Bruno Durand,")
    assert "- Communiquer\n" in message.body
    assert "- ENT — administrateur\n" in message.body
    assert "- Administrer les services pédagogiques (BRNE, Pearltrees, …) — BRNE\n" in message.body
    assert "Lien avec collectivité" not in message.body
    assert link in message.body
    assert "Collège Les Lentillères" in message.body
    assert cast.school_year.name in message.body
    ((html, mimetype),) = message.alternatives
    assert mimetype == "text/html"
    assert f'href="{link}"' in html
    assert "<li>Communiquer</li>" in html


def test_submission_plain_text_email_is_not_html_escaped(cast, submitted_plan):
    cast.school_a.name = "Collège Jeanne d'Arc"
    cast.school_a.save(update_fields=["name"])

    notify_plan_submitted(submitted_plan.pk)

    (message,) = [m for m in mail.outbox if m.to == ["alice@ac-dijon.fr"]]
    assert message.subject.endswith("— Collège Jeanne d'Arc")
    assert "- Accompagner l'équipe pédagogique\n" in message.body
    assert "- Conseiller le chef d'établissement\n" in message.body


def test_running_the_task_twice_sends_nothing_more(submitted_plan):
    first = notify_plan_submitted(submitted_plan.pk)
    second = notify_plan_submitted.apply(args=[submitted_plan.pk]).get()

    assert (first, second) == (2, 0)
    assert len(mail.outbox) == 2
    assert sorted(SentEmail.objects.values_list("recipient", flat=True)) == ["alice@ac-dijon.fr", "bruno@ac-dijon.fr"]


def test_person_without_email_is_skipped(submitted_plan, people):
    notify_plan_submitted(submitted_plan.pk)

    recipients = [address for message in mail.outbox for address in message.to]
    assert "" not in recipients
    assert len(recipients) == 2
    assert not any("Chloé" in message.body for message in mail.outbox)
    assert not SentEmail.objects.filter(key__endswith=f":{people['chloe'].pk}").exists()


def test_draft_plan_sends_nothing(filled_plan):
    assert filled_plan.state == AllocationPlan.State.DRAFT

    assert notify_plan_submitted(filled_plan.pk) == 0
    assert mail.outbox == []
    assert SentEmail.objects.count() == 0


def test_plan_submitted_again_after_a_change_notifies_again(cast, submitted_plan, django_capture_on_commit_callbacks):
    notify_plan_submitted(submitted_plan.pk)
    rows = [
        RowInput(
            mission_code=row.mission.code,
            row_id=row.pk,
            service_name=row.service_name,
            holder_ids={p.pk for p in row.holders.all()},
        )
        for row in PlanRow.objects.filter(plan=submitted_plan).select_related("mission").order_by("pk")
    ]
    reopened = plan_reopen(plan=submitted_plan, by=cast.principal_a)  # "Modifier le plan soumis"
    plan_save(plan=submitted_plan, expected_version=reopened.version, has_tablets=False, rows=rows, by=None)
    with django_capture_on_commit_callbacks(execute=False):
        resubmitted = plan_submit(plan=submitted_plan, by=cast.principal_a)

    assert notify_plan_submitted(resubmitted.pk) == 2
    assert len(mail.outbox) == 4
