"""Two people saving the same thing: optimistic locking and the three-way merge of their changes.

Imports no app of ours. The pieces, from the bottom up:

- ``merge(base, mine, theirs)``, pure: per row and per field, a change made by one person only wins, the same
  change made by both is kept, two different changes of the same field are a ``Clash``;
- ``versioned_update``: ``UPDATE … WHERE pk = … AND version = …`` bumping the version, the one optimistic lock;
- ``VersionConflict``: the one conflict error, carrying who saved and when, with its one French message;
- ``stamp`` / ``read_stamp``: the values a form was rendered with (its base), signed into a hidden field;
- ``save_merged``: what a view calls to save a versioned form (merge onto the current version, or refuse);
- ``form_values`` / ``apply_values`` / ``rebind``: the same for a Django form, and the form shown again on the
  current version when the save asks the user to choose (or, without a base, is refused as before).

Values are compared canonically (``canon``): JSON-able, lists sorted (a set of people is a set).
"""

from __future__ import annotations

import datetime
import decimal
from collections.abc import Callable, Hashable, Mapping
from dataclasses import dataclass, field
from typing import Any

from django import forms
from django.core import signing
from django.core.exceptions import ValidationError
from django.db.models import F, Model, QuerySet
from django.utils import formats, timezone
from django.utils.translation import gettext as _

from rupn.lib.errors import ConflictError, DomainError


class _Missing:
    """The value of a field, or a row, that is not there (a row added or removed by one side)."""

    _instance = None

    def __new__(cls):
        if cls._instance is None:
            cls._instance = super().__new__(cls)
        return cls._instance

    def __repr__(self) -> str:
        return "MISSING"

    def __bool__(self) -> bool:
        return False


MISSING: Any = _Missing()
ROW = "__row__"  # the field name of a clash about a whole row (removed by one side, changed by the other)


# --- the pure merge ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Clash:
    """Both people changed the same field of the same row, to different values."""

    row: Hashable
    field: str
    base: Any
    mine: Any
    theirs: Any


def merge_fields(
    base: Mapping[str, Any], mine: Mapping[str, Any], theirs: Mapping[str, Any], *, row: Hashable = None
) -> tuple[dict[str, Any], list[Clash]]:
    """Three-way merge of one row's fields. A clash keeps mine in the result (what the user sees in the form)."""
    merged: dict[str, Any] = {}
    clashes: list[Clash] = []
    names = list(dict.fromkeys([*theirs, *mine, *base]))
    for name in names:
        b, m, t = base.get(name, MISSING), mine.get(name, MISSING), theirs.get(name, MISSING)
        if m in (b, t):
            value = t
        elif t == b:
            value = m
        else:
            value = m
            clashes.append(Clash(row=row, field=name, base=b, mine=m, theirs=t))
        if value is not MISSING:
            merged[name] = value
    return merged, clashes


def merge(
    base: Mapping[Hashable, Mapping[str, Any]],
    mine: Mapping[Hashable, Mapping[str, Any]],
    theirs: Mapping[Hashable, Mapping[str, Any]],
) -> tuple[dict[Hashable, dict[str, Any]], list[Clash]]:
    """Three-way merge of rows of fields: base is what the user started from, mine what they post, theirs the
    current version. Rows in theirs' order, then the rows only mine has.

    A row added by one side is kept; removed by one side and left as it was by the other, it goes; removed by one
    and changed by the other, it is a clash on the whole row (field ROW, MISSING on the side that removed it).
    """
    merged: dict[Hashable, dict[str, Any]] = {}
    clashes: list[Clash] = []
    for key in dict.fromkeys([*theirs, *mine, *base]):
        b, m, t = base.get(key, MISSING), mine.get(key, MISSING), theirs.get(key, MISSING)
        if b is MISSING or (m is not MISSING and t is not MISSING):
            if m is MISSING or t is MISSING:  # added by one side only
                merged[key] = dict(t if m is MISSING else m)
                continue
            merged[key], row_clashes = merge_fields({} if b is MISSING else b, m, t, row=key)
            clashes += row_clashes
        elif m is MISSING and t is MISSING:
            continue
        else:  # removed by one side
            kept = t if m is MISSING else m
            if dict(kept) == dict(b):
                continue  # the other side left it as it was: removed
            if m is not MISSING:
                merged[key] = dict(m)  # as for a field, a clash keeps mine until the user chooses
            clashes.append(Clash(row=key, field=ROW, base=b, mine=m, theirs=t))
    return merged, clashes


def canon(value: Any) -> Any:
    """A value as it is compared and signed: JSON-able, collections sorted, models by primary key."""
    if value is None or isinstance(value, bool | int | str):
        return value
    if isinstance(value, Model):
        return value.pk
    if isinstance(value, datetime.datetime | datetime.date | datetime.time):
        return value.isoformat()
    if isinstance(value, decimal.Decimal | float):
        return str(value)
    if isinstance(value, list | tuple | set | frozenset | QuerySet):
        return sorted((canon(item) for item in value), key=lambda item: (str(type(item)), str(item)))
    if isinstance(value, Mapping):
        return {str(k): canon(v) for k, v in value.items()}
    return str(value)


# --- the optimistic lock and its error --------------------------------------------------------------------------


def french_datetime(moment: datetime.datetime) -> str:
    """« 3 décembre 2026 à 17 h 32 » (« 1er » the first day of the month), in the local time zone."""
    moment = timezone.localtime(moment) if timezone.is_aware(moment) else moment
    day = "1er" if moment.day == 1 else str(moment.day)
    return _("%(date)s à %(hour)d\u00a0h\u00a0%(minute)02d") % {
        "date": f"{day} {formats.date_format(moment, 'F Y')}",
        "hour": moment.hour,
        "minute": moment.minute,
    }


def french_time(moment: datetime.datetime) -> str:
    """« 17 h 32 », in the local time zone."""
    moment = timezone.localtime(moment) if timezone.is_aware(moment) else moment
    return f"{moment.hour}\u00a0h\u00a0{moment.minute:02d}"


def saved_by(who: str | None, when: datetime.datetime | None) -> str:
    """« Enregistré par Claire Martin le 3 décembre 2026 à 17 h 32 », as far as it is known."""
    if who and when:
        return _("Enregistré par %(who)s le %(when)s") % {"who": who, "when": french_datetime(when)}
    if when:
        return _("Enregistré par quelqu'un d'autre le %(when)s") % {"when": french_datetime(when)}
    return _("Enregistré par %(who)s") % {"who": who or _("quelqu'un d'autre")}


@dataclass
class Current:
    """The current version of what is being saved: its version, its values (rows of fields), who saved it, when."""

    version: int
    values: dict
    who: str | None = None
    when: datetime.datetime | None = None


class VersionConflict(ConflictError):
    """Someone saved since this user loaded the form.

    Without clashes the save was refused (no base to merge from); with clashes nothing was saved either, and the
    user chooses, field by field, which value to keep. merged holds the other fields once merged.
    """

    def __init__(
        self,
        *,
        who: str | None = None,
        when: datetime.datetime | None = None,
        version: int | None = None,
        theirs: dict | None = None,
        clashes: list[Clash] | None = None,
        merged: dict | None = None,
    ):
        self.who, self.when, self.version = who, when, version
        self.theirs = theirs or {}
        self.clashes = clashes or []
        self.merged = merged
        self.saved_by = saved_by(who, when)
        if self.clashes:
            message = _(
                "%(saved_by)s pendant que vous faisiez vos modifications. Ses changements et les vôtres sont réunis "
                "ci-dessous, sauf là où vous avez tous deux changé la même chose : choisissez pour chacun la valeur "
                "à garder. Rien n'est enregistré tant que vous n'avez pas choisi."
            )
        else:
            message = _(
                "%(saved_by)s pendant que vous faisiez vos modifications. Rien n'a été enregistré : vos saisies sont "
                "conservées ci-dessous ; vérifiez-les au regard de la version actuelle, puis enregistrez à nouveau."
            )
        super().__init__(message % {"saved_by": self.saved_by})


def versioned_update(queryset: QuerySet, *, pk: Any, version: int, conflict: Callable[[], VersionConflict], **fields):
    """UPDATE … SET version = version + 1, fields WHERE pk = … AND version = …; conflict() raised when no row
    matched (someone saved since that version)."""
    if not queryset.filter(pk=pk, version=version).update(version=F("version") + 1, **fields):
        raise conflict()


# --- the base a form carries ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Stamp:
    """What a form was rendered with: the version, its values, and the clashes it asks the user to settle."""

    version: int
    values: dict
    clashes: tuple = ()


def _key(row: Hashable) -> str:
    return "" if row is None else str(row)


def stamp(*, salt: str, version: int, values: dict, clashes: list[Clash] | tuple = ()) -> str:
    """The signed token of a form's base (its hidden field "base"); salt names the object (e.g. "person:12")."""
    payload = {
        "v": version,
        "values": {_key(row): canon(fields) for row, fields in values.items()},
        "clashes": [[_key(c.row), c.field] for c in clashes],
    }
    return signing.dumps(payload, salt=f"rupn.concurrency:{salt}", compress=True)


def read_stamp(token: str | None, *, salt: str, version: int | None) -> Stamp | None:
    """The base posted with a form, or None when it is absent, tampered with, for another object or another
    version than the one posted."""
    if not token:
        return None
    try:
        payload = signing.loads(token, salt=f"rupn.concurrency:{salt}")
        stamped = Stamp(
            version=int(payload["v"]),
            values={str(row): dict(fields) for row, fields in payload["values"].items()},
            clashes=tuple((str(row), str(name)) for row, name in payload["clashes"]),
        )
    except (signing.BadSignature, KeyError, TypeError, ValueError, AttributeError):
        return None
    if version is not None and stamped.version != version:
        return None
    return stamped


def choice_name(row: Hashable, field_name: str) -> str:
    """The name of the radio that settles a clash."""
    return f"keep:{_key(row)}:{field_name}"


def fold_choices(stamped: Stamp, mine: dict, data: Mapping) -> tuple[dict, list[tuple[str, str]]]:
    """Mine with the user's choices applied: "theirs" takes the value shown as saved by the other person (the
    stamp's values, which were the current version when the clash was shown). Returns the clashes left unsettled."""
    mine = {row: dict(fields) for row, fields in mine.items()}
    unsettled = []
    for row, name in stamped.clashes:
        choice = data.get(choice_name(row, name))
        if choice == "mine":
            continue
        if choice != "theirs":
            unsettled.append((row, name))
            continue
        theirs_row = stamped.values.get(row, MISSING)
        if name == ROW:
            if theirs_row is MISSING:
                mine.pop(row, None)
            else:
                mine[row] = dict(theirs_row)
        elif theirs_row is MISSING or name not in theirs_row:
            mine.get(row, {}).pop(name, None)
        else:
            mine.setdefault(row, {})[name] = theirs_row[name]
    return mine, unsettled


def _pick(row_values: Any, name: str) -> Any:
    if name == ROW or row_values is MISSING:
        return row_values
    return row_values.get(name, MISSING)


def save_merged[T](
    *,
    token: str | None,
    salt: str,
    version: int | None,
    mine: dict,
    data: Mapping,
    load: Callable[[], Current],
    save: Callable[[int, dict], T],
    attempts: int = 3,
) -> T:
    """Save mine (rows of canonical values, keys as strings) against the current version.

    With a valid base (token): the other person's changes since then are kept, mine applied over them; a field
    both changed differently raises VersionConflict with the clashes (nothing saved). Without one: refused when
    the version moved, as before. save(version, values) is the service's conditional update; if yet another
    save slips in between, the merge is done again on the newer version.
    """
    stamped = read_stamp(token, salt=salt, version=version)
    mine = {_key(row): dict(fields) for row, fields in mine.items()}
    unsettled: list[tuple[str, str]] = []
    if stamped is not None:
        mine, unsettled = fold_choices(stamped, mine, data)
    for attempt in range(attempts):
        current = load()
        theirs = {_key(row): canon(fields) for row, fields in current.values.items()}
        conflict = {"who": current.who, "when": current.when, "version": current.version, "theirs": theirs}
        if stamped is None:
            if version != current.version:
                raise VersionConflict(**conflict)
            values = mine
        elif stamped.version == current.version and not unsettled:
            values = mine
        else:
            values, clashes = merge(stamped.values, mine, theirs)
            keys = {(c.row, c.field) for c in clashes}
            for row, name in unsettled:  # asked and not answered: asked again, whatever happened since
                if (row, name) not in keys:
                    clashes.append(
                        Clash(
                            row,
                            name,
                            MISSING,
                            _pick(mine.get(row, MISSING), name),
                            _pick(theirs.get(row, MISSING), name),
                        )
                    )
            if clashes:
                raise VersionConflict(**conflict, clashes=clashes, merged=values)
        try:
            return save(current.version, values)
        except VersionConflict:
            if attempt == attempts - 1:
                raise
    raise AssertionError("unreachable")  # pragma: no cover


# --- Django forms -----------------------------------------------------------------------------------------------


class BaseField(forms.CharField):
    """The hidden field that carries a form's signed base."""

    def __init__(self, **kwargs):
        super().__init__(required=False, widget=forms.HiddenInput, max_length=200_000, **kwargs)


def field_value(form: forms.Form, name: str, value: Any) -> Any:
    """A value in the shape a field cleans to (an initial value, or a canonical one); canonical when it fails."""
    try:
        return canon(form.fields[name].clean(value))
    except ValidationError:
        return canon(value)


def form_values(form: forms.Form, names) -> dict:
    """The canonical values of a valid form's fields."""
    return {name: canon(form.cleaned_data.get(name)) for name in names}


def initial_values(form: forms.Form, initial: Mapping, names) -> dict:
    """The canonical values an object shows in a form (what its initial would clean to)."""
    return {name: field_value(form, name, initial.get(name)) for name in names}


def apply_values(form: forms.Form, values: Mapping) -> None:
    """Put merged values into a valid form's cleaned_data (cleaned again by each field)."""
    for name, value in values.items():
        if name in form.fields and canon(form.cleaned_data.get(name)) != value:
            form.cleaned_data[name] = form.fields[name].clean(value)


def display(form: forms.Form, name: str, value: Any) -> str:
    """A value as the user reads it: the label of a choice, the names of chosen people, Oui / Non."""
    if value is MISSING:
        return _("(ligne retirée)")
    form_field = form.fields.get(name)
    if isinstance(form_field, forms.BooleanField):
        return _("Oui") if value else _("Non")
    if isinstance(form_field, forms.ChoiceField):
        labels = {canon(key): label for key, label in form_field.choices}
        if isinstance(value, list):
            return ", ".join(str(labels.get(canon(v), v)).split(" — ")[0] for v in value) or _("(personne)")
        label = labels.get(value, value)
        return str(label) if label not in (None, "") else _("(vide)")
    if isinstance(form_field, forms.DateField) and value:
        try:
            return formats.date_format(datetime.date.fromisoformat(value), "j F Y")
        except ValueError:
            return str(value)
    return str(value) if value not in (None, "") else _("(vide)")


@dataclass
class ClashView:
    """One clash as the page shows it: the radio's name, what the field is, both values."""

    name: str
    label: str
    mine: str
    theirs: str


@dataclass
class ConflictView:
    """What a template needs to say that someone saved meanwhile (str() is the message)."""

    message: str
    saved_by: str
    theirs_label: str  # « Enregistré par Claire Martin à 17 h 32 »
    clashes: list[ClashView] = field(default_factory=list)

    def __str__(self) -> str:
        return self.message


def conflict_view(error: VersionConflict, forms_by_row: Callable[[str], tuple[forms.Form | None, str]]) -> ConflictView:
    """The conflict for the template; forms_by_row(row) gives the form that shows a row and the row's name."""
    clashes = []
    for clash in error.clashes:
        form, row_label = forms_by_row(clash.row)
        if clash.field == ROW or form is None:
            label = row_label
            mine = _("(ligne retirée)") if clash.mine is MISSING else _("la ligne modifiée")
            theirs = _("(ligne retirée)") if clash.theirs is MISSING else _("la ligne modifiée")
        else:
            field_label = str(form.fields[clash.field].label) if clash.field in form.fields else clash.field
            label = f"{row_label} — {field_label}" if row_label else field_label
            mine, theirs = display(form, clash.field, clash.mine), display(form, clash.field, clash.theirs)
        clashes.append(ClashView(name=choice_name(clash.row, clash.field), label=label, mine=mine, theirs=theirs))
    if error.when:
        theirs_label = _("Enregistré par %(who)s à %(when)s") % {
            "who": error.who or _("quelqu'un d'autre"),
            "when": french_time(error.when),
        }
    else:
        theirs_label = _("Enregistré par %(who)s") % {"who": error.who or _("quelqu'un d'autre")}
    return ConflictView(message=error.message, saved_by=error.saved_by, theirs_label=theirs_label, clashes=clashes)


def rebind(
    form_class: type[forms.Form], error: VersionConflict, *, data: Mapping, salt: str, **kwargs
) -> tuple[forms.Form, ConflictView]:
    """The form shown again on the current version, and its conflict for the template.

    With clashes: the merged values (theirs where only they changed, mine elsewhere), base = the current version,
    and the clashes to settle. Refused (no base): what the user typed, on the current version, as before.
    """
    theirs = error.theirs.get("", {})
    token = stamp(salt=salt, version=error.version, values={"": theirs}, clashes=error.clashes)
    if error.merged is None:
        form = form_class(data.copy() if hasattr(data, "copy") else dict(data), **kwargs)
        form.data[form.add_prefix("version")], form.data[form.add_prefix("base")] = str(error.version), token
        form.is_valid()
    else:
        values = error.merged.get("", {})
        form = form_class(None, initial={**values, "version": error.version, "base": token}, **kwargs)
    return form, conflict_view(error, lambda row: (form, ""))


def stamp_form(form: forms.Form, *, salt: str, version: int, names) -> forms.Form:
    """Give an unbound form of one object its base: the values its initial shows, signed (field "base")."""
    values = {"": initial_values(form, form.initial, names)}
    form.initial = {**form.initial, "version": version, "base": stamp(salt=salt, version=version, values=values)}
    return form


def save_form_merged[T](
    form: forms.Form, *, salt: str, names, load: Callable[[], Current], save: Callable[[int], T]
) -> T:
    """Save a valid form of one object onto its current version (save_merged): the merged values are put in the
    form's cleaned_data, then save(version) calls the service with them."""

    def merged_save(version: int, values: dict) -> T:
        apply_values(form, values.get("", {}))
        return save(version)

    return save_merged(
        token=form.cleaned_data.get("base"),
        salt=salt,
        version=form.cleaned_data.get("version"),
        mine={"": form_values(form, names)},
        data=form.data,
        load=load,
        save=merged_save,
    )


def current_of(form: forms.Form, *, version: int, initial: Mapping, names, who=None, when=None) -> Current:
    """The current version of one object, its values as the form shows them (for save_form_merged's load)."""
    return Current(version=version, values={"": initial_values(form, initial, names)}, who=who, when=when)


@dataclass
class FormSave:
    """What the POST of a versioned form came to: saved (302), invalid or refused (400), or a clash (409)."""

    form: forms.Form
    conflict: ConflictView | str
    status: int

    @property
    def saved(self) -> bool:
        return self.status == 302


def form_save(
    form_class: type[forms.Form],
    data: Mapping,
    *,
    salt: str,
    names,
    load: Callable[[forms.Form], Current],
    save: Callable[[int, dict], Any],
    error_field: str | None = None,
    **form_kwargs,
) -> FormSave:
    """The POST of a versioned form of one object, the one way: validate, merge onto the current version and save
    (save(version, cleaned_data) calls the service); on a clash, the form shown again on the current version with
    its conflict; a DomainError of the service goes beside error_field (None: at the top of the form)."""
    form = form_class(data, **form_kwargs)
    if not form.is_valid():
        return FormSave(form, "", 400)
    try:
        save_form_merged(
            form, salt=salt, names=names, load=lambda: load(form), save=lambda version: save(version, form.cleaned_data)
        )
    except VersionConflict as error:
        form, conflict = rebind(form_class, error, data=data, salt=salt, **form_kwargs)
        return FormSave(form, conflict, 409)
    except DomainError as error:
        form.add_error(error_field, error.message)
        return FormSave(form, "", 400)
    return FormSave(form, "", 302)
