"""The production settings pass Django's deployment checklist with no warning."""

import os
import subprocess
import sys

from django.conf import settings

PRODUCTION_ENV = {
    "DJANGO_SETTINGS_MODULE": "rupn.settings.production",
    "SECRET_KEY": "k3P9#vQ2@zL8!mW5&rT1^yB7*nX4%cF6-hJ0+dSg9Lq2Vw8Ez-aU3oN",
    "ALLOWED_HOSTS": "rupn.example.fr",
    "EMAIL_URL": "smtp://rupn:secret@smtp.example.fr:587/?tls=True",
    "OPENBADGES_ISSUER_EMAIL": "numerique@ac-dijon.fr",
    "DATABASE_URL": "postgres://rupn:secret@127.0.0.1:5432/rupn",
    "REDIS_URL": "redis://127.0.0.1:6379/0",
}


def test_check_deploy_with_production_settings_reports_nothing():
    env = {
        **{k: v for k, v in os.environ.items() if k != "DJANGO_ALLOW_ASYNC_UNSAFE"},  # set by the browser tests
        **PRODUCTION_ENV,
    }
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=settings.BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues" in result.stdout


def test_production_settings_refuse_to_start_without_a_secret_key():
    env = {k: v for k, v in os.environ.items() if k != "SECRET_KEY"}
    env.update(DJANGO_SETTINGS_MODULE="rupn.settings.production", ALLOWED_HOSTS="rupn.example.fr")
    result = subprocess.run(
        [sys.executable, "manage.py", "check"],
        cwd=settings.BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode != 0
    assert "SECRET_KEY" in result.stderr


def test_production_builds_the_open_badges_ids_on_the_sites_address_unless_told_otherwise():
    env = {k: v for k, v in os.environ.items() if k not in ("RUPN_PUBLIC_URL", "DJANGO_ALLOW_ASYNC_UNSAFE")}
    code = "from django.conf import settings; print(settings.RUPN_PUBLIC_URL)"

    def public_url(**extra) -> str:
        result = subprocess.run(
            [sys.executable, "manage.py", "shell", "-c", code],
            cwd=settings.BASE_DIR,
            env={**env, **PRODUCTION_ENV, "SITE_URL": "https://rupn.example.fr", **extra},
            capture_output=True,
            text=True,
            timeout=120,
        )
        assert result.returncode == 0, result.stderr
        return result.stdout.strip().splitlines()[-1]

    assert public_url() == "https://rupn.example.fr"
    assert public_url(RUPN_PUBLIC_URL="https://badges.ac-dijon.fr") == "https://badges.ac-dijon.fr"


def production_check(**env_changes) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if k != "DJANGO_ALLOW_ASYNC_UNSAFE"} | PRODUCTION_ENV | env_changes
    env = {k: v for k, v in env.items() if v is not None}
    return subprocess.run(
        [sys.executable, "manage.py", "check"],
        cwd=settings.BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_production_settings_refuse_to_start_without_the_open_badges_issuer_email():
    """Open Badges 2.0 requires the issuer's e-mail address: missing, empty or not an address, no start."""
    for value in (None, "", "pas-une-adresse"):
        result = production_check(OPENBADGES_ISSUER_EMAIL=value)
        assert result.returncode != 0, value
        assert "OPENBADGES_ISSUER_EMAIL" in result.stderr, value
    assert production_check().returncode == 0
