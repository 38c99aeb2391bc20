"""The audit pages' reads: the history rows of a set of schools, newest first, each with what changed.

Plans, their rows, authorized actions and roles are read from django-simple-history; IMP awards and envelopes from
their own history (AwardEvent, EnvelopeChange: README "Audit"). One page costs a fixed number of queries whatever
the history holds: the count and the page of (kind, id) over a UNION of the six history tables; per kind present, its records (each with the id of the record before it,
from a subquery) and those previous records; the holders of the plan rows; then one query per related model
(people, users, rates, missions, years, schools…) for the labels."""

import datetime
from dataclasses import dataclass, field

from django.apps import apps
from django.core.paginator import Page, Paginator
from django.db import models
from django.db.models import CharField, F, OuterRef, Q, Subquery, Value
from django.utils import formats, timezone
from django.utils.text import capfirst
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from imp.models import AwardEvent, Envelope, EnvelopeChange, ImpAward, ImpRate
from missions.models import AllocationPlan, Mission, PlanRow
from rupn.lib.formats import format_euros, of
from schools.models import Academie, AuthorizedAction, Collectivity, Person, Role, School, SchoolYear, User

PAGE_SIZE = 50


@dataclass(frozen=True)
class Kind:
    model: type[models.Model]
    label: str
    fields: tuple[str, ...]  # the fields shown, in this order


KINDS: dict[str, Kind] = {
    "plan": Kind(AllocationPlan, gettext_lazy("Plan de répartition"), ("state", "has_tablets", "submitted_at")),
    "row": Kind(
        PlanRow, gettext_lazy("Ligne du plan"), ("service_name", "organisation", "sharing", "sharing_detail", "holders")
    ),
    "award": Kind(
        ImpAward,
        gettext_lazy("IMP"),
        (
            "person",
            "rate",
            "whole_year",
            "start_date",
            "end_date",
            "state",
            "decline_reason",
            "rejection_reason",
            "service_done_on",
            "ended_on",
        ),
    ),
    "envelope": Kind(Envelope, gettext_lazy("Enveloppe IMP"), ("amount",)),
    "action": Kind(
        AuthorizedAction,
        gettext_lazy("Action autorisée"),
        ("action", "other_label", "school", "convention_reference", "convention_date"),
    ),
    "role": Kind(Role, gettext_lazy("Rôle"), ("kind", "user", "school", "academie", "collectivity")),
}
KIND_CHOICES = [(key, kind.label) for key, kind in KINDS.items()]
EVENT_LABELS = {"+": gettext_lazy("Création"), "~": gettext_lazy("Modification"), "-": gettext_lazy("Suppression")}


@dataclass
class Change:
    label: str
    before: str
    after: str


@dataclass
class Entry:
    kind: str
    kind_label: str
    event: str
    when: datetime.datetime
    who: str
    what: str
    school: str
    changes: list[Change] = field(default_factory=list)


@dataclass(frozen=True)
class Scope:
    """Whose history: a set of schools (and, on the académie page, the académies' own roles)."""

    schools: models.QuerySet
    academie_ids: tuple[int, ...] = ()


# Read from the objects' own history, not from simple-history; an award's leaves and replacements stay on its page.
EVENT_KINDS = ("award", "envelope")
AWARD_FOLLOW_UP = (
    AwardEvent.Kind.LEAVE_ADDED,
    AwardEvent.Kind.LEAVE_REMOVED,
    AwardEvent.Kind.REPLACEMENT_ADDED,
    AwardEvent.Kind.REPLACEMENT_REMOVED,
)


def _event_queryset(key: str, scope: Scope, year: SchoolYear | None):
    school_ids = scope.schools.values("pk")
    if key == "award":
        qs = AwardEvent.objects.filter(award__school_id__in=school_ids).exclude(kind__in=AWARD_FOLLOW_UP)
        qs = qs.filter(award__school_year_id=year.pk) if year else qs
        return qs.annotate(history_id=F("pk"), history_date=F("at"))
    qs = EnvelopeChange.objects.filter(envelope__school_id__in=school_ids)
    qs = qs.filter(envelope__school_year_id=year.pk) if year else qs
    return qs.annotate(history_id=F("pk"), history_date=F("changed_at"))


def _who(user) -> str:
    return (user.get_full_name() or user.email) if user else _("RUPN (traitement automatique)")


def _award_entries(ids: list[int]) -> dict[tuple[str, int], Entry]:
    events = AwardEvent.objects.filter(pk__in=ids).select_related(
        "by", "award__person", "award__school", "award__school_year"
    )
    entries = {}
    for event in events.order_by("pk"):
        award = event.award
        changes = [Change(c["field"], c["before"] or "—", c["after"] or "—") for c in event.changes]
        if event.note:
            changes.append(Change(_("Précision"), "—", event.note))
        entries["award", event.pk] = Entry(
            kind="award",
            kind_label=str(KINDS["award"].label),
            event=str(EVENT_LABELS["+" if event.kind == AwardEvent.Kind.CREATED else "~"]),
            when=event.at,
            who=_who(event.by),
            what=_("%(person)s, %(year)s") % {"person": award.person.full_name, "year": award.school_year},
            school=f"{award.school.name} ({award.school.uai})",
            changes=changes,
        )
    return entries


def _envelope_entries(ids: list[int]) -> dict[tuple[str, int], Entry]:
    changes = EnvelopeChange.objects.filter(pk__in=ids).select_related(
        "changed_by", "envelope__school", "envelope__school_year"
    )
    label = capfirst(Envelope._meta.get_field("amount").verbose_name)
    entries = {}
    for change in changes.order_by("pk"):
        envelope = change.envelope
        before = format_euros(change.before) if change.before is not None else "—"
        entries["envelope", change.pk] = Entry(
            kind="envelope",
            kind_label=str(KINDS["envelope"].label),
            event=str(EVENT_LABELS["+" if change.before is None else "~"]),
            when=change.changed_at,
            who=_who(change.changed_by),
            what=str(envelope.school_year),
            school=f"{envelope.school.name} ({envelope.school.uai})",
            changes=[Change(label, before, format_euros(change.after))],
        )
    return entries


def _kind_queryset(key: str, scope: Scope, year: SchoolYear | None):
    if key in EVENT_KINDS:
        return _event_queryset(key, scope, year)
    history = KINDS[key].model.history.model.objects
    school_ids = scope.schools.values("pk")
    if key == "plan":
        qs = history.filter(school_id__in=school_ids)
        return qs.filter(school_year_id=year.pk) if year else qs
    if key == "row":
        plans = AllocationPlan.objects.filter(school__in=school_ids)
        if year:
            plans = plans.filter(school_year=year)
        return history.filter(plan_id__in=plans.values("pk"))
    if key == "action":
        collectivities = scope.schools.values("collectivity_id")
        qs = history.filter(Q(school_id__in=school_ids) | Q(school_id__isnull=True, collectivity_id__in=collectivities))
        return qs.filter(school_year_id=year.pk) if year else qs
    qs = history.filter(Q(school_id__in=school_ids) | Q(academie_id__in=list(scope.academie_ids)))
    if year:
        start = timezone.make_aware(datetime.datetime.combine(year.start_date, datetime.time.min))
        end = timezone.make_aware(
            datetime.datetime.combine(year.end_date + datetime.timedelta(days=1), datetime.time.min)
        )
        qs = qs.filter(history_date__gte=start, history_date__lt=end)
    return qs


def history_page(scope: Scope, *, kind: str = "", year: SchoolYear | None = None, page_number=1) -> Page:
    """One page of the scope's history, newest first; page.object_list holds Entry objects."""
    keys = [kind] if kind in KINDS else list(KINDS)
    parts = [
        _kind_queryset(key, scope, year)
        .annotate(audit_kind=Value(key, output_field=CharField()))
        .values_list("audit_kind", "history_id", "history_date")
        .order_by()
        for key in keys
    ]
    feed = parts[0].union(*parts[1:], all=True) if len(parts) > 1 else parts[0]
    page = Paginator(feed.order_by("-history_date", "-history_id"), PAGE_SIZE).get_page(page_number)
    page.object_list = _entries(list(page.object_list))
    return page


def _entries(keys: list[tuple[str, int, datetime.datetime]]) -> list[Entry]:
    by_kind: dict[str, list[int]] = {}
    for key, history_id, _date in keys:
        by_kind.setdefault(key, []).append(history_id)
    records: dict[tuple[str, int], models.Model] = {}
    previous: dict[tuple[str, int], models.Model] = {}
    events: dict[tuple[str, int], Entry] = {}
    for key, ids in by_kind.items():
        if key in EVENT_KINDS:
            events |= (_award_entries if key == "award" else _envelope_entries)(ids)
            continue
        history = KINDS[key].model.history.model
        before = history.objects.filter(id=OuterRef("id"), history_id__lt=OuterRef("history_id")).order_by(
            "-history_id"
        )
        found = list(
            history.objects.filter(history_id__in=ids)
            .select_related("history_user")
            .annotate(prev_id=Subquery(before.values("history_id")[:1]))
            .order_by("history_id")
        )
        prev_ids = [r.prev_id for r in found if r.prev_id]
        prevs = history.objects.in_bulk(prev_ids, field_name="history_id") if prev_ids else {}
        for record in found:
            records[key, record.history_id] = record
            if record.prev_id:
                previous[key, record.history_id] = prevs[record.prev_id]
    labels = _Labels(records, previous)
    return [
        events[key, history_id]
        if key in EVENT_KINDS
        else labels.entry(key, records[key, history_id], previous.get((key, history_id)))
        for key, history_id, _ in keys
    ]


class _Labels:
    """The names behind the ids of a page's records: one query per related model."""

    def __init__(self, records: dict, previous: dict):
        every = [*records.items(), *previous.items()]
        self.holders: dict[int, set[int]] = {}
        row_ids = [r.history_id for (key, _id), r in every if key == "row"]
        if row_ids:
            holder_model = apps.get_model("missions", "HistoricalPlanRow_holders")
            for history_id, person_id in (
                holder_model.objects.filter(history_id__in=row_ids).values_list("history_id", "person_id").order_by()
            ):
                self.holders.setdefault(history_id, set()).add(person_id)
        wanted: dict[type, set[int]] = {}

        def want(model, pk):
            if pk:
                wanted.setdefault(model, set()).add(pk)

        plan_ids = {r.plan_id for (key, _id), r in every if key == "row"}
        self.plans = (
            AllocationPlan.objects.in_bulk(list(plan_ids)) if plan_ids else {}
        )  # rows name their plan's school and year
        for plan in self.plans.values():
            want(School, plan.school_id)
            want(SchoolYear, plan.school_year_id)
        for (key, _id), r in every:
            if key == "plan":
                want(School, r.school_id)
                want(SchoolYear, r.school_year_id)
                want(User, r.submitted_by_id)
            elif key == "row":
                want(Mission, r.mission_id)
                for person_id in self.holders.get(r.history_id, ()):
                    want(Person, person_id)
            elif key == "action":
                want(School, r.school_id)
                want(SchoolYear, r.school_year_id)
                want(Collectivity, r.collectivity_id)
            elif key == "role":
                want(User, r.user_id)
                want(School, r.school_id)
                want(Academie, r.academie_id)
                want(Collectivity, r.collectivity_id)
        self.objects = {model: model.objects.in_bulk(list(ids)) for model, ids in wanted.items()}

    def name(self, model, pk) -> str:
        if not pk:
            return "—"
        obj = self.objects.get(model, {}).get(pk)
        if obj is None:
            return _("n° %(id)s (supprimé)") % {"id": pk}
        if model is Person:
            return obj.full_name
        if model is User:
            return obj.get_full_name() or obj.email
        if model is ImpRate:
            return format_euros(obj.amount)
        if model is School:
            return f"{obj.name} ({obj.uai})"
        return str(obj)

    def value(self, key: str, record, name: str) -> str:
        if name == "holders":
            people = sorted(self.name(Person, pk) for pk in self.holders.get(record.history_id, ()))
            return ", ".join(people) or "—"
        model_field = KINDS[key].model._meta.get_field(name)
        raw = getattr(record, model_field.attname)
        if model_field.is_relation:
            return self.name(model_field.related_model, raw)
        if raw is None or raw == "":
            return "—"
        if model_field.flatchoices:
            return str(dict(model_field.flatchoices).get(raw, raw))
        if isinstance(model_field, models.BooleanField):
            return _("Oui") if raw else _("Non")
        if isinstance(model_field, models.DecimalField):
            return format_euros(raw)
        if isinstance(model_field, models.DateTimeField):
            return formats.date_format(timezone.localtime(raw), "j F Y à H:i")
        if isinstance(model_field, models.DateField):
            return formats.date_format(raw, "j F Y")
        return str(raw)

    def label(self, key: str, name: str) -> str:
        return capfirst(KINDS[key].model._meta.get_field(name).verbose_name)

    def changes(self, key: str, record, prev) -> list[Change]:
        fields = KINDS[key].fields
        if record.history_type == "-":
            return []
        if prev is None:  # a creation (or the first record of an object older than the audit): what it holds
            return [
                Change(self.label(key, name), "—", value)
                for name in fields
                if (value := self.value(key, record, name)) != "—"
            ]
        changed = set(record.diff_against(prev, included_fields=[f for f in fields if f != "holders"]).changed_fields)
        if "holders" in fields and self.holders.get(record.history_id, set()) != self.holders.get(
            prev.history_id, set()
        ):
            changed.add("holders")
        return [
            Change(self.label(key, name), self.value(key, prev, name), self.value(key, record, name))
            for name in fields
            if name in changed
        ]

    def what(self, key: str, record) -> tuple[str, str]:
        """What the record is about, and its school."""
        if key == "row":
            plan = self.plans.get(record.plan_id)
            mission = self.name(Mission, record.mission_id)
            service = f" — {record.service_name}" if record.service_name else ""
            year = self.name(SchoolYear, plan.school_year_id) if plan else "—"
            school = self.name(School, plan.school_id) if plan else "—"
            return _("« %(mission)s%(service)s », plan %(year)s") % {
                "mission": mission,
                "service": service,
                "year": year,
            }, school
        if key == "plan":
            return self.name(SchoolYear, record.school_year_id), self.name(School, record.school_id)
        if key == "action":
            label = record.other_label or str(dict(AuthorizedAction.ACTION_CHOICES).get(record.action, record.action))
            school = (
                self.name(School, record.school_id)
                if record.school_id
                else _("Tous les établissements %(of_collectivity)s")
                % {"of_collectivity": of(self.name(Collectivity, record.collectivity_id))}
            )
            return _("%(action)s, %(year)s") % {
                "action": label,
                "year": self.name(SchoolYear, record.school_year_id),
            }, school
        scope = (
            self.name(School, record.school_id)
            if record.school_id
            else self.name(Academie, record.academie_id)
            if record.academie_id
            else self.name(Collectivity, record.collectivity_id)
        )
        return _("%(kind)s : %(user)s") % {
            "kind": dict(Role.Kind.choices).get(record.kind, record.kind),
            "user": self.name(User, record.user_id),
        }, scope

    def entry(self, key: str, record, prev) -> Entry:
        user = record.history_user
        what, school = self.what(key, record)
        return Entry(
            kind=key,
            kind_label=str(KINDS[key].label),
            event=str(EVENT_LABELS.get(record.history_type, record.history_type)),
            when=record.history_date,
            who=(user.get_full_name() or user.email) if user else _("RUPN (traitement automatique)"),
            what=what,
            school=school,
            changes=self.changes(key, record, prev),
        )
