#!/usr/bin/env bash
# TLS server benchmark, side by side in one run: lwspp (bench/http_hello_server
# with --cert/--key) and nginx (1 worker), both serving https with the same
# ECDSA P-256 certificate, made at run time with the openssl tool.
#
#   scripts/install-deps bench        # nginx, wrk, openssl
#   bench/tls_run.sh                  # builds what it needs, prints markdown on stdout
#   BENCH=tls make bench              # the same through make
#
# Environment:
#   BENCH_SECONDS    measured seconds per wrk run (default 10)
#   BENCH_WARMUP     seconds of unmeasured wrk load before each measured run (default 1; 0 = none)
#   BENCH_REPEAT     runs per (scenario, server); medians are reported (default 3; REPEAT also works)
#   BENCH_SERVERS    which servers, in this order (default "lwspp nginx")
#   BENCH_TLS_PORT   first port on 127.0.0.1 (default 17900; uses two)
#   BENCH_HS_CONNS   wrk connections in the handshake scenario (default 50)
#   BENCH_SERVER_CPU core the server is pinned to (default 1)
#   BENCH_LOAD_CPU   core wrk is pinned to (default 0)
#   BENCH_BUILD      1 (default): build http_hello_server first; 0: use what is built
#   BENCH_BUILD_DIR  build tree (default build/release; configured with the release preset)
#   BENCH_BIN_DIR    take http_hello_server from here
#   BENCH_NGINX      the nginx binary (default: nginx on PATH or /usr/sbin/nginx)
#   BENCH_QUIET_PCT  a run is redone when other processes took more than this % of
#                    either core during its window (default 5)
#   BENCH_QUIET_WAIT seconds to wait for both cores to be quiet before a run (default 300)
#   BENCH_RETRIES    redos per run (default 4)
#
# What it measures, per server (each run gets a fresh server process):
#   full handshakes   wrk -t1 -c$BENCH_HS_CONNS -H "Connection: close" GET /hello: the
#                     server answers and closes, wrk reconnects, so every request is a new
#                     TCP connection with a full TLS 1.3 handshake (resumption is off on both
#                     servers and wrk does not offer sessions). handshakes/s = requests/s.
#   hello keep-alive  wrk -t1 -c50 --latency GET /hello ("Hello, world!", 13 bytes) over
#                     50 https keep-alive connections: record encryption and decryption
#                     plus the HTTP work, no handshakes in the window.
# Why wrk and not `openssl s_time -new`: s_time makes one connection at a time and
# verifies the server's signature between them, so the server idles while the client
# works; wrk keeps BENCH_HS_CONNS handshakes in flight from one core. Either way the
# client side of a TLS 1.3 handshake (key share, ECDSA verify, certificate parsing)
# costs more CPU than the server side (key share, ECDSA sign), so with one load core
# the load saturates first: compare the server CPU per handshake, not handshakes/s.
#
# Server CPU is utime+stime from /proc/PID/stat summed over the server's process tree
# (nginx: master + worker) read just before and just after the measured wrk run;
# µs per handshake / per request = that CPU time / wrk's count. wrk's own CPU comes
# from the shell's `times`. Other processes' use of either core during the window is
# measured from /proc/stat; runs above BENCH_QUIET_PCT are redone (as in http_run.sh).
#
# TLS settings, the same on both: TLS 1.3 only; certificate = one self-signed ECDSA
# P-256 leaf (SHA-256 signature) with SAN localhost/127.0.0.1; no session tickets and no
# session cache (nginx: ssl_session_tickets off, ssl_session_cache off, and
# `ssl_conf_command NumTickets 0`, without which nginx 1.22 still sends two useless
# stateful tickets after every handshake; lwspp: session_tickets = false, which also
# sends none); groups, TLS 1.3 suites and signature algorithms: OpenSSL's defaults on both
# (wrk and openssl s_client then negotiate X25519, TLS_AES_256_GCM_SHA384, ecdsa_secp256r1_sha256).
# nginx: worker_processes 1, access_log off, keepalive_timeout 600s, keepalive_requests 1e9,
# worker_connections 20000, /hello from `return 200 "Hello, world!"`. lwspp: 1 loop,
# keep-alive 600 s, ALPN http/1.1. Every server is checked before it is measured with
# openssl s_client: certificate verifies, TLS 1.3, ECDSA, no NewSessionTicket, body of
# /hello; and a TLS 1.2-only client is refused.
set -euo pipefail

here="$(cd "$(dirname "$0")" && pwd)"
root="$(dirname "$here")"
secs="${BENCH_SECONDS:-10}"
warmup="${BENCH_WARMUP:-1}"
repeat="${BENCH_REPEAT:-${REPEAT:-3}}"
port_base="${BENCH_TLS_PORT:-17900}"
hs_conns="${BENCH_HS_CONNS:-50}"
srv_cpu="${BENCH_SERVER_CPU:-1}"
load_cpu="${BENCH_LOAD_CPU:-0}"
quiet_pct="${BENCH_QUIET_PCT:-5}"
quiet_wait="${BENCH_QUIET_WAIT:-300}"
retries="${BENCH_RETRIES:-4}"
build="${BENCH_BUILD:-1}"
build_dir="${BENCH_BUILD_DIR:-$root/build/release}"
read -r -a want_servers <<<"${BENCH_SERVERS:-lwspp nginx}"

hello_body="Hello, world!"
wrk_conns_hello=50

die() { echo "tls_run.sh: $*" >&2; exit 1; }
note() { echo "tls_run.sh: $*" >&2; }

[[ "$secs" =~ ^[0-9]+$ && "$secs" -gt 0 ]] || die "BENCH_SECONDS must be a whole number of seconds"
[[ "$warmup" =~ ^[0-9]+$ ]] || die "BENCH_WARMUP must be a whole number of seconds"
[[ "$hs_conns" =~ ^[0-9]+$ && "$hs_conns" -gt 0 ]] || die "BENCH_HS_CONNS must be a positive number"
command -v taskset >/dev/null || die "taskset (util-linux) is needed"
command -v wrk >/dev/null || die "wrk is needed: scripts/install-deps bench"
command -v openssl >/dev/null || die "the openssl tool is needed: scripts/install-deps bench"
(( $(nproc) >= 2 )) || die "needs 2 cores (server on $srv_cpu, load on $load_cpu); nproc=$(nproc)"

# --- build ----------------------------------------------------------------------
scratch="$(mktemp -d /tmp/lwspp-tlsbench.XXXXXX)"
chmod 755 "$scratch"  # nginx's worker runs as nobody
server_pid=""
cleanup() {
  [[ -n "$server_pid" ]] && kill_tree KILL "$server_pid"
  rm -rf "$scratch"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

build_failed=0
if [[ "$build" == 1 ]]; then
  if [[ ! -f "$build_dir/build.ninja" ]]; then
    note "configuring $build_dir (release preset)"
    (cd "$root" && cmake --preset release -B "$build_dir") >"$scratch/configure.log" 2>&1 ||
      { tail -n 20 "$scratch/configure.log" >&2; die "cmake --preset release failed"; }
  fi
  if ! cmake --build "$build_dir" --target http_hello_server >"$scratch/build.log" 2>&1; then
    build_failed=1
    note "could not build http_hello_server; going on without it. Last lines:"
    tail -n 4 "$scratch/build.log" | sed 's/^/    /' >&2
  fi
fi

# The binary is copied so that a concurrent rebuild cannot swap it mid-run.
lwspp_bin=""
if (( ! build_failed )); then  # never a stale binary from an older build
  for d in ${BENCH_BIN_DIR:-} "$build_dir/bench"; do
    if [[ -n "$d" && -x "$d/http_hello_server" ]]; then
      mkdir -p "$scratch/bin"
      cp "$d/http_hello_server" "$scratch/bin/"
      lwspp_bin="$scratch/bin/http_hello_server"
      note "binary: http_hello_server <- $d/http_hello_server"
      break
    fi
  done
fi

# --- certificate ------------------------------------------------------------------
cert="$scratch/cert.pem"
key="$scratch/key.pem"
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -sha256 -nodes -days 2 \
  -subj /CN=localhost -addext "subjectAltName=DNS:localhost,IP:127.0.0.1" \
  -keyout "$key" -out "$cert" >"$scratch/openssl-req.log" 2>&1 ||
  { cat "$scratch/openssl-req.log" >&2; die "openssl req failed"; }
chmod 644 "$cert" "$key"  # a throwaway key, read by nginx's master (root or not)
www="$scratch/www"
mkdir -p "$www"

ulimit -Hn 65536 2>/dev/null || true
ulimit -n "$(ulimit -Hn)" 2>/dev/null || true
nofile="$(ulimit -n)"

# --- servers -----------------------------------------------------------------------
declare -A port=() server_note=() skipped=()
servers=()
i=0
for name in "${want_servers[@]}"; do
  port[$name]=$((port_base + i)); i=$((i + 1))
  case "$name" in
    lwspp)
      [[ -z "$lwspp_bin" ]] && skipped[$name]="bench/http_hello_server is not built" ;;
    nginx)
      nginx_bin="${BENCH_NGINX:-$(command -v nginx || true)}"
      [[ -z "$nginx_bin" && -x /usr/sbin/nginx ]] && nginx_bin=/usr/sbin/nginx
      if [[ -z "$nginx_bin" ]]; then
        skipped[$name]="nginx is not installed (scripts/install-deps bench)"
      else
        server_note[$name]="$("$nginx_bin" -V 2>&1 | sed -n 's/^nginx version: //p;s/^built with //p' | tr '\n' ';' | sed 's/;$//; s/;/, /g')"
      fi ;;
    *) die "unknown server '$name' in BENCH_SERVERS (lwspp nginx)" ;;
  esac
  if [[ -n "${skipped[$name]:-}" ]]; then
    note "skipping $name: ${skipped[$name]}"
  else
    servers+=("$name")
  fi
done

if [[ -f /run/nginx.pid ]] && kill -0 "$(cat /run/nginx.pid 2>/dev/null)" 2>/dev/null; then
  note "stopping the system nginx service"
  { service nginx stop || kill "$(cat /run/nginx.pid)"; } >/dev/null 2>&1 || true
fi

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
  worker_connections 20000;
}
http {
  access_log off;
  default_type application/octet-stream;
  keepalive_timeout 600s;
  keepalive_requests 1000000000;
  client_body_temp_path $d/client_body;
  proxy_temp_path $d/proxy;
  fastcgi_temp_path $d/fastcgi;
  uwsgi_temp_path $d/uwsgi;
  scgi_temp_path $d/scgi;
  server {
    listen 127.0.0.1:${port[nginx]} ssl backlog=4096;
    ssl_certificate $cert;
    ssl_certificate_key $key;
    ssl_protocols TLSv1.3;
    ssl_session_cache off;
    ssl_session_tickets off;
    ssl_conf_command NumTickets 0;
    location = /hello {
      default_type text/plain;
      return 200 "$hello_body";
    }
  }
}
EOF
}
[[ -n "${port[nginx]:-}" ]] && write_nginx_conf

# --- helpers (as in http_run.sh) -------------------------------------------------------
source "$here/lib/servers.bash"

kill_tree() {  # signal pid
  local pids
  pids="$(tree_pids "$2")"
  [[ -n "$pids" ]] && kill -"$1" $pids 2>/dev/null || true
}

start_server() {  # name -> sets server_pid
  local name="$1" p="${port[$1]}" i log="$scratch/$1.log"
  listening "$p" && die "port $p is already in use (set BENCH_TLS_PORT)"
  case "$name" in
    lwspp) taskset -c "$srv_cpu" "$lwspp_bin" "$p" "$www" --cert "$cert" --key "$key" \
             --tls13-only --no-session-tickets >>"$log" 2>&1 & ;;
    nginx) taskset -c "$srv_cpu" "$nginx_bin" -p "$scratch/nginx/" -c "$scratch/nginx/nginx.conf" \
             -e "$scratch/nginx/error.log" >>"$log" 2>&1 & ;;
  esac
  server_pid=$!
  wait_started "$p"
}

# One https exchange with openssl s_client (on the load core); output in $2.
s_client_get() {  # port out [extra s_client args...]
  local p="$1" out="$2"
  shift 2
  printf 'GET /hello HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n' |
    timeout 10 taskset -c "$load_cpu" openssl s_client -connect "127.0.0.1:$p" -servername localhost \
      -CAfile "$cert" -verify_hostname localhost -verify_return_error -ign_eof -msg "$@" >"$out" 2>&1
}

# Checks a fresh server: the certificate verifies, TLS 1.3 with ECDSA, no session
# ticket (so nothing can be resumed), the /hello body; a TLS 1.2 client is refused.
# Prints why not on failure (it runs in a subshell: fresh_server reads the output again).
declare -A negotiated=()
check_server() {
  local p="${port[$1]}" out="$scratch/check-$1.out" tickets
  s_client_get "$p" "$out" || { echo "s_client failed: $(grep -m2 -iE 'error|alert' "$out" | tr '\n' ' ')"; return 1; }
  grep -q 'Verify return code: 0 (ok)' "$out" || { echo "certificate did not verify"; return 1; }
  grep -q '^New, TLSv1.3, Cipher is ' "$out" || { echo "not a new TLS 1.3 session: $(grep -m1 -E '^(New|Reused)' "$out")"; return 1; }
  grep -q 'Peer signature type: ECDSA' "$out" || { echo "not an ECDSA signature"; return 1; }
  tickets="$(grep -c 'NewSessionTicket' "$out" || true)"
  (( tickets == 0 )) || { echo "$tickets NewSessionTicket message(s) sent: resumption is not off"; return 1; }
  grep -q "^$hello_body" "$out" || { echo "/hello body is not '$hello_body'"; return 1; }
  if s_client_get "$p" "$scratch/check12-$1.out" -tls1_2; then
    echo "a TLS 1.2 client was served"; return 1
  fi
}

# median, core_busy, wait_quiet, children_cpu (and clk_tck, times_file).
source "$here/lib/measure.bash"

run_wrk() {  # conns secs out [wrk args...]
  local c="$1" s="$2" out="$3"
  shift 3
  taskset -c "$load_cpu" wrk -t1 -c"$c" -d"$s"s --latency "$@" "https://127.0.0.1:${port[$name]}/hello" >"$out" 2>&1
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
measure() {  # conns [wrk args...]
  local out="$scratch/wrk.out" t0 t1 b0 b1 c0 c1 conns="$1"
  shift
  if (( warmup > 0 )); then run_wrk "$conns" "$warmup" "$scratch/warmup.out" "$@" || true; fi
  t0="$(tree_ticks "$server_pid")"
  b0=($(core_busy))
  times >"$times_file"; c0="$(children_cpu)"
  run_wrk "$conns" "$secs" "$out" "$@" || true
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

# -> "rate srv_us_per srv_cpu_pct wrk_cpu_pct wrk_us_per"
rates() {
  awk -v r="$m_reqs" -v s="$m_secs" -v t="$m_ticks" -v c="$clk_tck" -v w="$m_wrk_cpu" 'BEGIN {
    printf "%.0f %.1f %.0f %.0f %.1f\n", (s > 0) ? r / s : 0, (r > 0) ? t / c / r * 1e6 : 0,
      (s > 0) ? 100 * t / c / s : 0, (s > 0) ? 100 * w / s : 0, (r > 0) ? w / r * 1e6 : 0 }'
}

# --- scenarios ---------------------------------------------------------------------------
# label|conns|wrk args
scenarios=("full handshakes, $hs_conns conns|$hs_conns|-H|Connection: close"
           "hello keep-alive, $wrk_conns_hello conns|$wrk_conns_hello")
results="$scratch/results.txt"  # si name rate p99 srv_us srv% wrk% wrk_us other_s other_l errs run
: >"$results"
raw_lines=()
declare -A broken=()
discarded=0

quiet_ok() { (( m_other_s <= quiet_pct && m_other_l <= quiet_pct )); }

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
  # check_server ran in a subshell: read what it saw again, here.
  negotiated[$name]="$(sed -n 's/^New, \(TLSv1.3\), Cipher is \(.*\)/\1 \2/p' "$scratch/check-$name.out" | head -n1), $(sed -n 's/^Server Temp Key: \([^,]*\).*/\1/p' "$scratch/check-$name.out" | head -n1), $(sed -n 's/^Peer signature type: //p' "$scratch/check-$name.out" | head -n1)+$(sed -n 's/^Peer signing digest: //p' "$scratch/check-$name.out" | head -n1)"
}

if (( ${#servers[@]} > 0 )); then
for ((r = 1; r <= repeat; r++)); do
  for si in "${!scenarios[@]}"; do
    IFS='|' read -r -a sc <<<"${scenarios[$si]}"
    label="${sc[0]}"; conns="${sc[1]}"; args=("${sc[@]:2}")
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
        ok=1; measure "$conns" "${args[@]}" || ok=0
        kill -0 "$server_pid" 2>/dev/null || { ok=0; note "$name died during '$label'"; }
        stop_server
        raw_lines+=("$name | $label | run $r try $attempt | $m_line")
        if (( ! ok )); then broken[$name]="failed during '$label' (see raw lines)"; break; fi
        if ! quiet_ok && (( attempt < retries )); then
          note "  discarded: other processes took ${m_other_s}% of core $srv_cpu, ${m_other_l}% of core $load_cpu"
          discarded=$((discarded + 1)); continue
        fi
        read -r rate srv_us srvp wrkp wrk_us <<<"$(rates)"
        echo "$si $name $rate $m_p99 $srv_us $srvp $wrkp $wrk_us $m_other_s $m_other_l $m_errs $r" >>"$results"
        break
      done
    done
  done
done
fi

# --- report ------------------------------------------------------------------------------------
fmt_us() { awk -v v="$1" 'BEGIN { if (v == "n/a") print "n/a"; else if (v >= 1000) printf "%.2f ms", v / 1000; else printf "%.0f µs", v }'; }
all_servers=("${want_servers[@]}")

echo "## TLS: lwspp vs nginx"
echo
echo "Server pinned to core $srv_cpu, wrk (1 thread) to core $load_cpu; ${secs} s measured after ${warmup} s warm-up,"
echo "median of ${repeat} run(s), a fresh server process for each run. Run $(date -u '+%Y-%m-%d %H:%M UTC'), $(uname -r)."
echo
echo "| server | version | negotiated (openssl s_client) | status |"
echo "|---|---|---|---|"
for name in "${all_servers[@]}"; do
  case "$name" in
    lwspp) ver="working tree $(git -C "$root" rev-parse --short HEAD 2>/dev/null || echo '?'), $(openssl version | awk '{ print $1, $2 }')" ;;
    *) ver="${server_note[$name]:-}" ;;
  esac
  st="measured"
  [[ -n "${skipped[$name]:-}" ]] && st="skipped: ${skipped[$name]}"
  [[ -n "${broken[$name]:-}" ]] && st="incomplete: ${broken[$name]}"
  echo "| $name | ${ver:-?} | ${negotiated[$name]:-?} | $st |"
done
echo "| wrk | $(wrk -v 2>&1 | head -n1 | awk '{ print $2 }') | | load generator |"
echo
echo "Other CPU = what other processes took of the server's / the load's core during the window"
echo "(runs above ${quiet_pct}% were redone, up to ${retries} times; ${discarded} discarded)."
echo "In the handshake rows a request is a connection: rate = full handshakes/s, µs = per handshake."
echo
echo "| scenario | server | handshakes or req/s | p99 latency | server CPU µs per handshake or req | server CPU % | wrk CPU % | wrk CPU µs per handshake or req | socket errors | other CPU % (srv/load) |"
echo "|---|---|---:|---:|---:|---:|---:|---:|---:|---:|"
for si in "${!scenarios[@]}"; do
  label="${scenarios[$si]%%|*}"
  for name in "${all_servers[@]}"; do
    printf '| %s | %s | %s | %s | %s | %s | %s | %s | %s | %s/%s |\n' "$label" "$name" \
      "$(pick "$si" "$name" 3)" "$(fmt_us "$(pick "$si" "$name" 4)")" "$(pick "$si" "$name" 5)" \
      "$(pick "$si" "$name" 6)" "$(pick "$si" "$name" 7)" "$(pick "$si" "$name" 8)" \
      "$(pick "$si" "$name" 11)" "$(pick "$si" "$name" 9)" "$(pick "$si" "$name" 10)"
  done
done

echo
echo "### lwspp / peer"
echo
echo "Server CPU per handshake or request: below 1 is lwspp ahead. Rates: above 1 is lwspp ahead."
echo
echo "| peer | CPU µs/handshake | CPU µs/req, keep-alive | handshakes/s | req/s, keep-alive | p99, keep-alive |"
echo "|---|---:|---:|---:|---:|---:|"
for peer in "${all_servers[@]}"; do
  [[ "$peer" == lwspp ]] && continue
  printf '| %s | %s | %s | %s | %s | %s |\n' "$peer" \
    "$(ratio "$(pick 0 lwspp 5)" "$(pick 0 "$peer" 5)")" \
    "$(ratio "$(pick 1 lwspp 5)" "$(pick 1 "$peer" 5)")" \
    "$(ratio "$(pick 0 lwspp 3)" "$(pick 0 "$peer" 3)")" \
    "$(ratio "$(pick 1 lwspp 3)" "$(pick 1 "$peer" 3)")" \
    "$(ratio "$(pick 1 lwspp 4)" "$(pick 1 "$peer" 4)")"
done
echo
# The two servers of one repeat ran back to back: the ratio within each repeat
# cancels slow drift in what the rest of the machine takes.
paired() {  # scenario_index peer column -> "median min max" of lwspp/peer over repeats
  awk -v s="$1" -v p="$2" -v c="$3" '$1 == s && $2 == "lwspp" { a[$12] = $c } $1 == s && $2 == p { b[$12] = $c }
    END { for (r in a) if ((r in b) && b[r] > 0) printf "%.3f\n", a[r] / b[r] }' "$results" |
    sort -g | awk '{ v[NR] = $1 } END { if (NR == 0) print "n/a n/a n/a"; else printf "%.2f %.2f %.2f\n", (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2, v[1], v[NR] }'
}
echo "Per repeat (the two servers measured back to back), lwspp / peer server CPU per unit: median (min–max)."
echo
echo "| peer | CPU µs/handshake | CPU µs/req, keep-alive |"
echo "|---|---:|---:|"
for peer in "${all_servers[@]}"; do
  [[ "$peer" == lwspp ]] && continue
  read -r h0 h1 h2 <<<"$(paired 0 "$peer" 5)"
  read -r k0 k1 k2 <<<"$(paired 1 "$peer" 5)"
  printf '| %s | %s (%s–%s) | %s (%s–%s) |\n' "$peer" "$h0" "$h1" "$h2" "$k0" "$k1" "$k2"
done
echo
verdict() { awk -v v="$1" 'BEGIN { if (v == "n/a") print "n/a"; else if (v + 0 <= 1) print "met"; else print "NOT met" }'; }
r_hs="$(ratio "$(pick 0 lwspp 5)" "$(pick 0 nginx 5)")"
r_ka="$(ratio "$(pick 1 lwspp 5)" "$(pick 1 nginx 5)")"
echo "Target (issue 4): at least nginx's figures; both are OpenSSL-bound, so on server CPU:"
echo
echo "- server CPU per full handshake ≤ nginx's: $r_hs → $(verdict "$r_hs")"
echo "- server CPU per keep-alive request ≤ nginx's: $r_ka → $(verdict "$r_ka")"

echo
echo "<details><summary>raw lines</summary>"
echo
for l in "${raw_lines[@]}"; do echo "    $l"; done
echo
echo "</details>"
