#!/usr/bin/env bash
# make test: run every check, keep going after a failure, and end with a summary line
# "summary: N passed, N failed, N skipped". A step that exits 77 was skipped (e.g. no
# Chromium): it is reported as skipped, not as passed. LAB_TEST_STEPS=go limits it to the Go checks.
set -uo pipefail
cd "$(dirname "$0")/.."
results=()
passed=0
failed=0
skipped=0

step() { # name command...
  local name=$1; shift
  printf '\n\033[1m==> %s\033[0m\n' "$name"
  local start=$SECONDS
  "$@"
  local rc=$?
  if [ $rc -eq 0 ]; then
    results+=("ok    $name ($((SECONDS - start))s)"); passed=$((passed + 1))
  elif [ $rc -eq 77 ]; then
    results+=("SKIP  $name ($((SECONDS - start))s)"); skipped=$((skipped + 1))
  else
    results+=("FAIL  $name ($((SECONDS - start))s)"); failed=$((failed + 1))
  fi
}

gofmt_clean() {
  local files
  files=$(gofmt -l $(git ls-files '*.go' 2>/dev/null || find . -name '*.go' -not -path './node_modules/*'))
  [ -z "$files" ] || { echo "gofmt needed:"; echo "$files"; return 1; }
  echo "all Go files are gofmt-clean"
}

fuzz_short() { # a short run of every fuzz target listed in scripts/fuzz-targets.txt
  [ -f scripts/fuzz-targets.txt ] || { echo "no fuzz targets listed"; return 0; }
  local pkg target
  while read -r pkg target; do
    [[ -z "$pkg" || "$pkg" == \#* ]] && continue
    echo "fuzz $pkg $target (${LAB_FUZZ_TIME:-10s})"
    go test -run '^$' -fuzz "^${target}\$" -fuzztime "${LAB_FUZZ_TIME:-10s}" "$pkg" || return 1
  done < scripts/fuzz-targets.txt
}

step "gofmt" gofmt_clean
step "go vet" go vet ./...
step "go test -race" go test -race -count 1 -timeout 20m ./...
# The exercise checks' verdicts must not depend on GOMAXPROCS: the run above proves them at the
# machine's, this one at 1 (the verdict tables only; the race-sandbox ones are left out, since
# their sandboxed program runs on one P whatever the test's GOMAXPROCS).
step "exercise verdicts at GOMAXPROCS=1" go test -race -count 1 -cpu 1 -run 'Verdicts$' \
  -skip 'TestSafeCounterVerdicts|TestWithdrawVerdicts|TestRaceTallyVerdicts' ./labkit/check/
# Under -race the echo reliability test sends fewer messages per client; run it full size too.
step "echo: 1,000 clients x 100 messages (no -race)" go test -count 1 -run '^TestReliabilityManyClients$' ./labkit/capstone/echo
step "fuzz (short)" fuzz_short
if [ "${LAB_TEST_STEPS:-all}" != go ]; then
  step "make lab: Jupyter on 127.0.0.1 with the gonb kernel" scripts/test-lab.sh
  step "notebooks: static checks" make -s --no-print-directory check-notebooks
  step "notebooks: executed in GoNB" make -s --no-print-directory test-notebooks M=kernel
  if [ -x scripts/test-browser.sh ]; then
    step "browser tests" scripts/test-browser.sh
  fi
fi

printf '\n\033[1m==> Summary\033[0m\n'
printf '  %s\n' "${results[@]}"
echo "summary: $passed passed, $failed failed, $skipped skipped"
[ "$failed" -eq 0 ]
