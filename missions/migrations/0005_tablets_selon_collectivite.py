"""Issue 7: administering tablets is a row "selon collectivité", like AMON and user accounts.

The collectivité owns the tablets: a referent may deploy apps on them only when it authorizes the action
"tablets" (schools.AuthorizedAction.Action.TABLETS) for the year.
"""

from django.db import migrations

CODE = "tools.tablets"
LABEL = "'Administrer' les tablettes (selon collectivité)"
OLD_LABEL = "'Administrer' les tablettes"


def forwards(apps, schema_editor):
    Mission = apps.get_model("missions", "Mission")
    Mission.objects.filter(code=CODE).update(requires_action="tablets", label=LABEL)


def backwards(apps, schema_editor):
    Mission = apps.get_model("missions", "Mission")
    Mission.objects.filter(code=CODE).update(requires_action="", label=OLD_LABEL)


class Migration(migrations.Migration):
    dependencies = [("missions", "0004_activity_reviews_events_reminders")]

    operations = [migrations.RunPython(forwards, backwards)]
