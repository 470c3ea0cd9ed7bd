# The two commands of the README:
#   make report   set up (virtualenv + install) and run the main job on the bundled sample
#   make test     set up (with test extras) and run the test suite
PYTHON ?= python3
VENV   ?= .venv
BIN     = $(VENV)/bin
OUT    ?= out

.PHONY: report test bench lint clean-out

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e ".[test]"
	touch $@

report: $(VENV)/.installed
	$(BIN)/survey-kit report --out $(OUT)

test: $(VENV)/.installed
	$(BIN)/python -m pytest -q -n 2

bench: $(VENV)/.installed
	$(BIN)/python benchmarks/run.py

lint: $(VENV)/.installed
	$(BIN)/python -m ruff check survey_kit tests benchmarks

clean-out:
	rm -rf $(OUT)
