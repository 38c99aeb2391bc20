"""Points d'étape: the school's reviews of the year, one review's schedule and minutes, the DANE's list."""

from functools import partial

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from activity.forms import ReviewMinutesForm, ReviewScheduleForm
from activity.models import Review
from activity.selectors import (
    academie_schools,
    review_choices,
    review_status,
    school_reviews,
    school_year_activity_totals,
)
from activity.services import review_delete, review_record_minutes, review_reschedule, review_schedule
from activity.views import PAGE_SIZE, _years_choice
from rupn.lib.concurrency import Current, VersionConflict, current_of, rebind, save_form_merged, stamp_form
from rupn.lib.errors import DomainError
from rupn.lib.pagination import query_without_page
from schools.access import Perm, SchoolPage, require_academie_perm, school_page


def _reviews_breadcrumb(school, school_year, current=None) -> dict:
    links = [{"url": reverse("schools:detail", args=[school.uai]), "title": school.name}]
    title = _("Points d'étape %(year)s") % {"year": school_year.name}
    if current is None:
        return {"links": links, "current": title}
    links.append({"url": reverse("missions:reviews", args=[school.uai, school_year.name]), "title": title})
    return {"links": links, "current": current}


def _new_review_form(request, choices) -> ReviewScheduleForm:
    """The form to schedule the next point d'étape, the user preset as principal or DANE adviser when they are."""
    principal = next((u for u in choices.principals if u.pk == request.user.pk), None)
    adviser = next((u for u in choices.advisers if u.pk == request.user.pk), None)
    return ReviewScheduleForm(
        initial={
            "principal": principal.pk if principal else None,
            "dane_adviser": adviser.pk if adviser else None,
            "referents": [p.pk for p in choices.referents],
        },
        choices=choices,
    )


def _schedule(request, page, form) -> None:
    review = review_schedule(school=page.school, school_year=page.school_year, data=form.to_schedule(), by=request.user)
    messages.success(request, _("Le point d'étape du %(date)s est prévu.") % {"date": review.date.strftime("%d/%m/%Y")})


SCHEDULE_FIELDS = ("date", "place", "principal", "dane_adviser", "referents")
MINUTES_FIELDS = ("achievements", "difficulties", "decisions", "training_needs")


def _review_current(form, pk: int, names) -> Current:
    review = Review.objects.select_related("updated_by").get(pk=pk)
    initial = ReviewScheduleForm.initial_for(review) | ReviewMinutesForm.initial_for(review)
    who = review.updated_by.get_full_name() if review.updated_by else None
    return current_of(form, version=review.version, initial=initial, names=names, who=who, when=review.updated_at)


@require_http_methods(["GET", "POST"])
@school_page(Perm.VIEW_REVIEWS, post=Perm.MANAGE_REVIEWS)
def reviews(request, page: SchoolPage):
    """The school's points d'étape of the year, the activity totals beside, and scheduling the next one."""
    school, school_year = page.school, page.school_year
    form = None
    status = 200
    if page.can(Perm.MANAGE_REVIEWS):
        choices = review_choices(school, school_year)
        form = ReviewScheduleForm(request.POST, choices=choices) if request.method == "POST" else None
        if form is None:
            form = _new_review_form(request, choices)
        elif form.is_valid():
            try:
                _schedule(request, page, form)
            except DomainError as error:
                form.add_error(None, error.message)
            else:
                return redirect(request.path)
        status = 400 if request.method == "POST" else 200
    return render(request, "missions/reviews.html", _reviews_context(page, form), status=status)


def _reviews_context(page, form) -> dict:
    school, school_year = page.school, page.school_year
    return {
        "school": school,
        "school_year": school_year,
        "reviews": school_reviews(school, school_year),
        "status": review_status(school, school_year),
        "totals": school_year_activity_totals(school, school_year),
        "form": form,
        "can_manage": page.can(Perm.MANAGE_REVIEWS),
        "title": _("Points d'étape %(year)s — %(school)s") % {"year": school_year.name, "school": school.name},
        "breadcrumb_data": _reviews_breadcrumb(school, school_year),
    }


def _review_save(request, review, form, factory, names, save, success: str):
    """Save a valid form merged onto the current version: (form, conflict, status), status 302 when saved."""
    if not form.is_valid():
        return form, "", 400
    salt = f"review:{review.pk}"
    try:
        save_form_merged(
            form,
            salt=salt,
            names=names,
            load=lambda: _review_current(form, review.pk, names),
            save=lambda version: save(form, version),
        )
    except VersionConflict as error:
        form, conflict = rebind(factory, error, data=request.POST, salt=salt)
        return form, conflict, 409
    except DomainError as error:
        form.add_error(None, error.message)
        return form, "", 400
    messages.success(request, success)
    return form, "", 302


def _reschedule(request, review, form, version) -> None:
    review_reschedule(review=review, expected_version=version, data=form.to_schedule(), by=request.user)


def _record_minutes(request, review, form, version) -> None:
    review_record_minutes(review=review, expected_version=version, minutes=form.to_minutes(), by=request.user)


def _review_post(request, page, review, choices, action):
    """The posted action ("schedule" while it is to come, "minutes"): (schedule form, minutes form, conflict, status)."""
    schedule_form = minutes_form = None
    conflict, status = "", 400
    if action == "schedule" and review.abilities(page.perms)["reschedule"]:
        factory = partial(ReviewScheduleForm, choices=choices)
        save = partial(_reschedule, request, review)
        schedule_form, conflict, status = _review_save(
            request, review, factory(request.POST), factory, SCHEDULE_FIELDS, save, _("Le point d'étape est modifié.")
        )
    elif action == "minutes":
        save = partial(_record_minutes, request, review)
        text = _("Le compte rendu est enregistré : le point d'étape est fait.")
        minutes_form, conflict, status = _review_save(
            request, review, ReviewMinutesForm(request.POST), ReviewMinutesForm, MINUTES_FIELDS, save, text
        )
    return schedule_form, minutes_form, conflict, status


def _review_forms(request, page, review, referents):
    """For who manages the reviews: (schedule form, minutes form, conflict, status); status 302 when saved."""
    choices = review_choices(page.school, page.school_year)
    action = request.POST.get("action") if request.method == "POST" else None
    schedule_form = minutes_form = None
    conflict, status = "", 200
    if request.method == "POST":
        schedule_form, minutes_form, conflict, status = _review_post(request, page, review, choices, action)
        if status == 302:
            return None, None, "", 302
    salt = f"review:{review.pk}"
    if schedule_form is None and review.abilities(page.perms)["reschedule"]:
        initial = ReviewScheduleForm.initial_for(review) | {"referents": [p.pk for p in referents]}
        schedule_form = ReviewScheduleForm(initial=initial, choices=choices)
        stamp_form(schedule_form, salt=salt, version=review.version, names=SCHEDULE_FIELDS)
    if minutes_form is None:
        minutes_form = ReviewMinutesForm(initial=ReviewMinutesForm.initial_for(review))
        stamp_form(minutes_form, salt=salt, version=review.version, names=MINUTES_FIELDS)
    if conflict:
        review.refresh_from_db()
    return schedule_form, minutes_form, conflict, status


@require_http_methods(["GET", "POST"])
@school_page(Perm.VIEW_REVIEWS)
def review_detail(request, page: SchoolPage, pk: int):
    """One point d'étape: its schedule (until it is done) and its minutes, with the year's activity beside."""
    school, school_year = page.school, page.school_year
    review = get_object_or_404(
        Review.objects.select_related("principal", "dane_adviser", "updated_by"),
        pk=pk,
        school=school,
        school_year=school_year,
    )
    can_manage = page.can(Perm.MANAGE_REVIEWS)
    if request.method == "POST" and not can_manage:
        raise PermissionDenied
    referents = list(review.referents.order_by("last_name", "first_name", "pk"))
    schedule_form = minutes_form = None
    conflict, status = "", 200
    if can_manage:
        schedule_form, minutes_form, conflict, status = _review_forms(request, page, review, referents)
        if status == 302:
            return redirect(request.path)
    forms = {"schedule_form": schedule_form, "minutes_form": minutes_form, "conflict": conflict}
    forms["conflict_form"] = request.POST.get("action") if conflict else ""
    return render(
        request, "missions/review_detail.html", _review_context(page, review, referents) | forms, status=status
    )


def _review_context(page, review, referents) -> dict:
    school, school_year = page.school, page.school_year
    date = review.date.strftime("%d/%m/%Y")
    return {
        "school": school,
        "school_year": school_year,
        "review": review,
        "referents": referents,
        "can_manage": page.can(Perm.MANAGE_REVIEWS),
        "totals": school_year_activity_totals(school, school_year),
        "title": _("Point d'étape du %(date)s — %(school)s") % {"date": date, "school": school.name},
        "breadcrumb_data": _reviews_breadcrumb(school, school_year, _("Point d'étape du %(date)s") % {"date": date}),
    }


@require_POST
@school_page(Perm.MANAGE_REVIEWS)
def review_delete_view(request, page: SchoolPage, pk: int):
    school, school_year = page.school, page.school_year
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
    academie_ids = require_academie_perm(request.user, Perm.FOLLOW_REFERENTS)
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
