#!/usr/bin/env bash
# HTTP/1.1 server benchmark, side by side in one run: lwspp
# (bench/http_hello_server.cpp), nginx (1 worker), h2o (1 thread) and a
# minimal libwebsockets server (bench/lws_http_server.cpp).
#
#   scripts/install-deps bench        # nginx, h2o, libwebsockets-dev, wrk
#   bench/http_run.sh                 # builds what it needs, prints markdown on stdout
#   BENCH=http make bench             # the same through make (make bench runs both parts)
#
# Environment:
#   BENCH_SECONDS    measured seconds per wrk run (default 10)
#   BENCH_WARMUP     seconds of unmeasured wrk load before each measured run (default 1; 0 = none)
#   BENCH_REPEAT     runs per (scenario, server); medians are reported (default 3; REPEAT also works)
#   BENCH_IDLE       idle keep-alive connections for the idle test (default 10000; 0 skips it)
#   BENCH_SERVERS    which servers, in this order (default "lwspp nginx h2o lws")
#   BENCH_HTTP_PORT  first port on 127.0.0.1 (default 17800; uses four)
#   BENCH_SERVER_CPU core the server is pinned to (default 1)
#   BENCH_LOAD_CPU   core wrk and idle_http_conns are pinned to (default 0)
#   BENCH_BUILD      1 (default): build the bench targets first; 0: use what is built
#   BENCH_BUILD_DIR  build tree (default build/release; configured with the release preset)
#   BENCH_BIN_DIR    take http_hello_server, lws_http_server, idle_http_conns from here
#   BENCH_QUIET_PCT  a run is redone when other processes took more than this % of
#                    either core during its window (default 5)
#   BENCH_QUIET_WAIT seconds to wait for both cores to be quiet before a run (default 300)
#   BENCH_RETRIES    redos per run (default 4)
#
# What it measures, per server (each run gets a fresh server process):
#   hello, 50 conns   wrk -t1 -c50 --latency GET /hello ("Hello, world!", 13 bytes, keep-alive)
#   hello, 1 conn     the same with one connection (latency-bound)
#   1 MiB file        wrk -t1 -c10 GET /static/1m.bin (1,048,576 random bytes)
#   idle              idle_http_conns opens BENCH_IDLE keep-alive connections that each make
#                     one GET /hello and then stay open and silent; memory per connection is
#                     (server RSS with them − RSS before) / BENCH_IDLE, and the hello/50 wrk
#                     run is repeated while they are open.
# req/s and p99 come from wrk. Server CPU is utime+stime from /proc/PID/stat summed over
# the server's whole process tree (nginx: master + worker; h2o: its process, which has a
# helper perl child) read just before and just after the measured wrk run; req per server
# CPU-second = requests / that CPU time. Server RSS is VmRSS summed over the same tree
# (the per-process figures are printed too: nginx's master does not change, its worker
# holds the connections). wrk's own CPU comes from the shell's `times`, so the CPU other
# processes took of each core during the window is known; runs above BENCH_QUIET_PCT are
# redone, as in bench/run.sh. "server+wrk CPU µs/req" adds the two: the kernel's TCP work
# lands in whichever process's context runs it (an ACK read by the client can transmit the
# server's queued data), so for the 1 MiB file per-server CPU alone can flatter a server.
# With one wrk thread the load core can be the bottleneck (wrk CPU % near 100): then req/s
# and MiB/s measure wrk, and the CPU columns are the ones to compare.
#
# Configs (written to a scratch directory): nginx worker_processes 1, access_log off,
# sendfile on, tcp_nopush on, keepalive_timeout 600s, keepalive_requests 1e9,
# worker_connections 20000, /hello from `return 200 "Hello, world!"`. h2o num-threads 1,
# max-connections 20000, http1-request-timeout 600; h2o has no inline-response directive
# (only mruby), so its /hello is file.file of a 13-byte hello.txt (that adds etag,
# last-modified and accept-ranges headers). lws: 1 service thread (lws's default poll()
# loop), keepalive_timeout 600, pt_serv_buf_size 65536. lwspp: 1 loop, keepalive 600 s,
# no compression. Every server is checked (body of /hello, length of the file) before it
# is measured.
set -euo pipefail

here="$(cd "$(dirname "$0")" && pwd)"
root="$(dirname "$here")"
secs="${BENCH_SECONDS:-10}"
warmup="${BENCH_WARMUP:-1}"
repeat="${BENCH_REPEAT:-${REPEAT:-3}}"
idle="${BENCH_IDLE:-10000}"
port_base="${BENCH_HTTP_PORT:-17800}"
srv_cpu="${BENCH_SERVER_CPU:-1}"
load_cpu="${BENCH_LOAD_CPU:-0}"
quiet_pct="${BENCH_QUIET_PCT:-5}"
quiet_wait="${BENCH_QUIET_WAIT:-300}"
retries="${BENCH_RETRIES:-4}"
build="${BENCH_BUILD:-1}"
build_dir="${BENCH_BUILD_DIR:-$root/build/release}"
read -r -a want_servers <<<"${BENCH_SERVERS:-lwspp nginx h2o lws}"

hello_body="Hello, world!"
file_size=1048576
wrk_conns_hello=50

die() { echo "http_run.sh: $*" >&2; exit 1; }
note() { echo "http_run.sh: $*" >&2; }

[[ "$secs" =~ ^[0-9]+$ && "$secs" -gt 0 ]] || die "BENCH_SECONDS must be a whole number of seconds"
[[ "$warmup" =~ ^[0-9]+$ ]] || die "BENCH_WARMUP must be a whole number of seconds"
command -v taskset >/dev/null || die "taskset (util-linux) is needed"
command -v wrk >/dev/null || die "wrk is needed: scripts/install-deps bench"
(( $(nproc) >= 2 )) || die "needs 2 cores (server on $srv_cpu, load on $load_cpu); nproc=$(nproc)"

# --- build ----------------------------------------------------------------------
scratch="$(mktemp -d /tmp/lwspp-httpbench.XXXXXX)"
chmod 755 "$scratch"  # nginx's worker and h2o run as nobody and read the files
server_pid=""
idle_pid=""
cleanup() {
  [[ -n "$idle_pid" ]] && kill -KILL "$idle_pid" 2>/dev/null || true
  [[ -n "$server_pid" ]] && kill_tree KILL "$server_pid"
  rm -rf "$scratch"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

source "$here/lib/binaries.bash"
build_targets idle_http_conns lws_http_server http_hello_server
load="$(copy_bin idle_http_conns)"
[[ -n "$load" ]] || die "idle_http_conns is not built (cmake --build --preset release --target idle_http_conns)"

# --- document root ----------------------------------------------------------------
www="$scratch/www"
mkdir -p "$www/static"
printf '%s' "$hello_body" >"$www/hello.txt"
head -c "$file_size" /dev/urandom >"$www/static/1m.bin"
chmod -R a+rX "$www"

# --- file descriptors ----------------------------------------------------------------
ulimit -Hn 65536 2>/dev/null || true
ulimit -n "$(ulimit -Hn)" 2>/dev/null || true
nofile="$(ulimit -n)"
if (( idle > 0 && idle + 200 > nofile )); then
  note "open-files limit is $nofile; idle test reduced to $((nofile - 200)) connections"
  idle=$((nofile - 200))
fi
max_conns=$(( idle + 1000 > 20000 ? idle + 1000 : 20000 ))

# --- servers -----------------------------------------------------------------------
declare -A port=() server_note=() skipped=()
servers=()
i=0
for name in "${want_servers[@]}"; do
  port[$name]=$((port_base + i)); i=$((i + 1))
  case "$name" in
    lwspp)
      lwspp_bin="$(copy_bin http_hello_server)"
      if [[ -z "$lwspp_bin" ]]; then
        skipped[$name]="bench/http_hello_server is not built (the lwspp HTTP server is not in the tree yet, or did not build)"
      fi ;;
    nginx)
      nginx_bin="${BENCH_NGINX:-$(command -v nginx || true)}"
      [[ -z "$nginx_bin" && -x /usr/sbin/nginx ]] && nginx_bin=/usr/sbin/nginx
      if [[ -z "$nginx_bin" ]]; then
        skipped[$name]="nginx is not installed (scripts/install-deps bench)"
      else
        server_note[$name]="$("$nginx_bin" -v 2>&1 | sed 's/^nginx version: //')"
      fi ;;
    h2o)
      h2o_bin="${BENCH_H2O:-$(command -v h2o || true)}"
      [[ -z "$h2o_bin" && -x /usr/sbin/h2o ]] && h2o_bin=/usr/sbin/h2o
      if [[ -z "$h2o_bin" ]]; then
        skipped[$name]="h2o is not installed (scripts/install-deps bench)"
      else
        server_note[$name]="$("$h2o_bin" --version 2>&1 | head -n1)"
      fi ;;
    lws)
      lws_bin="$(copy_bin lws_http_server)"
      if [[ -z "$lws_bin" ]]; then
        skipped[$name]="bench/lws_http_server is not built (libwebsockets-dev missing?)"
      else
        server_note[$name]="libwebsockets $(dpkg-query -W -f='${Version}' libwebsockets-dev 2>/dev/null || pkg-config --modversion libwebsockets 2>/dev/null || echo '?')"
      fi ;;
    *) die "unknown server '$name' in BENCH_SERVERS (lwspp nginx h2o lws)" ;;
  esac
  if [[ -n "${skipped[$name]:-}" ]]; then
    note "skipping $name: ${skipped[$name]}"
  else
    servers+=("$name")
  fi
done

# A system nginx or h2o started by the package (Debian starts them unless
# policy-rc.d says no) listens on :80 and would only get in the way: stop it.
for svc in nginx h2o; do
  if [[ -f "/run/$svc.pid" ]] && kill -0 "$(cat "/run/$svc.pid" 2>/dev/null)" 2>/dev/null; then
    note "stopping the system $svc service"
    { service "$svc" stop || kill "$(cat "/run/$svc.pid")"; } >/dev/null 2>&1 || true
  fi
done

write_nginx_conf() {
  local d="$scratch/nginx"
  mkdir -p "$d"
  cat >"$d/nginx.conf" <<EOF
worker_processes 1;
worker_rlimit_nofile $nofile;
daemon off;
master_process on;
pid $d/nginx.pid;
error_log $d/error.log warn;
events {
  worker_connections $max_conns;
}
http {
  access_log off;
  default_type application/octet-stream;
  sendfile on;
  tcp_nopush on;
  keepalive_timeout 600s;
  keepalive_requests 1000000000;
  client_body_temp_path $d/client_body;
  proxy_temp_path $d/proxy;
  fastcgi_temp_path $d/fastcgi;
  uwsgi_temp_path $d/uwsgi;
  scgi_temp_path $d/scgi;
  server {
    listen 127.0.0.1:${port[nginx]} backlog=4096;
    location = /hello {
      default_type text/plain;
      return 200 "$hello_body";
    }
    location /static/ {
      root $www;
    }
  }
}
EOF
}

write_h2o_conf() {
  cat >"$scratch/h2o.conf" <<EOF
num-threads: 1
max-connections: $max_conns
http1-request-timeout: 600
error-log: $scratch/h2o-error.log
listen:
  host: 127.0.0.1
  port: ${port[h2o]}
hosts:
  default:
    paths:
      /hello:
        file.file: $www/hello.txt
      /static:
        file.dir: $www/static
EOF
}
[[ -n "${port[nginx]:-}" ]] && write_nginx_conf
[[ -n "${port[h2o]:-}" ]] && write_h2o_conf

# --- helpers ---------------------------------------------------------------------
source "$here/lib/servers.bash"

# VmRSS in KiB summed over the tree.
tree_rss() {
  local p sum=0 v
  for p in $(tree_pids "$1"); do
    v="$(awk '$1 == "VmRSS:" { print $2 }' "/proc/$p/status" 2>/dev/null)"
    sum=$((sum + ${v:-0}))
  done
  echo "$sum"
}

# "comm(pid)=RSS" (KiB) for each process of the tree.
tree_rss_detail() {
  local p out=""
  for p in $(tree_pids "$1"); do
    out+="$(awk -v p="$p" '$1 == "Name:" { n = $2 } $1 == "VmRSS:" { r = $2 } END { printf "%s(%s)=%s ", n, p, r }' \
            "/proc/$p/status" 2>/dev/null)"
  done
  echo "${out% }"
}

kill_tree() {  # signal pid
  local pids
  pids="$(tree_pids "$2")"
  [[ -n "$pids" ]] && kill -"$1" $pids 2>/dev/null || true
}

start_server() {  # name -> sets server_pid
  local name="$1" p="${port[$1]}" i log="$scratch/$1.log"
  listening "$p" && die "port $p is already in use (set BENCH_HTTP_PORT)"
  case "$name" in
    lwspp) taskset -c "$srv_cpu" "$lwspp_bin" "$p" "$www/static" >>"$log" 2>&1 & ;;
    nginx) taskset -c "$srv_cpu" "$nginx_bin" -p "$scratch/nginx/" -c "$scratch/nginx/nginx.conf" \
             -e "$scratch/nginx/error.log" >>"$log" 2>&1 & ;;
    h2o) taskset -c "$srv_cpu" "$h2o_bin" -c "$scratch/h2o.conf" >>"$log" 2>&1 & ;;
    lws) taskset -c "$srv_cpu" "$lws_bin" "$p" "$www/static" --serv-buf 65536 >>"$log" 2>&1 & ;;
  esac
  server_pid=$!
  wait_started "$p"
}

# Checks /hello and the 1 MiB file on a fresh server; prints why not on failure.
check_server() {
  local p="${port[$1]}" out
  out="$(taskset -c "$load_cpu" "$load" --port "$p" --conns 1 --hold 0 --timeout 10 \
           --path /hello --expect-body "$hello_body" 2>&1)" || { echo "/hello: $out"; return 1; }
  out="$(taskset -c "$load_cpu" "$load" --port "$p" --conns 1 --hold 0 --timeout 10 \
           --path /static/1m.bin --expect-length "$file_size" 2>&1)" || { echo "/static/1m.bin: $out"; return 1; }
}

# median, core_busy, wait_quiet, children_cpu (and clk_tck, times_file).
source "$here/lib/measure.bash"

run_wrk() {  # conns path secs out
  taskset -c "$load_cpu" wrk -t1 -c"$1" -d"$3"s --latency "http://127.0.0.1:${port[$name]}$2" >"$4" 2>&1
}

# wrk output -> "reqs secs p99_us errors non2xx"
parse_wrk() {
  awk '
    function us(v) {
      if (v ~ /us$/) { sub(/us$/, "", v); return v + 0 }
      if (v ~ /ms$/) { sub(/ms$/, "", v); return v * 1000 }
      if (v ~ /m$/)  { sub(/m$/, "", v);  return v * 60e6 }
      if (v ~ /s$/)  { sub(/s$/, "", v);  return v * 1e6 }
      return v + 0
    }
    / requests in / { reqs = $1; d = $4; sub(/,$/, "", d); secs = us(d) / 1e6 }
    $1 == "99%" { p99 = us($2) }
    /Socket errors:/ { gsub(/,/, ""); errs = $4 + $6 + $8 + $10 }
    /Non-2xx or 3xx responses:/ { non2xx = $NF }
    END { printf "%d %.3f %.0f %d %d\n", reqs, secs, p99, errs, non2xx }' "$1"
}

# One measured wrk run against the running server: warm-up, then the window.
# Sets: m_reqs m_secs m_p99 m_errs m_non2xx m_ticks m_wrk_cpu m_other_s m_other_l m_line
measure() {  # conns path
  local out="$scratch/wrk.out" t0 t1 b0 b1 c0 c1
  if (( warmup > 0 )); then run_wrk "$1" "$2" "$warmup" "$scratch/warmup.out" || true; fi
  t0="$(tree_ticks "$server_pid")"
  b0=($(core_busy))
  times >"$times_file"; c0="$(children_cpu)"
  run_wrk "$1" "$2" "$secs" "$out" || true
  times >"$times_file"; c1="$(children_cpu)"
  b1=($(core_busy))
  t1="$(tree_ticks "$server_pid")"
  read -r m_reqs m_secs m_p99 m_errs m_non2xx <<<"$(parse_wrk "$out")"
  m_ticks=$((t1 - t0))
  m_wrk_cpu="$(awk -v a="$c0" -v b="$c1" 'BEGIN { printf "%.2f", b - a }')"
  m_other_s="$(awk -v b="$((b1[0] - b0[0]))" -v t="$m_ticks" -v c="$clk_tck" -v s="$m_secs" \
               'BEGIN { x = (s > 0) ? 100 * (b - t) / c / s : 0; printf "%.0f", x < 0 ? 0 : x }')"
  m_other_l="$(awk -v b="$((b1[1] - b0[1]))" -v w="$m_wrk_cpu" -v c="$clk_tck" -v s="$m_secs" \
               'BEGIN { x = (s > 0) ? 100 * (b / c - w) / s : 0; printf "%.0f", x < 0 ? 0 : x }')"
  m_line="reqs=$m_reqs secs=$m_secs p99_us=$m_p99 sock_errors=$m_errs non2xx=$m_non2xx srv_ticks=$m_ticks clk_tck=$clk_tck wrk_cpu=$m_wrk_cpu other_pct=$m_other_s,$m_other_l"
  if (( m_reqs == 0 || m_non2xx > 0 )); then
    note "$name: wrk got $m_reqs requests, $m_non2xx non-2xx answers: $(tail -n 3 "$out" | tr '\n' ' ')"
    return 1
  fi
}

# requests, secs, ticks -> "req/s req_per_cpu_s srv_cpu_pct"
rates() {
  awk -v r="$1" -v s="$2" -v t="$3" -v c="$clk_tck" 'BEGIN {
    rate = (s > 0) ? r / s : 0
    per = (t > 0) ? r / (t / c) : "nan"
    printf "%.0f %s %.0f\n", rate, (per == "nan" ? "nan" : sprintf("%.0f", per)), (s > 0) ? 100 * t / c / s : 0 }'
}

# Server + wrk CPU per request, µs: the kernel's TCP work is charged to
# whichever process's context it runs in (an ACK from the client can make the
# client's core transmit the server's queued data), so per-server CPU alone
# can flatter a server that hands the kernel big writes.
total_us() {
  awk -v t="$m_ticks" -v c="$clk_tck" -v w="$m_wrk_cpu" -v r="$m_reqs" \
    'BEGIN { printf "%.1f", (r > 0) ? (t / c + w) / r * 1e6 : 0 }'
}

# --- throughput scenarios ----------------------------------------------------------------
# label:conns:path
scenarios=("hello, $wrk_conns_hello conns:$wrk_conns_hello:/hello"
           "hello, 1 conn:1:/hello"
           "1 MiB file, 10 conns:10:/static/1m.bin")
results="$scratch/results.txt"  # si name rate p99 per_cpu srv% load% other_s other_l mib_s total_us
: >"$results"
idle_results="$scratch/idle.txt"  # name base_kib with_kib bytes_per still_open setup rate p99 per_cpu srv% other_s other_l after_kib total_us
: >"$idle_results"
raw_lines=()
declare -A idle_detail=()
declare -A broken=()
discarded=0

quiet_ok() { (( m_other_s <= quiet_pct && m_other_l <= quiet_pct )); }

# Fresh server, checked. false (and the server marked broken) when it fails.
fresh_server() {
  local why
  if ! start_server "$name"; then
    broken[$name]="did not start: $(tail -n 3 "$scratch/$name.log" 2>/dev/null | tr '\n' ' ')"
    note "$name ${broken[$name]}"; stop_server; return 1
  fi
  if ! why="$(check_server "$name")"; then
    broken[$name]="failed the check: $why"
    note "$name ${broken[$name]}"; stop_server; return 1
  fi
}

if (( ${#servers[@]} > 0 )); then
for ((r = 1; r <= repeat; r++)); do
  for si in "${!scenarios[@]}"; do
    IFS=: read -r label conns path <<<"${scenarios[$si]}"
    # Rotate the order, so that drift in the machine favours no server.
    order=()
    for ((k = 0; k < ${#servers[@]}; k++)); do
      order+=("${servers[$(( (k + r + si) % ${#servers[@]} ))]}")
    done
    for name in "${order[@]}"; do
      [[ -n "${broken[$name]:-}" ]] && continue
      for ((attempt = 0; ; attempt++)); do
        wait_quiet
        fresh_server || break
        note "run $r/$repeat: $label: $name ..."
        ok=1; measure "$conns" "$path" || ok=0
        kill -0 "$server_pid" 2>/dev/null || { ok=0; note "$name died during '$label'"; }
        stop_server
        raw_lines+=("$name | $label | run $r try $attempt | $m_line")
        if (( ! ok )); then broken[$name]="failed during '$label' (see raw lines)"; break; fi
        if ! quiet_ok && (( attempt < retries )); then
          note "  discarded: other processes took ${m_other_s}% of core $srv_cpu, ${m_other_l}% of core $load_cpu"
          discarded=$((discarded + 1)); continue
        fi
        read -r rate per srvp <<<"$(rates "$m_reqs" "$m_secs" "$m_ticks")"
        loadp="$(awk -v w="$m_wrk_cpu" -v s="$m_secs" 'BEGIN { printf "%.0f", (s > 0) ? 100 * w / s : 0 }')"
        mib="$(awk -v r="$m_reqs" -v s="$m_secs" -v f="$file_size" 'BEGIN { printf "%.1f", (s > 0) ? r * f / s / 1048576 : 0 }')"
        echo "$si $name $rate $m_p99 $per $srvp $loadp $m_other_s $m_other_l $mib $(total_us)" >>"$results"
        break
      done
    done
  done
done

# --- idle keep-alive connections ------------------------------------------------------------
if (( idle > 0 )); then
  for ((r = 1; r <= repeat; r++)); do
    order=()
    for ((k = 0; k < ${#servers[@]}; k++)); do order+=("${servers[$(( (k + r) % ${#servers[@]} ))]}"); done
    for name in "${order[@]}"; do
      [[ -n "${broken[$name]:-}" ]] && continue
      for ((attempt = 0; ; attempt++)); do
        wait_quiet
        fresh_server || break
        note "run $r/$repeat: $idle idle connections: $name ..."
        # Warm the server's allocator and free lists: 64 connections, one request each, closed.
        taskset -c "$load_cpu" "$load" --port "${port[$name]}" --conns 64 --hold 0 >/dev/null 2>&1 || true
        sleep 0.5
        base="$(tree_rss "$server_pid")"; base_d="$(tree_rss_detail "$server_pid")"
        out="$scratch/idle-$name.out"
        taskset -c "$load_cpu" "$load" --port "${port[$name]}" --conns "$idle" --hold 100000 \
          --expect-body "$hello_body" >"$out" 2>&1 &
        idle_pid=$!
        ready=0
        for i in $(seq 1200); do  # up to 120 s
          grep -q 'ready=1' "$out" && { ready=1; break; }
          kill -0 "$idle_pid" 2>/dev/null || break
          sleep 0.1
        done
        if (( ! ready )); then
          kill -KILL "$idle_pid" 2>/dev/null || true; wait "$idle_pid" 2>/dev/null || true; idle_pid=""
          broken[$name]="idle test failed: $(tail -n 2 "$out" | tr '\n' ' ')"
          note "$name ${broken[$name]}"; stop_server; break
        fi
        sleep 1  # let the server settle
        with="$(tree_rss "$server_pid")"; with_d="$(tree_rss_detail "$server_pid")"
        setup="$(grep 'ready=1' "$out" | tr ' ' '\n' | awk -F= '$1 == "setup_secs" { print $2 }')"
        ok=1; measure "$wrk_conns_hello" /hello || ok=0
        after="$(tree_rss "$server_pid")"
        kill -TERM "$idle_pid" 2>/dev/null || true
        wait "$idle_pid" 2>/dev/null || true
        idle_pid=""
        still="$(grep 'still_open=' "$out" | tr ' ' '\n' | awk -F= '$1 == "still_open" { print $2 }')"
        kill -0 "$server_pid" 2>/dev/null || { ok=0; note "$name died during the idle test"; }
        stop_server
        raw_lines+=("$name | $idle idle | run $r try $attempt | rss_kib before=$base with=$with after_wrk=$after | $m_line | $(grep 'idle done' "$out" || echo 'no idle summary')")
        idle_detail[$name]="before: $base_d; with $idle idle: $with_d"
        if (( ! ok )); then broken[$name]="failed during the idle test"; break; fi
        if ! quiet_ok && (( attempt < retries )); then
          note "  discarded: other processes took ${m_other_s}% of core $srv_cpu, ${m_other_l}% of core $load_cpu"
          discarded=$((discarded + 1)); continue
        fi
        read -r rate per srvp <<<"$(rates "$m_reqs" "$m_secs" "$m_ticks")"
        bpc="$(awk -v a="$with" -v b="$base" -v n="$idle" 'BEGIN { printf "%.0f", (a - b) * 1024 / n }')"
        echo "$name $base $with $bpc ${still:-?} ${setup:-?} $rate $m_p99 $per $srvp $m_other_s $m_other_l $after $(total_us)" >>"$idle_results"
        break
      done
    done
  done
fi
fi

# --- report ------------------------------------------------------------------------------------
ipick() {  # server column -> median over repeats, or n/a
  local v
  v="$(awk -v n="$1" -v c="$2" '$1 == n && $c != "?" { print $c }' "$idle_results" | median)"
  [[ "$v" == nan ]] && echo "n/a" || echo "$v"
}
fmt_us() { awk -v v="$1" 'BEGIN { if (v == "n/a") print "n/a"; else if (v >= 1000) printf "%.2f ms", v / 1000; else printf "%.0f µs", v }'; }
all_servers=("${want_servers[@]}")

echo "## HTTP/1.1: lwspp vs nginx, h2o, libwebsockets"
echo
echo "Server pinned to core $srv_cpu, wrk (1 thread) and idle_http_conns to core $load_cpu; ${secs} s measured after ${warmup} s warm-up,"
echo "median of ${repeat} run(s), a fresh server process for each run. Run $(date -u '+%Y-%m-%d %H:%M UTC'), $(uname -r)."
echo
echo "| server | version | status |"
echo "|---|---|---|"
for name in "${all_servers[@]}"; do
  case "$name" in
    lwspp) ver="working tree $(git -C "$root" rev-parse --short HEAD 2>/dev/null || echo '?')" ;;
    *) ver="${server_note[$name]:-}" ;;
  esac
  st="measured"
  [[ -n "${skipped[$name]:-}" ]] && st="skipped: ${skipped[$name]}"
  [[ -n "${broken[$name]:-}" ]] && st="incomplete: ${broken[$name]}"
  echo "| $name | ${ver:-?} | $st |"
done
echo "| wrk | $(wrk -v 2>&1 | head -n1 | awk '{ print $2 }') | load generator |"
echo
echo "Other CPU = what other processes took of the server's / the load's core during the window"
echo "(runs above ${quiet_pct}% were redone, up to ${retries} times; ${discarded} discarded)."
echo
echo "| scenario | server | req/s | p99 latency | req per server CPU-s | MiB/s | server CPU % | wrk CPU % | server+wrk CPU µs/req | other CPU % (srv/load) |"
echo "|---|---|---:|---:|---:|---:|---:|---:|---:|---:|"
for si in "${!scenarios[@]}"; do
  label="${scenarios[$si]%%:*}"
  for name in "${all_servers[@]}"; do
    mib="$(pick "$si" "$name" 10)"
    [[ "${scenarios[$si]}" == *1m.bin ]] || mib="—"
    printf '| %s | %s | %s | %s | %s | %s | %s | %s | %s | %s/%s |\n' "$label" "$name" \
      "$(pick "$si" "$name" 3)" "$(fmt_us "$(pick "$si" "$name" 4)")" "$(pick "$si" "$name" 5)" "$mib" \
      "$(pick "$si" "$name" 6)" "$(pick "$si" "$name" 7)" "$(pick "$si" "$name" 11)" \
      "$(pick "$si" "$name" 8)" "$(pick "$si" "$name" 9)"
  done
done

if (( idle > 0 )); then
  echo
  echo "### $idle idle keep-alive connections"
  echo
  echo "Each connection made one GET /hello, read the whole response and stayed open, silent."
  echo "Bytes per connection = (VmRSS of the server's processes with them − before) / $idle;"
  echo "\"before\" is after 64 warm-up connections came and went. Kernel socket memory is not in RSS."
  echo "Then wrk -c $wrk_conns_hello GET /hello ran while they were open; \"still open\" counts idle"
  echo "connections the server had not closed by the end."
  echo
  echo "| server | VmRSS before KiB | VmRSS with idle KiB | bytes per idle conn | still open | setup s | req/s | p99 | req per server CPU-s | server CPU % | server+wrk CPU µs/req | other CPU % (srv/load) | VmRSS after wrk KiB |"
  echo "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|"
  for name in "${all_servers[@]}"; do
    printf '| %s | %s | %s | %s | %s | %s | %s | %s | %s | %s | %s | %s/%s | %s |\n' "$name" \
      "$(ipick "$name" 2)" "$(ipick "$name" 3)" "$(ipick "$name" 4)" "$(ipick "$name" 5)" "$(ipick "$name" 6)" \
      "$(ipick "$name" 7)" "$(fmt_us "$(ipick "$name" 8)")" "$(ipick "$name" 9)" "$(ipick "$name" 10)" \
      "$(ipick "$name" 14)" "$(ipick "$name" 11)" "$(ipick "$name" 12)" "$(ipick "$name" 13)"
  done
  echo
  echo "Per process (last run of each server):"
  echo
  for name in "${all_servers[@]}"; do
    [[ -n "${idle_detail[$name]:-}" ]] && echo "- $name: VmRSS KiB ${idle_detail[$name]}"
  done
fi

echo
echo "### lwspp / peer"
echo
echo "req per CPU-s and MiB/s: above 1 is lwspp ahead; bytes per idle connection: below 1 is lwspp ahead."
echo
echo "| peer | req per CPU-s, hello 50 | req per CPU-s, hello 1 | req per CPU-s, 1 MiB | req per CPU-s, hello 50 + idle | req/s, hello 50 | MiB/s, 1 MiB | bytes per idle conn |"
echo "|---|---:|---:|---:|---:|---:|---:|---:|"
for peer in "${all_servers[@]}"; do
  [[ "$peer" == lwspp ]] && continue
  printf '| %s | %s | %s | %s | %s | %s | %s | %s |\n' "$peer" \
    "$(ratio "$(pick 0 lwspp 5)" "$(pick 0 "$peer" 5)")" \
    "$(ratio "$(pick 1 lwspp 5)" "$(pick 1 "$peer" 5)")" \
    "$(ratio "$(pick 2 lwspp 5)" "$(pick 2 "$peer" 5)")" \
    "$(ratio "$(ipick lwspp 9)" "$(ipick "$peer" 9)")" \
    "$(ratio "$(pick 0 lwspp 3)" "$(pick 0 "$peer" 3)")" \
    "$(ratio "$(pick 2 lwspp 10)" "$(pick 2 "$peer" 10)")" \
    "$(ratio "$(ipick lwspp 4)" "$(ipick "$peer" 4)")"
done
echo
verdict() { awk -v v="$1" -v t="$2" -v op="$3" 'BEGIN { if (v == "n/a") print "n/a"; else if ((op == ">=" && v + 0 >= t) || (op == "<=" && v + 0 <= t)) print "met"; else print "NOT met" }'; }
r_cpu="$(ratio "$(pick 0 lwspp 5)" "$(pick 0 nginx 5)")"
r_mib="$(ratio "$(pick 2 lwspp 10)" "$(pick 2 nginx 10)")"
b_idle="$(ipick lwspp 4)"
echo "Targets (issue 3):"
echo
echo "- req per server CPU-second (hello, $wrk_conns_hello conns) ≥ 1.3× nginx: $r_cpu → $(verdict "$r_cpu" 1.3 '>=')"
echo "- bytes of user-space RSS per idle keep-alive connection ≤ 256: $b_idle → $(verdict "$b_idle" 256 '<=')"
echo "- 1 MiB static file MiB/s ≥ nginx: $r_mib → $(verdict "$r_mib" 1 '>=')"

echo
echo "<details><summary>raw lines</summary>"
echo
for l in "${raw_lines[@]}"; do echo "    $l"; done
echo
echo "</details>"
