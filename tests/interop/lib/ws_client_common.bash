# Shared by tests/interop/ws_client_*.sh: our WebSocket client
# (examples/ws-client) against a peer's server. Sources ws_common.bash for
# the counters, `tmp` and the cleanup trap.
#
#   ws_client_find             sets `client` (the ws-client executable)
#   ws_client_run NAME WANT ARGS...
#                              runs `ws-client ARGS...` (stdin from
#                              $client_stdin, default /dev/null; 120 s at
#                              most) and checks that it exits WANT and that
#                              its stderr has no sanitizer report; its
#                              stdout is left in $tmp/NAME.out
#   ws_client_collect LOG N    stops the peer's server ($server_pid) and turns
#                              its "ok:"/"FAIL:" lines into checks; it must
#                              have made N of them
#   ws_client_wait_server WHAT LOG PORT...
#                              waits for the peer's server to accept on every
#                              PORT; if it does not, prints LOG and ends the
#                              script with a failure naming WHAT

source "$(dirname "${BASH_SOURCE[0]}")/ws_common.bash"

ws_client_find() {
  client=$ws_build_dir/examples/ws-client
  if [[ ! -x $client ]]; then
    echo "FAIL: $client not found (build it, or set LWSPP_BUILD_DIR)" >&2
    exit 1
  fi
  echo "client:   $client"
}

ws_client_wait_server() {
  local what=$1 log=$2 p
  shift 2
  for p in "$@"; do
    wait_port "$p" && continue
    echo "FAIL: $what did not start:" >&2
    indent <"$log" >&2
    exit 1
  done
}

ws_client_run() {
  local name=$1 want=$2
  shift 2
  local rc=0
  timeout 120 "$client" "$@" <"${client_stdin:-/dev/null}" >"$tmp/$name.out" 2>"$tmp/$name.err" ||
    rc=$?
  if [[ $rc -eq $want ]]; then
    pass "$name: ws-client exits $rc"
  else
    fail "$name: ws-client exits $rc, expected $want; its stderr:"
    indent <"$tmp/$name.err" >&2
  fi
  if grep -qE 'AddressSanitizer|LeakSanitizer|runtime error:' "$tmp/$name.err"; then
    fail "$name: a sanitizer report:"
    indent <"$tmp/$name.err" >&2
  fi
}

# A self-signed certificate for localhost: $tmp/cert.pem, $tmp/key.pem.
ws_client_make_cert() {
  command -v openssl >/dev/null || { echo "skip: openssl is not installed"; exit 77; }
  openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 2 -subj /CN=localhost \
    -addext subjectAltName=DNS:localhost -keyout "$tmp/key.pem" -out "$tmp/cert.pem" 2>/dev/null
}

ws_client_collect() {
  local log=$1 want=$2 line got
  kill -TERM "$server_pid" 2>/dev/null || true
  wait "$server_pid" 2>/dev/null || true
  server_pid=
  while IFS= read -r line; do
    case $line in
      "ok:   "*) pass "${line#ok:   }" ;;
      "FAIL: "*) fail "${line#FAIL: }" ;;
    esac
  done <"$log"
  got=$(grep -cE '^(ok|FAIL): ' "$log" || true)
  if [[ $got -eq $want ]]; then pass "the server made all $want checks"; else
    fail "the server made $got checks, expected $want; its log:"
    indent <"$log" >&2
  fi
}
