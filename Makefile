# ecgteach — the two set-up commands of the README:
#   make lab    create .venv, install ecgteach, open the lessons in JupyterLab
#   make test   create/update .venv with the test extras, run the whole suite
PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
PIP    := $(BIN)/python -m pip --disable-pip-version-check
LAB_ARGS ?=
# Jupyter refuses to run as root (containers, Binder-like images) without this flag.
ROOT_FLAG := $(if $(filter 0,$(shell id -u)),--allow-root)

.PHONY: lab test venv venv-test lint reference strip-notebooks bundle-data clean help

help:
	@echo "make lab   - install and open the lessons in JupyterLab"
	@echo "make test  - install with test extras and run the whole test suite"

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(PIP) install --quiet --upgrade pip

# Re-install when pyproject.toml changes (the stamp is older than it).
$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(PIP) install --quiet -e .
	touch $@

$(VENV)/.installed-test: pyproject.toml | $(BIN)/python
	$(PIP) install --quiet -e ".[test]"
	touch $(VENV)/.installed $@

venv: $(VENV)/.installed
venv-test: $(VENV)/.installed-test

lab: venv
	$(BIN)/jupyter lab --notebook-dir=lessons $(ROOT_FLAG) $(LAB_ARGS)

test: venv-test
	$(BIN)/ruff check .
	ECGTEACH_FAST=1 $(BIN)/python -m pytest -q

lint: venv-test
	$(BIN)/ruff check .

# A rendered copy of each lesson with its outputs, offline HTML (instructor/GUIDE.md).
reference: venv-test
	$(BIN)/python scripts/build_reference.py --out build/reference

# Remove outputs from the lessons before committing (the tests also check this).
strip-notebooks: venv-test
	$(BIN)/python scripts/notebooks.py strip lessons/*.ipynb

# Rebuild the bundled offline data from ../shared/data and check it.
bundle-data:
	$(PYTHON) scripts/build_bundled_data.py

clean:
	rm -rf $(VENV) build dist *.egg-info .pytest_cache .ruff_cache
