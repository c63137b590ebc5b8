#!/usr/bin/env bash
# Set up the app on a fresh machine (Python 3.11 only) and start it on http://localhost:8501
#   bash scripts/app.sh [streamlit args]
set -euo pipefail
cd "$(dirname "$0")/.."
PY=${PYTHON:-python3}
[ -x .venv/bin/python ] || "$PY" -m venv .venv
.venv/bin/python -m pip install -q --disable-pip-version-check -r requirements.txt
# the Explore stage's plotly.js, served from static/ (the app also copies it at its first run)
.venv/bin/python -c "from ui.stage import ensure_plotly_js; ensure_plotly_js()"
exec .venv/bin/python -m streamlit run app.py "$@"
