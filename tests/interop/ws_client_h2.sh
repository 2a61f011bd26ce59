#!/usr/bin/env bash
# Our WebSocket client (examples/ws-client --http2) over HTTP/2 (RFC 8441):
#
# 1. Against a server written on python3-h2 (tests/interop/lib/ws_h2_server.py),
#    over h2c with prior knowledge and over TLS (ALPN h2): the extended
#    CONNECT's fields; text and binary echoes from 0 B to 1 MiB (crossing
#    the flow-control windows both ways); a ping; the server's close with
#    1000 and 4000 answered with its code; the client's END_STREAM after the
#    closing handshake; a server's RST_STREAM (the client reports 1006 with
#    CANCEL); the client's abort seen as RST_STREAM CANCEL; a CONNECT left
#    unanswered (the handshake timeout, then RST_STREAM CANCEL); a 403 refusal.
# 2. The same server without SETTINGS_ENABLE_CONNECT_PROTOCOL: the client
#    sends no CONNECT, closes, and opens the WebSocket with an HTTP/1.1
#    Upgrade on a new connection (h2c and TLS).
# 3. Against our own server (tests/interop/servers/ws_test_server): lines
#    echoed over h2c and TLS, a 1 MiB one among them, the handler seeing an
#    HTTP/2 handshake ("!http": version=20), a subprotocol and
#    permessage-deflate agreed in the 200 ("!info"); examples/ws-h2-client.
#
# ctest runs it with LWSPP_BUILD_DIR set; by hand:
#   LWSPP_BUILD_DIR=build/dev bash tests/interop/ws_client_h2.sh
# Exit: 0 all passed, 1 something failed, 77 skipped (no python3-h2).
set -euo pipefail

source "$(dirname "${BASH_SOURCE[0]}")/lib/ws_client_common.bash"
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
need_python python3-h2 h2
ws_client_find
ws_client_make_cert

# --- 1 and 2: python3-h2 ------------------------------------------------------------------
start_py() {  # LOG ARGS...: sets port, tls_port, server_pid
  local log=$1
  shift
  port=$(free_port)
  tls_port=$(free_port)
  "$py" "$here/lib/ws_h2_server.py" "$port" "$tls_port" "$tmp/cert.pem" "$tmp/key.pem" "$@" \
    >"$log" 2>&1 &
  server_pid=$!
  ws_client_wait_server "the python3-h2 server" "$log" "$port" "$tls_port"
}

start_py "$tmp/h2.log"
echo "server:   python3-h2 on h2c :$port, TLS :$tls_port"
h2c=(--http2 prior-knowledge)
tls=(--http2 negotiate --ca "$tmp/cert.pem")
ws_client_run h2c-echo 0 --echo "${h2c[@]}" "ws://127.0.0.1:$port/drive"
ws_client_run h2c-echo-close-4000 1 --echo "${h2c[@]}" "ws://127.0.0.1:$port/drive?close=4000"
ws_client_run tls-echo 0 --echo "${tls[@]}" "wss://localhost:$tls_port/drive"
ws_client_run tls-echo-close-4000 1 --echo "${tls[@]}" "wss://localhost:$tls_port/drive?close=4000"
ws_client_run h2c-server-reset 1 --echo "${h2c[@]}" "ws://127.0.0.1:$port/reset"
expect_match "the server's reset reaches handlers::close" "$(cat "$tmp/h2c-server-reset.err")" \
  "closed 1006 .*the server reset the stream \(CANCEL\)"
ws_client_run tls-abort 1 --echo --abort-on "abort now" "${tls[@]}" "wss://localhost:$tls_port/abort"
ws_client_run h2c-handshake-timeout 1 --echo --handshake-timeout 300 "${h2c[@]}" \
  "ws://127.0.0.1:$port/silent"
expect_match "no answer to the CONNECT is a handshake timeout" \
  "$(cat "$tmp/h2c-handshake-timeout.err")" "no answer to the extended CONNECT \(HTTP/2\) within 300 ms"
ws_client_run tls-refused 1 --echo "${tls[@]}" "wss://localhost:$tls_port/refuse"
expect_match "a 403 is a refused handshake" "$(cat "$tmp/tls-refused.err")" \
  "HTTP 403 to the extended CONNECT"
# Per drive: CONNECT + 5 + END_STREAM = 7 (x4); reset: 2; abort: 2; silent: 2;
# refuse: 1.
ws_client_collect "$tmp/h2.log" $((4 * 7 + 2 + 2 + 2 + 1))

start_py "$tmp/fallback.log" --no-connect-protocol
echo "server:   python3-h2 without ENABLE_CONNECT_PROTOCOL on h2c :$port, TLS :$tls_port"
ws_client_run h2c-fallback 0 --echo "${h2c[@]}" "ws://127.0.0.1:$port/drive"
ws_client_run tls-fallback 0 --echo "${tls[@]}" "wss://localhost:$tls_port/drive"
# Per transport: the HTTP/2 connection closed unused, the Upgrade, 5 of the drive.
ws_client_collect "$tmp/fallback.log" $((2 * 7))

# --- 3: our own server --------------------------------------------------------------------
ws_start_server
big=$(head -c $((1 << 20)) /dev/zero | tr '\0' 'x')
printf '!http\nhello over h2\n%s\n!info\n' "$big" >"$tmp/lines"
own() {  # NAME URL ARGS...: the lines echoed in order, the handshake an HTTP/2 one
  local name=$1 url=$2
  shift 2
  # The input ends (and the client closes) once the echoes are back.
  client_stdin=<(cat "$tmp/lines"; sleep 1) ws_client_run "$name" 0 "$@" "$url"
  local out=$tmp/$name.out
  expect_match "$name: the handler saw HTTP/2" "$(sed -n 1p "$out")" "^version=20 peer=127.0.0.1"
  expect_eq "$name: a text line echoed" "$(sed -n 2p "$out")" "hello over h2"
  expect_eq "$name: the 1 MiB line echoed whole" "$(sed -n 3p "$out" | wc -c)" $(((1 << 20) + 1))
}
own own-h2c "ws://127.0.0.1:$ws_port/echo" "${h2c[@]}"
expect_eq "own-h2c: no subprotocol, no compression" "$(sed -n 4p "$tmp/own-h2c.out")" \
  "protocol= compressed=0"
own own-tls-deflate "wss://localhost:$wss_port/echo-deflate" --deflate --http2 negotiate \
  --ca "$cert"
expect_eq "own-tls-deflate: permessage-deflate agreed over HTTP/2" \
  "$(sed -n 4p "$tmp/own-tls-deflate.out")" "protocol= compressed=1"
own own-tls-proto "wss://localhost:$wss_port/proto" -p chat.v1 --http2 negotiate --ca "$cert"
expect_eq "own-tls-proto: the subprotocol agreed over HTTP/2" \
  "$(sed -n 4p "$tmp/own-tls-proto.out")" "protocol=chat.v1 compressed=0"
# The example (examples/ws-h2-client): h2c with prior knowledge.
expect_eq "examples/ws-h2-client's message echoed" \
  "$(timeout 20 "$ws_build_dir/examples/ws-h2-client" "ws://127.0.0.1:$ws_port/echo" hi)" "hi"
sleep 0.3
expect_eq "our server saw four closing handshakes (1000)" \
  "$(grep -c "closed code=1000" "$server_log")" "4"
ws_stop_server
ws_finish
