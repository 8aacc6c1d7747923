# GCC Portal. `make run`: the embedded demo. `make test`: the whole suite on PostgreSQL + Redis.
SHELL := /bin/bash
PYTHON ?= python3.11
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed
HOST ?= 127.0.0.1
PORT ?= 8000
# The embedded shape's local state (bin/run-embedded and settings/local.py use the same).
VAR := $(or $(GCCPORTAL_VAR_DIR),var)

.PHONY: run test test-clock venv assets migrate demo services chromium gettext messages compilemessages lint format check-deploy lock clean benchmark bench wrk

$(STAMP): requirements/lock.txt requirements/dev.txt pyproject.toml
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -r requirements/dev.txt
	@touch $@

venv: $(STAMP)

node_modules/.package-lock.json: package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error

assets: node_modules/.package-lock.json

# The translations: Debian's gettext compiles locale/*/LC_MESSAGES/django.po into the .mo
# files Django reads (not committed: the build makes them). `make messages` extracts the
# strings again after a change (then translate the new entries: locale/GLOSSARY.md).
gettext:
	@command -v msgfmt >/dev/null || { echo "Installing Debian gettext for the translations"; \
	  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq gettext; }

compilemessages: gettext
	@for po in locale/*/LC_MESSAGES/django.po; do msgfmt --check -o "$${po%.po}.mo" "$$po" || exit 1; done

messages: venv gettext
	$(PY) manage.py makemessages -l fr

migrate: venv assets compilemessages
	@# The filesystem broker's folders too: demo_data queues its emails there before the
	@# worker starts.
	@mkdir -p $(VAR)/broker/queue $(VAR)/broker/processed $(VAR)/broker/control $(VAR)/emails $(VAR)/log
	$(PY) manage.py migrate --noinput

demo: migrate
	$(PY) manage.py demo_data

run: demo
	HOST=$(HOST) PORT=$(PORT) bin/run-embedded

services:
	bin/ensure-services

chromium:
	@command -v chromium >/dev/null || { echo "Installing Debian chromium for browser tests"; \
	  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium; }

# Python caches compiled modules (__pycache__, gitignored) even where the environment says not
# to (PYTHONDONTWRITEBYTECODE): each run starts several Python processes (pytest's, its workers',
# the worker and server processes of some tests), which would otherwise compile the portal and
# rewrite the tests' assertions again.
TEST_ENV := DJANGO_SETTINGS_MODULE=gccportal.settings.test PYTHONDONTWRITEBYTECODE=

# The suite passes at any hour. The in-process tests run twice, with the clock moved
# (time-machine, still ticking): to 02:30 UTC, when the review time zone's date is still
# yesterday and its 17:00 due hour is past, and to 15:00 UTC, inside its business hours. Then
# the tests that start other processes (browser, worker, processes, faults) run at the real
# time: another process's clock can't be moved from here. Each run spreads its tests over
# TEST_WORKERS processes (pytest-xdist), each with a database and a Redis database of its own:
# one per CPU, from 2 to 4 (Chromium's share of memory). The longest tests (faults,
# processes) are handed out first (tests/conftest.py), so no worker starts one last. The
# first run creates the test databases afresh (migrations), the later runs reuse them
# (--reuse-db): they are kept after a run.
TEST_WORKERS ?= $(shell n=$$(nproc 2>/dev/null || echo 2); [ $$n -lt 2 ] && n=2; [ $$n -gt 4 ] && n=4; echo $$n)
TEST_CLOCKS ?= 02:30 15:00
PYTEST := $(TEST_ENV) $(PY) -m pytest -p no:cacheprovider -n $(TEST_WORKERS) --dist worksteal
IN_PROCESS := not browser and not worker and not processes and not faults

test: venv assets compilemessages chromium services test-clock
	$(PYTEST) --reuse-db $(if $(strip $(TEST_CLOCKS)),,--create-db) \
	  -m "browser or worker or processes or faults" $(PYTEST_ARGS)

test-clock: venv assets compilemessages services
	@databases=--create-db; for clock in $(TEST_CLOCKS); do \
	  echo "== in-process tests with the clock at $$clock UTC"; \
	  $(PYTEST) -q --reuse-db $$databases -m "$(IN_PROCESS)" --clock $$clock $(PYTEST_ARGS) || exit 1; \
	  databases=; \
	done

lint: venv
	$(PY) -m ruff check .
	$(PY) -m ruff format --check .

format: venv
	$(PY) -m ruff format .
	$(PY) -m ruff check --fix .

check-deploy: venv
	DJANGO_SECRET_KEY="$$($(PY) -c 'import secrets; print(secrets.token_urlsafe(50))')" \
	DJANGO_ALLOWED_HOSTS=gccportal.example DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres \
	CELERY_BROKER_URL=redis://127.0.0.1:6379/0 DJANGO_SETTINGS_MODULE=gccportal.settings.production \
	PORTAL_BASE_URL=https://gccportal.example AWS_STORAGE_BUCKET_NAME=gccportal-documents \
	$(PY) manage.py check --deploy --fail-level WARNING

# Re-pin every transitive dependency after changing pyproject.toml: the runtime lock (all the
# image installs) and the dev lock (runtime + test/lint tools, held to the same runtime pins).
lock: venv
	$(PY) -m piptools compile --quiet --strip-extras --no-emit-index-url --no-emit-find-links -o requirements/lock.txt pyproject.toml
	$(PY) -m piptools compile --quiet --extra dev --strip-extras --no-emit-index-url --no-emit-find-links -c requirements/lock.txt \
	  -o requirements/dev.txt pyproject.toml

clean:
	rm -rf var

# Query counts and timings of list pages at 10/100/1000 rows (not part of the test suite).
benchmark: venv assets services
	$(PY) benchmarks/pages.py

# Issue 16's benchmark: its data set, gunicorn on PostgreSQL, wrk on loopback; writes
# docs/benchmarks.md. A few minutes (BENCH_ROUNDS, BENCH_SECONDS, BENCH_SCALE to change).
wrk:
	@command -v wrk >/dev/null || { echo "Installing Debian wrk for the benchmark"; \
	  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq wrk; }

bench: venv assets services wrk
	$(PY) benchmarks/run.py
