"""The DANE's events: the list, publishing, registering and unregistering, attendance, the .ics file."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from events.forms import AttendanceForm, EventForm
from events.ics import event_ics
from events.selectors import event_lists, event_registrations, visible_events
from events.services import event_create, event_record_attendance, event_register, event_unregister, event_update
from rupn.lib.errors import DomainError
from schools.access import (
    Perm,
    academie_ids_with,
    object_or_404,
    require_academie_perm,
    require_school_perm,
    school_ids_with,
)
from schools.models import Academie


def _events_breadcrumb(current=None) -> dict:
    if current is None:
        return {"links": [], "current": _("Événements de la DANE")}
    return {"links": [{"url": reverse("missions:events"), "title": _("Événements de la DANE")}], "current": current}


NOT_FOUND = gettext_lazy("Aucun événement de votre académie ne porte ce numéro.")


def _event(user, pk: int):
    """An event of an académie the user reaches (annotated as in visible_events), else 404."""
    return object_or_404(visible_events(user), NOT_FOUND, pk=pk)


def _managed_event(user, pk: int):
    """An event the user's DANE manages: another académie's is a 404, a page their role may not use a 403."""
    event = _event(user, pk)
    if event.academie_id not in academie_ids_with(user, Perm.MANAGE_EVENTS):
        raise PermissionDenied(_("Seule la DANE de l'académie gère cet événement."))
    return event


@require_GET
def events(request):
    """Upcoming and past events of the user's académie(s)."""
    upcoming, past = event_lists(request.user)
    return render(
        request,
        "missions/events.html",
        {
            "upcoming": upcoming,
            "past": past,
            "is_dane": bool(academie_ids_with(request.user, Perm.MANAGE_EVENTS)),
            "is_referent": bool(school_ids_with(request.user, Perm.ATTEND_EVENTS)),
            "title": _("Événements de la DANE"),
            "breadcrumb_data": _events_breadcrumb(),
        },
    )


@require_http_methods(["GET", "POST"])
def event_create_view(request):
    academie_ids = require_academie_perm(request.user, Perm.MANAGE_EVENTS)
    academie = Academie.objects.filter(pk__in=academie_ids).order_by("pk").first()
    status = 200
    if request.method == "POST":
        form = EventForm(request.POST)
        if form.is_valid():
            try:
                event = event_create(academie=academie, data=form.to_input(), by=request.user)
            except DomainError as error:
                form.add_error(None, error.message)
                status = 400
            else:
                messages.success(request, _("L'événement « %(title)s » est publié.") % {"title": event.title})
                return redirect("missions:event_detail", pk=event.pk)
        else:
            status = 400
    else:
        form = EventForm()
    return render(
        request,
        "missions/event_form.html",
        {
            "form": form,
            "event": None,
            "academie": academie,
            "title": _("Publier un événement"),
            "breadcrumb_data": _events_breadcrumb(_("Publier un événement")),
        },
        status=status,
    )


@require_http_methods(["GET", "POST"])
def event_edit(request, pk: int):
    event = _managed_event(request.user, pk)
    status = 200
    if request.method == "POST":
        form = EventForm(request.POST)
        if form.is_valid():
            try:
                event_update(event=event, data=form.to_input(), by=request.user)
            except DomainError as error:
                form.add_error(None, error.message)
                status = 400
            else:
                messages.success(request, _("L'événement est modifié."))
                return redirect("missions:event_detail", pk=event.pk)
        else:
            status = 400
    else:
        form = EventForm(initial=EventForm.initial_for(event))
    return render(
        request,
        "missions/event_form.html",
        {
            "form": form,
            "event": event,
            "academie": event.academie,
            "title": _("Modifier « %(title)s »") % {"title": event.title},
            "breadcrumb_data": _events_breadcrumb(event.title),
        },
        status=status,
    )


@require_GET
def event_detail(request, pk: int):
    event = _event(request.user, pk)
    is_dane = event.academie_id in academie_ids_with(request.user, Perm.MANAGE_EVENTS)
    registrations = event_registrations(event) if is_dane else []
    attendance_form = None
    if is_dane and registrations:
        attendance_form = AttendanceForm(
            initial={"present": [r.user_id for r in registrations if r.attended]}, registrations=registrations
        )
    return render(
        request,
        "missions/event_detail.html",
        {
            "event": event,
            "is_dane": is_dane,
            "is_referent": bool(school_ids_with(request.user, Perm.ATTEND_EVENTS)),
            "registrations": registrations,
            "attendance_form": attendance_form,
            "full": event.capacity is not None and event.registered >= event.capacity,
            "title": event.title,
            "breadcrumb_data": _events_breadcrumb(event.title),
        },
    )


@require_POST
def event_register_view(request, pk: int):
    event = _event(request.user, pk)
    require_school_perm(request.user, Perm.ATTEND_EVENTS)
    try:
        event_register(event=event, user=request.user)
    except DomainError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _("Vous êtes inscrit(e) à « %(title)s ».") % {"title": event.title})
    return redirect("missions:event_detail", pk=event.pk)


@require_POST
def event_unregister_view(request, pk: int):
    event = _event(request.user, pk)
    require_school_perm(request.user, Perm.ATTEND_EVENTS)
    try:
        event_unregister(event=event, user=request.user)
    except DomainError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _("Votre inscription à « %(title)s » est retirée.") % {"title": event.title})
    return redirect("missions:event_detail", pk=event.pk)


@require_POST
def event_attendance(request, pk: int):
    event = _managed_event(request.user, pk)
    form = AttendanceForm(request.POST, registrations=event_registrations(event))
    if not form.is_valid():
        messages.error(request, _("Une personne cochée n'est pas inscrite à cet événement."))
        return redirect("missions:event_detail", pk=event.pk)
    try:
        present = event_record_attendance(
            event=event, present_user_ids=set(form.cleaned_data["present"]), by=request.user
        )
    except DomainError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _("Présences enregistrées : %(count)d présent(s).") % {"count": present})
    return redirect("missions:event_detail", pk=event.pk)


@require_GET
def event_calendar(request, pk: int):
    """The event as an .ics file, to add it to one's calendar."""
    event = _event(request.user, pk)
    response = HttpResponse(event_ics(event), content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="evenement-{event.pk}.ics"'
    return response
