"""The referents' activity log, the school's log for its principal, the DANE's totals, the rentrée copy."""

from django.contrib import messages
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from activity.csv_export import activity_csv
from activity.forms import ActivityFilterForm, ActivityForm
from activity.models import ActivityEntry
from activity.selectors import (
    ActivityFilter,
    academie_activity_total,
    academie_schools,
    activity_entries,
    activity_missions,
    activity_totals,
    referent_persons,
    school_activity_people,
)
from activity.services import activity_create, activity_delete, activity_update
from events.selectors import attended_events, upcoming_registrations
from missions.selectors import catalogue
from rupn.lib.errors import DomainError
from rupn.lib.formats import format_duration
from rupn.lib.pagination import query_without_page
from schools.access import Perm, SchoolPage, object_or_404, require_academie_perm, require_school_perm, school_page
from schools.models import SchoolYear

PAGE_SIZE = 50


def _years_choice(request) -> tuple[SchoolYear, list[SchoolYear]]:
    """The school year asked in ?annee= (default: the current one) and the years one may choose (newest first)."""
    current = SchoolYear.current()
    years = list(SchoolYear.objects.filter(start_year__lte=current.start_year).order_by("-start_year"))
    wanted = SchoolYear.parse_name(request.GET.get("annee", ""))
    chosen = next((y for y in years if y.start_year == wanted), years[0])
    return chosen, years


def _my_log_context(request, persons, school_year, years, missions, form):
    filter_form = ActivityFilterForm(
        request.GET or None,
        school_year=school_year,
        years=years,
        missions=missions,
        initial={"annee": school_year.name},
    )
    selection = ActivityFilter(
        school_year=school_year, month=filter_form.month(), mission_id=filter_form.value("mission")
    )
    base = ActivityEntry.objects.filter(person__in=[p.pk for p in persons])
    entries = activity_entries(base, selection)
    page = Paginator(entries, PAGE_SIZE).get_page(request.GET.get("page"))
    return {
        "persons": persons,
        "form": form,
        "filter_form": filter_form,
        "page": page,
        "totals": activity_totals(entries),
        "school_year": school_year,
        "attended": attended_events(request.user, school_year),
        "registrations": upcoming_registrations(request.user),
        "query": query_without_page(request),
        "title": _("Mon activité de référent numérique"),
        "breadcrumb_data": {"links": [], "current": _("Mon activité")},
    }


@require_http_methods(["GET", "POST"])
def activity(request):
    """The referent's log: a quick form, the entries filtered by month and mission, totals."""
    require_school_perm(request.user, Perm.LOG_ACTIVITY)
    persons = referent_persons(request.user)
    school_year, years = _years_choice(request)
    missions = catalogue()
    own, others = activity_missions(persons, years[0], missions)
    status = 200
    if request.method == "POST" and persons:
        form = ActivityForm(request.POST, persons=persons, own=own, others=others)
        if form.is_valid():
            try:
                entry = activity_create(person=form.chosen_person(), data=form.to_input(), by=request.user)
            except DomainError as error:
                form.add_error(None, error.message)
                status = 400
            else:
                messages.success(
                    request,
                    _("Activité enregistrée : %(duration)s le %(date)s.")
                    % {"duration": format_duration(entry.minutes), "date": entry.date.strftime("%d/%m/%Y")},
                )
                return redirect(request.get_full_path())
        else:
            status = 400
    else:
        initial = {"date": timezone.localdate(), "person": persons[0].pk if persons else None}
        form = ActivityForm(initial=initial, persons=persons, own=own, others=others)
    context = _my_log_context(request, persons, school_year, years, missions, form)
    return render(request, "missions/activity.html", context, status=status)


@require_GET
def activity_export(request):
    """The referent's log, filtered as on the page, as CSV."""
    require_school_perm(request.user, Perm.LOG_ACTIVITY)
    persons = referent_persons(request.user)
    school_year, _years = _years_choice(request)
    filter_form = ActivityFilterForm(
        request.GET or None, school_year=school_year, years=[school_year], missions=catalogue()
    )
    selection = ActivityFilter(
        school_year=school_year, month=filter_form.month(), mission_id=filter_form.value("mission")
    )
    entries = activity_entries(ActivityEntry.objects.filter(person__in=[p.pk for p in persons]), selection)
    return activity_csv(entries.select_related("person__school"), filename=f"activite-{school_year.name}.csv")


def _own_entry(request, pk: int) -> tuple[ActivityEntry, list]:
    """One of the referent's own entries (403 for who is no referent, 404 for anyone else's entry)."""
    require_school_perm(request.user, Perm.LOG_ACTIVITY)
    persons = referent_persons(request.user)
    entries = ActivityEntry.objects.filter(person__in=[p.pk for p in persons]).select_related(
        "mission", "person__school"
    )
    return object_or_404(entries.order_by("pk"), _("Aucune de vos activités ne porte ce numéro."), pk=pk), persons


@require_http_methods(["GET", "POST"])
def activity_edit(request, pk: int):
    entry, persons = _own_entry(request, pk)
    own, others = activity_missions(persons, SchoolYear.current(), catalogue())
    status = 200
    if request.method == "POST":
        form = ActivityForm(request.POST, persons=persons, own=own, others=others)
        if form.is_valid():
            try:
                activity_update(entry=entry, person=form.chosen_person(), data=form.to_input(), by=request.user)
            except DomainError as error:
                form.add_error(None, error.message)
                status = 400
            else:
                messages.success(request, _("L'activité est modifiée."))
                return redirect("missions:activity")
        else:
            status = 400
    else:
        form = ActivityForm(initial=ActivityForm.initial_for(entry), persons=persons, own=own, others=others)
    return render(
        request,
        "missions/activity_form.html",
        {
            "entry": entry,
            "form": form,
            "title": _("Modifier une activité"),
            "breadcrumb_data": {
                "links": [{"url": reverse("missions:activity"), "title": _("Mon activité")}],
                "current": _("Modifier une activité"),
            },
        },
        status=status,
    )


@require_http_methods(["GET", "POST"])
def activity_delete_view(request, pk: int):
    entry, _persons = _own_entry(request, pk)
    if request.method == "POST":
        activity_delete(entry=entry, by=request.user)
        messages.success(request, _("L'activité est supprimée."))
        return redirect("missions:activity")
    return render(
        request,
        "missions/activity_delete.html",
        {
            "entry": entry,
            "title": _("Supprimer une activité"),
            "breadcrumb_data": {
                "links": [{"url": reverse("missions:activity"), "title": _("Mon activité")}],
                "current": _("Supprimer une activité"),
            },
        },
    )


def _school_log(request, school, school_year):
    people = school_activity_people(school, school_year)
    filter_form = ActivityFilterForm(request.GET or None, school_year=school_year, missions=catalogue(), people=people)
    selection = ActivityFilter(
        school_year=school_year,
        month=filter_form.month(),
        mission_id=filter_form.value("mission"),
        person_id=filter_form.value("personne"),
    )
    return filter_form, activity_entries(ActivityEntry.objects.filter(person__school=school), selection)


@require_GET
@school_page(Perm.VIEW_SCHOOL_ACTIVITY)
def school_activity(request, page: SchoolPage):
    """The log of the school's referents, for its principal."""
    school, school_year = page.school, page.school_year
    filter_form, entries = _school_log(request, school, school_year)
    return render(
        request,
        "missions/school_activity.html",
        {
            "school": school,
            "school_year": school_year,
            "filter_form": filter_form,
            "page": Paginator(entries, PAGE_SIZE).get_page(request.GET.get("page")),
            "totals": activity_totals(entries, per_person=True),
            "query": query_without_page(request),
            "title": _("Activité des référents %(year)s — %(school)s")
            % {"year": school_year.name, "school": school.name},
            "breadcrumb_data": {
                "links": [{"url": reverse("schools:detail", args=[school.uai]), "title": school.name}],
                "current": _("Activité des référents %(year)s") % {"year": school_year.name},
            },
        },
    )


@require_GET
@school_page(Perm.VIEW_SCHOOL_ACTIVITY)
def school_activity_export(request, page: SchoolPage):
    school, school_year = page.school, page.school_year
    _form, entries = _school_log(request, school, school_year)
    return activity_csv(
        entries.select_related("person__school"), filename=f"activite-{school.uai}-{school_year.name}.csv"
    )


@require_GET
def dane_activity(request):
    """Activity and reviews of every school of the DANE's académie(s), for a school year."""
    academie_ids = require_academie_perm(request.user, Perm.FOLLOW_REFERENTS)
    school_year, years = _years_choice(request)
    schools = academie_schools(academie_ids, school_year)
    return render(
        request,
        "missions/dane_activity.html",
        {
            "school_year": school_year,
            "years": years,
            "page": Paginator(schools, PAGE_SIZE).get_page(request.GET.get("page")),
            "total": academie_activity_total(academie_ids, school_year),
            "query": query_without_page(request),
            "title": _("Activité des référents de l'académie %(year)s") % {"year": school_year.name},
            "breadcrumb_data": {"links": [], "current": _("Activité des référents")},
        },
    )
