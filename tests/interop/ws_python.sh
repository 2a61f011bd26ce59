#!/usr/bin/env bash
# The WebSocket server (tests/interop/servers/ws_test_server.cpp) against
# python3-websockets (Debian's package) as the client, over ws:// and wss://:
# text and binary messages from 0 B to 16 MiB, fragmented messages both
# ways, pings both ways, close codes from either side, permessage-deflate on
# and off, subprotocols, streaming receive, and handshakes the server must
# refuse (no key, version 8 → 426, plain GET → 426).
#
# ctest runs it with LWSPP_BUILD_DIR set; by hand:
#   LWSPP_BUILD_DIR=build/dev bash tests/interop/ws_python.sh
# Exit: 0 all passed, 1 something failed, 77 skipped (no python3-websockets).
set -euo pipefail

source "$(dirname "${BASH_SOURCE[0]}")/lib/ws_common.bash"
ws_need_python
ws_start_server

rc=0
"$py" - "$ws_port" "$wss_port" "$cert" <<'EOF' || rc=$?
import asyncio, http.client, os, ssl, sys
import websockets

ws_port, wss_port, cert = int(sys.argv[1]), int(sys.argv[2]), sys.argv[3]
failures = 0

def check(what, ok, detail=""):
    global failures
    if ok:
        print("ok:   " + what)
    else:
        failures += 1
        print("FAIL: " + what + (": " + str(detail) if detail else ""), file=sys.stderr)

tls = ssl.create_default_context(cafile=cert)  # the self-signed certificate is its own root

def url(scheme, path):
    return f"{scheme}://localhost:{ws_port if scheme == 'ws' else wss_port}{path}"

def connect(scheme, path, **kw):
    kw.setdefault("max_size", 64 << 20)
    kw.setdefault("compression", None)
    if scheme == "wss":
        kw["ssl"] = tls
    return websockets.connect(url(scheme, path), **kw)

async def run(scheme):
    tag = f"[{scheme}] "
    # Every length class, text and binary.
    async with connect(scheme, "/echo") as ws:
        ok = True
        for n in [0, 1, 125, 126, 127, 65535, 65536, 1 << 20, 16 << 20]:
            data = os.urandom(n)
            await ws.send(data)
            back = await ws.recv()
            if back != data:
                ok = False
                check(tag + f"binary {n} B echoed", False, f"{len(back)} B back")
            text = ("λx." * (n // 4 + 1))[: max(0, n // 2)]
            await ws.send(text)
            if await ws.recv() != text:
                ok = False
                check(tag + f"text of {len(text)} chars echoed", False)
        check(tag + "text and binary from 0 B to 16 MiB echoed exactly", ok)

        # Fragmented from the client (an iterable is sent as fragments).
        await ws.send(["frag", "men", "ted ", "λ"])
        check(tag + "a fragmented text message comes back whole", await ws.recv() == "fragmented λ")
        await ws.send([b"\x00" * 70000, b"\x01" * 70000])
        back = await ws.recv()
        check(tag + "a fragmented 140 kB binary message", back == b"\x00" * 70000 + b"\x01" * 70000)

        # Fragmented from the server (send_fragment).
        await ws.send("!fragments 5")
        back = await ws.recv()
        check(tag + "send_fragment: 5 pieces arrive as one message",
              back == "".join(f"piece {i};" for i in range(5)), back)

        # Pings both ways.
        pong = await ws.ping(b"client-ping")
        await asyncio.wait_for(pong, 5)
        check(tag + "client ping answered with a pong", True)
        await ws.send("!ping server-ping")
        back = await asyncio.wait_for(ws.recv(), 5)
        check(tag + "server ping answered by websockets, seen by the pong handler",
              back == "pong: server-ping", back)

        await ws.send("!info")
        check(tag + "no deflate unless offered", await ws.recv() == "protocol= compressed=0")

        # The client closes with a code and a reason.
        await ws.close(4001, "client says bye")
        check(tag + "client close 4001 echoed", ws.close_code == 4001, ws.close_code)

    # The server closes with a code and a reason.
    async with connect(scheme, "/echo") as ws:
        await ws.send("!close 4002 server says bye")
        try:
            await asyncio.wait_for(ws.recv(), 5)
            check(tag + "server close", False, "a message instead of the close")
        except websockets.ConnectionClosed as e:  # 4002 is not "OK" to websockets: only 1000, 1001
            check(tag + "server close 4002 with its reason",
                  e.rcvd is not None and e.rcvd.code == 4002 and e.rcvd.reason == "server says bye", e)

    # permessage-deflate, offered by websockets (its default).
    async with connect(scheme, "/echo-deflate", compression="deflate") as ws:
        ext = ws.response_headers.get("Sec-WebSocket-Extensions", "")
        check(tag + "permessage-deflate agreed", ext.startswith("permessage-deflate"), ext)
        await ws.send("!info")
        check(tag + "the socket says compressed", await ws.recv() == "protocol= compressed=1")
        ok = True
        for msg in ["short", "compressible " * 10000, os.urandom(100000), "λ" * 300000]:
            await ws.send(msg)
            ok = ok and await ws.recv() == msg
        big = os.urandom(8 << 20)
        await ws.send(big)
        ok = ok and await ws.recv() == big
        check(tag + "compressed messages (text, binary, up to 8 MiB) echoed", ok)
        await ws.send(["compressed ", "fragments"])
        check(tag + "a compressed fragmented message", await ws.recv() == "compressed fragments")
    async with connect(scheme, "/echo", compression="deflate") as ws:
        check(tag + "deflate offered to a route without it: declined",
              "Sec-WebSocket-Extensions" not in ws.response_headers)
        await ws.send("plain " * 100)
        check(tag + "...and messages still echo", await ws.recv() == "plain " * 100)

    # Subprotocols: ours are chat.v2, chat.v1; the client's order decides.
    async with connect(scheme, "/proto", subprotocols=["chat.v1", "chat.v2"]) as ws:
        check(tag + "subprotocol: the client's first that we speak", ws.subprotocol == "chat.v1",
              ws.subprotocol)
        await ws.send("!info")
        check(tag + "the socket knows its subprotocol", await ws.recv() == "protocol=chat.v1 compressed=0")
    async with connect(scheme, "/proto", subprotocols=["other"]) as ws:
        check(tag + "no common subprotocol: answered without one (the client may go on)",
              ws.subprotocol is None, ws.subprotocol)

    # Streaming receive: the handler counts bytes and pieces.
    async with connect(scheme, "/stream") as ws:
        await ws.send(b"s" * (3 << 20))
        back = await ws.recv()
        check(tag + "streaming receive of 3 MiB", back.startswith(f"{3 << 20} bytes in "), back)

def raw_handshake(headers, path="/echo"):
    c = http.client.HTTPConnection("127.0.0.1", ws_port, timeout=5)
    c.request("GET", path, headers=headers)
    r = c.getresponse()
    r.read()
    return r

base = {"Upgrade": "websocket", "Connection": "Upgrade", "Sec-WebSocket-Version": "13",
        "Sec-WebSocket-Key": "dGhlIHNhbXBsZSBub25jZQ=="}

async def bad_handshakes():
    r = raw_handshake({k: v for k, v in base.items() if k != "Sec-WebSocket-Key"})
    check("no Sec-WebSocket-Key: 400", r.status == 400, r.status)
    r = raw_handshake(dict(base, **{"Sec-WebSocket-Version": "8"}))
    check("version 8: 426 with Sec-WebSocket-Version: 13",
          r.status == 426 and r.getheader("Sec-WebSocket-Version") == "13", r.status)
    r = raw_handshake(dict(base, **{"Sec-WebSocket-Key": "c2hvcnQ="}))
    check("a key of 5 bytes: 400", r.status == 400, r.status)
    r = raw_handshake({})
    check("a plain GET of a WebSocket route: 426 with Upgrade: websocket",
          r.status == 426 and r.getheader("Upgrade") == "websocket", r.status)
    r = raw_handshake(base)
    check("a good handshake by hand: 101 with the RFC's accept value",
          r.status == 101 and r.getheader("Sec-WebSocket-Accept") == "s3pPLMBiTxaQ9kYGzzhZRbK+xOo=",
          r.status)
    try:
        async with websockets.connect(f"ws://127.0.0.1:{ws_port}/nowhere") as ws:
            check("websockets to a path that is not a route", False, "connected")
    except websockets.InvalidStatusCode as e:
        check("websockets to a path that is not a route: refused with 404", e.status_code == 404, e)

async def main():
    for scheme in ["ws", "wss"]:
        await run(scheme)
    await bad_handshakes()

asyncio.run(main())
sys.exit(1 if failures else 0)
EOF
if [[ $rc -eq 0 ]]; then pass "the python checks"; else fail "the python checks (exit $rc)"; fi

sleep 0.3
if grep -q "closed code=4001 reason='client says bye' why='closed by peer: close 4001: client says bye'" "$server_log"; then
  pass "server log: the client's close 4001 with its reason, as peer_closed"
else
  fail "server log: no close 4001 from the client"
  indent <"$server_log" >&2
fi
if grep -q "closed code=4002 reason='server says bye' why='closed locally'" "$server_log"; then
  pass "server log: the server's close 4002, answered by the client"
else
  fail "server log: no answered close 4002"
fi
ws_stop_server

# examples/ws-echo-server, as the README shows it.
example=$ws_build_dir/examples/ws-echo-server
if [[ -x $example ]]; then
  eport=$("$py" -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
  "$example" "$eport" >"$tmp/example.out" 2>"$tmp/example.log" &
  example_pid=$!
  for ((i = 0; i < 50; i++)); do
    grep -q "echo on ws://" "$tmp/example.out" 2>/dev/null && break
    sleep 0.1
  done
  if "$py" - "$eport" <<'EOF'; then
import asyncio, sys, websockets
async def main():
    async with websockets.connect(f"ws://127.0.0.1:{sys.argv[1]}/echo") as ws:
        await ws.send("from python"); assert await ws.recv() == "from python"
        await ws.send(b"\x00\xff"); assert await ws.recv() == b"\x00\xff"
asyncio.run(main())
EOF
    pass "examples/ws-echo-server echoes text and binary"
  else
    fail "examples/ws-echo-server: no echo; its log:"
    indent <"$tmp/example.log" >&2
  fi
  kill -INT "$example_pid"
  rc=0
  wait "$example_pid" || rc=$?
  if [[ $rc -eq 0 ]]; then pass "examples/ws-echo-server exits 0 after SIGINT"; else fail "examples/ws-echo-server exits $rc after SIGINT"; fi
else
  echo "note: $example not built; skipped"
fi
ws_finish
