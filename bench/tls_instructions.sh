#!/usr/bin/env bash
# User-space instructions per full TLS handshake and per https keep-alive
# request, lwspp vs nginx, counted by valgrind's callgrind: a figure that
# other processes on a shared machine cannot disturb (bench/tls_run.sh
# measures time; this counts work). Same servers, certificate and settings as
# tls_run.sh (TLS 1.3 only, ECDSA P-256, no tickets, no session cache).
#
#   scripts/install-deps bench        # nginx, valgrind, openssl, python3
#   bench/tls_instructions.sh         # prints markdown on stdout
#
# Environment:
#   BENCH_HANDSHAKES  full handshakes counted (default 200)
#   BENCH_REQUESTS    keep-alive requests counted (default 2000)
#   BENCH_TLS_PORT    first port on 127.0.0.1 (default 17920; uses two)
#   BENCH_BUILD_DIR   build tree with bench/http_hello_server (default build/release)
#   BENCH_BIN_DIR     take http_hello_server from here instead
#   BENCH_NGINX       the nginx binary (default: nginx on PATH or /usr/sbin/nginx)
#
# Method: each server runs under `valgrind --tool=callgrind` (nginx with
# master_process off: one process). A Python client (the ssl module, so the
# same OpenSSL) makes 20 warm-up units, zeroes callgrind's counters
# (callgrind_control -z), makes N units and has the counters dumped. Units: a
# new connection with a full handshake and one GET /hello with "Connection:
# close"; or one GET /hello on a keep-alive connection (the warm-up's, so its
# handshake is not counted). Instructions (Ir) are split by
# the object they ran in: libcrypto and libssl (OpenSSL), libc, the server's
# own binary. Kernel work (syscalls, TCP) is not counted here, and valgrind
# runs OpenSSL's AVX2 code paths (it has no AVX-512): the counts compare the
# two servers with each other, not with a native run.
set -euo pipefail

here="$(cd "$(dirname "$0")" && pwd)"
root="$(dirname "$here")"
n_hs="${BENCH_HANDSHAKES:-200}"
n_req="${BENCH_REQUESTS:-2000}"
port_base="${BENCH_TLS_PORT:-17920}"
build_dir="${BENCH_BUILD_DIR:-$root/build/release}"

die() { echo "tls_instructions.sh: $*" >&2; exit 1; }
note() { echo "tls_instructions.sh: $*" >&2; }

for t in valgrind callgrind_control openssl python3; do
  command -v "$t" >/dev/null || die "$t is needed: scripts/install-deps bench"
done
lwspp_bin=""
for d in ${BENCH_BIN_DIR:-} "$build_dir/bench"; do
  [[ -n "$d" && -x "$d/http_hello_server" ]] && { lwspp_bin="$d/http_hello_server"; break; }
done
[[ -n "$lwspp_bin" ]] || die "bench/http_hello_server is not built (cmake --build --preset release --target http_hello_server)"
nginx_bin="${BENCH_NGINX:-$(command -v nginx || true)}"
[[ -z "$nginx_bin" && -x /usr/sbin/nginx ]] && nginx_bin=/usr/sbin/nginx
[[ -n "$nginx_bin" ]] || die "nginx is not installed (scripts/install-deps bench)"

scratch="$(mktemp -d /tmp/lwspp-tlsinstr.XXXXXX)"
chmod 755 "$scratch"
vg_pid=""
cleanup() {
  [[ -n "$vg_pid" ]] && kill -KILL "$vg_pid" 2>/dev/null || true
  rm -rf "$scratch"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

cp "$lwspp_bin" "$scratch/http_hello_server"
cert="$scratch/cert.pem"
key="$scratch/key.pem"
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -sha256 -nodes -days 2 \
  -subj /CN=localhost -addext "subjectAltName=DNS:localhost,IP:127.0.0.1" \
  -keyout "$key" -out "$cert" >"$scratch/openssl-req.log" 2>&1 ||
  { cat "$scratch/openssl-req.log" >&2; die "openssl req failed"; }
chmod 644 "$cert" "$key"

declare -A port=([lwspp]=$port_base [nginx]=$((port_base + 1)))
mkdir -p "$scratch/nginx"
cat >"$scratch/nginx/nginx.conf" <<EOF
worker_processes 1;
daemon off;
master_process off;
pid $scratch/nginx/nginx.pid;
error_log $scratch/nginx/error.log warn;
events {
  worker_connections 1024;
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
    listen 127.0.0.1:${port[nginx]} ssl;
    ssl_certificate $cert;
    ssl_certificate_key $key;
    ssl_protocols TLSv1.3;
    ssl_session_cache off;
    ssl_session_tickets off;
    ssl_conf_command NumTickets 0;
    location = /hello {
      default_type text/plain;
      return 200 "Hello, world!";
    }
  }
}
EOF

cat >"$scratch/client.py" <<'EOF'
# client.py PORT hs|ka N CA VALGRIND_PID: 20 warm-up units, then zeroes
# callgrind's counters, makes N counted units and has them dumped. hs: each
# unit a new connection (full handshake, one GET, Connection: close); ka: GETs
# on one keep-alive connection, the warm-up's (so no handshake is counted).
import socket, ssl, subprocess, sys
port, mode, n, ca, pid = int(sys.argv[1]), sys.argv[2], int(sys.argv[3]), sys.argv[4], sys.argv[5]
ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
ctx.load_verify_locations(ca)
ctx.minimum_version = ssl.TLSVersion.TLSv1_3
def callgrind(flag):
    subprocess.run(["callgrind_control", flag, pid], check=True,
                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
def get(s, close):
    s.sendall(b"GET /hello HTTP/1.1\r\nHost: localhost\r\n" +
              (b"Connection: close\r\n" if close else b"") + b"\r\n")
    buf = b""
    while not buf.endswith(b"\r\n\r\nHello, world!"):
        d = s.recv(4096)
        if not d:
            sys.exit("connection closed before the whole response: %r" % buf[-200:])
        buf += d
def conn():
    return ctx.wrap_socket(socket.create_connection(("127.0.0.1", port)), server_hostname="localhost")
def handshakes(count):
    for _ in range(count):
        with conn() as s:
            get(s, True)
            if s.session_reused:
                sys.exit("a session was resumed")
if mode == "hs":
    handshakes(20)
    callgrind("-z")
    handshakes(n)
    callgrind("-d")
else:
    with conn() as s:
        for _ in range(20):
            get(s, False)
        callgrind("-z")
        for _ in range(n):
            get(s, False)
        callgrind("-d")
EOF

# Self cost (Ir) per object of a callgrind file: "<Ir> <object>" lines.
cat >"$scratch/by_object.py" <<'EOF'
import re, sys
names, cur, total, skip = {}, None, {}, False
for line in open(sys.argv[1]):
    if skip:
        skip = False
        continue
    if line.startswith("ob="):
        m = re.match(r"ob=\((\d+)\)(?: (.*))?", line.strip())
        if m:
            if m.group(2):
                names[m.group(1)] = m.group(2)
            cur = names.get(m.group(1), "?")
        else:
            cur = line[3:].strip()
    elif line.startswith("calls="):
        skip = True  # the next line is the call's inclusive cost
    elif line[:1].isdigit() or line[:1] in "+-*":
        parts = line.split()
        if len(parts) >= 2 and cur is not None:
            total[cur] = total.get(cur, 0) + int(parts[1])
    elif line.startswith("cob="):
        m = re.match(r"cob=\((\d+)\) (.*)", line.strip())
        if m:
            names[m.group(1)] = m.group(2)
for k, v in total.items():
    print(v, k)
EOF

listening() { ss -Hltn "sport = :$1" 2>/dev/null | grep -q .; }

# name mode n -> "<total Ir> <libcrypto> <libssl> <libc> <server> <other>"
count() {
  local name="$1" mode="$2" n="$3" p="${port[$1]}" out="$scratch/cg.$1.$2" f
  listening "$p" && die "port $p is already in use (set BENCH_TLS_PORT)"
  case "$name" in
    lwspp) valgrind --tool=callgrind --callgrind-out-file="$out" "$scratch/http_hello_server" "$p" "$scratch" \
             --cert "$cert" --key "$key" --tls13-only --no-session-tickets >"$scratch/vg.$name.log" 2>&1 & ;;
    nginx) valgrind --tool=callgrind --callgrind-out-file="$out" "$nginx_bin" -p "$scratch/nginx/" \
             -c "$scratch/nginx/nginx.conf" -e "$scratch/nginx/error.log" >"$scratch/vg.$name.log" 2>&1 & ;;
  esac
  vg_pid=$!
  for _ in $(seq 300); do listening "$p" && break; sleep 0.1; done
  listening "$p" || die "$name did not start under valgrind: $(tail -n 3 "$scratch/vg.$name.log")"
  python3 "$scratch/client.py" "$p" "$mode" "$n" "$cert" "$vg_pid" || die "$name: the client failed"
  sleep 0.5
  kill -TERM "$vg_pid" 2>/dev/null || true
  wait "$vg_pid" 2>/dev/null || true
  vg_pid=""
  f="$(ls "$out".* 2>/dev/null | sort -t. -k3 -n | head -n1)"  # the dump: part 1
  [[ -n "$f" ]] || die "$name: no callgrind dump"
  python3 "$scratch/by_object.py" "$f" | awk -v n="$n" '
    { v = $1; $1 = ""; o = $0; t += v
      if (o ~ /libcrypto/) c += v; else if (o ~ /libssl/) s += v
      else if (o ~ /\/libc\.so/) l += v; else if (o ~ /http_hello_server|nginx/) b += v; else x += v }
    END { printf "%.0f %.0f %.0f %.0f %.0f %.0f\n", t / n, c / n, s / n, l / n, b / n, x / n }'
}

declare -A res=()
for mode in hs ka; do
  n="$n_hs"; [[ "$mode" == ka ]] && n="$n_req"
  for name in lwspp nginx; do
    note "$name, $mode x $n under callgrind ..."
    res[$name.$mode]="$(count "$name" "$mode" "$n")"
  done
done

ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.3f", (b > 0) ? a / b : 0 }'; }
echo "## TLS: user-space instructions per unit (callgrind), lwspp vs nginx"
echo
echo "Run $(date -u '+%Y-%m-%d %H:%M UTC'); lwspp at $(git -C "$root" rev-parse --short HEAD 2>/dev/null || echo '?'),"
echo "$("$nginx_bin" -v 2>&1 | sed 's/^nginx version: //'), $(openssl version | awk '{ print $1, $2 }'), $(valgrind --version)."
echo "Full handshake: $n_hs new connections (TLS 1.3, X25519, ECDSA P-256), one GET each;"
echo "keep-alive: $n_req GETs on one connection. Instructions per unit, by object."
echo
echo "| unit | server | total | libcrypto | libssl | libc | server binary | other |"
echo "|---|---|---:|---:|---:|---:|---:|---:|"
for mode in hs ka; do
  label="full handshake"; [[ "$mode" == ka ]] && label="keep-alive request"
  for name in lwspp nginx; do
    read -r t c s l b x <<<"${res[$name.$mode]}"
    printf '| %s | %s | %s | %s | %s | %s | %s | %s |\n' "$label" "$name" "$t" "$c" "$s" "$l" "$b" "$x"
  done
done
echo
echo "lwspp / nginx, total instructions: full handshake $(ratio "${res[lwspp.hs]%% *}" "${res[nginx.hs]%% *}"),"
echo "keep-alive request $(ratio "${res[lwspp.ka]%% *}" "${res[nginx.ka]%% *}") (below 1: lwspp does less work)."
