# Two entry points: `make demo` and `make test`. Both create or update the local virtual environment first.
# For developers, `make test-fast`: the tests that render no PDF and start no process, for the edit-test loop.
# `make serve`: the web application on https://127.0.0.1:8000/ with the example organisations, its data (database,
# secret key, certificate) in qimaturity-data/, which `make clean` leaves alone.
PYTHON ?= python3
VENV   := .venv
PY     := $(VENV)/bin/python
STAMP  := $(VENV)/.installed

QIM    := $(VENV)/bin/qimaturity
# pytest-xdist, one test process per CPU (TEST_WORKERS=1 for one). Tests are handed out file by file, files with
# slow tests first, so that a file's shared data (a rendered PDF, a built corpus) is made once.
TEST_WORKERS ?= auto
PYTEST := $(PY) -m pytest -n $(TEST_WORKERS)
# Byte code is cached (__pycache__, ignored by git) even where the environment turns that off: without it every run
# compiles the package and rewrites every test module's asserts again, about 12 s of each test process's start.
unexport PYTHONDONTWRITEBYTECODE

.PHONY: demo serve test test-fast lint preview system-packages clean

$(STAMP): pyproject.toml package-lock.json qimaturity/web/styles/site.scss
	@$(MAKE) --no-print-directory system-packages
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[test]'
	@# axe-core, which the browser accessibility tests run in Chromium (package.json pins it)
	@if command -v npm >/dev/null 2>&1; then npm ci --no-audit --no-fund --silent; \
	else echo "npm not found: the browser accessibility tests will be skipped"; fi
	@# The web application's style sheet: the NHS.UK frontend's Sass without its web font (see the .scss)
	@if [ -d node_modules/sass ]; then \
	  npx sass --no-source-map --style=compressed --quiet --load-path=node_modules \
	    qimaturity/web/styles/site.scss build/web/site.css; fi
	touch $(STAMP)

# Best effort, where the system allows (root with apt): Chromium, for the tests of the HTML reports in a browser (a
# missing Chromium skips them, except in CI, where CI=true makes them fail); poppler-utils (pdftoppm, for
# `make preview`); HarfBuzz's subsetter, which makes PDF writing much faster; DejaVu Sans, the example brand's font
# and the source of the tick boxes' font (scripts/make_box_font.py). The PDF reports' typeface is bundled.
SYSTEM_PACKAGES := chromium poppler-utils libharfbuzz-subset0 fonts-dejavu-core

system-packages:
	@if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then \
	  missing=""; for p in $(SYSTEM_PACKAGES); do dpkg -s $$p >/dev/null 2>&1 || missing="$$missing $$p"; done; \
	  if [ -n "$$missing" ]; then \
	    (apt-get install -y -qq $$missing >/dev/null 2>&1 || \
	     (apt-get update -qq >/dev/null 2>&1 && apt-get install -y -qq $$missing >/dev/null 2>&1)) && \
	    echo "installed$$missing" || \
	    echo "could not install$$missing: browser tests are skipped outside CI, PDFs are still correct, only slower to write"; \
	  fi; \
	fi

demo: $(STAMP)
	$(QIM) validate qi-readiness qi-programme-stages
	$(QIM) score qi-readiness examples/answers/
	$(QIM) explain qi-readiness examples/answers/riverside-community.yaml --question lead-role-models
	@for answers in examples/answers/*.yaml; do \
	  name=$$(basename $$answers .yaml); \
	  $(QIM) report qi-readiness $$answers -o out/$$name.pdf || exit 1; \
	  $(QIM) report qi-readiness $$answers -o out/$$name.html || exit 1; \
	done
	$(QIM) compare qi-readiness examples/cohort --group-by type -o out/cohort.pdf

serve: $(STAMP)
	$(QIM) serve --examples --data qimaturity-data

preview: $(STAMP)
	$(QIM) report qi-readiness examples/answers/riverside-community.yaml -o out/riverside-community.pdf
	$(PY) scripts/preview.py out/riverside-community.pdf

test: lint
	$(PYTEST) --dist loadfile

# The fast tests share no costly data, so they are handed out one by one (the best balance), not file by file.
test-fast: $(STAMP)
	$(PYTEST) --dist load -m "not slow and not subprocess"

lint: $(STAMP)
	$(VENV)/bin/ruff check qimaturity tests
	$(VENV)/bin/ruff format --check qimaturity tests
	$(VENV)/bin/mypy qimaturity
	$(VENV)/bin/lint-imports

clean:
	rm -rf $(VENV) build dist out node_modules
