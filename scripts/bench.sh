#!/usr/bin/env bash
# `npm run bench [-- --quick] [-- --profile] [-- --deployed]`: the benchmark (bench/main.ts says what it measures).
# `npm run soak` runs bench/soak/main.ts the same way (SWARMGATE_BENCH_ENTRY).
#   1. the shared engine (only to copy the test image from) and openssh-server (scripts/engine.sh)
#   2. compile the packages (the proxies run from dist/) and type-check bench/
#   3. run bench/main.ts under the tests' TypeScript loader (type-checked in step 2, so the loader
#      only strips types), in a network namespace of its own: the benchmark's dockerd runs with
#      --bridge=none, and a dockerd that does so removes the host's docker0 at start, which would
#      break the shared engine. Its loopback is the only network there; unix sockets (the shared
#      engine's, for copying the test image) are reached as usual.
# With --deployed (only in `scripts/isolated-engine.sh --by-hand`, whose engine is the run's own)
# the benchmark measures that engine instead, which is a swarm: the program images are built, and
# it runs in the isolated network namespace itself, where the deployed client-proxy's published
# port is.
set -euo pipefail
cd "$(dirname "$0")/.."
deployed=0
for arg in "$@"; do [ "$arg" = --deployed ] && deployed=1; done
if [ $deployed -eq 1 ]; then
  if [ -z "${SWARMGATE_ISOLATED_ENGINE:-}" ] || [ -z "${DOCKER_TLS_VERIFY:-}" ]; then
    echo "bench: --deployed runs only in an isolated engine started by hand: bash scripts/isolated-engine.sh --by-hand -- npm run bench -- --deployed" >&2
    exit 2
  fi
  export SWARMGATE_BENCH_MTLS_HOST=$DOCKER_HOST
fi
export DOCKER_HOST=unix:///var/run/docker.sock
unset DOCKER_CONTEXT
if [ $deployed -eq 1 ]; then
  bash scripts/engine.sh --test-tools --bench-tools
  bash scripts/images.sh
else
  bash scripts/engine.sh --no-swarm --test-tools --bench-tools
fi
npx tsc -b
npx tsc -p bench/tsconfig.json
entry=${SWARMGATE_BENCH_ENTRY:-bench/main.ts}
if [ $deployed -eq 1 ]; then
  TS_NODE_TRANSPILE_ONLY=1 exec node --import=@tapjs/typescript/import "$entry" "$@"
fi
TS_NODE_TRANSPILE_ONLY=1 exec unshare --net -- sh -c 'entry=$1; shift; ip link set lo up && exec node --import=@tapjs/typescript/import "$entry" "$@"' bench "$entry" "$@"
