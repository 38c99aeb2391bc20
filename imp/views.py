"""IMP pages: thin views over the access layer, the services and the selectors."""

from functools import partial
from urllib.parse import urlencode

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods

from imp import selectors, services
from imp.forms import (
    AwardForm,
    DeclineForm,
    EnvelopeForm,
    EnvelopeImportForm,
    LeaveForm,
    OpinionForm,
    QueueFilterForm,
    ReductionForm,
    RejectForm,
    ReplacementForm,
    ServiceDoneForm,
    YearForm,
)
from imp.models import BoardOpinion, ImpAward
from missions.selectors import school_staff
from rupn.lib import csvfiles, xlsxfiles
from rupn.lib.concurrency import Current, VersionConflict, current_of, rebind, save_form_merged, stamp_form
from rupn.lib.csvfiles import CsvFileError
from rupn.lib.errors import ConflictError, DomainError
from rupn.lib.formats import month_name, of, to
from rupn.lib.forms import object_id
from rupn.lib.pagination import query_without_page
from schools.access import Perm, SchoolPage, object_or_404, require_academie_perm, school_page
from schools.models import Departement, School, SchoolYear

QUEUE_PAGE_SIZE = 50
ENVELOPES_PAGE_SIZE = 50


def _school_links(school, school_year) -> list[dict]:
    return [
        {"url": reverse("schools:detail", args=[school.uai]), "title": school.name},
        {
            "url": reverse("imp:school", args=[school.uai, school_year.name]),
            "title": _("IMP %(year)s") % {"year": school_year.name},
        },
    ]


def _nearby_years(school_year: SchoolYear) -> list[SchoolYear]:
    current, next_year = SchoolYear.current(), SchoolYear.next()
    years = {current.start_year: current, next_year.start_year: next_year, school_year.start_year: school_year}
    return [years[key] for key in sorted(years)]


def _award_form(data, *, rates, staff, named, initial=None, prefix="award"):
    return AwardForm(
        data, staff=staff, named_ids=named, amounts=[r.amount for r in rates], initial=initial, prefix=prefix
    )


# --- the school's IMP page ----------------------------------------------------------------------------------------


def _school_imp_forms(action: str, data, *, rates, staff, named, opinions) -> dict:
    """The page's forms by action name; only the posted one is bound."""

    def bound(name):
        return data if action == name else None

    forms = {"award": _award_form(bound("award"), rates=rates, staff=staff, named=named)}
    for body in (BoardOpinion.Body.CP, BoardOpinion.Body.CA):
        forms[f"opinion-{body}"] = OpinionForm(
            bound(f"opinion-{body}"), prefix=body, initial=OpinionForm.initial_for(opinions.get(body))
        )
    forms["reduction"] = ReductionForm(bound("reduction"), staff=staff, named_ids=named, prefix="reduction")
    return forms


def _post_award(request, page, form, _action) -> str:
    propose = "propose" in request.POST
    award = services.award_prepare(
        school=page.school, school_year=page.school_year, propose=propose, by=request.user, **form.values
    )
    text = (
        _("L'IMP %(of_name)s est proposée : elle attend son accord.")
        if propose
        else _("L'IMP %(of_name)s est enregistrée en brouillon.")
    )
    return text % {"of_name": of(award.person.full_name)}


def _post_opinion(request, page, form, action) -> str:
    opinion = services.opinion_record(
        school=page.school, school_year=page.school_year, body=action[8:], by=request.user, **form.cleaned_data
    )
    return _("L'avis du %(body)s est enregistré.") % {"body": opinion.get_body_display().lower()}


def _post_reduction(request, page, form, _action) -> str:
    reduction = services.reduction_create(
        school=page.school,
        school_year=page.school_year,
        person=form.staff[int(form.cleaned_data["person"])],
        hours=form.cleaned_data["hours"],
        by=request.user,
    )
    return _("L'allègement de service %(of_name)s est enregistré.") % {"of_name": of(reduction.person.full_name)}


SCHOOL_IMP_ACTIONS = {
    "award": _post_award,
    "opinion-cp": _post_opinion,
    "opinion-ca": _post_opinion,
    "reduction": _post_reduction,
}


@never_cache  # personal data: never kept by a browser or a proxy (Cache-Control: no-store)
@require_http_methods(["GET", "POST"])
@school_page(Perm.VIEW_IMP, post=Perm.MANAGE_IMP)
def school_imp(request, page: SchoolPage):
    """The school's IMP of the year; each form posts its action (the submit's "action" value) here."""
    can_manage = page.can(Perm.MANAGE_IMP)
    data = selectors.school_imp(page.school, page.school_year)
    named = selectors.plan_holder_ids(page.school, page.school_year) if can_manage else set()
    staff = school_staff(page.school) if can_manage else []
    action = request.POST.get("action", "") if request.method == "POST" else ""
    forms = _school_imp_forms(
        action, request.POST if action else None, rates=data.rates, staff=staff, named=named, opinions=data.opinions
    )
    error: DomainError | None = None
    if action in SCHOOL_IMP_ACTIONS and forms[action].is_valid():
        try:
            messages.success(request, SCHOOL_IMP_ACTIONS[action](request, page, forms[action], action))
        except DomainError as exc:
            error = exc
        else:
            return redirect(request.path)
    context = _school_imp_context(page, data, forms, staff, named) | {"error": error, "action": action}
    return render(request, "imp/school_imp.html", context, status=400 if action else 200)


def _school_imp_context(page, data, forms, staff, named) -> dict:
    school, school_year = page.school, page.school_year
    live_ids = {a.person_id for a in data.live_awards}
    return {
        "school": school,
        "school_year": school_year,
        "years": _nearby_years(school_year),
        "data": data,
        "can_manage": page.can(Perm.MANAGE_IMP),
        "award_form": forms["award"],
        "opinion_forms": {body: forms[f"opinion-{body}"] for body in (BoardOpinion.Body.CP, BoardOpinion.Body.CA)},
        "reduction_form": forms["reduction"],
        "without_award": [p for p in staff if p.pk in named and p.pk not in live_ids],
        "title": _("IMP %(year)s — %(school)s") % {"year": school_year.name, "school": school.name},
        "breadcrumb_data": {
            "links": _school_links(school, school_year)[:1],
            "current": _("IMP %(year)s") % {"year": school_year.name},
        },
    }


# --- one award ----------------------------------------------------------------------------------------------------


def _update(request, award, forms) -> str:
    form = forms["update"]
    save_form_merged(
        form,
        salt=f"award:{award.pk}",
        names=AWARD_FIELDS,
        load=lambda: _award_current(form, award.pk),
        save=lambda version: services.award_update(
            award=award, expected_version=version, by=request.user, **form.values
        ),
    )
    return _("Les modifications sont enregistrées.")


def _propose(request, award, _forms) -> str:
    services.award_propose(award=award, by=request.user)
    return _("L'IMP est proposée %(to_name)s : elle attend son accord.") % {"to_name": to(award.person.full_name)}


AWARD_FIELDS = ("person", "amount", "period", "start_date", "end_date")


def _award_current(form, pk: int) -> Current:
    award = ImpAward.objects.select_related("rate").get(pk=pk)
    who, when = services.award_saved_by(award)
    initial = AwardForm.initial_for(award)
    return current_of(form, version=award.version, initial=initial, names=AWARD_FIELDS, who=who, when=when)


def _withdraw(request, award, _forms) -> str:
    services.award_withdraw(award=award, by=request.user)
    return _("L'IMP est retirée : elle ne compte plus dans l'enveloppe.")


def _service_done(request, award, forms) -> str:
    data = forms["service_done"].cleaned_data
    services.award_declare_service_done(
        award=award, done_on=data["done_on"], ended_on=data["ended_on"], by=request.user
    )
    return _("Le service fait est déclaré.")


def _leave(request, award, forms) -> str:
    services.leave_add(award=award, by=request.user, **forms["leave"].cleaned_data)
    return _("Le congé est enregistré.")


def _replacement(request, award, forms) -> str:
    data = dict(forms["replacement"].cleaned_data)
    data["person"] = forms["replacement"].staff[int(data["person"])]
    services.replacement_add(award=award, by=request.user, **data)
    return _("Le remplacement est enregistré.")


def _leave_remove(request, award, _forms) -> str:
    leave = get_object_or_404(award.leaves.all(), pk=object_id(request.POST.get("leave")))
    services.leave_remove(leave=leave, by=request.user)
    return _("Le congé est supprimé.")


def _replacement_remove(request, award, _forms) -> str:
    replacement = get_object_or_404(award.replacements.all(), pk=object_id(request.POST.get("replacement")))
    services.replacement_remove(replacement=replacement, by=request.user)
    return _("Le remplacement est supprimé.")


# The principal's actions on an award, by the posted "action": each runs one service and says what it did.
AWARD_ACTIONS = {
    "update": _update,
    "propose": _propose,
    "withdraw": _withdraw,
    "service_done": _service_done,
    "leave": _leave,
    "replacement": _replacement,
    "leave_remove": _leave_remove,
    "replacement_remove": _replacement_remove,
}
FORM_ACTIONS = ("update", "service_done", "leave", "replacement")


def _award_forms(action: str, data, *, award, staff, rates) -> dict:
    """The award page's forms by action name; only the posted one is bound."""

    def bound(name):
        return data if action == name else None

    return {
        "update": _award_form(
            bound("update"),
            rates=rates,
            staff=staff,
            named=set(),
            initial=AwardForm.initial_for(award),
            prefix="update",
        ),
        "service_done": ServiceDoneForm(bound("service_done"), prefix="done"),
        "leave": LeaveForm(bound("leave"), prefix="leave"),
        "replacement": ReplacementForm(
            bound("replacement"), staff=[p for p in staff if p.pk != award.person_id], prefix="replacement"
        ),
    }


def _award_post(request, award, action: str, forms, rebind_update) -> tuple[DomainError | None, str, int]:
    """Run the posted action: (None, "", 302) when done (its message queued), else (error, conflict, status)."""
    if action not in AWARD_ACTIONS:
        raise Http404
    if action in FORM_ACTIONS and not forms[action].is_valid():
        return None, "", 400
    try:
        messages.success(request, AWARD_ACTIONS[action](request, award, forms))
    except VersionConflict as exc:
        if action == "update":  # the edit form merges: a same-field clash asks
            forms["update"], conflict = rebind_update(exc)
            return None, conflict, 409
        return exc, "", 409
    except ConflictError as exc:
        return exc, "", 409
    except DomainError as exc:
        return exc, "", 400
    return None, "", 302


@never_cache  # personal data: never kept by a browser or a proxy (Cache-Control: no-store)
@require_http_methods(["GET", "POST"])
@school_page(Perm.VIEW_IMP, post=Perm.MANAGE_IMP)
def award_page(request, page: SchoolPage, pk: int):
    """One award: its schedule and history; the principal changes it and follows it here."""
    award = object_or_404(
        selectors.award_details(page.school, page.school_year),
        _("Aucune IMP de cet établissement ne porte ce numéro."),
        pk=pk,
    )
    can_manage = page.can(Perm.MANAGE_IMP)
    staff = school_staff(page.school, include_ids={award.person_id}) if can_manage else []
    rates = services.legal_rates(page.school_year) if can_manage else []
    action = request.POST.get("action", "") if request.method == "POST" else ""
    forms = _award_forms(action, request.POST if action else None, award=award, staff=staff, rates=rates)
    if not action and can_manage:
        stamp_form(forms["update"], salt=f"award:{award.pk}", version=award.version, names=AWARD_FIELDS)
    factory = partial(_award_form, rates=rates, staff=staff, named=set())
    rebind_update = partial(rebind, factory, data=request.POST, salt=f"award:{award.pk}", prefix="update")
    error, conflict, status = _award_post(request, award, action, forms, rebind_update) if action else (None, "", 200)
    if status == 302:
        return redirect(request.path)
    context = _award_context(request, page, award, forms) | {"action": action, "error": error, "conflict": conflict}
    return render(request, "imp/award.html", context, status=status)


def _award_context(request, page, award, forms) -> dict:
    school, school_year = page.school, page.school_year
    return {
        "school": school,
        "school_year": school_year,
        "award": award,
        "schedule": selectors.schedule_of([award]) if award.is_payable else None,
        "can_manage": page.can(Perm.MANAGE_IMP),
        "can": award.abilities(request.user, perms=page.perms),
        "update_form": forms["update"],
        "done_form": forms["service_done"],
        "leave_form": forms["leave"],
        "replacement_form": forms["replacement"],
        "title": _("IMP de %(name)s — %(year)s") % {"name": award.person.full_name, "year": school_year.name},
        "breadcrumb_data": {"links": _school_links(school, school_year), "current": award.person.full_name},
    }


# --- payment schedules --------------------------------------------------------------------------------------------

CSV_HEADER = ["uai", "nom", "prenom", "mission", "mois", "montant"]


def _csv_response(filename: str, rows: list[list]) -> HttpResponse:
    # Names and missions are typed by people: csvfiles writes them as text, never as formulas.
    return csvfiles.csv_response(filename, CSV_HEADER, rows)


@never_cache  # personal data: never kept by a browser or a proxy (Cache-Control: no-store)
@require_GET
@school_page(Perm.VIEW_IMP)
def schedule_page(request, page: SchoolPage):
    school, school_year = page.school, page.school_year
    schedule = selectors.school_schedule(school, school_year)
    return render(
        request,
        "imp/schedule.html",
        {
            "school": school,
            "school_year": school_year,
            "schedule": schedule,
            "title": _("Échéancier des IMP %(year)s — %(school)s") % {"year": school_year.name, "school": school.name},
            "breadcrumb_data": {"links": _school_links(school, school_year), "current": _("Échéancier")},
        },
    )


@never_cache  # personal data: never kept by a browser or a proxy (Cache-Control: no-store)
@require_GET
@school_page(Perm.VIEW_IMP)
def schedule_csv(request, page: SchoolPage):
    school, school_year = page.school, page.school_year
    rows = selectors.csv_rows(selectors.school_schedule(school, school_year))
    return _csv_response(f"echeancier-imp-{school.uai}-{school_year.name}.csv", rows)


# --- the rectorat: payroll -------------------------------------------------------------------------------------

PAYROLL_HEADER = [
    "uai",
    "établissement",
    "nom",
    "prénom",
    "mission",
    "taux annuel (€)",
    "mois",
    "mois (libellé)",
    "montant (€)",
    "remplacement",
]
PAYROLL_MONEY_COLUMNS = (5, 8)


def _payroll(request):
    """The rectorat's académies, the year asked (?annee=2026-2027, the current one by default) and its lines."""
    academie_ids = require_academie_perm(request.user, Perm.VALIDATE_IMP)
    name = request.GET.get("annee", "")
    if name:
        start_year = SchoolYear.parse_name(name)
        school_year = SchoolYear.objects.filter(start_year=start_year).first() if start_year else None
        if school_year is None:
            raise Http404(_("Année scolaire inconnue."))
    else:
        school_year = SchoolYear.current()
    rows = [
        [
            line.uai,
            line.school,
            line.last_name,
            line.first_name,
            line.mission,
            line.rate,
            line.month.strftime("%Y-%m"),
            month_name(line.month),
            line.amount,
            line.as_replacement,
        ]
        for line in selectors.payroll_lines(academie_ids, school_year)
    ]
    return school_year, rows


@never_cache  # personal data: never kept by a browser or a proxy (Cache-Control: no-store)
@require_GET
def payroll_csv(request):
    school_year, rows = _payroll(request)
    return csvfiles.csv_response(f"imp-paie-{school_year.name}.csv", PAYROLL_HEADER, rows)


@never_cache  # personal data: never kept by a browser or a proxy (Cache-Control: no-store)
@require_GET
def payroll_xlsx(request):
    school_year, rows = _payroll(request)
    return xlsxfiles.xlsx_response(
        f"imp-paie-{school_year.name}.xlsx",
        _("IMP %(year)s") % {"year": school_year.name},
        PAYROLL_HEADER,
        rows,
        money_columns=PAYROLL_MONEY_COLUMNS,
    )


# --- the referent's own awards ------------------------------------------------------------------------------------


def _accept(request, award, version: int, _form) -> str:
    services.award_accept(award=award, expected_version=version, by=request.user)
    return _("Vous avez accepté l'IMP : le rectorat la validera après l'avis du conseil d'administration.")


def _decline(request, award, version: int, form) -> str:
    if not form.is_valid():
        raise Http404
    services.award_decline(award=award, expected_version=version, reason=form.cleaned_data["reason"], by=request.user)
    return _("Vous avez refusé l'IMP. Le chef d'établissement en est informé sur sa page.")


MY_AWARD_ACTIONS = {"accept": _accept, "decline": _decline}


def _my_award_post(request) -> None:
    """The holder's answer to a proposed award (the submit's "action": accept or decline)."""
    award = get_object_or_404(
        ImpAward.objects.filter(person__user=request.user).select_related("person"),
        pk=object_id(request.POST.get("award")),
    )
    answer = MY_AWARD_ACTIONS.get(request.POST.get("action"))
    if answer is None:
        raise Http404
    form = DeclineForm(request.POST, prefix=f"decline-{award.pk}")
    try:
        messages.success(request, answer(request, award, object_id(request.POST.get("version")) or 0, form))
    except DomainError as exc:
        messages.error(request, exc.message)


@never_cache  # personal data: never kept by a browser or a proxy (Cache-Control: no-store)
@require_http_methods(["GET", "POST"])
def my_awards(request):
    if request.method == "POST":
        _my_award_post(request)
        return redirect("imp:mine")
    data = selectors.my_imp(request.user)
    for award in data.awards:
        award.can = award.abilities(request.user)
    return render(
        request,
        "imp/mine.html",
        {
            "data": data,
            "decline_forms": {a.pk: DeclineForm(prefix=f"decline-{a.pk}") for a in data.awards if a.can["decline"]},
            "title": _("Mes IMP"),
            "breadcrumb_data": {"links": [], "current": _("Mes IMP")},
        },
    )


@never_cache  # personal data: never kept by a browser or a proxy (Cache-Control: no-store)
@require_GET
def my_schedule_csv(request):
    return _csv_response("mes-imp-echeancier.csv", selectors.csv_rows(selectors.my_imp(request.user).schedule))


# --- the rectorat: validation queue -------------------------------------------------------------------------------


def _queue_selection(request, academie_ids) -> tuple[str, list[ImpAward]]:
    """The button pressed (validate, reject, pay: one award, or the "_selected" ones ticked) and its awards."""
    scope = selectors.queue(academie_ids, status="all")
    selected = [object_id(v) for v in request.POST.getlist("awards")]
    for name in QUEUE_ACTIONS:
        if name in request.POST:
            return name, [get_object_or_404(scope, pk=object_id(request.POST[name]))]
        if f"{name}_selected" in request.POST:
            return name, list(scope.filter(pk__in=[pk for pk in selected if pk]))
    raise Http404


QUEUE_ACTIONS = {
    "validate": lambda award, reason, by: services.award_validate(award=award, by=by),
    "reject": lambda award, reason, by: services.award_reject(award=award, reason=reason, by=by),
    "pay": lambda award, reason, by: services.award_start_payment(award=award, by=by),
}
QUEUE_DONE = {
    "validate": lambda done: ngettext("%(count)d IMP validée.", "%(count)d IMP validées.", done),
    "reject": lambda done: ngettext("%(count)d IMP rejetée.", "%(count)d IMP rejetées.", done),
    "pay": lambda done: ngettext("%(count)d IMP mise en paiement.", "%(count)d IMP mises en paiement.", done),
}


def _queue_action(request, academie_ids) -> None:
    action, awards = _queue_selection(request, academie_ids)
    reject_form = RejectForm(request.POST, prefix="reject")
    reason = reject_form.cleaned_data["reason"] if reject_form.is_valid() else ""
    if not awards:
        messages.warning(request, _("Cochez au moins une IMP."))
        return
    if action == "reject" and not reason.strip():
        messages.error(request, _("Indiquez le motif du rejet : il est communiqué au chef d'établissement."))
        return
    done, errors = 0, []
    for award in awards:
        try:
            QUEUE_ACTIONS[action](award, reason, request.user)
        except DomainError as exc:
            errors.append(f"{award.school.name} — {award.person.full_name} : {exc.message}")
        else:
            done += 1
    if done:
        messages.success(request, QUEUE_DONE[action](done) % {"count": done})
    for text in errors:
        messages.error(request, text)


@never_cache  # personal data: never kept by a browser or a proxy (Cache-Control: no-store)
@require_http_methods(["GET", "POST"])
def queue_page(request):
    academie_ids = require_academie_perm(request.user, Perm.VALIDATE_IMP)
    if request.method == "POST":
        _queue_action(request, academie_ids)
        return redirect(request.get_full_path())
    years = list(SchoolYear.objects.order_by("-start_year"))
    departements = list(Departement.objects.filter(academie_id__in=list(academie_ids)).order_by("code"))
    filters = QueueFilterForm(request.GET or None, years=years, departements=departements)
    cleaned = filters.cleaned_data if filters.is_valid() else {}
    status = cleaned.get("status") or "ready"
    awards = selectors.queue(
        academie_ids,
        status=status,
        start_year=object_id(cleaned.get("year")),
        departement_id=object_id(cleaned.get("departement")),
        q=(cleaned.get("q") or "").strip(),
    )
    page = Paginator(awards, QUEUE_PAGE_SIZE).get_page(request.GET.get("page"))
    for award in page.object_list:
        award.can = award.abilities(request.user)
    return render(
        request,
        "imp/queue.html",
        {
            "filters": filters,
            "status": status,
            "page": page,
            "query": query_without_page(request),
            "reject_form": RejectForm(prefix="reject"),
            "payroll_years": [y for y in years if y.start_year <= SchoolYear.current().start_year][:2],
            "title": _("IMP à valider"),
            "breadcrumb_data": {"links": [], "current": _("IMP à valider")},
        },
    )


# --- the rectorat: envelopes --------------------------------------------------------------------------------------


def _envelope_year(request, current: SchoolYear) -> tuple[YearForm, SchoolYear]:
    """The year chosen in the form (GET or POST), the current one by default."""
    years = _nearby_years(current)
    source = request.POST if request.method == "POST" else request.GET
    year_form = (
        YearForm(source, years=years)
        if "year" in source
        else YearForm(years=years, initial={"year": str(current.start_year)})
    )
    school_year = next(
        (y for y in years if year_form.is_valid() and str(y.start_year) == year_form.cleaned_data["year"]), current
    )
    return year_form, school_year


def _envelope_set(request, form, academie_ids, school_year) -> bool:
    """Set one school's envelope; False with the form's errors when refused."""
    school = School.objects.filter(
        uai=form.cleaned_data["uai"], departement__academie_id__in=list(academie_ids)
    ).first()
    if school is None:
        form.add_error("uai", _("Aucun établissement de votre académie n'a cet UAI."))
        return False
    try:
        services.envelope_set(
            school=school, school_year=school_year, amount=form.cleaned_data["amount"], by=request.user
        )
    except DomainError as exc:
        form.add_error("amount", exc.message)
        return False
    messages.success(
        request,
        _("L'enveloppe %(year)s de %(school)s est enregistrée.") % {"year": school_year.name, "school": school.name},
    )
    return True


def _envelope_import(request, form, academie_ids, school_year) -> list[str]:
    """Import the CSV file of envelopes; the errors to show (none when imported)."""
    try:
        result = services.envelope_import(
            academie_ids=academie_ids,
            school_year=school_year,
            data=form.cleaned_data["file"].read(1_000_001),
            by=request.user,
        )
    except CsvFileError as exc:
        return [exc.message, *exc.errors]
    except DomainError as exc:
        return [exc.message]
    messages.success(
        request,
        _("Import terminé : %(created)d enveloppe(s) notifiée(s), %(updated)d ajustée(s), %(unchanged)d inchangée(s).")
        % {"created": result.created, "updated": result.updated, "unchanged": result.unchanged},
    )
    return []


@never_cache  # personal data: never kept by a browser or a proxy (Cache-Control: no-store)
@require_http_methods(["GET", "POST"])
def envelopes_page(request):
    """The rectorat's envelopes of a year: set one (action "set"), import a CSV file (action "import"), the list."""
    academie_ids = require_academie_perm(request.user, Perm.MANAGE_ENVELOPES)
    year_form, school_year = _envelope_year(request, SchoolYear.current())
    action = request.POST.get("action", "") if request.method == "POST" else ""
    if action not in ("", "set", "import"):
        raise Http404
    envelope_form = EnvelopeForm(request.POST if action == "set" else None, prefix="envelope")
    files = request.FILES if action == "import" else None
    import_form = EnvelopeImportForm(request.POST if action == "import" else None, files, prefix="import")
    import_errors: list[str] = []
    if (
        action == "set"
        and envelope_form.is_valid()
        and _envelope_set(request, envelope_form, academie_ids, school_year)
    ):
        return redirect(f"{request.path}?year={school_year.start_year}")
    if action == "import" and import_form.is_valid():
        import_errors = _envelope_import(request, import_form, academie_ids, school_year)
        if not import_errors:
            return redirect(f"{request.path}?year={school_year.start_year}")
    forms = {"year_form": year_form, "envelope_form": envelope_form, "import_form": import_form}
    context = _envelopes_context(request, academie_ids, school_year) | forms | {"import_errors": import_errors}
    return render(request, "imp/envelopes.html", context, status=400 if action else 200)


def _envelopes_context(request, academie_ids, school_year) -> dict:
    q = request.GET.get("q", "").strip()
    schools = selectors.envelope_schools(academie_ids, q)
    page = Paginator(schools, ENVELOPES_PAGE_SIZE).get_page(request.GET.get("page"))
    return {
        "school_year": school_year,
        "page": page,
        "rows": selectors.envelope_rows(list(page.object_list), school_year),
        "q": q,
        "query": urlencode({"year": school_year.start_year, "q": q}),
        "title": _("Enveloppes IMP %(year)s") % {"year": school_year.name},
        "breadcrumb_data": {"links": [], "current": _("Enveloppes IMP")},
    }
