#!/usr/bin/env bash
# `npm run bench [-- --quick] [-- --profile]`: the benchmark (bench/main.ts says what it measures).
# `npm run soak` runs bench/soak/main.ts the same way (SWARMGATE_BENCH_ENTRY).
#   1. the shared engine (only to copy the test image from) and openssh-server (scripts/engine.sh)
#   2. compile the packages (the proxies run from dist/) and type-check bench/
#   3. run bench/main.ts under the tests' TypeScript loader (type-checked in step 2, so the loader
#      only strips types), in a network namespace of its own: the benchmark's dockerd runs with
#      --bridge=none, and a dockerd that does so removes the host's docker0 at start, which would
#      break the shared engine. Its loopback is the only network there; unix sockets (the shared
#      engine's, for copying the test image) are reached as usual.
set -euo pipefail
cd "$(dirname "$0")/.."
export DOCKER_HOST=unix:///var/run/docker.sock
unset DOCKER_CONTEXT
bash scripts/engine.sh --no-swarm --test-tools --bench-tools
npx tsc -b
npx tsc -p bench/tsconfig.json
entry=${SWARMGATE_BENCH_ENTRY:-bench/main.ts}
TS_NODE_TRANSPILE_ONLY=1 exec unshare --net -- sh -c 'entry=$1; shift; ip link set lo up && exec node --import=@tapjs/typescript/import "$entry" "$@"' bench "$entry" "$@"
