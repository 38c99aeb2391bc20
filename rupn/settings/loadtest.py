"""Production settings over plain HTTP on 127.0.0.1: the load test (make load) and the two-node test.

Everything is production's (DEBUG off, whitenoise's compressed manifest, persistent connections, the same
middleware), except what a browser over http:// on loopback cannot do: cookies marked Secure would never be
sent back, so the session and CSRF cookies are not marked here. SECURE_SSL_REDIRECT=false and
SECURE_HSTS_SECONDS=0 come from the environment (bench/load/run.py sets them). Never use this module in production.
"""

from rupn.settings.production import *  # noqa: F403
from rupn.settings.production import env

SESSION_COOKIE_SECURE = False
CSRF_COOKIE_SECURE = False
# The load test's collected files go to their own folder (bench/load/run.py), not to var/static of `make run`.
STATIC_ROOT = env.str("LOAD_STATIC_ROOT", default=str(STATIC_ROOT))  # noqa: F405
# LOAD_STATIC_STORAGE=manifest: hashed names without the (slow) compression, for the short smoke test;
# finders or plain: see below.
_static_storage = env.str("LOAD_STATIC_STORAGE", default="")
if _static_storage == "manifest":
    STORAGES["staticfiles"] = {"BACKEND": "django.contrib.staticfiles.storage.ManifestStaticFilesStorage"}  # noqa: F405
# finders (or plain): no collectstatic at all, whitenoise serves the apps' folders (the two-node test and the fault
# tests, which measure nothing).
elif _static_storage in ("finders", "plain"):
    STORAGES["staticfiles"] = {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}  # noqa: F405
    WHITENOISE_USE_FINDERS = True
