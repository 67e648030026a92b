# Two commands on a fresh machine:  `make demo`  and  `make test`.
PY ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
export KEJIYUN_HOME ?= $(CURDIR)/var

.PHONY: demo test lint bench clean

$(STAMP): pyproject.toml
	$(PY) -m venv $(VENV)
	$(BIN)/pip install --quiet --disable-pip-version-check -e '.[dev]'
	touch $(STAMP)

## demo: set up, create the embedded store (SQLite in ./var) and load the demo corpus
demo: $(STAMP)
	$(BIN)/kejiyun init --demo
	$(BIN)/kejiyun stats

## test: set up, lint, and run the whole suite (SQLite and PostgreSQL)
test: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/pytest

lint: $(STAMP)
	$(BIN)/ruff check .

## bench: import speed into SQLite and PostgreSQL (see bench/)
bench: $(STAMP)
	$(BIN)/python bench/import_speed.py

clean:
	rm -rf $(VENV) var .pytest_cache .ruff_cache
