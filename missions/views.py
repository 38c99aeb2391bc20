"""The allocation table: thin views over the access layer, services and selectors."""

from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from events.selectors import staff_training_events
from missions.forms import PlanForm, build_row_forms, posted_plan_values, posted_row_forms, rebind_row_forms
from missions.models import PLAN_TRANSITIONS, Mission
from missions.selectors import check_inputs, plan_for, plan_view
from missions.services import (
    PLAN_KEY,
    plan_get_or_create,
    plan_inputs,
    plan_reopen,
    plan_rollover,
    plan_rollover_source,
    plan_save_merged,
    plan_submit,
    plan_values,
)
from rupn.lib.concurrency import VersionConflict, conflict_view, stamp
from rupn.lib.errors import DomainError
from schools.access import Perm, SchoolPage, school_page
from schools.selectors import procedure_sheets_for_rows


def _breadcrumb(school, school_year) -> dict:
    return {
        "links": [{"url": reverse("schools:detail", args=[school.uai]), "title": school.name}],
        "current": _("Répartition des missions %(year)s") % {"year": school_year.name},
    }


def _attach_messages(row_forms, check) -> None:
    """Each row's rule messages and its status (blocking, warning, ok), as the templates show them."""
    for form in row_forms:
        form.rule_messages = check.row_messages.get(form.key, [])
        form.rule_status = (
            "blocking"
            if any(m.is_blocking for m in form.rule_messages)
            else ("warning" if form.rule_messages else "ok")
        )


def _row_groups(row_forms, missions: list[Mission], check):
    """Rows grouped as in the seed (top-level missions, then "Gérer les outils"), with their messages."""
    groups = []
    forms_by_mission: dict[int, list] = {}
    _attach_messages(row_forms, check)
    for form in row_forms:
        forms_by_mission.setdefault(form.mission.pk, []).append(form)
    for mission in missions:
        if mission.parent_id:
            continue
        children = [m for m in missions if m.parent_id == mission.pk]
        groups.append(
            {
                "mission": mission,
                "forms": forms_by_mission.get(mission.pk, []),
                "children": [{"mission": child, "forms": forms_by_mission.get(child.pk, [])} for child in children],
            }
        )
    return groups


def _forms_valid(plan_form, row_forms) -> bool:
    return all([plan_form.is_valid(), *[form.is_valid() for form in row_forms]])


def _allocation_post(request, context, plan, view, sheets, people):
    """Save the posted table merged onto the current version (and submit when asked); on refusal, the page again."""
    status = 200
    plan_form = PlanForm(request.POST)
    row_forms = build_row_forms(
        plan, view.missions, view.staff, data=request.POST, authorized=view.authorized, sheets=sheets
    )
    row_forms = posted_row_forms(plan, row_forms, view.missions, view.staff, request.POST)
    inputs = None
    if _forms_valid(plan_form, row_forms):
        try:
            plan = plan_save_merged(
                plan=plan,
                token=plan_form.cleaned_data["base"],
                version=plan_form.cleaned_data["version"],
                mine=posted_plan_values(plan, plan_form, row_forms),
                choices=request.POST,
                by=request.user,
            )
        except VersionConflict as error:
            plan_form, row_forms, inputs, context["conflict"] = _rebind(error, plan, view, sheets, request.POST)
            status = 409
        except DomainError as error:
            context["error"] = error
            status = 400
        else:
            return _after_save(request, plan)
    else:
        status = 400
    check = _typed_check(plan_form, row_forms, view, inputs)
    context["training"] = [people[pk] for pk in check.training_ids if pk in people]
    return _allocation_table(request, context | {"check": check}, plan_form, row_forms, view, status=status)


def _typed_check(plan_form, row_forms, view, inputs=None):
    """The rules on what was typed (the valid rows, or the merged rows after a clash), as the page shows them."""
    if inputs is None:
        inputs = [(form.key, form.to_input()) for form in row_forms if form.is_valid()]
    has_tablets = bool(plan_form.is_valid() and plan_form.cleaned_data["has_tablets"])
    if not plan_form.is_bound:
        has_tablets = bool(plan_form.initial.get("has_tablets"))
    return check_inputs(
        inputs, missions=view.missions, staff=view.staff, authorized=view.authorized, has_tablets=has_tablets
    )


def _allocation_table(request, context, plan_form, row_forms, view, *, status=200):
    groups = _row_groups(row_forms, view.missions, context["check"])
    context = context | {"plan_form": plan_form, "row_forms": row_forms, "groups": groups}
    return render(request, "missions/allocation.html", context, status=status)


def _allocation_context(page, plan) -> dict:
    school, school_year = page.school, page.school_year
    return {
        "school": school,
        "school_year": school_year,
        "can_edit": page.can(Perm.EDIT_PLAN),
        "plan": plan,
        "title": _("Répartition des missions – %(school)s – %(year)s")
        % {"school": school.name, "year": school_year.name},
        "conflict": "",
        "error": None,
        "rollover_source": None,
        "plan_can": plan.abilities(page.perms) if plan else dict.fromkeys(PLAN_TRANSITIONS, False),
        "breadcrumb_data": _breadcrumb(school, school_year),
    }


@require_http_methods(["GET", "POST"])
@school_page(Perm.VIEW_PLAN, post=Perm.EDIT_PLAN)
def allocation(request, page: SchoolPage):
    """The year's allocation table: the principal fills it in, others read it. A year without a plan offers to copy
    last year's or to start empty, each by a POST: opening the page creates nothing."""
    school, school_year = page.school, page.school_year
    can_edit = page.can(Perm.EDIT_PLAN)
    if request.method == "POST" and request.POST.get("start") == "empty":
        return _start_empty(request, school, school_year)
    plan = plan_for(school, school_year)
    context = _allocation_context(page, plan)
    if plan is None:
        return _empty_year(request, context, can_edit)
    if can_edit and plan.untouched and plan.earlier_start_year is not None:
        # "started empty by mistake": last year's copy may still replace it
        context["rollover_source"] = f"{plan.earlier_start_year}-{plan.earlier_start_year + 1}"
    view = plan_view(plan)
    sheets = procedure_sheets_for_rows(school, school_year, view.missions, view.authorized)
    people = {p.pk: p for p in view.staff}
    context["view"] = view
    context["training"] = [people[pk] for pk in view.check.training_ids if pk in people]
    context["training_events"] = staff_training_events(view.staff, school_year)
    context["check"] = view.check
    if not can_edit or (request.method == "GET" and not context["plan_can"]["edit"]):
        # a submitted plan reads as the CA sees it; "Modifier le plan soumis" (plan_reopen) makes it editable
        rows = _readonly_rows(plan, view.missions, view.authorized, sheets, request.user)
        context["groups"] = _row_groups(rows, view.missions, view.check)
        return render(request, "missions/allocation_readonly.html", context)
    if request.method == "POST":
        return _allocation_post(request, context, plan, view, sheets, people)
    plan_form = PlanForm(initial=_stamped(plan))
    row_forms = build_row_forms(plan, view.missions, view.staff, authorized=view.authorized, sheets=sheets)
    return _allocation_table(request, context, plan_form, row_forms, view)


def _start_empty(request, school, school_year):
    """Start empty ("Partir d'un tableau vide"): the year's plan created with the catalogue's rows (or the one just started)."""
    plan_get_or_create(school=school, school_year=school_year, by=request.user)
    messages.success(request, _("Le tableau %(year)s est commencé, vide.") % {"year": school_year.name})
    return redirect("missions:allocation", uai=school.uai, year=school_year.name)


def _empty_year(request, context, can_edit):
    """A year without a plan: looking creates nothing. The principal chooses, by a POST, how to start it."""
    if request.method == "POST":  # a table posted for a plan that does not exist (any more): start again
        messages.error(request, _("Aucun plan n'est commencé pour cette année : rien n'a été enregistré."))
        return redirect(request.path)
    if not can_edit:
        return render(request, "missions/allocation_empty.html", context)
    school, school_year = context["school"], context["school_year"]
    source = plan_rollover_source(school=school, school_year=school_year)
    context["source"] = plan_for(school, source.school_year) if source else None
    return render(request, "missions/plan_start.html", context)


def _stamped(plan) -> dict:
    """The plan form's initial: its version and base (the values the table is shown with)."""
    values = plan_values(plan)
    token = stamp(salt=f"plan:{plan.pk}", version=plan.version, values=values)
    return {"version": plan.version, "has_tablets": plan.has_tablets, "base": token}


def _rebind(error: VersionConflict, plan, view, sheets, data):
    """The table shown again after a save that someone else's came before (rupn.lib.concurrency).

    Clashes: the merged values on the current version, the clashes to settle. Refused (no base): what was typed.
    """
    token = stamp(salt=f"plan:{plan.pk}", version=error.version, values=error.theirs, clashes=error.clashes)
    fresh = plan_for(plan.school, plan.school_year)
    if error.merged is None:
        posted = data.copy()
        posted["version"], posted["base"] = str(error.version), token
        plan_form = PlanForm(posted)
        plan_form.is_valid()
        row_forms = build_row_forms(
            fresh, view.missions, view.staff, data=posted, authorized=view.authorized, sheets=sheets
        )
        inputs = None
    else:
        merged = error.merged
        has_tablets = merged.get(PLAN_KEY, {}).get("has_tablets", fresh.has_tablets)
        plan_form = PlanForm(initial={"version": error.version, "has_tablets": has_tablets, "base": token})
        row_forms = build_row_forms(fresh, view.missions, view.staff, authorized=view.authorized, sheets=sheets)
        row_forms = rebind_row_forms(row_forms, merged, fresh, view.missions, view.staff)
        existing = {row.pk for row in fresh.rows.all()}
        inputs = plan_inputs(merged, existing_ids=existing)[1]
    by_key = {form.key: form for form in row_forms}
    conflict = conflict_view(
        error,
        lambda key: (
            (plan_form, "")
            if key == PLAN_KEY
            else (by_key.get(key), by_key[key].summary_label if key in by_key else "")
        ),
    )
    return plan_form, row_forms, inputs, conflict


def _after_save(request, plan):
    """After a saved draft: submit if asked; a refused submission keeps the draft and says why."""
    if "submit" not in request.POST:
        messages.success(request, _("Le brouillon est enregistré."))
        return redirect(request.path)
    try:
        plan_submit(plan=plan, by=request.user)
    except DomainError as error:
        messages.warning(request, _("Le brouillon est enregistré.") + " " + error.message)
        for text in error.messages:
            messages.error(request, text)
    else:
        messages.success(request, _("Le plan a été soumis au conseil d'administration."))
    return redirect(request.path)


def _readonly_rows(plan, missions, authorized, sheets, user):
    """Rows of a saved plan in the shape of the forms (mission, row, key) for the read-only table.

    A row "selon collectivité" says whether it is authorized; its procedure sheets show to the people holding it.
    """

    class Row:
        def __init__(self, row, mission):
            self.row, self.mission, self.key = row, mission, f"row-{row.pk}"
            action = mission.requires_action
            self.action_blocked = bool(action and action not in authorized)
            holds = any(h.user_id == user.pk for h in row.holders.all())
            self.procedure_sheets = sheets.get(action, []) if action and holds and not self.action_blocked else []

    by_id = {m.pk: m for m in missions}
    return [Row(row, by_id[row.mission_id]) for row in plan.rows.all()]


@require_POST
@school_page(Perm.EDIT_PLAN)
def allocation_check(request, page: SchoolPage):
    """The rules part of the table for what the principal is typing, as HTML the page swaps in (the messages are
    rendered here only, by the same templates as the page's); it saves nothing."""
    plan = plan_for(page.school, page.school_year)
    if plan is None:
        raise Http404
    view = plan_view(plan)
    plan_form = PlanForm(request.POST)
    row_forms = build_row_forms(plan, view.missions, view.staff, data=request.POST, authorized=view.authorized)
    check = _typed_check(plan_form, row_forms, view)
    _attach_messages(row_forms, check)
    people = {p.pk: p for p in view.staff}
    context = {
        "row_forms": row_forms,
        "check": check,
        "training": [people[pk] for pk in check.training_ids if pk in people],
    }
    return render(request, "missions/_allocation_rules.html", context)


@require_http_methods(["GET", "POST"])
@school_page(Perm.EDIT_PLAN)
def rollover(request, page: SchoolPage):
    """The rentrée copy, on the principal's demand: confirm, then create the year's draft from the last plan."""
    school, school_year = page.school, page.school_year
    existing = plan_for(school, school_year)
    source = plan_rollover_source(school=school, school_year=school_year)
    if request.method == "POST":
        try:
            plan_rollover(school=school, school_year=school_year, by=request.user)
        except DomainError as error:
            messages.error(request, error.message)
            return redirect("schools:detail", uai=school.uai)
        messages.success(
            request,
            _("Le brouillon %(year)s reprend le plan %(source)s. Les lignes à compléter sont signalées.")
            % {"year": school_year.name, "source": source.school_year.name},
        )
        return redirect("missions:allocation", uai=school.uai, year=school_year.name)
    replaceable = existing is None or existing.untouched
    source_plan = plan_for(school, source.school_year) if source and replaceable else None
    return render(
        request,
        "missions/rollover.html",
        {
            "school": school,
            "school_year": school_year,
            "existing": existing,
            "replaces_empty": existing is not None and existing.untouched,
            "source": source_plan,
            "title": _("Reprendre le plan de l'an dernier — %(school)s") % {"school": school.name},
            "breadcrumb_data": {
                "links": [{"url": reverse("schools:detail", args=[school.uai]), "title": school.name}],
                "current": _("Reprendre le plan pour %(year)s") % {"year": school_year.name},
            },
        },
    )


@require_http_methods(["GET", "POST"])
@school_page(Perm.EDIT_PLAN)
def reopen(request, page: SchoolPage):
    """Reopen ("Modifier le plan soumis"): say what happens (a draft again, to be seen by the CA again), then reopen it."""
    school, school_year = page.school, page.school_year
    plan = plan_for(school, school_year)
    if plan is None:
        raise Http404
    allocation_url = reverse("missions:allocation", args=[school.uai, school_year.name])
    if request.method == "POST":
        try:
            plan_reopen(plan=plan, by=request.user)
        except DomainError as error:
            messages.error(request, error.message)
        else:
            messages.success(
                request,
                _("Le plan est de nouveau un brouillon : soumettez-le au conseil d'administration une fois modifié."),
            )
        return redirect(allocation_url)
    context = _allocation_context(page, plan) | {
        "title": _("Modifier le plan soumis — %(school)s") % {"school": school.name},
    }
    context["submitted"] = context["plan_can"]["reopen"]  # a draft: nothing to reopen, the page says so
    context["plan_can"] = context["plan_can"] | {"reopen": False}  # this page is the reopening: no link to itself
    return render(request, "missions/plan_reopen.html", context)
