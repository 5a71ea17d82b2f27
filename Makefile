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

.PHONY: run venv seed test test-unit test-fullstack test-e2e test-load load lint format bench fuzz fuzz-long check-deploy compose-check clean

STAMP := $(VENV)/.synced

# The virtualenv, synced with uv.lock. A stamp file, because .venv/bin/python is a symlink
# whose date is the interpreter's. uv comes from PyPI into the venv (pip via ensurepip).
$(STAMP): pyproject.toml uv.lock
	@python=$$(scripts/find-python) && \
	  { [ -x $(PY) ] || "$$python" -m venv $(VENV); }
	@[ -x $(BIN)/uv ] || { $(PY) -m pip --version >/dev/null 2>&1 || $(PY) -m ensurepip >/dev/null; \
	  $(PY) -m pip install -q --disable-pip-version-check uv; }
	@$(BIN)/uv sync --frozen --inexact --python $(PY) --quiet
	@touch $(STAMP)

venv: $(STAMP)

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
	$(MAKE) --no-print-directory lint check-deploy test-unit test-fullstack test-e2e test-load

test-unit: venv
	DATABASE_URL=$(TEST_DATABASE_URL) $(BIN)/pytest -n $(PYTEST_WORKERS) -m "not fullstack and not e2e and not load" tests

# Settings are read before any conftest runs, so S3 is named here: tests/fullstack/conftest.py
# starts moto on this free port (and a Celery worker), and stops both at the end.
test-fullstack: venv
	port=$$($(PY) -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])') && \
	DATABASE_URL=$(TEST_DATABASE_URL) REDIS_URL=$(TEST_REDIS_URL) \
	  S3_BUCKET=backstage-fullstack S3_ENDPOINT_URL=http://127.0.0.1:$$port \
	  S3_ACCESS_KEY=testing S3_SECRET_KEY=testing S3_REGION=us-east-1 \
	  $(BIN)/pytest -m fullstack $(or $(FULLSTACK_TESTS),tests/fullstack)

test-e2e: venv
	DATABASE_URL=$(TEST_DATABASE_URL) DJANGO_ALLOW_ASYNC_UNSAFE=true \
	  $(BIN)/pytest -m e2e tests/e2e

# The production shape (docker-compose.yml): PostgreSQL, Redis, S3 and an SMTP server are named
# but never contacted; the checks only read the settings they produce.
check-deploy: venv
	DEBUG=false SECRET_KEY=$$(head -c 48 /dev/urandom | base64) ALLOWED_HOSTS=example.org \
	  DATABASE_URL=postgres://backstage@postgres/backstage REDIS_URL=redis://redis:6379/0 \
	  S3_BUCKET=backstage S3_ENDPOINT_URL=http://minio:9000 EMAIL_HOST=smtp.example.org \
	  $(PY) manage.py check --deploy --fail-level WARNING

# Load, soak and faults on a stack of their own (tests/load/: its own PostgreSQL, Redis, S3,
# gunicorn, Celery worker and beat on loopback ports, all stopped at the end). `make load` is
# the full run (steps, a 30-minute soak, each fault for 60 s: ~45 min) and writes the tables
# to var/load-results.md; `make test-load` a short one (8–11 min) that asserts nothing is lost.
load: venv
	$(PY) -m tests.load

test-load: venv
	$(BIN)/pytest -m load -s tests/load

bench: venv
	scripts/test-services
	DATABASE_URL=$(TEST_DATABASE_URL) $(PY) -m tests.bench

# Coverage-guided fuzzing of the pure parsers (atheris, the optional "fuzz" group), FUZZ_SECONDS
# per target; not part of `make test`. Corpora and crash files are kept in var/fuzz/.
# The Hypothesis fuzz tests run in the unit suite; HYPOTHESIS_PROFILE=long runs them 50x longer.
FUZZ_SECONDS ?= 60
FUZZ_TARGETS ?= sniff probe beacon oembed
fuzz: venv
	@$(BIN)/uv sync --frozen --inexact --group fuzz --python $(PY) --quiet
	@for target in $(FUZZ_TARGETS); do \
	  mkdir -p var/fuzz/corpus-$$target && \
	  echo "== $$target ($(FUZZ_SECONDS) s)" && \
	  (cd var/fuzz && ../../$(PY) ../../tests/fuzz/atheris_parsers.py $$target \
	    -max_total_time=$(FUZZ_SECONDS) -rss_limit_mb=2048 -print_final_stats=1 \
	    corpus-$$target) || exit 1; \
	done

fuzz-long: venv
	HYPOTHESIS_PROFILE=long DATABASE_URL=$(TEST_DATABASE_URL) $(BIN)/pytest -n $(PYTEST_WORKERS) tests/fuzz

compose-check:
	docker-compose -f docker-compose.yml config -q

clean:
	rm -rf $(VENV) var staticfiles .pytest_cache .ruff_cache
