# The two commands of the README's Quick start: `make run` and `make test`.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-stamp
DEV_ENV := DEBUG=1

.PHONY: run test test-postgres lint migrations-check deploy-check clean

$(STAMP): pyproject.toml requirements/build-constraints.txt
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet --build-constraint requirements/build-constraints.txt -e ".[dev]"
	touch $(STAMP)

## make run: the site with demo data on SQLite at http://127.0.0.1:8000
run: $(STAMP)
	$(DEV_ENV) $(BIN)/python manage.py migrate --noinput
	$(DEV_ENV) $(BIN)/python manage.py loaddemo
	$(DEV_ENV) $(BIN)/python manage.py ensure_organizer
	$(DEV_ENV) $(BIN)/python manage.py runserver 127.0.0.1:8000

## make test: the whole suite on SQLite (browser tests need Debian's chromium: apt-get install chromium)
test: $(STAMP)
	$(BIN)/pytest

## make test-postgres: the same suite on the PostgreSQL at 127.0.0.1:5432
test-postgres: $(STAMP)
	DATABASE_URL=$${DATABASE_URL:-postgres://postgres@127.0.0.1:5432/poltwt} $(BIN)/pytest

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

migrations-check: $(STAMP)
	$(DEV_ENV) $(BIN)/python manage.py makemigrations --check --dry-run

clean:
	rm -rf $(VENV) staticfiles .pytest_cache
