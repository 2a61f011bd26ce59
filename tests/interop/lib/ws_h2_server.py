#!/usr/bin/env python3
"""A WebSocket server over HTTP/2 (RFC 8441) on python3-h2, for our WebSocket
client (tests/interop/ws_client_h2.sh). Also answers HTTP/1.1 Upgrades (RFC
6455), which is where a client lands when the server's SETTINGS do not
enable extended CONNECT.

  ws_h2_server.py PORT TLS_PORT CERT KEY [--no-connect-protocol]

PORT speaks HTTP/2 with prior knowledge (a connection starting with the
preface) or HTTP/1.1; TLS_PORT offers ALPN "h2" and "http/1.1". With
--no-connect-protocol SETTINGS_ENABLE_CONNECT_PROTOCOL is not sent.

Each WebSocket runs the script its path names (the server leads, the client
echoes): /drive (text and binary 0 B to 1 MiB, crossing the flow-control
windows both ways; a ping; our close with ?close=CODE answered with it; the
client's END_STREAM after the closing handshake), /reset (a message, then
RST_STREAM CANCEL), /abort (a message the client aborts on: RST_STREAM CANCEL
expected), /refuse (403), /silent (no answer: the client's handshake timeout
must reset the stream). Prints "ok: ..." / "FAIL: ..." lines.
"""
import hashlib
import base64
import os
import socket
import ssl
import struct
import sys
import threading
import urllib.parse

import h2.config
import h2.connection
import h2.events
import h2.settings

OP_CONT, OP_TEXT, OP_BINARY, OP_CLOSE, OP_PING, OP_PONG = 0, 1, 2, 8, 9, 10
lock = threading.Lock()


def report(what, good, detail=""):
    with lock:
        print(("ok:   " if good else "FAIL: ") + what +
              ("" if good or not detail else ": " + str(detail)), flush=True)


class Closed(Exception):
    pass


class Ws:
    """RFC 6455 framing, the server's end, over a transport with send(bytes),
    more() -> bytes (b"" at the end) and end()."""

    def __init__(self, t):
        self.t, self.buf, self.masked_all = t, b"", True

    def send(self, op, payload):
        n = len(payload)
        head = bytes([0x80 | op])
        if n < 126:
            head += bytes([n])
        elif n < 65536:
            head += bytes([126]) + struct.pack(">H", n)
        else:
            head += bytes([127]) + struct.pack(">Q", n)
        self.t.send(head + payload)

    def _need(self, n):
        while len(self.buf) < n:
            more = self.t.more()
            if not more:
                raise Closed()
            self.buf += more

    def frame(self):
        self._need(2)
        b0, b1 = self.buf[0], self.buf[1]
        n, off = b1 & 0x7F, 2
        if n == 126:
            self._need(4)
            n, off = struct.unpack(">H", self.buf[2:4])[0], 4
        elif n == 127:
            self._need(10)
            n, off = struct.unpack(">Q", self.buf[2:10])[0], 10
        masked = bool(b1 & 0x80)
        self.masked_all &= masked
        self._need(off + (4 if masked else 0) + n)
        key = self.buf[off:off + 4] if masked else b"\0\0\0\0"
        off += 4 if masked else 0
        data = self.buf[off:off + n]
        self.buf = self.buf[off + n:]
        if masked:
            k = (key * (n // 4 + 1))[:n]
            data = (int.from_bytes(data, "big") ^ int.from_bytes(k, "big")).to_bytes(n, "big")
        return b0 & 0x80, b0 & 0x0F, data

    def message(self):
        """(opcode, payload) of the next data message or control frame."""
        fin, op, data = self.frame()
        if op in (OP_CLOSE, OP_PING, OP_PONG):
            return op, data
        while not fin:
            fin, _, more = self.frame()
            data += more
        return op, data


class H2Stream:
    """The transport of one WebSocket on stream `sid` of an HTTP/2 connection."""

    def __init__(self, conn, sock, sid):
        self.c, self.sock, self.sid = conn, sock, sid
        self.inbox, self.ended, self.reset, self.pending = b"", False, None, b""

    def flush(self):
        while self.pending:
            room = min(self.c.local_flow_control_window(self.sid), self.c.max_outbound_frame_size,
                       len(self.pending))
            if room <= 0:
                break
            self.c.send_data(self.sid, self.pending[:room])
            self.pending = self.pending[room:]
        self.sock.sendall(self.c.data_to_send())

    def pump(self):
        data = self.sock.recv(65536)
        if not data:
            raise Closed()
        for e in self.c.receive_data(data):
            if isinstance(e, h2.events.DataReceived) and e.stream_id == self.sid:
                self.inbox += e.data
                self.c.acknowledge_received_data(e.flow_controlled_length, e.stream_id)
            elif isinstance(e, h2.events.StreamEnded) and e.stream_id == self.sid:
                self.ended = True
            elif isinstance(e, h2.events.StreamReset) and e.stream_id == self.sid:
                self.reset = e.error_code
            elif isinstance(e, h2.events.ConnectionTerminated):
                raise Closed()
        self.flush()

    def send(self, data):
        self.pending += data
        self.flush()
        while self.pending:
            self.pump()

    def more(self):
        while not self.inbox and not self.ended and self.reset is None:
            self.pump()
        out, self.inbox = self.inbox, b""
        return out

    def end(self):
        self.c.end_stream(self.sid)
        self.sock.sendall(self.c.data_to_send())


class RawSocket:
    def __init__(self, sock, rest):
        self.sock, self.rest = sock, rest

    def send(self, data):
        self.sock.sendall(data)

    def more(self):
        if self.rest:
            out, self.rest = self.rest, b""
            return out
        return self.sock.recv(65536)

    def end(self):
        self.sock.shutdown(socket.SHUT_WR)


def pattern(n, seed):
    return (bytes(range(seed % 256, 256)) + bytes(range(256)) * (n // 256 + 2))[:n]


def drive(ws, q, tag, h2s=None):
    sizes = [0, 1, 125, 126, 65535, 65536, 300000, 1 << 20]
    good = True
    for n in sizes:
        b = pattern(n, n)
        ws.send(OP_BINARY, b)
        op, got = ws.message()
        good = good and op == OP_BINARY and got == b
    report(tag + "binary echo 0 B to 1 MiB", good)
    good = True
    for n in sizes:
        t = ("héllo wörld " * (n // 12 + 1))[:n].encode()
        ws.send(OP_TEXT, t)
        op, got = ws.message()
        good = good and op == OP_TEXT and got == t
    report(tag + "text echo 0 to 1 Mi characters", good)
    ws.send(OP_PING, b"are you there")
    op, got = ws.message()
    report(tag + "ping answered", op == OP_PONG and got == b"are you there", (op, got))
    report(tag + "every client frame masked", ws.masked_all)
    code = int(q.get("close", "1000"))
    ws.send(OP_CLOSE, struct.pack(">H", code) + b"done")
    op, got = ws.message()
    back = struct.unpack(">H", got[:2])[0] if op == OP_CLOSE and len(got) >= 2 else None
    report(tag + f"our close {code} answered with {code}", back == code, (op, got))
    ws.t.end()  # the server ends first (RFC 6455 §7.1.1: TCP, here our half of the stream)
    if h2s is not None:
        while not h2s.ended and h2s.reset is None:
            h2s.pump()
        report(tag + "the client ended its half with END_STREAM", h2s.ended and h2s.reset is None,
               h2s.reset)


def run_ws(ws, path, tag, h2s=None):
    u = urllib.parse.urlsplit(path)
    q = dict(urllib.parse.parse_qsl(u.query))
    try:
        if u.path == "/drive":
            drive(ws, q, tag, h2s)
        elif u.path == "/reset":
            ws.send(OP_TEXT, b"about to reset")
            op, got = ws.message()
            report(tag + "echo before the reset", got == b"about to reset")
            h2s.c.reset_stream(h2s.sid, 8)  # CANCEL
            h2s.sock.sendall(h2s.c.data_to_send())
        elif u.path == "/abort":
            ws.send(OP_TEXT, b"abort now")
            while h2s.reset is None and not h2s.ended:
                h2s.pump()
            report(tag + "the client's abort resets the stream (RST_STREAM CANCEL)",
                   h2s.reset == 8 and not h2s.ended, (h2s.reset, h2s.ended))
        else:
            report(tag + "a known path", False, path)
    except Closed:
        report(tag + u.path + " ran to its end", False, "the connection closed")


def serve_h2(sock, enable, tag):
    cfg = h2.config.H2Configuration(client_side=False, header_encoding="utf-8")
    c = h2.connection.H2Connection(cfg)
    if enable:
        c.local_settings = h2.settings.Settings(
            client=False, initial_values={h2.settings.SettingCodes.ENABLE_CONNECT_PROTOCOL: 1})
    c.initiate_connection()
    sock.sendall(c.data_to_send())
    silent = set()
    while True:
        data = sock.recv(65536)
        if not data:
            if silent:
                report(tag + "the client's handshake timeout resets the stream", False,
                       "the connection closed without RST_STREAM")
            if not enable:
                report(tag + "no extended CONNECT without ENABLE_CONNECT_PROTOCOL: the client "
                       "closed the connection", True)
            return
        for e in c.receive_data(data):
            if isinstance(e, h2.events.RequestReceived):
                h = dict(e.headers)
                if not enable:
                    report(tag + "no request without ENABLE_CONNECT_PROTOCOL", False, h)
                    return
                good = (h.get(":method") == "CONNECT" and h.get(":protocol") == "websocket" and
                        h.get(":scheme") in ("http", "https") and h.get(":authority") and
                        h.get("sec-websocket-version") == "13" and
                        "sec-websocket-key" not in h and "upgrade" not in h)
                report(tag + "an extended CONNECT (RFC 8441 §4)", good, h)
                if urllib.parse.urlsplit(h[":path"]).path == "/silent":
                    silent.add(e.stream_id)
                    continue
                if urllib.parse.urlsplit(h[":path"]).path == "/refuse":
                    c.send_headers(e.stream_id, [(":status", "403")], end_stream=True)
                    sock.sendall(c.data_to_send())
                    continue
                c.send_headers(e.stream_id, [(":status", "200")])
                sock.sendall(c.data_to_send())
                s = H2Stream(c, sock, e.stream_id)
                run_ws(Ws(s), h[":path"], tag, s)
            elif isinstance(e, h2.events.StreamReset) and e.stream_id in silent:
                silent.discard(e.stream_id)
                report(tag + "the client's handshake timeout resets the stream (CANCEL)",
                       e.error_code == 8, e.error_code)
            elif isinstance(e, h2.events.ConnectionTerminated):
                return
        sock.sendall(c.data_to_send())


def serve_h1(sock, first, tag):
    buf = first
    while b"\r\n\r\n" not in buf:
        more = sock.recv(65536)
        if not more:
            return
        buf += more
    head, rest = buf.split(b"\r\n\r\n", 1)
    lines = head.decode().split("\r\n")
    path = lines[0].split(" ")[1]
    fields = {k.strip().lower(): v.strip() for k, v in (l.split(":", 1) for l in lines[1:])}
    key = fields.get("sec-websocket-key", "")
    accept = base64.b64encode(hashlib.sha1(
        (key + "258EAFA5-E914-47DA-95CA-C5AB0DC85B11").encode()).digest()).decode()
    report(tag + "an HTTP/1.1 Upgrade", fields.get("upgrade", "").lower() == "websocket" and
           bool(key), lines[0])
    sock.sendall(("HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\n"
                  "Connection: Upgrade\r\nSec-WebSocket-Accept: " + accept + "\r\n\r\n").encode())
    run_ws(Ws(RawSocket(sock, rest)), path, tag)


def handle(sock, secure, enable):
    try:
        if secure:
            h2_wire = sock.selected_alpn_protocol() == "h2"
            first = b""
        else:
            first = sock.recv(65536)
            h2_wire = first.startswith(b"PRI * HTTP/2.0")
        scheme = ("wss" if secure else "ws") + (", h2" if h2_wire else ", h1") + \
            ("" if enable else ", no CONNECT") + "] "
        tag = "[" + scheme
        if h2_wire:
            if first:
                sock = Replay(sock, first)
            serve_h2(sock, enable, tag)
        else:
            serve_h1(sock, first, tag)
    except (OSError, Closed, h2.exceptions.ProtocolError) as e:
        report("a connection ran to its end", False, repr(e))
    finally:
        try:
            sock.close()
        except OSError:
            pass


class Replay:
    """A socket whose first recv() returns bytes already read."""

    def __init__(self, sock, first):
        self.s, self.first = sock, first

    def recv(self, n):
        if self.first:
            out, self.first = self.first, b""
            return out
        return self.s.recv(n)

    def __getattr__(self, name):
        return getattr(self.s, name)


def listen(port, tls, enable):
    srv = socket.socket()
    srv.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    srv.bind(("127.0.0.1", port))
    srv.listen(16)
    while True:
        s, _ = srv.accept()
        if tls:
            try:
                s = tls.wrap_socket(s, server_side=True)
            except (OSError, ssl.SSLError):
                s.close()
                continue
        threading.Thread(target=handle, args=(s, bool(tls), enable), daemon=True).start()


def main():
    port, tls_port, cert, key = int(sys.argv[1]), int(sys.argv[2]), sys.argv[3], sys.argv[4]
    enable = "--no-connect-protocol" not in sys.argv[5:]
    tls = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    tls.load_cert_chain(cert, key)
    tls.set_alpn_protocols(["h2", "http/1.1"])
    threading.Thread(target=listen, args=(tls_port, tls, enable), daemon=True).start()
    listen(port, None, enable)


if __name__ == "__main__":
    main()
