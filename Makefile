# Customer analytics warehouse. `make run` builds everything from the demo data; `make test` checks it.
# The pipeline itself is `python -m models_py` (models_py/__main__.py): this file only sets up .venv
# and calls it. Paths in targets are relative to this folder and every path in a recipe is quoted,
# so the repository may live in a folder whose name has spaces or apostrophes.
SHELL := /bin/bash
.SHELLFLAGS := -eu -o pipefail -c
.DEFAULT_GOAL := help

PYTHON      ?= python3
BIN         := .venv/bin
STAMP       := .venv/.installed

# Options of `make run` / `make build`, handed to the runner through the environment (never spliced
# into the shell): CONFIG=my.yml (your own data, docs/own_data.md), CUSTOMERS, SEED and RAW_FORMAT
# for the demo data (defaults: python -m models_py run --help), NO_WAIT=1 to refuse instead of
# waiting while another run holds the run lock. ENGINE=spark builds on a local Apache Spark
# instead of DuckDB (docs/scale-out.md).
export CONFIG CUSTOMERS SEED RAW_FORMAT NO_WAIT ENGINE
RUN_OPTIONS := $${CONFIG:+--config "$$CONFIG"} $${CUSTOMERS:+--customers "$$CUSTOMERS"} \
  $${SEED:+--seed "$$SEED"} $${RAW_FORMAT:+--format "$$RAW_FORMAT"} $${NO_WAIT:+--no-wait}
WAIT_OPTION := $${NO_WAIT:+--no-wait}

export DO_NOT_TRACK := 1
export DBT_SEND_ANONYMOUS_USAGE_STATS := False
export DBT_PROFILES_DIR := $(CURDIR)

.PHONY: help setup build run test lint pytest dbt-parse lock clean publish report docs audiences

help:
	@echo "make run    set up .venv, generate the demo data if absent, build, test, publish, report"
	@echo "make run CONFIG=my.yml  the same on your own files (docs/own_data.md): validate, prepare, build"
	@echo "make build  the data and dbt build only (CONFIG=my.yml as for run)"
	@echo "make run ENGINE=spark  the same warehouse built on a local Apache Spark (docs/scale-out.md)"
	@echo "make test   set up .venv and run every check: linters, pytest (unit + dbt integration)"
	@echo "make test-spark  the Spark engine's tests alone (the whole build on Spark; needs Java 17)"
	@echo "make publish  copy the built tables to the served file BI tools read (warehouse/analytics.duckdb)"
	@echo "make report   write warehouse/report/index.html and warehouse/exports/ from the served file"
	@echo "make audiences  per segment, consenting customers' hashed email/phone (warehouse/audiences/)"
	@echo "make docs     build dbt's documentation site (offline: dbt_project/target/static_index.html)"
	@echo "make metrics  list the semantic layer's metrics and query them by segment (docs/metrics.md)"
	@echo "make bench SCALE=S|M|L|XL  time the pipeline against the pandas way and a floor query"
	@echo "make bench ENGINE=spark SCALE=S|M  the build on a local Spark beside DuckDB's, per stage"
	@echo "make lock   re-pin requirements.lock from requirements.in"
	@echo "make lock-bi  re-pin requirements-bi.lock (the bi extra + the DuckDB a BI driver bundles)"
	@echo "make clean  remove generated warehouse files (keeps .venv)"
	@echo "run, build, publish and report hold the run lock; exit statuses: python -m models_py --help"

setup: $(STAMP)

$(STAMP): requirements.lock pyproject.toml
	"$(PYTHON)" -m venv .venv
	"$(BIN)/pip" install --quiet --upgrade pip
	"$(BIN)/pip" install --quiet -r requirements.lock
	"$(BIN)/pip" install --quiet --no-deps -e .
	touch "$(STAMP)"

# Data (demo, or CONFIG prepared into warehouse/prepared/<run id>/), dbt build, publish, report
# and summary, all under one run lock.
run: setup
	"$(BIN)/python" -m models_py run $(RUN_OPTIONS)

build: setup
	"$(BIN)/python" -m models_py build $(RUN_OPTIONS)

# Copy the analyst-facing tables of the last complete, successful `dbt build` to the served file,
# atomically (refuses otherwise, so the last good served file stays in place).
publish: setup
	"$(BIN)/python" -m models_py publish $(WAIT_OPTION)

# The self-contained HTML report (warehouse/report/index.html) and segment CSVs, from the served file.
report: setup
	"$(BIN)/python" -m models_py report $(WAIT_OPTION)

# Campaign audiences, on request: per segment, the customers with marketing consent, email and
# phone normalised and SHA-256 hashed, read from the build file (the only one holding identifiers)
# into warehouse/audiences/ (CA_AUDIENCES_DIR); COUNTRY_CODE: calling code of national numbers.
export COUNTRY_CODE
audiences: setup
	"$(BIN)/python" -m models_py audiences $${COUNTRY_CODE:+--country-code "$$COUNTRY_CODE"}

# dbt's documentation site, with lineage from raw files to the report and BI exposures; the
# single-file offline version is dbt_project/target/static_index.html. Needs a built warehouse.
docs: setup
	@warehouse="$${CA_WAREHOUSE_PATH:-warehouse/build.duckdb}"; test -f "$$warehouse" || \
	  { echo "no warehouse at $$warehouse: run make run first"; exit 1; }
	cd dbt_project && "../$(BIN)/dbt" docs generate --static

# The semantic layer (dbt_project/models/_models__metrics.yml, docs/metrics.md) on the build warehouse.
# mf reads dbt_project/target/semantic_manifest.json whatever DBT_TARGET_PATH says, so parse there.
# METRICS_QUERY replaces the example: METRICS_QUERY="--metrics net_revenue --group-by metric_time__month".
METRICS_QUERY ?= --metrics net_revenue,orders,aov,buying_customers,expected_revenue_next_horizon,revenue_share \
  --group-by customer__segment --order -net_revenue --decimals 2
.PHONY: metrics
metrics: setup
	@warehouse="$${CA_WAREHOUSE_PATH:-warehouse/build.duckdb}"; test -f "$$warehouse" || \
	  { echo "no warehouse at $$warehouse: run make run first"; exit 1; }
	cd dbt_project && "../$(BIN)/dbt" parse --quiet --target-path target
	cd dbt_project && "../$(BIN)/mf" list metrics
	cd dbt_project && "../$(BIN)/mf" query $(METRICS_QUERY)

# Benchmark (issue 8, bench/): the whole pipeline beside the pandas way and the floor query.
# SCALE: S (10k customers), M (100k), L (1M), XL (5M), comma-separated; REPEATS: runs per
# scale (default 3 for S/M, 1 for L/XL). Data and results.{json,md} go to warehouse/bench/
# (CA_BENCH_DIR moves them); generated data is reused when present with the same seed.
# BENCH_ARGS passes more options, e.g. BENCH_ARGS="--skip-features --pandas-memory-gib 16".
# ENGINE=spark: the build on a local Spark beside the DuckDB build, wall and CPU seconds per
# stage (spark_results.{json,md}; REPEATS default 1; docs/scale-out.md).
SCALE ?= S
.PHONY: bench
bench: setup
	"$(BIN)/python" -m bench --scales "$(SCALE)" --engine "$${ENGINE:-duckdb}" \
	  $(if $(REPEATS),--repeats "$(REPEATS)") $(BENCH_ARGS)

lint: setup
	"$(BIN)/ruff" check .
	"$(BIN)/ruff" format --check .
	# sqlfluff's dbt templater opens a DuckDB file: a scratch one, never the warehouse a run may hold.
	cd dbt_project && CA_WAREHOUSE_PATH="$$(mktemp -d)/lint.duckdb" "../$(BIN)/sqlfluff" lint models tests

pytest: setup
	"$(BIN)/pytest"

test: lint pytest

# The Spark engine's tests alone: customer_features and the whole build (models and tests) on a
# local Spark, compared with DuckDB's on the same data (make test runs the first only), and every
# examples/*.yml built on Spark from its generated sample.
.PHONY: test-spark
test-spark: setup
	CA_SPARK_FULL_BUILD=1 "$(BIN)/pytest" -m spark

lock:
	rm -rf /tmp/ca-lock-venv && "$(PYTHON)" -m venv /tmp/ca-lock-venv
	/tmp/ca-lock-venv/bin/pip install --quiet -r requirements.in
	(echo "# Exact lock of every Python dependency. Regenerate with: make lock"; \
	  /tmp/ca-lock-venv/bin/pip freeze --exclude-editable) > requirements.lock

# The BI client environment the tests install (tests/unit/serving/test_served_compat.py): the `bi` extra of
# pyproject.toml with an older DuckDB than the pipeline's, as BI drivers bundle.
BI_DUCKDB := 1.4.5
.PHONY: lock-bi
lock-bi:
	rm -rf /tmp/ca-lock-bi-venv && "$(PYTHON)" -m venv /tmp/ca-lock-bi-venv
	/tmp/ca-lock-bi-venv/bin/pip install --quiet "duckdb==$(BI_DUCKDB)" $$("$(PYTHON)" -c \
	  'import tomllib; print(" ".join(tomllib.load(open("pyproject.toml", "rb"))["project"]["optional-dependencies"]["bi"]))')
	(echo "# Exact lock of the BI client environment (pyproject's bi extra). Regenerate with: make lock-bi"; \
	  /tmp/ca-lock-bi-venv/bin/pip freeze) > requirements-bi.lock

clean:
	rm -rf warehouse/*.duckdb* warehouse/spark warehouse/raw warehouse/prepared warehouse/artifacts warehouse/report warehouse/exports warehouse/audiences dbt_project/target dbt_project/logs
