# Two entry points: `make demo` and `make test`. Both create or update the local virtual environment first.
PYTHON ?= python3
VENV   := .venv
PY     := $(VENV)/bin/python
STAMP  := $(VENV)/.installed

.PHONY: demo test lint clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[test]'
	touch $(STAMP)

demo: $(STAMP)
	$(VENV)/bin/qimaturity validate qi-readiness qi-programme-stages
	$(VENV)/bin/qimaturity score qi-readiness examples/answers/
	$(VENV)/bin/qimaturity explain qi-readiness examples/answers/riverside-community.yaml --question lead-role-models

test: lint
	$(PY) -m pytest

lint: $(STAMP)
	$(VENV)/bin/ruff check qimaturity tests
	$(VENV)/bin/ruff format --check qimaturity tests
	$(VENV)/bin/mypy qimaturity

clean:
	rm -rf $(VENV) build dist out
