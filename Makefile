# The two commands of the quick start: `make run` and `make test`.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: run test install lint typecheck contracts chromium bench bench-cpu clean

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

install: $(STAMP)

run: $(STAMP)
	$(BIN)/lpg-ussd serve

lint: $(STAMP)
	$(BIN)/ruff check src tests migrations bench
	$(BIN)/ruff format --check src tests migrations bench

typecheck: $(STAMP)
	$(BIN)/mypy

contracts: $(STAMP)
	$(BIN)/lint-imports

# Debian's Chromium for the browser tests (tests/browser), installed when missing and possible.
chromium:
	@bash .ci/ensure-chromium

test: $(STAMP) chromium lint typecheck contracts
	$(BIN)/pytest -n 2  # two processes: half the time on a 2-core machine

# The journey benchmark on PostgreSQL and Redis (see README): prints a table.
bench: $(STAMP)
	$(BIN)/python -m bench.run

bench-cpu: $(STAMP)
	$(BIN)/python -m bench.cpu

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache var
