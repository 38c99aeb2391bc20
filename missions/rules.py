"""The catalogue's rules, as pure functions over plain data (no database).

The same function checks a saved plan and what a principal is typing, so the
messages beside each row and the refusal to submit never disagree.
"""

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from rupn.lib.formats import sort_key

BLOCKING = "blocking"
WARNING = "warning"
CONTINUITY = "continuity"  # topic of the warnings about continuity when someone leaves (the CA sheet lists them)


@dataclass(frozen=True)
class MissionSpec:
    code: str
    label: str
    kind: str  # standard, group, derived, per_service
    min_holders: int = 0
    max_holders: int | None = None
    blocking: bool = False
    requires_action: str = ""
    requires_tablets: bool = False


@dataclass(frozen=True)
class RowState:
    key: str
    mission_code: str
    holder_ids: frozenset[int]
    service_name: str = ""


@dataclass(frozen=True)
class PersonInfo:
    full_name: str
    leaving: bool = False


@dataclass(frozen=True)
class RuleMessage:
    level: str
    text: str
    topic: str = ""
    # The number of holders the message asks for, as (at least, at most); None when it asks for no number.
    # The messages of one row never ask for numbers that exclude each other (a property test checks it).
    wants: tuple[int, int | None] | None = field(default=None, compare=False)

    @property
    def is_blocking(self) -> bool:
        return self.level == BLOCKING


@dataclass
class PlanCheck:
    row_messages: dict[str, list[RuleMessage]] = field(default_factory=dict)
    plan_messages: list[RuleMessage] = field(default_factory=list)
    training_ids: list[int] = field(default_factory=list)

    @property
    def blocking_messages(self) -> list[RuleMessage]:
        messages = [m for ms in self.row_messages.values() for m in ms] + self.plan_messages
        return [m for m in messages if m.is_blocking]

    @property
    def has_blocking(self) -> bool:
        return bool(self.blocking_messages)

    @property
    def warning_count(self) -> int:
        messages = [m for ms in self.row_messages.values() for m in ms] + self.plan_messages
        return sum(1 for m in messages if not m.is_blocking)


def _count_message(spec: MissionSpec, count: int, minimum: int, maximum: int | None, level: str) -> RuleMessage | None:
    label = spec.label
    if maximum == 1 and minimum == 1 and count != 1:
        if count == 0:
            return RuleMessage(level, _("Désignez une personne pour « %(label)s ».") % {"label": label}, wants=(1, 1))
        return RuleMessage(
            level,
            _("« %(label)s » demande une seule personne : %(count)d sont désignées.")
            % {"label": label, "count": count},
            wants=(1, 1),
        )
    if count < minimum:
        text = ngettext(
            "Désignez au moins %(min)d personne pour « %(label)s ».",
            "Désignez au moins %(min)d personnes pour « %(label)s ».",
            minimum,
        ) % {"min": minimum, "label": label}
        return RuleMessage(level, text, wants=(minimum, maximum))
    if maximum is not None and count > maximum:
        text = ngettext(
            "« %(label)s » demande au plus %(max)d personne : %(count)d sont désignées.",
            "« %(label)s » demande au plus %(max)d personnes : %(count)d sont désignées.",
            maximum,
        ) % {"label": label, "max": maximum, "count": count}
        return RuleMessage(level, text, wants=(minimum, maximum))
    return None


def _row_messages(
    spec: MissionSpec, row: RowState, *, authorized_actions: frozenset[str], has_tablets: bool
) -> list[RuleMessage]:
    messages: list[RuleMessage] = []
    count = len(row.holder_ids)
    level = BLOCKING if spec.blocking else WARNING
    if spec.requires_action and spec.requires_action not in authorized_actions and count:
        messages.append(
            RuleMessage(
                WARNING,
                _(
                    "La collectivité n'autorise pas cette action pour cette année : "
                    "personne ne peut en être chargé tant qu'elle ne l'a pas autorisée."
                ),
                wants=(0, 0),
            )
        )
    if spec.kind == "per_service":
        if not row.service_name and count:
            messages.append(RuleMessage(WARNING, _("Indiquez le nom du service pédagogique administré.")))
        elif row.service_name and count != 1:
            messages.append(
                RuleMessage(
                    WARNING,
                    _("Le service « %(service)s » demande un référent, et un seul.") % {"service": row.service_name},
                    wants=(1, 1),
                )
            )
        return messages
    minimum = spec.min_holders
    if spec.requires_tablets:
        action_missing = bool(spec.requires_action and spec.requires_action not in authorized_actions)
        if has_tablets and action_missing and not count:
            messages.append(
                RuleMessage(
                    WARNING,
                    _(
                        "L'établissement déclare des tablettes, mais c'est la collectivité qui décide si les "
                        "référents peuvent les administrer, et elle ne l'a pas autorisé pour cette année : "
                        "le chef d'établissement peut le lui demander par le référent « Lien avec collectivité »."
                    ),
                    wants=(0, 0),
                )
            )
        minimum = max(minimum, 1) if has_tablets and not action_missing else 0
    message = _count_message(spec, count, minimum, spec.max_holders, level)
    if message:
        messages.append(message)
    return messages


def _leaving_message(spec: MissionSpec, row: RowState, person: PersonInfo, *, unauthorized: bool) -> RuleMessage:
    """The continuity warning of a row held only by someone who leaves: a second holder where the row allows
    two, else a successor (a row of one person must not be asked for a second one); no advice at all on an
    action the collectivité does not authorize (nobody may hold it)."""
    label = f"{spec.label} — {row.service_name}" if row.service_name else spec.label
    values = {"label": label, "name": person.full_name}
    if unauthorized:
        text = _("« %(label)s » n'est assurée que par %(name)s, qui quitte l'établissement à la fin de l'année.")
        return RuleMessage(WARNING, text % values, CONTINUITY)
    if spec.kind == "per_service" or spec.max_holders == 1:
        text = _(
            "« %(label)s » n'est assurée que par %(name)s, qui quitte l'établissement à la fin de l'année : "
            "prévoyez qui reprendra la mission à la rentrée."
        )
        return RuleMessage(WARNING, text % values, CONTINUITY, wants=(1, 1))
    text = _(
        "« %(label)s » n'est assurée que par %(name)s, qui quitte l'établissement "
        "à la fin de l'année : prévoyez un second responsable."
    )
    return RuleMessage(WARNING, text % values, CONTINUITY, wants=(2, spec.max_holders))


def check_plan(
    *,
    missions: Iterable[MissionSpec],
    rows: Iterable[RowState],
    people: Mapping[int, PersonInfo],
    authorized_actions: Iterable[str] = (),
    has_tablets: bool = False,
) -> PlanCheck:
    """Check a plan against the catalogue's rules and derive the "Se former" row."""
    specs = {spec.code: spec for spec in missions}
    authorized = frozenset(authorized_actions)
    rows = [row for row in rows if row.mission_code in specs]
    result = PlanCheck()
    named: set[int] = set()
    held_rows = 0
    for row in rows:
        spec = specs[row.mission_code]
        if spec.kind in ("group", "derived"):
            continue
        result.row_messages[row.key] = _row_messages(spec, row, authorized_actions=authorized, has_tablets=has_tablets)
        named |= row.holder_ids
        if row.holder_ids:
            held_rows += 1
        if len(row.holder_ids) == 1:
            (holder,) = row.holder_ids
            person = people.get(holder)
            unauthorized = bool(spec.requires_action and spec.requires_action not in authorized)
            if person and person.leaving:
                result.row_messages[row.key].append(_leaving_message(spec, row, person, unauthorized=unauthorized))
    if len(named) == 1 and held_rows > 1:
        (only,) = named
        name = people[only].full_name if only in people else "?"
        result.plan_messages.append(
            RuleMessage(
                WARNING,
                _(
                    "%(name)s assure toutes les missions : partagez-les entre plusieurs référents "
                    "pour assurer la continuité en cas de mutation."
                )
                % {"name": name},
                CONTINUITY,
            )
        )
    result.training_ids = sorted(named, key=lambda pk: (sort_key(people[pk].full_name if pk in people else ""), pk))
    return result
