"""The DANE's badge pages (define, award in bulk, revoke) and the referent's "Mes badges" (download, publish)."""

import json

from django.contrib import messages
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from badges import openbadges
from badges.baking import bake_png, bake_svg
from badges.forms import AwardFilterForm, AwardForm, BadgeForm, PublicationForm, RevokeForm
from badges.models import BadgeClass, Publication
from badges.selectors import (
    badge_awards,
    issuer_award,
    issuer_badge,
    issuer_badges,
    my_award,
    my_awards,
    publication_for,
    referent_candidates,
)
from badges.services import (
    BadgeImageError,
    award_revoke,
    awards_create_bulk,
    badge_create,
    badge_update,
    publication_set,
)
from badges.svg_allowlist import served_svg
from rupn.lib.errors import DomainError
from rupn.lib.formats import of
from schools.access import Perm, academies_with
from schools.models import SchoolYear, User


def _crumbs(current: str, *links) -> dict:
    return {"links": [{"url": reverse("badges:list"), "title": _("Badges")}, *links], "current": current}


def _badge_link(badge) -> dict:
    return {"url": reverse("badges:detail", args=[badge.pk]), "title": badge.name}


@require_GET
def badge_list(request):
    badges = list(issuer_badges(request.user))
    return render(
        request,
        "badges/list.html",
        {
            "badges": badges,
            "title": _("Badges de la DANE"),
            "breadcrumb_data": {"links": [], "current": _("Badges")},
        },
    )


def _badge_save(request, badge, form):
    """Create the badge (badge None) or change it from the valid form; the badge, its message queued."""
    data = form.cleaned_data
    if badge is None:
        badge = badge_create(
            academie=data["academie"],
            name=data["name"],
            description=data["description"],
            criteria=data["criteria"],
            upload=data["image"],
            by=request.user,
        )
        messages.success(request, _("Le badge « %(name)s » est créé.") % {"name": badge.name})
        return badge
    badge_update(
        badge=badge,
        name=data["name"],
        description=data["description"],
        criteria=data["criteria"],
        upload=data["image"] or None,
        by=request.user,
    )
    messages.success(request, _("Le badge est modifié."))
    return badge


def _badge_form(request, badge, academies) -> BadgeForm:
    if request.method == "POST":
        return BadgeForm(request.POST, request.FILES, academies=academies, editing=badge is not None)
    if badge is None:
        return BadgeForm(initial={"academie": academies.first()}, academies=academies)
    initial = {"name": badge.name, "description": badge.description, "criteria": badge.criteria}
    return BadgeForm(initial=initial, academies=academies, editing=True)


def _badge_form_page(request, badge):
    academies = academies_with(request.user, Perm.MANAGE_BADGES)
    form = _badge_form(request, badge, academies)
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            try:
                badge = _badge_save(request, badge, form)
            except DomainError as error:
                form.add_error("image" if isinstance(error, BadgeImageError) else None, error.message)
            else:
                return redirect("badges:detail", pk=badge.pk)
    title = _("Créer un badge") if badge is None else _("Modifier « %(name)s »") % {"name": badge.name}
    crumbs = _crumbs(title) if badge is None else _crumbs(_("Modifier"), _badge_link(badge))
    return render(
        request,
        "badges/form.html",
        {"form": form, "badge": badge, "title": title, "breadcrumb_data": crumbs},
        status=status,
    )


@require_http_methods(["GET", "POST"])
def badge_create_view(request):
    return _badge_form_page(request, None)


@require_http_methods(["GET", "POST"])
def badge_edit(request, pk: int):
    return _badge_form_page(request, issuer_badge(request.user, pk))


@require_GET
def badge_detail(request, pk: int):
    badge = issuer_badge(request.user, pk)
    base = openbadges.public_base(request)
    return render(
        request,
        "badges/detail.html",
        {
            "badge": badge,
            "awards": list(badge_awards(badge)),
            "badge_json_url": openbadges.badge_url(base, badge),
            "issuer_json_url": openbadges.issuer_url(base, badge.academie),
            "title": badge.name,
            "breadcrumb_data": _crumbs(badge.name),
        },
    )


def _award_post(request, badge, form, school_year) -> bool:
    """Award the badge to the ticked referents; False with the form's errors when refused."""
    if not form.is_valid():
        return False
    chosen = User.objects.filter(pk__in=form.cleaned_data["recipients"]).order_by("pk")
    try:
        created, skipped = awards_create_bulk(
            badge=badge, recipients=chosen, school_year=school_year, note=form.cleaned_data["note"], by=request.user
        )
    except DomainError as error:
        form.add_error(None, error.message)
        return False
    text = _("Badge délivré à %(created)d référent(s).") % {"created": created}
    if skipped:
        text += " " + _("%(skipped)d l'avai(en)t déjà pour cette année.") % {"skipped": skipped}
    messages.success(request, text)
    return True


@require_http_methods(["GET", "POST"])
def badge_award(request, pk: int):
    """The académie's referents, filtered from the URL, to award the badge to in bulk."""
    badge = issuer_badge(request.user, pk)
    filter_form = AwardFilterForm(request.GET or None, academie=badge.academie)
    filters = filter_form.filters()
    candidates = referent_candidates(badge, **filters) if filters["school_year"] else []
    status = 200
    if request.method == "POST":
        form = AwardForm(request.POST, candidates=candidates)
        if _award_post(request, badge, form, filters["school_year"]):
            return redirect("badges:detail", pk=badge.pk)
        status = 400
    else:
        form = AwardForm(candidates=candidates)
    title = _("Délivrer « %(name)s »") % {"name": badge.name}
    return render(
        request,
        "badges/award.html",
        {
            "badge": badge,
            "filter_form": filter_form,
            "form": form,
            "candidates": candidates,
            "school_year": filters["school_year"],
            "title": title,
            "breadcrumb_data": _crumbs(_("Délivrer"), _badge_link(badge)),
        },
        status=status,
    )


@require_http_methods(["GET", "POST"])
def award_revoke_view(request, pk: int):
    """Confirm, with a reason, then revoke (POST)."""
    award = issuer_award(request.user, pk)
    status = 200
    if request.method == "POST":
        form = RevokeForm(request.POST)
        if form.is_valid():
            try:
                award_revoke(award=award, reason=form.cleaned_data["reason"], by=request.user)
            except DomainError as error:
                form.add_error(None, error.message)
                status = 400
            else:
                messages.success(
                    request, _("Le badge %(of_name)s est révoqué.") % {"of_name": of(str(award.recipient))}
                )
                return redirect("badges:detail", pk=award.badge_id)
        else:
            status = 400
    else:
        form = RevokeForm()
    return render(
        request,
        "badges/revoke.html",
        {
            "award": award,
            "form": form,
            "title": _("Révoquer un badge"),
            "breadcrumb_data": _crumbs(_("Révoquer"), _badge_link(award.badge)),
        },
        status=status,
    )


@require_GET
def my_badges(request):
    awards = list(my_awards(request.user))
    base = openbadges.public_base(request)
    for award in awards:
        award.assertion_url = openbadges.assertion_url(base, award)
    publications = {
        p.school_year_id: p
        for p in Publication.objects.filter(user=request.user).select_related("school_year").order_by("pk")
    }
    years = {award.school_year for award in awards if award.school_year is not None}
    years.add(SchoolYear.current())
    year_rows = [
        {
            "year": year,
            "public": bool(publications.get(year.pk) and publications[year.pk].public),
            "url": (
                openbadges.evidence_url(base, publications[year.pk])
                if publications.get(year.pk) and publications[year.pk].public
                else ""
            ),
        }
        for year in sorted(years, key=lambda y: -y.start_year)
    ]
    return render(
        request,
        "badges/mine.html",
        {
            "awards": awards,
            "year_rows": year_rows,
            "title": _("Mes badges"),
            "breadcrumb_data": {"links": [], "current": _("Mes badges")},
        },
    )


@require_GET
def my_badge_download(request, uid, ext: str):
    """The badge image with its assertion baked in (PNG iTXt chunk or SVG element)."""
    award = my_award(request.user, uid)
    if ext != award.badge.image_format:
        return redirect("badges:mine_download", uid=award.uid, ext=award.badge.image_format)
    base = openbadges.public_base(request)
    text = json.dumps(openbadges.assertion(base, award, publication_for(award)), ensure_ascii=False)
    try:
        with award.badge.image.open("rb") as handle:
            image = handle.read()
    except FileNotFoundError as error:
        raise Http404(_("L'image de ce badge est introuvable.")) from error
    if award.badge.image_format == BadgeClass.ImageFormat.SVG:
        baked = served_svg(bake_svg(served_svg(image), text, openbadges.assertion_url(base, award)), baked=True)
    else:
        baked = bake_png(image, text)
    response = HttpResponse(baked, content_type=award.badge.content_type)
    response["Content-Disposition"] = f'attachment; filename="badge-{award.uid}.{ext}"'
    response["Cache-Control"] = "private, no-store"
    response["Content-Security-Policy"] = "default-src 'none'; style-src 'unsafe-inline'; sandbox"
    return response


@require_POST
def publication(request):
    form = PublicationForm(request.POST)
    school_year = None
    if form.is_valid():
        school_year = SchoolYear.objects.filter(start_year=form.cleaned_data["annee"]).first()
    if school_year is None:
        messages.error(request, _("Choisissez une année scolaire."))
        return redirect("badges:mine")
    publication_set(user=request.user, school_year=school_year, public=form.cleaned_data["public"])
    if form.cleaned_data["public"]:
        text = _("Vos badges et votre parcours %(year)s sont publics.")
    else:
        text = _("Vos badges et votre parcours %(year)s ne sont plus publics.")
    messages.success(request, text % {"year": school_year.name})
    return redirect("badges:mine")
