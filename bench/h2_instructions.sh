#!/usr/bin/env bash
# User-space instructions per HTTP/2 request, lwspp vs h2o, counted by
# valgrind's callgrind: a figure that other processes on a shared machine
# cannot disturb (bench/h2_run.sh measures time; this counts work). GET
# /hello (13 bytes) in cleartext (h2c, prior knowledge) from h2load.
#
#   scripts/install-deps bench        # h2o, nghttp2-client, valgrind
#   bench/h2_instructions.sh          # prints markdown on stdout
#
# Environment: BENCH_REQUESTS counted requests (default 20000),
#   BENCH_H2_LOAD h2load's load options (default "-c 100 -m 10"),
#   BENCH_H2I_PORT first port (default 17990; uses two),
#   BENCH_BUILD_DIR build tree with bench/http_hello_server (default build/release).
#
# Method: each server (one thread) runs under `valgrind --tool=callgrind`;
# h2load makes 2000 warm-up requests, callgrind's counters are zeroed
# (callgrind_control -z), h2load makes N requests and the counters are
# dumped. Instructions per request = the dump's total / N. Kernel work is
# not counted (both servers make about one read and one write per 10
# requests at -m 10; h2o also one pread per request for its file).
set -euo pipefail

here="$(cd "$(dirname "$0")" && pwd)"
root="$(dirname "$here")"
n="${BENCH_REQUESTS:-20000}"
read -r -a load <<<"${BENCH_H2_LOAD:--c 100 -m 10}"
port_base="${BENCH_H2I_PORT:-17990}"
build_dir="${BENCH_BUILD_DIR:-$root/build/release}"
die() { echo "h2_instructions.sh: $*" >&2; exit 1; }
for t in valgrind callgrind_control callgrind_annotate h2load h2o curl; do
  command -v "$t" >/dev/null || die "$t is needed: scripts/install-deps bench"
done
lwspp_bin="$build_dir/bench/http_hello_server"
[[ -x $lwspp_bin ]] || die "$lwspp_bin is not built (cmake --build --preset release --target http_hello_server)"

scratch="$(mktemp -d /tmp/lwspp-h2instr.XXXXXX)"
vg_pid=""
trap '[[ -n "$vg_pid" ]] && kill -KILL "$vg_pid" 2>/dev/null; rm -rf "$scratch"' EXIT
mkdir -p "$scratch/www"
printf 'Hello, world!' >"$scratch/www/hello"
source "$here/lib/servers.bash"
h2o_conf "$scratch/h2o.conf" "$((port_base + 1))" "$scratch" "" user

# count NAME PORT CMD...: prints "NAME instructions-per-request".
count() {
  local name=$1 port=$2 i
  shift 2
  valgrind --tool=callgrind --callgrind-out-file="$scratch/$name.cg" "$@" >/dev/null 2>"$scratch/$name.vg" &
  vg_pid=$!
  for ((i = 0; i < 120; i++)); do
    curl -s -m 5 --http2-prior-knowledge "http://127.0.0.1:$port/hello" >/dev/null && break
    sleep 0.5
  done
  h2load -n 2000 "${load[@]}" "http://127.0.0.1:$port/hello" >/dev/null
  callgrind_control -z "$vg_pid" >/dev/null
  local out
  out=$(h2load -n "$n" "${load[@]}" "http://127.0.0.1:$port/hello")
  grep -q "status codes: $n 2xx" <<<"$out" || die "$name: not every request succeeded: $(grep 'status codes' <<<"$out")"
  callgrind_control -d "$vg_pid" >/dev/null
  kill -TERM "$vg_pid" 2>/dev/null || true
  wait "$vg_pid" 2>/dev/null || true
  vg_pid=""
  local total
  total=$(callgrind_annotate "$scratch/$name.cg.1" 2>/dev/null | awk '/PROGRAM TOTALS/ {gsub(",", "", $1); print $1}')
  echo "$name $((total / n))"
}

echo "| server | h2load | requests | user-space instructions per request |"
echo "|---|---|---:|---:|"
while read -r name per; do
  echo "| $name | ${load[*]} | $n | $per |"
done < <(
  count lwspp "$port_base" "$lwspp_bin" "$port_base" "$scratch/www"
  count h2o "$((port_base + 1))" h2o -c "$scratch/h2o.conf"
)
