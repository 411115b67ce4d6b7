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
export CA_RAW_DIR ?= $(ROOT)/warehouse/raw
export CA_RAW_FORMAT ?= $(RAW_FORMAT)
export CA_WAREHOUSE_PATH ?= $(ROOT)/warehouse/build.duckdb
export CA_ARTIFACTS_DIR ?= $(ROOT)/warehouse/artifacts

DBT := cd $(ROOT)/dbt_project && $(BIN)/dbt

.PHONY: help setup data build run test lint pytest dbt-parse lock clean

help:
	@echo "make run    set up .venv, generate the demo data if absent, build and test the warehouse"
	@echo "make test   set up .venv and run every check: linters, pytest (unit + dbt integration)"
	@echo "make lock   re-pin requirements.lock from requirements.in"
	@echo "make clean  remove generated warehouse files (keeps .venv)"

setup: $(STAMP)

$(STAMP): requirements.lock pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -r requirements.lock
	$(BIN)/pip install --quiet --no-deps -e .
	touch $(STAMP)

data: setup
	@if [ -f "$(CA_RAW_DIR)/orders.$(CA_RAW_FORMAT)" ]; then \
	  echo "demo data present in $(CA_RAW_DIR)"; \
	else \
	  $(BIN)/python -m models_py.generate --customers $(CUSTOMERS) --seed $(SEED) \
	    --out $(CA_RAW_DIR) --format $(CA_RAW_FORMAT); \
	fi

build: data
	$(DBT) build

run: build
	$(BIN)/python -m models_py.cli summary

lint: setup
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	cd $(ROOT)/dbt_project && $(BIN)/sqlfluff lint models tests macros

pytest: setup
	$(BIN)/pytest

test: lint pytest

lock:
	rm -rf /tmp/ca-lock-venv && $(PYTHON) -m venv /tmp/ca-lock-venv
	/tmp/ca-lock-venv/bin/pip install --quiet -r requirements.in
	(echo "# Exact lock of every Python dependency. Regenerate with: make lock"; \
	  /tmp/ca-lock-venv/bin/pip freeze --exclude-editable) > requirements.lock

clean:
	rm -rf warehouse/*.duckdb* warehouse/raw warehouse/artifacts warehouse/report warehouse/exports dbt_project/target dbt_project/logs
