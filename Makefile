# Two commands do all set-up on a fresh machine (Python 3.11 and make present):
#   make run   — the product with the mock incident system, at http://127.0.0.1:5000
#   make test  — lint, layering contracts, types and the whole test suite
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-stamp
# The suite waits on databases, servers and a browser more than it computes: three
# workers keep two cores busy (pytest-xdist; each worker has its own databases).
TEST_WORKERS ?= 3

.PHONY: install run test lint browser-deps benchmarks clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

install: $(STAMP)

run: $(STAMP)
	$(BIN)/python -m incident_bridge.demo

# Chromium for the page tests comes from Debian's packages (no browser download at run time).
browser-deps:
	@if ! command -v chromium >/dev/null 2>&1; then \
		if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then \
			echo "Installing Debian's chromium for the browser tests..."; \
			apt-get update -qq >/dev/null && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null \
			|| echo "!!! could not install chromium: browser tests will be skipped"; \
		else \
			echo "!!! chromium not found and cannot be installed here: browser tests will be skipped"; \
		fi; \
	fi

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/lint-imports
	$(BIN)/mypy

test: $(STAMP) browser-deps lint
	$(BIN)/pytest -q -n $(TEST_WORKERS) --dist loadfile

benchmarks: $(STAMP)
	$(BIN)/python benchmarks/worktime.py
	$(BIN)/python benchmarks/checks_eval.py

clean:
	rm -rf $(VENV) instance .pytest_cache
