# Two commands set up a fresh machine: `make demo` and `make test`. Everything else is a helper.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed

.PHONY: demo test install browser lint typecheck check migration bench clean

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e ".[test]"
	touch $(STAMP)

install: $(STAMP)

## Build the sample LPSA project and serve it on http://127.0.0.1:5000/
demo: $(STAMP)
	$(BIN)/qualcode --database sqlite:///demo.db demo

## Chromium for the browser tests (Debian's package; Playwright drives /usr/bin/chromium)
browser:
	@test -x /usr/bin/chromium || (command -v apt-get >/dev/null && \
	  (apt-get install -y -q chromium >/dev/null 2>&1 || \
	   (apt-get update -q >/dev/null && apt-get install -y -q chromium >/dev/null)) ) || \
	  echo "warning: /usr/bin/chromium is missing; browser tests will be skipped"

## Run the whole suite (SQLite; set QUALCODE_TEST_DATABASE_URL for PostgreSQL)
test: $(STAMP) browser
	$(BIN)/python -m pytest -q

lint: $(STAMP)
	$(BIN)/ruff check qualcode webui tests
	$(BIN)/ruff format --check qualcode webui tests

typecheck: $(STAMP)
	$(BIN)/mypy qualcode

check: lint typecheck
	$(BIN)/lint-imports
	$(BIN)/qualcode --database sqlite:///$$(mktemp -d)/check.db db check

## Regenerate the initial migration after a model change (only before the first release)
migration: $(STAMP)
	$(BIN)/qualcode --database sqlite:///$$(mktemp -d)/rev.db db revision -m "$(MSG)"

bench: $(STAMP)
	$(BIN)/qualcode bench

clean:
	rm -rf $(VENV) build dist *.egg-info demo.db .pytest_cache .mypy_cache .ruff_cache
