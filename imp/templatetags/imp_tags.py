"""Template helpers of the IMP pages: amounts in euros, state badges, and the links other pages show."""

from django import template

from imp.models import ImpAward
from rupn.lib.formats import format_euros
from schools.access import Perm, academie_ids_with, school_ids_with, school_perms

register = template.Library()

BADGES = {
    ImpAward.State.DRAFT: "fr-badge--new",
    ImpAward.State.PROPOSED: "fr-badge--info",
    ImpAward.State.ACCEPTED: "fr-badge--info",
    ImpAward.State.VALIDATED: "fr-badge--success",
    ImpAward.State.PAYING: "fr-badge--success",
    ImpAward.State.CLOSED: "",
    ImpAward.State.DECLINED: "fr-badge--warning",
    ImpAward.State.REJECTED: "fr-badge--error",
    ImpAward.State.WITHDRAWN: "",
}


@register.filter
def euros(value) -> str:
    """1250 -> "1 250,00 €"."""
    return format_euros(value)


@register.filter
def state_badge(state: str) -> str:
    return BADGES.get(state, "")


def _links(context, school) -> dict:
    user = context["request"].user
    return {
        "school": school,
        "can_view": Perm.VIEW_IMP in school_perms(user, school),
        "is_referent": school.pk in school_ids_with(user, Perm.LOG_ACTIVITY),
    }


@register.inclusion_tag("imp/_school_card.html", takes_context=True)
def imp_school_card(context, school, plans):
    """The IMP card of the school page: one link per year shown there (no database query)."""
    return _links(context, school) | {"years": [item["year"] for item in plans]}


@register.inclusion_tag("imp/_plan_link.html", takes_context=True)
def imp_plan_link(context, school, school_year):
    """The link from the allocation table to the year's IMP (no database query)."""
    return _links(context, school) | {"school_year": school_year}


@register.inclusion_tag("imp/_nav_item.html", takes_context=True)
def imp_nav_item(context):
    """One menu entry: the validation queue for the rectorat, "Mes IMP" for referents (the roles are cached)."""
    request = context["request"]
    return {
        "request": request,
        "rectorat": bool(academie_ids_with(request.user, Perm.VALIDATE_IMP)),
        "referent": bool(school_ids_with(request.user, Perm.LOG_ACTIVITY)),
    }
