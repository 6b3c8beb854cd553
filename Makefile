# GAN Course. Two commands: `make lab` opens the course, `make test` runs every check.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.ganlib-installed
JUPYTER_IP ?= 127.0.0.1
JUPYTER_PORT ?= 8888
LAB_ARGS ?= --no-browser
# JupyterLab refuses to run as root unless told to (containers, CI, cloud machines).
ROOT_FLAG := $(if $(filter 0,$(shell id -u)),--allow-root,)

# The exact versions the course is tested with (Python 3.11, Linux x86-64). Elsewhere, or to try newer
# versions within the ranges: `make lab REQUIREMENTS=requirements.txt`.
REQUIREMENTS ?= requirements.lock
LOCK_TOOL := .lock-tool

# Test processes (pytest-xdist): one per core by default; whole files (a notebook, a test module and its
# trained fixtures) go to one process, except the solved lessons, one each. `make test TEST_WORKERS=0`
# runs everything in this one process.
TEST_WORKERS ?= auto
XDIST := $(if $(filter 0,$(TEST_WORKERS)),,-n $(TEST_WORKERS) --dist loadfile)
XDIST_EACH := $(if $(filter 0,$(TEST_WORKERS)),,-n $(TEST_WORKERS) --dist load)

.PHONY: install lab test lint unit notebooks test-browser lessons benchmarks lock clean

install: $(STAMP)

$(STAMP): $(REQUIREMENTS) pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -r $(REQUIREMENTS)
	$(BIN)/python -m pip install --quiet --no-deps -e .
	touch $(STAMP)

# Refresh requirements.lock: the newest versions within requirements.txt's ranges, resolved by uv (installed
# into a throwaway virtual environment). Then run `make test` and commit the lock if it passes.
lock:
	rm -rf $(LOCK_TOOL) && $(PYTHON) -m venv $(LOCK_TOOL)
	$(LOCK_TOOL)/bin/python -m pip install --quiet uv
	$(LOCK_TOOL)/bin/uv pip compile requirements.txt --upgrade --python-version 3.11.7 \
		--python-platform x86_64-unknown-linux-gnu -o requirements.lock
	rm -rf $(LOCK_TOOL)

lab: install
	$(BIN)/jupyter lab --notebook-dir=notebooks --ip=$(JUPYTER_IP) --port=$(JUPYTER_PORT) $(ROOT_FLAG) $(LAB_ARGS)

lint: install
	$(BIN)/ruff check .

unit: install
	$(BIN)/python -m pytest tests -m "not browser and not lesson" $(XDIST)

# Every lesson in smoke mode, on the online learner's 60,000 digits (tests/mnist_60000.py: the 5,000 bundled
# digits shifted 12 ways, read through GANLIB_MNIST_FILE), so epoch length and cadences are those most
# learners get; the unit tests cover the 5,000-digit offline path.
MNIST_60K := $(VENV)/mnist-60000.npz

$(MNIST_60K): tests/mnist_60000.py $(STAMP)
	$(BIN)/python tests/mnist_60000.py $@

# Then each lesson's instructor's copy (every exercise solved: the lesson trains the learner's pieces).
notebooks: install $(MNIST_60K)
	GANLIB_SMOKE=1 GANLIB_MNIST_FILE=$(abspath $(MNIST_60K)) $(BIN)/python -m pytest --nbval-lax notebooks -p no:cacheprovider $(XDIST)
	GANLIB_SMOKE=1 GANLIB_MNIST_FILE=$(abspath $(MNIST_60K)) $(BIN)/python -m pytest tests/lessons -m lesson -p no:cacheprovider -rs $(XDIST_EACH)

# JupyterLab in Debian's headless Chromium, driven by Playwright: the widgets render, react and redraw.
BROWSER_TESTS := $(BIN)/python -m pytest tests/browser -m browser -p no:cacheprovider -rs
HAVE_CHROMIUM := command -v chromium >/dev/null 2>&1 || command -v chromium-browser >/dev/null 2>&1 \
	|| test -x "$${GANLIB_CHROMIUM:-/usr/bin/chromium}"

test-browser: install
	GANLIB_REQUIRE_BROWSER=1 $(BROWSER_TESTS)

# The lessons, then the browser tests when Chromium is there (one after the other: one lane).
lessons: notebooks
	@if $(HAVE_CHROMIUM); then $(MAKE) --no-print-directory test-browser; \
	else echo "Browser tests skipped: Chromium is not installed (apt-get install chromium; .ci/run does it)."; fi

# After lint, two lanes at once: the unit tests beside the lessons. Each lane leaves cores idle at times (a file
# that runs one subprocess, the last notebook of a run, a browser waiting for a redraw), which the other fills.
# Each command's output is printed when it ends (make --output-sync=line: a pytest run's report stays whole);
# `make unit` or `make lessons` runs one lane.
test: lint
	@$(MAKE) --no-print-directory --jobs=2 --output-sync=line unit lessons

benchmarks: install
	$(BIN)/python benchmarks/lesson1_quality.py

clean:
	rm -rf $(VENV) $(LOCK_TOOL) .pytest_cache .ruff_cache
