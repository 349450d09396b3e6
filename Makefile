# civnet: two commands on a fresh machine. Each creates .venv on first use.
PY ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
KERNEL := src/civnet/measures/intermediation
AOT := $(VENV)/.aot-built

.PHONY: demo test lint bench clean

$(STAMP): pyproject.toml
	$(PY) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test]'
	touch $(STAMP)

# the serial Brandes kernel compiled ahead of time (numba.pycc), so that exact betweenness runs
# without importing numba; rebuilt when the kernel changes. A failed build fails nothing: the
# kernel then runs under numba's JIT (brandes_build says why on stderr). The same step fills
# numba's on-disk cache with the parallel samplers pycc cannot build (warm_jit_cache), so the
# first `civnet serve` loads them instead of compiling.
$(AOT): $(STAMP) $(KERNEL)/brandes_kernel.py $(KERNEL)/replicate_brandes.py $(KERNEL)/brandes_build.py
	-$(BIN)/python -m civnet.measures.intermediation.brandes_build
	touch $(AOT)

## demo: load the embedded real dataset into a fresh workspace and run the main job
demo: $(STAMP) $(AOT)
	rm -f demo.duckdb demo.duckdb.wal
	$(BIN)/civnet --workspace demo.duckdb load --all
	$(BIN)/civnet --workspace demo.duckdb analyze

## test: lint and the whole test suite (installs Debian's chromium for the browser tests)
test: $(STAMP) $(AOT)
	bash scripts/install-browser.sh
	$(BIN)/ruff check src tests benchmarks
	$(BIN)/ruff format --check src tests benchmarks
	$(BIN)/mypy
	$(BIN)/python -m pytest -q

bench: $(STAMP) $(AOT)
	$(BIN)/python benchmarks/core.py

clean:
	rm -rf $(VENV) demo.duckdb demo.duckdb.wal $(KERNEL)/_brandes_aot_*
