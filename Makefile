# The one task runner, for people and CI alike.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: demo test coverage test-postgres test-browser browser screenshots lint typecheck check bench clean help

help:  ## List the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | sed 's/:.*## /\t/'

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $(STAMP)

demo: $(STAMP)  ## Generate and import the demo data set, then serve the web app on http://127.0.0.1:8000
	$(BIN)/confiance demo
	$(BIN)/confiance serve

# Test files are shared among this many processes (pytest-xdist; each file stays in one process,
# so its module fixtures are built once). 2 suits the 2-core machines CI runs on.
TEST_WORKERS ?= 2

test: $(STAMP)  ## Run lint, type checks and the whole test suite (PostgreSQL and browser tests skip, with the reason, without a server or chromium)
	$(BIN)/ruff check src tests benchmarks
	$(BIN)/mypy
	$(BIN)/pytest -n $(TEST_WORKERS) --dist loadfile

coverage: $(STAMP)  ## Run the whole test suite under coverage (branch coverage of src/confiance; about twice as slow)
	$(BIN)/pytest -n $(TEST_WORKERS) --dist loadfile --cov --cov-report=term

test-postgres: $(STAMP)  ## Run only the PostgreSQL tests (needs CONFIANCE_TEST_POSTGRES_URL)
	$(BIN)/pytest -m postgres

CHROMIUM ?= $(or $(CONFIANCE_CHROMIUM),/usr/bin/chromium)

browser:  ## Install Debian's chromium for the browser tests when $(CHROMIUM) is missing
	@if [ -x "$(CHROMIUM)" ]; then \
		echo "chromium: $(CHROMIUM) is there"; \
	elif ! command -v apt-get >/dev/null 2>&1; then \
		echo "chromium: $(CHROMIUM) is missing and this system has no apt-get; install Chromium" \
			"with your package manager and set CONFIANCE_CHROMIUM to its path" >&2; exit 1; \
	elif [ "$$(id -u)" = 0 ]; then \
		apt-get update && DEBIAN_FRONTEND=noninteractive apt-get install -y chromium; \
	elif command -v sudo >/dev/null 2>&1 && { sudo -n true 2>/dev/null || [ -t 0 ]; }; then \
		sudo apt-get update && sudo DEBIAN_FRONTEND=noninteractive apt-get install -y chromium; \
	else \
		echo "chromium: $(CHROMIUM) is missing; installing it needs root and sudo cannot be" \
			"used here: run 'apt-get install -y chromium' as root, then make test" >&2; exit 1; \
	fi

test-browser: $(STAMP) browser  ## Run only the browser tests (headless Chromium; screenshots in var/test-artifacts/)
	CONFIANCE_REQUIRE_BROWSER=1 $(BIN)/pytest -m browser

SHOTS := overview-fr-laptop overview-en-laptop overview-fr-phone mentions-fr-laptop \
	mention-detail-fr-laptop mentions-fr-phone queries-fr-laptop queries-error-fr-laptop queries-fr-phone \
	alerts-fr-laptop alert-detail-fr-laptop sources-fr-laptop

screenshots: $(STAMP) browser  ## Take the user guide's screenshots again (docs/screenshots/)
	CONFIANCE_REQUIRE_BROWSER=1 $(BIN)/pytest -q -m browser tests/e2e/test_overview_page.py \
		tests/e2e/test_mentions_page.py tests/e2e/test_queries_page.py tests/e2e/test_alerts_page.py \
		tests/e2e/test_sources_page.py
	mkdir -p docs/screenshots
	for shot in $(SHOTS); do cp var/test-artifacts/screenshots/$$shot.png docs/screenshots/; done

lint: $(STAMP)  ## ruff
	$(BIN)/ruff check src tests benchmarks

typecheck: $(STAMP)  ## mypy strict on the package
	$(BIN)/mypy

bench: $(STAMP)  ## Run the import benchmark (see benchmarks/README.md)
	$(BIN)/python benchmarks/import_speed.py

clean:  ## Remove the virtualenv, caches and the local database
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache .coverage var
