"""The page frame's DSFR components, drawn by django-dsfr's own tags and templates."""

from django import template
from django.urls import reverse
from dsfr.templatetags.dsfr_tags import dsfr_breadcrumb, dsfr_pagination

register = template.Library()


@register.inclusion_tag("dsfr/breadcrumb.html", takes_context=True)
def breadcrumb(context, data: dict) -> dict:
    """django-dsfr's breadcrumb for a page's breadcrumb_data ({"links": [...], "current": "…"}), its first link being
    RUPN's home page; the view's dict is not changed."""
    return dsfr_breadcrumb(context, {"root_dir": reverse("schools:home"), **data})


@register.inclusion_tag("dsfr/pagination.html", takes_context=True)
def pagination(context, page) -> dict:
    """django-dsfr's pagination for a page of a Paginator: first, previous, the page numbers around this one (with
    "…" between), next, last; its links keep the list's filters (the request's query string)."""
    page.pages_list = list(page.paginator.get_elided_page_range(page.number, on_each_side=2, on_ends=1))
    return dsfr_pagination(context, page)
