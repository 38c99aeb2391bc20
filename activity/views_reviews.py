"""Points d'étape: the school's reviews of the year, one review's schedule and minutes, the DANE's list."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from activity.forms import ReviewMinutesForm, ReviewScheduleForm
from activity.models import ActivityEntry, Review
from activity.selectors import academie_schools, activity_totals, review_choices, review_status, school_reviews
from activity.services import review_delete, review_record_minutes, review_reschedule, review_schedule
from activity.views import PAGE_SIZE, _years_choice
from rupn.lib.concurrency import Current, VersionConflict, current_of, rebind, save_form_merged, stamp_form
from rupn.lib.errors import DomainError
from rupn.lib.pagination import query_without_page
from schools.access import Perm, get_school_or_404, require_dane, school_perms
from schools.selectors import school_year_or_404


def _year_totals(school, school_year):
    entries = ActivityEntry.objects.filter(
        person__school=school, date__range=(school_year.start_date, school_year.end_date)
    )
    return activity_totals(entries, per_person=True)


def _reviews_breadcrumb(school, school_year, current=None) -> dict:
    links = [{"url": reverse("schools:detail", args=[school.uai]), "title": school.name}]
    title = _("Points d'étape %(year)s") % {"year": school_year.name}
    if current is None:
        return {"links": links, "current": title}
    links.append({"url": reverse("missions:reviews", args=[school.uai, school_year.name]), "title": title})
    return {"links": links, "current": current}


@require_http_methods(["GET", "POST"])
def reviews(request, uai: str, year: str):
    """The school's points d'étape of the year, the activity totals beside, and scheduling the next one."""
    school = get_school_or_404(request.user, uai, perm=Perm.VIEW_REVIEWS)
    school_year = school_year_or_404(year)
    can_manage = Perm.MANAGE_REVIEWS in school_perms(request.user, school)
    if request.method == "POST" and not can_manage:
        raise PermissionDenied
    form = None
    status = 200
    if can_manage:
        choices = review_choices(school, school_year)
        if request.method == "POST":
            form = ReviewScheduleForm(request.POST, choices=choices)
            if form.is_valid():
                try:
                    review = review_schedule(
                        school=school, school_year=school_year, data=form.to_schedule(), by=request.user
                    )
                except DomainError as error:
                    form.add_error(None, error.message)
                    status = 400
                else:
                    messages.success(
                        request,
                        _("Le point d'étape du %(date)s est prévu.") % {"date": review.date.strftime("%d/%m/%Y")},
                    )
                    return redirect(request.path)
            else:
                status = 400
        else:
            principal = next((u for u in choices.principals if u.pk == request.user.pk), None)
            adviser = next((u for u in choices.advisers if u.pk == request.user.pk), None)
            form = ReviewScheduleForm(
                initial={
                    "principal": principal.pk if principal else None,
                    "dane_adviser": adviser.pk if adviser else None,
                    "referents": [p.pk for p in choices.referents],
                },
                choices=choices,
            )
    items = school_reviews(school, school_year)
    return render(
        request,
        "missions/reviews.html",
        {
            "school": school,
            "school_year": school_year,
            "reviews": items,
            "status": review_status(school, school_year),
            "totals": _year_totals(school, school_year),
            "form": form,
            "can_manage": can_manage,
            "title": _("Points d'étape %(year)s — %(school)s") % {"year": school_year.name, "school": school.name},
            "breadcrumb_data": _reviews_breadcrumb(school, school_year),
        },
        status=status,
    )


SCHEDULE_FIELDS = ("date", "place", "principal", "dane_adviser", "referents")
MINUTES_FIELDS = ("achievements", "difficulties", "decisions", "training_needs")


def _review_current(form, pk: int, names) -> Current:
    review = Review.objects.select_related("updated_by").get(pk=pk)
    initial = ReviewScheduleForm.initial_for(review) | ReviewMinutesForm.initial_for(review)
    who = review.updated_by.get_full_name() if review.updated_by else None
    return current_of(form, version=review.version, initial=initial, names=names, who=who, when=review.updated_at)


@require_http_methods(["GET", "POST"])
def review_detail(request, uai: str, year: str, pk: int):
    """One point d'étape: its schedule (until it is done) and its minutes, with the year's activity beside."""
    school = get_school_or_404(request.user, uai, perm=Perm.VIEW_REVIEWS)
    school_year = school_year_or_404(year)
    review = get_object_or_404(
        Review.objects.select_related("principal", "dane_adviser", "updated_by"),
        pk=pk,
        school=school,
        school_year=school_year,
    )
    can_manage = Perm.MANAGE_REVIEWS in school_perms(request.user, school)
    if request.method == "POST" and not can_manage:
        raise PermissionDenied
    referents = list(review.referents.order_by("last_name", "first_name", "pk"))
    schedule_form = minutes_form = None
    conflict = ""
    status = 200
    if can_manage:
        choices = review_choices(school, school_year)
        action = request.POST.get("action") if request.method == "POST" else None
        if action == "schedule" and review.state == Review.State.SCHEDULED:
            schedule_form = ReviewScheduleForm(request.POST, choices=choices)
            if schedule_form.is_valid():
                try:
                    save_form_merged(
                        schedule_form,
                        salt=f"review:{review.pk}",
                        names=SCHEDULE_FIELDS,
                        load=lambda: _review_current(schedule_form, review.pk, SCHEDULE_FIELDS),
                        save=lambda version: review_reschedule(
                            review=review, expected_version=version, data=schedule_form.to_schedule(), by=request.user
                        ),
                    )
                except VersionConflict as error:
                    schedule_form, conflict = rebind(
                        lambda *args, **kwargs: ReviewScheduleForm(*args, choices=choices, **kwargs),
                        error,
                        data=request.POST,
                        salt=f"review:{review.pk}",
                    )
                    status = 409
                except DomainError as error:
                    schedule_form.add_error(None, error.message)
                    status = 400
                else:
                    messages.success(request, _("Le point d'étape est modifié."))
                    return redirect(request.path)
            else:
                status = 400
        elif action == "minutes":
            minutes_form = ReviewMinutesForm(request.POST)
            if minutes_form.is_valid():
                try:
                    save_form_merged(
                        minutes_form,
                        salt=f"review:{review.pk}",
                        names=MINUTES_FIELDS,
                        load=lambda: _review_current(minutes_form, review.pk, MINUTES_FIELDS),
                        save=lambda version: review_record_minutes(
                            review=review, expected_version=version, minutes=minutes_form.to_minutes(), by=request.user
                        ),
                    )
                except VersionConflict as error:
                    minutes_form, conflict = rebind(
                        ReviewMinutesForm, error, data=request.POST, salt=f"review:{review.pk}"
                    )
                    status = 409
                except DomainError as error:
                    minutes_form.add_error(None, error.message)
                    status = 400
                else:
                    messages.success(request, _("Le compte rendu est enregistré : le point d'étape est fait."))
                    return redirect(request.path)
            else:
                status = 400
        elif request.method == "POST":
            status = 400
        if schedule_form is None and review.state == Review.State.SCHEDULED:
            initial = ReviewScheduleForm.initial_for(review) | {"referents": [p.pk for p in referents]}
            schedule_form = ReviewScheduleForm(initial=initial, choices=choices)
            stamp_form(schedule_form, salt=f"review:{review.pk}", version=review.version, names=SCHEDULE_FIELDS)
        if minutes_form is None:
            minutes_form = ReviewMinutesForm(initial=ReviewMinutesForm.initial_for(review))
            stamp_form(minutes_form, salt=f"review:{review.pk}", version=review.version, names=MINUTES_FIELDS)
        if conflict:
            review.refresh_from_db()
    return render(
        request,
        "missions/review_detail.html",
        {
            "school": school,
            "school_year": school_year,
            "review": review,
            "referents": referents,
            "schedule_form": schedule_form,
            "minutes_form": minutes_form,
            "conflict": conflict,
            "conflict_form": request.POST.get("action") if conflict else "",
            "can_manage": can_manage,
            "totals": _year_totals(school, school_year),
            "title": _("Point d'étape du %(date)s — %(school)s")
            % {"date": review.date.strftime("%d/%m/%Y"), "school": school.name},
            "breadcrumb_data": _reviews_breadcrumb(
                school, school_year, _("Point d'étape du %(date)s") % {"date": review.date.strftime("%d/%m/%Y")}
            ),
        },
        status=status,
    )


@require_POST
def review_delete_view(request, uai: str, year: str, pk: int):
    school = get_school_or_404(request.user, uai, perm=Perm.MANAGE_REVIEWS)
    school_year = school_year_or_404(year)
    review = get_object_or_404(Review, pk=pk, school=school, school_year=school_year)
    try:
        review_delete(review=review, by=request.user)
    except DomainError as error:
        messages.error(request, error.message)
        return redirect("missions:review_detail", uai=school.uai, year=school_year.name, pk=review.pk)
    messages.success(request, _("Le point d'étape prévu est supprimé."))
    return redirect("missions:reviews", uai=school.uai, year=school_year.name)


@require_GET
def dane_reviews(request):
    """The académie's schools and their point d'étape of the year; by default those with none done."""
    academie_ids = require_dane(request.user)
    school_year, years = _years_choice(request)
    show_all = request.GET.get("tous") == "1"
    schools = academie_schools(academie_ids, school_year)
    if not show_all:
        schools = schools.filter(last_review_done__isnull=True)
    return render(
        request,
        "missions/dane_reviews.html",
        {
            "school_year": school_year,
            "years": years,
            "show_all": show_all,
            "query": query_without_page(request),
            "page": Paginator(schools, PAGE_SIZE).get_page(request.GET.get("page")),
            "title": _("Points d'étape des établissements %(year)s") % {"year": school_year.name},
            "breadcrumb_data": {"links": [], "current": _("Points d'étape des établissements")},
        },
    )
