# Two entry points, both self-installing into .venv:
#   make build   parse, reason over, validate and store data/raw/ (then: .venv/bin/kg sparql ...)
#   make test    lint and run the whole test suite (what CI runs)
PYTHON ?= python3
VENV ?= .venv
BIN = $(VENV)/bin

$(BIN)/kg: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -e ".[test]"
	touch $@

.PHONY: build test bench
build: $(BIN)/kg
	$(BIN)/kg build

test: $(BIN)/kg
	$(BIN)/ruff check src tests benchmarks
	$(BIN)/ruff format --check src tests benchmarks
	$(BIN)/python -m pytest

bench: $(BIN)/kg
	$(BIN)/python benchmarks/graph_scale.py --documents 2700 --rdflib-documents 200 \
		--output benchmarks/results/graph_scale.json
