#!/usr/bin/env bash
# WebSocket server benchmark, side by side in one run: lwspp
# (bench/servers/ws_lwspp_server.cpp), libwebsockets (ws_lws_server.cpp,
# Debian's libwebsockets-dev), Boost.Beast (ws_beast_server.cpp, Debian's
# libboost-dev) and python3-websockets (ws_python_server.py), all driven by
# bench/ws_load (plain epoll, no lwspp code).
#
#   scripts/install-deps bench        # libwebsockets-dev, libboost-dev, python3-websockets, ...
#   bench/ws_run.sh                   # builds what it needs, prints markdown on stdout
#   BENCH=ws make bench               # the same through make
#
# Environment:
#   BENCH_SECONDS    measured seconds per run (default 5)
#   BENCH_WARMUP     seconds of unmeasured load before each measured window (default 1)
#   BENCH_REPEAT     runs per (scenario, server); medians are reported (default 3)
#   BENCH_WS_SERVERS which servers, in this order (default "lwspp lws beast python")
#   BENCH_WS_PORT    first port on 127.0.0.1 (default 18000; uses four)
#   BENCH_WS_CONNS   echo connections (default 100)
#   BENCH_WS_DEPTH   echo messages in flight per connection (default 8)
#   BENCH_WS_SUBS    fanout subscribers (default 1000)
#   BENCH_WS_FANOUT_DEPTH  publishes in flight (default 4)
#   BENCH_WS_IDLE    idle connection counts (default "10000 50000"; "" skips the idle test).
#                    A count over what the open-files limit allows is replaced by the largest
#                    that fits, and the report says so.
#   BENCH_WS_SOURCES source addresses 127.0.0.1..N the idle connections come from (default 8)
#   BENCH_SERVER_CPU core the server is pinned to (default 1)
#   BENCH_LOAD_CPU   core ws_load is pinned to (default 0)
#   BENCH_BUILD      1 (default): build the bench targets first; 0: use what is built
#   BENCH_BUILD_DIR  build tree (default build/release; configured with the release preset)
#   BENCH_BIN_DIR    take the binaries from here
#   BENCH_QUIET_PCT  a run is redone when other processes took more than this % of
#                    either core during its window (default 5)
#   BENCH_QUIET_WAIT seconds to wait for both cores to be quiet before a run (default 10)
#   BENCH_RETRIES    redos per run (default 1)
#   BENCH_WS_BUDGET  seconds after which the script stops waiting for quiet cores and
#                    stops redoing noisy runs (default 360), so that on a busy shared
#                    machine the whole run stays under ~15 minutes
#
# What it measures, per server (each run gets a fresh server process, pinned with taskset):
#   echo 16 B / 4 KiB  BENCH_WS_CONNS connections on /echo (subprotocol "echo"), each with
#                      BENCH_WS_DEPTH binary messages in flight; every echo is checked byte
#                      for byte (a wrong one fails the run). Messages/s and round-trip
#                      percentiles come from ws_load.
#   fanout             BENCH_WS_SUBS subscribers and one publisher on /fanout (subprotocol
#                      "fanout"); the publisher's 16-byte message goes to every connection
#                      (the publisher too: BENCH_WS_SUBS + 1 writes per publish), at most
#                      BENCH_WS_FANOUT_DEPTH publishes in flight. Deliveries/s counts the
#                      subscribers' messages; each is checked (content, order, no gap).
#   idle               after 64 warm-up connections came and went, N connections complete
#                      the handshake and stay open and silent; bytes per connection =
#                      (VmRSS with them − VmRSS before) / N. Kernel socket memory is not in RSS.
# Server CPU is utime+stime from /proc/PID/stat, read by ws_load at the start and the end
# of the measured window; messages per server CPU-second = messages / that. ws_load also
# reads every core's busy ticks over the window, so the CPU taken by other processes on
# the two cores is known: runs above BENCH_QUIET_PCT are redone (BENCH_RETRIES times, then
# kept and flagged). The load average is printed at the start and the end.
#
# Server settings: one thread each. lwspp: 1 loop, no keep-alive pings. lws: lws's default
# poll() loop, pt_serv_buf_size 65536 (as in http_run.sh). Beast: plain tcp::socket, one
# io_context thread. python3-websockets: asyncio, ping_interval None, no compression.
set -euo pipefail

here="$(cd "$(dirname "$0")" && pwd)"
root="$(dirname "$here")"
secs="${BENCH_SECONDS:-5}"
warmup="${BENCH_WARMUP:-1}"
repeat="${BENCH_REPEAT:-3}"
port_base="${BENCH_WS_PORT:-18000}"
echo_conns="${BENCH_WS_CONNS:-100}"
echo_depth="${BENCH_WS_DEPTH:-8}"
subs="${BENCH_WS_SUBS:-1000}"
fan_depth="${BENCH_WS_FANOUT_DEPTH:-4}"
read -r -a idle_counts <<<"${BENCH_WS_IDLE-10000 50000}"
sources="${BENCH_WS_SOURCES:-8}"
srv_cpu="${BENCH_SERVER_CPU:-1}"
load_cpu="${BENCH_LOAD_CPU:-0}"
quiet_pct="${BENCH_QUIET_PCT:-5}"
quiet_wait="${BENCH_QUIET_WAIT:-10}"
retries="${BENCH_RETRIES:-1}"
budget="${BENCH_WS_BUDGET:-360}"
build="${BENCH_BUILD:-1}"
build_dir="${BENCH_BUILD_DIR:-$root/build/release}"
read -r -a want_servers <<<"${BENCH_WS_SERVERS:-lwspp lws beast python}"

die() { echo "ws_run.sh: $*" >&2; exit 1; }
note() { echo "ws_run.sh: $*" >&2; }

[[ "$secs" =~ ^[0-9]+$ && "$secs" -gt 0 ]] || die "BENCH_SECONDS must be a whole number of seconds"
[[ "$warmup" =~ ^[0-9]+$ ]] || die "BENCH_WARMUP must be a whole number of seconds"
command -v taskset >/dev/null || die "taskset (util-linux) is needed"
(( $(nproc) >= 2 )) || die "needs 2 cores (server on $srv_cpu, load on $load_cpu); nproc=$(nproc)"

scratch="$(mktemp -d /tmp/lwspp-wsbench.XXXXXX)"
server_pid=""
idle_pid=""
cleanup() {
  [[ -n "$idle_pid" ]] && kill -KILL "$idle_pid" 2>/dev/null || true
  [[ -n "$server_pid" ]] && kill -KILL "$server_pid" 2>/dev/null || true
  rm -rf "$scratch"
}
trap cleanup EXIT
trap 'exit 130' INT TERM
started_at="$(date -u '+%Y-%m-%d %H:%M UTC')"
load_start="$(cut -d' ' -f1-3 /proc/loadavg)"

# --- build ----------------------------------------------------------------------
source "$here/lib/binaries.bash"
build_targets ws_load ws_lwspp_server ws_lws_server ws_beast_server
load="$(copy_bin ws_load)"
[[ -n "$load" ]] || die "ws_load is not built (cmake --build --preset release --target ws_load)"

# The system python3 has Debian's python3-websockets; a python3 earlier in
# PATH (pyenv, a venv) may not see it.
python_bin=""
for p in /usr/bin/python3 python3; do
  if "$p" -c 'import websockets' 2>/dev/null; then python_bin="$(command -v "$p")"; break; fi
done

# --- file descriptors ----------------------------------------------------------------
# The server and ws_load each need one descriptor per connection. Raising the
# hard limit needs CAP_SYS_RESOURCE: try, then take whatever it allows.
ulimit -Hn 65536 2>/dev/null || true
ulimit -n "$(ulimit -Hn)" 2>/dev/null || true
nofile="$(ulimit -n)"
idle_fit=$((nofile - 256))
declare -A idle_asked=()
idle_list=()
for n in "${idle_counts[@]}"; do
  [[ "$n" =~ ^[0-9]+$ && "$n" -gt 0 ]] || die "BENCH_WS_IDLE: '$n' is not a count"
  m="$n"
  if (( n > idle_fit )); then
    m="$idle_fit"
    note "open-files limit is $nofile (hard limit $(ulimit -Hn), which this user cannot raise): $n idle connections do not fit, measuring $m"
  fi
  idle_asked[$m]="$n"
  idle_list+=("$m")
done

# --- servers -----------------------------------------------------------------------
declare -A port=() server_bin=() server_note=() skipped=()
servers=()
i=0
for name in "${want_servers[@]}"; do
  port[$name]=$((port_base + i)); i=$((i + 1))
  case "$name" in
    lwspp)
      server_bin[$name]="$(copy_bin ws_lwspp_server)"
      server_note[$name]="working tree $(git -C "$root" rev-parse --short HEAD 2>/dev/null || echo '?')" ;;
    lws)
      server_bin[$name]="$(copy_bin ws_lws_server)"
      server_note[$name]="libwebsockets $(dpkg-query -W -f='${Version}' libwebsockets-dev 2>/dev/null || pkg-config --modversion libwebsockets 2>/dev/null || echo '?')" ;;
    beast)
      server_bin[$name]="$(copy_bin ws_beast_server)"
      server_note[$name]="Boost $(dpkg-query -W -f='${Version}' libboost-dev 2>/dev/null || echo '?')" ;;
    python)
      if [[ -n "$python_bin" ]]; then
        cp "$here/servers/ws_python_server.py" "$scratch/bin/"
        server_bin[$name]="$scratch/bin/ws_python_server.py"
        server_note[$name]="python3-websockets $("$python_bin" -c 'import websockets; print(websockets.__version__)'), $("$python_bin" --version 2>&1)"
      fi ;;
    *) die "unknown server '$name' in BENCH_WS_SERVERS (lwspp lws beast python)" ;;
  esac
  if [[ -z "${server_bin[$name]:-}" ]]; then
    skipped[$name]="not built or not installed (scripts/install-deps bench; see the build notes above)"
    note "skipping $name: ${skipped[$name]}"
  else
    servers+=("$name")
  fi
done

# --- helpers ---------------------------------------------------------------------
source "$here/lib/servers.bash"
status_kib() { awk -v k="$2:" '$1 == k { print $2 }' "/proc/$1/status" 2>/dev/null; }

start_server() {  # name -> sets server_pid; false if it did not come up
  local name="$1" p="${port[$1]}" i log="$scratch/$1.log"
  listening "$p" && die "port $p is already in use (set BENCH_WS_PORT)"
  case "$name" in
    lws) taskset -c "$srv_cpu" "${server_bin[$name]}" "$p" --serv-buf 65536 >>"$log" 2>&1 & ;;
    python) taskset -c "$srv_cpu" "$python_bin" "${server_bin[$name]}" "$p" >>"$log" 2>&1 & ;;
    *) taskset -c "$srv_cpu" "${server_bin[$name]}" "$p" >>"$log" 2>&1 & ;;
  esac
  server_pid=$!
  wait_started "$p"
}

# median, core_busy, wait_quiet (and clk_tck).
source "$here/lib/measure.bash"

field() { tr ' ' '\n' <<<"$2" | awk -F= -v k="$1" '$1 == k { print $2; exit }'; }

# One measured ws_load run against the running server. Sets m_line, m_other_s,
# m_other_l; false (with a note) when ws_load failed.
measure() {  # ws_load arguments...
  local out="$scratch/load.out" rc busy ticks lcpu wall
  set +e
  taskset -c "$load_cpu" "$load" --port "${port[$name]}" --pid "$server_pid" --secs "$secs" \
    --warmup "$warmup" "$@" >"$out" 2>"$scratch/load.err"
  rc=$?
  set -e
  m_line="$(grep '^mode=' "$out" | tail -n1 || true)"
  if (( rc != 0 )) || [[ -z "$m_line" ]]; then
    note "$name: ws_load exited $rc: $(head -c 600 "$scratch/load.err" | tr '\n' ' ')"
    return 1
  fi
  ticks="$(field srv_ticks "$m_line")"; lcpu="$(field load_cpu "$m_line")"; wall="$(field secs "$m_line")"
  busy="$(field cpu_busy_ticks "$m_line")"
  IFS=, read -r -a busy <<<"$busy"
  m_other_s="$(awk -v b="${busy[$srv_cpu]:-0}" -v t="$ticks" -v c="$clk_tck" -v s="$wall" \
               'BEGIN { x = (s > 0) ? 100 * (b - t) / c / s : 0; printf "%.0f", x < 0 ? 0 : x }')"
  m_other_l="$(awk -v b="${busy[$load_cpu]:-0}" -v l="$lcpu" -v c="$clk_tck" -v s="$wall" \
               'BEGIN { x = (s > 0) ? 100 * (b / c - l) / s : 0; printf "%.0f", x < 0 ? 0 : x }')"
}

quiet_ok() { (( m_other_s <= quiet_pct && m_other_l <= quiet_pct )); }

# Past the budget, runs neither wait for quiet cores nor get redone.
in_budget() { (( SECONDS < budget )); }
budget_noted=0
settle() {
  if in_budget; then wait_quiet; return; fi
  (( budget_noted )) || note "past BENCH_WS_BUDGET ($budget s): no more waiting for quiet cores or redos"
  budget_noted=1
}

# "rate per_cpu_s srv_pct load_pct ns_per_msg p50 p99" from m_line
rates() {
  awk -v m="$(field msgs "$m_line")" -v s="$(field secs "$m_line")" -v t="$(field srv_ticks "$m_line")" \
      -v c="$clk_tck" -v l="$(field load_cpu "$m_line")" -v p50="$(field p50_us "$m_line")" \
      -v p99="$(field p99_us "$m_line")" 'BEGIN {
    cpu = t / c
    printf "%.0f %.0f %.0f %.0f %.0f %s %s\n", m / s, (cpu > 0) ? m / cpu : 0, 100 * cpu / s, 100 * l / s,
      (m > 0) ? cpu / m * 1e9 : 0, p50, p99 }'
}

# --- throughput scenarios ----------------------------------------------------------------
# label|ws_load arguments
scenarios=("echo 16 B|--path /echo --protocol echo --conns $echo_conns --depth $echo_depth --size 16"
           "echo 4 KiB|--path /echo --protocol echo --conns $echo_conns --depth $echo_depth --size 4096"
           "fanout|--path /fanout --protocol fanout --mode fanout --conns $subs --depth $fan_depth --size 16")
results="$scratch/results.txt"  # si name rate per_cpu srv% load% ns_per p50 p99 other_s other_l flagged
: >"$results"
idle_results="$scratch/idle.txt"  # n name base_kib with_kib bytes_per setup_s
: >"$idle_results"
raw_lines=()
declare -A broken=()
discarded=0
kept_noisy=0

for ((r = 1; r <= repeat; r++)); do
  for si in "${!scenarios[@]}"; do
    IFS='|' read -r label args <<<"${scenarios[$si]}"
    # Rotate the order, so that drift in the machine favours no server.
    order=()
    for ((k = 0; k < ${#servers[@]}; k++)); do order+=("${servers[$(( (k + r + si) % ${#servers[@]} ))]}"); done
    for name in "${order[@]}"; do
      [[ -n "${broken[$name]:-}" ]] && continue
      for ((attempt = 0; ; attempt++)); do
        settle
        if ! start_server "$name"; then
          broken[$name]="did not start: $(tail -n 3 "$scratch/$name.log" 2>/dev/null | tr '\n' ' ')"
          note "$name ${broken[$name]}"; stop_server; break
        fi
        note "run $r/$repeat: $label: $name ..."
        ok=1
        # shellcheck disable=SC2086  # args is a list of options
        measure $args || ok=0
        kill -0 "$server_pid" 2>/dev/null || { ok=0; note "$name died during '$label'"; }
        stop_server
        raw_lines+=("$name | $label | run $r try $attempt | ${m_line:-none} | other_pct=${m_other_s:-?},${m_other_l:-?}")
        if (( ! ok )); then broken[$name]="failed during '$label' (see the notes on stderr)"; break; fi
        flagged=0
        if ! quiet_ok; then
          if (( attempt < retries )) && in_budget; then
            note "  discarded: other processes took ${m_other_s}% of core $srv_cpu, ${m_other_l}% of core $load_cpu"
            discarded=$((discarded + 1)); continue
          fi
          flagged=1; kept_noisy=$((kept_noisy + 1))
        fi
        echo "$si $name $(rates) $m_other_s $m_other_l $flagged" >>"$results"
        break
      done
    done
  done
done

# --- idle connections ------------------------------------------------------------------
for n in "${idle_list[@]}"; do
  for ((r = 1; r <= repeat; r++)); do
    order=()
    for ((k = 0; k < ${#servers[@]}; k++)); do order+=("${servers[$(( (k + r) % ${#servers[@]} ))]}"); done
    for name in "${order[@]}"; do
      [[ -n "${broken[$name]:-}" || -n "${broken[$name.idle]:-}" ]] && continue
      settle
      if ! start_server "$name"; then
        broken[$name.idle]="did not start"; stop_server; continue
      fi
      note "run $r/$repeat: $n idle connections: $name ..."
      # Warm the server's allocator and free lists: 64 connections, opened and closed.
      taskset -c "$load_cpu" "$load" --port "${port[$name]}" --path /echo --protocol echo --mode idle \
        --conns 64 --hold 0 >/dev/null 2>&1 || true
      sleep 0.5
      base="$(status_kib "$server_pid" VmRSS)"
      with=""; setup=""
      out="$scratch/idle-$name.out"
      taskset -c "$load_cpu" "$load" --port "${port[$name]}" --path /echo --protocol echo --mode idle \
        --conns "$n" --sources "$sources" --hold 100000 --timeout 120 >"$out" 2>&1 &
      idle_pid=$!
      ready=0
      for i in $(seq 1300); do  # up to 130 s
        grep -q 'ready=1' "$out" && { ready=1; break; }
        kill -0 "$idle_pid" 2>/dev/null || break
        sleep 0.1
      done
      if (( ready )); then
        sleep 1  # let the server settle
        with="$(status_kib "$server_pid" VmRSS)"
        setup="$(field setup_secs "$(grep 'ready=1' "$out")")"
      fi
      kill -TERM "$idle_pid" 2>/dev/null || true
      wait "$idle_pid" 2>/dev/null || true
      idle_pid=""
      alive=1; kill -0 "$server_pid" 2>/dev/null || alive=0
      stop_server
      raw_lines+=("$name | $n idle | run $r | rss_kib before=$base with=${with:-?} | $(tr '\n' ' ' <"$out" | head -c 300)")
      if (( ! ready || ! alive )); then
        broken[$name.idle]="failed with $n connections: $(tail -n 2 "$out" | tr '\n' ' ')"
        note "$name ${broken[$name.idle]}"; continue
      fi
      bpc="$(awk -v a="$with" -v b="$base" -v k="$n" 'BEGIN { printf "%.0f", (a - b) * 1024 / k }')"
      echo "$n $name $base $with $bpc $setup" >>"$idle_results"
    done
  done
done
load_end="$(cut -d' ' -f1-3 /proc/loadavg)"

# --- report ------------------------------------------------------------------------------------
flags() { awk -v s="$1" -v n="$2" '$1 == s && $2 == n && $12 == 1 { k++ } END { print k + 0 }' "$results"; }
ipick() {  # count server column -> median over repeats, or n/a
  local v
  v="$(awk -v k="$1" -v n="$2" -v c="$3" '$1 == k && $2 == n { print $c }' "$idle_results" | median)"
  [[ "$v" == nan ]] && echo "n/a" || echo "$v"
}
fmt_us() { awk -v v="$1" 'BEGIN { if (v == "n/a") print "n/a"; else if (v >= 1000) printf "%.1f ms", v / 1000; else printf "%.0f µs", v }'; }
verdict() { awk -v v="$1" -v t="$2" -v op="$3" 'BEGIN { if (v == "n/a") print "n/a"; else if ((op == ">=" && v + 0 >= t) || (op == "<=" && v + 0 <= t)) print "met"; else print "NOT met" }'; }

echo "## WebSocket: lwspp vs libwebsockets, Boost.Beast, python3-websockets"
echo
echo "Server pinned to core $srv_cpu, ws_load to core $load_cpu; ${secs} s measured after ${warmup} s warm-up,"
echo "median of ${repeat} run(s), a fresh server process for each run. Run $started_at, $(uname -r),"
echo "$(nproc) cores. Load average (1/5/15 min) at the start: $load_start; at the end: $load_end."
echo
echo "| server | version | status |"
echo "|---|---|---|"
for name in "${want_servers[@]}"; do
  st="measured"
  [[ -n "${skipped[$name]:-}" ]] && st="skipped: ${skipped[$name]}"
  [[ -n "${broken[$name]:-}" ]] && st="incomplete: ${broken[$name]}"
  [[ -n "${broken[$name.idle]:-}" ]] && st="$st; idle test: ${broken[$name.idle]}"
  echo "| $name | ${server_note[$name]:-?} | $st |"
done
echo
echo "Other CPU = what other processes took of the server's / the load's core during the window"
echo "(runs above ${quiet_pct}% were redone up to ${retries} time(s) within the first ${budget} s: ${discarded}"
echo "discarded; ${kept_noisy} kept anyway, counted in the \"noisy\" column). Whole run: $(( SECONDS / 60 )) min $(( SECONDS % 60 )) s."
echo
echo "### Echo: $echo_conns connections × $echo_depth messages in flight, binary"
echo
echo "| scenario | server | msgs/s | p50 | p99 | msgs per server CPU-s | server CPU ns/msg | server CPU % | load CPU % | other CPU % (srv/load) | noisy |"
echo "|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|"
for si in 0 1; do
  label="${scenarios[$si]%%|*}"
  for name in "${servers[@]}"; do
    printf '| %s | %s | %s | %s | %s | %s | %s | %s | %s | %s/%s | %s |\n' "$label" "$name" \
      "$(pick "$si" "$name" 3)" "$(fmt_us "$(pick "$si" "$name" 8)")" "$(fmt_us "$(pick "$si" "$name" 9)")" \
      "$(pick "$si" "$name" 4)" "$(pick "$si" "$name" 7)" "$(pick "$si" "$name" 5)" "$(pick "$si" "$name" 6)" \
      "$(pick "$si" "$name" 10)" "$(pick "$si" "$name" 11)" "$(flags "$si" "$name")"
  done
done
echo
echo "### Fan-out: one publish to $subs subscribers, 16 B, $fan_depth publishes in flight"
echo
echo "Latency: from sending a publish to its last delivery."
echo
echo "| server | deliveries/s | p50 | p99 | deliveries per server CPU-s | server CPU ns/delivery | server CPU % | load CPU % | other CPU % (srv/load) | noisy |"
echo "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|"
for name in "${servers[@]}"; do
  printf '| %s | %s | %s | %s | %s | %s | %s | %s | %s/%s | %s |\n' "$name" \
    "$(pick 2 "$name" 3)" "$(fmt_us "$(pick 2 "$name" 8)")" "$(fmt_us "$(pick 2 "$name" 9)")" \
    "$(pick 2 "$name" 4)" "$(pick 2 "$name" 7)" "$(pick 2 "$name" 5)" "$(pick 2 "$name" 6)" \
    "$(pick 2 "$name" 10)" "$(pick 2 "$name" 11)" "$(flags 2 "$name")"
done

if (( ${#idle_list[@]} > 0 )); then
  echo
  echo "### Idle connections"
  echo
  echo "Handshake done, then open and silent; from $sources source addresses (127.0.0.1-$sources)."
  echo "Bytes per connection = (VmRSS with them − VmRSS before) / count; \"before\" is after 64"
  echo "warm-up connections came and went. Open-files limit: $nofile (hard limit $(ulimit -Hn))."
  for n in "${idle_list[@]}"; do
    if [[ "${idle_asked[$n]}" != "$n" ]]; then
      echo "${idle_asked[$n]} connections do not fit under that limit (the server needs one descriptor per"
      echo "connection, and this user cannot raise the hard limit): $n, the largest that fits, were measured instead."
    fi
  done
  echo
  echo "| connections | server | VmRSS before KiB | VmRSS with KiB | bytes per idle conn | setup s |"
  echo "|---:|---|---:|---:|---:|---:|"
  for n in "${idle_list[@]}"; do
    for name in "${servers[@]}"; do
      printf '| %s | %s | %s | %s | %s | %s |\n' "$n" "$name" "$(ipick "$n" "$name" 3)" \
        "$(ipick "$n" "$name" 4)" "$(ipick "$n" "$name" 5)" "$(ipick "$n" "$name" 6)"
    done
  done
fi

echo
echo "### lwspp / peer"
echo
echo "Per CPU-second and per second: above 1 is lwspp ahead. Bytes per idle connection: below 1 is lwspp ahead."
echo
hdr="| peer | msgs per CPU-s, echo 16 B | msgs per CPU-s, echo 4 KiB | deliveries per CPU-s, fanout | msgs/s, echo 16 B | msgs/s, echo 4 KiB | deliveries/s, fanout |"
sep="|---|---:|---:|---:|---:|---:|---:|"
for n in "${idle_list[@]}"; do hdr+=" bytes per idle conn, $n |"; sep+="---:|"; done
echo "$hdr"
echo "$sep"
for peer in "${servers[@]}"; do
  [[ "$peer" == lwspp ]] && continue
  row="| $peer | $(ratio "$(pick 0 lwspp 4)" "$(pick 0 "$peer" 4)") | $(ratio "$(pick 1 lwspp 4)" "$(pick 1 "$peer" 4)") | $(ratio "$(pick 2 lwspp 4)" "$(pick 2 "$peer" 4)") | $(ratio "$(pick 0 lwspp 3)" "$(pick 0 "$peer" 3)") | $(ratio "$(pick 1 lwspp 3)" "$(pick 1 "$peer" 3)") | $(ratio "$(pick 2 lwspp 3)" "$(pick 2 "$peer" 3)") |"
  for n in "${idle_list[@]}"; do row+=" $(ratio "$(ipick "$n" lwspp 5)" "$(ipick "$n" "$peer" 5)") |"; done
  echo "$row"
done
echo
echo "Targets (issue 5):"
echo
r16="$(ratio "$(pick 0 lwspp 4)" "$(pick 0 lws 4)")"
r4k="$(ratio "$(pick 1 lwspp 4)" "$(pick 1 lws 4)")"
echo "- messages per server CPU-second ≥ 1.4× libwebsockets: echo 16 B $r16 → $(verdict "$r16" 1.4 '>='); echo 4 KiB $r4k → $(verdict "$r4k" 1.4 '>=')"
for n in "${idle_list[@]}"; do
  b="$(ipick "$n" lwspp 5)"
  echo "- ≤ 256 bytes of user-space RSS per idle WebSocket connection ($n): $b → $(verdict "$b" 256 '<=')"
done

echo
echo "<details><summary>raw lines</summary>"
echo
for l in "${raw_lines[@]}"; do echo "    $l"; done
echo
echo "</details>"
