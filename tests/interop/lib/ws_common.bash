# Shared by tests/interop/ws_*.sh: checks, counting, and the WebSocket test
# server (tests/interop/servers/ws_test_server.cpp) started on ws:// and
# wss:// ports of its own.
#
#   ws_start_server         finds and starts it; sets tmp, ws_port, wss_port,
#                           cert (its self-signed certificate) and server_log
#   ws_stop_server          SIGTERM; checks the exit status and the log for
#                           sanitizer reports
#   pass / fail / ws_finish counting, and the closing "N passed, N failed" line
#   ws_need_python          sets py: a python3 with Debian's python3-websockets
#                           (else exit 77)
#   ws_need_node_ws         sets ws_module: Node's `ws` package, from npm into
#                           a cache directory (LWSPP_NPM_CACHE, default
#                           ~/.cache/lwspp-npm) once (else exit 77)
#
# Needs `set -euo pipefail` and LWSPP_BUILD_DIR (ctest sets it).

source "$(dirname "${BASH_SOURCE[0]}")/common.bash"

ws_here=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
ws_build_dir=${LWSPP_BUILD_DIR:-$(cd "$ws_here/../.." && pwd)/build}
server_pid=
tmp=$(mktemp -d "${TMPDIR:-/tmp}/lwspp-ws.XXXXXX")

ws_cleanup() {
  if [[ -n $server_pid ]]; then
    kill -TERM "$server_pid" 2>/dev/null || true
    wait "$server_pid" 2>/dev/null || true
  fi
  if [[ -n ${KEEP_TMP:-} ]]; then echo "kept $tmp"; else rm -rf "$tmp"; fi
}
trap ws_cleanup EXIT

ws_start_server() {
  local server=$ws_build_dir/tests/ws_test_server
  if [[ ! -x $server ]]; then
    echo "FAIL: $server not found (build it, or set LWSPP_BUILD_DIR)" >&2
    exit 1
  fi
  mkdir -p "$tmp/www"
  [[ -f $tmp/www/index.html ]] || echo "<!doctype html><p>ws_test_server</p>" >"$tmp/www/index.html"
  server_log=$tmp/server.log
  "$server" "$tmp/ports" "$tmp" 2>"$server_log" &
  server_pid=$!
  for ((i = 0; i < 100; i++)); do
    [[ -s $tmp/ports ]] && break
    kill -0 "$server_pid" 2>/dev/null || break
    sleep 0.1
  done
  if [[ ! -s $tmp/ports ]]; then
    echo "FAIL: ws_test_server did not start; its log:" >&2
    indent <"$server_log" >&2
    exit 1
  fi
  ws_port=$(sed -n 1p "$tmp/ports")
  wss_port=$(sed -n 2p "$tmp/ports")
  cert=$tmp/cert.pem
  echo "server:   $server (ws :$ws_port, wss :$wss_port)"
}

ws_stop_server() {
  kill -TERM "$server_pid"
  local rc=0
  wait "$server_pid" || rc=$?
  server_pid=
  if [[ $rc -eq 0 ]]; then pass "the server exits 0 after SIGTERM"; else fail "the server exits $rc after SIGTERM"; fi
  if grep -qE 'AddressSanitizer|LeakSanitizer|runtime error:' "$server_log"; then
    fail "a sanitizer report in the server's log:"
    indent <"$server_log" >&2
  else
    pass "no sanitizer report in the server's log"
  fi
}

ws_finish() { finish; }

ws_need_python() {
  # Debian's python3-websockets is in the system python's path, which a
  # python3 earlier in PATH (pyenv, a venv) may not see.
  py=
  local p
  for p in python3 /usr/bin/python3; do
    if command -v "$p" >/dev/null && "$p" -c 'import websockets' 2>/dev/null; then
      py=$(command -v "$p")
      break
    fi
  done
  [[ -n $py ]] || { echo "skip: python3-websockets is not installed (scripts/install-deps test)"; exit 77; }
  echo "python:   $py $("$py" -c 'import sys, websockets; print(sys.version.split()[0], "websockets", websockets.__version__)')"
}

ws_need_node_ws() {
  command -v node >/dev/null || { echo "skip: node is not installed (scripts/install-deps test)"; exit 77; }
  local cache=${LWSPP_NPM_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/lwspp-npm}
  if [[ ! -f $cache/node_modules/ws/package.json ]]; then
    command -v npm >/dev/null || { echo "skip: npm is needed to install the ws package"; exit 77; }
    mkdir -p "$cache"
    if ! timeout 300 npm install --no-audit --no-fund --silent --prefix "$cache" ws@8 >"$cache/install.log" 2>&1; then
      echo "skip: npm install ws failed:"
      tail -n 5 "$cache/install.log"
      exit 77
    fi
  fi
  ws_module=$cache/node_modules/ws
  echo "node:     $(node --version), ws $(node -p "require('$ws_module/package.json').version")"
}
