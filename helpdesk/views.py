"""The team's pages: "Le numérique dans mon établissement", the invitations, the help-request book and its figures,
the sessions de prise en main. Thin: the access layer, a selector or a service, a render."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import FileResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from helpdesk import selectors
from helpdesk.forms import AttendanceForm, HelpActionForm, HelpRequestForm, InviteForm, SessionForm
from helpdesk.models import HelpRequest, TeamSession
from helpdesk.services import (
    HelpRequestInput,
    SessionInput,
    help_request_act,
    help_request_file,
    invitable,
    teachers_invite,
    team_session_record_attendance,
    team_session_register,
    team_session_schedule,
    team_session_unregister,
)
from rupn.lib.concurrency import VersionConflict
from rupn.lib.csvfiles import csv_response
from rupn.lib.errors import DomainError
from rupn.lib.formats import format_duration
from schools.access import Perm, SchoolPage, object_or_404, school_page, user_collectivities
from schools.models import Person, Role, SchoolYear
from schools.selectors import school_procedure_sheets

NOT_FOUND = _("Aucune demande de votre périmètre ne porte ce numéro.")


def _posted(request):
    """The posted data (even empty: a form posted with nothing is bound, and says what is missing), else None."""
    return request.POST if request.method == "POST" else None


def _crumbs(school, current: str, *, book: bool = False) -> dict:
    links = [{"url": reverse("helpdesk:team", args=[school.uai]), "title": _("Le numérique dans l'établissement")}]
    if book:
        links.append({"url": reverse("helpdesk:requests", args=[school.uai]), "title": _("Demandes d'intervention")})
    return {"links": links, "current": current}


@require_GET
@school_page(Perm.VIEW_TEAM_PAGE)
def team(request, page: SchoolPage):
    """Who does what this year, the school's tools, the procedure sheets and the sessions to come."""
    school, year = page.school, SchoolYear.current()
    title = _("Le numérique dans mon établissement")
    return render(
        request,
        "helpdesk/team.html",
        {
            "school": school,
            "school_year": year,
            "team": selectors.team_page(school, year),
            "sheets": school_procedure_sheets(school, year) if page.can(Perm.VIEW_PROCEDURES) else {},
            "sessions": selectors.upcoming_sessions(school, request.user, limit=5),
            "can_file": page.can(Perm.FILE_HELP_REQUEST),
            "can_run_sessions": page.can(Perm.RUN_SESSIONS),
            "can_handle": page.can(Perm.HANDLE_HELP_REQUESTS),
            "title": title,
            "breadcrumb_data": {"links": [], "current": title},
        },
    )


@require_http_methods(["GET", "POST"])
@school_page(Perm.MANAGE_STAFF)
def invite(request, page: SchoolPage):
    """The principal invites people of the staff list: the ones ticked, or everyone with an address."""
    school = page.school
    holders = set(Role.objects.filter(school=school).values_list("user_id", flat=True).order_by())
    staff = list(Person.objects.filter(school=school).order_by("last_name", "first_name", "pk"))
    candidates = [p for p in staff if invitable(p, holders)]
    choices = [(str(p.pk), f"{p.full_name} <{p.email}>") for p in candidates]
    form = InviteForm(_posted(request), choices=choices)
    if request.method == "POST" and form.is_valid():
        chosen = (
            candidates
            if "all" in request.POST
            else [p for p in candidates if str(p.pk) in form.cleaned_data["persons"]]
        )
        if not chosen:
            form.add_error("persons", _("Cochez au moins une personne, ou invitez tout le monde."))
        else:
            count = teachers_invite(school=school, persons=chosen, by=request.user)
            messages.success(request, _("%(count)s invitation(s) envoyée(s).") % {"count": count})
            return redirect("helpdesk:invite", school.uai)
    invited = [p for p in staff if p.user_id in holders and p.is_active]
    title = _("Inviter l'équipe pédagogique")
    crumbs = {
        "links": [{"url": reverse("schools:staff", args=[school.uai]), "title": _("Personnels")}],
        "current": title,
    }
    context = {"school": school, "form": form, "candidates": candidates, "invited": invited, "title": title}
    return render(
        request, "helpdesk/invite.html", {**context, "breadcrumb_data": crumbs}, status=400 if form.errors else 200
    )


@require_GET
@school_page(Perm.VIEW_TEAM_PAGE)
def requests(request, page: SchoolPage):
    """The book: a teacher's own requests, or every request of the school for its referents and principal."""
    if not (page.can(Perm.FILE_HELP_REQUEST) or page.can(Perm.HANDLE_HELP_REQUESTS)):
        raise PermissionDenied
    school, year = page.school, SchoolYear.current()
    state = request.GET.get("etat", "")
    items = selectors.request_list(request.user, school, page.perms, year, state=state)
    title = _("Demandes d'intervention %(year)s") % {"year": year.name}
    return render(
        request,
        "helpdesk/requests.html",
        {
            "school": school,
            "items": items,
            "state": state,
            "states": HelpRequest.State.choices,
            "handles": page.can(Perm.HANDLE_HELP_REQUESTS),
            "can_file": page.can(Perm.FILE_HELP_REQUEST),
            "can_view_figures": page.can(Perm.VIEW_HELP_FIGURES),
            "title": title,
            "breadcrumb_data": _crumbs(school, title),
        },
    )


@require_http_methods(["GET", "POST"])
@school_page(Perm.FILE_HELP_REQUEST)
def request_file(request, page: SchoolPage):
    """A teacher files a request in under a minute."""
    school, year = page.school, SchoolYear.current()
    topics = selectors.request_topics(school, year)
    form = HelpRequestForm(_posted(request), request.FILES or None, topics=topics)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        rows = {row.pk: row for row in (selectors.submitted_plan(school, year).rows.all() if topics else [])}
        try:
            filed = help_request_file(
                school=school,
                school_year=year,
                data=HelpRequestInput(
                    kind=data["kind"],
                    subject=data["subject"],
                    location=data["location"],
                    urgency=data["urgency"],
                    description=data["description"],
                    row=rows.get(data["row"]),
                    screenshot=data["screenshot"],
                ),
                by=request.user,
            )
        except DomainError as error:
            form.add_error(error.field, error.message)
        else:
            messages.success(request, _("Votre demande est déposée : les référents sont prévenus."))
            return redirect("helpdesk:request", school.uai, filed.pk)
    title = _("Nouvelle demande d'intervention")
    context = {"school": school, "form": form, "title": title, "breadcrumb_data": _crumbs(school, title, book=True)}
    return render(request, "helpdesk/request_form.html", context, status=400 if form.errors else 200)


def _request_or_404(request, page: SchoolPage, pk: int) -> HelpRequest:
    scoped = selectors.visible_requests(request.user, page.school, page.perms).select_related("school", "author__user")
    return object_or_404(scoped, NOT_FOUND, pk=pk)


def _act(request, help_request: HelpRequest, form: HelpActionForm) -> int | None:
    """Take the posted step; None once done, else the status of the page shown again with the message."""
    if not form.is_valid():
        return 400
    data = form.cleaned_data
    try:
        help_request_act(
            request=help_request,
            action=data["action"],
            expected_version=data["version"],
            note=data["note"],
            ticket_number=data["ticket_number"],
            ticket_url=data["ticket_url"],
            by=request.user,
        )
    except VersionConflict as error:  # someone acted on it meanwhile: the page shows the current state
        form.add_error(None, str(error))
        return 409
    except DomainError as error:
        form.add_error(None, str(error))
        return 400
    return None


@require_http_methods(["GET", "POST"])
@school_page(Perm.VIEW_TEAM_PAGE)
def request_detail(request, page: SchoolPage, pk: int):
    """A request, its history, and the steps this user may take (its abilities)."""
    help_request = _request_or_404(request, page, pk)
    form, status = HelpActionForm(_posted(request)), 200
    if request.method == "POST":
        status = _act(request, help_request, form)
        if status is None:
            messages.success(request, _("C'est enregistré."))
            return redirect("helpdesk:request", page.school.uai, pk)
        help_request = _request_or_404(request, page, pk)
    return render(
        request,
        "helpdesk/request_detail.html",
        {
            "school": page.school,
            "item": help_request,
            "events": selectors.request_detail(help_request),
            "can": help_request.abilities(request.user, page.perms),
            "form": form,
            "title": help_request.subject,
            "breadcrumb_data": _crumbs(page.school, help_request.subject, book=True),
        },
        status=status,
    )


@require_GET
@school_page(Perm.VIEW_TEAM_PAGE)
def request_screenshot(request, page: SchoolPage, pk: int):
    help_request = _request_or_404(request, page, pk)
    if not help_request.screenshot:
        return render(request, "404.html", status=404)
    content_type = "image/png" if help_request.screenshot_format == "png" else "image/jpeg"
    response = FileResponse(help_request.screenshot.open("rb"), content_type=content_type)
    response["Content-Disposition"] = f'inline; filename="capture-{pk}.{help_request.screenshot_format}"'
    return response


FIGURE_HEADER = ["Indicateur", "Valeur"]


def _figure_rows(figures) -> list[list]:
    def duration(delta):
        return format_duration(int(delta.total_seconds() // 60)) if delta else ""

    share = figures.passed_on_share
    return [
        [_("Demandes de l'année"), figures.total],
        *[[kind, count] for kind, count in figures.by_kind],
        [_("Demandes ouvertes"), figures.open],
        [_("Délai moyen de première réponse"), duration(figures.first_answer)],
        [_("Délai moyen de clôture"), duration(figures.to_close)],
        [_("Transmises à la collectivité"), figures.passed_on],
        [_("Part transmise à la collectivité"), f"{share} %" if share is not None else ""],
    ]


@require_GET
@school_page(Perm.VIEW_HELP_FIGURES)
def figures(request, page: SchoolPage):
    """The year's requests in figures, for the principal (and the point d'étape), with their CSV export."""
    year = SchoolYear.current()
    rows = _figure_rows(selectors.help_figures(page.school, year))
    if request.GET.get("format") == "csv":
        return csv_response(f"demandes-{page.school.uai}-{year.name}.csv", FIGURE_HEADER, rows)
    title = _("Demandes d'intervention %(year)s en chiffres") % {"year": year.name}
    context = {
        "school": page.school,
        "rows": rows,
        "title": title,
        "breadcrumb_data": _crumbs(page.school, title, book=True),
    }
    return render(request, "helpdesk/figures.html", context)


@require_GET
def collectivity_figures(request):
    """How many requests each of its schools passed on this year (counts, never content)."""
    year = SchoolYear.current()
    sections = [(c, selectors.collectivity_passed_on(c, year)) for c in user_collectivities(request.user)]
    title = _("Demandes transmises par les établissements %(year)s") % {"year": year.name}
    context = {"sections": sections, "school_year": year, "title": title}
    return render(
        request, "helpdesk/collectivity.html", {**context, "breadcrumb_data": {"links": [], "current": title}}
    )


# --- sessions ---------------------------------------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
@school_page(Perm.VIEW_TEAM_PAGE, post=Perm.RUN_SESSIONS)
def sessions(request, page: SchoolPage):
    """The sessions to come and past; a referent schedules one here."""
    school, year = page.school, SchoolYear.current()
    form = SessionForm(_posted(request)) if page.can(Perm.RUN_SESSIONS) else None
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            session = team_session_schedule(
                school=school,
                school_year=year,
                data=SessionInput(data["topic"], form.starts_at(), data["room"], data["places"], data["minutes"]),
                by=request.user,
            )
        except DomainError as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, _("La session est proposée à l'équipe."))
            return redirect("helpdesk:session", school.uai, session.pk)
    title = _("Sessions de prise en main")
    context = {
        "school": school,
        "upcoming": selectors.upcoming_sessions(school, request.user),
        "past": selectors.past_sessions(school, year, request.user),
        "form": form,
        "title": title,
        "breadcrumb_data": _crumbs(school, title),
    }
    return render(request, "helpdesk/sessions.html", context, status=400 if form is not None and form.errors else 200)


def _session_action(request, page: SchoolPage, session: TeamSession) -> str:
    """Register, unregister or record attendance; the error message, or "" once done."""
    action = request.POST.get("action", "")
    try:
        if action == "register" and page.can(Perm.ATTEND_SESSIONS):
            team_session_register(session=session, by=request.user)
            messages.success(request, _("Vous êtes inscrit(e) à la session."))
        elif action == "unregister" and page.can(Perm.ATTEND_SESSIONS):
            team_session_unregister(session=session, by=request.user)
            messages.success(request, _("Votre place est libérée."))
        elif action == "attendance" and page.can(Perm.RUN_SESSIONS):
            present = {int(v) for v in request.POST.getlist("present") if v.isdecimal() and len(v) < 10}
            team_session_record_attendance(session=session, present_ids=present, by=request.user)
            messages.success(request, _("Les présences sont notées."))
        else:
            return _("Cette action n'est pas possible.")
    except DomainError as error:
        return str(error)
    return ""


def _session_crumbs(school, title: str) -> dict:
    crumbs = _crumbs(school, title)
    crumbs["links"].append(
        {"url": reverse("helpdesk:sessions", args=[school.uai]), "title": _("Sessions de prise en main")}
    )
    return crumbs


@require_http_methods(["GET", "POST"])
@school_page(Perm.VIEW_TEAM_PAGE)
def session_detail(request, page: SchoolPage, pk: int):
    scoped = selectors.sessions_of(page.school, request.user)
    session = object_or_404(scoped, _("Aucune session de votre établissement ne porte ce numéro."), pk=pk)
    error = ""
    if request.method == "POST":
        error = _session_action(request, page, session)
        if not error:
            return redirect("helpdesk:session", page.school.uai, pk)
    registrations = selectors.session_registrations(session) if page.can(Perm.RUN_SESSIONS) else []
    attendance = AttendanceForm(
        choices=[(str(r.pk), r.person.full_name) for r in registrations],
        initial={"present": [str(r.pk) for r in registrations if r.attended]},
    )
    title = session.topic
    context = {
        "school": page.school,
        "session": session,
        "error": error,
        "registrations": registrations,
        "attendance": attendance,
        "can_attend": page.can(Perm.ATTEND_SESSIONS),
        "runs_it": session.referent.user_id == request.user.pk,
        "title": title,
        "breadcrumb_data": _session_crumbs(page.school, title),
    }
    return render(request, "helpdesk/session_detail.html", context, status=400 if error else 200)
