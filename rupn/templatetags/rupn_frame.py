"""The page frame's DSFR components, drawn by django-dsfr's own tags and templates."""

from django import template
from django.urls import reverse
from dsfr.templatetags.dsfr_tags import dsfr_breadcrumb

register = template.Library()


@register.inclusion_tag("dsfr/breadcrumb.html", takes_context=True)
def breadcrumb(context, data: dict) -> dict:
    """django-dsfr's breadcrumb for a page's breadcrumb_data ({"links": [...], "current": "…"}), its first link being
    RUPN's home page; the view's dict is not changed."""
    return dsfr_breadcrumb(context, {"root_dir": reverse("schools:home"), **data})
