# RUPN production image: gunicorn (web), celery worker and celery beat all run from it (see docker-compose.yml).
FROM python:3.12-slim-bookworm

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1

# WeasyPrint's native libraries (Pango, HarfBuzz's subsetter) and a fallback font.
RUN apt-get update \
    && apt-get install -y --no-install-recommends \
        libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 fonts-dejavu-core \
    && rm -rf /var/lib/apt/lists/*

RUN groupadd --system --gid 10001 rupn \
    && useradd --system --uid 10001 --gid rupn --home-dir /app --no-create-home --shell /usr/sbin/nologin rupn

WORKDIR /app

# Runtime dependencies only, locked with their hashes (requirements/runtime.txt, compiled by `make lock`);
# the test and quality tools are in requirements/dev.txt, which production does not install.
COPY requirements/runtime.txt ./requirements-runtime.txt
RUN pip install --require-hashes -r requirements-runtime.txt && rm requirements-runtime.txt

COPY . .

# Static files are collected (hashed, compressed) at build time with the production settings; these values are
# only there so the settings load, nothing is served or stored with them.
RUN DJANGO_SETTINGS_MODULE=rupn.settings.production \
    SECRET_KEY=build-only-not-a-secret \
    ALLOWED_HOSTS=localhost \
    EMAIL_URL=dummymail:// \
    OPENBADGES_ISSUER_EMAIL=build-only@example.org \
    DATABASE_URL=sqlite:////tmp/build.sqlite3 \
    python manage.py collectstatic --noinput --verbosity 0 \
    && mkdir -p /app/var/media \
    && chown -R rupn:rupn /app/var

USER rupn
ENV DJANGO_SETTINGS_MODULE=rupn.settings.production
EXPOSE 8000
CMD ["gunicorn", "rupn.wsgi", "-b", "0.0.0.0:8000", "-c", "deploy/gunicorn.conf.py", "--access-logfile", "-"]
