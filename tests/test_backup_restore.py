"""Backups: a dump taken with `manage.py dumpdata` restores into an emptied database with the same plans."""

from django.core.management import call_command

from missions.models import AllocationPlan, PlanRow
from missions.services import plan_get_or_create
from schools.models import Person
from tests.factories import PersonFactory


def plans_snapshot() -> list:
    return [
        (
            plan.school.uai,
            plan.school_year.name,
            plan.state,
            plan.version,
            [
                (
                    row.mission_id,
                    row.service_name,
                    row.organisation,
                    sorted(h.email for h in row.holders.all()),
                )
                for row in plan.rows.order_by("pk")
            ],
        )
        for plan in AllocationPlan.objects.select_related("school", "school_year").order_by("pk")
    ]


def test_dumpdata_restores_into_an_empty_database(transactional_db, cast, tmp_path):
    plan = plan_get_or_create(school=cast.school_a, school_year=cast.school_year)
    plan_get_or_create(school=cast.school_b, school_year=cast.school_year)
    holder = PersonFactory(school=cast.school_a, email="tient.la.mission@ac-dijon.fr")
    row = plan.rows.first()
    row.holders.add(holder)
    PlanRow.objects.filter(pk=row.pk).update(organisation="Permanence le mardi, 1 250,00 € — « test »")
    before = plans_snapshot()
    assert before and any(r[3] for p in before for r in p[4])
    dump = tmp_path / "rupn.json"

    # Not inside a transaction: PostgreSQL refuses TRUNCATE with deferred constraint checks pending.
    # As the README says: content types and permissions are rebuilt by migrate/flush, so they stay out of the dump.
    excluded = ["-e", "contenttypes", "-e", "auth.permission", "-e", "sessions"]
    call_command("dumpdata", "--natural-foreign", *excluded, "-o", str(dump), verbosity=0)
    call_command("flush", "--no-input", verbosity=0)
    assert not AllocationPlan.objects.exists() and not Person.objects.exists()
    call_command("loaddata", str(dump), verbosity=0)

    assert plans_snapshot() == before
