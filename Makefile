# cloudaudit: `make demo` runs the daily job on the embedded demo estate; `make test` runs every test.
SHELL := /bin/bash
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed
UV = $(shell command -v uv 2>/dev/null || echo $(VENV)/bin/uv)
export PYTHONDONTWRITEBYTECODE :=
export DEMO_DIR ?= $(CURDIR)/.demo

.PHONY: install demo test lint unit bench docs clean browser e2e airflow

install: $(STAMP)

$(STAMP): requirements.txt pyproject.toml
	@test -x $(PY) || python3 -m venv $(VENV)
	@command -v uv >/dev/null 2>&1 || test -x $(VENV)/bin/uv || $(VENV)/bin/pip install -q uv
	$(UV) pip install --python $(PY) --compile-bytecode -q -r requirements.txt
	$(UV) pip install --python $(PY) --no-deps -q -e .
	@touch $(STAMP)

demo: install
	$(PY) -m cloudaudit_demo.demo

# The Airflow UI on this machine: demo estate, api-server, scheduler, dag-processor, triggerer;
# prints the URL and login; Ctrl-C stops everything. PORT=8081 to use another port.
airflow: install
	$(PY) -m cloudaudit_demo.estate.airflow_local $(if $(PORT),--port $(PORT))

# The end-to-end tests only (real Airflow components; the Celery stack needs PostgreSQL and Redis).
e2e: install
	$(VENV)/bin/pytest -q tests/e2e

lint: install
	$(VENV)/bin/ruff check include dags plugins tests benchmarks
	$(VENV)/bin/mypy

unit: install
	$(VENV)/bin/pytest -q

test: lint
	$(VENV)/bin/pytest -q

# Slow tests only (the load test skips unless CLOUDAUDIT_SLOW=1).
.PHONY: test-slow
test-slow: install
	CLOUDAUDIT_SLOW=1 $(VENV)/bin/pytest -q -s -m slow

# Every benchmark, results in benchmarks/results/ (under 20 minutes on the 2-core machine; Prowler's
# venv is made once in .bench/). A subset: make bench BENCH="vs_prowler --sizes 100".
bench: install
	$(PY) -m benchmarks $(BENCH)

# Debian's chromium for the portal's browser test; Playwright drives it through executable_path.
browser:
	@command -v chromium >/dev/null 2>&1 || { apt-get update -qq && \
	  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends chromium; }

docs: install
	$(PY) -m cloudaudit.checks.docs > docs/checks.md

clean:
	rm -rf .demo cloudaudit-output cloudaudit-state
