#!/usr/bin/env bash
# Installs the npm dependencies with `npm ci` when node_modules is missing or older than
# package-lock.json (npm writes node_modules/.package-lock.json on every install), so a fresh
# clone and a changed lock file both get exactly the locked versions; otherwise does nothing.
set -euo pipefail
cd "$(dirname "$0")/.."

command -v npm >/dev/null || { echo "deps: npm is not installed; install Node.js 20 (with npm) first" >&2; exit 1; }
installed=node_modules/.package-lock.json
if [ -f "$installed" ] && [ ! package-lock.json -nt "$installed" ]; then
  exit 0
fi
echo "deps: installing npm dependencies (npm ci)" >&2
npm ci --no-audit --no-fund
