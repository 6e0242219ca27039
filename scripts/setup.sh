#!/usr/bin/env bash
# Create the two virtual environments from the pinned lock files. Idempotent: a venv whose
# lock file has not changed since it was built is left alone (make calls this per target).
set -euo pipefail
cd "$(dirname "$0")/.."
what=${1:?usage: setup.sh rasa|app|node|system}
export PIP_DISABLE_PIP_VERSION_CHECK=1

case "$what" in
  rasa)
    py310=$(scripts/find-python310.sh)
    echo "==> Rasa 3.6.21 environment (.venv-rasa) with $py310"
    rm -rf .venv-rasa
    "$py310" -m venv .venv-rasa
    .venv-rasa/bin/pip install -q --upgrade "pip<25" wheel "setuptools<70"
    .venv-rasa/bin/pip install -q -r requirements/rasa.lock
    touch .venv-rasa/.installed
    ;;
  app)
    py=${PYTHON311:-python3.11}
    command -v "$py" >/dev/null || { echo "error: python3.11 not found (the app needs Python 3.11)" >&2; exit 1; }
    echo "==> App environment (.venv) with $(command -v "$py")"
    [ -x .venv/bin/python ] || "$py" -m venv .venv
    .venv/bin/pip install -q --upgrade pip
    .venv/bin/pip install -q -r requirements/app.lock
    .venv/bin/pip install -q --no-deps -e .
    # The project's own bytecode, as pip compiles what it installs: the first start of the
    # gateway and the first `make check` on a new checkout do not compile it in every process.
    .venv/bin/python -m compileall -q bot actions tests bench rasa_addons >/dev/null
    # mypy's cache of the installed libraries' types (SQLAlchemy, Starlette, aiohttp, ...): most
    # of a first type check's 8 s of CPU, which `make check` would otherwise pay on a new checkout.
    .venv/bin/mypy bot actions >/dev/null 2>&1 || true
    touch .venv/.installed
    ;;
  node)
    # Browser-side test tools pinned in package-lock.json (axe-core for the WCAG scan), from npm.
    echo "==> Node test tools (node_modules) from package-lock.json"
    npm ci --no-audit --no-fund --loglevel=error
    touch node_modules/.installed
    ;;
  system)
    # Debian packages the tests use: chromium (Playwright drives it; no browser download),
    # npm (installs axe-core for the accessibility scan) and docker-compose (validates
    # docker-compose.yml; no Docker engine needed).
    missing=()
    [ -x /usr/bin/chromium ] || missing+=(chromium)
    command -v npm >/dev/null || missing+=(npm)
    command -v docker-compose >/dev/null || missing+=(docker-compose)
    if [ ${#missing[@]} -gt 0 ]; then
      echo "==> Installing Debian packages: ${missing[*]}"
      SUDO=""; [ "$(id -u)" = 0 ] || SUDO="sudo"
      $SUDO apt-get update -qq
      DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
    fi
    ;;
  *) echo "unknown part: $what" >&2; exit 2 ;;
esac
