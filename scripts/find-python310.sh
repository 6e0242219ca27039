#!/usr/bin/env bash
# Print the path of a Python 3.10 interpreter (Rasa 3.6 needs it), or fail with a clear message.
set -u
is310() { "$1" -c 'import sys; sys.exit(sys.version_info[:2] != (3, 10))' >/dev/null 2>&1; }
candidates=("${PYTHON310:-}" python3.10)
if command -v pyenv >/dev/null 2>&1; then
  root=$(pyenv root 2>/dev/null)
  for dir in "$root"/versions/3.10*; do candidates+=("$dir/bin/python3.10"); done
fi
candidates+=("$HOME/.pyenv/versions/"3.10*/bin/python3.10 /usr/local/bin/python3.10 /usr/bin/python3.10)
for candidate in "${candidates[@]}"; do
  [ -n "$candidate" ] || continue
  path=$(command -v "$candidate" 2>/dev/null) || continue
  if is310 "$path"; then echo "$path"; exit 0; fi
done
cat >&2 <<'MSG'
error: Python 3.10 was not found. Rasa Open Source 3.6 runs only on Python 3.10.
  Install it with pyenv (pyenv install 3.10) or your package manager,
  or point PYTHON310 at it: make PYTHON310=/path/to/python3.10 setup
MSG
exit 1
