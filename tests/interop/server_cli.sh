#!/usr/bin/env bash
# lwspp-server from the outside: --check on the default config and on broken
# ones (every error must name FILE:LINE and the key), the raw-echo demo
# against python3, socat, nc and examples/raw-client, a Unix-socket vhost,
# graceful SIGTERM, and a second server on a taken port.
#
# ctest runs it with LWSPP_BUILD_DIR set; by hand:
#   LWSPP_BUILD_DIR=build/dev bash tests/interop/server_cli.sh
# Exit: 0 all passed, 1 something failed, 77 skipped (no python3).
set -euo pipefail

failures=0
fail() {
  echo "FAIL: $*" >&2
  failures=$((failures + 1))
}
pass() { echo "ok:   $*"; }
note() { echo "skip: $*"; }
indent() { sed 's/^/    /'; }

command -v python3 >/dev/null || { echo "skip: python3 is needed"; exit 77; }

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

free_port() {
  python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

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
if python3 -c 'import json, sys; c = json.load(open(sys.argv[1])); assert c["vhosts"][0]["listen"] == "127.0.0.1:7681"' "$tmp/default.json"; then
  pass "--print-default-config is JSON with the demo on 127.0.0.1:7681"
else
  fail "--print-default-config: not JSON, or the demo is not on 127.0.0.1:7681"
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

# A bad PORT is reported against the embedded config, at its "port_env" line.
port_env_line=$(grep -n '"port_env"' default.json | cut -d: -f1 || true)
rc=0
out=$(PORT=not-a-port "$server" --check 2>&1) || rc=$?
if [[ $rc -eq 1 && $out == *"<default>:${port_env_line}: key \"port_env\""* ]]; then
  pass "PORT=not-a-port is reported as <default>:${port_env_line}"
else
  fail "PORT=not-a-port: exit $rc, output: $out"
fi

# --- the raw-echo demo -----------------------------------------------------------

port=$(free_port)
PORT=$port TLS_PORT=1 "$server" >"$tmp/server.out" 2>"$tmp/server.log" &
server_pid=$!
bg_pids+=("$server_pid")
if wait_for_log "$tmp/server.log" "listening on 127.0.0.1:$port" "$server_pid"; then
  pass "the demo listens on 127.0.0.1:$port (PORT override)"
else
  fail "the demo did not start on 127.0.0.1:$port; its log:"
  indent <"$tmp/server.log" >&2
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

# The same port twice: the second server must say why and exit 1.
rc=0
PORT=$port timeout 10 "$server" >/dev/null 2>"$tmp/second.log" || rc=$?
if [[ $rc -eq 1 ]] && grep -qi "address already in use" "$tmp/second.log"; then
  pass "a second server on port $port: exit 1, 'address already in use'"
else
  fail "a second server on port $port: exit $rc, log: $(cat "$tmp/second.log")"
fi

stop_gracefully "$server_pid" "$tmp/server.log" "lwspp-server" TERM

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

if [[ $failures -gt 0 ]]; then
  echo "$failures check(s) FAILED" >&2
  exit 1
fi
echo "all checks passed"
