#!/usr/bin/env bash
# Load test of `pi-digits serve`: starts the server on a free loopback port,
# drives it with wrk at 64 connections, and writes docs/load-test.md, a table
# of requests/s and p50/p99 latency for small and large N, and the server's
# memory after the first 1,000 and after 100,000 requests.
#
# Fails if any request fails (a non-2xx answer, a socket error or a timeout)
# or if the server's resident memory grows by more than 10% between those
# two points. Every run is bounded in time; the server is always stopped.
#
#   scripts/load-test.sh                 # target/debug/pi-digits
#   PI_DIGITS_BIN=target/release/pi-digits scripts/load-test.sh
#
# Knobs (environment): LOAD_DURATION (seconds a timed run lasts, 10),
# LOAD_LARGE_DURATION (the same for large N, 30: on two cores, 64 requests
# of 100,000 digits at once take about 20 s to answer),
# LOAD_CONNECTIONS (64), LOAD_THREADS (2), LOAD_REQUESTS (requests served
# before memory is measured again, 100000), LOAD_FILL_PATH (what the requests
# after the timed runs ask for, /api/info), LOAD_OUT (docs/load-test.md).
set -euo pipefail
cd "$(dirname "$0")/.."

bin=${PI_DIGITS_BIN:-target/debug/pi-digits}
duration=${LOAD_DURATION:-10}
large_duration=${LOAD_LARGE_DURATION:-30}
connections=${LOAD_CONNECTIONS:-64}
threads=${LOAD_THREADS:-2}
total_requests=${LOAD_REQUESTS:-100000}
first_requests=1000
fill_path=${LOAD_FILL_PATH:-/api/info}
out=${LOAD_OUT:-docs/load-test.md}
# The most a request-bounded run may take before it counts as a failure.
bounded_limit=300

if [ ! -x "$bin" ]; then
  echo "error: $bin not found; build it with cargo build, or set PI_DIGITS_BIN" >&2
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

# wrk prints one machine-readable line when a run ends. With
# WRK_REQUEST_LIMIT set (and one thread), the run ends after that many
# answers: wrk's main thread sleeps for the whole -d, but a SIGINT sent to it
# (tgkill, through LuaJIT's ffi) ends the sleep and the run, as Ctrl-C does.
cat >"$work/report.lua" <<'EOF'
local limit = tonumber(os.getenv("WRK_REQUEST_LIMIT") or "")
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

# Only loopback: port 0 lets the kernel pick a free port, which the server prints.
"$bin" serve --addr 127.0.0.1:0 >"$work/server.out" 2>"$work/server.err" &
server_pid=$!
addr=
for _ in $(seq 300); do
  addr=$(sed -n 's|^Serving http://\([^/]*\)/$|\1|p' "$work/server.out")
  [ -n "$addr" ] && break
  kill -0 "$server_pid" 2>/dev/null || { cat "$work/server.err" >&2; exit 1; }
  sleep 0.1
done
[ -n "$addr" ] || { echo "error: the server did not start" >&2; exit 1; }
base="http://$addr"
for _ in $(seq 100); do
  curl -fsS -o /dev/null "$base/api/info" && break
  sleep 0.1
done
curl -fsS "$base/api/info" >/dev/null
echo "serving $base (pid $server_pid)"

rss_kib() {
  awk '/^VmRSS:/ { print $2 }' "/proc/$server_pid/status"
}

served=0
failures=0
rows=
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

# run LABEL N PATH [SECONDS | rREQUESTS]: a run of SECONDS (LOAD_DURATION
# by default), or, given r and a number, one that stops after that many
# answers (one wrk thread, so that one script state counts them all).
run() {
  local label=$1 n=$2 path=$3 bound=${4:-$duration}
  local limit=$bound run_threads=$threads requests=
  if [ "${bound#r}" != "$bound" ]; then
    requests=${bound#r}
    limit=$bounded_limit
    run_threads=1
  fi
  drain
  echo "== $label: $path, $connections connections, ${requests:-${limit}s}" >&2
  WRK_REQUEST_LIMIT=$requests timeout $((limit + 30)) \
    wrk -t "$run_threads" -c "$connections" -d "${limit}s" --timeout 60s --latency \
    -s "$work/report.lua" "$base$path" >"$work/wrk.out"
  cat "$work/wrk.out" >&2
  local line
  line=$(grep '^RESULT ' "$work/wrk.out")
  local requests_done duration_us p50 p99 connect read write status timeouts
  field() { sed -n "s/.* $1=\([0-9]*\).*/\1/p" <<<"$line"; }
  requests_done=$(field requests)
  duration_us=$(field duration_us)
  p50=$(field p50_us)
  p99=$(field p99_us)
  connect=$(field connect); read=$(field read); write=$(field write)
  status=$(field status); timeouts=$(field timeout)
  local errors=$((connect + read + write + status + timeouts))
  if [ "$errors" -ne 0 ]; then
    echo "FAIL: $label: $errors failed requests (connect $connect, read $read, write $write, non-2xx $status, timeout $timeouts)" >&2
    failures=$((failures + 1))
  fi
  if [ -n "$requests" ] && [ "$requests_done" -lt "$requests" ]; then
    echo "FAIL: $label: only $requests_done of $requests requests answered within ${limit}s" >&2
    failures=$((failures + 1))
  fi
  served=$((served + requests_done))
  local rps
  rps=$(awk -v r="$requests_done" -v d="$duration_us" 'BEGIN { printf "%.0f", r / (d / 1e6) }')
  local ms='function ms(us) { return sprintf("%.1f ms", us / 1000) }'
  rows+=$(awk -v label="$label" -v n="$n" -v c="$connections" -v r="$requests_done" \
    -v d="$duration_us" -v rps="$rps" -v p50="$p50" -v p99="$p99" -v e="$errors" \
    "$ms"' BEGIN { printf "| %s | %s | %d | %d in %.1f s | %d | %s | %s | %d |\n", label, n, c, r, d / 1e6, rps, ms(p50), ms(p99), e }')
  rows+=$'\n'
}

# The first 1,000 requests warm the server up with every kind of request
# the test sends (every instance slot used, the allocator's high-water mark
# for large answers reached); then its memory is the baseline a leak would
# grow from.
run "warm-up: \`/api/digits?n=100000\`" "100,000" "/api/digits?n=100000" "r$connections"
run "warm-up: \`/api/histogram?n=10000\`" "10,000" "/api/histogram?n=10000" "r$((connections * 3))"
run "warm-up: \`/api/histogram?n=100\`" 100 "/api/histogram?n=100" "r$((first_requests - served))"
rss_first=$(rss_kib)
served_first=$served

run "\`/api/histogram?n=100\`" 100 "/api/histogram?n=100"
run "\`/api/histogram?n=10000\`" "10,000" "/api/histogram?n=10000"
run "\`/api/digits?n=100000\`" "100,000" "/api/digits?n=100000" "$large_duration"

# Then the cheapest requests that still instantiate the whole app (both
# components), until the server has answered LOAD_REQUESTS in all.
remaining=$((total_requests - served))
if [ "$remaining" -gt 0 ]; then
  run "to $total_requests requests: \`$fill_path\`" – "$fill_path" "r$remaining"
fi
if ! kill -0 "$server_pid" 2>/dev/null; then
  echo "FAIL: the server exited during the test" >&2
  exit 1
fi
rss_last=$(rss_kib)
served_last=$served

growth=$(awk -v a="$rss_first" -v b="$rss_last" 'BEGIN { printf "%+.1f", (b - a) * 100 / a }')
if ! awk -v a="$rss_first" -v b="$rss_last" 'BEGIN { exit !(b <= a * 1.10) }'; then
  echo "FAIL: resident memory grew by $growth% (more than 10%)" >&2
  failures=$((failures + 1))
fi
verdict=$([ "$failures" -eq 0 ] && echo pass || echo "FAIL ($failures checks failed)")
mib() { awk -v k="$1" 'BEGIN { printf "%.1f MiB", k / 1024 }'; }

cpu=$(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -1)
{
  echo "# Load test"
  echo
  echo "Written by \`scripts/load-test.sh\`; run it again to update. The server"
  echo "and the load generator share the machine, over loopback."
  echo
  echo "- date: $(date -u '+%Y-%m-%d %H:%M UTC')"
  echo "- machine: $(nproc) CPUs, ${cpu:-unknown CPU}, $(awk '/^MemTotal:/ { printf "%.1f GiB", $2 / 1048576 }' /proc/meminfo) RAM, Linux $(uname -r)"
  echo "- load average before the test: $load_before"
  echo "- server: \`$bin serve --addr 127.0.0.1:0\` (default limits), a fresh component instance per request"
  echo "- generator: $(wrk -v 2>&1 | head -1 | cut -d' ' -f1-2), \`wrk -t $threads -c $connections -d ${duration}s --timeout 60s --latency URL\`"
  echo "  (\`-d ${large_duration}s\` for large N); the warm-up and the last run stop after a number"
  echo "  of answers instead (\`-t 1\`, a Lua script). Between runs the server is left to finish"
  echo "  the requests still computing."
  echo
  echo "| endpoint | N | connections | requests | requests/s | p50 | p99 | errors |"
  echo "|---|---|---|---|---|---|---|---|"
  printf '%s' "$rows"
  echo
  echo "Errors are non-2xx answers, socket errors and timeouts. Memory (VmRSS of the"
  echo "server): $(mib "$rss_first") after the first $served_first requests, $(mib "$rss_last") after $served_last"
  echo "requests ($growth%; at most +10% allowed). The requests after the timed runs ask for"
  echo "\`$fill_path\`, the cheapest request that still instantiates the whole app."
  echo
  echo "Result: $verdict."
} >"$out"
cat "$out"
[ "$failures" -eq 0 ]
