#!/usr/bin/env bash
# Smoke test of `make lab`'s launcher: it must serve Jupyter on 127.0.0.1 in notebooks/ with
# the gonb kernel listed (JupyterLab when setup took the PyPI path, and jupytext's pairing
# active so a text source opens as a notebook), serve the local ECharts copy when setup made
# one, then shut down cleanly.
set -euo pipefail
cd "$(dirname "$0")/.."
PY=$(cat build/jupyter-python)
PORT=$("$PY" -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
TOKEN=$("$PY" -c 'import secrets; print(secrets.token_hex(16))')
LOG=build/logs/lab-smoke.log
mkdir -p build/logs
JUPYTER_TOKEN=$TOKEN LAB_PORT=$PORT LAB_NO_BROWSER=1 setsid bash scripts/lab.sh >"$LOG" 2>&1 &
LAB_PID=$!
stop() { kill -TERM -- -"$LAB_PID" 2>/dev/null || true; for _ in $(seq 50); do kill -0 "$LAB_PID" 2>/dev/null || return 0; sleep 0.1; done; kill -KILL -- -"$LAB_PID" 2>/dev/null || true; }
trap stop EXIT

base="http://127.0.0.1:$PORT"
for _ in $(seq 1 60); do
  curl -sf "$base/api/kernelspecs?token=$TOKEN" -o build/logs/kernelspecs.json && break
  kill -0 "$LAB_PID" 2>/dev/null || { echo "make lab exited early:"; cat "$LOG"; exit 1; }
  sleep 1
done
"$PY" - build/logs/kernelspecs.json <<'PY'
import json, sys
specs = json.load(open(sys.argv[1]))["kernelspecs"]
assert "gonb" in specs, f"gonb kernel not listed: {sorted(specs)}"
print("kernels listed:", ", ".join(sorted(specs)))
PY
listen=$(ss -ltnH "sport = :$PORT" | awk '{print $4}' | sort -u)
[ "$listen" = "127.0.0.1:$PORT" ] || { echo "Jupyter listens on '$listen', want 127.0.0.1:$PORT only"; exit 1; }
echo "listening on $listen only; front end: $(head -1 "$LOG")"
curl -sf "$base/api/contents?token=$TOKEN" | "$PY" -c '
import json, sys
names = {c["name"] for c in json.load(sys.stdin)["content"]}
assert "00_start_here.ipynb" in names, f"Jupyter does not serve notebooks/: {sorted(names)}"
print("serves notebooks/ (", len([n for n in names if n.endswith(".ipynb")]), "notebooks )")'
if "$PY" -c 'import jupyterlab' 2>/dev/null; then
  page=$(curl -sf "$base/lab?token=$TOKEN") || { echo "JupyterLab's /lab page did not load"; exit 1; }
  grep -q 'jupyter-config-data' <<<"$page" || { echo "/lab is not JupyterLab's page"; exit 1; }
  echo "JupyterLab UI served at /lab"
  if "$PY" -c 'import jupytext' 2>/dev/null; then
    # jupytext's contents manager opens the Markdown text source as a notebook.
    curl -sf "$base/api/contents/01_goroutines.md?type=notebook&token=$TOKEN" | "$PY" -c '
import json, sys
nb = json.load(sys.stdin)["content"]
assert nb["metadata"]["kernelspec"]["name"] == "gonb", nb["metadata"]
print("jupytext pairing: 01_goroutines.md opens as a notebook with", len(nb["cells"]), "cells")'
    # A learner's own notebook saved in notebooks/ stays unpaired (pairing lives in each lab
    # notebook's metadata), so changing it outside JupyterLab never makes it unopenable.
    scratch="scratch-$TOKEN"
    trap 'rm -f notebooks/$scratch.ipynb notebooks/$scratch.md; stop' EXIT
    curl -sf -X PUT -H 'Content-Type: application/json' "$base/api/contents/$scratch.ipynb?token=$TOKEN" \
      -d '{"type": "notebook", "format": "json", "content": {"cells": [], "metadata": {"kernelspec": {"name": "gonb", "display_name": "Go (gonb)", "language": "go"}}, "nbformat": 4, "nbformat_minor": 5}}' >/dev/null \
      || { echo "could not save a new notebook through Jupyter"; exit 1; }
    [ ! -e "notebooks/$scratch.md" ] || { echo "a learner's new notebook got a paired .md twin"; exit 1; }
    sleep 1; touch "notebooks/$scratch.ipynb"  # changed outside JupyterLab, as a copy or nbconvert would
    curl -sf "$base/api/contents/$scratch.ipynb?token=$TOKEN" >/dev/null || { echo "a learner's notebook changed on disk no longer opens"; exit 1; }
    rm -f "notebooks/$scratch.ipynb"
    echo "a new notebook in notebooks/ stays unpaired (no .md twin) and reopens after an outside change"
  fi
fi
if [ -f notebooks/_assets/echarts.min.js ]; then
  code=$(curl -s -o /dev/null -w '%{http_code}' "$base/files/_assets/echarts.min.js?token=$TOKEN")
  [ "$code" = 200 ] || { echo "local ECharts not served (HTTP $code)"; exit 1; }
  echo "local ECharts served at /files/_assets/echarts.min.js"
fi
stop
trap - EXIT
if kill -0 "$LAB_PID" 2>/dev/null; then echo "Jupyter did not stop"; exit 1; fi
echo "make lab smoke test passed"
