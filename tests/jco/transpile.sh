#!/usr/bin/env bash
# Transpiles the pi component to an ES module for Node with jco (the pinned
# devDependency): target/jco/pi_digits/pi_digits.js. The component imports
# nothing, so the module needs no WASI shim.
# Usage: tests/jco/transpile.sh [component.wasm]
set -euo pipefail
cd "$(dirname "$0")/../.."

wasm=${1:-target/wasm32-wasip2/release/pi_digits.wasm}
out=target/jco/pi_digits

rm -rf "$out"
npx --no-install jco transpile "$wasm" --out-dir "$out" --name pi_digits --quiet
echo '{"type":"module"}' >"$out/package.json"
