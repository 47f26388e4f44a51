#!/usr/bin/env bash
# `npm run soak [-- --minutes N]`: the soak of issue 11 (bench/soak/main.ts says what it does),
# set up and run the way scripts/bench.sh runs the benchmark, on the benchmark's own dockerd:
#   1. the shared engine (only to copy the test image from) and openssh-server (the benchmark's
#      set-up, which the soak reuses, starts sshd too)
#   2. compile the packages (the proxies run from dist/) and type-check bench/
#   3. run bench/soak/main.ts under the tests' TypeScript loader in a network namespace of its
#      own (the benchmark dockerd's --bridge=none would remove the host's docker0 otherwise)
set -euo pipefail
cd "$(dirname "$0")/.."
export DOCKER_HOST=unix:///var/run/docker.sock
unset DOCKER_CONTEXT
bash scripts/engine.sh --no-swarm --test-tools --bench-tools
npx tsc -b
npx tsc -p bench/tsconfig.json
TS_NODE_TRANSPILE_ONLY=1 exec unshare --net -- sh -c 'ip link set lo up && exec node --import=@tapjs/typescript/import bench/soak/main.ts "$@"' soak "$@"
