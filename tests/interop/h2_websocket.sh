#!/usr/bin/env bash
# WebSockets over HTTP/2 (RFC 8441) against the WebSocket test server
# (tests/interop/servers/ws_test_server.cpp), with a client written on
# python3-hpack and raw frames (tests/interop/lib/h2_websocket.py), over h2c
# and over TLS (ALPN h2):
#
#   SETTINGS_ENABLE_CONNECT_PROTOCOL = 1; extended CONNECT answered 200 with
#   no Upgrade/Connection/Sec-WebSocket-Accept; text, 300 kB binary (flow
#   control both ways), ping/pong; two WebSockets and a plain GET on one
#   connection; the closing handshake ending the stream; a client reset;
#   refusals (404 for a path without a WebSocket route, 501 for another
#   :protocol, 426 for a version other than 13, :protocol on a GET
#   malformed); subprotocol and permessage-deflate agreed in the 200;
#   a server stop (close 1001, then END_STREAM); the handlers' view of each
#   close in the server's log.
#
# And headless Chromium, which speaks RFC 8441 when the server announces
# it: a page loaded over https (h2) opens wss:// /echo-deflate; the handler
# reports an HTTP/2 handshake and a compressed socket.
#
# ctest runs it with LWSPP_BUILD_DIR set; by hand:
#   LWSPP_BUILD_DIR=build/dev bash tests/interop/h2_websocket.sh
# Exit: 0 all passed, 1 something failed, 77 skipped (no python3-hpack).
set -euo pipefail

source "$(dirname "${BASH_SOURCE[0]}")/lib/ws_common.bash"
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
need_python python3-hpack hpack

ws_start_server

# run TAG ARGS...: one case of h2_websocket.py; its ok/FAIL lines counted.
run() {
  local tag=$1 out
  shift
  out=$(timeout 60 "$py" "$here/lib/h2_websocket.py" "$@" 2>&1) || true
  while IFS= read -r line; do
    case $line in
      "ok:   "*) pass "$tag ${line#ok:   }" ;;
      "FAIL: "*) fail "$tag ${line#FAIL: }" ;;
      *) [[ -n $line ]] && fail "$tag: $line" ;;
    esac
  done <<<"$out"
  grep -q '^FAIL' <<<"$out" || [[ -n $out ]] || fail "$tag: no output"
}

for c in echo refusals subprotocol_and_deflate; do
  run "h2c $c:" "$ws_port" "$c"
  run "tls $c:" --tls "$wss_port" "$c"
done

# The handlers saw each close as it happened: per transport, the closing
# handshake (1000 bye) and the client's reset (1006, no close frame) of
# the echo case, and the two sockets left open when each later script
# exited (the HTTP/2 connection's EOF ends their streams: 1006).
sleep 0.5
expect_eq "closes after the closing handshake (1000 bye)" \
  "$(grep -c "closed code=1000 reason='bye'" "$server_log")" "2"
expect_eq "closes seen as 1006 (reset, or the client's connection gone)" \
  "$(grep -c "closed code=1006 reason='' why='closed by peer: connection closed without a close frame'" "$server_log")" "6"

# --- Chromium ----------------------------------------------------------------------------
chromium=
for c in chromium chromium-browser google-chrome; do
  command -v "$c" >/dev/null && { chromium=$(command -v "$c"); break; }
done
if [[ -n $chromium ]]; then
  cat >"$tmp/www/probe.html" <<'HTML'
<!doctype html><html><body><p id="out">waiting</p><script>
const ws = new WebSocket("wss://" + location.host + "/echo-deflate");
const got = [];
ws.onopen = () => { ws.send("!http"); ws.send("!info"); ws.send("x".repeat(100000)); };
ws.onmessage = (e) => {
  got.push(e.data.length > 100 ? "echo " + e.data.length : e.data);
  if (got.length == 3) document.getElementById("out").textContent = "got: " + got.join(" | ");
};
ws.onerror = () => { document.getElementById("out").textContent = "error"; };
</script></body></html>
HTML
  dom=
  for attempt in 1 2 3; do
    dom=$(timeout 120 "$chromium" --headless --disable-gpu --no-sandbox --no-first-run \
      --disable-dev-shm-usage --disable-extensions --user-data-dir="$tmp/profile-$attempt" \
      --ignore-certificate-errors --virtual-time-budget=5000 --dump-dom \
      "https://127.0.0.1:$wss_port/probe.html" 2>"$tmp/chromium.log" | grep -o '<p id="out">[^<]*') || true
    # --virtual-time-budget does not wait for network frames: load again
    # when the page was dumped before the answers came.
    [[ $dom == *"got: "* ]] && break
  done
  expect_match "Chromium: wss:// over HTTP/2 (RFC 8441), permessage-deflate, 100 kB echoed" "$dom" \
    'got: version=20 peer=127\.0\.0\.1:[0-9]+ \| protocol= compressed=1 \| echo 100000$'
else
  echo "note: no chromium: the browser case is left out"
fi

run "h2c stop:" "$ws_port" stop "$server_pid"
rc=0
wait "$server_pid" || rc=$?
server_pid=
expect_eq "the server exits 0 after SIGTERM" "$rc" "0"
expect_eq "the stopped WebSocket's handler saw the server's 1001" \
  "$(grep -c "closed code=1001 reason='' why='server stopping" "$server_log")" "1"
if grep -qE 'AddressSanitizer|LeakSanitizer|runtime error:' "$server_log"; then
  fail "a sanitizer report in the server's log:"
  indent <"$server_log" >&2
else
  pass "no sanitizer report in the server's log"
fi
finish
