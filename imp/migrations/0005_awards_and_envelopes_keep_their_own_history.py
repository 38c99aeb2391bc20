"""One history per object: IMP awards keep AwardEvent, envelopes EnvelopeChange (README "Audit").

django-simple-history recorded the same changes twice over; its two tables go. Before they do, any historical
record that has no event of its own (an edit in the admin, a change from before the events existed) becomes one,
so that no change is lost: a creation or a modification with what it changed, at the same date, by the same user.
"""

import datetime
from collections import defaultdict
from decimal import ROUND_HALF_UP, Decimal

from django.db import migrations

SAME_CHANGE = datetime.timedelta(seconds=5)  # a service writes its event and the historical record together
NOTE = "Repris de l'ancien historique."
NBSP = "\u00a0"


def _euros(value) -> str:  # frozen copy of imp.money.format_euros, as of this migration
    if value is None:
        return ""
    amount = Decimal(value).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
    units, cents = f"{abs(amount):.2f}".split(".")
    groups = []
    while units:
        groups.insert(0, units[-3:])
        units = units[:-3]
    sign = "-" if amount < 0 else ""
    return f"{sign}{NBSP.join(groups)},{cents}{NBSP}€"


def _date(value) -> str:
    return value.strftime("%d/%m/%Y") if value else ""


def _award_values(record, people, rates, states) -> dict[str, str]:
    period = (
        "Toute l'année scolaire" if record.whole_year else f"Du {_date(record.start_date)} au {_date(record.end_date)}"
    )
    return {
        "Bénéficiaire": people.get(record.person_id, ""),
        "Taux": _euros(rates.get(record.rate_id)),
        "Période": period,
        "État": states.get(record.state, record.state),
        "Service fait le": _date(record.service_done_on),
        "Mission interrompue après le": _date(record.ended_on),
    }


def _recorded(times, when) -> bool:
    return any(abs(time - when) <= SAME_CHANGE for time in times)


def _awards(apps):
    HistoricalImpAward = apps.get_model("imp", "HistoricalImpAward")
    AwardEvent = apps.get_model("imp", "AwardEvent")
    ImpAward = apps.get_model("imp", "ImpAward")
    Person = apps.get_model("schools", "Person")
    ImpRate = apps.get_model("imp", "ImpRate")
    award_ids = set(ImpAward.objects.values_list("pk", flat=True))
    times = defaultdict(list)
    for award_id, at in AwardEvent.objects.values_list("award_id", "at").order_by("pk"):
        times[award_id].append(at)
    people = {pk: f"{first} {last}" for pk, first, last in Person.objects.values_list("pk", "first_name", "last_name")}
    rates = dict(ImpRate.objects.values_list("pk", "amount"))
    states = {key: str(label) for key, label in ImpAward._meta.get_field("state").flatchoices}
    previous, new = {}, []
    for record in HistoricalImpAward.objects.order_by("id", "history_date", "history_id").iterator():
        values = _award_values(record, people, rates, states)
        before = previous.get(record.id)
        previous[record.id] = values
        if record.history_type == "-" or record.id not in award_ids or _recorded(times[record.id], record.history_date):
            continue
        changes = [
            {"field": field, "before": (before or {}).get(field, ""), "after": after}
            for field, after in values.items()
            if after != (before or {}).get(field, "")
        ]
        new.append(
            AwardEvent(
                award_id=record.id,
                kind="created" if before is None else "updated",
                at=record.history_date,
                by_id=record.history_user_id,
                changes=changes,
                note=NOTE,
            )
        )
    AwardEvent.objects.bulk_create(new, batch_size=1000)


def _envelopes(apps):
    HistoricalEnvelope = apps.get_model("imp", "HistoricalEnvelope")
    EnvelopeChange = apps.get_model("imp", "EnvelopeChange")
    Envelope = apps.get_model("imp", "Envelope")
    envelope_ids = set(Envelope.objects.values_list("pk", flat=True))
    times = defaultdict(list)
    for envelope_id, at in EnvelopeChange.objects.values_list("envelope_id", "changed_at").order_by("pk"):
        times[envelope_id].append(at)
    previous, new = {}, []
    for record in HistoricalEnvelope.objects.order_by("id", "history_date", "history_id").iterator():
        before = previous.get(record.id)
        previous[record.id] = record.amount
        if (
            record.history_type == "-"
            or record.id not in envelope_ids
            or _recorded(times[record.id], record.history_date)
        ):
            continue
        new.append(
            EnvelopeChange(
                envelope_id=record.id,
                before=before,
                after=record.amount,
                source="manual",
                changed_at=record.history_date,
                changed_by_id=record.history_user_id,
            )
        )
    EnvelopeChange.objects.bulk_create(new, batch_size=1000)


def events_from_history(apps, schema_editor):
    _awards(apps)
    _envelopes(apps)


class Migration(migrations.Migration):
    dependencies = [
        ("imp", "0004_board_opinion_deliberation_number"),
        ("schools", "0001_initial"),
    ]

    operations = [
        migrations.RunPython(events_from_history, migrations.RunPython.noop),
        migrations.DeleteModel(name="HistoricalImpAward"),
        migrations.DeleteModel(name="HistoricalEnvelope"),
    ]
