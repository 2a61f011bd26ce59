#!/usr/bin/env python3
"""Benchmark peer: a WebSocket echo and broadcast server on python3-websockets
(Debian's package, asyncio, one thread), for bench/ws_run.sh.

    ws_python_server.py PORT

Listens on 127.0.0.1:PORT:
    /echo    every message comes back as it came (text as text, binary as binary)
    /fanout  a message from any client goes to every client connected to /fanout
             (the sender too), with websockets.broadcast()
The subprotocols "echo" and "fanout" are accepted when offered. Settings that
differ from the library's defaults: no keep-alive pings (ping_interval=None;
the other servers send none either) and no compression (the benchmark's
client offers none anyway). SIGTERM/SIGINT stop it.
"""
import asyncio
import signal
import sys

import websockets

fanout_clients = set()


async def serve(ws, path):
    if path == "/echo":
        async for msg in ws:
            await ws.send(msg)
    elif path == "/fanout":
        fanout_clients.add(ws)
        try:
            async for msg in ws:
                websockets.broadcast(fanout_clients, msg)
        finally:
            fanout_clients.discard(ws)
    else:
        await ws.close(1008, "unknown path")


async def handler(ws, path=None):
    try:
        await serve(ws, getattr(ws, "path", path))
    except websockets.ConnectionClosed:
        pass  # the load tool ends its connections while messages are in flight


async def main(port):
    loop = asyncio.get_running_loop()
    stop = loop.create_future()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, stop.set_result, None)
    async with websockets.serve(handler, "127.0.0.1", port, subprotocols=["echo", "fanout"],
                                ping_interval=None, compression=None, backlog=4096,
                                max_size=16 * 1024 * 1024):
        await stop


if __name__ == "__main__":
    if len(sys.argv) != 2:
        sys.exit("usage: ws_python_server.py PORT")
    asyncio.run(main(int(sys.argv[1])))
