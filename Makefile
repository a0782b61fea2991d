# The two README commands (`make demo`, `make test`) plus a few conveniences.
# Needs only Python >= 3.10 and git: uv and nox are installed into ./.tools on first use.

PYTHON ?= python3
UV_VERSION := 0.13.9
NOX_VERSION := 2026.10.20

# Every nox session CI runs; new packages append their sessions here. `tests` already runs the
# ASGI and SQLAlchemy suites (on SQLite and PostgreSQL), so their own sessions are for development;
# `tests_flask` runs the Flask suite with keysmith-flask's dependencies alone.
NOX_SESSIONS := lint architecture typecheck tests_core tests layout docs 'tests_django(6.1-sqlite)' 'tests_django(6.1-postgres)' migrations tests_flask
# Extra flags for nox, e.g. `make test NOX_FLAGS=--reuse-venv=yes`.
NOX_FLAGS ?=

TOOLS := .tools
TOOLS_STAMP := $(TOOLS)/.installed-uv-$(UV_VERSION)-nox-$(NOX_VERSION)
# nox's uv backend and the sessions look uv up on PATH, so the bootstrapped one must come first.
WITH_TOOLS := PATH="$(CURDIR)/$(TOOLS)/bin:$$PATH"
UV := $(WITH_TOOLS) $(TOOLS)/bin/uv
NOX := $(WITH_TOOLS) $(TOOLS)/bin/nox

.DEFAULT_GOAL := help
.PHONY: help bootstrap demo demo-core serve test lint typecheck docs-serve lock clean bench bench-scale

help:
	@echo "make demo        install the workspace into ./.venv and run the Django, FastAPI and Flask demos"
	@echo "make demo-core   run the framework-free core walkthrough (examples/core_demo.py)"
	@echo "make serve       serve the Django demo on http://127.0.0.1:8000/admin/ (login admin / admin)"
	@echo "make test        run every CI check (nox sessions: $(NOX_SESSIONS))"
	@echo "make lint        ruff check + format check"
	@echo "make typecheck   mypy --strict over the typed src folders"
	@echo "make docs-serve  preview the documentation on http://127.0.0.1:8000"
	@echo "make lock        refresh uv.lock after changing a pyproject.toml"
	@echo "make bench       side-by-side benchmarks -> benchmarks/RESULTS.md (not part of make test)"
	@echo "make bench-scale large tables (1 M tokens, 10 M audit rows) -> benchmarks/SCALE.md"
	@echo "make clean       remove ./.tools, ./.venv, ./.nox and build output"

bootstrap: $(TOOLS_STAMP)

$(TOOLS_STAMP):
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 10) else "keysmith needs Python >= 3.10, found " + sys.version.split()[0] + " (set PYTHON=python3.x)")'
	rm -rf $(TOOLS)
	$(PYTHON) -m venv $(TOOLS)
	$(TOOLS)/bin/python -m pip install --quiet --disable-pip-version-check "uv==$(UV_VERSION)" "nox==$(NOX_VERSION)"
	touch $@

# Only what the demos need (no test or lint tools, no browser); --inexact keeps whatever a
# development setup already installed.
DEMO_SYNC := $(UV) sync --frozen --inexact --no-default-groups --group demo
DEMO_RUN := $(UV) run --frozen --no-sync python

demo: $(TOOLS_STAMP)
	$(DEMO_SYNC)
	$(DEMO_RUN) examples/django_project/demo.py
	$(DEMO_RUN) examples/fastapi_app/demo.py
	$(DEMO_RUN) examples/flask_app/demo.py

demo-core: $(TOOLS_STAMP)
	$(DEMO_SYNC)
	$(DEMO_RUN) examples/core_demo.py

# Migrates the demo project, makes sure its superuser exists, then runs manage.py runserver.
serve: $(TOOLS_STAMP)
	$(DEMO_SYNC)
	$(DEMO_RUN) examples/django_project/demo.py --serve

test: $(TOOLS_STAMP)
	$(NOX) $(NOX_FLAGS) -s $(NOX_SESSIONS)

lint: $(TOOLS_STAMP)
	$(NOX) $(NOX_FLAGS) -s lint

typecheck: $(TOOLS_STAMP)
	$(NOX) $(NOX_FLAGS) -s typecheck

docs-serve: $(TOOLS_STAMP)
	$(UV) run --frozen --group docs mkdocs serve

# Not in NOX_SESSIONS: minutes of timing on a quiet machine, never part of CI.
bench: $(TOOLS_STAMP)
	$(NOX) $(NOX_FLAGS) -s bench

# keysmith on large tables: up to 1 M tokens / 10 M audit rows -> benchmarks/SCALE.md.
bench-scale: $(TOOLS_STAMP)
	$(NOX) $(NOX_FLAGS) -s bench_scale

lock: $(TOOLS_STAMP)
	$(UV) lock

clean:
	rm -rf $(TOOLS) .venv .nox site dist build .mypy_cache .ruff_cache .pytest_cache .hypothesis
