# ICT Strategy Delivery Portal. `make help` lists the targets.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
PORT ?= 8000
DEMO_DATE ?= 2023-01-16
PG_URL ?= postgres://postgres@127.0.0.1:5432/test
LOAD_DB_URL ?= postgres://postgres@127.0.0.1:5432/portal_load
# Production is the default (DEBUG off, which needs a SECRET_KEY): a developer's commands ask.
DEV := DEBUG=true
# The lock: uv in a virtual environment of its own, never the portal's.
UV_VERSION := 0.13.8
LOCK_VENV := var/lock-venv
UV := $(LOCK_VENV)/bin/uv
LOCK := $(UV) pip compile pyproject.toml --generate-hashes --universal --python-version 3.11 \
	--custom-compile-command "make lock" --quiet $(LOCK_ARGS)

.DEFAULT_GOAL := help
.PHONY: help setup lock run test test-postgres test-browser test-e2e test-faults check check-deploy bench load clean

help: ## List the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-14s %s\n", $$1, $$2}'

# Exactly what the lock says, every file checked against its hash: nothing resolved here.
$(VENV)/.installed: requirements/dev.txt
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --require-hashes --no-deps -r requirements/dev.txt
	touch $@

node_modules/.installed: package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	touch $@

static/build/portal.css: node_modules/.installed assets/scss/portal.scss assets/copy-assets.js
	npm run --silent build

setup: $(VENV)/.installed static/build/portal.css ## Install Python (from the lock, hashes checked) and front-end dependencies
	@mkdir -p var
	@# A developer's checkout asks for debug once, for `python manage.py ...` in a shell (ictstrategy/settings.py).
	@test -e .env || printf '# Written by make setup: a developer machine. Never deploy this file.\nDEBUG=true\n' > .env

lock: ## Lock pyproject.toml's pins and everything they need, with hashes: requirements/base.txt, dev.txt
	test -x $(UV) || { $(PYTHON) -m venv $(LOCK_VENV) && $(LOCK_VENV)/bin/pip install --quiet uv==$(UV_VERSION); }
	$(LOCK) -o requirements/base.txt
	$(LOCK) --extra dev -o requirements/dev.txt

# E-mails link to the port being served, unless PORTAL_BASE_URL says otherwise.
PORTAL_BASE_URL ?= http://127.0.0.1:$(PORT)

run: setup ## Set up, load the demo data and serve http://127.0.0.1:$(PORT)/
	$(DEV) $(PY) manage.py migrate --no-input -v0
	$(DEV) PORTAL_TODAY=$(DEMO_DATE) PORTAL_BASE_URL=$(PORTAL_BASE_URL) $(PY) manage.py load_demo_data
	$(DEV) $(PY) manage.py collectstatic --no-input -v0
	$(DEV) PORTAL_TODAY=$(DEMO_DATE) PORTAL_BASE_URL=$(PORTAL_BASE_URL) $(PY) manage.py runserver 127.0.0.1:$(PORT)

test: setup ## Run the whole test suite (SQLite)
	$(PY) -m pytest

test-postgres: setup ## Run the suite on PostgreSQL ($(PG_URL))
	DATABASE_URL=$(PG_URL) $(PY) -m pytest -m 'not browser and not e2e and not faults'

test-browser: setup ## Browser and accessibility tests in headless Chromium
	$(PY) -m pytest -m browser -p no:cacheprovider

test-e2e: setup ## Report and reminder pipelines on a real Celery worker, Redis and SMTP
	$(PY) -m pytest -m e2e -p no:cacheprovider

# The fault suite's own database (it makes <name>_faults beside it), so it can run while
# test-postgres runs on $(PG_URL): .ci/run starts it alongside the other suites.
FAULTS_DB_URL ?= postgres://postgres@127.0.0.1:5432/faults

test-faults: setup ## Fault injection: the report and reminder pipelines on a real worker, Redis, PostgreSQL ($(FAULTS_DB_URL)) and a failing SMTP server
	DATABASE_URL=$(FAULTS_DB_URL) $(PY) -m pytest -m faults -p no:cacheprovider tests/faults $(FAULTS_ARGS)

check: setup ## Lint, Django checks and missing migrations
	$(VENV)/bin/ruff check .
	$(DEV) $(PY) manage.py check
	$(DEV) $(PY) manage.py makemigrations --check --dry-run

check-deploy: setup ## `check --deploy` under production settings
	DEBUG=false SECRET_KEY=$$(head -c 64 /dev/urandom | base64 -w0) ALLOWED_HOSTS=portal.example.gov.uk \
		$(PY) manage.py check --deploy --fail-level WARNING

bench: setup ## Time the dashboard and pages at demo scale 100 (PostgreSQL if DATABASE_URL is set); var/bench/results.json
	$(DEV) $(PY) -m bench.run $(BENCH_ARGS)

load: setup ## Load test: 50 officers post, 20 councillors read, 2 min, gunicorn + PostgreSQL ($(LOAD_DB_URL))
	$(DEV) LOAD_DATABASE_URL=$(LOAD_DB_URL) $(PY) load/load_test.py $(LOAD_ARGS)

clean: ## Remove the virtual environment, node modules and var/
	rm -rf $(VENV) node_modules var static/build staticfiles
