# The two commands of the README: `make run` and `make test`.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin

.PHONY: run test setup setup-dev translations lint format check-deploy check-translations security bench bench-web bench-requests clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

setup: $(BIN)/python
	$(BIN)/pip install --quiet -r requirements.txt
	$(MAKE) --no-print-directory translations

setup-dev: $(BIN)/python
	$(BIN)/pip install --quiet -r requirements-dev.txt
	$(MAKE) --no-print-directory translations

## Compile the message catalogues (locale/*/LC_MESSAGES/django.po) with Babel: no gettext needed.
translations:
	$(BIN)/pybabel compile --domain django --directory locale

## Set up and run the app on embedded defaults: SQLite, console email, Celery on the filesystem.
run: setup
	$(BIN)/python manage.py migrate --noinput
	$(BIN)/python manage.py seed_demo
	PATH="$(abspath $(BIN)):$$PATH" $(BIN)/honcho start -f Procfile.dev

## Set up and run the whole test suite (skips what needs a missing service, and says why), on PYTEST_WORKERS
## processes (pytest-xdist; 0: in this process): each has its own test database and Redis database (tests/conftest.py).
PYTEST_WORKERS ?= 3
test: setup-dev
	$(BIN)/python -m pytest -n $(PYTEST_WORKERS) $(PYTEST_ARGS)

lint: setup-dev
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: setup-dev
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

check-deploy: setup
	DEBUG=False SECRET_KEY=check-deploy-only-$$(date +%s)-a-long-enough-random-looking-secret-key-value \
	ALLOWED_HOSTS=mentorship.example.org DATABASE_URL=$${DATABASE_URL:-sqlite:///:memory:} \
	$(BIN)/python manage.py check --deploy --fail-level WARNING

## Every string of the code has a French translation, none fuzzy (needs gettext's xgettext).
check-translations: setup-dev
	$(BIN)/python manage.py check_translations

## Static analysis of our code: no medium or high finding (low ones are listed, not fatal).
security: setup-dev
	$(BIN)/bandit -q -c pyproject.toml -r accounts organizations matching sessions_app mentorship --severity-level medium

## The matching benchmark of issue 4 (use DATABASE_URL=postgres://... for the real figures).
bench: setup-dev
	$(BIN)/python manage.py migrate --noinput
	$(BIN)/python manage.py bench_matching --mentees 10000 --mentors 2000 --questions 20 --capacity 5

## The web benchmark of issue 9: pages at 10,000 mentees beside the ceiling; needs DATABASE_URL=postgres://... and
## REDIS_URL. Last line: JSON. BENCH_ARGS=--smoke for the short version CI runs.
bench-web: setup-dev
	$(BIN)/python manage.py migrate --noinput
	$(BIN)/python manage.py bench_web $(BENCH_ARGS)

## The ranked requests' sweep benchmark of issue 10 (use DATABASE_URL=postgres://... for the real figures).
bench-requests: setup-dev
	$(BIN)/python manage.py migrate --noinput
	$(BIN)/python manage.py bench_requests --overdue 1000
	$(BIN)/python manage.py bench_requests --overdue 10000

clean:
	rm -rf $(VENV) var staticfiles
