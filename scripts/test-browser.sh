#!/usr/bin/env bash
# make test-browser (and the last step of make test): export every notebook to a reveal.js
# deck and an HTML page (make slides html: from build/executed/, which the notebook step wrote;
# Make runs a notebook again only if it or labkit changed since), then check in headless
# Chromium, with every request that would leave
# the machine blocked:
#   1. every deck: every slide shown, every chart drawn, no console errors, no failed requests;
#      the decks again from a static server on 127.0.0.1; every plain HTML export likewise;
#   2. the live front end (JupyterLab; the classic Notebook where setup fell back to Debian):
#      Jupyter on 127.0.0.1 runs notebooks 01, 05 and 09 with Run > Run All Cells; every chart
#      cell's charts drawn, printed numbers present, no errors but the failing exercise checks;
#      each live cell (labkit/nb.Live) ended with its Done button, after a knob moved with the mouse
#      redrew it with other numbers (01, 05); a live fixture cell interrupted during a run;
#      a long cell (notebook 06's experiment, and a fixture cell with a process pool, a TCP
#      server and a listening child) stopped with the toolbar's interrupt, nothing it started
#      left; notebook 01 presented as live RISE slides inside JupyterLab; after each, Jupyter
#      and its kernel shut down with no process left;
#   3. make pdf's checks: every deck printed by Chromium to build/pdf/, as many pages as slides,
#      and one chart page of each rendered to a PNG (pdftoppm) with the chart drawn on it. They
#      run in a second browser while step 2 does (its kernels compile and sleep, leaving a core
#      idle for much of the time), on idle CPU time only, and are reported after it
#      (LAB_PDF_BESIDE_LIVE=0: after step 2 instead, as make pdf prints them).
# Screenshots and jupyter-*.log go to build/browser/. Without Chromium it says SKIPPED and
# exits 77 (make test reports the step as skipped), unless LAB_REQUIRE_BROWSER=1 (CI sets it).
# See internal/browsertest.
set -uo pipefail
cd "$(dirname "$0")/.."
GOBIN=$(go env GOBIN); [ -n "$GOBIN" ] || GOBIN="$(go env GOPATH)/bin"
export PATH="$GOBIN:$PATH"
PY=$(cat build/jupyter-python 2>/dev/null || echo python3)
start=$SECONDS

have_chromium=false
for b in "${LAB_CHROMIUM:-}" chromium chromium-browser google-chrome-stable google-chrome; do
  [ -n "$b" ] && command -v "$b" >/dev/null && { have_chromium=true; break; }
done
if ! $have_chromium; then
  if [ "${LAB_REQUIRE_BROWSER:-}" = 1 ]; then
    echo "FAIL: no Chromium (Debian: apt-get install chromium; or set LAB_CHROMIUM)"; exit 1
  fi
  echo "SKIPPED browser tests: no Chromium installed (Debian: apt-get install chromium)"; exit 77
fi

rc=0
echo "--- slide decks and HTML (make slides html)"
make -k -s --no-print-directory slides html || rc=1
echo "slide decks and HTML took $((SECONDS - start))s"
echo "--- headless Chromium, network blocked"
go build -o build/browsertest ./internal/browsertest/cmd/browsertest || exit 1
if [ "${LAB_PDF_BESIDE_LIVE:-1}" = 1 ]; then
  build/browsertest -decks build/slides -html build/html -out build/browser -python "$PY" \
    -pdf build/pdf -pdf-png build/browser || rc=1
  "$PY" scripts/export.py index slides build/slides || rc=1 # now with a link to each PDF
else # LAB_PDF_BESIDE_LIVE=0: the PDFs after the live checks, two at a time, as make pdf prints them
  build/browsertest -decks build/slides -html build/html -out build/browser -python "$PY" || rc=1
  echo "--- slide PDFs (make pdf)"
  make -s --no-print-directory pdf || rc=1
fi
echo "browser tests (export + browser) took $((SECONDS - start))s"
exit $rc
