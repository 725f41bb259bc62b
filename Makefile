# Clientele — `make run` serves everything with demo data the production way (gunicorn, DEBUG
# off), `make dev` with Django's autoreloading development server, `make test` runs every test.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
MANAGE := $(PY) manage.py
HOST ?= 127.0.0.1
PORT ?= 8000
UV_VERSION := 0.13.9
export XDG_RUNTIME_DIR ?= /tmp/clientele-runtime-$(shell id -u)
export PYTHONDONTWRITEBYTECODE := 1
export SITE_PORT ?= $(PORT)
# What make run serves with (config/settings/prod.py): plain HTTP on loopback, emails to
# .data/mail. Set SITE_SCHEME=https behind a TLS proxy, EMAIL_BACKEND for real mail.
SECRET_KEY_FILE ?= .data/secret_key
PROD_ENV = DJANGO_SETTINGS_MODULE=config.settings.prod SECRET_KEY_FILE=$(SECRET_KEY_FILE) \
	SITE_SCHEME=$${SITE_SCHEME:-http} \
	EMAIL_BACKEND=$${EMAIL_BACKEND:-django.core.mail.backends.filebased.EmailBackend}
STATIC_MANIFEST := .data/staticfiles/staticfiles.json
WORKER_PID ?= .data/worker.pid
WORKER_LOG ?= .data/worker.log
# The background worker starts with the server and stops with it (Ctrl+C, or the server exiting).
START_WORKER = $(MANAGE) procrastinate worker > $(WORKER_LOG) 2>&1 & echo $$! > $(WORKER_PID); \
	trap 'kill $$(cat $(WORKER_PID)) 2>/dev/null; rm -f $(WORKER_PID)' EXIT

.PHONY: run serve dev test stop install syslibs db setup lint format chromium bench bench-http bench-tenants pgbouncer dovecot clean

install: syslibs $(VENV)/.installed node_modules/.installed

# WeasyPrint (PDF invoices) needs Pango and a font.
syslibs:
	@{ ldconfig -p | grep -q libpangoft2-1.0 && fc-list 2>/dev/null | grep -q . ; } || { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq libpango-1.0-0 libpangoft2-1.0-0 fontconfig fonts-dejavu-core >/dev/null; }

$(VENV)/.installed: requirements.lock
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	@$(VENV)/bin/pip install --quiet --disable-pip-version-check uv==$(UV_VERSION)
	@$(VENV)/bin/uv pip install --quiet --python $(PY) --require-hashes -r requirements.lock
	@touch $@

node_modules/.installed: package-lock.json
	@npm ci --no-audit --no-fund --loglevel=error
	@touch $@

db: install
	@mkdir -p -m 700 $(XDG_RUNTIME_DIR)
	@$(PY) -m config.database start

setup: db
	@$(MANAGE) migrate_schemas --noinput -v 0
	@$(MANAGE) setup_demo

# Generated once, readable only by its owner; never in git (.data/ is ignored).
$(SECRET_KEY_FILE):
	@mkdir -p $(@D)
	@umask 077 && $(PY) -c "import secrets; print(secrets.token_urlsafe(50))" > $@.tmp && mv $@.tmp $@
	@echo "Generated a secret key in $@"

# Hashed, compressed copies for whitenoise; collected again only when a source changes.
$(STATIC_MANIFEST): $(VENV)/.installed node_modules/.installed $(shell find static -type f) | $(SECRET_KEY_FILE)
	@$(PROD_ENV) $(MANAGE) collectstatic --noinput -v 0
	@touch $@

run: setup
	@$(MAKE) --no-print-directory serve

# The production server and the worker on an installed, migrated database (tests/core/
# test_make_run.py starts it this way). set -m: gunicorn gets a process group of its own, so
# Ctrl+C reaches only this shell, which stops the server gracefully (SIGTERM: requests under
# way finish) and then the worker.
serve: $(SECRET_KEY_FILE) $(STATIC_MANIFEST)
	@echo "Serving with gunicorn (DEBUG off) on http://$(HOST):$(PORT)/ (Ctrl+C stops the server and the worker; 'make stop' also stops the database)"
	@set -m; export $(PROD_ENV) HOST=$(HOST) PORT=$(PORT); $(START_WORKER); \
	$(VENV)/bin/gunicorn -c config/gunicorn.py config.wsgi & server=$$!; set +m; \
	trap 'kill -TERM $$server 2>/dev/null' INT TERM; \
	wait $$server; status=$$?; while kill -0 $$server 2>/dev/null; do wait $$server; status=$$?; done; \
	exit $$status

# For developers: Django's development server, autoreloading, DEBUG on, the development key.
dev: setup
	@echo "Starting the worker and the development server on http://$(HOST):$(PORT)/ (Ctrl+C stops both)"
	@$(START_WORKER); $(MANAGE) runserver $(HOST):$(PORT)

# PgBouncer for tests/core/test_pgbouncer.py (Debian's 1.18; the test starts its own on loopback).
pgbouncer:
	@test -x /usr/sbin/pgbouncer || command -v pgbouncer >/dev/null || { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq pgbouncer >/dev/null; }

# Dovecot for tests/tickets/test_imap.py (the test starts its own on loopback).
dovecot:
	@test -x /usr/sbin/dovecot || command -v dovecot >/dev/null || { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq dovecot-imapd >/dev/null; }

chromium:
	@command -v chromium >/dev/null || { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; }

lint: install
	@$(VENV)/bin/ruff check .
	@$(VENV)/bin/ruff format --check .
	@PYTHONPATH=. $(VENV)/bin/lint-imports --no-cache

format: install
	@$(VENV)/bin/ruff check --fix .
	@$(VENV)/bin/ruff format .

# The static files too: tests/core/test_make_run.py serves them the way make run does.
# Two workers (pytest-xdist), one test database each: CI has two cores. TEST_WORKERS=0 runs
# in one process.
TEST_WORKERS ?= 2
test: db chromium pgbouncer dovecot lint $(STATIC_MANIFEST)
	@$(PY) -m pytest -q -n $(TEST_WORKERS) --dist worksteal $(PYTEST_ARGS)

stop:
	@if [ -f $(WORKER_PID) ]; then kill $$(cat $(WORKER_PID)) 2>/dev/null; rm -f $(WORKER_PID); echo "Worker stopped."; fi
	@$(PY) -m config.database stop

clean: stop
	rm -rf .data

bench: db
	@$(PY) bench/run.py

# The production server (gunicorn, 2 workers) on a free loopback port against the bench
# database, driven by 1 and 8 concurrent clients: p50/p95, req/s and the targets (bench/http_bench.py).
bench-http: db $(STATIC_MANIFEST)
	@$(PY) -m bench.http_bench

# Tenancy at scale (bench/sections/tenancy.py): BENCH_TENANTS tenants (default 1,000) made
# through provisioning, cold/warm tenants over HTTP, worker memory, one migration across all.
bench-tenants: db $(STATIC_MANIFEST)
	@BENCH_ONLY=tenancy DATABASE_NAME=clientele_bench_tenants $(PY) bench/run.py
