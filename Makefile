# Backstage. `make run` serves the embedded default; `make test` runs the whole suite.
SHELL := /bin/bash
VENV := .venv
BIN := $(VENV)/bin
PY := $(BIN)/python
export DJANGO_SETTINGS_MODULE := backstage.settings

# The test suite's real services (see scripts/test-services).
TEST_DATABASE_URL ?= postgres://postgres@127.0.0.1:5432/backstage
TEST_REDIS_URL ?= redis://127.0.0.1:6379/15
PYTEST_WORKERS ?= 2

.PHONY: run venv seed test test-unit test-fullstack test-e2e lint format bench check-deploy compose-check clean

$(PY): pyproject.toml uv.lock
	@python=$$(scripts/find-python) && \
	  { [ -x $(PY) ] || "$$python" -m venv $(VENV); }
	@$(BIN)/pip install -q --disable-pip-version-check uv
	@$(BIN)/uv sync --frozen --inexact --python $(PY) --quiet
	@touch $(PY)

venv: $(PY)

run: venv
	$(PY) manage.py migrate --noinput
	$(PY) manage.py seed_demo
	$(PY) manage.py runserver 127.0.0.1:8000

seed: venv
	$(PY) manage.py seed_demo

lint: venv
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: venv
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

test: venv
	scripts/test-services
	$(MAKE) --no-print-directory lint check-deploy test-unit test-fullstack test-e2e

test-unit: venv
	DATABASE_URL=$(TEST_DATABASE_URL) $(BIN)/pytest -n $(PYTEST_WORKERS) -m "not fullstack and not e2e" tests

test-fullstack: venv
	DATABASE_URL=$(TEST_DATABASE_URL) REDIS_URL=$(TEST_REDIS_URL) \
	  $(BIN)/pytest -m fullstack tests/fullstack

test-e2e: venv
	DATABASE_URL=$(TEST_DATABASE_URL) DJANGO_ALLOW_ASYNC_UNSAFE=true \
	  $(BIN)/pytest -m e2e tests/e2e

check-deploy: venv
	DEBUG=false SECRET_KEY=$$(head -c 48 /dev/urandom | base64) ALLOWED_HOSTS=example.org \
	  $(PY) manage.py check --deploy --fail-level WARNING

bench: venv
	scripts/test-services
	DATABASE_URL=$(TEST_DATABASE_URL) $(PY) -m tests.bench

compose-check:
	docker-compose -f docker-compose.yml config -q

clean:
	rm -rf $(VENV) var staticfiles .pytest_cache .ruff_cache
