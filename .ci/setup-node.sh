#!/usr/bin/env bash
# Node and tus-js-client for the tus client test (sync-app TusJsClientTest). Idempotent; run as root
# when node is missing. The client's version is pinned in sync-app/src/test/node/package-lock.json.
set -euo pipefail
cd "$(dirname "$0")/.."
if ! command -v node >/dev/null 2>&1 || ! command -v npm >/dev/null 2>&1; then
  apt-get update -q
  DEBIAN_FRONTEND=noninteractive apt-get install -y -q nodejs npm
fi
cd sync-app/src/test/node
if [ ! -d node_modules/tus-js-client ]; then
  npm ci --no-audit --no-fund
fi
