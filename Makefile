# pcbook: `make book` builds the website, `make test` runs every check. Both create .venv themselves.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed
# Exact versions (with hashes) the stored notebook outputs were made with, for the Python the lock
# was made for; requirements.txt is the loose list behind it (make lock regenerates the lock).
LOCK := requirements-lock.txt
LOCK_PYTHON := 3.11
PYTHON_VERSION := $(shell $(PYTHON) -c 'import sys; print("%d.%d" % sys.version_info[:2])' 2>/dev/null)
# quiet progress bars, and one BLAS thread: on 2 shared cores the book's small matrices run faster
# without thread hand-offs. (No MPLBACKEND here: notebooks need their inline figures.)
# One OpenBLAS kernel on every x86-64 machine: OpenBLAS picks its matrix kernel by processor, the
# kernels round differently, and chapter 7's 20000-epoch training amplifies the last bit into the
# printed digits. With the Haswell (AVX2) kernel every x86-64 machine prints the stored outputs.
# tools/blas_kernel.sh sets it only where the processor has AVX2 (elsewhere it says which digits
# may differ); the note is printed once, not by every recursive make.
BLAS_KERNEL := $(shell tools/blas_kernel.sh $(if $(PCBOOK_BLAS_NOTED),2>/dev/null))
export PCBOOK_BLAS_NOTED := 1
QUIET := PCBOOK_QUIET=1 OPENBLAS_NUM_THREADS=1 OMP_NUM_THREADS=1 $(BLAS_KERNEL)
NB ?=
# pytest workers for make unit / make nbval: each test module (each notebook, for nbval) stays on one
# worker, so a notebook's cells run in order in one kernel and module fixtures are computed once.
JOBS ?= 2
PARALLEL := -n $(JOBS) --dist loadscope
NOTEBOOKS = $(shell $(PY) -c "from tools.book_files import toc_notebooks; print(' '.join(str(p.relative_to(p.parents[1])) for p in toc_notebooks()))")
NBVAL := -p nbval -p tests.nbval_figures --nbval --nbval-current-env --nbval-sanitize-with tests/nbval_sanitize.cfg --nbval-cell-timeout 900
STUDENT_ZIP := build/downloads/pcbook-student-notebooks.zip

.PHONY: help venv vendor student book serve lab notebooks test unit nbval site screenshots bench clean lock test-latest provision-test provision-book

help:
	@echo "make book       build the website into _build/html (creates .venv on first use)"
	@echo "make test       unit tests, nbval on every notebook, website build with -W, browser checks"
	@echo "make serve      serve the website on http://127.0.0.1:8000"
	@echo "make lab        open the notebooks in JupyterLab"
	@echo "make notebooks  re-execute notebooks and store their outputs (NB=book/x.ipynb for one)"
	@echo "make student    write the student notebooks zip ($(STUDENT_ZIP))"
	@echo "make bench      time the heavy experiments; writes bench/results.{md,json}"
	@echo "make lock       regenerate $(LOCK) (exact versions and hashes) from requirements.txt"
	@echo "make test-latest  unit tests and notebooks with the newest allowed versions; reports drift"

venv: $(STAMP)
$(STAMP): requirements.txt $(LOCK) pyproject.toml
	@PYTHON=$(PYTHON) tools/provision.sh venv
	test -d $(VENV) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
ifeq ($(PYTHON_VERSION),$(LOCK_PYTHON))
	$(PY) -m pip install --quiet --require-hashes -r $(LOCK)
else
	@echo "note: $(LOCK) is for Python $(LOCK_PYTHON), this is $(PYTHON_VERSION): installing the loose requirements.txt; stored digits may differ (make test-latest shows where)"
	$(PY) -m pip install --quiet -r requirements.txt
endif
	$(PY) -m pip install --quiet --no-deps -e .
	touch $(STAMP)

# make lock: resolve requirements.txt again (newest allowed versions) into exact pins with hashes,
# in a throwaway environment with pip-tools. Run make test-latest first and re-store what drifted.
lock:
	test -d build/lock-venv || $(PYTHON) -m venv build/lock-venv
	build/lock-venv/bin/python -m pip install --quiet pip-tools
	build/lock-venv/bin/pip-compile --quiet --upgrade --generate-hashes --strip-extras --allow-unsafe \
	  --no-emit-index-url --no-emit-find-links --output-file $(LOCK) requirements.txt
	@echo "wrote $(LOCK) for Python $(PYTHON_VERSION) (the Makefile installs it on Python $(LOCK_PYTHON))"

# make test-latest: a second environment with the newest versions requirements.txt allows; runs the
# unit tests and every notebook there and reports what drifted (tools/drift.py), without failing.
test-latest:
	test -d .venv-latest || $(PYTHON) -m venv .venv-latest
	.venv-latest/bin/python -m pip install --quiet --upgrade pip
	.venv-latest/bin/python -m pip install --quiet --upgrade --upgrade-strategy eager -r requirements.txt
	.venv-latest/bin/python -m pip install --quiet --no-deps -e .
	$(QUIET) .venv-latest/bin/python tools/drift.py

provision-test:
	@tools/provision.sh browser

provision-book:
	@tools/provision.sh npm

vendor: _vendor/mathjax/startup.js
_vendor/mathjax/startup.js: package.json package-lock.json tools/vendor_assets.py
	@tools/provision.sh npm
	npm ci --no-audit --no-fund --silent
	$(PYTHON) tools/vendor_assets.py

student: $(STAMP)
	$(QUIET) $(PY) -m pcbook.classroom student --zip $(STUDENT_ZIP)
	$(QUIET) $(PY) -m pcbook.classroom index --write

book: $(STAMP) vendor student
	$(QUIET) $(VENV)/bin/jupyter-book build . -W -n --keep-going
	@echo ""
	@echo "The website is in _build/html: open file://$(CURDIR)/_build/html/index.html or run 'make serve'."

serve:
	@test -f _build/html/index.html || { echo "no website yet: run 'make book' first"; exit 1; }
	@echo "serving on http://127.0.0.1:8000 (Ctrl-C to stop)"
	$(PYTHON) -m http.server 8000 --bind 127.0.0.1 --directory _build/html

# JupyterLab (with jupyterlab-myst) on 127.0.0.1, rooted at the repository: the chapters are in
# book/, the student notebooks (written first by make student) in build/student/.
lab: student
	@echo "chapters: book/   student notebooks: build/student/"
	$(BLAS_KERNEL) $(VENV)/bin/jupyter lab --ServerApp.ip=127.0.0.1 --ServerApp.root_dir=$(CURDIR) --LabApp.default_url=/lab/tree/book $(if $(filter 0,$(shell id -u)),--allow-root)

# Stored for the website (tools/run_notebooks.py) and checked by nbval, slider cells precompute the
# website's static frames (PCBOOK_STATIC_SLIDERS=1); a live run in JupyterLab skips them.
notebooks: $(STAMP)
	$(QUIET) $(PY) tools/run_notebooks.py $(NB)

unit: $(STAMP)
	$(QUIET) MPLBACKEND=Agg $(PY) -m pytest $(PARALLEL) tests --ignore=tests/site --ignore=tests/pdf --ignore=tests/lab/test_jupyterlab.py -p no:cacheprovider --durations=12

nbval: $(STAMP)
	@test -n "$(NOTEBOOKS)" || { echo "error: found no notebooks in _toc.yml"; exit 1; }
	$(QUIET) PCBOOK_STATIC_SLIDERS=1 $(PY) -m pytest $(PARALLEL) $(NBVAL) -p no:cacheprovider --durations=8 $(NOTEBOOKS)

site: book
	$(QUIET) $(PY) -m pytest tests/site -p no:cacheprovider
	@# tests/lab in a session of its own: the browser tests' sync Playwright leaves an event loop behind
	$(QUIET) $(PY) -m pytest tests/lab -p no:cacheprovider

# Chromium is checked (and installed, as root) before anything slow starts.
test: provision-test $(STAMP)
	$(MAKE) unit
	$(MAKE) nbval
	$(MAKE) site
	$(MAKE) pdf-test

# every page at 1366x768 and 390x844, light and dark, into build/screenshots (needs make book first)
screenshots: $(STAMP)
	$(PY) tools/screenshots.py --out build/screenshots

bench: $(STAMP)
	$(QUIET) $(PY) -m bench.run

# the printable book (make pdf) and its checks (make pdf-test): tools/pdf.mk
include tools/pdf.mk

clean:
	rm -rf _build build/student $(STUDENT_ZIP)
