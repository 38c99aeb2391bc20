"""Open Badges 2.0 hosted verification: the only pages anyone may read without signing in.

They disclose nothing beyond the badge documents themselves: the recipient is a salted hash, and the record
page exists only for a year the referent made public.
"""

import json

from django.contrib.auth.decorators import login_not_required
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_safe

from badges import openbadges
from badges.models import BadgeAward, BadgeClass
from badges.selectors import issuer_academies, public_record, publication_for
from badges.svg_allowlist import served_svg
from rupn.lib.formats import of


def _json_ld(document: dict, status: int = 200) -> HttpResponse:
    response = HttpResponse(
        json.dumps(document, ensure_ascii=False, indent=2),
        content_type=f"{openbadges.CONTENT_TYPE}; charset=utf-8",
        status=status,
    )
    response["Access-Control-Allow-Origin"] = "*"  # verifiers and backpacks fetch these from other sites
    return response


@login_not_required
@require_safe
def issuer(request, code: str):
    return _json_ld(
        openbadges.issuer_profile(openbadges.public_base(request), get_object_or_404(issuer_academies(), code=code))
    )


@login_not_required
@require_safe
def revocations(request, code: str):
    academie = get_object_or_404(issuer_academies(), code=code)
    revoked = (
        BadgeAward.objects.filter(badge__academie=academie, revoked_at__isnull=False)
        .select_related("badge")
        .order_by("revoked_at", "pk")
    )
    return _json_ld(openbadges.revocation_list(openbadges.public_base(request), academie, revoked))


@login_not_required
@require_safe
def badge(request, pk: int):
    found = get_object_or_404(BadgeClass.objects.select_related("academie"), pk=pk)
    return _json_ld(openbadges.badge_class(openbadges.public_base(request), found))


@login_not_required
@require_safe
def badge_image(request, pk: int):
    found = get_object_or_404(BadgeClass, pk=pk)
    try:
        handle = found.image.open("rb")
    except FileNotFoundError as error:
        raise Http404(_("L'image de ce badge est introuvable.")) from error
    if found.image_format == BadgeClass.ImageFormat.SVG:
        with handle:
            response = HttpResponse(served_svg(handle.read()), content_type=found.content_type)
    else:
        response = FileResponse(handle, content_type=found.content_type)
    response["Content-Security-Policy"] = "default-src 'none'; style-src 'unsafe-inline'; sandbox"
    response["Access-Control-Allow-Origin"] = "*"
    return response


@login_not_required
@require_safe
def assertion(request, uid):
    """A hosted assertion; a revoked one answers 410 Gone with {"revoked": true, "revocationReason": ...}."""
    award = get_object_or_404(BadgeAward.objects.select_related("badge"), uid=uid)
    base = openbadges.public_base(request)
    if award.is_revoked:
        return _json_ld(openbadges.revoked_assertion(base, award), status=410)
    return _json_ld(openbadges.assertion(base, award, publication_for(award)))


@login_not_required
@require_safe
def record(request, token: str):
    """A referent's public record for one school year: that year's badges and the missions held (the evidence)."""
    publication, awards, rows = public_record(token)
    name = publication.user.get_full_name() or _("Référent numérique")
    title = _("Parcours %(of_name)s en %(year)s") % {"of_name": of(name), "year": publication.school_year.name}
    return render(
        request,
        "badges/record.html",
        {
            "publication": publication,
            "name": name,
            "awards": awards,
            "rows": rows,
            "title": title,
            "breadcrumb_data": {"links": [], "current": title},
        },
    )
