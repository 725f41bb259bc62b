# Clientele — `make run` starts everything with demo data, `make test` runs every test.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
MANAGE := $(PY) manage.py
HOST ?= 0.0.0.0
PORT ?= 8000
UV_VERSION := 0.13.9
export XDG_RUNTIME_DIR ?= /tmp/clientele-runtime-$(shell id -u)
export PYTHONDONTWRITEBYTECODE := 1
export SITE_PORT ?= $(PORT)

.PHONY: run test stop install syslibs db setup lint format chromium bench clean

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

run: setup
	@echo "Starting the worker and the web server on http://localhost:$(PORT)/ (Ctrl+C stops both; 'make stop' also stops the database)"
	@$(MANAGE) procrastinate worker > .data/worker.log 2>&1 & echo $$! > .data/worker.pid; \
	trap 'kill $$(cat .data/worker.pid) 2>/dev/null; rm -f .data/worker.pid' EXIT INT TERM; \
	$(MANAGE) runserver $(HOST):$(PORT)

chromium:
	@command -v chromium >/dev/null || { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; }

lint: install
	@$(VENV)/bin/ruff check .
	@$(VENV)/bin/ruff format --check .
	@PYTHONPATH=. $(VENV)/bin/lint-imports --no-cache

format: install
	@$(VENV)/bin/ruff check --fix .
	@$(VENV)/bin/ruff format .

test: db chromium lint
	@$(PY) -m pytest -q $(PYTEST_ARGS)

stop:
	@if [ -f .data/worker.pid ]; then kill $$(cat .data/worker.pid) 2>/dev/null; rm -f .data/worker.pid; echo "Worker stopped."; fi
	@$(PY) -m config.database stop

clean: stop
	rm -rf .data

bench: db
	@$(PY) bench/run.py
