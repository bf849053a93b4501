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

record() { # name exit-code seconds
  if [ "$2" -eq 0 ]; then
    results+=("ok    $1 ($3s)"); passed=$((passed + 1))
  elif [ "$2" -eq 77 ]; then
    results+=("SKIP  $1 ($3s)"); skipped=$((skipped + 1))
  else
    results+=("FAIL  $1 ($3s)"); failed=$((failed + 1))
  fi
}

step() { # name command...
  local name=$1; shift
  printf '\n\033[1m==> %s\033[0m\n' "$name"
  local start=$SECONDS
  "$@"
  record "$name" $? $((SECONDS - start))
}

# A step that mostly waits (downloads, a fresh user's first builds) runs beside the others:
# started early with its output in build/logs/, printed and reported when collected. It runs
# niced: the foreground steps are the ones make test waits for, and the background one has
# their whole length to finish in (its own time limits are minutes, not seconds).
bg_names=(); bg_pids=(); bg_starts=()
start_bg() { # name command...
  local name=$1; shift
  mkdir -p build/logs
  nice -n 5 "$@" >"build/logs/background-${#bg_names[@]}.log" 2>&1 &
  bg_pids+=($!); bg_names+=("$name"); bg_starts+=($SECONDS)
  printf '\n\033[1m==> %s: started in the background\033[0m\n' "$name"
}
collect_bg() {
  local i rc
  for i in "${!bg_names[@]}"; do
    printf '\n\033[1m==> %s (ran in the background)\033[0m\n' "${bg_names[$i]}"
    wait "${bg_pids[$i]}"; rc=$?
    cat "build/logs/background-$i.log"
    record "${bg_names[$i]}" $rc $((SECONDS - bg_starts[$i]))
  done
}

gofmt_clean() {
  local files
  files=$(gofmt -l $(git ls-files '*.go' 2>/dev/null || find . -name '*.go' -not -path './node_modules/*'))
  [ -z "$files" ] || { echo "gofmt needed:"; echo "$files"; return 1; }
  echo "all Go files are gofmt-clean"
}

staticcheck_run() { # staticcheck at the version tools/go.mod pins, built like GoNB (no proxy version list needed)
  mkdir -p build
  (cd tools && go build -o ../build/staticcheck honnef.co/go/tools/cmd/staticcheck) || return 1
  build/staticcheck ./...
}

# An execution count, not a duration: Go 1.26's fuzz coordinator can report its own -fuzztime deadline as a
# failure ("context deadline exceeded", no crasher written) on a loaded machine (go.dev/issue/75804, fixed in 1.27).
fuzz_short() { # a short run of every fuzz target listed in scripts/fuzz-targets.txt
  [ -f scripts/fuzz-targets.txt ] || { echo "no fuzz targets listed"; return 0; }
  local pkg target
  while read -r pkg target; do
    [[ -z "$pkg" || "$pkg" == \#* ]] && continue
    echo "fuzz $pkg $target (${LAB_FUZZ_TIME:-50000x})"
    go test -run '^$' -fuzz "^${target}\$" -fuzztime "${LAB_FUZZ_TIME:-50000x}" "$pkg" || return 1
  done < scripts/fuzz-targets.txt
}

if [ "${LAB_TEST_STEPS:-all}" != go ]; then
  start_bg "devcontainer: each lifecycle command as a non-root user on a fresh clone" scripts/test-devcontainer.sh
fi
step "gofmt" gofmt_clean
step "go vet" go vet ./...
# Readers are on macOS and Windows too: the Go code must build and vet there (Linux-only experiments skip).
step "go vet (darwin, windows)" bash -c 'GOOS=darwin go vet ./... && GOOS=windows go vet ./...'
step "staticcheck" staticcheck_run
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
  collect_bg
fi

printf '\n\033[1m==> Summary\033[0m\n'
printf '  %s\n' "${results[@]}"
echo "summary: $passed passed, $failed failed, $skipped skipped"
[ "$failed" -eq 0 ]
