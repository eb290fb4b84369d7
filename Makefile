# The two commands of the README: `make run` and `make test`. Both set up .venv first.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin

.PHONY: run test lint format codegen lock

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)

# The tested versions, pinned in requirements.lock; then this project, on top of them.
$(VENV)/.installed: pyproject.toml requirements.lock | $(BIN)/python
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -r requirements.lock
	$(BIN)/pip install --quiet --no-deps -e .
	touch $@

# Upgrade the pins to the newest releases pyproject.toml allows (then run `make test`).
LOCK ?= requirements.lock
lock: | $(VENV)/.installed
	$(BIN)/uv pip compile pyproject.toml --extra test --universal --python-version 3.11 \
		--upgrade --quiet -o $(LOCK)

# Node tools (GraphQL-over-HTTP audit, client codegen); tests that need them skip without npm.
node_modules/.installed: package.json package-lock.json
	@if command -v npm >/dev/null 2>&1; then npm ci --no-audit --no-fund --loglevel=error && touch $@; \
	else echo "npm not found: the Node-based tests will skip"; fi

# ariadne-codegen needs graphql-core 3.2, Strawberry 3.3: the generator has a venv of its own.
CODEGEN := $(VENV)/codegen
$(CODEGEN)/.installed: clients/python/pyproject.toml
	$(PYTHON) -m venv $(CODEGEN)
	$(CODEGEN)/bin/pip install --quiet --upgrade pip
	$(CODEGEN)/bin/pip install --quiet --group clients/python/pyproject.toml:codegen
	touch $@

# GraphiQL's scripts come from node_modules/ (without npm, from a CDN).
run: $(VENV)/.installed node_modules/.installed
	$(BIN)/python server.py

test: $(VENV)/.installed node_modules/.installed $(CODEGEN)/.installed
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/python -m pytest

lint: $(VENV)/.installed
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: $(VENV)/.installed
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

# Regenerate the committed clients after changing schema.graphql or clients/operations/.
codegen: $(CODEGEN)/.installed node_modules/.installed
	cd clients/python && ../../$(CODEGEN)/bin/ariadne-codegen
	cd clients/typescript && ../../node_modules/.bin/graphql-codegen --config codegen.yml
