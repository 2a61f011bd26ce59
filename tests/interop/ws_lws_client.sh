#!/usr/bin/env bash
# lwspp-server's demo against libwebsockets' own test client
# (libwebsockets-test-client, Debian package libwebsockets-test-server): the
# client connects to "/" with dumb-increment-protocol (it prints every
# counter it gets) and lws-mirror-protocol (it sends drawing commands
# "c #RRGGBB x y r;" as fast as it can), over ws:// and wss:// (-s: TLS,
# self-signed allowed), with permessage-deflate agreed (the client always
# offers it) and declined (the vhost's "demo_deflate": false). Checked:
#   - the counters arrive, one every ~50 ms, 0, 1, 2, ... without a gap;
#   - the mirror's frames come back to the client (its debug log shows each
#     received frame's size: drawing commands are 16 bytes and more);
#   - a python3-websockets mirror client beside it gets those commands
#     (relayed across the server's two loops by pub/sub), and a dumb
#     client's "reset\n" puts its counter back to 0;
#   - the deflate extension is agreed or not as configured;
#   - the server exits 0 on SIGTERM with no sanitizer report.
#
# ctest runs it with LWSPP_BUILD_DIR set; by hand:
#   LWSPP_BUILD_DIR=build/dev bash tests/interop/ws_lws_client.sh
# Exit: 0 all passed, 1 something failed, 77 skipped (no libwebsockets-test-client).
set -euo pipefail

lws_client=$(command -v libwebsockets-test-client || true)
[[ -n $lws_client ]] || {
  echo "skip: libwebsockets-test-client is not installed (scripts/install-deps test)"
  exit 77
}
py=
for p in python3 /usr/bin/python3; do
  if command -v "$p" >/dev/null && "$p" -c 'import websockets' 2>/dev/null; then
    py=$(command -v "$p")
    break
  fi
done

source "$(dirname "${BASH_SOURCE[0]}")/lib/ws_common.bash"
server=$ws_build_dir/lwspp-server
[[ -x $server ]] || { echo "FAIL: $server not found (build it, or set LWSPP_BUILD_DIR)" >&2; exit 1; }
echo "client:   $lws_client ($(dpkg-query -W -f='${Version}' libwebsockets-test-server 2>/dev/null || echo '?'))"
echo "python:   ${py:-none (the observer checks are skipped)}"


# Four demo vhosts: ws and wss, deflate agreed and declined; two loops.
declare -A port
for v in ws-z ws-plain wss-z wss-plain; do port[$v]=$(free_port); done
cat >"$tmp/config.json" <<EOF
{
  "log_level": "notice",
  "loops": 2,
  "vhosts": [
    {"name": "ws-z", "listen": "127.0.0.1:${port[ws-z]}", "protocol": "http", "demo": true},
    {"name": "ws-plain", "listen": "127.0.0.1:${port[ws-plain]}", "protocol": "http",
     "demo": true, "demo_deflate": false},
    {"name": "wss-z", "listen": "127.0.0.1:${port[wss-z]}", "protocol": "http", "demo": true,
     "tls": {"cert": "$tmp/cert.pem", "key": "$tmp/key.pem", "self_signed": true}},
    {"name": "wss-plain", "listen": "127.0.0.1:${port[wss-plain]}", "protocol": "http",
     "demo": true, "demo_deflate": false,
     "tls": {"cert": "$tmp/cert2.pem", "key": "$tmp/key2.pem", "self_signed": true}}
  ]
}
EOF
server_log=$tmp/server.log
"$server" -c "$tmp/config.json" 2>"$server_log" &
server_pid=$!
for ((i = 0; i < 100; i++)); do
  grep -q "listening on 127.0.0.1:${port[wss-plain]}" "$server_log" 2>/dev/null && break
  kill -0 "$server_pid" 2>/dev/null || break
  sleep 0.1
done
if ! grep -q "listening on 127.0.0.1:${port[wss-plain]}" "$server_log"; then
  echo "FAIL: lwspp-server did not start; its log:" >&2
  indent <"$server_log" >&2
  exit 1
fi

# A plain GET of "/" is still the page.
# (Read whole first: under pipefail, `curl | grep -q` fails whenever grep
# exits before curl's last write, which depends on how the page arrives.)
page=$(curl -s "http://127.0.0.1:${port[ws-z]}/" || true)
if [[ $page == *"<title>lwspp demo</title>"* ]]; then
  pass "GET / is still the demo page"
else
  fail "GET / did not answer the demo page"
fi

# The observer (python3-websockets): mirror commands from the lws client,
# and reset on a dumb-increment connection of its own. Prints one line per
# finding, checked below.
observer() {
  local scheme=$1 p=$2 deflate=$3
  "$py" - "$scheme" "$p" "$deflate" <<'EOF'
import asyncio, re, ssl, sys
import websockets

scheme, port, deflate = sys.argv[1], int(sys.argv[2]), sys.argv[3] == "1"
url = f"{scheme}://127.0.0.1:{port}/"
kw = {"compression": "deflate" if deflate else None}
if scheme == "wss":
    ctx = ssl.create_default_context()
    ctx.check_hostname = False
    ctx.verify_mode = ssl.CERT_NONE
    kw["ssl"] = ctx

async def mirror():
    drawing = re.compile(r"^c #[0-9A-F]{6} \d+ \d+ \d+;$")
    seen = 0
    async with websockets.connect(url, subprotocols=["lws-mirror-protocol"], **kw) as ws:
        print("mirror-protocol", ws.subprotocol)
        print("mirror-extensions", ws.response_headers.get("Sec-WebSocket-Extensions", "none"))
        try:
            while seen < 200:
                m = await asyncio.wait_for(ws.recv(), 6)
                if isinstance(m, str) and drawing.match(m):
                    seen += 1
        except asyncio.TimeoutError:
            pass
    print("mirror-drawings", seen)

async def reset():
    async with websockets.connect(url, subprotocols=["dumb-increment-protocol"], **kw) as ws:
        first = [int(await ws.recv()) for _ in range(6)]
        await ws.send("reset\n")
        # Counters sent before the reset landed come first: how many depends
        # on how far this reader lags (the mirror task shares its loop, and a
        # busy CI machine can hold it for seconds). They must go on counting
        # from 6; then 0 must come, followed by 1, 2, 3, 4.
        before, after = [], []
        try:
            while len(after) < 5:
                n = int(await asyncio.wait_for(ws.recv(), 10))
                if after or n == 0:
                    after.append(n)
                elif len(before) >= 400:
                    break  # 20 s of ticks and no reset: it was ignored
                else:
                    before.append(n)
        except asyncio.TimeoutError:
            pass
        ok = (first == list(range(6)) and before == list(range(6, 6 + len(before)))
              and after == list(range(5)))
        print("reset", "ok" if ok else f"bad {first} {before[:20]} {after}")

async def main():
    await asyncio.gather(mirror(), reset())

asyncio.run(main())
EOF
}

run_case() {
  local scheme=$1 deflate=$2 v
  v=$scheme-$([[ $deflate == 1 ]] && echo z || echo plain)
  local p=${port[$v]} tag="[$scheme, deflate $([[ $deflate == 1 ]] && echo on || echo off)]"
  local log=$tmp/lws-$v.log obs=$tmp/obs-$v.log flags=()
  [[ $scheme == wss ]] && flags=(-s)
  [[ -n $py ]] && { observer "$scheme" "$p" "$deflate" >"$obs" 2>&1 & }
  local obs_pid=$!
  sleep 0.3  # the observer's mirror client first, so it sees the lws client's commands
  # -d: errors, warnings, notices, info (the counters), debug (frame sizes),
  # extensions; SIGINT makes the client exit cleanly.
  timeout -s INT 4 "$lws_client" -d 159 "${flags[@]}" -p "$p" 127.0.0.1 >"$log" 2>&1 || true
  [[ -n $py ]] && wait "$obs_pid" || true

  # Counters: "rx N 'k'" lines, consecutive from 0.
  local counts
  counts=$(sed -n "s/.* rx [0-9]* '\([0-9]*\)'.*/\1/p" "$log" | tr '\n' ' ')
  local n=0 ok=1 k
  for k in $counts; do
    [[ $k == "$n" ]] || { ok=0; break; }
    n=$((n + 1))
  done
  if [[ $ok == 1 && $n -ge 20 && $n -le 120 ]]; then
    pass "$tag dumb-increment-protocol: $n counters in ~4 s, 0 to $((n - 1)) without a gap"
  else
    fail "$tag dumb-increment-protocol: counters '${counts:0:200}' (want 0, 1, 2, ... at ~50 ms)"
  fi

  # Mirror: the client's frames come back (16+ bytes: drawing commands).
  local back
  back=$(grep -cE "starting disbursal of (1[6-9]|[2-9][0-9]) deframed rx" "$log" || true)
  if grep -q "mirror: LWS_CALLBACK_CLIENT_ESTABLISHED" "$log" && [[ $back -ge 100 ]]; then
    pass "$tag lws-mirror-protocol: $back of the client's commands came back to it"
  else
    fail "$tag lws-mirror-protocol: $back mirrored frames came back; the client's log ends:"
    tail -n 15 "$log" | indent >&2
  fi

  # Deflate as configured: the client logs each connection whose 101 has
  # no extension.
  local declined
  declined=$(grep -c "no client extensions allowed by server" "$log" || true)
  if [[ $deflate == 1 && $declined -eq 0 ]] || [[ $deflate == 0 && $declined -ge 2 ]]; then
    pass "$tag permessage-deflate $([[ $deflate == 1 ]] && echo agreed || echo declined) on the client's connections"
  else
    fail "$tag permessage-deflate: $declined of the client's connections without it (deflate $deflate)"
  fi

  [[ -n $py ]] || return 0
  local drawings proto reset ext
  drawings=$(sed -n 's/^mirror-drawings //p' "$obs")
  proto=$(sed -n 's/^mirror-protocol //p' "$obs")
  ext=$(sed -n 's/^mirror-extensions //p' "$obs")
  reset=$(sed -n 's/^reset //p' "$obs")
  if [[ $proto == lws-mirror-protocol && ${drawings:-0} -ge 100 ]]; then
    pass "$tag a second mirror client (python) got $drawings of the lws client's commands"
  else
    fail "$tag the python mirror client: protocol '$proto', $drawings commands; its output:"
    indent <"$obs" >&2
  fi
  if [[ ($deflate == 1 && $ext == permessage-deflate*) || ($deflate == 0 && $ext == none) ]]; then
    pass "$tag the python client's deflate answer: $ext"
  else
    fail "$tag the python client's deflate answer: '$ext'"
  fi
  if [[ $reset == ok ]]; then
    pass "$tag dumb-increment-protocol: \"reset\\n\" puts the counter back to 0"
  else
    fail "$tag reset: $reset"
  fi
}

for scheme in ws wss; do
  for deflate in 1 0; do
    run_case "$scheme" "$deflate"
  done
done

# An upgrade of "/" that offers neither protocol is closed with 1008.
if [[ -n $py ]]; then
  got=$("$py" - "${port[ws-z]}" <<'EOF'
import asyncio, sys, websockets
async def main():
    async with websockets.connect(f"ws://127.0.0.1:{sys.argv[1]}/") as ws:
        try:
            await asyncio.wait_for(ws.recv(), 5)
        except websockets.ConnectionClosed as e:
            print(e.rcvd.code if e.rcvd else "none")
asyncio.run(main())
EOF
  ) || true
  if [[ $got == 1008 ]]; then pass "no known subprotocol: closed with 1008"; else fail "no known subprotocol: got '$got'"; fi
fi

ws_stop_server
ws_finish
