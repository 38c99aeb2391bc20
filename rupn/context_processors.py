"""Values every page needs: the site's settings, and who is signed in (for the DSFR header)."""

from dataclasses import dataclass, field
from types import SimpleNamespace

from django.conf import settings
from django.utils.functional import SimpleLazyObject
from django.utils.translation import gettext_lazy as _

from rupn.lib.formats import of
from schools.access import Perm, academie_ids_with

SITE_CONFIG = SimpleNamespace(
    site_title=_("RUPN — Référents numériques"),
    site_short_title="RUPN",
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


@dataclass(frozen=True)
class RoleLine:
    """One role of the signed-in user, as the header says it: "Chef d'établissement · Collège X"."""

    kind: str
    scope: str
    uai: str = ""


@dataclass
class Account:
    """The signed-in user's name, roles and schools, and which of them the current page is about."""

    name: str = ""
    roles: list[RoleLine] = field(default_factory=list)
    schools: list[tuple[str, str]] = field(default_factory=list)  # (uai, name) of school-level roles
    current_uai: str = ""
    view_name: str = ""

    @property
    def current_role(self) -> RoleLine | None:
        """The role the current page is seen through: the one in this page's school, else the first."""
        for role in self.roles:
            if role.uai and role.uai == self.current_uai:
                return role
        return next((role for role in self.roles if not role.uai), self.roles[0] if self.roles else None)

    @property
    def has_several_schools(self) -> bool:
        return len(self.schools) > 1


def account_for(request) -> Account:
    """The header's account data: one query for the roles and their scopes, once per request."""
    cached = getattr(request, "_rupn_account", None)
    if cached is not None:
        return cached
    match = getattr(request, "resolver_match", None)
    account = Account(
        current_uai=str((match.kwargs.get("uai") if match else "") or "").upper(),
        view_name=match.view_name if match else "",
    )
    user = getattr(request, "user", None)
    if user is not None and user.is_authenticated:
        account.name = user.get_full_name() or user.email
        schools: dict[str, str] = {}
        for role in user.roles.select_related("school", "academie", "collectivity").order_by("kind", "pk"):
            if role.school_id:
                scope, uai = role.school.name, role.school.uai
                schools[uai] = role.school.name
            elif role.academie_id:
                scope, uai = _("Académie %(of_name)s") % {"of_name": of(role.academie.name)}, ""
            else:
                scope, uai = (role.collectivity.name if role.collectivity_id else ""), ""
            account.roles.append(RoleLine(kind=role.get_kind_display(), scope=scope, uai=uai))
        if not account.roles and user.is_staff:
            account.roles.append(RoleLine(kind=str(_("Administrateur")), scope=""))
        account.schools = sorted(schools.items(), key=lambda item: (item[1], item[0]))
    request._rupn_account = account
    return account


def site(request) -> dict:
    return {
        "SITE_CONFIG": SITE_CONFIG,
        "title": "",
        "breadcrumb_data": None,
        "account": SimpleLazyObject(lambda: account_for(request)),
        "can_print_batches": SimpleLazyObject(lambda: _can_print_batches(request)),
        "oidc_provider_name": settings.OIDC_PROVIDER_NAME if settings.OIDC_ENABLED else "",
    }


def _can_print_batches(request) -> bool:
    """DANE and rectorat staff get the "Impressions" menu entry (the roles query is cached per request)."""
    user = getattr(request, "user", None)
    return bool(user is not None and academie_ids_with(user, Perm.PRINT_BATCH))
