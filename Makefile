# The two commands: `make run` and `make test`. Everything else is set up on the way.
SHELL := /bin/bash
# Python writes its bytecode caches (a shell that sets PYTHONDONTWRITEBYTECODE would have every
# test process and every `voordeur` the tests start compile the project again: docs/benchmarks.md).
unexport PYTHONDONTWRITEBYTECODE
NLU_DATA := $(wildcard nlu/*.yml)
MODEL := models/voordeur.tar.gz

.PHONY: setup run test check model system-packages test-tools bench-nlu bench clean

setup: .venv-rasa/.installed .venv/.installed

.venv-rasa/.installed: requirements/rasa.lock
	scripts/setup.sh rasa

.venv/.installed: requirements/app.lock pyproject.toml
	scripts/setup.sh app

model: $(MODEL)

$(MODEL): .venv-rasa/.installed config.yml domain.yml $(NLU_DATA) rasa_addons/tfidf_classifier.py
	scripts/train.sh

system-packages:
	scripts/setup.sh system

test-tools: node_modules/.installed

node_modules/.installed: package-lock.json
	scripts/setup.sh node

run: setup model
	.venv/bin/voordeur run

# Tests whose gateways also run on PostgreSQL when it is reachable (issue 7).
PG_TESTS := tests/test_webchat.py tests/test_rasa_down.py tests/handover tests/channels tests/security tests/referrals \
  tests/test_own_questions.py tests/test_claims.py

test: setup model system-packages test-tools
	.venv/bin/python -m pytest $(PYTEST_ARGS)
	@if .venv/bin/python -c "import asyncio, tests.conftest as c; raise SystemExit(0 if asyncio.run(c.postgres_reachable()) else 1)"; then \
	  echo "==> The same gateway tests on PostgreSQL"; \
	  VOORDEUR_TEST_DB=postgres .venv/bin/python -m pytest $(PG_TESTS) $(PYTEST_ARGS); \
	else echo "==> PostgreSQL not reachable at 127.0.0.1:5432: PostgreSQL pass skipped"; fi

# The quick loop: lint, types, and every test that needs no Rasa server, on every core (pytest-xdist;
# a test module stays on one worker, so its module-scoped fixtures start once). mypy runs beside
# the tests at low priority: it takes the CPU they leave while they wait for browsers and
# subprocesses. docs/benchmarks.md.
check: .venv/.installed system-packages test-tools
	.venv/bin/ruff check bot actions
	@types=$$(mktemp); nice -n 15 .venv/bin/mypy bot actions > $$types 2>&1 & mypy=$$!; \
	.venv/bin/python -m pytest -m "not rasa" -q -n auto --dist loadscope $(PYTEST_ARGS); tests=$$?; \
	wait $$mypy; typed=$$?; echo "mypy bot actions:"; cat $$types; rm -f $$types; \
	exit $$(( tests != 0 || typed != 0 ))

bench-nlu: setup
	.venv-rasa/bin/python bench/nlu_pipelines.py

clean:
	rm -rf models .venv .venv-rasa .pytest_cache node_modules
