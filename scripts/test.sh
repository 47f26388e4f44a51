#!/usr/bin/env bash
# `npm test [-- tap arguments]`: installs and starts what the tests need, then runs every test.
#   1. npm dependencies (scripts/npm-deps.sh)
#   2. a Docker engine, a single-node swarm and the test tools (scripts/engine.sh --test-tools)
#   3. compile and build the four images (scripts/images.sh)
#   4. type-check the tests (test/tsconfig.json; tap itself only strips the types)
#   5. tap over packages/*/test/**/*.test.ts and test/**/*.test.ts (root package.json "tap"),
#      or over the files given as arguments
#   6. check that no test-labelled object is left on the engine
# Exits non-zero when any step or test fails.
set -euo pipefail
cd "$(dirname "$0")/.."
# This machine's engine, whatever DOCKER_HOST a shell exported (the test bed does the same).
# DOCKER_TLS_VERIFY and DOCKER_CERT_PATH, exported for an engine's TLS listener, would make every
# docker CLI the tests run speak TLS to the plain-HTTP client-proxy; DOCKER_CONTEXT would
# override DOCKER_HOST.
export DOCKER_HOST=unix:///var/run/docker.sock
unset DOCKER_CONTEXT DOCKER_TLS_VERIFY DOCKER_CERT_PATH DOCKER_TLS
# Inside a tmux session, TMUX would send the terminal tests' tmux commands to that session's server.
unset TMUX

current=''
step() { current=$1; echo "test: $1" >&2; }
trap 'status=$?; [ $status -eq 0 ] || echo "test: FAILED in step \"$current\" (exit $status)" >&2' EXIT

step "npm dependencies"
bash scripts/npm-deps.sh
step "Docker engine and swarm"
bash scripts/engine.sh --test-tools
step "images"
bash scripts/images.sh
step "type-checking the tests"
npx tsc -p test/tsconfig.json

step "tap"
status=0
npx tap "$@" || status=$?

# Every test file removes what it created (test/testbed/suite.ts); an object labelled by a test
# process that has ended is a leak. (A live owner is a test run going on beside this one.)
label=io.swarmgate.test
left=''
for kind in service:.Spec.Name:.Spec.Labels container:.Id:.Config.Labels secret:.Spec.Name:.Spec.Labels \
            config:.Spec.Name:.Spec.Labels network:.Name:.Labels volume:.Name:.Labels; do
  IFS=: read -r type name labels <<<"$kind"
  all=(); [ "$type" = container ] && all=(-a)
  ids=$(docker "$type" ls "${all[@]}" -q --filter "label=$label")
  [ -n "$ids" ] || continue
  while read -r id owner; do
    kill -0 "${owner#pid-}" 2>/dev/null || left+="$type $id ($label=$owner)"$'\n'
  done < <(docker inspect --type "$type" --format "{{$name}} {{index $labels \"$label\"}}" $ids 2>/dev/null || true)
done
if [ -n "$left" ]; then
  echo "test: tests left objects labelled $label behind:" >&2
  printf '%s' "$left" >&2
  status=1
fi

if [ $status -ne 0 ]; then
  for log in "${SWARMGATE_DOCKERD_LOG:-/var/log/swarmgate-dockerd.log}" /var/log/dockerd.log; do
    if [ -f "$log" ]; then
      echo "test: last lines of $log:" >&2
      tail -n 30 "$log" >&2
      break
    fi
  done
fi
exit $status
