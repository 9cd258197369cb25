# Parcours: `make run` starts the product, `make test` runs every test. Both set up what they need.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
PY_STAMP := $(VENV)/.installed
NPM_STAMP := frontend/node_modules/.installed
SPA := frontend/dist/index.html
BACKEND_SOURCES := $(shell find backend -name '*.py' -not -path '*/__pycache__/*')
FRONTEND_SOURCES := $(shell find frontend/src -type f 2>/dev/null) frontend/index.html frontend/vite.config.ts frontend/package.json

.PHONY: setup run lint test test-backend test-e2e bench capacity clean

setup: $(PY_STAMP) $(SPA)

$(PY_STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $@

# `npm install` honours package-lock.json; `npm ci` would refuse a lock file that lacks the
# optional packages of other platforms (esbuild, rollup) when the registry does not serve them.
$(NPM_STAMP): frontend/package.json frontend/package-lock.json
	cd frontend && npm install --no-audit --no-fund --loglevel=error
	touch $@

# The SPA's API client is generated from the backend's OpenAPI document.
$(SPA): $(PY_STAMP) $(NPM_STAMP) $(BACKEND_SOURCES) $(FRONTEND_SOURCES)
	$(BIN)/parcours openapi > frontend/openapi.json
	cd frontend && npm run --silent build

run: setup
	$(BIN)/parcours serve

# Lint, format and types first: a minute, and what they catch would otherwise fail later or not at all.
lint: $(PY_STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy

# The backend's modules in two processes (pytest-xdist; each module, with its app and databases, in
# one of them): its tests mostly wait for the worker, so two halve the time even on two cores.
TEST_PROCESSES := -n 2 --dist loadscope

test: setup lint
	$(BIN)/pytest $(TEST_PROCESSES) tests
	$(BIN)/pytest e2e

test-backend: $(PY_STAMP)
	$(BIN)/pytest $(TEST_PROCESSES) tests

test-e2e: setup
	$(BIN)/pytest e2e

bench: setup
	$(BIN)/python -m bench

# docs/capacity.md: the product in production mode under a mixed load for 10 minutes (PostgreSQL).
capacity: setup
	$(BIN)/python -m bench.capacity

clean:
	rm -rf $(VENV) frontend/node_modules frontend/dist var
