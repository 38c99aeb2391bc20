"""Forms of the allocation table: one small form per row, built from the plan and the staff."""

import functools

from django import forms
from django.utils.html import escape, format_html
from django.utils.safestring import mark_safe
from django.utils.translation import get_language, gettext, ngettext
from django.utils.translation import gettext_lazy as _
from dsfr.forms import DsfrBaseForm

from missions.models import Mission, PlanRow
from missions.services import PLAN_KEY, RowInput
from rupn.lib.concurrency import BaseField, read_stamp
from rupn.lib.formats import person_sort_key
from rupn.lib.forms import VersionField
from schools.models import Person

NEW_SERVICE_ROWS = 2


class StaffChoices(list):
    """The school's people as choices (value, name), and as the picker shows them (options: their labels'
    markup, escaped once per page for every row)."""

    def __init__(self, choices, options):
        super().__init__(choices)
        self.options = options


def staff_choices(staff: list[Person]) -> StaffChoices:
    """The people in French order ("Émilie" with the E), each with status, leaving mark and CPGE."""
    leaving = gettext("quitte l'établissement en fin d'année")
    former, cpge = gettext("n'est plus en poste"), gettext("service en CPGE")
    statuses = {value: str(label) for value, label in Person.Status.choices}
    choices, options = [], []
    for person in sorted(staff, key=person_sort_key):
        name = f"{person.last_name.upper()} {person.first_name}"
        marks = [format_html('<span class="rupn-picker__status">{}</span>', statuses.get(person.status, ""))]
        if person.leaving:
            marks.append(format_html('<span class="fr-badge fr-badge--sm fr-badge--warning">{}</span>', leaving))
        if not person.is_active:
            marks.append(format_html('<span class="fr-badge fr-badge--sm">{}</span>', former))
        if person.full_service_cpge:
            marks.append(format_html('<span class="fr-badge fr-badge--sm fr-badge--info">{}</span>', cpge))
        html = format_html('{} <span class="fr-hint-text">{}</span>', name, mark_safe(" ".join(marks)))  # noqa: S308
        choices.append((str(person.pk), name))
        options.append((str(person.pk), escape(name), html))
    return StaffChoices(choices, options)


class PeoplePicker(forms.CheckboxSelectMultiple):
    """The list of people of a row: one checkbox each (no Ctrl+click), the row's form gives the options.

    Rendered here rather than through a template per option: a table has a few hundred of them."""

    options: list[tuple[str, str, str]] = []

    def id_for_label(self, id_, index=None):
        return id_  # the list itself: the summary of errors links to it

    def render(self, name, value, attrs=None, renderer=None):
        attrs = self.build_attrs(self.attrs, attrs)
        base, name = escape(attrs.get("id", name)), escape(name)
        chosen = {str(v) for v in value or ()}
        disabled = " disabled" if attrs.get("disabled") else ""
        items = [
            f'<li class="fr-checkbox-group fr-checkbox-group--sm"><input type="checkbox" name="{name}" '
            f'value="{pk}" id="{base}_{index}" data-name="{plain}"{" checked" if pk in chosen else ""}{disabled}>'
            f'<label class="fr-label" for="{base}_{index}">{html}</label></li>'
            for index, (pk, plain, html) in enumerate(self.options)
        ]
        return mark_safe(f'<ul class="rupn-picker__list" id="{base}">{"".join(items)}</ul>')  # noqa: S308


def holders_hint(mission: Mission) -> str:
    """What the row asks for, said once, in French."""
    return _holders_hint(
        mission.kind, mission.min_holders, mission.max_holders, mission.blocking, mission.requires_tablets,
        get_language(),
    )  # fmt: skip


@functools.lru_cache(maxsize=256)
def _holders_hint(kind, low, high, blocking, requires_tablets, language) -> str:
    if kind == Mission.Kind.PER_SERVICE:
        return gettext("Un référent par service.")
    if requires_tablets:
        text = gettext("Au moins une personne si l'établissement a des tablettes à administrer.")
    elif low == 1 and high == 1:
        text = gettext("Une personne.")
    elif low == 1 and high is None:
        text = gettext("Au moins une personne.")
    elif low >= 1 and high is None:
        text = ngettext("Au moins %(n)d personne.", "Au moins %(n)d personnes.", low) % {"n": low}
    elif low >= 1:
        text = gettext("De %(low)d à %(high)d personnes.") % {"low": low, "high": high}
    elif high is not None:
        text = ngettext("%(n)d personne au plus.", "%(n)d personnes au plus.", high) % {"n": high}
    else:
        text = gettext("Une ou plusieurs personnes, ou personne.")
    if blocking and (low or requires_tablets):
        text += " " + gettext("Obligatoire pour soumettre le plan au conseil d'administration.")
    return str(text)


class PlanForm(DsfrBaseForm):
    version = VersionField()
    base = BaseField()  # the values the table was shown with (rupn.lib.concurrency)
    has_tablets = forms.BooleanField(
        label=_("L'établissement a des tablettes à administrer"),
        required=False,
        help_text=_("La ligne « Administrer les tablettes » demande alors au moins un référent."),
    )


class RowForm(forms.Form):
    """One row of the table. A plain Form: the row template writes its markup (missions_extras.field_group)."""

    holders = forms.MultipleChoiceField(label=_("Responsables"), required=False, widget=PeoplePicker)
    organisation = forms.CharField(
        label=_("Organisation retenue"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    sharing = forms.ChoiceField(label=_("Partage de la mission"), required=False, choices=PlanRow.Sharing.choices)
    sharing_detail = forms.CharField(
        label=_("Précisions sur le partage"),
        required=False,
        max_length=300,
        help_text=_("Par exemple : lundi et mardi pour l'un, jeudi et vendredi pour l'autre."),
    )

    def __init__(self, *args, mission: Mission, row: PlanRow | None, choices, **kwargs):
        super().__init__(*args, **kwargs)
        self.mission = mission
        self.row = row
        self.has_service = mission.kind == Mission.Kind.PER_SERVICE
        self.fields["holders"].choices = choices
        self.fields["holders"].widget.options = choices.options
        self.holders_hint = holders_hint(mission)
        # The group of checkboxes is described by the hint, the current selection in words, then the row's rule
        # messages (the row template writes the group; _collectivity_state adds the authorization's note).
        self.holders_describedby = f"{self.prefix}-holders-hint {self.prefix}-selection {self.prefix}-messages"
        if mission.kind == Mission.Kind.PER_SERVICE:
            self.fields = {
                "service_name": forms.CharField(
                    label=_("Service pédagogique"),
                    required=False,
                    max_length=100,
                    help_text=_(
                        "Par exemple : BRNE, Pearltrees. Videz le nom et les responsables pour retirer la ligne."
                    ),
                ),
                **self.fields,
            }
            self.fields["service_name"].widget.attrs["class"] = "fr-input"

    @property
    def key(self) -> str:
        return self.prefix

    @property
    def summary_label(self) -> str:
        """The row's name in the summary of errors at the top of the page."""
        if self.row and self.row.service_name:
            return f"{self.mission.label} — {self.row.service_name}"
        return str(self.mission.label)

    @property
    def selected_names(self) -> list[str]:
        """The chosen people as the page shows them under the list ("DUPONT Alice")."""
        chosen = {str(value) for value in self["holders"].value() or []}
        return [label for value, label in self.fields["holders"].choices if value in chosen]

    def to_input(self) -> RowInput:
        data = self.cleaned_data
        return RowInput(
            mission_code=self.mission.code,
            row_id=self.row.pk if self.row else None,
            service_name=data.get("service_name", ""),
            organisation=data["organisation"],
            sharing=data["sharing"],
            sharing_detail=data["sharing_detail"],
            holder_ids={int(pk) for pk in data["holders"]},
        )


def row_initial(row: PlanRow) -> dict:
    return {
        "holders": [str(h.pk) for h in row.holders.all()],
        "organisation": row.organisation,
        "sharing": row.sharing,
        "sharing_detail": row.sharing_detail,
        "service_name": row.service_name,
    }


def _collectivity_state(form: RowForm, authorized, sheets) -> RowForm:
    """Rows "selon collectivité": closed (holders disabled) while the collectivité has not authorized the action
    and nobody holds them; the authorized action's procedure sheets otherwise (schools.selectors)."""
    action = form.mission.requires_action
    form.action_blocked = bool(action and authorized is not None and action not in authorized)
    form.procedure_sheets = (sheets or {}).get(action, []) if action and not form.action_blocked else []
    if form.action_blocked:
        form.holders_describedby += f" {form.prefix}-authorization"
        if not (form.row and form.row.holders.all()):
            form.fields["holders"].disabled = True
    return form


def build_row_forms(
    plan, missions: list[Mission], staff: list[Person], data=None, *, authorized=None, sheets=None
) -> list[RowForm]:
    """One form per saved row, plus empty service rows, in catalogue order.

    authorized: the actions the collectivité authorizes (None: not checked); sheets: their procedure sheets.
    """
    choices = staff_choices(staff)
    forms_: list[RowForm] = []
    rows_by_mission: dict[int, list[PlanRow]] = {}
    for row in plan.rows.all():
        rows_by_mission.setdefault(row.mission_id, []).append(row)
    for mission in missions:
        for row in rows_by_mission.get(mission.pk, []):
            form = RowForm(
                data, prefix=f"row-{row.pk}", mission=mission, row=row, choices=choices, initial=row_initial(row)
            )
            forms_.append(_collectivity_state(form, authorized, sheets))
        if mission.kind == Mission.Kind.PER_SERVICE:
            for index in range(1, NEW_SERVICE_ROWS + 1):
                form = RowForm(data, prefix=f"new-{index}", mission=mission, row=None, choices=choices)
                forms_.append(_collectivity_state(form, authorized, sheets))
    return forms_


ROW_FIELDS = ("service_name", "organisation", "sharing", "sharing_detail", "holders")


def row_form_values(form: RowForm) -> dict:
    """A valid row form's values, in the shape of missions.services.plan_row_values."""
    values = {"mission": form.mission.code} | {
        name: form.cleaned_data[name] for name in ROW_FIELDS if name in form.fields
    }
    values["holders"] = sorted(str(pk) for pk in values["holders"])
    return values


def posted_row_forms(plan, row_forms: list[RowForm], missions, staff, data) -> list[RowForm]:
    """The row forms of a posted table, plus one for each row the user had that was removed meanwhile (what
    they typed there is merged too)."""
    stamped = read_stamp(data.get("base"), salt=f"plan:{plan.pk}", version=_int(data.get("version")))
    if stamped is None:
        return row_forms
    known = {form.key for form in row_forms}
    by_code = {mission.code: mission for mission in missions}
    extra, choices = [], None
    for key, values in stamped.values.items():
        mission = by_code.get(values.get("mission"))
        if key not in known and key != PLAN_KEY and mission is not None:
            choices = choices or staff_choices(staff)  # built only when a row was removed meanwhile
            extra.append(RowForm(data, prefix=key, mission=mission, row=None, choices=choices))
    return row_forms + extra


def posted_plan_values(plan, plan_form: PlanForm, row_forms: list[RowForm]) -> dict:
    """What the user posts, as plan values: with a base, only the rows they had (and new service rows they
    filled); the rows someone added since are not theirs to change."""
    data = plan_form.data
    stamped = read_stamp(data.get("base"), salt=f"plan:{plan.pk}", version=plan_form.cleaned_data["version"])
    values = {PLAN_KEY: {"has_tablets": plan_form.cleaned_data["has_tablets"]}}
    for form in row_forms:
        row = row_form_values(form)
        if form.row is None and form.key.startswith("new-"):
            if not (row.get("service_name") or row["holders"]):
                continue
        elif stamped is not None and form.key not in stamped.values:
            continue
        values[form.key] = row
    return values


def _int(value) -> int | None:
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


def rebind_row_forms(row_forms: list[RowForm], merged: dict, plan, missions, staff) -> list[RowForm]:
    """Row forms shown again after a merge that asks the user to choose: each with the merged values, and the
    rows the user kept that were removed meanwhile."""
    known = {form.key for form in row_forms}
    by_code = {mission.code: mission for mission in missions}
    choices = staff_choices(staff)
    forms_ = list(row_forms)
    for key, values in merged.items():
        if key not in known and key != PLAN_KEY and values.get("mission") in by_code:
            forms_.append(RowForm(prefix=key, mission=by_code[values["mission"]], row=None, choices=choices))
    for form in forms_:
        if form.key in merged:
            form.initial = {**form.initial, **{k: v for k, v in merged[form.key].items() if k != "mission"}}
    return forms_
