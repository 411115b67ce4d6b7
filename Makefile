# Customer analytics warehouse. `make run` builds everything from the demo data; `make test` checks it.
SHELL := /bin/bash
.SHELLFLAGS := -eu -o pipefail -c
.DEFAULT_GOAL := help

ROOT        := $(abspath .)
PYTHON      ?= python3
VENV        := $(ROOT)/.venv
BIN         := $(VENV)/bin
STAMP       := $(VENV)/.installed

# Demo data size and seed for `make run` (and where raw files live).
CUSTOMERS   ?= 20000
SEED        ?= 42
RAW_FORMAT  ?= csv

export DO_NOT_TRACK := 1
export DBT_SEND_ANONYMOUS_USAGE_STATS := False
export DBT_PROFILES_DIR := $(ROOT)
# Bring your own data: `make run CONFIG=my.yml` validates the files my.yml describes and prepares
# them (Parquet, the raw contract) into warehouse/prepared, then builds with the config's dbt vars.
# A validation failure stops before dbt, so the last good warehouse and served file stay.
ifdef CONFIG
export CA_RAW_DIR ?= $(ROOT)/warehouse/prepared
export CA_RAW_FORMAT := parquet
DBT_VARS = --vars "$$(cat '$(CA_RAW_DIR)/dbt_vars.json')"
endif
export CA_RAW_DIR ?= $(ROOT)/warehouse/raw
export CA_RAW_FORMAT ?= $(RAW_FORMAT)
export CA_WAREHOUSE_PATH ?= $(ROOT)/warehouse/build.duckdb
export CA_ARTIFACTS_DIR ?= $(ROOT)/warehouse/artifacts
# The served file BI tools open read-only (replaced atomically by `make publish`), the report, and
# the per-segment CSV lists for marketing tools.
export CA_SERVED_PATH ?= $(ROOT)/warehouse/analytics.duckdb
export CA_REPORT_DIR ?= $(ROOT)/warehouse/report
export CA_EXPORTS_DIR ?= $(ROOT)/warehouse/exports
# dbt's run results of the last invocation (DBT_TARGET_PATH moves dbt's target folder).
RUN_RESULTS := $(or $(DBT_TARGET_PATH),$(ROOT)/dbt_project/target)/run_results.json

DBT := cd $(ROOT)/dbt_project && $(BIN)/dbt

.PHONY: help setup data build run test lint pytest dbt-parse lock clean publish report docs audiences

help:
	@echo "make run    set up .venv, generate the demo data if absent, build and test the warehouse"
	@echo "make run CONFIG=my.yml  the same on your own files (docs/own_data.md): validate, prepare, build"
	@echo "make test   set up .venv and run every check: linters, pytest (unit + dbt integration)"
	@echo "make publish  copy the built tables to the served file BI tools read (warehouse/analytics.duckdb)"
	@echo "make report   write warehouse/report/index.html and warehouse/exports/ from the served file"
	@echo "make audiences  per segment, consenting customers' hashed email/phone (warehouse/audiences/)"
	@echo "make docs     build dbt's documentation site (offline: dbt_project/target/static_index.html)"
	@echo "make metrics  list the semantic layer's metrics and query them by segment (docs/metrics.md)"
	@echo "make bench SCALE=S|M|L|XL  time the pipeline against the pandas way and a floor query"
	@echo "make lock   re-pin requirements.lock from requirements.in"
	@echo "make lock-bi  re-pin requirements-bi.lock (the bi extra + the DuckDB a BI driver bundles)"
	@echo "make clean  remove generated warehouse files (keeps .venv)"

setup: $(STAMP)

$(STAMP): requirements.lock pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -r requirements.lock
	$(BIN)/pip install --quiet --no-deps -e .
	touch $(STAMP)

data: setup
	@if [ -n "$(CONFIG)" ]; then \
	  $(BIN)/python -m models_py.byod prepare --config "$(CONFIG)" --out "$(CA_RAW_DIR)"; \
	elif [ -f "$(CA_RAW_DIR)/orders.$(CA_RAW_FORMAT)" ]; then \
	  echo "demo data present in $(CA_RAW_DIR)"; \
	else \
	  $(BIN)/python -m models_py.generate --customers $(CUSTOMERS) --seed $(SEED) \
	    --out $(CA_RAW_DIR) --format $(CA_RAW_FORMAT); \
	fi

build: data
	$(DBT) build $(DBT_VARS)

run: build
	$(BIN)/python -m models_py.publish
	$(BIN)/python -m models_py.report
	$(BIN)/python -m models_py.cli summary

# Copy the analyst-facing tables of the last successful build to the served file, atomically
# (refuses if the last dbt run had failures, so the last good served file stays in place).
publish: setup
	$(BIN)/python -m models_py.publish $(if $(wildcard $(RUN_RESULTS)),--run-results $(RUN_RESULTS))

# The self-contained HTML report (warehouse/report/index.html) and segment CSVs, from the served file.
report: setup
	$(BIN)/python -m models_py.report

# Campaign audiences, on request: per segment, the customers with marketing consent, email and
# phone normalised and SHA-256 hashed, read from the build file (the only one holding identifiers)
# into warehouse/audiences/ (CA_AUDIENCES_DIR); COUNTRY_CODE: calling code of national numbers.
audiences: setup
	$(BIN)/python -m models_py.audiences $(if $(COUNTRY_CODE),--country-code $(COUNTRY_CODE))

# dbt's documentation site, with lineage from raw files to the report and BI exposures; the
# single-file offline version is dbt_project/target/static_index.html. Needs a built warehouse.
docs: setup
	@test -f "$(CA_WAREHOUSE_PATH)" || { echo "no warehouse at $(CA_WAREHOUSE_PATH): run make run first"; exit 1; }
	$(DBT) docs generate --static

# The semantic layer (dbt_project/models/_metrics.yml, docs/metrics.md) on the build warehouse.
# mf reads dbt_project/target/semantic_manifest.json whatever DBT_TARGET_PATH says, so parse there.
# METRICS_QUERY replaces the example: METRICS_QUERY="--metrics net_revenue --group-by metric_time__month".
METRICS_QUERY ?= --metrics net_revenue,orders,aov,buying_customers,expected_revenue_next_horizon,revenue_share \
  --group-by customer__segment --order -net_revenue --decimals 2
.PHONY: metrics
metrics: setup
	@test -f "$(CA_WAREHOUSE_PATH)" || { echo "no warehouse at $(CA_WAREHOUSE_PATH): run make run first"; exit 1; }
	$(DBT) parse --quiet --target-path target
	cd $(ROOT)/dbt_project && $(BIN)/mf list metrics
	cd $(ROOT)/dbt_project && $(BIN)/mf query $(METRICS_QUERY)

# Benchmark (issue 8, bench/): the whole pipeline beside the pandas way and the floor query.
# SCALE: S (10k customers), M (100k), L (1M), XL (5M), comma-separated; REPEATS: runs per
# scale (default 3 for S/M, 1 for L/XL). Data and results.{json,md} go to warehouse/bench/
# (CA_BENCH_DIR moves them); generated data is reused when present with the same seed.
# BENCH_ARGS passes more options, e.g. BENCH_ARGS="--skip-features --pandas-memory-gib 16".
SCALE ?= S
.PHONY: bench
bench: setup
	$(BIN)/python -m bench --scales $(SCALE) $(if $(REPEATS),--repeats $(REPEATS)) $(BENCH_ARGS)

lint: setup
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	# sqlfluff's dbt templater opens a DuckDB file: a scratch one, never the warehouse a run may hold.
	cd $(ROOT)/dbt_project && CA_WAREHOUSE_PATH=$$(mktemp -d)/lint.duckdb $(BIN)/sqlfluff lint models tests

pytest: setup
	$(BIN)/pytest

test: lint pytest

lock:
	rm -rf /tmp/ca-lock-venv && $(PYTHON) -m venv /tmp/ca-lock-venv
	/tmp/ca-lock-venv/bin/pip install --quiet -r requirements.in
	(echo "# Exact lock of every Python dependency. Regenerate with: make lock"; \
	  /tmp/ca-lock-venv/bin/pip freeze --exclude-editable) > requirements.lock

# The BI client environment the tests install (tests/test_served_compat.py): the `bi` extra of
# pyproject.toml with an older DuckDB than the pipeline's, as BI drivers bundle.
BI_DUCKDB := 1.4.5
.PHONY: lock-bi
lock-bi:
	rm -rf /tmp/ca-lock-bi-venv && $(PYTHON) -m venv /tmp/ca-lock-bi-venv
	/tmp/ca-lock-bi-venv/bin/pip install --quiet "duckdb==$(BI_DUCKDB)" $$($(PYTHON) -c \
	  'import tomllib; print(" ".join(tomllib.load(open("pyproject.toml", "rb"))["project"]["optional-dependencies"]["bi"]))')
	(echo "# Exact lock of the BI client environment (pyproject's bi extra). Regenerate with: make lock-bi"; \
	  /tmp/ca-lock-bi-venv/bin/pip freeze) > requirements-bi.lock

clean:
	rm -rf warehouse/*.duckdb* warehouse/raw warehouse/prepared warehouse/artifacts warehouse/report warehouse/exports warehouse/audiences dbt_project/target dbt_project/logs
