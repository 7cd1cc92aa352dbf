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
# the copy analysts query (KPI_PUBLISHED_PATH, from the environment or .env; default
# data/warehouse.duckdb): the job builds in data/work/warehouse.duckdb and publishes it there
PUBLISHED = $(shell KPI_PUBLISHED_PATH='$(KPI_PUBLISHED_PATH)' $(BIN)/python -m orchestration.publish --where)
# the DuckDB shell's session: UTC like the warehouse, and never download an extension
SQL_SESSION := set TimeZone = 'UTC'; set autoinstall_known_extensions = false;
DOCS_PORT ?= 8080
DOCS_TARGET := target/docs

.PHONY: run nightly test chromium lint ui sandbox sql docs dashboard has-published bench lock clean

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

## test: the whole test suite (connectors, sandbox, dbt KPIs, checks, end to end); installs
## Debian's chromium for the browser tests when it is missing (as root), else says how
test: $(STAMP) chromium
	$(BIN)/python -m pytest -q -n 2 --dist loadgroup

chromium:
	@command -v chromium >/dev/null 2>&1 || { \
		if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then \
			apt-get update && apt-get install -y chromium; \
		else \
			echo "chromium is not installed: the browser tests will be skipped." \
				"Install it with: sudo apt-get update && sudo apt-get install -y chromium" >&2; \
		fi; }

## lint: ruff on the Python code
lint: $(STAMP)
	$(BIN)/ruff check . && $(BIN)/ruff format --check .

## ui: the Dagster UI on http://127.0.0.1:3000 (with the sandbox unless accounts are set)
ui: $(STAMP)
	$(BIN)/python -m orchestration.ui

## sandbox: serve the sandbox platforms in the foreground and write data/sandbox.env
sandbox: $(STAMP)
	$(BIN)/python -m sandbox --env-file data/sandbox.env

## sql: a read-only DuckDB shell on the published warehouse (type .quit to leave)
sql: $(STAMP) has-published
	$(BIN)/duckdb -readonly -cmd "$(SQL_SESSION)" "$(PUBLISHED)"

## docs: dbt docs of every model and KPI column on http://127.0.0.1:$(DOCS_PORT) (offline)
docs: $(STAMP) has-published
	cd dbt_project && KPI_PUBLISHED_PATH="$(PUBLISHED)" DBT_PROFILES_DIR=$(CURDIR)/dbt_project \
		../$(BIN)/dbt docs generate --target published --target-path $(DOCS_TARGET)
	cd dbt_project && KPI_PUBLISHED_PATH="$(PUBLISHED)" DBT_PROFILES_DIR=$(CURDIR)/dbt_project \
		../$(BIN)/dbt docs serve --target published --target-path $(DOCS_TARGET) \
		--host 127.0.0.1 --port $(DOCS_PORT) --no-browser

## dashboard: re-render the KPI dashboard from the published warehouse (data/dashboard/index.html)
dashboard: $(STAMP) has-published
	KPI_PUBLISHED_PATH="$(PUBLISHED)" $(BIN)/python -m dashboard

has-published:
	@test -f "$(PUBLISHED)" || { echo "No published warehouse at $(PUBLISHED) yet:" \
		"run \`make run\` (or \`make nightly\`) first." >&2; exit 1; }

## bench: the benchmark, PRESET=all|small|medium|night (default all); see docs/benchmarks.md
PRESET ?= all
BENCH_ARGS ?=
BENCH_VENV := .venv-bench
BENCH_STAMP := $(BENCH_VENV)/.installed-bench-extra
bench: $(STAMP) $(BENCH_STAMP)
	$(BIN)/python -m bench --preset $(PRESET) $(BENCH_ARGS)

# the `bench` extra (dlt, the peer) in a venv of its own: it would upgrade the project's pins
$(BENCH_STAMP): pyproject.toml
	$(PYTHON) -m venv $(BENCH_VENV)
	$(BIN)/python -m bench.requirements > $(BENCH_VENV)/requirements.txt
	$(BENCH_VENV)/bin/pip install --quiet --disable-pip-version-check --no-input \
		-r $(BENCH_VENV)/requirements.txt
	touch $(BENCH_STAMP)

## lock: re-resolve requirements.lock from the top-level pins in pyproject.toml
lock:
	rm -rf .lock-venv && $(PYTHON) -m venv .lock-venv
	.lock-venv/bin/pip install --quiet -e '.[test]'
	.lock-venv/bin/pip freeze --exclude-editable | grep -v '^kpi-warehouse' > requirements.lock
	rm -rf .lock-venv

clean:
	rm -rf $(VENV) dbt_project/target dbt_project/logs
