#!/usr/bin/env bash
# Creates .venv with Python 3.12 and installs the project with its test tools, plus the Debian
# Chromium that the browser test drives (Playwright cannot download browsers on closed networks).
# Safe to run again: it only installs what is missing.
set -euo pipefail
cd "$(dirname "$0")/.."

python_bin=""
for candidate in python3.12 python; do
  if command -v "$candidate" >/dev/null 2>&1 && "$candidate" -c 'import sys; sys.exit(sys.version_info[:2] != (3, 12))' 2>/dev/null; then
    python_bin=$candidate; break
  fi
done
if [ -z "$python_bin" ] && [ -x "$HOME/.pyenv/versions/3.12.1/bin/python" ]; then
  python_bin="$HOME/.pyenv/versions/3.12.1/bin/python"
fi
[ -n "$python_bin" ] || { echo "setup: Python 3.12 is needed (see .python-version)" >&2; exit 1; }

if [ ! -x .venv/bin/python ]; then
  "$python_bin" -m venv .venv
fi
.venv/bin/python -m pip install --quiet --upgrade pip
.venv/bin/python -m pip install --quiet -e ".[dev]"

if ! command -v chromium >/dev/null 2>&1; then
  if [ "$(id -u)" = "0" ] && command -v apt-get >/dev/null 2>&1; then
    echo "setup: installing Debian's chromium for the browser test"
    apt-get update -qq >/dev/null && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null
  else
    echo "setup: chromium is not installed; the browser test needs it (apt-get install chromium)" >&2
  fi
fi
echo "setup: ready (.venv with $(.venv/bin/python --version))"
