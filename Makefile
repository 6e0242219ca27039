# The two commands: `make run` and `make test`. Everything else is set up on the way.
SHELL := /bin/bash
NLU_DATA := $(wildcard nlu/*.yml)
MODEL := models/voordeur.tar.gz

.PHONY: setup run test model system-packages bench-nlu bench clean

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

run: setup model
	.venv/bin/voordeur run

test: setup model system-packages
	.venv/bin/python -m pytest $(PYTEST_ARGS)

bench-nlu: setup
	.venv-rasa/bin/python bench/nlu_pipelines.py

clean:
	rm -rf models .venv .venv-rasa .pytest_cache
