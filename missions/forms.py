"""Forms of the allocation table: one small form per row, built from the plan and the staff."""

from django import forms
from django.utils.translation import gettext_lazy as _
from dsfr.forms import DsfrBaseForm

from missions.models import Mission, PlanRow
from missions.services import PLAN_KEY, RowInput
from rupn.lib.concurrency import BaseField, read_stamp
from rupn.lib.forms import VersionField
from schools.models import Person

NEW_SERVICE_ROWS = 2


def staff_choices(staff: list[Person]) -> list[tuple[str, str]]:
    choices = []
    for person in staff:
        label = f"{person.last_name.upper()} {person.first_name} — {person.get_status_display()}"
        if person.leaving:
            label += " " + str(_("(quitte l'établissement en fin d'année)"))
        if not person.is_active:
            label += " " + str(_("(n'est plus en poste)"))
        choices.append((str(person.pk), label))
    return choices


class PlanForm(DsfrBaseForm):
    version = VersionField()
    base = BaseField()  # the values the table was shown with (rupn.lib.concurrency)
    has_tablets = forms.BooleanField(
        label=_("L'établissement a des tablettes à administrer"),
        required=False,
        help_text=_("La ligne « Administrer les tablettes » demande alors au moins un référent."),
    )


class RowForm(DsfrBaseForm):
    holders = forms.MultipleChoiceField(
        label=_("Responsable(s)"),
        required=False,
        widget=forms.SelectMultiple(attrs={"size": 6}),
        help_text=_(
            "Une ou plusieurs personnes. Au clavier : les flèches choisissent une personne, Maj + flèches en "
            "ajoutent d'autres qui se suivent, Ctrl + flèches puis Ctrl + Espace en ajoutent une ailleurs dans "
            "la liste. À la souris : Ctrl (ou Cmd) + clic."
        ),
    )
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
        # The hint, the current selection in words, then the row's rule messages.
        self.fields["holders"].widget.attrs["aria-describedby"] = (
            f"{self['holders'].auto_id}_helptext {self.prefix}-selection {self.prefix}-messages"
        )
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
        """The chosen people as the page shows them under the list: the option text before its " — "."""
        chosen = {str(value) for value in self["holders"].value() or []}
        return [label.split(" — ")[0] for value, label in self.fields["holders"].choices if value in chosen]

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
        form.fields["holders"].widget.attrs["aria-describedby"] += f" {form.prefix}-authorization"
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
    choices = staff_choices(staff)
    extra = []
    for key, values in stamped.values.items():
        mission = by_code.get(values.get("mission"))
        if key not in known and key != PLAN_KEY and mission is not None:
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
