#!/usr/bin/env bash
# Our WebSocket client (examples/ws-client, in --echo mode and in its
# stdin mode) against python3-websockets (Debian's package) as the SERVER,
# over ws:// and wss://, with and without permessage-deflate: the server
# sends text and binary messages from 0 B to 16 MiB and fragmented ones,
# pings, and closes with 1000 or 4000, checking every echo; it checks that
# the client's keep-alive pings are answered over a quiet second, that
# stdin lines arrive in order and that the client closes with 1000 at the
# end of its input; a subprotocol is agreed.
#
# ctest runs it with LWSPP_BUILD_DIR set; by hand:
#   LWSPP_BUILD_DIR=build/dev bash tests/interop/ws_client_python.sh
# Exit: 0 all passed, 1 something failed, 77 skipped (no python3-websockets).
set -euo pipefail

source "$(dirname "${BASH_SOURCE[0]}")/lib/ws_client_common.bash"
ws_need_python
ws_client_find

ws_client_make_cert

cat >"$tmp/server.py" <<'EOF'
import asyncio, os, ssl, sys, urllib.parse
import websockets

ws_port, wss_port, cert, key = int(sys.argv[1]), int(sys.argv[2]), sys.argv[3], sys.argv[4]

def check(what, ok, detail=""):
    print(("ok:   " if ok else "FAIL: ") + what + ("" if ok or not detail else ": " + str(detail)),
          flush=True)

def pattern(n, seed):
    return bytes(((i * 31 + seed * 7 + (i >> 8)) & 0xFF) for i in range(n)) if n < 70000 else \
        (bytes(range(256)) * (n // 256 + 1))[:n]

async def drive(ws, q, tag):
    sizes = [0, 1, 125, 126, 127, 65535, 65536, 1 << 20, 16 << 20]
    ok = True
    for n in sizes:
        b = pattern(n, n)
        await ws.send(b)
        got = await ws.recv()
        ok = ok and isinstance(got, bytes) and got == b
    check(tag + "binary echo 0 B to 16 MiB", ok)
    ok = True
    for n in sizes:
        t = ("héllo wörld " * (n // 13 + 1))[:n]
        await ws.send(t)
        got = await ws.recv()
        ok = ok and isinstance(got, str) and got == t
    check(tag + "text echo 0 to 16 Mi characters", ok)
    await ws.send([b"frag", b"mented", b"", b" binary"])
    got = await ws.recv()
    check(tag + "fragmented binary echoed whole", got == b"fragmented binary", got)
    await ws.send(["frag", "men", "té text"])
    got = await ws.recv()
    check(tag + "fragmented text echoed whole", got == "fragmenté text", got)
    pong = await ws.ping(b"are you there")
    try:
        await asyncio.wait_for(pong, 5)
        check(tag + "ping answered", True)
    except Exception as e:
        check(tag + "ping answered", False, e)
    deflate = any(type(e).__name__.startswith("PerMessageDeflate") for e in ws.extensions)
    check(tag + "permessage-deflate as offered", deflate == (q.get("deflate") == "1"),
          ws.extensions)
    check(tag + "subprotocol", (ws.subprotocol or "") == q.get("protocol", ""), ws.subprotocol)
    code = int(q.get("close", "1000"))
    await ws.close(code, "done")
    check(tag + f"our close {code} was answered with {code}", ws.close_code == code, ws.close_code)

async def listen(ws, q, tag):
    want = [f"line {i}" for i in range(1, int(q["expect"]) + 1)]
    got = []
    try:
        async for m in ws:
            got.append(m)
    except websockets.ConnectionClosed:
        pass
    check(tag + "stdin lines arrive in order", got == want, got)
    check(tag + "the client closes with 1000 at the end of its input", ws.close_code == 1000,
          ws.close_code)

async def idle(ws, q, tag):
    await asyncio.sleep(1.0)  # the client pings every 100 ms meanwhile
    await ws.send("still here")
    try:
        got = await asyncio.wait_for(ws.recv(), 5)
        check(tag + "alive after a quiet second (its pings were answered)", got == "still here")
    except Exception as e:
        check(tag + "alive after a quiet second (its pings were answered)", False, e)
    await ws.close(1001, "going away")

async def handler(ws, path):
    u = urllib.parse.urlsplit(path)
    q = dict(urllib.parse.parse_qsl(u.query))
    tag = f"[{q.get('scheme', 'ws')}{', deflate' if q.get('deflate') == '1' else ''}] "
    try:
        await {"/drive": drive, "/listen": listen, "/idle": idle}[u.path](ws, q, tag)
    except Exception as e:
        check(tag + u.path + " ran to its end", False, repr(e))

async def main():
    tls = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    tls.load_cert_chain(cert, key)
    kw = dict(max_size=64 << 20, subprotocols=["chat"], ping_interval=None)
    async with websockets.serve(handler, "127.0.0.1", ws_port, **kw), \
               websockets.serve(handler, "127.0.0.1", wss_port, ssl=tls, **kw):
        await asyncio.Future()

asyncio.run(main())
EOF

ws_port=$(free_port)
wss_port=$(free_port)
"$py" "$tmp/server.py" "$ws_port" "$wss_port" "$tmp/cert.pem" "$tmp/key.pem" >"$tmp/server.log" 2>&1 &
server_pid=$!
ws_client_wait_server "the python server" "$tmp/server.log" "$ws_port" "$wss_port"
echo "server:   python3-websockets on ws :$ws_port, wss :$wss_port"

for scheme in ws wss; do
  port=$ws_port
  args=()
  if [[ $scheme == wss ]]; then
    port=$wss_port
    args=(--ca "$tmp/cert.pem")
  fi
  base="$scheme://localhost:$port"
  ws_client_run "$scheme-echo" 0 --echo "${args[@]}" "$base/drive?scheme=$scheme"
  ws_client_run "$scheme-echo-deflate" 0 --echo --deflate "${args[@]}" \
    "$base/drive?scheme=$scheme&deflate=1"
  ws_client_run "$scheme-echo-close-4000" 1 --echo "${args[@]}" \
    "$base/drive?scheme=$scheme&close=4000"
done
ws_client_run "echo-protocol" 0 --echo -p chat "ws://127.0.0.1:$ws_port/drive?protocol=chat"
ws_client_run "idle-pings" 0 --echo --ping-interval 100 "ws://127.0.0.1:$ws_port/idle"
printf 'line 1\nline 2\nline 3\n' >"$tmp/lines"
client_stdin=$tmp/lines ws_client_run "stdin" 0 "ws://127.0.0.1:$ws_port/listen?expect=3"
client_stdin=$tmp/lines ws_client_run "stdin-deflate" 0 --deflate \
  "ws://127.0.0.1:$ws_port/listen?expect=3&deflate=1"

# Every scenario reported: 8 checks per drive (3 per scheme, and the
# subprotocol one), 1 for the quiet second, 2 per stdin run.
ws_client_collect "$tmp/server.log" $((2 * 3 * 8 + 8 + 1 + 2 * 2))
ws_finish
