#!/usr/bin/env bash
# Serve Gradscape to a class on http://<this machine>:8501: one Streamlit process per core behind
# nginx, which keeps each browser on its own process (a cookie). Ctrl-C or SIGTERM stops it all.
#   bash scripts/serve.sh [--port P] [--workers N] [--worker-base PORT]
# - a virtual environment in .venv with requirements.txt, and Debian's nginx (apt-get) if missing
# - every numba kernel compiled into the on-disk cache, and plotly.js copied, before serving
# - then scripts/serve.py starts the workers and nginx (see its docstring)
set -euo pipefail
cd "$(dirname "$0")/.."
PY=${PYTHON:-python3}
[ -x .venv/bin/python ] || "$PY" -m venv .venv
.venv/bin/python -m pip install -q --disable-pip-version-check -r requirements.txt
# Debian puts nginx in /usr/sbin, which a normal user's PATH may lack
if ! command -v nginx >/dev/null 2>&1 && [ ! -x /usr/sbin/nginx ]; then
  SUDO=""; [ "$(id -u)" -ne 0 ] && command -v sudo >/dev/null 2>&1 && SUDO="sudo"
  $SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq nginx >/dev/null
fi
.venv/bin/python -c "from ui.stage import ensure_plotly_js; ensure_plotly_js()"
.venv/bin/python -c "import optimizers; optimizers.warmup(jobs=$(nproc))"
exec .venv/bin/python scripts/serve.py "$@"
