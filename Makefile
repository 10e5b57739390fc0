# The two set-up commands of the README are `make test` and `make run`.
# Everything else here is for developers.
PYTHON ?= python3
PORT ?= 8765
LINT_VENV := $(shell $(PYTHON) dev/harness.py cache-dir)/lint
LINT_TOOLS := ruff==0.17.5 pylint-odoo==10.0.12

.PHONY: test test-harness run lint format emulator bench i18n clean

test:  ## fresh database on a throwaway PostgreSQL, install, pytest-odoo (+ browser tours)
	$(PYTHON) dev/harness.py test $(if $(PYTEST_ARGS),-- $(PYTEST_ARGS),)

test-harness:  ## the harness's own unit tests (no database)
	$(PYTHON) -m unittest discover -s dev/tests

run:  ## demo database + Vchasno emulator + Odoo on http://127.0.0.1:8069 (FRESH=1 rebuilds it)
	$(PYTHON) dev/harness.py run $(if $(FRESH),--fresh,)

emulator:  ## the Vchasno emulator alone on 127.0.0.1:$(PORT)
	$(PYTHON) -m tools.emulator --host 127.0.0.1 --port $(PORT)

$(LINT_VENV)/bin/ruff:
	$(PYTHON) -m venv $(LINT_VENV)
	$(LINT_VENV)/bin/pip install -q $(LINT_TOOLS)

lint: $(LINT_VENV)/bin/ruff  ## ruff, ruff format --check, pylint-odoo (OCA mandatory checks)
	$(LINT_VENV)/bin/ruff check .
	$(LINT_VENV)/bin/ruff format --check .
	$(LINT_VENV)/bin/pylint --rcfile=.pylintrc-mandatory --ignore=dev,bench .

format: $(LINT_VENV)/bin/ruff
	$(LINT_VENV)/bin/ruff check --fix .
	$(LINT_VENV)/bin/ruff format .

i18n:  ## export i18n/l10n_ua_vchasno_kasa.pot and merge it into i18n/uk.po
	$(PYTHON) dev/harness.py i18n

bench:  ## benchmarks, run by hand (see bench/README.md)
	$(PYTHON) bench/bench_protocol.py

clean:  ## forget the harness's cache (demo database, venvs, logs)
	rm -rf "$$($(PYTHON) dev/harness.py cache-dir)" .pytest_cache
