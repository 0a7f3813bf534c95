# Nêu gương training kit. The README's two set-up commands are `make serve` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
RUNTIME := $(VENV)/.installed-runtime
TESTING := $(VENV)/.installed-test
PYTEST_ARGS ?=

.PHONY: serve kiosk trainer lab test check coverage notebooks lint format bench clean

$(VENV)/bin/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(RUNTIME): pyproject.toml | $(VENV)/bin/python
	$(BIN)/python -m pip install --quiet -e .
	touch $@

$(TESTING): pyproject.toml | $(VENV)/bin/python
	$(BIN)/python -m pip install --quiet -e ".[test]"
	touch $@ $(RUNTIME)

## The learner site on http://127.0.0.1:8866 (embedded SQLite store in var/).
serve: $(RUNTIME)
	$(BIN)/neuguong serve --mode learner

## An unattended kiosk: idle reset, kernel cap, culling.
kiosk: $(RUNTIME)
	$(BIN)/neuguong serve --mode kiosk

## The trainer site on http://127.0.0.1:8867 (needs NEUGUONG_TRAINER_TOKEN).
trainer: $(RUNTIME)
	$(BIN)/neuguong serve --mode trainer

## JupyterLab on the kit, for authors and trainers.
lab: $(RUNTIME)
	$(BIN)/jupyter lab --ServerApp.ip=127.0.0.1 --ServerApp.root_dir=$(CURDIR) $(if $(filter 0,$(shell id -u)),--allow-root)

## Validate content/ (file:line messages).
check: $(RUNTIME)
	$(BIN)/neuguong check

coverage: $(RUNTIME)
	$(BIN)/neuguong coverage

## Regenerate notebooks/learner/ from content/course.yml.
notebooks: $(RUNTIME)
	$(BIN)/neuguong notebooks

lint: $(TESTING)
	$(BIN)/ruff check widgets tests benchmarks
	$(BIN)/ruff format --check widgets tests benchmarks

format: $(TESTING)
	$(BIN)/ruff format widgets tests benchmarks
	$(BIN)/ruff check --fix widgets tests benchmarks

## The whole suite: content check, lint, unit/view/records tests, nbval over every notebook, browser tests.
test: $(TESTING)
	$(BIN)/neuguong check
	$(BIN)/neuguong notebooks --check
	$(MAKE) --no-print-directory lint
	NEUGUONG_DATA=$$(mktemp -d) NEUGUONG_CACHE=$$(mktemp -d) $(BIN)/python -m pytest tests notebooks \
		--nbval-lax --nbval-current-env -p no:cacheprovider $(PYTEST_ARGS)

## Benchmarks against a bare Voila page (not part of `make test`).
bench: $(TESTING)
	$(BIN)/python -m benchmarks

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache
