#!/usr/bin/env bash
# make setup: install everything the lab needs, idempotently, and say what is in use.
#
#   Go side:     all modules downloaded; GoNB + goimports built from tools/go.mod's pins;
#                gopls if it installs; the "gonb" Jupyter kernel registered.
#   Python side: requirements-dev.txt from PyPI into .venv (JupyterLab; the primary path),
#                else Debian's Jupyter packages (apt, as root or with sudo; classic Notebook),
#                else a clear message and exit 1. It says which path it took and why.
#   Browser:     local copies of ECharts (and the slide assets) from npm, for offline charts.
#
# The chosen Python is written to build/jupyter-python so `make lab` and `make test` use
# the same one.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
mkdir -p build
say() { printf '\033[1m==> %s\033[0m\n' "$*"; }
warn() { printf '\033[33mWARNING: %s\033[0m\n' "$*" >&2; }
die() { printf '\033[31mERROR: %s\033[0m\n' "$*" >&2; exit 1; }

# ---------------------------------------------------------------- Go
command -v go >/dev/null || die "Go is not installed. Install Go 1.26 or newer (https://go.dev/dl/) and re-run 'make setup'."
GOBIN=$(go env GOBIN); [ -n "$GOBIN" ] || GOBIN="$(go env GOPATH)/bin"
export PATH="$GOBIN:$PATH"
say "Go: $(go version)"

say "Downloading Go modules (so notebooks run without network afterwards)"
go mod download
(cd tools && go mod download)

# GoNB and goimports come from tools/go.mod's pins: `go install <module>@<version>` needs the
# module proxy's version list, which some proxies refuse; building the pinned tools does not.
say "Installing GoNB and goimports from tools/go.mod"
(cd tools && go install github.com/janpfeifer/gonb golang.org/x/tools/cmd/goimports)

# gopls only powers completion in the notebook; GoNB works without it.
GOPLS_VERSION=v0.21.1
# LAB_SKIP_GOPLS=1 skips it (the devcontainer test: the container image ships gopls).
if ! command -v gopls >/dev/null && [ "${LAB_SKIP_GOPLS:-}" != 1 ]; then
  say "Installing gopls $GOPLS_VERSION (optional: code completion)"
  go install "golang.org/x/tools/gopls@$GOPLS_VERSION" || warn "gopls did not install; notebooks still run, without completion."
fi

# ---------------------------------------------------------------- Python / Jupyter
# The primary path: requirements-dev.txt from PyPI into .venv (JupyterLab, jupytext, nbstripout,
# pytest, ...). The secondary path, for machines that cannot reach PyPI: Debian's packages
# (classic Notebook, no JupyterLab, no jupytext/nbstripout: those checks then skip).
have_jupyter() { # python -> true if it can execute and serve notebooks and run the driver
  "$1" - <<'PY' >/dev/null 2>&1
import nbclient, nbconvert, nbformat, jupyter_client, pytest
try:
    import jupyterlab
except ImportError:
    import notebook
PY
}
req_stamp() { sha256sum requirements-dev.txt | cut -d' ' -f1; }

PY=""
PATH_TAKEN=""
if [ -x .venv/bin/python ] && [ "$(cat .venv/.requirements-sha256 2>/dev/null)" = "$(req_stamp)" ] && have_jupyter .venv/bin/python; then
  PY=$ROOT/.venv/bin/python
  PATH_TAKEN="PyPI (.venv is up to date with requirements-dev.txt)"
elif [ "$(cat build/jupyter-python 2>/dev/null)" = /usr/bin/python3 ] && [ -f build/python-fallback ] && have_jupyter /usr/bin/python3; then
  PY=/usr/bin/python3
  PATH_TAKEN="Debian packages, as an earlier setup chose ($(cat build/python-fallback)); delete build/jupyter-python to try PyPI again"
elif [ "${LAB_SKIP_PIP:-}" = 1 ]; then
  WHY="LAB_SKIP_PIP=1 is set"
else
  BASE_PY=$(command -v python3 || true)
  if [ -z "$BASE_PY" ]; then
    WHY="no python3 on PATH"
  elif ! "$BASE_PY" -c 'import venv, ensurepip' 2>/dev/null; then
    WHY="$BASE_PY cannot make a virtualenv (Debian: apt-get install python3-venv)"
  else
    say "Python: installing requirements-dev.txt from PyPI into .venv"
    [ -x .venv/bin/python ] || "$BASE_PY" -m venv .venv
    if .venv/bin/python -m pip install --disable-pip-version-check -q --retries 1 --timeout 20 -r requirements-dev.txt 2>build/pip.log \
        && have_jupyter .venv/bin/python; then
      req_stamp > .venv/.requirements-sha256
      PY=$ROOT/.venv/bin/python
      PATH_TAKEN="PyPI (installed requirements-dev.txt into .venv)"
    else
      WHY="pip could not install requirements-dev.txt ($(grep -m1 -iE 'error|could not' build/pip.log || echo 'see build/pip.log'))"
      rm -rf .venv
    fi
  fi
fi

if [ -z "$PY" ]; then
  warn "Python: not using PyPI because $WHY; falling back to the distribution's Jupyter (secondary path)."
  DEBIAN_PKGS="jupyter-notebook jupyter-nbconvert python3-nbclient jupyter-client python3-ipykernel python3-pytest python3-pytest-xdist"
  if [ -x /usr/bin/python3 ] && have_jupyter /usr/bin/python3; then
    say "Python: Debian's Jupyter packages are already installed"
  elif command -v apt-get >/dev/null; then
    SUDO=""; [ "$(id -u)" = 0 ] || SUDO=sudo
    if [ -n "$SUDO" ] && ! command -v sudo >/dev/null; then
      die "Jupyter is missing and this user cannot run apt-get. As root run: apt-get install -y $DEBIAN_PKGS"
    fi
    say "Python: installing Debian's Jupyter ($DEBIAN_PKGS)"
    $SUDO apt-get -o DPkg::Lock::Timeout=600 update -qq
    DEBIAN_FRONTEND=noninteractive $SUDO apt-get -o DPkg::Lock::Timeout=600 install -y -qq --no-install-recommends $DEBIAN_PKGS >/dev/null
  else
    die "No Jupyter found, PyPI is not reachable and apt-get is not available.
Install, for the python3 you use: pip install -r requirements-dev.txt, then re-run 'make setup'."
  fi
  have_jupyter /usr/bin/python3 || die "Debian's Jupyter packages are installed but /usr/bin/python3 cannot import them."
  PY=/usr/bin/python3
  PATH_TAKEN="Debian packages (fallback: $WHY)"
  echo "$WHY" > build/python-fallback
else
  rm -f build/python-fallback
fi
echo "$PY" > build/jupyter-python

# Live slides (jupyterlab-rise) as the exported decks are: its default theme ("simple") loads its
# fonts from Google, "white" ships its own, so they work offline; a slide taller than the
# screen scrolls instead of being cut off (scroll), starts at the top (center off), and slides
# are numbered. Written as JupyterLab's overrides for this Python, merged into what is there.
if "$PY" -c 'import jupyterlab_rise' 2>/dev/null; then
  "$PY" - <<'PYEOF' || die "could not write jupyterlab-rise's settings"
import json, os, sys
path = os.path.join(sys.prefix, "share", "jupyter", "lab", "settings", "overrides.json")
os.makedirs(os.path.dirname(path), exist_ok=True)
try:
    with open(path) as f:
        settings = json.load(f)
except (FileNotFoundError, ValueError):
    settings = {}
settings.setdefault("jupyterlab-rise:plugin", {}).update(
    {"theme": "white", "scroll": True, "center": False, "slideNumber": "c/t", "transition": "none"})
with open(path, "w") as f:
    json.dump(settings, f, indent=2)
PYEOF
fi

# ---------------------------------------------------------------- kernel
say "Registering the GoNB kernel"
FORCE_DEPS=""; command -v gopls >/dev/null || FORCE_DEPS=--force_deps
gonb --install $FORCE_DEPS >/dev/null 2>build/gonb-install.log || { cat build/gonb-install.log >&2; die "gonb --install failed"; }
# Register it with this Jupyter's own prefix too (the venv), so the lab's Jupyter finds it
# whatever the user's data dirs are. (jupyter_client's API, not `python -m jupyter kernelspec`,
# which runs whichever jupyter-kernelspec comes first on PATH, perhaps another Python's.)
gonb_spec() { # -> the gonb kernelspec's directory that $PY's Jupyter finds, or nothing
  "$PY" -c 'from jupyter_client.kernelspec import KernelSpecManager as M; print(M().find_kernel_specs().get("gonb", ""))' 2>/dev/null
}
if [ "$PY" = "$ROOT/.venv/bin/python" ]; then
  # gonb --install wrote the spec to the user's Jupyter data dir; copy it into the venv.
  "$PY" - 2>>build/gonb-install.log <<'PY' || die "could not register the gonb kernel in .venv (see build/gonb-install.log)"
import os, sys
from jupyter_core.paths import jupyter_data_dir
from jupyter_client.kernelspec import KernelSpecManager
src = os.path.join(jupyter_data_dir(), "kernels", "gonb")
KernelSpecManager().install_kernel_spec(src, "gonb", prefix=sys.prefix)
PY
fi
[ -n "$(gonb_spec)" ] || die "the gonb kernel is not visible to $PY's Jupyter (see build/gonb-install.log)"

# ---------------------------------------------------------------- browser assets
# Local copies let charts and slides render with no network. Optional for the live lab
# (charts fall back to the CDN), so a missing npm is a warning, not an error.
if [ -f package.json ]; then
  if command -v npm >/dev/null; then
    if [ ! -f node_modules/.package-lock.json ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
      say "Installing browser assets from npm (ECharts; reveal.js, RequireJS, jQuery for the slide decks)"
      npm ci --no-audit --no-fund --loglevel=error
    fi
    mkdir -p notebooks/_assets
    cp node_modules/echarts/dist/echarts.min.js notebooks/_assets/echarts.min.js
  else
    warn "npm not found: charts will load ECharts from the public CDN (needs network). Install Node.js + npm for offline charts."
  fi
fi

# ---------------------------------------------------------------- summary
FRONT=$("$PY" - <<'PY'
try:
    import jupyterlab
    print("JupyterLab " + jupyterlab.__version__)
except ImportError:
    import notebook
    print("Jupyter Notebook (classic) " + notebook.__version__ + " — JupyterLab is not installed (Debian does not package it)")
PY
)
say "Setup complete"
printf '  %-14s %s\n' "Go" "$(go env GOVERSION)" \
  "GoNB" "$(cd tools && go list -m -f '{{.Version}}' github.com/janpfeifer/gonb) ($(command -v gonb))" \
  "goimports" "$(command -v goimports)" \
  "gopls" "$(command -v gopls || echo 'not installed (optional)')" \
  "Python" "$PY ($("$PY" -c 'import sys; print(sys.version.split()[0])'))" \
  "Python path" "$PATH_TAKEN" \
  "Front end" "$FRONT" \
  "nbclient" "$("$PY" -c 'import nbclient; print(nbclient.__version__)')" \
  "jupytext" "$("$PY" -c 'import jupytext; print(jupytext.__version__)' 2>/dev/null || echo 'not installed (Debian fallback: the text-source sync check skips)')" \
  "kernelspec" "$(gonb_spec)" \
  "ECharts" "$([ -f notebooks/_assets/echarts.min.js ] && echo 'local copy in notebooks/_assets' || echo 'public CDN')"
