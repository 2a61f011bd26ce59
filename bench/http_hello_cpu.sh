#!/usr/bin/env bash
# Keep-alive "hello" only, server CPU per request: lwspp (bench/http_hello_server),
# nginx (1 worker) and the io_uring probe (bench/servers/uring_hello_probe.cpp:
# a probe, NOT lwspp: it answers every "\r\n\r\n" with a fixed response), under
# wrk (-c50, -c1) and h2load --h1 (-c50 -m1, -c50 -m8 pipelined). It answers
# "what does a hello request cost the server here, and would io_uring change
# it?" (bench/RESULTS.md); bench/http_run.sh is the full HTTP benchmark.
#
#   BENCH_BUILD_DIR=build/release bench/http_hello_cpu.sh   # prints markdown
#
# Environment (defaults): BENCH_SECONDS 4, BENCH_REPEAT 5, BENCH_WARMUP 1,
#   BENCH_SERVERS "lwspp nginx probe", BENCH_LOADS "wrk50 wrk1 h2m1 h2m8",
#   BENCH_HTTP_PORT 17850, BENCH_SERVER_CPU 1, BENCH_LOAD_CPU 0,
#   BENCH_QUIET_PCT 5, BENCH_QUIET_WAIT 300, BENCH_RETRIES 4,
#   BENCH_BIN_DIR (http_hello_server, uring_hello_probe; default BENCH_BUILD_DIR/bench),
#   BENCH_PROBE_ARGS (extra options for the probe, e.g. --no-defer),
#   BENCH_LWSPP_BIN (another http_hello_server to measure as "lwspp"),
#   BENCH_LWSPP_ALT_BIN, BENCH_LWSPP_ALT_ENV (server "lwspp_alt": that binary,
#   default the same, run under `env BENCH_LWSPP_ALT_ENV`: A/B of an experiment).
# Servers: lwspp, lwspp_alt, nginx, probe, and the probe's modes probe_send
# (--send-syscall), probe_poll (--poll), probe_nodefer (--no-defer).
#   BENCH_RT (0; 1: server and load run SCHED_FIFO (chrt -f 10), so that on a
#   shared machine other processes get their cores only while these sleep:
#   the windows are then not redone for other load, whose share is reported).
# Method as bench/http_run.sh: server pinned to one core, load to the other, a
# fresh server per run, server CPU = utime+stime of its process tree from
# /proc, runs where other processes took more than BENCH_QUIET_PCT % of either
# core are redone; medians over the repeats.
set -euo pipefail

here="$(cd "$(dirname "$0")" && pwd)"
root="$(dirname "$here")"
secs="${BENCH_SECONDS:-4}"
repeat="${BENCH_REPEAT:-5}"
warmup="${BENCH_WARMUP:-1}"
port_base="${BENCH_HTTP_PORT:-17850}"
srv_cpu="${BENCH_SERVER_CPU:-1}"
load_cpu="${BENCH_LOAD_CPU:-0}"
quiet_pct="${BENCH_QUIET_PCT:-5}"
quiet_wait="${BENCH_QUIET_WAIT:-300}"
retries="${BENCH_RETRIES:-4}"
build_dir="${BENCH_BUILD_DIR:-$root/build/release}"
bin_dir="${BENCH_BIN_DIR:-$build_dir/bench}"
rt=()
if [[ "${BENCH_RT:-0}" == 1 ]]; then
  rt=(chrt -f 10)
  quiet_pct=1000
fi
read -r -a servers <<<"${BENCH_SERVERS:-lwspp nginx probe}"
read -r -a loads <<<"${BENCH_LOADS:-wrk50 wrk1 h2m1 h2m8}"

note() { echo "http_hello_cpu.sh: $*" >&2; }
die() { note "$*"; exit 1; }
command -v wrk >/dev/null || die "wrk is needed (scripts/install-deps bench)"
command -v h2load >/dev/null || die "h2load is needed (apt-get install nghttp2-client)"

scratch="$(mktemp -d /tmp/lwspp-hellocpu.XXXXXX)"
chmod 755 "$scratch"
server_pid=""
trap '[[ -n "$server_pid" ]] && kill -KILL $(tree_pids "$server_pid") 2>/dev/null; rm -rf "$scratch"' EXIT
source "$here/lib/servers.bash"
source "$here/lib/measure.bash"

mkdir -p "$scratch/bin" "$scratch/www" "$scratch/nginx"
cp "${BENCH_LWSPP_BIN:-$bin_dir/http_hello_server}" "$scratch/bin/lwspp"
cp "$bin_dir/uring_hello_probe" "$scratch/bin/probe"
cp "${BENCH_LWSPP_ALT_BIN:-$scratch/bin/lwspp}" "$scratch/bin/lwspp_alt"
declare -A port=()
i=0
for s in "${servers[@]}"; do port[$s]=$((port_base + i)); i=$((i + 1)); done
nginx_hello_conf "$scratch/nginx" "${port[nginx]:-0}"

start_server() {  # name
  local p="${port[$1]}"
  listening "$p" && die "port $p is in use (BENCH_HTTP_PORT)"
  case "$1" in
    lwspp) "${rt[@]}" taskset -c "$srv_cpu" "$scratch/bin/lwspp" "$p" "$scratch/www" >>"$scratch/$1.log" 2>&1 & ;;
    nginx) "${rt[@]}" taskset -c "$srv_cpu" nginx -p "$scratch/nginx/" -c "$scratch/nginx/nginx.conf" \
             -e "$scratch/nginx/error.log" >>"$scratch/$1.log" 2>&1 & ;;
    # shellcheck disable=SC2086
    lwspp_alt) env ${BENCH_LWSPP_ALT_ENV:-} "${rt[@]}" taskset -c "$srv_cpu" "$scratch/bin/lwspp_alt" "$p" "$scratch/www" \
                 >>"$scratch/$1.log" 2>&1 & ;;
    probe_send) "${rt[@]}" taskset -c "$srv_cpu" "$scratch/bin/probe" "$p" --send-syscall >>"$scratch/$1.log" 2>&1 & ;;
    probe_poll) "${rt[@]}" taskset -c "$srv_cpu" "$scratch/bin/probe" "$p" --poll >>"$scratch/$1.log" 2>&1 & ;;
    probe_nodefer) "${rt[@]}" taskset -c "$srv_cpu" "$scratch/bin/probe" "$p" --no-defer >>"$scratch/$1.log" 2>&1 & ;;
    # shellcheck disable=SC2086
    probe) "${rt[@]}" taskset -c "$srv_cpu" "$scratch/bin/probe" "$p" ${BENCH_PROBE_ARGS:-} >>"$scratch/$1.log" 2>&1 & ;;
    *) die "unknown server $1" ;;
  esac
  server_pid=$!
  wait_started "$p" || die "$1 did not start: $(tail -n 3 "$scratch/$1.log")"
  [[ "$(curl -s "http://127.0.0.1:$p/hello")" == "Hello, world!" ]] || die "$1: wrong /hello"
}

# load secs out: runs the load generator, pinned to the load core.
run_load() {
  local url="http://127.0.0.1:${port[$name]}/hello"
  case "$1" in
    wrk50) "${rt[@]}" taskset -c "$load_cpu" wrk -t1 -c50 -d"$2"s "$url" ;;
    wrk1) "${rt[@]}" taskset -c "$load_cpu" wrk -t1 -c1 -d"$2"s "$url" ;;
    h2m1) "${rt[@]}" taskset -c "$load_cpu" h2load --h1 -t1 -c50 -m1 -D "$2" "$url" ;;
    h2m8) "${rt[@]}" taskset -c "$load_cpu" h2load --h1 -t1 -c50 -m8 -D "$2" "$url" ;;
  esac >"$3" 2>&1 || true
}

# load output -> "requests seconds" (wrk or h2load)
parse_load() {
  awk '
    / requests in / { r = $1; d = $4; sub(/s,$/, "", d); t = d }
    /^finished in / { d = $3; sub(/s,$/, "", d); t = d }
    /^requests: / { r = $8 }
    /Non-2xx/ { bad = 1 }
    END { if (bad) r = 0; printf "%d %s\n", r, t }' "$1"
}

results="$scratch/results"
: >"$results"
for ((r = 1; r <= repeat; r++)); do
  for ld in "${loads[@]}"; do
    k=0
    for ((k = 0; k < ${#servers[@]}; k++)); do
      name="${servers[$(( (k + r) % ${#servers[@]} ))]}"
      for ((attempt = 0; ; attempt++)); do
        wait_quiet
        start_server "$name"
        (( warmup > 0 )) && run_load "$ld" "$warmup" "$scratch/warm.out"
        t0="$(tree_ticks "$server_pid")"; b0=($(core_busy))
        times >"$times_file"; c0="$(children_cpu)"
        run_load "$ld" "$secs" "$scratch/load.out"
        times >"$times_file"; c1="$(children_cpu)"
        b1=($(core_busy)); t1="$(tree_ticks "$server_pid")"
        stop_server
        read -r reqs wsecs <<<"$(parse_load "$scratch/load.out")"
        (( reqs > 0 )) || die "$name/$ld: no requests: $(tail -n 5 "$scratch/load.out")"
        ticks=$((t1 - t0))
        # other processes' share of each core during the window, %
        read -r os ol <<<"$(awk -v bs="$((b1[0] - b0[0]))" -v bl="$((b1[1] - b0[1]))" -v t="$ticks" \
          -v w="$(awk -v a="$c0" -v b="$c1" 'BEGIN { print b - a }')" -v c="$clk_tck" -v s="$wsecs" \
          'BEGIN { x = 100 * (bs - t) / c / s; y = 100 * (bl / c - w) / s; printf "%.0f %.0f\n", x < 0 ? 0 : x, y < 0 ? 0 : y }')"
        if (( (os > quiet_pct || ol > quiet_pct) && attempt < retries )); then
          note "run $r $ld $name: discarded (other load ${os}%/${ol}%)"; continue
        fi
        line="$(awk -v n="$reqs" -v s="$wsecs" -v t="$ticks" -v c="$clk_tck" -v w0="$c0" -v w1="$c1" \
          'BEGIN { printf "%.0f %.2f %.0f %.0f", n / s, 1e6 * t / c / n, 100 * t / c / s, 100 * (w1 - w0) / s }')"
        echo "$ld $name $line $os $ol" >>"$results"
        note "run $r $ld $name: req/s µs/req srv% load% = $line (other ${os}%/${ol}%)"
        break
      done
    done
  done
done

col() { awk -v l="$1" -v n="$2" -v c="$3" '$1 == l && $2 == n { print $c }' "$results" | median; }
echo "Server on core $srv_cpu, load on core $load_cpu, ${secs} s windows after ${warmup} s warm-up, medians of $repeat;"
[[ ${#rt[@]} -gt 0 ]] && echo "Server and load ran SCHED_FIFO (BENCH_RT=1)."
echo "$(date -u '+%Y-%m-%d %H:%M UTC'), $(uname -r), lwspp $(git -C "$root" rev-parse --short HEAD)."
echo
echo "| load | server | req/s | server µs/req | req per server CPU-s | server CPU % | load CPU % |"
echo "|---|---|---:|---:|---:|---:|---:|"
for ld in "${loads[@]}"; do
  for s in "${servers[@]}"; do
    us="$(col "$ld" "$s" 4)"
    printf '| %s | %s | %s | %s | %s | %s | %s |\n' "$ld" "$s" "$(col "$ld" "$s" 3)" "$us" \
      "$(awk -v u="$us" 'BEGIN { printf "%.0f", 1e6 / u }')" "$(col "$ld" "$s" 5)" "$(col "$ld" "$s" 6)"
  done
done
echo
echo "req per server CPU-s relative to nginx (median µs/req of nginx / of the server):"
echo
for ld in "${loads[@]}"; do
  n="$(col "$ld" nginx 4)"
  out="- $ld:"
  for s in "${servers[@]}"; do
    [[ "$s" == nginx ]] && continue
    out+=" $s $(ratio "$n" "$(col "$ld" "$s" 4)")×"
  done
  echo "$out"
done
echo
echo "<details><summary>raw (load server req/s µs/req srv% load% other_srv% other_load%)</summary>"
echo
sed 's/^/    /' "$results"
echo
echo "</details>"
