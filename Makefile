# The two commands a newcomer needs: `make run` and `make test`.
VENV ?= .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed
PYTHON ?= python3

.PHONY: run test system-deps lint typecheck migration migrations-check test-sqlite test-postgres bench bench-quick clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

# Serves when Slack is configured (.env or environment); otherwise says what to set up.
run: $(STAMP)
	@if $(VENV)/bin/slack-coc check >/dev/null 2>&1; then \
	  $(VENV)/bin/slack-coc serve $(ARGS); \
	else $(VENV)/bin/slack-coc check || true; fi

lint: $(STAMP)
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

typecheck: $(STAMP)
	$(VENV)/bin/mypy slack_coc

migrations-check: $(STAMP)
	rm -f .alembic-check.db .alembic-check.db.key
	DATABASE_URL=sqlite:///.alembic-check.db COC_LOG_LEVEL=ERROR $(VENV)/bin/slack-coc db upgrade >/dev/null
	DATABASE_URL=sqlite:///.alembic-check.db $(VENV)/bin/alembic check
	rm -f .alembic-check.db .alembic-check.db.key

# Regenerate the single initial migration from the models (no release has shipped yet).
migration: $(STAMP)
	rm -f .alembic-gen.db .alembic-gen.db.key
	mv slack_coc/migrations/versions/0001_initial_schema.py .0001.bak 2>/dev/null || true
	DATABASE_URL=sqlite:///.alembic-gen.db $(VENV)/bin/alembic revision --autogenerate -m "initial schema" --rev-id 0001 \
	  || { mv .0001.bak slack_coc/migrations/versions/0001_initial_schema.py; exit 1; }
	rm -f .alembic-gen.db .alembic-gen.db.key .0001.bak
	$(VENV)/bin/ruff format slack_coc/migrations/versions

test-sqlite: $(STAMP)
	env -u COC_TEST_DATABASE_URL $(VENV)/bin/pytest -q

# Runs only when COC_TEST_DATABASE_URL points at PostgreSQL.
test-postgres: $(STAMP)
	@if [ -n "$$COC_TEST_DATABASE_URL" ]; then $(VENV)/bin/pytest -q; \
	else echo "COC_TEST_DATABASE_URL not set: PostgreSQL run skipped"; fi

# Statements per request must not grow with the number of cases (SQLite, and PostgreSQL when
# COC_TEST_DATABASE_URL is set); the full benchmark is `make bench` (docs/performance.md).
bench-quick: $(STAMP)
	$(PY) benchmarks/run.py --quick

# Dovecot (mail tests) and Chromium (preview test), where this machine lets us install them.
system-deps:
	@scripts/ci-system-deps.sh --if-possible

test: system-deps lint typecheck migrations-check bench-quick test-sqlite test-postgres

bench: $(STAMP)
	$(PY) benchmarks/run.py

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache
