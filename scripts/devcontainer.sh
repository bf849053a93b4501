#!/usr/bin/env bash
# The devcontainer's lifecycle commands (.devcontainer/devcontainer.json names each one):
#   setup  onCreateCommand and updateContentCommand: `make setup` (prebuilds cache it)
#   check  postCreateCommand: a quick look that setup left a working kernel
#   lab    postAttachCommand: JupyterLab in the background on 127.0.0.1 (as `make lab`), then
#          "JupyterLab ready" with the URL; a second attach finds it running and says so.
# scripts/test-devcontainer.sh runs each of them as a non-root user on a fresh clone.
set -euo pipefail
cd "$(dirname "$0")/.."
PORT=${LAB_PORT:-8888}
LOG=build/lab.log

lab_url() { # -> the URL with its token, once JupyterLab has printed it
  grep -oE "http://127\.0\.0\.1:$PORT/lab\?token=[0-9a-f]+" "$LOG" 2>/dev/null | head -1
}

case "${1:-}" in
setup)
  make setup
  ;;
check)
  PY=$(cat build/jupyter-python) || { echo "setup did not finish: run 'make setup'" >&2; exit 1; }
  "$PY" -c 'from jupyter_client.kernelspec import KernelSpecManager as M; assert "gonb" in M().find_kernel_specs()' \
    || { echo "the gonb kernel is not registered: run 'make setup'" >&2; exit 1; }
  echo "Setup is complete: JupyterLab starts when VS Code attaches (or run 'make lab')."
  ;;
lab)
  if url=$(lab_url) && [ -n "$url" ] && curl -sf -o /dev/null "${url/\/lab?/\/api/status?}"; then
    echo "JupyterLab ready (already running): $url"
    exit 0
  fi
  mkdir -p build
  # setsid: JupyterLab outlives this command, as postAttachCommand requires.
  LAB_NO_BROWSER=1 setsid nohup make -s lab >"$LOG" 2>&1 < /dev/null &
  for _ in $(seq 1 120); do
    url=$(lab_url) && [ -n "$url" ] && curl -sf -o /dev/null "${url/\/lab?/\/api/status?}" && {
      echo "JupyterLab ready: $url  (Codespaces forwards port $PORT; open it from the Ports tab)"
      exit 0
    }
    sleep 1
  done
  echo "JupyterLab did not start within 120 s; its log:" >&2
  tail -n 30 "$LOG" >&2
  exit 1
  ;;
*)
  echo "usage: scripts/devcontainer.sh setup|check|lab" >&2
  exit 2
  ;;
esac
