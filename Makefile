# OnePlan: two commands for a new user (see README.md).
#   make run   set up, start embedded PostgreSQL/Redis if needed, load demo data, serve
#   make test  set up, then run the whole test suite against PostgreSQL and Redis

SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
SERVICES := $(PY) -m oneplan.devservices
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: help setup run test lint format stop-services clean

help:
	@echo "make run    - set up and run OnePlan with demo data on http://$(HOST):$(PORT)"
	@echo "make test   - set up and run the tests"
	@echo "make lint   - ruff, mypy and makemigrations --check"

$(VENV)/.installed: requirements.txt requirements-dev.txt
	$(PYTHON) -m venv $(VENV)
	$(VENV)/bin/pip install --quiet --upgrade pip
	$(VENV)/bin/pip install --quiet -r requirements-dev.txt
	touch $@

node_modules/.installed: package.json package-lock.json
	npm ci --no-fund --no-audit --loglevel=error
	touch $@

static/build/oneplan.css: static/scss/oneplan.scss node_modules/.installed
	npm run --silent build:css

setup: $(VENV)/.installed node_modules/.installed static/build/oneplan.css

run: setup
	@set -euo pipefail; \
	eval "$$($(SERVICES) env)"; \
	export DJANGO_SETTINGS_MODULE=oneplan.settings.demo; \
	$(PY) manage.py migrate --no-input; \
	$(PY) manage.py seed_demo --if-empty; \
	$(VENV)/bin/celery -A oneplan worker --beat --loglevel=warning --concurrency=2 \
		--schedule=var/celerybeat-schedule >var/celery.log 2>&1 & \
	worker=$$!; \
	trap 'kill $$worker 2>/dev/null || true' EXIT INT TERM; \
	echo "Celery worker and beat started (log: var/celery.log)"; \
	echo "OnePlan is at http://$(HOST):$(PORT)/ - press Ctrl+C to stop"; \
	$(PY) manage.py runserver --noreload $(HOST):$(PORT)

test: setup
	@set -euo pipefail; \
	eval "$$($(SERVICES) env --prefer-local)"; \
	export DJANGO_SETTINGS_MODULE=oneplan.settings.test; \
	$(VENV)/bin/pytest $(PYTEST_ARGS)

lint: setup
	@set -euo pipefail; \
	eval "$$($(SERVICES) env --prefer-local)"; \
	export DJANGO_SETTINGS_MODULE=oneplan.settings.test; \
	$(VENV)/bin/ruff check .; \
	$(VENV)/bin/ruff format --check .; \
	$(VENV)/bin/mypy .; \
	$(PY) manage.py makemigrations --check --dry-run

format: setup
	$(VENV)/bin/ruff format .
	$(VENV)/bin/ruff check --fix .

stop-services:
	$(SERVICES) stop

clean: stop-services
	rm -rf $(VENV) node_modules static/build staticfiles var
