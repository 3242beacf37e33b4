# The few things a person does with dxstudy: build the report, run the tests, open JupyterLab.
# Everything runs from the project's own virtual environment (.venv), which `make venv` builds.

VENV := .venv
# Windows (make from Git Bash or MSYS2): the venv's programs are in Scripts\, and Python is `py`.
ifeq ($(OS),Windows_NT)
PYTHON ?= py
BIN := $(VENV)/Scripts
else
PYTHON ?= python3
BIN := $(VENV)/bin
endif
# Written after a successful install; re-made whenever pyproject.toml changes.
STAMP := $(VENV)/.installed
FISCAL_YEAR ?= 2021

# The command behind `make report`: the fiscal-year batch (tables, notebooks, HTML, index.html).
REPORT_CMD = $(BIN)/dxstudy run --fiscal-year $(FISCAL_YEAR)

# Extra arguments, e.g. make test PYTEST_ARGS="-k environment" or make lab LAB_ARGS="--no-browser".
PYTEST_ARGS ?=
LAB_ARGS ?=

.DEFAULT_GOAL := help
.PHONY: help venv report test lab clean

help:
	@echo "make report   run the FY$(FISCAL_YEAR) batch: tables, notebooks, HTML reports in outputs/FY$(FISCAL_YEAR)/"
	@echo "make test     run the test suite"
	@echo "make lab      open JupyterLab on notebooks/ with the python3 kernel of .venv"
	@echo "make venv     create or update .venv (done by the targets above when needed)"
	@echo "make clean    delete data/processed/ and outputs/FY*/ (raw data is kept)"

venv: $(STAMP)

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --upgrade pip
	$(BIN)/python -m pip install -e ".[test]"
	$(BIN)/python -m ipykernel install --sys-prefix --name python3 --display-name "Python 3 (dxstudy)"
	touch $@

report: $(STAMP)
	$(REPORT_CMD)

# pytest's exit status passes through, except 5 ("no tests collected"), which is reported and not an error.
test: $(STAMP)
	@status=0; $(BIN)/python -m pytest $(PYTEST_ARGS) || status=$$?; \
	if [ $$status -eq 5 ]; then echo "make test: pytest collected no tests"; exit 0; fi; \
	exit $$status

lab: $(STAMP)
	$(BIN)/jupyter lab notebooks/ $(LAB_ARGS)

clean:
	rm -rf data/processed outputs/FY*
