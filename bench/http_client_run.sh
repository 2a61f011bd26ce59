#!/usr/bin/env bash
# HTTP/1.1 client benchmark, side by side in one run: the lwspp client
# (bench/http_client_load.cpp) and libcurl's multi interface
# (bench/clients/http_curl_multi.cpp) against one nginx, small responses over
# keep-alive.
#
#   scripts/install-deps bench          # nginx, libcurl4-openssl-dev
#   bench/http_client_run.sh            # builds what it needs, prints markdown on stdout
#   BENCH=http-client make bench        # the same through make
#
# Environment:
#   BENCH_SECONDS    measured seconds per run (default 10)
#   BENCH_WARMUP     unmeasured seconds at the start of each run (default 1)
#   BENCH_REPEAT     rounds; medians are reported (default 5)
#   BENCH_CONNS      connection counts (default "1 100"): C requests in flight over C connections
#   BENCH_CLIENTS    which clients (default "lwspp curl curl_perform"); their order rotates
#                    per round. curl: libcurl's curl_multi_socket_action on an epoll loop (the
#                    API libcurl recommends for many connections); curl_perform:
#                    curl_multi_perform + curl_multi_poll (the loop of libcurl's examples)
#   BENCH_HTTP_PORT  nginx's port on 127.0.0.1 (default 17950)
#   BENCH_SERVER_CPU core nginx is pinned to (default 1)
#   BENCH_LOAD_CPU   core the client is pinned to (default 0)
#   BENCH_BUILD      1 (default): build the targets first; 0: use what is built
#   BENCH_BUILD_DIR  build tree (default build/release; configured with the release preset)
#   BENCH_BIN_DIR    take http_client_load and http_curl_multi from here
#   BENCH_QUIET_PCT  a run is redone when other processes took more than this % of
#                    either core during it (default 5)
#   BENCH_QUIET_WAIT seconds to wait for both cores to be quiet before a run (default 300)
#   BENCH_RETRIES    redos per run (default 4)
#   BENCH_RT         0 (default); 1: nginx and the client run SCHED_FIFO (chrt -f 10), so
#                    that on a shared machine other processes get the cores only while these
#                    sleep; runs are then not redone for other load (its share is reported)
#
# Method: nginx 1.x, 1 worker, `return 200 "Hello, world!"` (13 bytes), keep-alive
# 600 s and 1e9 requests, access_log off, pinned to BENCH_SERVER_CPU; one nginx for the
# whole run, checked first. Each client run is a fresh process pinned to
# BENCH_LOAD_CPU, keeping C GET requests in flight over at most C connections (each
# completion issues the next request), for BENCH_WARMUP + BENCH_SECONDS; it checks
# every response (200, 13-byte body) and counts requests and its own CPU
# (utime+stime from /proc/self/stat) over the measured window, and reports its peak
# RSS (VmHWM). Both clients send no Accept-Encoding, use HTTP/1.1 without
# pipelining, and reuse their connections. With 2 cores nginx can saturate first:
# then req/s is nginx's and the CLIENT's CPU per request is the figure to compare.
set -euo pipefail

here="$(cd "$(dirname "$0")" && pwd)"
root="$(dirname "$here")"
secs="${BENCH_SECONDS:-10}"
warmup="${BENCH_WARMUP:-1}"
repeat="${BENCH_REPEAT:-5}"
read -r -a conns_list <<<"${BENCH_CONNS:-1 100}"
read -r -a clients <<<"${BENCH_CLIENTS:-lwspp curl curl_perform}"
port="${BENCH_HTTP_PORT:-17950}"
srv_cpu="${BENCH_SERVER_CPU:-1}"
load_cpu="${BENCH_LOAD_CPU:-0}"
quiet_pct="${BENCH_QUIET_PCT:-5}"
quiet_wait="${BENCH_QUIET_WAIT:-300}"
retries="${BENCH_RETRIES:-4}"
build="${BENCH_BUILD:-1}"
build_dir="${BENCH_BUILD_DIR:-$root/build/release}"
rt=()
if [[ "${BENCH_RT:-0}" == 1 ]]; then
  rt=(chrt -f 10)
  quiet_pct=1000
  quiet_wait=0
fi

hello_body="Hello, world!"

die() { echo "http_client_run.sh: $*" >&2; exit 1; }
note() { echo "http_client_run.sh: $*" >&2; }

[[ "$secs" =~ ^[0-9]+$ && "$secs" -gt 0 ]] || die "BENCH_SECONDS must be a whole number of seconds"
[[ "$warmup" =~ ^[0-9]+$ ]] || die "BENCH_WARMUP must be a whole number of seconds"
command -v taskset >/dev/null || die "taskset (util-linux) is needed"
(( $(nproc) >= 2 )) || die "needs 2 cores (server on $srv_cpu, load on $load_cpu); nproc=$(nproc)"
if (( ${#rt[@]} )); then chrt -f 10 true 2>/dev/null || die "BENCH_RT=1 but chrt -f is not permitted here"; fi

scratch="$(mktemp -d /tmp/lwspp-clientbench.XXXXXX)"
chmod 755 "$scratch"
server_pid=""
cleanup() {
  [[ -n "$server_pid" ]] && kill -KILL $(tree_pids "$server_pid") 2>/dev/null || true
  rm -rf "$scratch"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

source "$here/lib/binaries.bash"
source "$here/lib/servers.bash"
source "$here/lib/measure.bash"

# --- clients --------------------------------------------------------------------------
build_targets http_client_load http_curl_multi
client_args() {  # client -> its extra arguments
  case "$1" in
    curl) echo "--api socket" ;;
    curl_perform) echo "--api perform" ;;
  esac
}
declare -A bin=() version=()
for c in "${clients[@]}"; do
  case "$c" in
    lwspp) bin[$c]="$(copy_bin http_client_load)"
      version[$c]="working tree $(git -C "$root" rev-parse --short HEAD 2>/dev/null || echo '?')" ;;
    curl | curl_perform) bin[$c]="$(copy_bin http_curl_multi)"
      version[$c]="libcurl $(curl-config --version 2>/dev/null | awk '{ print $2 }' || echo '?'), $(client_args "$c")" ;;
    *) die "unknown client '$c' in BENCH_CLIENTS (lwspp curl curl_perform)" ;;
  esac
  [[ -n "${bin[$c]}" ]] || die "$c's load tool is not built (libcurl4-openssl-dev missing? scripts/install-deps bench)"
done

# --- nginx ----------------------------------------------------------------------------
nginx_bin="${BENCH_NGINX:-$(command -v nginx || true)}"
[[ -z "$nginx_bin" && -x /usr/sbin/nginx ]] && nginx_bin=/usr/sbin/nginx
[[ -n "$nginx_bin" ]] || die "nginx is not installed (scripts/install-deps bench)"
nginx_version="$("$nginx_bin" -v 2>&1 | sed 's/^nginx version: //')"
if [[ -f /run/nginx.pid ]] && kill -0 "$(cat /run/nginx.pid 2>/dev/null)" 2>/dev/null; then
  note "stopping the system nginx service"
  { service nginx stop || kill "$(cat /run/nginx.pid)"; } >/dev/null 2>&1 || true
fi
mkdir -p "$scratch/nginx"
cat >"$scratch/nginx/nginx.conf" <<EOF
worker_processes 1;
daemon off;
master_process on;
pid $scratch/nginx/nginx.pid;
error_log $scratch/nginx/error.log warn;
events {
  worker_connections 4096;
}
http {
  access_log off;
  keepalive_timeout 600s;
  keepalive_requests 1000000000;
  client_body_temp_path $scratch/nginx/client_body;
  proxy_temp_path $scratch/nginx/proxy;
  fastcgi_temp_path $scratch/nginx/fastcgi;
  uwsgi_temp_path $scratch/nginx/uwsgi;
  scgi_temp_path $scratch/nginx/scgi;
  server {
    listen 127.0.0.1:$port backlog=4096;
    location = /hello {
      default_type text/plain;
      return 200 "$hello_body";
    }
  }
}
EOF
listening "$port" && die "port $port is already in use (set BENCH_HTTP_PORT)"
"${rt[@]}" taskset -c "$srv_cpu" "$nginx_bin" -p "$scratch/nginx/" -c "$scratch/nginx/nginx.conf" \
  -e "$scratch/nginx/error.log" >>"$scratch/nginx.log" 2>&1 &
server_pid=$!
wait_started "$port" || die "nginx did not start: $(tail -n 3 "$scratch/nginx.log" "$scratch/nginx/error.log" 2>/dev/null)"
url="http://127.0.0.1:$port/hello"
for c in "${clients[@]}"; do  # the check: 100 requests each, all answered right
  out="$(taskset -c "$load_cpu" "${bin[$c]}" --url "$url" --conns 4 --expect-size ${#hello_body} \
           --requests 100 $(client_args "$c") 2>&1)" || die "$c failed the check against nginx: $out"
done

# --- runs -----------------------------------------------------------------------------
# One client run. Sets m_line and the fields: m_reqs m_rate m_us m_rss m_cpu_pct
# m_srv_pct m_other_s m_other_l.
measure() {  # client conns
  local c="$1" n="$2" out="$scratch/run.out" t0 t1 b0 b1 c0 c1 w0 w1 kv
  t0="$(tree_ticks "$server_pid")"; b0=($(core_busy)); w0="$(date +%s.%N)"
  times >"$times_file"; c0="$(children_cpu)"
  "${rt[@]}" taskset -c "$load_cpu" "${bin[$c]}" --url "$url" --conns "$n" --expect-size ${#hello_body} \
    --secs "$secs" --warmup "$warmup" $(client_args "$c") >"$out" 2>&1 || { m_line="$(tail -n 3 "$out" | tr '\n' ' ')"; return 1; }
  times >"$times_file"; c1="$(children_cpu)"
  w1="$(date +%s.%N)"; b1=($(core_busy)); t1="$(tree_ticks "$server_pid")"
  kv="$(grep '^tool=' "$out")"
  get() { tr ' ' '\n' <<<"$kv" | awk -F= -v k="$1" '$1 == k { print $2 }'; }
  m_reqs="$(get reqs)"; m_rate="$(get rate)"; m_us="$(get cpu_us_per_req)"; m_rss="$(get rss_peak_kib)"
  m_cpu_pct="$(awk -v c="$(get cpu_s)" -v s="$(get secs)" 'BEGIN { printf "%.0f", (s > 0 ? 100 * c / s : 0) }')"
  # Over the whole process life (warm-up included): nginx's share of its core, and what
  # other processes took of each core (busy ticks less nginx's, less the client's CPU).
  read -r m_srv_pct m_other_s m_other_l <<<"$(awk -v t="$((t1 - t0))" -v bs="$((b1[0] - b0[0]))" \
    -v bl="$((b1[1] - b0[1]))" -v cc="$(awk -v a="$c0" -v b="$c1" 'BEGIN { print b - a }')" \
    -v k="$clk_tck" -v w0="$w0" -v w1="$w1" 'BEGIN { w = w1 - w0; if (w <= 0) w = 1
      os = 100 * (bs - t) / k / w; ol = 100 * (bl / k - cc) / w
      printf "%.0f %.0f %.0f\n", 100 * t / k / w, os < 0 ? 0 : os, ol < 0 ? 0 : ol }')"
  m_line="$kv nginx_ticks=$((t1 - t0)) other_pct=$m_other_s,$m_other_l"
}

results="$scratch/results.txt"  # conns client rate us rss cpu% srv% other_s other_l
: >"$results"
raw_lines=()
discarded=0
for ((r = 1; r <= repeat; r++)); do
  for n in "${conns_list[@]}"; do
    order=()  # alternate which client goes first, so that drift favours neither
    for ((k = 0; k < ${#clients[@]}; k++)); do order+=("${clients[$(( (k + r) % ${#clients[@]} ))]}"); done
    for c in "${order[@]}"; do
      for ((attempt = 0; ; attempt++)); do
        (( ${#rt[@]} )) || wait_quiet
        note "round $r/$repeat: $n conn(s): $c ..."
        measure "$c" "$n" || die "$c failed with $n connection(s): $m_line"
        kill -0 "$server_pid" 2>/dev/null || die "nginx died during the run"
        raw_lines+=("$c | $n conns | round $r try $attempt | $m_line")
        if (( (m_other_s > quiet_pct || m_other_l > quiet_pct) && attempt < retries )); then
          note "  discarded: other processes took ${m_other_s}% of core $srv_cpu, ${m_other_l}% of core $load_cpu"
          discarded=$((discarded + 1)); continue
        fi
        echo "$n $c $m_rate $m_us $m_rss $m_cpu_pct $m_srv_pct $m_other_s $m_other_l" >>"$results"
        break
      done
    done
  done
done

# --- report ---------------------------------------------------------------------------
echo "## HTTP/1.1 client: lwspp vs libcurl (multi), against nginx"
echo
echo "nginx ($nginx_version, 1 worker, \`return 200 \"$hello_body\"\`) pinned to core $srv_cpu, the client to core"
echo "$load_cpu; ${secs} s measured after ${warmup} s warm-up, median of ${repeat} round(s), client order alternating."
echo "Run $(date -u '+%Y-%m-%d %H:%M UTC'), $(uname -r)."
(( ${#rt[@]} )) && echo "nginx and the clients ran SCHED_FIFO (BENCH_RT=1): other load was not redone, its share is shown."
echo
echo "| client | version |"
echo "|---|---|"
for c in "${clients[@]}"; do echo "| $c | ${version[$c]} |"; done
echo
echo "Client CPU = utime+stime of the client's process over the measured window. Other CPU = what other"
echo "processes took of nginx's / the client's core over the client's run (warm-up included)"
if (( ${#rt[@]} )); then
  echo "while ours slept (SCHED_FIFO: they never preempted nginx or the client)."
else
  echo "(runs above ${quiet_pct}% redone up to ${retries} times; ${discarded} discarded)."
fi
echo
echo "| conns | client | req/s | client CPU µs/req | client CPU % | nginx CPU % | peak RSS KiB | other CPU % (srv/load) |"
echo "|---:|---|---:|---:|---:|---:|---:|---:|"
for n in "${conns_list[@]}"; do
  for c in "${clients[@]}"; do
    printf '| %s | %s | %s | %s | %s | %s | %s | %s/%s |\n' "$n" "$c" "$(pick "$n" "$c" 3)" "$(pick "$n" "$c" 4)" \
      "$(pick "$n" "$c" 6)" "$(pick "$n" "$c" 7)" "$(pick "$n" "$c" 5)" "$(pick "$n" "$c" 8)" "$(pick "$n" "$c" 9)"
  done
done
if [[ " ${clients[*]} " == *" lwspp "* ]]; then
  echo
  echo "lwspp / libcurl (above 1: lwspp ahead): req/s lwspp ÷ curl; CPU per request curl ÷ lwspp; RSS curl ÷ lwspp."
  echo
  echo "| conns | vs | req/s | client CPU per request | peak RSS |"
  echo "|---:|---|---:|---:|---:|"
  for n in "${conns_list[@]}"; do
    for c in "${clients[@]}"; do
      [[ "$c" == lwspp ]] && continue
      printf '| %s | %s | %s | %s | %s |\n' "$n" "$c" "$(ratio "$(pick "$n" lwspp 3)" "$(pick "$n" "$c" 3)")" \
        "$(ratio "$(pick "$n" "$c" 4)" "$(pick "$n" lwspp 4)")" "$(ratio "$(pick "$n" "$c" 5)" "$(pick "$n" lwspp 5)")"
    done
  done
fi
echo
echo "<details><summary>raw lines</summary>"
echo
for l in "${raw_lines[@]}"; do echo "    $l"; done
echo
echo "</details>"
