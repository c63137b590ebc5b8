#!/usr/bin/env bash
# Set up everything the tests need on a fresh machine (Python 3.11 only), then run them.
#   bash scripts/test.sh [pytest args]
# - a virtual environment in .venv with requirements-dev.txt (numba, streamlit, playwright, ...)
# - Debian's chromium for the end-to-end browser tests (apt-get; playwright never downloads one)
#   Debian's nginx for the serve script's tests, and fonts-noto-cjk for the figures' PNG export
set -euo pipefail
cd "$(dirname "$0")/.."
PY=${PYTHON:-python3}
[ -x .venv/bin/python ] || "$PY" -m venv .venv
.venv/bin/python -m pip install -q --disable-pip-version-check -r requirements-dev.txt
# Debian packages the tests drive: chromium (browser tests), nginx (the serve script's proxy)
MISSING=""
command -v chromium >/dev/null 2>&1 || [ -x /usr/bin/chromium ] || MISSING="$MISSING chromium"
command -v nginx >/dev/null 2>&1 || [ -x /usr/sbin/nginx ] || MISSING="$MISSING nginx"
# a CJK font for the Chinese captions in the exported PNGs (kaleido renders with system fonts)
[ -n "$(fc-list :lang=zh 2>/dev/null)" ] || MISSING="$MISSING fonts-noto-cjk"
if [ -n "$MISSING" ]; then
  SUDO=""; [ "$(id -u)" -ne 0 ] && command -v sudo >/dev/null 2>&1 && SUDO="sudo"
  $SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq $MISSING >/dev/null
fi
exec .venv/bin/python -m pytest -q "$@"
