#!/usr/bin/env bash
# make lab: start Jupyter on 127.0.0.1 in notebooks/, JupyterLab when setup installed it,
# else the classic Notebook, and say which one and why.
set -euo pipefail
cd "$(dirname "$0")/.."
PY=$(cat build/jupyter-python 2>/dev/null) || { echo "run 'make setup' first" >&2; exit 1; }
PORT=${LAB_PORT:-8888}

# Charts load ECharts from the local copy setup made, so the lab works offline; Jupyter
# serves files under its root (notebooks/) at /files/.
if [ -f notebooks/_assets/echarts.min.js ] && [ -z "${LABKIT_ECHARTS_URL:-}" ]; then
  export LABKIT_ECHARTS_URL=/files/_assets/echarts.min.js
fi

# Open a browser only where there is a desktop to open it on.
BROWSER_FLAG=()
headless=false
[ "$(uname)" = Linux ] && [ -z "${DISPLAY:-}${WAYLAND_DISPLAY:-}" ] && headless=true
if [ -n "${CODESPACES:-}${REMOTE_CONTAINERS:-}" ] || [ "${LAB_NO_BROWSER:-}" = 1 ] || $headless; then
  BROWSER_FLAG=(--no-browser)
fi

# Containers (devcontainers, CI) often run as root, which Jupyter refuses without this flag.
[ "$(id -u)" = 0 ] && BROWSER_FLAG+=(--allow-root)

if "$PY" -c 'import jupyterlab' 2>/dev/null; then
  echo "Starting JupyterLab ($("$PY" -c 'import jupyterlab; print(jupyterlab.__version__)')) on http://127.0.0.1:$PORT — open the URL with the token printed below."
  exec "$PY" -m jupyterlab --ip=127.0.0.1 --port="$PORT" --ServerApp.root_dir=notebooks "${BROWSER_FLAG[@]}"
else
  echo "Starting the classic Jupyter Notebook ($("$PY" -c 'import notebook; print(notebook.__version__)')) on http://127.0.0.1:$PORT:"
  echo "JupyterLab is not installed here (PyPI was not reachable during setup, and Debian does not package JupyterLab)."
  echo "The notebooks, the gonb kernel and the charts work the same; open the URL with the token printed below."
  exec "$PY" -m notebook --ip=127.0.0.1 --port="$PORT" --notebook-dir=notebooks "${BROWSER_FLAG[@]}"
fi
