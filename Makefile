# terrapole: the two commands a newcomer needs are `make demo` and `make test`.
PYTHON ?= python3
VENV   := .venv
PY     := $(VENV)/bin/python
PIP    := $(VENV)/bin/pip
STAMP  := $(VENV)/.installed
HOST   ?= 127.0.0.1
PORT   ?= 8000
PYTEST_ARGS ?=

.PHONY: demo test install lint typecheck bench clean

$(PY):
	@# Debian's python3 has no venv module until python3-venv is installed.
	@$(PYTHON) -c "import venv, ensurepip" 2>/dev/null || \
		(apt-get update -qq && apt-get install -y -qq python3-venv)
	$(PYTHON) -m venv $(VENV)
	$(PIP) install --quiet --upgrade pip

$(STAMP): pyproject.toml | $(PY)
	$(PIP) install --quiet -e '.[test]'
	touch $(STAMP)

install: $(STAMP)

demo: $(STAMP)
	$(VENV)/bin/terrapole demo --host $(HOST) --port $(PORT)

test: $(STAMP)
	scripts/run-tests $(PYTEST_ARGS)

lint: $(STAMP)
	$(VENV)/bin/ruff check src tests bench

typecheck: $(STAMP)
	$(VENV)/bin/mypy

bench: $(STAMP)
	$(PY) -m bench.search --items 100000

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache
