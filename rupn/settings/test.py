"""Test settings: a fast hasher, locmem e-mail, plain static storage."""

from rupn.settings.base import *  # noqa: F403

DEBUG = False
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
MAILERS = {"default": {"BACKEND": "django.core.mail.backends.locmem.EmailBackend"}}
WHITENOISE_AUTOREFRESH = True
LOGGING["loggers"]["django.template"] = {"level": "DEBUG", "propagate": True}  # noqa: F405
# Jobs run in-process in tests; tests/integration starts a real worker on Redis and switches this off.
CELERY_TASK_ALWAYS_EAGER = True
# Each test process keeps its own cache, whatever REDIS_URL says (the two-node test checks the shared one).
CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
