"""The STS-web staff import: upload, preview, confirm (thin views over schools.sts_import and the services).

Between the preview and the confirmation, the people read from the file (never birth dates) wait in the user's
session (stored server-side in the database, not in the cookie), under a random token that the confirmation form
posts back; a confirmation with another token, another school, or after the session ended is refused. The file
itself is never kept.
"""

import secrets

from django.contrib import messages
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods

from schools.access import Perm, get_school_or_404
from schools.forms import StsImportForm
from schools.models import Person
from schools.services import staff_sts_import, staff_sts_preview, sts_file_check
from schools.sts_import import FONCTION_LABELS, MAX_BYTES, StsImportError, StsPerson, parse_sts_emp

SESSION_KEY = "sts_import"
FIELD_LABELS = {
    "last_name": _("nom"),
    "first_name": _("prénom"),
    "sts_id": _("identifiant STS-web"),
    "status": _("statut"),
    "discipline": _("discipline"),
    "is_active": _("en poste"),
}


def _pending(request, school) -> dict | None:
    pending = request.session.get(SESSION_KEY)
    if not isinstance(pending, dict) or pending.get("school") != school.pk:
        return None
    return pending


def _shown(name: str, value) -> str:
    if name == "status":
        return str(Person.Status(value).label) if value in Person.Status.values else str(value)
    if name == "is_active":
        return _("oui") if value else _("non")
    return str(value) if value else "—"


def _change_rows(changes) -> list[dict]:
    rows = []
    for change in changes:
        row = change.row
        rows.append(
            {
                "row": row,
                "person": change.person,
                "status_label": Person.Status(row.status).label,
                "fonction_label": FONCTION_LABELS.get(row.fonction, row.fonction or "—"),
                "matched_by": change.matched_by,
                "changes": [
                    {"field": FIELD_LABELS[name], "before": _shown(name, before), "after": _shown(name, after)}
                    for name, (before, after) in change.changes.items()
                ],
            }
        )
    return rows


def _errors_of(error: StsImportError) -> list[str]:
    return [error.message, *[m for m in error.messages if m != error.message]]


def _sts_preview(request, school):
    """POST action "preview": read the file, keep what it says in the session, show the preview (PRG)."""
    form = StsImportForm(request.POST, request.FILES)
    if not form.is_valid():
        return _sts_page(request, school, form=form, status=400)
    upload = form.cleaned_data["export"]
    try:
        parsed = parse_sts_emp(upload.read(MAX_BYTES + 1))
        school_year = sts_file_check(school=school, uai=parsed.uai, year=parsed.year)
        plan = staff_sts_preview(school=school, people=parsed.people)
    except StsImportError as error:
        return _sts_page(request, school, form=form, errors=_errors_of(error), status=400)
    request.session[SESSION_KEY] = {
        "token": secrets.token_urlsafe(24),
        "school": school.pk,
        "year": school_year.name,
        "file_name": upload.name[:200],
        "people": [person.as_dict() for person in parsed.people],
        "absent": [person.pk for person in plan.absent],
    }
    return redirect("schools:staff_sts", uai=school.uai)


def _sts_confirm(request, school, action: str):
    """POST actions "confirm" and "cancel": only with the token of the preview the user saw."""
    pending = _pending(request, school)
    if pending is None or not secrets.compare_digest(str(pending.get("token")), request.POST.get("token", "")):
        messages.error(request, _("Cet aperçu n'est plus disponible : envoyez à nouveau le fichier."))
        return redirect("schools:staff_sts", uai=school.uai)
    del request.session[SESSION_KEY]
    if action == "cancel":
        messages.info(request, _("Import annulé : rien n'a été enregistré."))
        return redirect("schools:staff", uai=school.uai)
    people = [StsPerson.from_dict(data) for data in pending["people"]]
    chosen = {int(pk) for pk in request.POST.getlist("absent") if pk.isascii() and pk.isdecimal()}
    try:
        plan = staff_sts_import(
            school=school, people=people, absent_ids=chosen & set(pending["absent"]), by=request.user
        )
    except StsImportError as error:
        return _sts_page(request, school, errors=_errors_of(error), status=400)
    counts = {"created": len(plan.created), "updated": len(plan.updated), "unchanged": len(plan.unchanged)}
    messages.success(
        request,
        _(
            "Import STS-web terminé : %(created)d ajout(s), %(updated)d mise(s) à jour, %(unchanged)d "
            "inchangé(s), %(left)d personne(s) marquée(s) comme n'étant plus en poste."
        )
        % {**counts, "left": len(plan.left)},
    )
    return redirect("schools:staff", uai=school.uai)


def _preview(request, school) -> tuple[dict | None, list[str]]:
    """The preview waiting in the session, recomputed against today's staff list, or the errors that stop it."""
    pending = _pending(request, school)
    if pending is None:
        return None, []
    people = [StsPerson.from_dict(data) for data in pending["people"]]
    try:
        plan = staff_sts_preview(school=school, people=people)
    except StsImportError as error:
        return None, [error.message, *error.messages]
    return {
        "token": pending["token"],
        "year": pending["year"],
        "file_name": pending["file_name"],
        "created": _change_rows(plan.created),
        "updated": _change_rows(plan.updated),
        "unchanged": _change_rows(plan.unchanged),
        "absent": plan.absent,
        "summary": ngettext("%(count)d personne dans le fichier", "%(count)d personnes dans le fichier", len(people))
        % {"count": len(people)},
    }, []


def _sts_page(request, school, *, form=None, errors=(), status=200):
    preview, preview_errors = (None, []) if errors else _preview(request, school)
    links = [
        {"url": reverse("schools:detail", args=[school.uai]), "title": school.name},
        {"url": reverse("schools:staff", args=[school.uai]), "title": _("Personnels")},
    ]
    context = {
        "school": school,
        "form": form or StsImportForm(),
        "errors": list(errors) or preview_errors,
        "preview": preview,
        "breadcrumb_data": {"links": links, "current": _("Import STS-web")},
        "title": _("Import de l'export STS-web – Personnels – %(school)s") % {"school": school.name},
    }
    return render(request, "schools/staff_sts.html", context, status=status)


@never_cache  # personal data: never kept by a browser or a proxy (Cache-Control: no-store)
@require_http_methods(["GET", "POST"])
def staff_sts(request, uai: str):
    """One URL: GET shows the form (and the preview waiting in the session); POST says its action."""
    school = get_school_or_404(request.user, uai, perm=Perm.MANAGE_STAFF)
    if request.method == "GET":
        return _sts_page(request, school)
    action = request.POST.get("action", "")
    if action == "preview":
        return _sts_preview(request, school)
    if action in ("confirm", "cancel"):
        return _sts_confirm(request, school, action)
    return _sts_page(request, school, errors=[_("Action inconnue.")], status=400)
