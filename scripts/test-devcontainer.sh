#!/usr/bin/env bash
# The devcontainer, checked without Docker:
#   1. .devcontainer/devcontainer.json is valid JSONC with the shape the dev container spec
#      gives each property the lab uses (scripts/devcontainer_check.py), and its lifecycle
#      commands name scripts that exist;
#   2. each lifecycle command it names runs, in order, as a NON-ROOT user on a fresh clone
#      (the image's user is not root): setup, the kernel check, JupyterLab started and
#      answering with the gonb kernel listed; then one notebook executed in that user's kernel;
#      nothing of that user's is left running afterwards. Logs: build/devcontainer/.
# As root it makes (once) a user "labdev"; as a normal user it runs as that user.
set -euo pipefail
cd "$(dirname "$0")/.."
PY=$(cat build/jupyter-python 2>/dev/null || echo python3)
# The official schema is in no package the registries serve; where a copy has been placed in
# the steering repo's shared/ folder (beside this clone in CI), it is used as well.
official=../shared/devcontainer/devContainer.base.schema.json
if [ -z "${LAB_DEVCONTAINER_SCHEMA:-}" ] && [ -f "$official" ]; then export LAB_DEVCONTAINER_SCHEMA=$PWD/$official; fi
"$PY" scripts/devcontainer_check.py .devcontainer/devcontainer.json

if [ "$(id -u)" = 0 ]; then
  id labdev >/dev/null 2>&1 || useradd --create-home --shell /bin/bash labdev
  user_path="$(dirname "$(command -v go)"):/usr/local/bin:/usr/bin:/bin"  # not root's own tool folders
  as_user() { runuser -u labdev -- env -i PATH="$user_path" LANG=C.UTF-8 "$@"; }
  user=labdev
else
  as_user() { env "$@"; }
  user=$(id -un)
fi
work=$(mktemp -d /tmp/lab-devcontainer.XXXXXX)
mkdir "$work/home"
git clone -q --no-hardlinks . "$work/lab"  # HEAD, as a fresh codespace would get it
# Modules come first from a copy of this machine's module cache (no second download); everything else —
# GoNB's build, the venv, the kernelspec — is the user's own.
modcache=$work/modules
cp -r "$(go env GOMODCACHE)/cache/download" "$modcache"
[ "$(id -u)" = 0 ] && chown -R labdev "$work"
port=$("$PY" -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
cleanup() {
  pkill -TERM -u "$user" -f "port=$port" 2>/dev/null || true
  sleep 1
  [ "$user" = labdev ] && pkill -KILL -u labdev 2>/dev/null || true
  mkdir -p build/devcontainer && cp "$work"/*.log "$work"/lab/build/*.log build/devcontainer/ 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT

lifecycle=$("$PY" scripts/devcontainer_check.py --commands .devcontainer/devcontainer.json)
env_for_user=(GOPROXY="file://$modcache,$(go env GOPROXY)" GOFLAGS=-modcacherw GOTOOLCHAIN=local LAB_SKIP_GOPLS=1 LAB_PORT="$port"
              HOME="$work/home" GOPATH="$work/go" GOCACHE="$work/go-build")  # a user's own HOME is left alone
while IFS=$'\t' read -r name command; do
  echo "--- $name (as $user): $command"
  start=$SECONDS
  as_user "${env_for_user[@]}" bash -c "cd '$work/lab' && $command" > "$work/$name.log" 2>&1 \
    || { tail -n 40 "$work/$name.log"; echo "FAIL: $name exited non-zero as $user"; exit 1; }
  tail -n 2 "$work/$name.log"
  echo "    ($((SECONDS - start))s)"
done <<< "$lifecycle"

url=$(grep -oE "http://127\.0\.0\.1:$port/lab\?token=[0-9a-f]+" "$work/lab/build/lab.log" | head -1)
token=${url##*token=}
curl -sf "http://127.0.0.1:$port/api/kernelspecs?token=$token" | "$PY" -c '
import json, sys
specs = json.load(sys.stdin)["kernelspecs"]
assert "gonb" in specs, f"JupyterLab started by postAttachCommand lists no gonb kernel: {sorted(specs)}"
print("JupyterLab (postAttachCommand) answers and lists the gonb kernel")'
ps -o user= -p "$(pgrep -f "port=$port" | head -1)" | grep -qx "$user" || { echo "JupyterLab does not run as $user"; exit 1; }

echo "--- one notebook in $user's kernel"
as_user "${env_for_user[@]}" bash -c "cd '$work/lab' && make -s test-notebooks NB=00 M=kernel NB_JOBS=1" > "$work/notebook.log" 2>&1 \
  || { tail -n 40 "$work/notebook.log"; echo "FAIL: notebook 00 did not run as $user"; exit 1; }
grep -E "passed|failed" "$work/notebook.log" | tail -1

pkill -TERM -u "$user" -f "port=$port" || true
for _ in $(seq 50); do pgrep -u "$user" -f "port=$port" >/dev/null || break; sleep 0.2; done
# (zombies are dead already: only whether the container's init reaps them differs)
if [ "$user" = labdev ] && left=$(ps -u labdev -o stat=,pid=,args= | awk '$1 !~ /^Z/') && [ -n "$left" ]; then
  echo "FAIL: labdev still runs: $left"; exit 1
fi
echo "devcontainer lifecycle passed as $user"
