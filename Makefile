# The two commands of the README's Quick start: `make run` and `make test`.
# The newest Python 3.11 or later that runs here (a pyenv shim for a version that is not active does not).
PYTHON ?= $(shell for v in 3.14 3.13 3.12 3.11; do \
	  python$$v -c 'import sys; assert sys.version_info >= (3, 11)' 2>/dev/null && { echo python$$v; exit; }; \
	done; python3 -c 'import sys; assert sys.version_info >= (3, 11)' 2>/dev/null && echo python3)
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-stamp
# uv resolves the lock file (make lock); it lives in a venv of its own, apart from the project's packages.
UV_VERSION := 0.13.8
LOCK_TOOL := $(VENV)/lock-tool/bin/uv
DEV_ENV := DEBUG=1
# Production-like settings for the deployment checks (a throwaway key; nothing is served with them).
PROD_ENV = DEBUG=0 SECRET_KEY=$$($(BIN)/python -c 'import secrets; print(secrets.token_urlsafe(50))') \
	ALLOWED_HOSTS=poltwt.example.org CSRF_TRUSTED_ORIGINS=https://poltwt.example.org \
	SITE_URL=https://poltwt.example.org DATABASE_URL=$${DATABASE_URL:-postgres://postgres@127.0.0.1:5432/poltwt} \
	CACHE_URL=redis://127.0.0.1:6379/1 TASKS_BACKEND=django_tasks_db.DatabaseBackend \
	EMAIL_URL=smtp+tls://mailer:secret@127.0.0.1:587

.PHONY: run serve reset-organizer lock test test-postgres lint migrations-check deploy-check messages messages-check clean

# Translation catalogues: each poltwt/locale/<lang>/LC_MESSAGES/django.po is compiled to its .mo by Babel (pure
# Python, poltwt/catalogues.py), so a fresh clone needs no GNU gettext.
MO_FILES := $(patsubst %.po,%.mo,$(wildcard poltwt/locale/*/LC_MESSAGES/django.po))

# Installs come from requirements/lock.txt: every package pinned, with its hashes (pip refuses anything else).
# The XStatic packages are sdists whose setup.py imports pkg_resources: their builds need setuptools<81
# (requirements/build-constraints.txt). `pip check` fails when pyproject.toml asks for a package the lock
# does not hold: run `make lock`.
$(STAMP): requirements/lock.txt requirements/build-constraints.txt pyproject.toml
	@test -n "$(PYTHON)" || { echo "poltwt needs Python 3.11 or newer (python3.11, python3.12, ... or python3)."; exit 1; }
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet --require-hashes --build-constraint requirements/build-constraints.txt \
		-r requirements/lock.txt
	$(BIN)/python -m pip install --quiet --no-deps --build-constraint requirements/build-constraints.txt -e .
	@problems=$$($(BIN)/python -m pip check) || \
		{ echo "$$problems"; echo "requirements/lock.txt does not match pyproject.toml: run make lock."; exit 1; }
	touch $(STAMP)

## make lock: pin pyproject.toml's dependencies (and the dev extra) with hashes in requirements/lock.txt, for
## Python 3.11 and later on any platform. Pins already in the lock are kept where they still fit; to move every
## pin to the newest allowed release: make lock LOCK_FLAGS=--upgrade
$(LOCK_TOOL):
	@test -n "$(PYTHON)" || { echo "poltwt needs Python 3.11 or newer (python3.11, python3.12, ... or python3)."; exit 1; }
	$(PYTHON) -m venv $(VENV)/lock-tool
	$(VENV)/lock-tool/bin/python -m pip install --quiet "uv==$(UV_VERSION)"

lock: $(LOCK_TOOL)
	$(LOCK_TOOL) pip compile --quiet --universal --python-version 3.11 --generate-hashes --extra dev \
		--custom-compile-command "make lock" $(LOCK_FLAGS) -o requirements/lock.txt pyproject.toml

$(MO_FILES): %.mo: %.po $(STAMP)
	$(BIN)/python -m poltwt.catalogues compile

## make run: the site with demo data on SQLite at http://127.0.0.1:8000
run: $(STAMP) $(MO_FILES)
	$(DEV_ENV) $(BIN)/python manage.py migrate --noinput
	$(DEV_ENV) $(BIN)/python manage.py loaddemo
	$(DEV_ENV) $(BIN)/python manage.py ensure_organizer
	$(DEV_ENV) $(BIN)/python manage.py runserver 127.0.0.1:8000

## make serve: as production runs it (Procfile, through honcho): gunicorn (gthread), the worker, the jobs.
## Reads the environment and .env like production (SECRET_KEY etc.); the queue is the database's.
serve: $(STAMP) $(MO_FILES)
	TASKS_BACKEND=$${TASKS_BACKEND:-django_tasks_db.DatabaseBackend} $(BIN)/python manage.py migrate --noinput
	TASKS_BACKEND=$${TASKS_BACKEND:-django_tasks_db.DatabaseBackend} $(BIN)/python manage.py collectstatic --noinput >/dev/null
	TASKS_BACKEND=$${TASKS_BACKEND:-django_tasks_db.DatabaseBackend} PATH="$(CURDIR)/$(BIN):$$PATH" $(BIN)/honcho start -f Procfile

## make reset-organizer: a new password for the development organizer account
reset-organizer: $(STAMP) $(MO_FILES)
	$(DEV_ENV) $(BIN)/python manage.py ensure_organizer --reset-password

## make test: the whole suite on SQLite (browser tests need Debian's chromium: apt-get install chromium)
test: $(STAMP) $(MO_FILES)
	$(BIN)/pytest

## make test-postgres: the same suite on the PostgreSQL at 127.0.0.1:5432
test-postgres: $(STAMP) $(MO_FILES)
	DATABASE_URL=$${DATABASE_URL:-postgres://postgres@127.0.0.1:5432/poltwt} $(BIN)/pytest

## make lint: ruff's checks and formatting
lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

## make migrations-check: fails when a model change has no migration
migrations-check: $(STAMP) $(MO_FILES)
	$(DEV_ENV) $(BIN)/python manage.py makemigrations --check --dry-run

## make deploy-check: Django's deployment checks and collectstatic with production-like settings
deploy-check: $(STAMP) $(MO_FILES)
	env $(PROD_ENV) $(BIN)/python manage.py check --deploy --fail-level WARNING
	env $(PROD_ENV) $(BIN)/python manage.py collectstatic --noinput >/dev/null

## make messages: add new marked strings to every .po file (needs GNU gettext), then compile them
messages: $(STAMP)
	$(DEV_ENV) $(BIN)/python manage.py makemessages --all --add-location file --no-obsolete
	$(BIN)/python -m poltwt.catalogues compile

## make messages-check: fails when a marked string is missing from a .po file, or one is untranslated or
## fuzzy (needs GNU gettext: apt-get install -y gettext)
messages-check: $(STAMP) $(MO_FILES)
	$(DEV_ENV) $(BIN)/python -m poltwt.catalogues check

clean:
	rm -f $(MO_FILES)
	rm -rf $(VENV) staticfiles var .pytest_cache
