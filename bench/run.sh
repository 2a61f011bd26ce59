#!/usr/bin/env bash
# Side-by-side TCP echo benchmark: lwspp raw role vs. a plain libuv server,
# then (by default) the HTTP/1.1 benchmark, bench/http_run.sh: lwspp vs
# nginx, h2o and libwebsockets, the TLS benchmark, bench/tls_run.sh: lwspp
# vs nginx over https, and the WebSocket benchmark, bench/ws_run.sh: lwspp vs
# libwebsockets, Boost.Beast and python3-websockets. `make bench` runs this
# script.
#
#   cmake --preset release && cmake --build --preset release
#   bench/run.sh                      # prints markdown tables on stdout
#
# Environment:
#   BENCH          all (default): echo, then HTTP, then TLS, then WebSocket;
#                  echo: only this script's echo part; http: only
#                  bench/http_run.sh; tls: only bench/tls_run.sh; ws: only
#                  bench/ws_run.sh; http-client: only bench/http_client_run.sh,
#                  lwspp's HTTP client vs libcurl; h2: only bench/h2_run.sh, the
#                  HTTP/2 server vs h2o, nginx and nghttpd (see their headers for their variables; run
#                  from here they build nothing either, unless BENCH_BUILD=1)
#   BENCH_SECONDS  measured seconds per run (default 10)
#   BENCH_WARMUP   warm-up seconds before each measured window (default 1)
#   BENCH_REPEAT   runs per (scenario, server); the median is reported (default 1)
#   BENCH_IDLE     connections for the idle-memory test (default 10000; 0 skips it)
#   BENCH_PORT     first port to use on 127.0.0.1 (default 17700; uses three)
#   BENCH_BIN_DIR  where the binaries are (default: found under build/release)
#   BENCH_QUIET_PCT   a run is redone when other processes took more than this
#                     % of core 0 or core 1 during its window (default 5)
#   BENCH_QUIET_WAIT  seconds to wait for both cores to be quiet before a run
#                     (default 300); BENCH_RETRIES redos per run (default 4)
#
# Method (the project's benchmark rules): the server is pinned to core 0 and
# the load generator (bench/echo_load, plain epoll, no lwspp code) to core 1.
# Each (scenario, server) run gets a fresh server process. echo_load reads
# the server's utime+stime from /proc/PID/stat at the start and the end of its
# measured window (after connecting and warming up), so CPU-µs per message is
# server CPU over exactly the window in which the messages were counted.
# Server memory is VmRSS and VmHWM from /proc/PID/status after the run.
# On a shared machine other processes steal the two cores: before each run
# the script waits for both cores to be quiet, and echo_load reports every
# core's busy ticks over the window, so CPU used by anything other than the
# server (core 0) and echo_load (core 1) is measured and printed; a run where
# it exceeds BENCH_QUIET_PCT is thrown away and redone.
# Nothing is built here; the binaries are copied to a scratch directory first
# so that a concurrent rebuild cannot swap them mid-run.
set -euo pipefail

here="$(cd "$(dirname "$0")" && pwd)"
root="$(dirname "$here")"
secs="${BENCH_SECONDS:-10}"
warmup="${BENCH_WARMUP:-1}"
repeat="${BENCH_REPEAT:-1}"
idle="${BENCH_IDLE:-10000}"
port_base="${BENCH_PORT:-17700}"
quiet_pct="${BENCH_QUIET_PCT:-5}"
quiet_wait="${BENCH_QUIET_WAIT:-300}"
retries="${BENCH_RETRIES:-4}"

die() { echo "run.sh: $*" >&2; exit 1; }

bench_sel="${BENCH:-all}"
case "$bench_sel" in
  all | echo) ;;
  http) BENCH_BUILD="${BENCH_BUILD:-0}" exec bash "$here/http_run.sh" ;;
  tls) BENCH_BUILD="${BENCH_BUILD:-0}" exec bash "$here/tls_run.sh" ;;
  ws) BENCH_BUILD="${BENCH_BUILD:-0}" exec bash "$here/ws_run.sh" ;;
  http-client) BENCH_BUILD="${BENCH_BUILD:-0}" exec bash "$here/http_client_run.sh" ;;
  h2) exec bash "$here/h2_run.sh" ;;
  *) die "BENCH must be all, echo, http, tls, ws, http-client or h2 (got '$bench_sel')" ;;
esac

# --- binaries ------------------------------------------------------------------
find_bin() {
  local name="$1" d
  for d in ${BENCH_BIN_DIR:-} "$root/build/release/bench" "$root/build/release"; do
    [[ -n "$d" && -x "$d/$name" ]] && { echo "$d/$name"; return; }
  done
  d="$(find "$root/build" -type f -name "$name" -perm -u+x 2>/dev/null | head -n1 || true)"
  [[ -n "$d" ]] && { echo "$d"; return; }
  die "$name not found: build it with 'cmake --preset release && cmake --build --preset release'"
}

command -v taskset >/dev/null || die "taskset (util-linux) is needed"
(( $(nproc) >= 2 )) || die "needs 2 cores (server on 0, load on 1); nproc=$(nproc)"

scratch="$(mktemp -d /tmp/lwspp-bench.XXXXXX)"
server_pid=""
load_pid=""
cleanup() {
  [[ -n "$load_pid" ]] && kill "$load_pid" 2>/dev/null || true
  [[ -n "$server_pid" ]] && kill -KILL "$server_pid" 2>/dev/null || true
  rm -rf "$scratch"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

for b in echo_load raw_echo_server uv_echo_server; do
  src="$(find_bin "$b")"
  cp "$src" "$scratch/$b"
  echo "binary: $b <- $src" >&2
done
load="$scratch/echo_load"
# libuv-notrim is the same libuv binary with glibc's heap trimming made rare:
# the idiomatic alloc_cb mallocs 64 KiB per read and frees it in the write
# callback, and with glibc's default 128 KiB trim threshold that churn gives
# the heap top back to the kernel and faults it in again. The variant shows
# how much of libuv's figure is that allocator effect rather than libuv.
declare -A server_bin=([lwspp]="$scratch/raw_echo_server" [libuv]="$scratch/uv_echo_server"
                       [libuv-notrim]="$scratch/uv_echo_server")
declare -A server_env=([lwspp]="" [libuv]="" [libuv-notrim]="GLIBC_TUNABLES=glibc.malloc.trim_threshold=67108864")
declare -A server_port=([lwspp]="$port_base" [libuv]="$((port_base + 1))" [libuv-notrim]="$((port_base + 2))")
servers=(lwspp libuv libuv-notrim)

# --- file descriptors ------------------------------------------------------------
# Both processes need about $idle descriptors. Raising the hard limit needs
# CAP_SYS_RESOURCE; try, then take whatever the hard limit allows.
ulimit -Hn 65536 2>/dev/null || true
ulimit -n "$(ulimit -Hn)" 2>/dev/null || true
nofile="$(ulimit -n)"
if (( idle > 0 && idle + 64 > nofile )); then
  echo "run.sh: open-files limit is $nofile; idle test reduced to $((nofile - 64)) connections" >&2
  idle=$((nofile - 64))
fi

# --- helpers ---------------------------------------------------------------------
status_kib() { awk -v k="$2:" '$1 == k { print $2 }' "/proc/$1/status"; }

listening() { ss -Hltn "sport = :$1" 2>/dev/null | grep -q .; }

start_server() {  # name -> sets server_pid
  local name="$1" port="${server_port[$1]}" i
  listening "$port" && die "port $port is already in use (set BENCH_PORT)"
  env ${server_env[$name]} taskset -c 0 "${server_bin[$name]}" "$port" >>"$scratch/$name.log" 2>&1 &
  server_pid=$!
  for i in $(seq 100); do
    listening "$port" && return 0
    kill -0 "$server_pid" 2>/dev/null || die "$name server exited at start: $(tail -n3 "$scratch/$name.log")"
    sleep 0.05
  done
  die "$name server is not listening on $port after 5 s"
}

stop_server() {
  local i
  kill -TERM "$server_pid" 2>/dev/null || true
  for i in $(seq 50); do
    kill -0 "$server_pid" 2>/dev/null || break
    sleep 0.1
  done
  kill -KILL "$server_pid" 2>/dev/null || true
  wait "$server_pid" 2>/dev/null || true
  server_pid=""
}

# field name line -> value of name=... in a key=value line
field() { tr ' ' '\n' <<<"$2" | awk -F= -v k="$1" '$1 == k { print $2 }'; }

median() { sort -g | awk '{ v[NR] = $1 } END { if (NR == 0) print "nan"; else if (NR % 2) print v[(NR + 1) / 2]; else print (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }

# busy ticks of cpu0 and cpu1 (user nice system irq softirq steal)
core_busy() { awk '$1 == "cpu0" || $1 == "cpu1" { printf "%d ", $2 + $3 + $4 + $7 + $8 + $9 }' /proc/stat; }

# Waits until cores 0 and 1 were each less than quiet_pct % busy over 1 s.
wait_quiet() {
  local start=$SECONDS a b tck busy
  tck="$(getconf CLK_TCK)"
  while :; do
    a=($(core_busy)); sleep 1; b=($(core_busy))
    busy="$(awk -v a0="${a[0]}" -v a1="${a[1]}" -v b0="${b[0]}" -v b1="${b[1]}" -v t="$tck" \
            'BEGIN { x = (b0 - a0) * 100 / t; y = (b1 - a1) * 100 / t; print (x > y ? x : y) }')"
    awk -v b="$busy" -v q="$quiet_pct" 'BEGIN { exit !(b <= q) }' && return 0
    if (( SECONDS - start > quiet_wait )); then
      echo "run.sh: cores still ${busy}% busy after ${quiet_wait} s; running anyway" >&2
      return 0
    fi
  done
}

# --- throughput scenarios ----------------------------------------------------------
# label:conns:inflight:size
scenarios=("1 conn × 1 in flight × 64 B:1:1:64"
           "100 conns × 8 in flight × 64 B:100:8:64"
           "100 conns × 1 in flight × 4 KiB:100:1:4096")

results="$scratch/results.txt"  # si server rate us rss hwm srv% load% other0% other1%
: >"$results"
raw_lines=()
discarded=0

for ((r = 1; r <= repeat; r++)); do
  for si in "${!scenarios[@]}"; do
    IFS=: read -r label conns inflight size <<<"${scenarios[$si]}"
    # Alternate which server goes first, so drift in the machine favours neither.
    order=("${servers[@]}")
    (( (r + si) % 2 == 0 )) && order=(libuv-notrim libuv lwspp)
    for name in "${order[@]}"; do
     for ((attempt = 0; ; attempt++)); do
      wait_quiet
      start_server "$name"
      echo "run $r/$repeat: $label: $name ..." >&2
      set +e
      line="$(taskset -c 1 "$load" --port "${server_port[$name]}" --conns "$conns" \
              --inflight "$inflight" --size "$size" --secs "$secs" --warmup "$warmup" \
              --pid "$server_pid")"
      rc=$?
      set -e
      kill -0 "$server_pid" 2>/dev/null || die "$name server died during '$label' (log: $(tail -n3 "$scratch/$name.log"))"
      rss="$(status_kib "$server_pid" VmRSS)"
      hwm="$(status_kib "$server_pid" VmHWM)"
      stop_server
      (( rc == 0 )) || die "echo_load failed ($rc) against $name in '$label'"
      msgs="$(field msgs "$line")"; wall="$(field secs "$line")"
      ticks="$(field srv_ticks "$line")"; tck="$(field clk_tck "$line")"
      lcpu="$(field load_cpu "$line")"
      (( ticks >= 0 )) || die "could not read /proc/$server_pid/stat"
      rate="$(awk -v m="$msgs" -v s="$wall" 'BEGIN { printf "%.0f", m / s }')"
      us="$(awk -v t="$ticks" -v c="$tck" -v m="$msgs" 'BEGIN { printf "%.3f", t / c / m * 1e6 }')"
      srv_util="$(awk -v t="$ticks" -v c="$tck" -v s="$wall" 'BEGIN { printf "%.0f", 100 * t / c / s }')"
      lutil="$(awk -v l="$lcpu" -v s="$wall" 'BEGIN { printf "%.0f", 100 * l / s }')"
      # Whatever else ran on the two cores during the window, in % of a core.
      IFS=, read -r busy0 busy1 _ <<<"$(field cpu_busy_ticks "$line")"
      other0="$(awk -v b="$busy0" -v t="$ticks" -v c="$tck" -v s="$wall" 'BEGIN { x = 100 * (b - t) / c / s; printf "%.0f", x < 0 ? 0 : x }')"
      other1="$(awk -v b="$busy1" -v l="$lcpu" -v c="$tck" -v s="$wall" 'BEGIN { x = 100 * (b / c - l) / s; printf "%.0f", x < 0 ? 0 : x }')"
      raw_lines+=("$name | $label | run $r try $attempt | $line | rss_kib=$rss hwm_kib=$hwm other_pct=$other0,$other1")
      if (( other0 > quiet_pct || other1 > quiet_pct )) && (( attempt < retries )); then
        echo "  discarded: other processes took ${other0}% of core 0, ${other1}% of core 1" >&2
        discarded=$((discarded + 1))
        continue
      fi
      echo "$si $name $rate $us $rss $hwm $srv_util $lutil $other0 $other1" >>"$results"
      break
     done
    done
  done
done

# --- idle connections ------------------------------------------------------------------
declare -A idle_base idle_rss idle_hwm idle_setup
if (( idle > 0 )); then
  for name in "${servers[@]}"; do
    wait_quiet
    start_server "$name"
    sleep 0.2
    idle_base[$name]="$(status_kib "$server_pid" VmRSS)"
    echo "idle: $idle connections to $name ..." >&2
    out="$scratch/idle-$name.out"
    taskset -c 1 "$load" --port "${server_port[$name]}" --idle "$idle" --hold 30 >"$out" 2>&1 &
    load_pid=$!
    ok=0
    for i in $(seq 600); do  # up to 60 s
      grep -q 'ready=1' "$out" && { ok=1; break; }
      kill -0 "$load_pid" 2>/dev/null || break
      sleep 0.1
    done
    (( ok )) || die "idle test against $name failed: $(cat "$out")"
    sleep 0.5  # let the server settle
    idle_rss[$name]="$(status_kib "$server_pid" VmRSS)"
    idle_hwm[$name]="$(status_kib "$server_pid" VmHWM)"
    idle_setup[$name]="$(field setup_secs "$(grep 'ready=1' "$out")")"
    kill -TERM "$load_pid" 2>/dev/null || true
    wait "$load_pid" 2>/dev/null || true
    load_pid=""
    stop_server
  done
fi

# --- report -------------------------------------------------------------------------------
pick() {  # scenario_index server column -> median over repeats
  awk -v s="$1" -v n="$2" -v c="$3" '$1 == s && $2 == n { print $c }' "$results" | median
}
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (b > 0) printf "%.2f", a / b; else print "n/a" }'; }

echo "## Echo throughput and server CPU per message"
echo
echo "Server pinned to core 0, echo_load to core 1, ${secs} s measured after ${warmup} s warm-up," \
     "median of ${repeat} run(s). CPU = server utime+stime over the measured window."
echo
echo "Other CPU = what processes other than these two took of core 0 / core 1 during the window"
echo "(runs above ${quiet_pct}% were redone; ${discarded} discarded)."
echo
echo "| scenario | server | msgs/s | server CPU µs/msg | server CPU % | load CPU % | other CPU % (core 0/1) | VmRSS KiB | VmHWM KiB |"
echo "|---|---|---:|---:|---:|---:|---:|---:|---:|"
for si in "${!scenarios[@]}"; do
  label="${scenarios[$si]%%:*}"
  for name in "${servers[@]}"; do
    printf '| %s | %s | %s | %s | %s | %s | %s/%s | %s | %s |\n' "$label" "$name" \
      "$(pick "$si" "$name" 3)" "$(pick "$si" "$name" 4)" "$(pick "$si" "$name" 7)" \
      "$(pick "$si" "$name" 8)" "$(pick "$si" "$name" 9)" "$(pick "$si" "$name" 10)" \
      "$(pick "$si" "$name" 5)" "$(pick "$si" "$name" 6)"
  done
done
echo
echo "| scenario | CPU/msg lwspp/libuv | CPU/msg lwspp/libuv-notrim | msgs/s lwspp/libuv | msgs/s lwspp/libuv-notrim |"
echo "|---|---:|---:|---:|---:|"
for si in "${!scenarios[@]}"; do
  label="${scenarios[$si]%%:*}"
  printf '| %s | %s | %s | %s | %s |\n' "$label" \
    "$(ratio "$(pick "$si" lwspp 4)" "$(pick "$si" libuv 4)")" \
    "$(ratio "$(pick "$si" lwspp 4)" "$(pick "$si" libuv-notrim 4)")" \
    "$(ratio "$(pick "$si" lwspp 3)" "$(pick "$si" libuv 3)")" \
    "$(ratio "$(pick "$si" lwspp 3)" "$(pick "$si" libuv-notrim 3)")"
done
echo
echo "CPU/msg ratio below 1: lwspp spends less server CPU per message than the peer."

if (( idle > 0 )); then
  echo
  echo "## ${idle} idle connections"
  echo
  echo "Each connection echoed one 16-byte message, then stayed silent. KiB/conn = (VmRSS with the connections − VmRSS before) / ${idle}."
  echo
  echo "| server | VmRSS before KiB | VmRSS with ${idle} conns KiB | VmHWM KiB | KiB per connection | setup s |"
  echo "|---|---:|---:|---:|---:|---:|"
  for name in "${servers[@]}"; do
    per="$(awk -v a="${idle_rss[$name]}" -v b="${idle_base[$name]}" -v n="$idle" 'BEGIN { printf "%.2f", (a - b) / n }')"
    printf '| %s | %s | %s | %s | %s | %s |\n' "$name" "${idle_base[$name]}" "${idle_rss[$name]}" \
      "${idle_hwm[$name]}" "$per" "${idle_setup[$name]}"
  done
  echo
  lw="$(awk -v a="${idle_rss[lwspp]}" -v b="${idle_base[lwspp]}" 'BEGIN { print a - b }')"
  uv="$(awk -v a="${idle_rss[libuv]}" -v b="${idle_base[libuv]}" 'BEGIN { print a - b }')"
  echo "Memory per idle connection, lwspp/libuv: $(ratio "$lw" "$uv")"
fi

echo
echo "<details><summary>raw echo_load lines</summary>"
echo
for l in "${raw_lines[@]}"; do echo "    $l"; done
echo
echo "</details>"

if [[ "$bench_sel" == all ]]; then
  echo
  BENCH_BUILD="${BENCH_BUILD:-0}" bash "$here/http_run.sh"
  echo
  BENCH_BUILD="${BENCH_BUILD:-0}" bash "$here/tls_run.sh"
  echo
  BENCH_BUILD="${BENCH_BUILD:-0}" bash "$here/ws_run.sh"
fi
