"""IMP pages: thin views over the access layer, the services and the selectors."""

from urllib.parse import urlencode

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db import transaction
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
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
from rupn.lib.csvfiles import CsvFileError
from rupn.lib.errors import ConflictError, DomainError
from rupn.lib.formats import month_name, of, to
from rupn.lib.pagination import query_without_page
from schools.access import Perm, get_school_or_404, require_academie_perm, school_perms
from schools.models import Departement, School, SchoolYear
from schools.selectors import school_year_or_404

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
    current = SchoolYear.current()
    next_year, _created = SchoolYear.objects.get_or_create(start_year=current.start_year + 1)
    years = {current.start_year: current, next_year.start_year: next_year, school_year.start_year: school_year}
    return [years[key] for key in sorted(years)]


def _award_form(data, *, rates, staff, named, initial=None, prefix="award"):
    return AwardForm(
        data, staff=staff, named_ids=named, amounts=[r.amount for r in rates], initial=initial, prefix=prefix
    )


# --- the school's IMP page ----------------------------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
def school_imp(request, uai: str, year: str):
    school = get_school_or_404(request.user, uai, perm=Perm.VIEW_IMP)
    school_year = school_year_or_404(year)
    can_manage = Perm.MANAGE_IMP in school_perms(request.user, school)
    if request.method == "POST" and not can_manage:
        raise PermissionDenied
    data = selectors.school_imp(school, school_year)
    named = selectors.plan_holder_ids(school, school_year) if can_manage else set()
    staff = school_staff(school) if can_manage else []
    action = request.POST.get("action", "") if request.method == "POST" else ""
    bound = request.POST if action else None
    award_form = _award_form(bound if action == "award" else None, rates=data.rates, staff=staff, named=named)
    opinion_forms = {
        body: OpinionForm(
            bound if action == f"opinion-{body}" else None,
            prefix=body,
            initial=OpinionForm.initial_for(data.opinions.get(body)),
        )
        for body in (BoardOpinion.Body.CP, BoardOpinion.Body.CA)
    }
    reduction_form = ReductionForm(
        bound if action == "reduction" else None, staff=staff, named_ids=named, prefix="reduction"
    )
    error: DomainError | None = None
    status = 200
    if action == "award" and award_form.is_valid():
        try:
            with transaction.atomic():  # proposed at once, or not created at all
                award = services.award_create(
                    school=school, school_year=school_year, by=request.user, **award_form.values
                )
                if "propose" in request.POST:
                    services.award_propose(award=award, by=request.user)
        except DomainError as exc:
            error = exc
        else:
            text = (
                _("L'IMP %(of_name)s est proposée : elle attend son accord.")
                if "propose" in request.POST
                else _("L'IMP %(of_name)s est enregistrée en brouillon.")
            )
            messages.success(request, text % {"of_name": of(award.person.full_name)})
            return redirect(request.path)
    elif action.startswith("opinion-") and action[8:] in opinion_forms and opinion_forms[action[8:]].is_valid():
        form = opinion_forms[action[8:]]
        try:
            opinion = services.opinion_record(
                school=school, school_year=school_year, body=action[8:], by=request.user, **form.cleaned_data
            )
        except DomainError as exc:
            error = exc
        else:
            messages.success(
                request, _("L'avis du %(body)s est enregistré.") % {"body": opinion.get_body_display().lower()}
            )
            return redirect(request.path)
    elif action == "reduction" and reduction_form.is_valid():
        try:
            reduction = services.reduction_create(
                school=school,
                school_year=school_year,
                person=reduction_form.staff[int(reduction_form.cleaned_data["person"])],
                hours=reduction_form.cleaned_data["hours"],
                by=request.user,
            )
        except DomainError as exc:
            error = exc
        else:
            messages.success(
                request,
                _("L'allègement de service %(of_name)s est enregistré.") % {"of_name": of(reduction.person.full_name)},
            )
            return redirect(request.path)
    if action:
        status = 400
    live_ids = {a.person_id for a in data.live_awards}
    return render(
        request,
        "imp/school_imp.html",
        {
            "school": school,
            "school_year": school_year,
            "years": _nearby_years(school_year),
            "data": data,
            "can_manage": can_manage,
            "award_form": award_form,
            "opinion_forms": opinion_forms,
            "reduction_form": reduction_form,
            "error": error,
            "action": action,
            "without_award": [p for p in staff if p.pk in named and p.pk not in live_ids],
            "title": _("IMP %(year)s — %(school)s") % {"year": school_year.name, "school": school.name},
            "breadcrumb_data": {
                "links": _school_links(school, school_year)[:1],
                "current": _("IMP %(year)s") % {"year": school_year.name},
            },
        },
        status=status,
    )


# --- one award ----------------------------------------------------------------------------------------------------


def _award_or_404(school, school_year, pk) -> ImpAward:
    award = selectors.award_detail(school, school_year, pk)
    if award is None:
        raise Http404(_("Aucune IMP de cet établissement ne porte ce numéro."))
    return award


def _award_action(request, award, action, forms) -> str:
    """Run the principal's action on the award; return the success message (DomainError on refusal)."""
    by = request.user
    if action == "update":
        form = forms["update"]
        services.award_update(award=award, expected_version=form.cleaned_data["version"] or 0, by=by, **form.values)
        return _("Les modifications sont enregistrées.")
    if action == "propose":
        services.award_propose(award=award, by=by)
        return _("L'IMP est proposée %(to_name)s : elle attend son accord.") % {"to_name": to(award.person.full_name)}
    if action == "withdraw":
        services.award_withdraw(award=award, by=by)
        return _("L'IMP est retirée : elle ne compte plus dans l'enveloppe.")
    if action == "service_done":
        data = forms["service_done"].cleaned_data
        services.award_declare_service_done(award=award, done_on=data["done_on"], ended_on=data["ended_on"], by=by)
        return _("Le service fait est déclaré.")
    if action == "leave":
        services.leave_add(award=award, by=by, **forms["leave"].cleaned_data)
        return _("Le congé est enregistré.")
    if action == "replacement":
        data = dict(forms["replacement"].cleaned_data)
        data["person"] = forms["replacement"].staff[int(data["person"])]
        services.replacement_add(award=award, by=by, **data)
        return _("Le remplacement est enregistré.")
    if action == "leave_remove":
        leave = get_object_or_404(award.leaves.all(), pk=_int_or_none(request.POST.get("leave")))
        services.leave_remove(leave=leave, by=by)
        return _("Le congé est supprimé.")
    if action == "replacement_remove":
        replacement = get_object_or_404(award.replacements.all(), pk=_int_or_none(request.POST.get("replacement")))
        services.replacement_remove(replacement=replacement, by=by)
        return _("Le remplacement est supprimé.")
    raise Http404


FORM_ACTIONS = ("update", "service_done", "leave", "replacement")


@require_http_methods(["GET", "POST"])
def award_page(request, uai: str, year: str, pk: int):
    school = get_school_or_404(request.user, uai, perm=Perm.VIEW_IMP)
    school_year = school_year_or_404(year)
    can_manage = Perm.MANAGE_IMP in school_perms(request.user, school)
    if request.method == "POST" and not can_manage:
        raise PermissionDenied
    award = _award_or_404(school, school_year, pk)
    staff = school_staff(school, include_ids={award.person_id}) if can_manage else []
    action = request.POST.get("action", "") if request.method == "POST" else ""
    bound = request.POST if action else None
    rates = services.legal_rates(school_year) if can_manage else []
    forms = {
        "update": _award_form(
            bound if action == "update" else None,
            rates=rates,
            staff=staff,
            named=set(),
            initial=AwardForm.initial_for(award),
            prefix="update",
        ),
        "service_done": ServiceDoneForm(bound if action == "service_done" else None, prefix="done"),
        "leave": LeaveForm(bound if action == "leave" else None, prefix="leave"),
        "replacement": ReplacementForm(
            bound if action == "replacement" else None,
            staff=[p for p in staff if p.pk != award.person_id],
            prefix="replacement",
        ),
    }
    error: DomainError | None = None
    status = 200
    if action:
        if action in FORM_ACTIONS and not forms[action].is_valid():
            status = 400
        else:
            try:
                text = _award_action(request, award, action, forms)
            except ConflictError as exc:
                error, status = exc, 409
            except DomainError as exc:
                error, status = exc, 400
            else:
                messages.success(request, text)
                return redirect(request.path)
    schedule = selectors.schedule_of([award]) if award.is_payable else None
    return render(
        request,
        "imp/award.html",
        {
            "school": school,
            "school_year": school_year,
            "award": award,
            "schedule": schedule,
            "can_manage": can_manage,
            "editable": can_manage and award.state in services.EDITABLE_STATES,
            "followed": can_manage and award.state in services.FOLLOWED_STATES,
            "can_close": can_manage and award.state in (ImpAward.State.VALIDATED, ImpAward.State.PAYING),
            "update_form": forms["update"],
            "done_form": forms["service_done"],
            "leave_form": forms["leave"],
            "replacement_form": forms["replacement"],
            "action": action,
            "error": error,
            "title": _("IMP %(of_name)s — %(year)s")
            % {"of_name": of(award.person.full_name), "year": school_year.name},
            "breadcrumb_data": {"links": _school_links(school, school_year), "current": award.person.full_name},
        },
        status=status,
    )


# --- payment schedules --------------------------------------------------------------------------------------------

CSV_HEADER = ["uai", "nom", "prenom", "mission", "mois", "montant"]


def _csv_response(filename: str, rows: list[list]) -> HttpResponse:
    # Names and missions are typed by people: csvfiles writes them as text, never as formulas.
    return csvfiles.csv_response(filename, CSV_HEADER, rows)


@require_GET
def schedule_page(request, uai: str, year: str):
    school = get_school_or_404(request.user, uai, perm=Perm.VIEW_IMP)
    school_year = school_year_or_404(year)
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


@require_GET
def schedule_csv(request, uai: str, year: str):
    school = get_school_or_404(request.user, uai, perm=Perm.VIEW_IMP)
    school_year = school_year_or_404(year)
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


@require_GET
def payroll_csv(request):
    school_year, rows = _payroll(request)
    return csvfiles.csv_response(f"imp-paie-{school_year.name}.csv", PAYROLL_HEADER, rows)


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


@require_http_methods(["GET", "POST"])
def my_awards(request):
    if request.method == "POST":
        award = get_object_or_404(
            ImpAward.objects.filter(person__user=request.user).select_related("person"),
            pk=_int_or_none(request.POST.get("award")),
        )
        action = request.POST.get("action")
        decline_form = DeclineForm(request.POST, prefix=f"decline-{award.pk}")
        version = _int_or_none(request.POST.get("version")) or 0
        try:
            if action == "accept":
                services.award_accept(award=award, expected_version=version, by=request.user)
                messages.success(
                    request,
                    _("Vous avez accepté l'IMP : le rectorat la validera après l'avis du conseil d'administration."),
                )
            elif action == "decline" and decline_form.is_valid():
                services.award_decline(
                    award=award, expected_version=version, reason=decline_form.cleaned_data["reason"], by=request.user
                )
                messages.success(
                    request, _("Vous avez refusé l'IMP. Le chef d'établissement en est informé sur sa page.")
                )
            else:
                raise Http404
        except DomainError as exc:
            messages.error(request, exc.message)
        return redirect("imp:mine")
    data = selectors.my_imp(request.user)
    return render(
        request,
        "imp/mine.html",
        {
            "data": data,
            "decline_forms": {
                a.pk: DeclineForm(prefix=f"decline-{a.pk}") for a in data.awards if a.state == ImpAward.State.PROPOSED
            },
            "title": _("Mes IMP"),
            "breadcrumb_data": {"links": [], "current": _("Mes IMP")},
        },
    )


@require_GET
def my_schedule_csv(request):
    return _csv_response("mes-imp-echeancier.csv", selectors.csv_rows(selectors.my_imp(request.user).schedule))


# --- the rectorat: validation queue -------------------------------------------------------------------------------


def _int_or_none(value) -> int | None:
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


def _queue_action(request, academie_ids) -> None:
    scope = selectors.queue(academie_ids, status="all")
    reject_form = RejectForm(request.POST, prefix="reject")
    reason = reject_form.cleaned_data["reason"] if reject_form.is_valid() else ""
    selected = [_int_or_none(v) for v in request.POST.getlist("awards")]
    action, awards = None, []
    for name in ("validate", "reject", "pay"):
        if name in request.POST:
            action, awards = name, [get_object_or_404(scope, pk=_int_or_none(request.POST[name]))]
            break
        if f"{name}_selected" in request.POST:
            action, awards = name, list(scope.filter(pk__in=[pk for pk in selected if pk]))
            break
    if action is None:
        raise Http404
    if not awards:
        messages.warning(request, _("Cochez au moins une IMP."))
        return
    if action == "reject" and not reason.strip():
        messages.error(request, _("Indiquez le motif du rejet : il est communiqué au chef d'établissement."))
        return
    done, errors = 0, []
    for award in awards:
        try:
            if action == "validate":
                services.award_validate(award=award, by=request.user)
            elif action == "reject":
                services.award_reject(award=award, reason=reason, by=request.user)
            else:
                services.award_start_payment(award=award, by=request.user)
        except DomainError as exc:
            errors.append(f"{award.school.name} — {award.person.full_name} : {exc.message}")
        else:
            done += 1
    texts = {
        "validate": ngettext("%(count)d IMP validée.", "%(count)d IMP validées.", done),
        "reject": ngettext("%(count)d IMP rejetée.", "%(count)d IMP rejetées.", done),
        "pay": ngettext("%(count)d IMP mise en paiement.", "%(count)d IMP mises en paiement.", done),
    }
    if done:
        messages.success(request, texts[action] % {"count": done})
    for text in errors:
        messages.error(request, text)


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
        start_year=_int_or_none(cleaned.get("year")),
        departement_id=_int_or_none(cleaned.get("departement")),
        q=(cleaned.get("q") or "").strip(),
    )
    page = Paginator(awards, QUEUE_PAGE_SIZE).get_page(request.GET.get("page"))
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


@require_http_methods(["GET", "POST"])
def envelopes_page(request):
    academie_ids = require_academie_perm(request.user, Perm.MANAGE_ENVELOPES)
    current = SchoolYear.current()
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
    action = request.POST.get("action", "") if request.method == "POST" else ""
    envelope_form = EnvelopeForm(request.POST if action == "set" else None, prefix="envelope")
    import_form = EnvelopeImportForm(
        request.POST if action == "import" else None, request.FILES if action == "import" else None, prefix="import"
    )
    import_errors: list[str] = []
    status = 200
    here = f"{request.path}?year={school_year.start_year}"
    if action == "set" and envelope_form.is_valid():
        school = School.objects.filter(
            uai=envelope_form.cleaned_data["uai"], departement__academie_id__in=list(academie_ids)
        ).first()
        if school is None:
            envelope_form.add_error("uai", _("Aucun établissement de votre académie n'a cet UAI."))
        else:
            try:
                services.envelope_set(
                    school=school, school_year=school_year, amount=envelope_form.cleaned_data["amount"], by=request.user
                )
            except DomainError as exc:
                envelope_form.add_error("amount", exc.message)
            else:
                messages.success(
                    request,
                    _("L'enveloppe %(year)s %(of_school)s est enregistrée.")
                    % {"year": school_year.name, "of_school": of(school.name)},
                )
                return redirect(here)
    elif action == "import" and import_form.is_valid():
        try:
            result = services.envelope_import(
                academie_ids=academie_ids,
                school_year=school_year,
                data=import_form.cleaned_data["file"].read(1_000_001),
                by=request.user,
            )
        except CsvFileError as exc:
            import_errors = [exc.message, *exc.errors]
        except DomainError as exc:
            import_errors = [exc.message]
        else:
            messages.success(
                request,
                _(
                    "Import terminé : %(created)d enveloppe(s) notifiée(s), %(updated)d ajustée(s), %(unchanged)d inchangée(s)."
                )
                % {"created": result.created, "updated": result.updated, "unchanged": result.unchanged},
            )
            return redirect(here)
    elif action not in ("", "set", "import"):
        raise Http404
    if action:
        status = 400
    q = request.GET.get("q", "").strip()
    schools = School.objects.filter(departement__academie_id__in=list(academie_ids), is_active=True).select_related(
        "departement"
    )
    if q:
        schools = schools.search(q)
    page = Paginator(schools.order_by("departement__code", "name", "uai"), ENVELOPES_PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    return render(
        request,
        "imp/envelopes.html",
        {
            "school_year": school_year,
            "year_form": year_form,
            "envelope_form": envelope_form,
            "import_form": import_form,
            "import_errors": import_errors,
            "page": page,
            "rows": selectors.envelope_rows(list(page.object_list), school_year),
            "q": q,
            "query": urlencode({"year": school_year.start_year, "q": q}),
            "title": _("Enveloppes IMP %(year)s") % {"year": school_year.name},
            "breadcrumb_data": {"links": [], "current": _("Enveloppes IMP")},
        },
        status=status,
    )
