#!/usr/bin/env bash
# User-space instructions per request, counted by valgrind's callgrind: a
# figure that other processes on a shared machine cannot disturb
# (bench/http_run.sh and bench/h2_run.sh measure time; this counts work).
# GET /hello (13 bytes) from h2load, keep-alive:
#   h1  HTTP/1.1, lwspp against nginx (1 worker), h2load --h1 -c 50
#   h2  HTTP/2 in cleartext (prior knowledge), lwspp against h2o, h2load -c 100 -m 10
#
#   scripts/install-deps bench        # h2o, nginx, nghttp2-client, valgrind
#   bench/http_instructions.sh h1     # prints markdown on stdout (default h2)
#
# Environment: BENCH_REQUESTS counted requests (default 20000),
#   BENCH_H2_LOAD h2load's load options (default "-c 100 -m 10" for h2,
#   "-c 50" for h1), BENCH_H2I_PORT first port (default 17990; uses two),
#   BENCH_BUILD_DIR build tree with bench/http_hello_server (default build/release).
#
# Method: each server (one thread, one process) runs under `valgrind
# --tool=callgrind`; h2load makes 2000 warm-up requests, callgrind's counters
# are zeroed (callgrind_control -z), h2load makes N requests and the counters
# are dumped. Instructions per request = the dump's total / N. Kernel work is
# not counted: at -m 10 both h2 servers make about one read and one write per
# 10 requests (h2o also one pread per request for its file); over HTTP/1.1
# every request costs each server a read and a write.
set -euo pipefail

here="$(cd "$(dirname "$0")" && pwd)"
root="$(dirname "$here")"
n="${BENCH_REQUESTS:-20000}"
proto="${1:-h2}"
case "$proto" in
  h1) default_load="-c 50" peer=nginx curl_opt=--http1.1 h1_opt=--h1 ;;
  h2) default_load="-c 100 -m 10" peer=h2o curl_opt=--http2-prior-knowledge h1_opt= ;;
  *) echo "usage: http_instructions.sh [h1|h2]" >&2; exit 2 ;;
esac
read -r -a load <<<"${BENCH_H2_LOAD:-$default_load}"
[[ -n $h1_opt ]] && load=("$h1_opt" "${load[@]}")
port_base="${BENCH_H2I_PORT:-17990}"
build_dir="${BENCH_BUILD_DIR:-$root/build/release}"
die() { echo "http_instructions.sh: $*" >&2; exit 1; }
for t in valgrind callgrind_control callgrind_annotate h2load "$peer" curl; do
  command -v "$t" >/dev/null || die "$t is needed: scripts/install-deps bench"
done
lwspp_bin="$build_dir/bench/http_hello_server"
[[ -x $lwspp_bin ]] || die "$lwspp_bin is not built (cmake --build --preset release --target http_hello_server)"

scratch="$(mktemp -d /tmp/lwspp-instr.XXXXXX)"
vg_pid=""
trap '[[ -n "$vg_pid" ]] && kill -KILL "$vg_pid" 2>/dev/null; rm -rf "$scratch"' EXIT
mkdir -p "$scratch/www"
printf 'Hello, world!' >"$scratch/www/hello"
source "$here/lib/servers.bash"
peer_port=$((port_base + 1))
if [[ $peer == h2o ]]; then
  h2o_conf "$scratch/h2o.conf" "$peer_port" "$scratch" "" user
  peer_cmd=(h2o -c "$scratch/h2o.conf")
else
  nginx_hello_conf "$scratch/nginx" "$peer_port" single
  peer_cmd=(nginx -p "$scratch/nginx/" -c "$scratch/nginx/nginx.conf" -e "$scratch/nginx/error.log")
fi

# count NAME PORT CMD...: prints "NAME instructions-per-request".
count() {
  local name=$1 port=$2 i
  shift 2
  valgrind --tool=callgrind --callgrind-out-file="$scratch/$name.cg" "$@" >/dev/null 2>"$scratch/$name.vg" &
  vg_pid=$!
  for ((i = 0; i < 120; i++)); do
    curl -s -m 5 "$curl_opt" "http://127.0.0.1:$port/hello" >/dev/null && break
    sleep 0.5
  done
  h2load -n 2000 "${load[@]}" "http://127.0.0.1:$port/hello" >/dev/null
  callgrind_control -z "$vg_pid" >/dev/null 2>&1
  local out
  out=$(h2load -n "$n" "${load[@]}" "http://127.0.0.1:$port/hello")
  grep -q "status codes: $n 2xx" <<<"$out" || die "$name: not every request succeeded: $(grep 'status codes' <<<"$out")"
  callgrind_control -d "$vg_pid" >/dev/null 2>&1
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
  count "$peer" "$peer_port" "${peer_cmd[@]}"
)
