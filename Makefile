# Two entry points: `make demo` and `make test`. Both create or update the local virtual environment first, each
# with what it needs: `make demo` qimaturity alone (no extra: the demo validates, scores, explains and renders HTML
# and PDF reports), `make test` the test extra too (every other extra, the test tools, npm's packages, the web
# styles). A later target adds what an earlier one did not install, in the same environment.
# For developers, `make test-fast`: the tests that render no PDF and start no process, for the edit-test loop.
# `make serve`: the web application on https://127.0.0.1:8000/ with the example organisations, its data (database,
# secret key, certificate) in qimaturity-data/, which `make clean` leaves alone.
PYTHON ?= python3
VENV   := .venv
PY     := $(VENV)/bin/python
# One stamp for each set installed: qimaturity alone, with the web extra, with the test extra (which holds the web
# extra and every other). A set's stamp is touched by every larger set too, so `make demo` after `make test` has
# nothing to do.
DEMO_STAMP := $(VENV)/.installed-demo
WEB_STAMP  := $(VENV)/.installed-web
TEST_STAMP := $(VENV)/.installed-test

QIM    := $(VENV)/bin/qimaturity
# pytest-xdist, one test process per CPU (TEST_WORKERS=1 for one). Tests are handed out file by file, files with
# slow tests first, so that a file's shared data (a rendered PDF, a built corpus) is made once.
TEST_WORKERS ?= auto
PYTEST := $(PY) -m pytest -n $(TEST_WORKERS)
# Byte code is cached (__pycache__, ignored by git) even where the environment turns that off: without it every run
# compiles the package and rewrites every test module's asserts again, about 12 s of each test process's start.
unexport PYTHONDONTWRITEBYTECODE

.PHONY: demo serve test test-fast lint preview system-packages npm-packages clean

# The virtual environment itself, with a current pip.
$(PY):
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip

$(DEMO_STAMP): pyproject.toml | $(PY)
	@$(MAKE) --no-print-directory system-packages SYSTEM_PACKAGES="$(DEMO_SYSTEM_PACKAGES)"
	$(PY) -m pip install --quiet -e .
	touch $(DEMO_STAMP)

$(WEB_STAMP): pyproject.toml package-lock.json qimaturity/web/styles/site.scss | $(PY)
	@$(MAKE) --no-print-directory system-packages SYSTEM_PACKAGES="$(DEMO_SYSTEM_PACKAGES)"
	$(PY) -m pip install --quiet -e '.[web]'
	@$(MAKE) --no-print-directory npm-packages
	touch $(WEB_STAMP) $(DEMO_STAMP)

$(TEST_STAMP): pyproject.toml package-lock.json qimaturity/web/styles/site.scss | $(PY)
	@$(MAKE) --no-print-directory system-packages
	$(PY) -m pip install --quiet -e '.[test]'
	@$(MAKE) --no-print-directory npm-packages
	touch $(TEST_STAMP) $(WEB_STAMP) $(DEMO_STAMP)

# The NHS.UK frontend (the web application's scripts and images, and the Sass its style sheet is built from) and
# axe-core, which the browser accessibility tests run in Chromium (package.json pins them); then the web
# application's style sheet: the NHS.UK frontend's Sass without its web font (see the .scss).
npm-packages:
	@if command -v npm >/dev/null 2>&1; then npm ci --no-audit --no-fund --silent; \
	else echo "npm not found: the web application has no styles and the browser accessibility tests are skipped"; fi
	@if [ -d node_modules/sass ]; then \
	  npx sass --no-source-map --style=compressed --quiet --load-path=node_modules \
	    qimaturity/web/styles/site.scss build/web/site.css; fi

# Best effort, where the system allows (root with apt). The demo's: HarfBuzz's subsetter, which makes PDF writing
# much faster (the PDF reports' typeface is bundled). The tests' besides: Chromium, for the tests of the HTML reports
# in a browser (a missing Chromium skips them, except in CI, where CI=true makes them fail); poppler-utils
# (pdftoppm, for `make preview`); DejaVu Sans, the example brand's font and the source of the tick boxes' font
# (scripts/make_box_font.py).
DEMO_SYSTEM_PACKAGES := libharfbuzz-subset0
SYSTEM_PACKAGES := $(DEMO_SYSTEM_PACKAGES) chromium poppler-utils fonts-dejavu-core

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

demo: $(DEMO_STAMP)
	$(QIM) validate qi-readiness qi-programme-stages
	$(QIM) score qi-readiness examples/answers/
	$(QIM) explain qi-readiness examples/answers/riverside-community.yaml --question lead-role-models
	@for answers in examples/answers/*.yaml; do \
	  name=$$(basename $$answers .yaml); \
	  $(QIM) report qi-readiness $$answers -o out/$$name.pdf || exit 1; \
	  $(QIM) report qi-readiness $$answers -o out/$$name.html || exit 1; \
	done
	$(QIM) compare qi-readiness examples/cohort --group-by type -o out/cohort.pdf

serve: $(WEB_STAMP)
	$(QIM) serve --examples --data qimaturity-data

# scripts/preview.py reads the PDF with pypdf, a test tool.
preview: $(TEST_STAMP)
	$(QIM) report qi-readiness examples/answers/riverside-community.yaml -o out/riverside-community.pdf
	$(PY) scripts/preview.py out/riverside-community.pdf

test: lint
	$(PYTEST) --dist loadfile

# The fast tests share no costly data, so they are handed out one by one (the best balance), not file by file.
test-fast: $(TEST_STAMP)
	$(PYTEST) --dist load -m "not slow and not subprocess"

lint: $(TEST_STAMP)
	$(VENV)/bin/ruff check qimaturity tests
	$(VENV)/bin/ruff format --check qimaturity tests
	$(VENV)/bin/mypy qimaturity
	$(VENV)/bin/lint-imports

clean:
	rm -rf $(VENV) build dist out node_modules
