#!/usr/bin/env bash
# User-space instructions per WebSocket message, lwspp vs libwebsockets and
# Boost.Beast, counted by valgrind's callgrind: a figure that other processes
# on a shared machine cannot disturb (bench/ws_run.sh measures time; this
# counts work). Same servers and load shapes as ws_run.sh.
#
#   scripts/install-deps bench        # valgrind, libwebsockets-dev, libboost-dev
#   bench/ws_instructions.sh          # prints markdown on stdout
#
# Environment:
#   BENCH_SECONDS    measured seconds per scenario under callgrind (default 10)
#   BENCH_WS_SERVERS which servers (default "lwspp lws beast"; python3-websockets is left
#                    out: under valgrind it would count the interpreter)
#   BENCH_WS_PORT    first port on 127.0.0.1 (default 18020; uses three)
#   BENCH_WS_TOP     functions listed per server for echo 16 B (default 15)
#   BENCH_BUILD_DIR  build tree (default build/release)
#   BENCH_BIN_DIR    take the binaries from here instead
#
# Method: each server runs under `valgrind --tool=callgrind`, one fresh
# server per scenario. ws_load (native, not under valgrind) connects, warms up
# for 2 s, zeroes callgrind's counters (callgrind_control -z), counts the
# messages of the measured window and has the counters dumped
# (callgrind_control -d). Instructions (Ir) per message = the dump's total /
# the messages ws_load counted. Messages in flight at either edge of the
# window (at most connections × depth) blur this by a percent or so. Kernel
# work (syscalls, TCP) is not counted: see ws_run.sh's CPU figures for that.
set -euo pipefail

here="$(cd "$(dirname "$0")" && pwd)"
root="$(dirname "$here")"
secs="${BENCH_SECONDS:-10}"
port_base="${BENCH_WS_PORT:-18020}"
top="${BENCH_WS_TOP:-15}"
build_dir="${BENCH_BUILD_DIR:-$root/build/release}"
read -r -a servers <<<"${BENCH_WS_SERVERS:-lwspp lws beast}"

die() { echo "ws_instructions.sh: $*" >&2; exit 1; }
note() { echo "ws_instructions.sh: $*" >&2; }

for t in valgrind callgrind_control callgrind_annotate; do
  command -v "$t" >/dev/null || die "$t is needed: scripts/install-deps bench"
done

scratch="$(mktemp -d /tmp/lwspp-wsinstr.XXXXXX)"
vg_pid=""
cleanup() {
  [[ -n "$vg_pid" ]] && kill -KILL "$vg_pid" 2>/dev/null || true
  rm -rf "$scratch"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

find_bin() {
  local d
  for d in ${BENCH_BIN_DIR:-} "$build_dir/bench"; do
    [[ -n "$d" && -x "$d/$1" ]] && { cp "$d/$1" "$scratch/$1"; echo "$scratch/$1"; return; }
  done
  die "$1 is not built (cmake --build --preset release --target $1)"
}
load="$(find_bin ws_load)"
declare -A bin=() port=()
i=0
for name in "${servers[@]}"; do
  case "$name" in
    lwspp | lws | beast) bin[$name]="$(find_bin "ws_${name}_server")" ;;
    *) die "unknown server '$name' (lwspp lws beast)" ;;
  esac
  port[$name]=$((port_base + i)); i=$((i + 1))
done

listening() { ss -Hltn "sport = :$1" 2>/dev/null | grep -q .; }
field() { tr ' ' '\n' <<<"$2" | awk -F= -v k="$1" '$1 == k { print $2; exit }'; }

start_vg() {  # name out -> sets vg_pid
  local name="$1" p="${port[$1]}" extra=() i
  [[ "$name" == lws ]] && extra=(--serv-buf 65536)
  listening "$p" && die "port $p is already in use (set BENCH_WS_PORT)"
  valgrind --tool=callgrind --callgrind-out-file="$2" "${bin[$name]}" "$p" "${extra[@]}" \
    >"$scratch/vg.$name.log" 2>&1 &
  vg_pid=$!
  for i in $(seq 300); do
    listening "$p" && return 0
    kill -0 "$vg_pid" 2>/dev/null || break
    sleep 0.1
  done
  die "$name did not start under valgrind: $(tail -n 3 "$scratch/vg.$name.log")"
}

stop_vg() {
  kill -TERM "$vg_pid" 2>/dev/null || true
  wait "$vg_pid" 2>/dev/null || true
  vg_pid=""
}

# label|ws_load arguments: the shapes of ws_run.sh
scenarios=("echo 16 B|--path /echo --protocol echo --conns 100 --depth 8 --size 16"
           "echo 4 KiB|--path /echo --protocol echo --conns 100 --depth 8 --size 4096"
           "fanout, 1000 subscribers|--path /fanout --protocol fanout --mode fanout --conns 1000 --depth 4 --size 16")
declare -A ir=() msgs=()
for name in "${servers[@]}"; do
  for si in "${!scenarios[@]}"; do
    IFS='|' read -r label args <<<"${scenarios[$si]}"
    out="$scratch/cg.$name.$si"
    start_vg "$name" "$out"
    note "$name: $label ..."
    # shellcheck disable=SC2086  # args is a list of options
    line="$("$load" --port "${port[$name]}" $args --secs "$secs" --warmup 2 --timeout 300 \
            --window-start-cmd "callgrind_control -z $vg_pid >/dev/null" \
            --window-end-cmd "callgrind_control -d $vg_pid >/dev/null" 2>"$scratch/load.err")" ||
      die "ws_load failed against $name ($label): $(head -c 400 "$scratch/load.err")"
    stop_vg
    # The dump made by -d is the one with a part number: out.1
    dump="$(ls "$out".* 2>/dev/null | head -n1)"
    [[ -n "$dump" ]] || die "no callgrind dump for $name ($label)"
    ir[$name.$si]="$(awk '/^(summary|totals):/ { print $2; exit }' "$dump")"
    msgs[$name.$si]="$(field msgs "$line")"
    [[ "$si" == 0 ]] && cp "$dump" "$scratch/top.$name"
  done
done

per() { awk -v a="$1" -v b="$2" 'BEGIN { if (b > 0) printf "%.0f", a / b; else print "n/a" }'; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (a + 0 > 0 && b + 0 > 0) printf "%.2f", b / a; else print "n/a" }'; }

echo "### User-space instructions per message (callgrind, \`bench/ws_instructions.sh\`)"
echo
echo "$(valgrind --version); ${secs} s windows after 2 s of warm-up, one fresh server per scenario."
echo
hdr="| scenario |"; sep="|---|"
for name in "${servers[@]}"; do hdr+=" $name Ir/msg |"; sep+="---:|"; done
for name in "${servers[@]}"; do [[ "$name" != lwspp ]] && { hdr+=" $name / lwspp |"; sep+="---:|"; }; done
echo "$hdr"
echo "$sep"
for si in "${!scenarios[@]}"; do
  row="| ${scenarios[$si]%%|*} |"
  for name in "${servers[@]}"; do row+=" $(per "${ir[$name.$si]}" "${msgs[$name.$si]}") |"; done
  for name in "${servers[@]}"; do
    [[ "$name" == lwspp ]] && continue
    row+=" $(ratio "$(per "${ir[lwspp.$si]:-0}" "${msgs[lwspp.$si]:-0}")" "$(per "${ir[$name.$si]}" "${msgs[$name.$si]}")") |"
  done
  echo "$row"
done
echo
echo "Fan-out: per delivery (each publish is $(( 1000 + 1 )) writes: the subscribers and the publisher)."
echo
for name in "${servers[@]}"; do
  echo "<details><summary>$name: top $top functions, echo 16 B (self Ir)</summary>"
  echo
  # callgrind_annotate 3.19 books the calls made before the zeroing (calls=0:
  # main, the loop's run, the frames below main) as self cost of those
  # frames, at 100 %: they are left out; the rest are self costs.
  callgrind_annotate --threshold=100 "$scratch/top.$name" 2>/dev/null |
    awk -v n="$top" '
      /file:function/ { on = 1; next }
      !on || /^-+$/ || NF == 0 { next }
      /\(below main\)|__libc_start_main|:main \[|\?\?\?:0x[0-9a-f]+ \[|loop::run\(\)|io_context::run\(\)|lws_service|PROGRAM TOTALS/ { next }
      k < n { sub(/ \[[^]]*\]$/, ""); sub(/\?\?\?:/, ""); print "    " substr($0, 1, 160); k++ }'
  echo
  echo "</details>"
  echo
done
