# RUPN: developer and CI entry points.
#   make run      local demo: SQLite under var/, tasks run in-process (no Redis), http://127.0.0.1:8000
#   make test     pytest against throwaway PostgreSQL + Redis servers (.ci/test-services); PYTEST_ARGS="-k foo"
#   make quality  ruff format --check, ruff check, makemigrations --check, lint-imports (the layers)
#   make format   apply ruff format and ruff check --fix
#   make bench    run bench/[!_]*.py in order (throwaway SQLite, or BENCH_DATABASE_URL); results in bench/RESULTS.md
#   make lock     recompile requirements/*.txt (hashes) from requirements/*.in after changing a pin
#   make load     load test: gunicorn + throwaway PostgreSQL on 127.0.0.1, 50 wrk users for 2 min, then
#                 checks no write was lost (LOAD_USERS, LOAD_DURATION in seconds); figures in bench/RESULTS.md

SHELL := /bin/bash
.SHELLFLAGS := -eu -o pipefail -c
.DEFAULT_GOAL := help

VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.requirements.stamp
UV_VERSION := 0.13.9
PYTEST_ARGS ?=

.PHONY: help venv run test quality format bench load lock

help:
	@sed -n 's/^#   //p' Makefile

venv: $(STAMP)

# Find a Python >= 3.12 with venv support: PATH first, then pyenv, then pyenv's usual folder.
# (A pyenv shim such as python3.12 may exist and still refuse to run: each candidate is run.)
$(PY):
	@ok() { "$$1" -c 'import sys, venv, ensurepip; sys.exit(sys.version_info < (3, 12))' >/dev/null 2>&1; }; \
	found=""; \
	for c in python3.13 python3.12 python3; do \
	  p=$$(command -v "$$c" 2>/dev/null) || continue; \
	  if ok "$$p"; then found=$$p; break; fi; \
	done; \
	if [ -z "$$found" ] && command -v pyenv >/dev/null 2>&1; then \
	  for v in 3.12 3.13; do \
	    pre=$$(pyenv prefix "$$v" 2>/dev/null) || continue; \
	    if ok "$$pre/bin/python"; then found=$$pre/bin/python; break; fi; \
	  done; \
	fi; \
	if [ -z "$$found" ]; then \
	  for p in /root/.pyenv/versions/3.12*/bin/python "$$HOME"/.pyenv/versions/3.12*/bin/python; do \
	    if [ -x "$$p" ] && ok "$$p"; then found=$$p; break; fi; \
	  done; \
	fi; \
	if [ -z "$$found" ]; then \
	  echo "No Python >= 3.12 with venv support found. On Debian 13 / Ubuntu 24.04: apt-get install python3 python3-venv" >&2; \
	  exit 1; \
	fi; \
	echo "Creating $(VENV) with $$found ($$("$$found" --version))"; \
	"$$found" -m venv $(VENV)

$(STAMP): requirements/dev.txt | $(PY)
	@if [ ! -x $(VENV)/bin/uv ]; then $(PY) -m pip install --quiet --disable-pip-version-check "uv==$(UV_VERSION)" || true; fi
	@if [ -x $(VENV)/bin/uv ]; then \
	  UV_PYTHON_DOWNLOADS=never $(VENV)/bin/uv pip install --python $(PY) --require-hashes -r requirements/dev.txt; \
	else \
	  $(PY) -m pip install --disable-pip-version-check --require-hashes -r requirements/dev.txt; \
	fi
	@touch $@

# REDIS_URL is set empty on purpose: an empty value also wins over a .env file, so Celery tasks run eagerly.
# DEBUG is off unless asked (DEBUG=true make run): errors show the French 403/404/500 pages, as in production;
# whitenoise still serves the static files from the apps' folders (WHITENOISE_USE_FINDERS).
run: venv
	REDIS_URL= $(PY) manage.py migrate --noinput
	REDIS_URL= $(PY) manage.py load_demo
	DEBUG=$${DEBUG:-false} REDIS_URL= $(PY) manage.py runserver 127.0.0.1:8000

test: venv
	.ci/test-services $(PYTEST_ARGS)

quality: venv
	@rc=0; \
	$(VENV)/bin/ruff format --check . || rc=1; \
	$(VENV)/bin/ruff check . || rc=1; \
	$(PY) manage.py makemigrations --check --dry-run || rc=1; \
	$(VENV)/bin/lint-imports || rc=1; \
	exit $$rc

format: venv
	$(VENV)/bin/ruff format .
	$(VENV)/bin/ruff check --fix .

bench: venv
	for script in bench/[!_]*.py; do REDIS_URL= $(PY) "$$script"; done

# wrk (Debian's) drives the load test: installed here when missing, as root (as .ci/test-services installs its own).
load: venv
	@command -v wrk >/dev/null 2>&1 || { \
	  if [ "$$(id -u)" -eq 0 ]; then apt-get install -y -qq -o DPkg::Lock::Timeout=120 --no-install-recommends wrk \
	    || { apt-get update -qq && apt-get install -y -qq --no-install-recommends wrk; }; \
	  else echo "wrk is missing: sudo apt-get install -y wrk" >&2; exit 3; fi; }
	.ci/test-services --postgres-only $(PY) bench/load/run.py

# The locked files are what everyone installs; the .in files are what we choose.
lock: | $(PY)
	@if [ ! -x $(VENV)/bin/uv ]; then $(PY) -m pip install --quiet --disable-pip-version-check "uv==$(UV_VERSION)"; fi
	cd requirements && for f in runtime dev; do \
	  UV_PYTHON_DOWNLOADS=never ../$(VENV)/bin/uv pip compile --quiet --universal --python-version 3.12 --generate-hashes \
	    --custom-compile-command "make lock" $$f.in -o $$f.txt; \
	done
