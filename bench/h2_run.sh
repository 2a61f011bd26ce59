#!/usr/bin/env bash
# HTTP/2 server: h2load against lwspp (bench/http_hello_server), h2o, nginx,
# nghttpd and libwebsockets (bench/lws_http_server, Debian's
# libwebsockets-dev with its h2 role) in the same run, GET /hello (13 bytes), in cleartext (h2c with
# prior knowledge) and over TLS (ALPN h2; the same self-signed P-256
# certificate for all). Server pinned to BENCH_SERVER_CPU (1), h2load to
# BENCH_LOAD_CPU (0); server CPU = utime+stime of its process tree from
# /proc; median of BENCH_REPEAT. The figure to compare is requests per server
# CPU-second: on 2 cores h2load often saturates before the server.
#
#   BENCH_BUILD_DIR=build/release bench/h2_run.sh     # prints markdown rows
#
# Environment (defaults): BENCH_REQUESTS 200000, BENCH_REPEAT 3,
#   BENCH_H2_LOADS "c100m10 c1m100", BENCH_SERVERS "lwspp h2o nginx nghttpd lws",
#   BENCH_H2_MODES "h2c tls", BENCH_HTTP_PORT 17950; before each run both
#   cores must be under BENCH_QUIET_PCT % busy (5), waited for up to
#   BENCH_QUIET_WAIT s (60).
#
# lws serves h2c only when told every cleartext connection is h2
# (LWS_SERVER_OPTION_H2_PRIOR_KNOWLEDGE, --h2c). It advertises
# SETTINGS_MAX_CONCURRENT_STREAMS 24 (its default in 4.1.6) and answers a client
# that opens more streams before it has read those SETTINGS (h2load -m 100
# does) with GOAWAY PROTOCOL_ERROR, so its -c 1 -m 100 rows fail: the
# script reports the failed count on stderr rather than hiding the row.
set -euo pipefail

here="$(cd "$(dirname "$0")" && pwd)"
root="$(dirname "$here")"
scratch="$(mktemp -d /tmp/lwspp-h2bench.XXXXXX)"
quiet_pct="${BENCH_QUIET_PCT:-5}"
quiet_wait="${BENCH_QUIET_WAIT:-60}"
note() { echo "h2_run.sh: $*" >&2; }
source "$here/lib/servers.bash"
source "$here/lib/measure.bash"
build_dir="${BENCH_BUILD_DIR:-$root/build/release}"
requests="${BENCH_REQUESTS:-200000}"
repeat="${BENCH_REPEAT:-3}"
port="${BENCH_HTTP_PORT:-17950}"
srv_cpu="${BENCH_SERVER_CPU:-1}"
load_cpu="${BENCH_LOAD_CPU:-0}"
read -r -a servers <<<"${BENCH_SERVERS:-lwspp h2o nginx nghttpd lws}"
read -r -a loads <<<"${BENCH_H2_LOADS:-c100m10 c1m100}"
read -r -a modes <<<"${BENCH_H2_MODES:-h2c tls}"
command -v h2load >/dev/null || { echo "h2_run.sh: h2load is needed (nghttp2-client)" >&2; exit 1; }

chmod 755 "$scratch"
mkdir -p "$scratch/www"
printf 'Hello, world!' >"$scratch/www/hello"
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 2 -subj /CN=localhost \
  -keyout "$scratch/key.pem" -out "$scratch/cert.pem" 2>/dev/null
chmod 644 "$scratch/key.pem"
server_pid=""
trap '[[ -n "$server_pid" ]] && kill -KILL $(tree_pids "$server_pid") 2>/dev/null; rm -rf "$scratch"' EXIT

# start SERVER MODE
start() {
  local tls=$2
  case "$1" in
    lwspp)
      local args=()
      [[ $tls == tls ]] && args=(--cert "$scratch/cert.pem" --key "$scratch/key.pem" --h2)
      taskset -c "$srv_cpu" "$build_dir/bench/http_hello_server" "$port" "$scratch/www" "${args[@]}" \
        >/dev/null 2>&1 &
      ;;
    h2o)
      h2o_conf "$scratch/h2o.conf" "$port" "$scratch" "$tls"
      taskset -c "$srv_cpu" h2o -c "$scratch/h2o.conf" >/dev/null 2>&1 &
      ;;
    nginx)
      mkdir -p "$scratch/nginx"
      local listen="listen 127.0.0.1:$port http2;"
      [[ $tls == tls ]] && listen="listen 127.0.0.1:$port ssl http2; ssl_certificate $scratch/cert.pem; ssl_certificate_key $scratch/key.pem;"
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
    $listen
    http2_max_concurrent_streams 128;
    keepalive_requests 100000000;
    location = /hello { default_type text/plain; return 200 "Hello, world!"; }
  }
}
CONF
      taskset -c "$srv_cpu" nginx -c "$scratch/nginx.conf" -p "$scratch/nginx" >/dev/null 2>&1 &
      ;;
    nghttpd)
      command -v nghttpd >/dev/null || return 1
      if [[ $tls == tls ]]; then
        taskset -c "$srv_cpu" nghttpd -n 1 -d "$scratch/www" -a 127.0.0.1 "$port" \
          "$scratch/key.pem" "$scratch/cert.pem" >/dev/null 2>&1 &
      else
        taskset -c "$srv_cpu" nghttpd -n 1 --no-tls -d "$scratch/www" -a 127.0.0.1 "$port" \
          >/dev/null 2>&1 &
      fi
      ;;
    lws)
      local lws_bin="$build_dir/bench/lws_http_server"
      [[ -x $lws_bin ]] || { note "no $lws_bin (libwebsockets-dev missing at build time?)"; return 1; }
      local args=(--h2c)
      [[ $tls == tls ]] && args=(--cert "$scratch/cert.pem" --key "$scratch/key.pem")
      taskset -c "$srv_cpu" "$lws_bin" "$port" "$scratch/www" "${args[@]}" >/dev/null 2>&1 &
      ;;
  esac
  server_pid=$!
  wait_started "$port"
}

echo "| mode | server | load | req/s | server CPU µs/request | requests per server CPU-second |"
echo "|---|---|---|---:|---:|---:|"
for mode in "${modes[@]}"; do
  scheme=http
  [[ $mode == tls ]] && scheme=https
  url="$scheme://127.0.0.1:$port/hello"
  for s in "${servers[@]}"; do
    for l in "${loads[@]}"; do
      c="${l#c}"; c="${c%%m*}"; m="${l##*m}"
      rps_all=() us_all=() short=""
      for ((r = 0; r < repeat; r++)); do
        wait_quiet  # other processes on the two cores would skew both figures
        start "$s" "$mode" || { echo "| $mode | $s | $l | did not start | | |"; continue 2; }
        h2load -n 1000 -c "$c" -m "$m" "$url" >/dev/null 2>&1 || true  # warm-up
        t0=$(tree_ticks "$server_pid")
        out=$(taskset -c "$load_cpu" h2load -n "$requests" -c "$c" -m "$m" "$url" 2>&1)
        t1=$(tree_ticks "$server_pid")
        stop_server
        ok=$(awk '/^requests:/ { print $8 }' <<<"$out")
        rps=$(awk '/^finished in/ { gsub(",", "", $4); print $4 }' <<<"$out")
        [[ "$ok" == "$requests" ]] || {
          echo "h2_run.sh: $mode $s $l: $ok of $requests succeeded" >&2
          short="${ok:-0} of $requests succeeded"
        }
        grep -q 'h2' <<<"$(grep -i 'application protocol' <<<"$out")" ||
          { echo "h2_run.sh: $mode $s $l: not HTTP/2: $(grep -i 'protocol' <<<"$out")" >&2; }
        hz=$(getconf CLK_TCK)
        rps_all+=("$rps")
        us_all+=("$(awk -v t=$((t1 - t0)) -v hz="$hz" -v n="$requests" 'BEGIN { printf "%.2f", t / hz / n * 1e6 }')")
      done
      rps_med=$(printf '%s\n' "${rps_all[@]}" | median)
      us_med=$(printf '%s\n' "${us_all[@]}" | median)
      per_cpu=$(awk -v u="$us_med" 'BEGIN { if (u > 0) printf "%.0f", 1e6 / u; else print "n/a" }')
      # A run with failed requests says so in its row: a rate over failures
      # is not a figure to compare.
      if [[ -n $short ]]; then
        printf '| %s | %s | -c %s -m %s | failed: %s | | |\n' "$mode" "$s" "$c" "$m" "$short"
      else
        printf '| %s | %s | -c %s -m %s | %.0f | %s | %s |\n' "$mode" "$s" "$c" "$m" "$rps_med" "$us_med" "$per_cpu"
      fi
    done
  done
done
