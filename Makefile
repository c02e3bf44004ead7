# OnePlan: two commands for a new user (see README.md).
#   make run   install what running needs, start embedded PostgreSQL/Redis if needed, load
#              demo data, serve; Ctrl+C stops everything it started
#   make test  install the development tools too, then run the whole test suite against
#              PostgreSQL and Redis
#   make stop  stop whatever this checkout still runs in the background

SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
UV := $(VENV)/bin/uv
SERVICES := $(PY) -m oneplan.devservices
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: help setup assets run stop stop-services test lint format lock clean

help:
	@echo "make run    - set up and run OnePlan with demo data on http://$(HOST):$(PORT)"
	@echo "make stop   - stop the demo and the embedded PostgreSQL and Redis"
	@echo "make test   - set up and run the tests"
	@echo "make lint   - ruff, import contracts, mypy and makemigrations --check"
	@echo "make lock   - regenerate the hashed lock files after editing requirements*.txt"

# Python packages. Three lists people edit, each including the one before:
# requirements.txt (what production runs), requirements-demo.txt (adds Faker for the demo
# data) and requirements-dev.txt (adds tests and linters); requirements-tools.txt pins uv.
# `make lock` turns each into a .lock with every package, direct or indirect, pinned and
# hashed. Nothing installs from the unlocked lists: `make run` puts requirements-demo.lock
# into the venv, `make test` (lint, format) requirements-dev.lock on top of it, the
# production image requirements.lock alone. uv installs them (seconds, where pip took
# tens of seconds); it comes from requirements-tools.lock, hashed like the rest. The
# offline dry run after each install stops `make` when a list pins a version its lock does
# not have, i.e. someone edited a list and did not run `make lock`.
LOCK_COMPILE = "$$tools/bin/uv" pip compile --quiet --universal --python-version 3.11 \
	--generate-hashes --custom-compile-command "make lock" $(LOCK_ARGS)

# $(call venv_install,LOCK,LIST). --compile-bytecode, as pip does by default: otherwise
# every process compiles every module it imports, again and again where
# PYTHONDONTWRITEBYTECODE is set (about 5 s of CPU for each start of Django).
define venv_install
	$(UV) pip install --quiet --python $(PY) --require-hashes --no-deps --compile-bytecode \
		-r $(1)
	@$(UV) pip install --dry-run --offline --no-deps --python $(PY) -r $(2) 2>&1 | \
		grep -q "Would make no changes" || { \
		echo "$(1) does not match $(2): run make lock" >&2; exit 1; }
endef

$(UV): requirements-tools.lock
	$(PYTHON) -m venv $(VENV)
	$(VENV)/bin/pip install --quiet --require-hashes --no-deps -r requirements-tools.lock
	touch $@

# Two stamps, so `make run` and `make test` share one venv in either order: the demo's
# packages first, the development tools on top (their lock is constrained to the demo's,
# so installing it changes no version the demo runs).
$(VENV)/.installed-demo: $(UV) requirements.txt requirements.lock requirements-demo.txt \
		requirements-demo.lock
	$(call venv_install,requirements-demo.lock,requirements-demo.txt)
	touch $@

$(VENV)/.installed-dev: $(VENV)/.installed-demo requirements-dev.txt requirements-dev.lock
	$(call venv_install,requirements-dev.lock,requirements-dev.txt)
	touch $@

# Regenerate the locks from the lists with the pinned resolver in a throwaway venv. Keeps
# the versions already locked unless a list asks otherwise; to move packages on, pass
# LOCK_ARGS="--upgrade-package NAME" (one package) or LOCK_ARGS=--upgrade (everything).
# Each lock is constrained to the one before, so tests and the demo run what production runs.
lock:
	@set -euo pipefail; \
	tools=$$(mktemp -d); trap 'rm -rf "$$tools"' EXIT; \
	$(PYTHON) -m venv "$$tools"; \
	"$$tools/bin/pip" install --quiet --require-hashes --no-deps -r requirements-tools.lock; \
	$(LOCK_COMPILE) requirements-tools.txt -o requirements-tools.lock; \
	$(LOCK_COMPILE) requirements.txt -o requirements.lock; \
	$(LOCK_COMPILE) requirements-demo.txt -c requirements.lock -o requirements-demo.lock; \
	$(LOCK_COMPILE) requirements-dev.txt -c requirements-demo.lock -o requirements-dev.lock; \
	echo "Wrote requirements-tools.lock, requirements.lock, requirements-demo.lock and requirements-dev.lock"

node_modules/.installed: package.json package-lock.json
	npm ci --no-fund --no-audit --loglevel=error
	touch $@

static/build/oneplan.css: static/scss/oneplan.scss node_modules/.installed
	npm run --silent build:css

assets: node_modules/.installed static/build/oneplan.css

setup: $(VENV)/.installed-dev assets

# Serves the demo until Ctrl+C (or `make stop` from another terminal). The npm packages
# and the stylesheet build in the background while the Python packages install and the
# database is migrated and seeded; they must be there before the web server starts
# (whitenoise lists the static files once, at start). On the way out, however it ends,
# the run stops what it started: the web server, the worker, and the embedded PostgreSQL
# and Redis if this run started them; servers that were already running (another
# terminal's, or the ones at DATABASE_URL / REDIS_URL) are left alone. Everything runs in
# the background while the shell sits in `wait`, which a signal interrupts at once;
# process ids go under var/run/ for `make stop`. Being stopped (Ctrl+C, or the web server
# ended by a signal) is a clean exit; the web server failing (its port taken, say) is not.
# migrate and seed_demo skip the system checks only because runserver runs them.
#
# The sub-makes go through variables: a recipe line naming $(MAKE) itself would run even
# under `make -n`.
MAKE_ASSETS = $(MAKE) --no-print-directory assets
MAKE_DEMO_VENV = $(MAKE) --no-print-directory $(VENV)/.installed-demo

run:
	@set -euo pipefail; \
	mkdir -p var/run; \
	stop_all() { \
		set +e; trap - EXIT INT TERM HUP; trap '' PIPE; \
		echo "Stopping OnePlan..." 2>/dev/null; \
		pids="$${assets:-} $${web:-} $${worker:-}"; \
		for pid in $$pids; do kill -TERM "$$pid" 2>/dev/null; done; \
		for pid in $$pids; do \
			for _ in $$(seq 300); do kill -0 "$$pid" 2>/dev/null || break; sleep 0.1; done; \
			kill -KILL "$$pid" 2>/dev/null; \
		done; \
		rm -f var/run/web.pid var/run/worker.pid; \
		if [ -n "$${ONEPLAN_STARTED_SERVICES:-}" ]; then \
			$(SERVICES) stop $$ONEPLAN_STARTED_SERVICES; fi; \
	}; \
	trap stop_all EXIT; trap 'exit 0' INT TERM HUP; \
	$(MAKE_ASSETS) >var/assets.log 2>&1 & assets=$$!; \
	$(MAKE_DEMO_VENV); \
	eval "$$($(SERVICES) env)"; \
	export DJANGO_SETTINGS_MODULE=oneplan.settings.demo; \
	$(PY) manage.py migrate --no-input --skip-checks; \
	$(PY) manage.py seed_demo --if-empty --skip-checks; \
	$(VENV)/bin/celery -A oneplan worker --beat --loglevel=warning --concurrency=2 \
		--schedule=var/celerybeat-schedule >var/celery.log 2>&1 & \
	worker=$$!; echo "$$worker" >var/run/worker.pid; \
	echo "Celery worker and beat started (log: var/celery.log)"; \
	wait "$$assets" || { cat var/assets.log >&2; exit 1; }; \
	$(PY) manage.py runserver --noreload $(HOST):$(PORT) & \
	web=$$!; echo "$$web" >var/run/web.pid; \
	echo "OnePlan is at http://$(HOST):$(PORT)/ - press Ctrl+C to stop"; \
	wait "$$web" || [ $$? -ge 128 ]

# Whatever this checkout runs in the background: a demo whose terminal went away without
# Ctrl+C, and the embedded PostgreSQL and Redis (which `make test` leaves running between
# runs). Nothing else: servers at DATABASE_URL / REDIS_URL or on the standard ports are not
# this checkout's.
stop:
	@if [ -x $(PY) ]; then $(SERVICES) stop; fi

stop-services: stop

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

clean: stop
	rm -rf $(VENV) node_modules static/build staticfiles var
