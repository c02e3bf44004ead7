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

.PHONY: help setup run test lint format lock stop-services clean

help:
	@echo "make run    - set up and run OnePlan with demo data on http://$(HOST):$(PORT)"
	@echo "make test   - set up and run the tests"
	@echo "make lint   - ruff, import contracts, mypy and makemigrations --check"
	@echo "make lock   - regenerate the hashed lock files after editing requirements*.txt"

# Python packages. requirements.txt (runtime) and requirements-dev.txt (tests, linters,
# demo data) are the lists people edit; `make lock` turns them into requirements.lock and
# requirements-dev.lock, with every package, direct or indirect, pinned and hashed. Nothing
# installs from the unlocked lists: the venv gets requirements-dev.lock, the production
# image requirements.lock. The dry run after the install stops `make` when a list pins a
# version the lock does not have, i.e. someone edited a list and did not run `make lock`.
LOCK_TOOL := uv==0.13.9
LOCK_COMPILE = "$$tools/bin/uv" pip compile --quiet --universal --python-version 3.11 \
	--generate-hashes --custom-compile-command "make lock" $(LOCK_ARGS)

$(VENV)/.installed: requirements.lock requirements-dev.lock requirements.txt requirements-dev.txt
	$(PYTHON) -m venv $(VENV)
	$(VENV)/bin/pip install --quiet --require-hashes --no-deps -r requirements-dev.lock
	@$(VENV)/bin/pip install --quiet --dry-run --no-index --no-deps --report - \
		-r requirements-dev.txt 2>/dev/null | grep -q '"install": *\[ *\]' || { \
		echo "requirements*.lock do not match requirements*.txt: run make lock" >&2; exit 1; }
	touch $@

# Regenerate the locks from the lists with a pinned resolver in a throwaway venv. Keeps the
# versions already locked unless a list asks otherwise; to move packages on, pass
# LOCK_ARGS="--upgrade-package NAME" (one package) or LOCK_ARGS=--upgrade (everything).
# The development lock is constrained to the runtime one, so tests run what production runs.
lock:
	@set -euo pipefail; \
	tools=$$(mktemp -d); trap 'rm -rf "$$tools"' EXIT; \
	$(PYTHON) -m venv "$$tools"; \
	"$$tools/bin/pip" install --quiet $(LOCK_TOOL); \
	$(LOCK_COMPILE) requirements.txt -o requirements.lock; \
	$(LOCK_COMPILE) requirements-dev.txt -c requirements.lock -o requirements-dev.lock; \
	echo "Wrote requirements.lock and requirements-dev.lock"

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

# The suite runs on TEST_PROCESSES processes (0: in this one), each with a test database,
# Celery queue, cache prefix, Chromium and live server of its own; each matrix world keeps
# to one process (xdist_group marks). Transactional tests (browser, real worker) empty the
# tables and so run last in each process: no group may hold them, since pytest-xdist hands
# out the largest groups first. PYTEST_ARGS are passed on last.
TEST_PROCESSES ?= 2

test: setup
	@set -euo pipefail; \
	eval "$$($(SERVICES) env --prefer-local)"; \
	export DJANGO_SETTINGS_MODULE=oneplan.settings.test; \
	$(VENV)/bin/pytest --numprocesses $(TEST_PROCESSES) --dist loadgroup $(PYTEST_ARGS)

lint: setup
	@set -euo pipefail; \
	eval "$$($(SERVICES) env --prefer-local)"; \
	export DJANGO_SETTINGS_MODULE=oneplan.settings.test; \
	$(VENV)/bin/ruff check .; \
	$(VENV)/bin/ruff format --check .; \
	$(VENV)/bin/lint-imports; \
	$(VENV)/bin/mypy .; \
	$(PY) manage.py makemigrations --check --dry-run

format: setup
	$(VENV)/bin/ruff format .
	$(VENV)/bin/ruff check --fix .

stop-services:
	$(SERVICES) stop

clean: stop-services
	rm -rf $(VENV) node_modules static/build staticfiles var
