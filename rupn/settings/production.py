"""Production settings: everything from the environment, secure by default."""

from django.core.exceptions import ImproperlyConfigured, ValidationError
from django.core.validators import validate_email

from rupn.settings.base import *  # noqa: F403
from rupn.settings.base import env

DEBUG = False
SECRET_KEY = env.str("SECRET_KEY")
env.str("EMAIL_URL")  # required: production sends real e-mail (smtp://…)
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS")
# Open Badges 2.0 requires the issuer's e-mail address in its profile: with the badges on, no start without it.
if "badges" in INSTALLED_APPS:  # noqa: F405
    OPENBADGES_ISSUER_EMAIL = env.str("OPENBADGES_ISSUER_EMAIL")
    try:
        validate_email(OPENBADGES_ISSUER_EMAIL)
    except ValidationError as error:
        raise ImproperlyConfigured(
            "OPENBADGES_ISSUER_EMAIL must be the DANE's e-mail address (Open Badges 2.0 requires the issuer's)"
        ) from error
# The Open Badges ids are baked into downloaded images: in production they are built on the site's public address.
RUPN_PUBLIC_URL = env.str("RUPN_PUBLIC_URL", default=SITE_URL)  # noqa: F405
DATABASES["default"]["CONN_MAX_AGE"] = env.int("CONN_MAX_AGE", default=60)  # noqa: F405
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True  # noqa: F405
STORAGES["staticfiles"] = {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"}  # noqa: F405
WHITENOISE_USE_FINDERS = False
WHITENOISE_AUTOREFRESH = False

SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=True)
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=31536000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = True
SECURE_HSTS_PRELOAD = True
SESSION_COOKIE_SECURE = True
CSRF_COOKIE_SECURE = True
SESSION_COOKIE_HTTPONLY = True
