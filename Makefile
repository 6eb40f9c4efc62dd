# The one task runner, for people and CI alike.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: demo test test-postgres lint typecheck check bench clean help

help:  ## List the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | sed 's/:.*## /\t/'

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $(STAMP)

demo: $(STAMP)  ## Generate the demo data set, import it into SQLite and print a summary
	$(BIN)/confiance demo

test: $(STAMP)  ## Run lint, type checks and the whole test suite (PostgreSQL tests skip without a server)
	$(BIN)/ruff check src tests benchmarks
	$(BIN)/mypy
	$(BIN)/pytest --cov --cov-report=term

test-postgres: $(STAMP)  ## Run only the PostgreSQL tests (needs CONFIANCE_TEST_POSTGRES_URL)
	$(BIN)/pytest -m postgres

lint: $(STAMP)  ## ruff
	$(BIN)/ruff check src tests benchmarks

typecheck: $(STAMP)  ## mypy strict on the package
	$(BIN)/mypy

bench: $(STAMP)  ## Run the import benchmark (see benchmarks/README.md)
	$(BIN)/python benchmarks/import_speed.py

clean:  ## Remove the virtualenv, caches and the local database
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache .coverage var
