"""Production settings for the load test (make load): gunicorn answers plain HTTP on 127.0.0.1 only.

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
# plain: unhashed names, nothing to collect first (the fault tests, tests/integration/test_fault_postgres_restart.py).
_static_storage = env.str("LOAD_STATIC_STORAGE", default="")
if _static_storage == "manifest":
    STORAGES["staticfiles"] = {"BACKEND": "django.contrib.staticfiles.storage.ManifestStaticFilesStorage"}  # noqa: F405
elif _static_storage == "plain":
    STORAGES["staticfiles"] = {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}  # noqa: F405
