"""Values every page needs, without a database query."""

from types import SimpleNamespace

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
    return {"SITE_CONFIG": SITE_CONFIG, "title": "", "breadcrumb_data": None}
