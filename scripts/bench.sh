#!/usr/bin/env bash
# `npm run bench [-- --quick] [-- --profile]`: the benchmark (bench/main.ts says what it measures).
#   1. the shared engine (only to copy the test image from) and openssh-server (scripts/engine.sh)
#   2. compile the packages (the proxies run from dist/) and type-check bench/
#   3. run bench/main.ts under the tests' TypeScript loader (type-checked in step 2, so the loader
#      only strips types)
set -euo pipefail
cd "$(dirname "$0")/.."
export DOCKER_HOST=unix:///var/run/docker.sock
unset DOCKER_CONTEXT
bash scripts/engine.sh --no-swarm --test-tools --bench-tools
npx tsc -b
npx tsc -p bench/tsconfig.json
TS_NODE_TRANSPILE_ONLY=1 exec node --import=@tapjs/typescript/import bench/main.ts "$@"
