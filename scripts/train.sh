#!/usr/bin/env bash
# Train the Rasa model into models/voordeur.tar.gz (make calls this only when nlu/,
# domain.yml or config.yml changed; Rasa's own fingerprint skips unchanged parts).
set -euo pipefail
cd "$(dirname "$0")/.."
echo "==> Training the Rasa model (nlu/, domain.yml, config.yml changed)"
start=$(date +%s)
PYTHONPATH="$PWD" TF_CPP_MIN_LOG_LEVEL=2 .venv-rasa/bin/rasa train --data nlu --domain domain.yml --config config.yml \
  --out models --fixed-model-name voordeur
touch models/voordeur.tar.gz
echo "==> Model trained in $(( $(date +%s) - start )) s: models/voordeur.tar.gz"
