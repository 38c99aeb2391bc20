"""Settings shared by every environment, read from the environment with django-environ."""

import datetime
import warnings
from pathlib import Path
from urllib.parse import urlsplit

import environ
from celery.schedules import crontab

BASE_DIR = Path(__file__).resolve().parent.parent.parent
VAR_DIR = BASE_DIR / "var"
VAR_DIR.mkdir(exist_ok=True)

env = environ.Env()
environ.Env.read_env(BASE_DIR / ".env", overwrite=False)

DEBUG = env.bool("DEBUG", default=True)
SECRET_KEY = env.str("SECRET_KEY", default="dev-only-insecure-key-change-me-in-production-0123456789")
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["127.0.0.1", "localhost", "testserver"])
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.forms",
    "widget_tweaks",
    "dsfr",
    "rupn",
    "schools",
    "notifications",
    "missions",
    "activity",
    "events",
    "imp",
    "documents",
    "helpdesk",
    "dashboard",
    "badges",
    "recognition",
    "portal",
    "demo",
    "axes",
    "mozilla_django_oidc",
    "simple_history",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",  # history_user of the audit records (README "Audit")
    "rupn.lib.middleware.refused_access_log_middleware",
    "django.contrib.auth.middleware.LoginRequiredMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django.middleware.csp.ContentSecurityPolicyMiddleware",
    "rupn.lib.middleware.csp_nonce_middleware",
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "rupn.urls"
WSGI_APPLICATION = "rupn.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.csp",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "rupn.context_processors.site",
            ],
        },
    },
]
FORM_RENDERER = "django.forms.renderers.TemplatesSetting"

DATABASES = {
    "default": env.db("DATABASE_URL", default=f"sqlite:///{VAR_DIR / 'rupn.sqlite3'}"),
}
DATABASES["default"]["ATOMIC_REQUESTS"] = False
DATABASES["default"]["CONN_MAX_AGE"] = env.int("CONN_MAX_AGE", default=0)
# A persistent connection is checked before a request reuses it: after a PostgreSQL restart the first request
# reconnects instead of failing on the dead connection.
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "schools.User"
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "schools:home"
LOGOUT_REDIRECT_URL = "login"
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 12}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",  # first: refuses a locked-out login before the others try
    "portal.accounts.EmailBackend",  # Django's ModelBackend, the e-mail address matched whatever its case
]
# Login throttling (django-axes): after AXES_FAILURE_LIMIT failures for one e-mail address from one IP address, that
# pair is refused for AXES_COOLOFF_TIME (or until staff delete the attempt in the admin, "Axes" section).
AXES_FAILURE_LIMIT = env.int("AXES_FAILURE_LIMIT", default=5)
AXES_COOLOFF_TIME = datetime.timedelta(minutes=env.int("AXES_COOLOFF_MINUTES", default=15))
# The pair (address typed, IP), not the account: someone typing a colleague's address from elsewhere cannot lock
# them out, and a whole school behind one IP (NAT) is not locked by one teacher's typos. The IP is REMOTE_ADDR
# (axes' default): a header such as X-Forwarded-For, which anyone can send, would let an attacker change pair at will.
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_USERNAME_FORM_FIELD = "username"  # the login form posts the e-mail address under this name
AXES_USERNAME_CALLABLE = "portal.accounts.login_address"  # "Anne@…" and "anne@…" are one address for the lock
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_CALLABLE = "portal.accounts.lockout"
AXES_VERBOSE = False  # axes' own log lines name the address typed: ours (rupn.security) give user ids only
AXES_ENABLE_ACCESS_FAILURE_LOG = False
AXES_DISABLE_ACCESS_LOG = True  # successful logins are logged by rupn.security (user id only), not stored
# Optional single sign-on (OpenID Connect, portal/oidc.py): off unless OIDC_ENABLED; see README "Security".
OIDC_ENABLED = env.bool("OIDC_ENABLED", default=False)
OIDC_PROVIDER_NAME = env.str("OIDC_PROVIDER_NAME", default="ProConnect")
OIDC_RP_CLIENT_ID = env.str("OIDC_RP_CLIENT_ID", default="")
OIDC_RP_CLIENT_SECRET = env.str("OIDC_RP_CLIENT_SECRET", default="")
OIDC_RP_SIGN_ALGO = env.str("OIDC_RP_SIGN_ALGO", default="RS256")
# ProConnect names each claim's scope after the claim; another provider ignores the scopes it does not know.
OIDC_RP_SCOPES = env.str("OIDC_RP_SCOPES", default="openid email given_name usual_name uid siret idp_id")
OIDC_OP_AUTHORIZATION_ENDPOINT = env.str("OIDC_OP_AUTHORIZATION_ENDPOINT", default="")
OIDC_OP_TOKEN_ENDPOINT = env.str("OIDC_OP_TOKEN_ENDPOINT", default="")
OIDC_OP_USER_ENDPOINT = env.str("OIDC_OP_USER_ENDPOINT", default="")
OIDC_OP_JWKS_ENDPOINT = env.str("OIDC_OP_JWKS_ENDPOINT", default="")
OIDC_OP_ISSUER = env.str("OIDC_OP_ISSUER", default="")  # checked against the tokens' iss when set
OIDC_OP_LOGOUT_ENDPOINT = env.str("OIDC_OP_LOGOUT_ENDPOINT", default="")  # end_session_endpoint: RP-initiated logout
OIDC_ACR_VALUES = env.str("OIDC_ACR_VALUES", default="")  # e.g. "eidas1" for ProConnect
OIDC_AUTH_REQUEST_EXTRA_PARAMS = {"acr_values": OIDC_ACR_VALUES} if OIDC_ACR_VALUES else {}
OIDC_STORE_ID_TOKEN = True  # the id_token_hint of the provider's logout
OIDC_TIMEOUT = env.int("OIDC_TIMEOUT", default=10)  # seconds, for each call to the provider
OIDC_CREATE_USER = False  # accounts are matched by sub, then e-mail; never created
OIDC_USE_PKCE = True
LOGIN_REDIRECT_URL_FAILURE = "/connexion/"
if OIDC_ENABLED:
    AUTHENTICATION_BACKENDS.append("portal.oidc.ExistingAccountsBackend")
PASSWORD_RESET_TIMEOUT = env.int("PASSWORD_RESET_TIMEOUT", default=3600)
SESSION_COOKIE_AGE = env.int("SESSION_COOKIE_AGE", default=8 * 3600)
SESSION_EXPIRE_AT_BROWSER_CLOSE = True

LANGUAGE_CODE = "fr-fr"
LANGUAGES = [("fr", "Français")]
TIME_ZONE = "Europe/Paris"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = VAR_DIR / "static"
STATICFILES_DIRS = [BASE_DIR / "static"]
MEDIA_ROOT = env.path("MEDIA_ROOT", default=VAR_DIR / "media")
MEDIA_URL = "/media/"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
# make run serves static files through whitenoise with DEBUG off too: straight from the apps' folders, new files
# seen without a restart.
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = True

# E-mail: EMAIL_URL (smtp://user:password@host:587/?tls=True, consolemail://, dummymail://) becomes
# Django 6.1's MAILERS setting (the EMAIL_* settings are deprecated).
_email = env.email_url("EMAIL_URL", default="consolemail://")
_smtp_options = {
    "host": _email.get("EMAIL_HOST"),
    "port": _email.get("EMAIL_PORT"),
    "username": _email.get("EMAIL_HOST_USER"),
    "password": _email.get("EMAIL_HOST_PASSWORD"),
    "use_tls": _email.get("EMAIL_USE_TLS"),
    "use_ssl": _email.get("EMAIL_USE_SSL"),
    "timeout": env.int("EMAIL_TIMEOUT", default=10),
}
MAILERS = {
    "default": {
        "BACKEND": _email["EMAIL_BACKEND"],
        "OPTIONS": (
            {k: v for k, v in _smtp_options.items() if v not in (None, "")}
            if _email["EMAIL_BACKEND"].endswith("smtp.EmailBackend")
            else {}
        ),
    }
}
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default="RUPN <ne-pas-repondre@rupn.example>")
SITE_URL = env.str("SITE_URL", default="http://127.0.0.1:8000")

# The public-sector pages of the footer (mentions légales, accessibilité, données personnelles).
SITE_PUBLISHER = env.str(
    "SITE_PUBLISHER", default="Rectorat de l'académie de Dijon, délégation académique au numérique éducatif (DANE)"
)
SITE_PUBLICATION_DIRECTOR = env.str("SITE_PUBLICATION_DIRECTOR", default="le recteur de l'académie de Dijon")
SITE_HOSTING = env.str("SITE_HOSTING", default="Serveurs de l'académie (à préciser par l'exploitant)")
CONTACT_EMAIL = env.str("CONTACT_EMAIL", default="rupn@rupn.example")

# Open Badges (badges app): the public address that the badges' ids start with (empty: the request's own
# scheme and host), and the DANE's contact address shown in the issuer profile (empty: none).
RUPN_PUBLIC_URL = env.str("RUPN_PUBLIC_URL", default="")
OPENBADGES_ISSUER_EMAIL = env.str("OPENBADGES_ISSUER_EMAIL", default="")

# Celery: with no REDIS_URL, jobs run in-process (make run needs no other service).
REDIS_URL = env.str("REDIS_URL", default="")
CELERY_BROKER_URL = REDIS_URL or "memory://localhost/"
CELERY_RESULT_BACKEND = REDIS_URL or None
CELERY_TASK_ALWAYS_EAGER = not REDIS_URL
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TIMEZONE = TIME_ZONE
# The cache is shared by every web node and worker (README "Production"): with Redis, its own database (the
# broker's number + 1, or REDIS_CACHE_URL), so that clearing the cache never empties the job queue. Without
# Redis (make run), one process: memory.
REDIS_CACHE_URL = env.str("REDIS_CACHE_URL", default="")
if REDIS_URL and not REDIS_CACHE_URL:
    _broker = urlsplit(REDIS_URL)
    _broker_db = int(_broker.path.strip("/") or 0)
    REDIS_CACHE_URL = _broker._replace(path=f"/{_broker_db + 1}").geturl()
CACHES = {
    "default": (
        {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS_CACHE_URL, "KEY_PREFIX": "rupn"}
        if REDIS_CACHE_URL
        else {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}
    )
}
# Static beat schedule (django-celery-beat does not support Django 6.1). The jobs decide what is due from the
# calendar and each académie's reminder settings; every e-mail is claimed once (notifications.reminders).
CELERY_BEAT_SCHEDULE: dict = {
    "rentree-rollover": {  # every morning of September: last year's plan copied as a draft where none exists
        "task": "missions.tasks.rentree_rollover",
        "schedule": crontab(minute=30, hour=6, day_of_month="1-30", month_of_year="9"),
    },
    "reminders-daily": {
        "task": "missions.tasks.reminders_daily",
        "schedule": crontab(minute=0, hour=7),
    },
    # Jobs that could not reach the broker when queued (notifications.outbox): sent once it answers again.
    "outbox_drain": {"task": "notifications.tasks.outbox_drain", "schedule": 60.0},
}

# Printed documents (rupn/lib/pdf.py) and batch printing (documents/printing.py).
PDF_RENDER_TIMEOUT = env.float("PDF_RENDER_TIMEOUT", default=20.0)  # seconds per document
PRINT_BATCH_TTL_HOURS = env.int("PRINT_BATCH_TTL_HOURS", default=72)  # a batch's ZIP is kept this long
CELERY_BEAT_SCHEDULE["print-batches-purge"] = {"task": "rupn.tasks.print_batches_purge", "schedule": 3600.0}
# A running batch whose progress has not moved for this long lost its worker: the beat job queues it again (it
# starts over). Far above PDF_RENDER_TIMEOUT, the longest a live worker spends on one school.
PRINT_BATCH_STALLED_SECONDS = env.int("PRINT_BATCH_STALLED_SECONDS", default=300)
CELERY_BEAT_SCHEDULE["print-batches-reap"] = {"task": "rupn.tasks.print_batches_reap", "schedule": 60.0}
# RGPD: staff no longer in post are anonymized this many years after the school year of their last mission.
ANONYMIZE_AFTER_YEARS = env.int("ANONYMIZE_AFTER_YEARS", default=2)
CELERY_BEAT_SCHEDULE["anonymize-persons"] = {"task": "rupn.tasks.anonymize_persons", "schedule": 24 * 3600}

SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
from django.utils.csp import CSP  # noqa: E402

SECURE_CSP = {
    "default-src": [CSP.SELF],
    "script-src": [CSP.SELF, CSP.NONCE],
    "style-src": [CSP.SELF],
    "img-src": [CSP.SELF, "data:"],
    "font-src": [CSP.SELF],
    "frame-ancestors": [CSP.NONE],
    "form-action": [CSP.SELF],
    "base-uri": [CSP.SELF],
    "object-src": [CSP.NONE],
}
if OIDC_ENABLED and OIDC_OP_LOGOUT_ENDPOINT:
    # The logout button's form is answered by a redirect to the provider's end of session (RP-initiated logout):
    # browsers apply form-action to that redirect too.
    _logout = urlsplit(OIDC_OP_LOGOUT_ENDPOINT)
    SECURE_CSP["form-action"] = [CSP.SELF, f"{_logout.scheme}://{_logout.netloc}"]

# DSFR forms: required fields are not marked, optional ones say "(Optionnel)", and each form with required
# fields starts with "Sauf mention contraire, tous les champs sont obligatoires." (the DSFR's current rule).
# django-dsfr warns that this transitional setting will go: the warning says nothing we can act on.
DSFR_MARK_OPTIONAL_FIELDS = True
# django-dsfr's tags mark their text content safe unless told otherwise: a message naming a school or a person
# would then be HTML. Off: the content is escaped like any template variable (format_html/mark_safe still pass).
DSFR_CONTENT_IS_SAFE = False
warnings.filterwarnings("ignore", message="Transitional Django setting DSFR_MARK_OPTIONAL_FIELDS", category=UserWarning)

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", default="INFO")},
    "loggers": {
        "django.template": {"level": "INFO"},
        # axes' own lines name the address typed (personal data); rupn.security logs user ids instead.
        "axes": {"level": "ERROR"},
        "pikepdf": {"level": "WARNING"},  # its import says INFO "C++ to Python logger bridge initialized"
    },
}
