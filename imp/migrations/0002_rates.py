"""The five legal annual rates of the IMP (décret n° 2015-475 and arrêté du 27 avril 2015, from the 2015 rentrée).

Rates can change by decree: a new decree adds rows with their own valid_from (and closes these with valid_until)
rather than changing them, so that past awards keep the rate they were given.
"""

import datetime
from decimal import Decimal

from django.db import migrations

RATES = ["312.50", "625.00", "1250.00", "2500.00", "3750.00"]
VALID_FROM = datetime.date(2015, 9, 1)


def load(apps, schema_editor):
    ImpRate = apps.get_model("imp", "ImpRate")
    for amount in RATES:
        ImpRate.objects.get_or_create(amount=Decimal(amount), valid_from=VALID_FROM)


def unload(apps, schema_editor):
    ImpRate = apps.get_model("imp", "ImpRate")
    ImpRate.objects.filter(valid_from=VALID_FROM, amount__in=[Decimal(a) for a in RATES], awards__isnull=True).delete()


class Migration(migrations.Migration):
    dependencies = [("imp", "0001_initial")]

    operations = [migrations.RunPython(load, unload)]
