# The two commands a new user needs are `make run` and `make test`; everything else is help.
# Each target creates the virtual environment first if it is missing or out of date.

SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-from-lock
export PYTHONPATH := $(CURDIR)
export DBT_SEND_ANONYMOUS_USAGE_STATS := false
export DO_NOT_TRACK := 1
export DAGSTER_HOME := $(CURDIR)/data/dagster

.PHONY: run nightly test lint ui sandbox lock clean

$(STAMP): requirements.lock
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --disable-pip-version-check --no-input -r requirements.lock
	touch $(STAMP)

## run: build the warehouse end to end from the bundled sandbox seller (offline)
run: $(STAMP)
	$(BIN)/python -m orchestration.nightly --sandbox

## nightly: one nightly run against the real accounts configured in the environment or .env
nightly: $(STAMP)
	$(BIN)/python -m orchestration.nightly

## test: the whole test suite (connectors, sandbox, dbt KPIs, checks, end to end)
test: $(STAMP)
	$(BIN)/python -m pytest -q

## lint: ruff on the Python code
lint: $(STAMP)
	$(BIN)/ruff check . && $(BIN)/ruff format --check .

## ui: the Dagster UI on http://127.0.0.1:3000 (with the sandbox unless accounts are set)
ui: $(STAMP)
	$(BIN)/python -m orchestration.ui

## sandbox: serve the sandbox platforms in the foreground and write data/sandbox.env
sandbox: $(STAMP)
	$(BIN)/python -m sandbox --env-file data/sandbox.env

## lock: re-resolve requirements.lock from the top-level pins in pyproject.toml
lock:
	rm -rf .lock-venv && $(PYTHON) -m venv .lock-venv
	.lock-venv/bin/pip install --quiet -e '.[test]'
	.lock-venv/bin/pip freeze --exclude-editable | grep -v '^kpi-warehouse' > requirements.lock
	rm -rf .lock-venv

clean:
	rm -rf $(VENV) dbt_project/target dbt_project/logs
