#!/usr/bin/env bash
# Validates the generated AsyncAPI document of the partner topics with the official AsyncAPI CLI.
# Usage: deploy/ci/validate-asyncapi.sh  (after `make install`; needs Node.js and npm)
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/../.."
CLI_VERSION=6.2.0
PREFIX="${XDG_CACHE_HOME:-$HOME/.cache}/yizhou-party-building/asyncapi-cli-$CLI_VERSION"
if [[ ! -x "$PREFIX/node_modules/.bin/asyncapi" ]]; then
    mkdir -p "$PREFIX"
    npm install --prefix "$PREFIX" --no-audit --no-fund --silent "@asyncapi/cli@$CLI_VERSION" > "$PREFIX/npm.log" 2>&1 \
        || { cat "$PREFIX/npm.log"; exit 1; }
fi
doc="$(mktemp --suffix=.json)"
trap 'rm -f "$doc"' EXIT
.venv/bin/yizhou asyncapi --out "$doc"
export SUPPRESS_NO_CONFIG_WARNING=true
"$PREFIX/node_modules/.bin/asyncapi" config analytics --disable > /dev/null 2>&1 || true
"$PREFIX/node_modules/.bin/asyncapi" validate "$doc" --fail-severity error
echo "[asyncapi] partner contract valid (@asyncapi/cli $CLI_VERSION)"
