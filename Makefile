# civnet: two commands on a fresh machine. Each creates .venv on first use.
PY ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: demo test lint bench clean

$(STAMP): pyproject.toml
	$(PY) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test]'
	touch $(STAMP)

## demo: load the embedded real dataset into a fresh workspace and run the main job
demo: $(STAMP)
	rm -f demo.duckdb demo.duckdb.wal
	$(BIN)/civnet --workspace demo.duckdb load --all
	$(BIN)/civnet --workspace demo.duckdb analyze

## test: lint and the whole test suite (installs Debian's chromium for the browser tests)
test: $(STAMP)
	bash scripts/install-browser.sh
	$(BIN)/ruff check src tests benchmarks
	$(BIN)/ruff format --check src tests benchmarks
	$(BIN)/mypy
	$(BIN)/python -m pytest -q

bench: $(STAMP)
	$(BIN)/python benchmarks/core.py

clean:
	rm -rf $(VENV) demo.duckdb demo.duckdb.wal
