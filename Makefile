# Nêu gương training kit. The README's two set-up commands are `make serve` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
RUNTIME := $(VENV)/.installed-runtime
TESTING := $(VENV)/.installed-test
LAB := $(VENV)/.installed-lab
PYTEST_ARGS ?=
# pip shows what it downloads and installs (a first install takes a few minutes).
PIP_INSTALL := $(BIN)/python -m pip install --progress-bar on

.PHONY: serve kiosk trainer lab test check coverage notebooks lint format bench clean

$(VENV)/bin/python:
	@echo "Tạo môi trường Python trong $(VENV)/ …"
	$(PYTHON) -m venv $(VENV)
	$(PIP_INSTALL) --upgrade pip

$(RUNTIME): pyproject.toml | $(VENV)/bin/python
	@echo "Cài đặt bộ học liệu và các gói cần thiết (lần đầu mất vài phút) …"
	$(PIP_INSTALL) -e .
	touch $@

$(TESTING): pyproject.toml | $(VENV)/bin/python
	@echo "Cài đặt bộ học liệu và các gói để kiểm thử (lần đầu mất vài phút) …"
	$(PIP_INSTALL) -e ".[test]"
	touch $@ $(RUNTIME)

$(LAB): pyproject.toml | $(VENV)/bin/python
	@echo "Cài đặt JupyterLab …"
	$(PIP_INSTALL) -e ".[lab]"
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
lab: $(LAB)
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
	$(BIN)/mypy widgets

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
