"""Print the OIDC_OP_* settings of a provider from its discovery document (/.well-known/openid-configuration).

python manage.py oidc_discover https://auth.proconnect.gouv.fr/api/v2/.well-known/openid-configuration >> .env
"""

import requests
from django.core.management.base import BaseCommand, CommandError

# setting -> key of the discovery document (OpenID Connect Discovery 1.0, and RP-Initiated Logout 1.0)
ENDPOINTS = {
    "OIDC_OP_ISSUER": "issuer",
    "OIDC_OP_AUTHORIZATION_ENDPOINT": "authorization_endpoint",
    "OIDC_OP_TOKEN_ENDPOINT": "token_endpoint",
    "OIDC_OP_USER_ENDPOINT": "userinfo_endpoint",
    "OIDC_OP_JWKS_ENDPOINT": "jwks_uri",
    "OIDC_OP_LOGOUT_ENDPOINT": "end_session_endpoint",
}


def discover(url: str, *, timeout: int = 10) -> dict[str, str]:
    """The OIDC_OP_* settings read from the discovery document at `url`; ValueError when it lacks one."""
    response = requests.get(url, timeout=timeout)
    response.raise_for_status()
    document = response.json()
    missing = [key for key in ENDPOINTS.values() if not isinstance(document.get(key), str)]
    if missing:
        raise ValueError(f"the discovery document has no {', '.join(missing)}")
    return {setting: document[key] for setting, key in ENDPOINTS.items()}


class Command(BaseCommand):
    help = "Print the OIDC_OP_* settings of an OpenID provider from its discovery URL."

    def add_arguments(self, parser):
        parser.add_argument("url", help="the provider's /.well-known/openid-configuration")

    def handle(self, *args, url, **options):
        try:
            found = discover(url)
        except (requests.RequestException, ValueError) as error:
            raise CommandError(f"{url}: {error}") from error
        for setting, value in found.items():
            self.stdout.write(f"{setting}={value}")
