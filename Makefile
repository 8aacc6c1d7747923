# GCC Portal. `make run`: the embedded demo. `make test`: the whole suite on PostgreSQL + Redis.
SHELL := /bin/bash
PYTHON ?= python3.11
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: run test venv assets migrate demo services chromium lint format check-deploy lock clean benchmark

$(STAMP): requirements/lock.txt pyproject.toml
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -r requirements/lock.txt
	@touch $@

venv: $(STAMP)

node_modules/.package-lock.json: package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error

assets: node_modules/.package-lock.json

migrate: venv assets
	@mkdir -p var
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

test: venv assets chromium services
	DJANGO_SETTINGS_MODULE=gccportal.settings.test $(PY) -m pytest $(PYTEST_ARGS)

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
	$(PY) manage.py check --deploy --fail-level WARNING

# Re-pin every transitive dependency after changing pyproject.toml.
lock: venv
	$(PY) -m piptools compile --quiet --extra dev --strip-extras -o requirements/lock.txt pyproject.toml

clean:
	rm -rf var

# Query counts and timings of list pages at 10/100/1000 rows (not part of the test suite).
benchmark: venv assets services
	$(PY) benchmarks/pages.py
