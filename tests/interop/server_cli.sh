#!/usr/bin/env bash
# lwspp-server from the outside: --check on the default config and on broken
# ones (every error must name FILE:LINE and the key), the default config's
# HTTP demo site against curl, an http vhost with mounts (files, a redirect,
# basic auth, an error page, an access log), a raw-echo vhost against
# python3, socat, nc and examples/raw-client, a Unix-socket vhost, graceful
# SIGTERM, and a second server on a taken port.
#
# ctest runs it with LWSPP_BUILD_DIR set; by hand:
#   LWSPP_BUILD_DIR=build/dev bash tests/interop/server_cli.sh
# Exit: 0 all passed, 1 something failed, 77 skipped (no python3 or curl).
set -euo pipefail

source "$(dirname "${BASH_SOURCE[0]}")/lib/common.bash"
note() { echo "skip: $*"; }

command -v python3 >/dev/null || { echo "skip: python3 is needed"; exit 77; }
command -v curl >/dev/null || { echo "skip: curl is needed"; exit 77; }

# --- binaries ------------------------------------------------------------------

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
build_dir=${LWSPP_BUILD_DIR:-}
if [[ -z $build_dir ]]; then
  # By hand without LWSPP_BUILD_DIR: the newest build under the source tree.
  build_dir=$(cd "$here/../.." && pwd)/build
fi

# find_bin NAME EXPECTED_PATH: the expected path, else the newest match in the build dir.
find_bin() {
  local name=$1 expected=$2
  if [[ -f $expected && -x $expected ]]; then
    echo "$expected"
    return
  fi
  [[ -d $build_dir ]] || return 0
  find "$build_dir" -name "$name" -type f -perm -u+x -printf '%T@ %p\n' 2>/dev/null |
    sort -rn | head -n 1 | cut -d' ' -f2-
}

server=$(find_bin lwspp-server "$build_dir/lwspp-server")
client=$(find_bin raw-client "$build_dir/examples/raw-client")
echo_example=$(find_bin raw-echo-server "$build_dir/examples/raw-echo-server")
line_example=$(find_bin raw-line-server "$build_dir/examples/raw-line-server")
if [[ -z $server ]]; then
  echo "FAIL: lwspp-server not found under ${build_dir} (set LWSPP_BUILD_DIR)" >&2
  exit 1
fi
echo "server: $server"
echo "client: ${client:-not built}"

# --- scratch space and cleanup -------------------------------------------------

tmp=$(mktemp -d "${TMPDIR:-/tmp}/lwspp-server-cli.XXXXXX")
bg_pids=()
cleanup() {
  local p
  for p in "${bg_pids[@]}"; do
    kill -TERM "$p" 2>/dev/null || true
  done
  for p in "${bg_pids[@]}"; do
    wait "$p" 2>/dev/null || true
  done
  rm -rf "$tmp"
}
trap cleanup EXIT


# wait_for_log FILE TEXT PID: until FILE contains TEXT (10 s), false if PID died.
wait_for_log() {
  local file=$1 text=$2 pid=$3 i
  for ((i = 0; i < 100; i++)); do
    grep -qF -- "$text" "$file" 2>/dev/null && return 0
    kill -0 "$pid" 2>/dev/null || return 1
    sleep 0.1
  done
  return 1
}

# stop_gracefully PID LOG WHAT SIGNAL: the process must exit 0 within 5 s.
stop_gracefully() {
  local pid=$1 log=$2 what=$3 sig=${4:-TERM} i rc=0
  kill -"$sig" "$pid"
  for ((i = 0; i < 50; i++)); do
    kill -0 "$pid" 2>/dev/null || break
    sleep 0.1
  done
  if kill -0 "$pid" 2>/dev/null; then
    fail "$what: still running 5 s after SIG$sig"
    kill -KILL "$pid" 2>/dev/null || true
  fi
  wait "$pid" || rc=$?
  if [[ $rc -eq 0 ]]; then pass "$what: exit 0 after SIG$sig"; else fail "$what: exit $rc after SIG$sig"; fi
  if grep -q "graceful stop" "$log" && grep -q "stopped" "$log"; then
    pass "$what: logged the graceful stop"
  else
    fail "$what: no 'graceful stop' / 'stopped' in its log:"
    indent <"$log" >&2
  fi
}

# --- --check, --version, --print-default-config ---------------------------------

rc=0
out=$("$server" --check 2>&1) || rc=$?
if [[ $rc -eq 0 && $out == *"config OK"* ]]; then
  pass "--check on the default config"
else
  fail "--check on the default config: exit $rc, output: $out"
fi

rc=0
out=$("$server" --version 2>&1) || rc=$?
if [[ $rc -eq 0 && $out == *"lwspp-server"* && $out == *"features:"* ]]; then
  pass "--version"
else
  fail "--version: exit $rc, output: $out"
fi

"$server" --print-default-config >"$tmp/default.json" || fail "--print-default-config: exit $?"
if python3 -c '
import json, sys
v = json.load(open(sys.argv[1]))["vhosts"][0]
assert v["listen"] == "127.0.0.1:7681" and v["protocol"] == "http" and v["demo"] is True
' "$tmp/default.json"; then
  pass "--print-default-config is JSON with the http demo on 127.0.0.1:7681"
else
  fail "--print-default-config: not JSON, or the http demo is not on 127.0.0.1:7681"
fi
rc=0
out=$("$server" -c "$tmp/default.json" --check 2>&1) || rc=$?
if [[ $rc -eq 0 ]]; then
  pass "the printed default config passes --check"
else
  fail "the printed default config fails --check: $out"
fi

rc=0
out=$("$server" --no-such-flag 2>&1) || rc=$?
if [[ $rc -ne 0 && $out == *"--no-such-flag"* ]]; then
  pass "an unknown flag is refused"
else
  fail "an unknown flag: exit $rc, output: $out"
fi

rc=0
out=$("$server" -c "$tmp/does-not-exist.json" --check 2>&1) || rc=$?
if [[ $rc -eq 1 && $out == *"does-not-exist.json"* ]]; then
  pass "a missing config file is an error"
else
  fail "a missing config file: exit $rc, output: $out"
fi

# expect_check_errors FILE PATTERN...: --check exits 1 and prints every pattern
# (fixed strings, e.g. 'bad.json:4: key "colour"').
expect_check_errors() {
  local file=$1 rc=0 out pattern ok=1
  shift
  out=$("$server" -c "$file" --check 2>&1) || rc=$?
  if [[ $rc -ne 1 ]]; then
    fail "--check $(basename "$file"): exit $rc, want 1"
    ok=0
  fi
  for pattern in "$@"; do
    if ! grep -qF -- "$pattern" <<<"$out"; then
      fail "--check $(basename "$file"): no line with: $pattern"
      ok=0
    fi
  done
  if [[ $ok -eq 1 ]]; then
    pass "--check $(basename "$file") reports: $*"
  else
    echo "    output was:" >&2
    indent <<<"$out" >&2
  fi
}

cd "$tmp"  # errors name the file as given: keep the names short

cat >unknown-key.json <<'EOF'
{
  "vhosts": [
    { "listen": "127.0.0.1:7681",
      "colour": "blue" }
  ]
}
EOF
expect_check_errors unknown-key.json 'unknown-key.json:4: key "colour": unknown key'

cat >wrong-type.json <<'EOF'
{
  "loops": "two",
  "vhosts": [ { "listen": "127.0.0.1:7681" } ]
}
EOF
expect_check_errors wrong-type.json 'wrong-type.json:2: key "loops": expected an integer'

cat >bad-listen.json <<'EOF'
{
  "vhosts": [
    {
      "name": "x",
      "listen": "127.0.0.1:99999"
    }
  ]
}
EOF
expect_check_errors bad-listen.json 'bad-listen.json:5: key "listen": invalid address'

cat >missing-listen.json <<'EOF'
{
  "vhosts": [
    { "name": "a", "listen": "127.0.0.1:7681" },
    {
      "name": "b"
    }
  ]
}
EOF
expect_check_errors missing-listen.json 'missing-listen.json:4: key "listen": missing'

cat >syntax.json <<'EOF'
{
  "loops": 1,
  "vhosts": [ { "listen": "127.0.0.1:7681" } ]
  "log_level": "info"
}
EOF
expect_check_errors syntax.json 'syntax.json:4: invalid JSON'

# Every problem is listed, not only the first.
cat >many.json <<'EOF'
{
  "log_level": "chatty",
  "loops": 0,
  "vhosts": [
    { "listen": "nope", "protocol": "gopher" },
    { "listen": "127.0.0.1:7682", "lops": 2 }
  ]
}
EOF
expect_check_errors many.json \
  'many.json:2: key "log_level": unknown level "chatty"' \
  'many.json:3: key "loops": must be between 1 and' \
  'many.json:5: key "listen": invalid address' \
  'many.json:5: key "protocol": unknown protocol "gopher" (known: raw-echo' \
  'many.json:6: key "lops": unknown key'

# http vhosts: a mount origin that is not a directory is an error of --check,
# at the line of "origin" (relative origins are relative to the config file).
cat >bad-origin.json <<'EOF'
{
  "vhosts": [
    {
      "listen": "127.0.0.1:7681",
      "protocol": "http",
      "mounts": [
        { "mountpoint": "/static",
          "origin": "no-such-dir" },
        { "mountpoint": "/web", "origin": "http://example.com/" },
        { "mountpoint": "/f", "origin": "file://relative/dir" },
        { "mountpoint": "/g", "origin": "bad-origin.json" }
      ]
    }
  ]
}
EOF
expect_check_errors bad-origin.json \
  'bad-origin.json:8: key "origin": "no-such-dir": no such directory' \
  'bad-origin.json:9: key "origin": "http://" origins are not supported' \
  'bad-origin.json:10: key "origin": a file:// origin takes an absolute path' \
  'bad-origin.json:11: key "origin": "bad-origin.json": not a directory'

# Every http key is checked: ranges, unknown keys (in vhosts, mounts and
# auth), header names, error statuses, the shape of mounts, duplicates, and
# http keys in a vhost that does not speak http.
cat >http-errors.json <<'EOF'
{
  "vhosts": [
    {
      "listen": "127.0.0.1:7681",
      "protocol": "http",
      "max_headers": 0,
      "keepalive_timout_ms": 1000,
      "response_headers": { "Bad Name": "x", "X-Ok": 1 },
      "error_pages": { "200": "page.html", "404": "missing.html" },
      "mounts": [
        { "mountpoint": "static", "origin": "." },
        { "mountpoint": "/old", "redirect": "https://example.com/new", "index": "x.html" },
        { "mountpoint": "/x", "status": 302, "origin": "." },
        { "mountpoint": "/y" },
        { "mountpoint": "/z", "origin": ".", "auth": { "realm": "r", "user": "a" } },
        { "mountpoint": "/old/", "redirect": "/elsewhere", "status": 200, "colour": "red" }
      ]
    },
    { "listen": "127.0.0.1:7682", "demo": true }
  ]
}
EOF
expect_check_errors http-errors.json \
  'http-errors.json:6: key "max_headers": must be between 1 and' \
  'http-errors.json:7: key "keepalive_timout_ms": unknown key (did you mean "keepalive_timeout_ms"?)' \
  'http-errors.json:8: key "response_headers": "Bad Name" is not a header name' \
  'http-errors.json:8: key "response_headers": "X-Ok": expected a string' \
  'http-errors.json:9: key "error_pages": "200" is not an error status' \
  'http-errors.json:9: key "error_pages": "missing.html": no such file' \
  'http-errors.json:11: key "mountpoint": must start with "/"' \
  'http-errors.json:12: key "index": not used by a redirect mount' \
  'http-errors.json:13: key "status": only for a redirect mount' \
  'http-errors.json:14: key "origin": missing: a mount needs "origin"' \
  'http-errors.json:15: key "credentials_file": missing' \
  'http-errors.json:15: key "user": unknown key' \
  'http-errors.json:16: key "mountpoint": "/old/" is already mounted at line 12' \
  'http-errors.json:16: key "status": must be between 300 and 399' \
  'http-errors.json:16: key "colour": unknown key' \
  'http-errors.json:19: key "demo": only for vhosts with "protocol": "http"'

# The "tls" keys: each word list, versions, required fields, and the place
# of a certificates item; two TLS vhosts may share an address (SNI), a
# plain one may not.
cat >tls-errors.json <<'EOF'
{
  "vhosts": [
    {
      "name": "a",
      "listen": "127.0.0.1:7690",
      "tls": { "cert": "a.pem", "client_auth": "sometimes", "min_version": "1.1",
               "plaintext_http": "redirect", "certificates": [ { "cert": "b.pem" } ] }
    },
    { "name": "b", "listen": "127.0.0.1:7690", "tls": { "cert": "c.pem", "key": "c.key",
      "unknown_name": "maybe", "handshake_timeout_ms": 0 } },
    { "name": "c", "listen": "127.0.0.1:7690" },
    { "name": "d", "listen": "127.0.0.1:7691", "tls": { "key": "k.pem", "colour": "red" } }
  ]
}
EOF
expect_check_errors tls-errors.json \
  'tls-errors.json:6: key "tls": needs "cert" and "key"' \
  'tls-errors.json:6: key "client_auth": "sometimes": expected one of "none", "optional", "required"' \
  'tls-errors.json:6: key "min_version": "1.1": expected one of "1.2", "1.3"' \
  'tls-errors.json:7: key "key": missing (required in an item of "certificates")' \
  'tls-errors.json:10: key "unknown_name": "maybe": expected one of "default", "reject"' \
  'tls-errors.json:10: key "handshake_timeout_ms": must be between 1 and' \
  'tls-errors.json:11: key "listen": 127.0.0.1:7690 is already used by vhost "a"' \
  'tls-errors.json:12: key "colour": unknown key'

# A bad PORT is reported against the embedded config, at its "port_env" line.
port_env_line=$(grep -n '"port_env": "PORT"' default.json | head -n1 | cut -d: -f1 || true)
rc=0
out=$(PORT=not-a-port "$server" --check 2>&1) || rc=$?
if [[ $rc -eq 1 && $out == *"<default>:${port_env_line}: key \"port_env\""* ]]; then
  pass "PORT=not-a-port is reported as <default>:${port_env_line}"
else
  fail "PORT=not-a-port: exit $rc, output: $out"
fi

# --- the default config: the demo site over HTTP/1.1 --------------------------------

# http_get URL [CURL ARGS...]: the body into $tmp/body, the head into
# $tmp/head; prints the status code ("000" when nothing answered).
http_get() {
  local url=$1
  shift
  curl -s --max-time 10 -D "$tmp/head" -o "$tmp/body" -w '%{http_code}' "$@" "$url" || true
}
# header_of NAME: the first value of a response header in $tmp/head.
header_of() {
  grep -i "^$1:" "$tmp/head" | head -n 1 | cut -d: -f2- | sed 's/^ *//; s/\r$//'
}
# body_has TEXT: the last body holds TEXT (a fixed string).
body_has() { grep -qF -- "$1" "$tmp/body"; }
# expect_status WHAT WANT GOT: pass or fail, with the head and body on failure.
expect_status() {
  if [[ $3 == "$2" ]]; then
    pass "$1: $2"
  else
    fail "$1: status $3, want $2; head and body:"
    indent <"$tmp/head" >&2
    head -c 300 "$tmp/body" | indent >&2
  fi
}

port=$(free_port)
tls_port=$(free_port)
# The embedded config makes its self-signed certificate in the current
# directory: run it in a fresh one.
mkdir -p "$tmp/demo"
(cd "$tmp/demo" && exec env PORT=$port TLS_PORT=$tls_port "$server") >"$tmp/server.out" 2>"$tmp/server.log" &
server_pid=$!
bg_pids+=("$server_pid")
if wait_for_log "$tmp/server.log" "listening on 127.0.0.1:$tls_port" "$server_pid" &&
  grep -q "listening on 127.0.0.1:$port" "$tmp/server.log"; then
  pass "the demo listens on 127.0.0.1:$port and (TLS) 127.0.0.1:$tls_port (PORT, TLS_PORT overrides)"
else
  fail "the demo did not start on 127.0.0.1:$port and :$tls_port; its log:"
  indent <"$tmp/server.log" >&2
  exit 1
fi
base="http://127.0.0.1:$port"

# HTTPS with the certificate made on first run (verified: --cacert, no -k).
cert="$tmp/demo/lwspp-demo-cert.pem"
key_mode=$(stat -c %a "$tmp/demo/lwspp-demo-key.pem" 2>/dev/null || echo missing)
if [[ -s $cert && $key_mode == 600 ]] && grep -q "made a self-signed certificate" "$tmp/server.log"; then
  pass "first run made a self-signed certificate (key file mode 600)"
else
  fail "no self-signed certificate: cert '$cert', key mode '$key_mode'"
fi
out=$(curl -s --max-time 10 --cacert "$cert" -w ' %{http_code} %{ssl_verify_result}' "https://localhost:$tls_port/hello" 2>&1) || true
if [[ $out == "Hello, world! 200 0" ]]; then
  pass "curl --cacert https://localhost:$tls_port/hello: 200, verified, \"Hello, world!\""
else
  fail "https /hello: '$out'"
fi
out=$(curl -s --max-time 10 "http://127.0.0.1:$tls_port/hello" -w ' %{http_code}' 2>&1) || true
if [[ $out == *"https://"*" 400" ]]; then
  pass "plain http to the TLS port: 400 saying to use https://"
else
  fail "plain http to the TLS port: '$out'"
fi

# Exactly "Hello, world!": 13 bytes, no newline.
status=$(http_get "$base/hello")
if [[ $status == 200 ]] && printf 'Hello, world!' | cmp -s - "$tmp/body" &&
  [[ $(header_of content-type) == text/plain* ]]; then
  pass "curl $base/hello: 200, text/plain, exactly \"Hello, world!\""
else
  fail "GET /hello: status $status, content-type '$(header_of content-type)', body: $(head -c 100 "$tmp/body" | od -c | head -n 3)"
fi

status=$(http_get "$base/")
expect_status "GET / (the demo page)" 200 "$status"
if [[ $(header_of content-type) == text/html* ]] && body_has '<title>lwspp demo</title>' &&
  body_has 'href="/hello"' && body_has 'WebSocket echo' && body_has 'Chat' &&
  body_has "new WebSocket(base + '/echo')" && body_has "new WebSocket(base + '/chat?name='"; then
  pass "GET /: text/html, titled \"lwspp demo\", links /hello, its script opens the /echo and /chat WebSockets"
else
  fail "GET /: content-type '$(header_of content-type)', or the page lacks the title, the /hello link or the WebSocket sections"
fi
for path in /echo /chat; do
  status=$(http_get "$base$path")
  if [[ $status == 426 && $(header_of upgrade) == websocket ]]; then
    pass "GET $path without an upgrade: 426 with Upgrade: websocket (a WebSocket endpoint)"
  else
    fail "GET $path without an upgrade: status $status, upgrade '$(header_of upgrade)'"
  fi
done

status=$(http_get "$base/favicon.ico")
expect_status "GET /favicon.ico" 204 "$status"
status=$(http_get "$base/no-such-page")
expect_status "GET /no-such-page" 404 "$status"
status=$(http_get "$base/hello" -X POST -d x)
expect_status "POST /hello (a GET route)" 405 "$status"
# HEAD on the wire: curl never reads a body after HEAD, so ask with python3,
# which reads until the server closes.
if out=$(python3 - "$port" <<'EOF'
import socket, sys
s = socket.create_connection(("127.0.0.1", int(sys.argv[1])), timeout=10)
s.sendall(b"HEAD /hello HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
got = b""
while True:
    chunk = s.recv(4096)
    if not chunk:
        break
    got += chunk
head, sep, rest = got.partition(b"\r\n\r\n")
ok = head.startswith(b"HTTP/1.1 200") and b"\r\ncontent-length: 13" in head.lower() and sep and not rest
print(repr(got))
sys.exit(0 if ok else 1)
EOF
); then
  pass "HEAD /hello: 200, content-length 13, no body"
else
  fail "HEAD /hello: $out"
fi
if [[ $(header_of server) == lwspp ]]; then
  pass "responses carry Server: lwspp"
else
  fail "Server header: '$(header_of server)'"
fi

# Two requests, one connection: curl counts 1 new connection, then 0.
out=$(curl -s --max-time 10 -o /dev/null -o /dev/null -w '%{num_connects} ' "$base/hello" "$base/" 2>&1) || true
if [[ $out == "1 0 " ]]; then
  pass "keep-alive: the second request reused the connection"
else
  fail "keep-alive: curl's new connections per request: '$out', want '1 0 '"
fi

# The same port twice: the second server must say why and exit 1.
rc=0
PORT=$port timeout 10 "$server" >/dev/null 2>"$tmp/second.log" || rc=$?
if [[ $rc -eq 1 ]] && grep -qi "address already in use" "$tmp/second.log"; then
  pass "a second server on port $port: exit 1, 'address already in use'"
else
  fail "a second server on port $port: exit $rc, log: $(cat "$tmp/second.log")"
fi

# SIGHUP reloads the certificates and the server goes on serving.
kill -HUP "$server_pid"
if wait_for_log "$tmp/server.log" "demo-tls: certificates reloaded" "$server_pid"; then
  out=$(curl -s --max-time 10 --cacert "$cert" -w ' %{http_code}' "https://localhost:$tls_port/hello" 2>&1) || true
  if [[ $out == "Hello, world! 200" ]]; then
    pass "SIGHUP: certificates reloaded, https still served"
  else
    fail "after SIGHUP, https /hello: '$out'"
  fi
else
  fail "SIGHUP: no 'certificates reloaded' in the log"
fi

stop_gracefully "$server_pid" "$tmp/server.log" "lwspp-server (demo)" TERM

# --- a raw-echo vhost from a config file ----------------------------------------------

port=$(free_port)
cat >raw.json <<EOF
{
  "vhosts": [ { "name": "echo", "listen": "127.0.0.1:$port", "protocol": "raw-echo" } ]
}
EOF
"$server" -c raw.json >/dev/null 2>"$tmp/raw.log" &
raw_pid=$!
bg_pids+=("$raw_pid")
if wait_for_log "$tmp/raw.log" "listening on 127.0.0.1:$port" "$raw_pid"; then
  pass "the raw-echo vhost listens on 127.0.0.1:$port"
else
  fail "the raw-echo vhost did not start on 127.0.0.1:$port; its log:"
  indent <"$tmp/raw.log" >&2
  exit 1
fi

# 1 MiB of random bytes, written and read at the same time (echo servers push
# back when nobody reads), must come back exactly.
cat >"$tmp/echo_check.py" <<'EOF'
import os, socket, sys, threading

def echo_once(family, where, size):
    data = os.urandom(size)
    s = socket.socket(family, socket.SOCK_STREAM)
    s.settimeout(20)
    s.connect(where)
    def writer():
        s.sendall(data)
        s.shutdown(socket.SHUT_WR)
    t = threading.Thread(target=writer)
    t.start()
    got = bytearray()
    while True:
        chunk = s.recv(65536)
        if not chunk:
            break
        got += chunk
    t.join()
    s.close()
    if bytes(got) != data:
        first = next((i for i, (a, b) in enumerate(zip(got, data)) if a != b), min(len(got), len(data)))
        return "sent %d bytes, got %d back, first difference at byte %d" % (size, len(got), first)
    return None

target, size, parallel = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
if target.startswith("unix:"):
    family, where = socket.AF_UNIX, target[5:]
else:
    host, port = target.rsplit(":", 1)
    family, where = socket.AF_INET, (host, int(port))
errors = []
def run():
    try:
        e = echo_once(family, where, size)
    except Exception as ex:
        e = repr(ex)
    if e:
        errors.append(e)
threads = [threading.Thread(target=run) for _ in range(parallel)]
for t in threads: t.start()
for t in threads: t.join()
for e in errors: print(e, file=sys.stderr)
sys.exit(1 if errors else 0)
EOF

if python3 "$tmp/echo_check.py" "127.0.0.1:$port" $((1 << 20)) 1; then
  pass "python3: 1 MiB of random bytes echoed exactly"
else
  fail "python3: 1 MiB echo"
fi
if python3 "$tmp/echo_check.py" "127.0.0.1:$port" $((256 << 10)) 16; then
  pass "python3: 16 connections at once, 256 KiB each, echoed exactly"
else
  fail "python3: 16 parallel echoes"
fi

if command -v socat >/dev/null; then
  out=$(printf 'via socat\n' | timeout 10 socat -t 5 - "TCP:127.0.0.1:$port" 2>&1) || true
  if [[ $out == "via socat" ]]; then
    pass "socat: echoed"
  else
    fail "socat: got '$out'"
  fi
else
  note "socat is not installed"
fi

if command -v nc >/dev/null; then
  # OpenBSD nc closes its side on EOF with -N; traditional nc uses -q.
  nc_eof=(-q 1)
  nc -h 2>&1 | grep -q -- ' -N' && nc_eof=(-N)
  out=$(printf 'via nc\n' | timeout 10 nc "${nc_eof[@]}" 127.0.0.1 "$port" 2>&1) || true
  if [[ $out == "via nc" ]]; then
    pass "nc: echoed"
  else
    fail "nc: got '$out'"
  fi
else
  note "nc is not installed"
fi

if [[ -n $client ]]; then
  rc=0
  out=$("$client" "127.0.0.1:$port" "via raw-client" 2>"$tmp/client.err") || rc=$?
  if [[ $rc -eq 0 && $out == "via raw-client" ]]; then
    pass "examples/raw-client: echoed"
  else
    fail "examples/raw-client: exit $rc, stdout '$out', stderr: $(cat "$tmp/client.err")"
  fi
  closed_port=$(free_port)  # nothing listens there now
  rc=0
  "$client" "127.0.0.1:$closed_port" >/dev/null 2>"$tmp/client.err" || rc=$?
  if [[ $rc -eq 1 ]] && grep -q "connection refused: 127.0.0.1:$closed_port" "$tmp/client.err"; then
    pass "examples/raw-client: refused port gives exit 1 and the reason"
  else
    fail "examples/raw-client to a closed port: exit $rc, stderr: $(cat "$tmp/client.err")"
  fi
else
  fail "examples/raw-client not found under $build_dir"
fi

stop_gracefully "$raw_pid" "$tmp/raw.log" "lwspp-server (raw-echo)" TERM

# --- a Unix-socket vhost from a config file ----------------------------------------

sock="$tmp/echo.sock"
cat >unix.json <<EOF
{
  "log_level": "info",
  "vhosts": [ { "name": "local", "listen": "unix:$sock", "protocol": "raw-echo" } ]
}
EOF
"$server" -c unix.json >/dev/null 2>"$tmp/unix.log" &
unix_pid=$!
bg_pids+=("$unix_pid")
if wait_for_log "$tmp/unix.log" "listening on unix:$sock" "$unix_pid"; then
  if python3 "$tmp/echo_check.py" "unix:$sock" $((1 << 20)) 1; then
    pass "unix socket vhost: 1 MiB echoed exactly"
  else
    fail "unix socket vhost: 1 MiB echo"
  fi
  if [[ -n $client ]]; then
    out=$("$client" "unix:$sock" "over unix" 2>&1) || true
    if [[ $out == "over unix" ]]; then
      pass "examples/raw-client over a unix socket"
    else
      fail "examples/raw-client over a unix socket: got '$out'"
    fi
  fi
  stop_gracefully "$unix_pid" "$tmp/unix.log" "lwspp-server (unix)" INT
else
  fail "the unix socket vhost did not start; its log:"
  indent <"$tmp/unix.log" >&2
fi

# --- an http vhost with mounts, from a config in another directory ------------------

# Run from $tmp with the config in site/: every relative path in it (origins,
# the credentials file, the error page, the access log) is under site/.
mkdir -p site/www site/shared
printf 'served from a mount\n' >site/www/file.txt
printf '<p>index of www</p>\n' >site/www/index.html
printf 'shared by file://\n' >site/shared/a.txt
printf '<h1>custom 404</h1>\n' >site/404.html
printf '# who may see /private\nalice:secret\n' >site/users.txt
port=$(free_port)
cat >site/mounts.json <<EOF
{
  "vhosts": [
    {
      "name": "site",
      "listen": "127.0.0.1:$port",
      "protocol": "http",
      "demo": true,
      "server_name": "lwspp-test",
      "response_headers": { "X-Frame-Options": "DENY" },
      "error_pages": { "404": "404.html" },
      "access_log": "access.log",
      "keepalive_timeout_ms": 5000,
      "mounts": [
        { "mountpoint": "/static", "origin": "www", "cache_control": "max-age=60" },
        { "mountpoint": "/shared", "origin": "file://$tmp/site/shared" },
        { "mountpoint": "/private", "origin": "www",
          "auth": { "credentials_file": "users.txt", "realm": "test" } },
        { "mountpoint": "/old", "redirect": "https://example.com/new", "status": 308 }
      ]
    }
  ]
}
EOF
rc=0
out=$("$server" -c site/mounts.json --check 2>&1) || rc=$?
if [[ $rc -eq 0 ]]; then
  pass "--check site/mounts.json: relative paths resolve under the config's directory"
else
  fail "--check site/mounts.json: exit $rc: $out"
fi
"$server" -c site/mounts.json >/dev/null 2>"$tmp/site.log" &
site_pid=$!
bg_pids+=("$site_pid")
if wait_for_log "$tmp/site.log" "listening on 127.0.0.1:$port" "$site_pid"; then
  base="http://127.0.0.1:$port"
  status=$(http_get "$base/static/file.txt")
  if [[ $status == 200 ]] && printf 'served from a mount\n' | cmp -s - "$tmp/body"; then
    pass "mount: GET /static/file.txt serves the file from the temp dir"
  else
    fail "mount: GET /static/file.txt: status $status, body: $(head -c 100 "$tmp/body")"
  fi
  if [[ $(header_of cache-control) == max-age=60 && $(header_of server) == lwspp-test &&
    $(header_of x-frame-options) == DENY ]]; then
    pass "mount: cache_control, server_name and response_headers are sent"
  else
    fail "mount: headers: cache-control '$(header_of cache-control)', server '$(header_of server)', x-frame-options '$(header_of x-frame-options)'"
  fi
  status=$(http_get "$base/static/")
  if [[ $status == 200 ]] && body_has 'index of www'; then
    pass "mount: GET /static/ serves index.html"
  else
    fail "mount: GET /static/: status $status"
  fi
  status=$(http_get "$base/shared/a.txt")
  if [[ $status == 200 ]] && body_has 'shared by file://'; then
    pass "mount: a file:/// origin"
  else
    fail "mount: GET /shared/a.txt: status $status"
  fi
  status=$(http_get "$base/static/no-such-file")
  if [[ $status == 404 ]] && body_has 'custom 404'; then
    pass "error_pages: 404 sends 404.html"
  else
    fail "error_pages: GET /static/no-such-file: status $status, body: $(head -c 100 "$tmp/body")"
  fi
  status=$(http_get "$base/private/file.txt")
  if [[ $status == 401 && $(header_of www-authenticate) == *'realm="test"'* ]]; then
    pass "auth: 401 with realm \"test\" without credentials"
  else
    fail "auth: no credentials: status $status, www-authenticate '$(header_of www-authenticate)'"
  fi
  status=$(http_get "$base/private/file.txt" -u alice:wrong)
  expect_status "auth: a wrong password" 401 "$status"
  status=$(http_get "$base/private/file.txt" -u alice:secret)
  expect_status "auth: alice:secret from users.txt" 200 "$status"
  status=$(http_get "$base/old/page?x=1")
  if [[ $status == 308 && $(header_of location) == https://example.com/new/page* ]]; then
    pass "redirect mount: 308 to $(header_of location)"
  else
    fail "redirect mount: status $status, location '$(header_of location)'"
  fi
  status=$(http_get "$base/hello")
  if [[ $status == 200 ]] && printf 'Hello, world!' | cmp -s - "$tmp/body"; then
    pass "demo routes next to mounts: /hello"
  else
    fail "demo routes next to mounts: GET /hello: status $status"
  fi
  stop_gracefully "$site_pid" "$tmp/site.log" "lwspp-server (mounts)" TERM
  if grep -q '"GET /static/file.txt HTTP/1.1" 200' site/access.log 2>/dev/null; then
    pass "access_log: site/access.log has the requests"
  else
    fail "access_log: no GET /static/file.txt line in site/access.log: $(cat site/access.log 2>&1 | head -n 5)"
  fi
else
  fail "the mounts vhost did not start; its log:"
  indent <"$tmp/site.log" >&2
fi

# --- examples/raw-line-server ---------------------------------------------------------

# 20,000 pipelined lines (PING, others, lines cut across writes), sent while
# the answers are read: every line gets its answer, in order.
cat >"$tmp/line_check.py" <<'EOF'
import socket, sys, threading
host, port = sys.argv[1].rsplit(":", 1)
lines = [b"PING" if i % 7 else b"hello %d" % i for i in range(20000)]
want = b"".join(b"PONG\n" if l == b"PING" else b"ERR\n" for l in lines)
data = b"".join(l + b"\n" for l in lines)
s = socket.create_connection((host, int(port)))
def send():
    # Uneven pieces, so lines are cut at every kind of place.
    i, step = 0, 1
    while i < len(data):
        s.sendall(data[i:i + step])
        i += step
        step = step * 3 % 9973 + 1
    s.shutdown(socket.SHUT_WR)
threading.Thread(target=send).start()
got = b""
while len(got) < len(want):
    b = s.recv(65536)
    if not b:
        break
    got += b
ok = got == want
print("answers", len(got), "of", len(want), "match" if ok else "DIFFER")
sys.exit(0 if ok else 1)
EOF

# QUIT: the server answers BYE and half-closes; we read to its EOF, then
# may still send.
cat >"$tmp/line_quit.py" <<'EOF'
import socket, sys
s = socket.create_connection(("127.0.0.1", int(sys.argv[1])), timeout=10)
s.sendall(b"PING\nQUIT\nPING\n")
got = b""
while True:
    b = s.recv(65536)
    if not b:
        break
    got += b
s.sendall(b"PING\n")  # still allowed: only the server's side is shut
print(got.decode().replace("\n", " ").strip())
EOF

if [[ -n $line_example ]]; then
  port=$(free_port)
  "$line_example" "$port" >/dev/null 2>"$tmp/line.log" &
  line_pid=$!
  bg_pids+=("$line_pid")
  if wait_for_log "$tmp/line.log" "listening on 127.0.0.1:$port" "$line_pid"; then
    if python3 "$tmp/line_check.py" "127.0.0.1:$port"; then
      pass "examples/raw-line-server: 20,000 pipelined lines answered in order"
    else
      fail "examples/raw-line-server: pipelined lines"
    fi
    # QUIT: BYE, then the server's EOF while our side is still open.
    got=$(python3 "$tmp/line_quit.py" "$port" 2>&1) || true
    expect_eq "examples/raw-line-server: QUIT half-closes after BYE" "$got" "PONG BYE"
    stop_gracefully "$line_pid" "$tmp/line.log" "examples/raw-line-server" INT
  else
    fail "examples/raw-line-server did not start; its log:"
    indent <"$tmp/line.log" >&2
  fi
fi

# --- examples/raw-echo-server ---------------------------------------------------------

if [[ -n $echo_example ]]; then
  port=$(free_port)
  "$echo_example" "$port" >/dev/null 2>"$tmp/example.log" &
  example_pid=$!
  bg_pids+=("$example_pid")
  if wait_for_log "$tmp/example.log" "listening on 127.0.0.1:$port" "$example_pid"; then
    if python3 "$tmp/echo_check.py" "127.0.0.1:$port" $((1 << 20)) 1; then
      pass "examples/raw-echo-server: 1 MiB echoed exactly"
    else
      fail "examples/raw-echo-server: 1 MiB echo"
    fi
    stop_gracefully "$example_pid" "$tmp/example.log" "examples/raw-echo-server" INT
  else
    fail "examples/raw-echo-server did not start; its log:"
    indent <"$tmp/example.log" >&2
  fi
else
  note "examples/raw-echo-server is not built"
fi

finish
