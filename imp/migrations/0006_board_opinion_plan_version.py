"""A CP or CA opinion keeps the version of the plan it was given on; existing opinions take the plan's current
version (what they were given on, as far as anyone can tell now), or 0 where the school has no plan."""

from django.db import migrations, models


def current_versions(apps, schema_editor):
    BoardOpinion = apps.get_model("imp", "BoardOpinion")
    AllocationPlan = apps.get_model("missions", "AllocationPlan")
    versions = {
        (school_id, year_id): version
        for school_id, year_id, version in AllocationPlan.objects.values_list("school_id", "school_year_id", "version")
    }
    for opinion in BoardOpinion.objects.all().order_by("pk"):
        opinion.plan_version = versions.get((opinion.school_id, opinion.school_year_id), 0)
        opinion.save(update_fields=["plan_version"])


class Migration(migrations.Migration):
    dependencies = [
        ("imp", "0005_awards_and_envelopes_keep_their_own_history"),
        ("missions", "0003_catalogue"),
    ]

    operations = [
        migrations.AddField(
            model_name="boardopinion",
            name="plan_version",
            field=models.PositiveIntegerField(
                default=0,
                db_default=0,
                editable=False,
                help_text="La version du plan de répartition sur laquelle l'avis a été rendu (0 : pas encore de plan).",
                verbose_name="version du plan",
            ),
        ),
        migrations.RunPython(current_versions, migrations.RunPython.noop),
    ]
