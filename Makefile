# Quick start: `make demo` and `make test` on a fresh machine (Python 3.11).
PY ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: demo test test-fast bench eval clean

$(STAMP): pyproject.toml
	$(PY) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip
	$(BIN)/pip install -q -e '.[test]'
	touch $(STAMP)

demo: $(STAMP)
	$(BIN)/webcare demo

test: $(STAMP)
	$(BIN)/python -m pytest -n 2 -q

# the fast tier: unit tests that take under a second each (tiers: tests/conftest.py)
test-fast: $(STAMP)
	$(BIN)/python -m pytest -n 2 -q -m "unit and not slow"

bench: $(STAMP)
	$(BIN)/python benchmarks/classify_throughput.py

eval: $(STAMP)
	$(BIN)/webcare eval

clean:
	rm -rf $(VENV) .pytest_cache build *.egg-info
