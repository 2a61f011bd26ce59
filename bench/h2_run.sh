#!/usr/bin/env bash
# HTTP/2 server, preliminary: h2load against lwspp (bench/http_hello_server,
# which answers h2c with prior knowledge like every lwspp HTTP server), h2o
# and nginx, cleartext (h2c prior knowledge), GET /hello (13 bytes).
# Server pinned to BENCH_SERVER_CPU (1), h2load to BENCH_LOAD_CPU (0); server
# CPU = utime+stime of its process tree from /proc; median of BENCH_REPEAT.
#
#   BENCH_BUILD_DIR=build/release bench/h2_run.sh     # prints markdown rows
#
# Environment (defaults): BENCH_REQUESTS 200000, BENCH_REPEAT 3,
#   BENCH_H2_LOADS "c100m10 c1m100", BENCH_SERVERS "lwspp h2o nginx",
#   BENCH_HTTP_PORT 17950.
set -euo pipefail

here="$(cd "$(dirname "$0")" && pwd)"
root="$(dirname "$here")"
source "$here/lib/servers.bash"
source "$here/lib/measure.bash"
build_dir="${BENCH_BUILD_DIR:-$root/build/release}"
requests="${BENCH_REQUESTS:-200000}"
repeat="${BENCH_REPEAT:-3}"
port="${BENCH_HTTP_PORT:-17950}"
srv_cpu="${BENCH_SERVER_CPU:-1}"
load_cpu="${BENCH_LOAD_CPU:-0}"
read -r -a servers <<<"${BENCH_SERVERS:-lwspp h2o nginx}"
read -r -a loads <<<"${BENCH_H2_LOADS:-c100m10 c1m100}"
command -v h2load >/dev/null || { echo "h2_run.sh: h2load is needed (nghttp2-client)" >&2; exit 1; }

scratch="$(mktemp -d /tmp/lwspp-h2bench.XXXXXX)"
chmod 755 "$scratch"
mkdir -p "$scratch/www"
printf 'Hello, world!' >"$scratch/www/hello"
server_pid=""
trap '[[ -n "$server_pid" ]] && kill -KILL $(tree_pids "$server_pid") 2>/dev/null; rm -rf "$scratch"' EXIT

start() {
  case "$1" in
    lwspp)
      taskset -c "$srv_cpu" "$build_dir/bench/http_hello_server" "$port" "$scratch/www" \
        >/dev/null 2>&1 &
      ;;
    h2o)
      cat >"$scratch/h2o.conf" <<CONF
listen: {host: 127.0.0.1, port: $port}
num-threads: 1
error-log: $scratch/h2o.err
pid-file: $scratch/h2o.pid
http2-idle-timeout: 600
hosts:
  default:
    paths:
      /hello:
        file.file: $scratch/www/hello
CONF
      taskset -c "$srv_cpu" h2o -c "$scratch/h2o.conf" >/dev/null 2>&1 &
      ;;
    nginx)
      mkdir -p "$scratch/nginx"
      cat >"$scratch/nginx.conf" <<CONF
worker_processes 1;
daemon off;
error_log $scratch/nginx/error.log;
pid $scratch/nginx/nginx.pid;
events { worker_connections 4096; }
http {
  access_log off;
  client_body_temp_path $scratch/nginx;
  server {
    listen 127.0.0.1:$port http2;
    http2_max_concurrent_streams 128;
    keepalive_requests 100000000;
    location = /hello { default_type text/plain; return 200 "Hello, world!"; }
  }
}
CONF
      taskset -c "$srv_cpu" nginx -c "$scratch/nginx.conf" -p "$scratch/nginx" >/dev/null 2>&1 &
      ;;
  esac
  server_pid=$!
  wait_started "$port"
}

echo "| server | load | req/s | server CPU µs/request | requests per server CPU-second |"
echo "|---|---|---:|---:|---:|"
for s in "${servers[@]}"; do
  for l in "${loads[@]}"; do
    c="${l#c}"; c="${c%%m*}"; m="${l##*m}"
    rps_all=() us_all=()
    for ((r = 0; r < repeat; r++)); do
      start "$s" || { echo "| $s | $l | did not start | | |"; continue 2; }
      h2load -n 1000 -c "$c" -m "$m" "http://127.0.0.1:$port/hello" >/dev/null 2>&1 || true  # warm-up
      t0=$(tree_ticks "$server_pid")
      out=$(taskset -c "$load_cpu" h2load -n "$requests" -c "$c" -m "$m" "http://127.0.0.1:$port/hello" 2>&1)
      t1=$(tree_ticks "$server_pid")
      stop_server
      ok=$(awk '/^requests:/ { print $8 }' <<<"$out")
      rps=$(awk '/^finished in/ { gsub(",", "", $4); print $4 }' <<<"$out")
      [[ "$ok" == "$requests" ]] || { echo "h2_run.sh: $s $l: $ok of $requests succeeded" >&2; }
      hz=$(getconf CLK_TCK)
      rps_all+=("$rps")
      us_all+=("$(awk -v t=$((t1 - t0)) -v hz="$hz" -v n="$requests" 'BEGIN { printf "%.2f", t / hz / n * 1e6 }')")
    done
    rps_med=$(printf '%s\n' "${rps_all[@]}" | median)
    us_med=$(printf '%s\n' "${us_all[@]}" | median)
    per_cpu=$(awk -v u="$us_med" 'BEGIN { if (u > 0) printf "%.0f", 1e6 / u; else print "n/a" }')
    printf '| %s | -c %s -m %s | %.0f | %s | %s |\n' "$s" "$c" "$m" "$rps_med" "$us_med" "$per_cpu"
  done
done
