#!/usr/bin/env bash
# `npm run images [-- program...]`: builds swarmgate/<program>:latest and :<package version> for
# registration, server-proxy, client-proxy and client (or only the programs named) from docker/,
# without pulling anything. The TypeScript is compiled here on the host; the images get the
# compiled dist of every workspace package plus production dependencies only, staged in
# build/image/.
#
# Base image: $SWARMGATE_NODE_IMAGE when set; otherwise the Dockerfiles' default
# (node:22-bookworm-slim) when the engine has it; otherwise swarmgate/node-local:<node version>,
# made FROM scratch out of this machine's node by scripts/node-local-image.sh.
set -euo pipefail
cd "$(dirname "$0")/.."

ALL_PROGRAMS=(registration server-proxy client-proxy client)
# Must match the ARG NODE_IMAGE default in docker/*.Dockerfile.
DEFAULT_NODE_IMAGE=node:22-bookworm-slim
STAGE=build/image
DEPS_STAMP=build/image-deps.sha256
# buildx is not packaged for Debian 12; the classic builder is what every machine here has.
export DOCKER_BUILDKIT=0

say() { echo "images: $*" >&2; }
fail() { echo "images: $*" >&2; exit 1; }

programs=("$@")
[ ${#programs[@]} -gt 0 ] || programs=("${ALL_PROGRAMS[@]}")
for p in "${programs[@]}"; do
  [ -f "docker/$p.Dockerfile" ] || fail "unknown program '$p' (known: ${ALL_PROGRAMS[*]})"
done

docker info >/dev/null 2>&1 || fail "no Docker engine answers; run scripts/engine.sh (as root) first"

say "compiling (npm run build)"
npm run --silent build
for p in "${programs[@]}"; do
  [ -f "packages/$p/dist/main.js" ] || fail "packages/$p/dist/main.js does not exist after the build: packages/$p/src/main.ts is missing, so the $p image cannot be built"
done

# Stage the build context: package manifests and compiled code of every workspace package (the
# workspace links in node_modules/@swarmgate/ point at them, so all must be present).
mkdir -p "$STAGE"
rm -rf "$STAGE/packages"
cp package.json package-lock.json "$STAGE/"
for dir in packages/*/; do
  pkg=${dir%/}
  mkdir -p "$STAGE/$pkg"
  cp "$pkg/package.json" "$STAGE/$pkg/"
  if [ -d "$pkg/dist" ]; then
    cp -R "$pkg/dist" "$STAGE/$pkg/dist"
  fi
done
# Declarations and build info are for the compiler, not for running.
find "$STAGE/packages" -type f \( -name '*.d.ts' -o -name '*.d.ts.map' -o -name '*.tsbuildinfo' \) -delete

# Production dependencies, reinstalled only when a manifest or the lock file changed. npm ci
# turns the workspace packages into relative links (node_modules/@swarmgate/x ->
# ../../packages/x), which resolve the same way under /app in the image.
deps_hash=$(cat package-lock.json packages/*/package.json package.json | sha256sum | cut -d' ' -f1)
if [ ! -d "$STAGE/node_modules" ] || [ "$(cat "$DEPS_STAMP" 2>/dev/null)" != "$deps_hash" ]; then
  say "installing production dependencies in $STAGE"
  (cd "$STAGE" && npm ci --omit=dev --ignore-scripts --prefer-offline --no-audit --no-fund --loglevel=error)
  echo "$deps_hash" >"$DEPS_STAMP"
fi
for p in "${programs[@]}"; do
  [ -f "$STAGE/node_modules/@swarmgate/$p/dist/main.js" ] || fail "$STAGE/node_modules/@swarmgate/$p does not lead to the compiled program"
done

if [ -n "${SWARMGATE_NODE_IMAGE:-}" ]; then
  base=$SWARMGATE_NODE_IMAGE
elif docker image inspect "$DEFAULT_NODE_IMAGE" >/dev/null 2>&1; then
  base=$DEFAULT_NODE_IMAGE
else
  say "$DEFAULT_NODE_IMAGE is not present and will not be pulled; using this machine's node instead"
  base=$(bash scripts/node-local-image.sh)
fi

revision=$(git describe --always --dirty --abbrev=40 2>/dev/null || echo unknown)
for p in "${programs[@]}"; do
  version=$(node -p "require('./packages/$p/package.json').version")
  say "building swarmgate/$p:$version on $base"
  docker build -q \
    --build-arg "NODE_IMAGE=$base" --build-arg "VERSION=$version" --build-arg "REVISION=$revision" \
    -t "swarmgate/$p:latest" -t "swarmgate/$p:$version" \
    -f "docker/$p.Dockerfile" "$STAGE" >/dev/null
done
say "built ${programs[*]}"
