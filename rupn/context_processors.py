"""Values every page needs, without a database query (or one cached query, when a page asks for it)."""

from types import SimpleNamespace

from django.utils.functional import SimpleLazyObject
from django.utils.translation import gettext_lazy as _

SITE_CONFIG = SimpleNamespace(
    site_title=_("RUPN — Référents numériques"),
    site_tagline=_("Missions des référents pour les ressources et usages pédagogiques numériques"),
    mourning=False,
    notice_title="",
    notice_description="",
    notice_link="",
    notice_type="",
    notice_icon_class="",
    notice_is_collapsible=False,
    footer_brand="",
    footer_brand_html=None,
    footer_description="",
    operator_logo_file=None,
    operator_logo_alt="",
    operator_logo_width=0,
    header_brand="",
    header_brand_html=None,
)


def site(request) -> dict:
    return {
        "SITE_CONFIG": SITE_CONFIG,
        "title": "",
        "breadcrumb_data": None,
        "can_print_batches": SimpleLazyObject(lambda: _can_print_batches(request)),
    }


def _can_print_batches(request) -> bool:
    """DANE and rectorat staff get the "Impressions" menu entry (the roles query is cached per request)."""
    from rupn.access import Perm, academie_ids_with

    user = getattr(request, "user", None)
    return bool(user is not None and academie_ids_with(user, Perm.PRINT_BATCH))
