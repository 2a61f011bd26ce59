#!/usr/bin/env python3
"""WebSockets over HTTP/2 (RFC 8441) against tests/interop/servers/ws_test_server:
extended CONNECT, then RFC 6455 frames (masked by the client) in DATA frames.
Frames are built with tests/interop/lib/h2_conformance.py's helpers.

  h2_websocket.py [--tls] PORT CASE

Prints "ok: ..." lines; exits 1 with "FAIL: ..." on the first failure.
"""
import os
import struct
import sys
import time
import zlib

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from h2_conformance import (ACK, CODES, EH, ES, PREFACE, TYPES, CaseFailed, Conn,  # noqa: E402
                            expect, frame)

OP_TEXT, OP_BINARY, OP_CLOSE, OP_PING, OP_PONG = 1, 2, 8, 9, 10


def fail(msg):
    print("FAIL: " + msg)
    sys.exit(1)


def ok(msg):
    print("ok:   " + msg)


def check(what, cond, detail=""):
    if cond:
        ok(what)
    else:
        fail(what + (": " + detail if detail else ""))


def ws_frame(op, payload, fin=True, rsv1=False):
    """A client frame: masked (RFC 6455 §5.3, unchanged by RFC 8441)."""
    b0 = (0x80 if fin else 0) | (0x40 if rsv1 else 0) | op
    n = len(payload)
    if n < 126:
        head = bytes([b0, 0x80 | n])
    elif n < 65536:
        head = bytes([b0, 0x80 | 126]) + struct.pack(">H", n)
    else:
        head = bytes([b0, 0x80 | 127]) + struct.pack(">Q", n)
    key = os.urandom(4)
    return head + key + bytes(b ^ key[i % 4] for i, b in enumerate(payload))


class WsStream:
    """One WebSocket on one stream of a Conn."""

    def __init__(self, conn, sid, path, extra=()):
        self._state(conn, sid)
        fields = [(":method", "CONNECT"), (":protocol", "websocket"), (":scheme", "http"),
                  (":path", path), (":authority", "127.0.0.1"),
                  ("sec-websocket-version", "13")] + list(extra)
        conn.send(frame(TYPES["HEADERS"], EH, sid, conn.enc.encode(fields)))

    def _state(self, conn, sid):
        self.c, self.sid, self.buf = conn, sid, b""
        self.headers = None
        self.ended = False
        self.reset = None

    @classmethod
    def watch(cls, conn, sid):
        """A stream the caller opened with a HEADERS frame of its own."""
        s = cls.__new__(cls)
        s._state(conn, sid)
        return s

    def send(self, op, payload, end_stream=False, rsv1=False):
        data = ws_frame(op, payload, rsv1=rsv1)
        # Within the default initial window of 65535 and frame size of 16384.
        for i in range(0, len(data), 16384):
            last = i + 16384 >= len(data)
            self.c.send(frame(TYPES["DATA"], ES if (last and end_stream) else 0, self.sid,
                              data[i:i + 16384]))


def pump(c, streams, until, timeout=10.0):
    """Reads frames into the streams until until() holds."""
    by_id = {s.sid: s for s in streams}
    deadline = time.time() + timeout
    while not until():
        f = c.next_frame(deadline)
        if f is None:
            raise CaseFailed("timed out")
        if f == "EOF":
            raise CaseFailed("the connection closed")
        ftype, flags, sid, payload = f
        s = by_id.get(sid)
        if ftype == TYPES["GOAWAY"]:
            code = struct.unpack(">I", payload[4:8])[0]
            if code != 0:
                raise CaseFailed("GOAWAY %d %r" % (code, payload[8:]))
        if not s:
            continue
        if ftype == TYPES["HEADERS"]:
            s.headers = dict(c.dec.decode(payload))  # no padding or priority from this server
            s.ended = s.ended or bool(flags & ES)
        elif ftype == TYPES["DATA"]:
            s.buf += payload
            s.ended = s.ended or bool(flags & ES)
        elif ftype == TYPES["RST_STREAM"]:
            s.reset = struct.unpack(">I", payload)[0]
            s.ended = True


def next_message(c, s, streams=None, inflate=None):
    """(opcode, payload) of the next whole server message (unmasked frames)."""
    parts, opcode = [], None
    while True:
        def have_frame():
            if len(s.buf) < 2:
                return False
            n = s.buf[1] & 0x7F
            at = 2 + (2 if n == 126 else 8 if n == 127 else 0)
            if len(s.buf) < at:
                return False
            if n == 126:
                n = struct.unpack(">H", s.buf[2:4])[0]
            elif n == 127:
                n = struct.unpack(">Q", s.buf[2:10])[0]
            return len(s.buf) >= at + n
        pump(c, streams or [s], lambda: have_frame() or (s.ended and not s.buf))
        if not s.buf:
            raise CaseFailed("the stream ended before a message")
        b0, b1 = s.buf[0], s.buf[1]
        if b1 & 0x80:
            raise CaseFailed("a masked frame from the server")
        n, at = b1 & 0x7F, 2
        if n == 126:
            n, at = struct.unpack(">H", s.buf[2:4])[0], 4
        elif n == 127:
            n, at = struct.unpack(">Q", s.buf[2:10])[0], 10
        payload, s.buf = s.buf[at:at + n], s.buf[at + n:]
        op = b0 & 0x0F
        if op >= 8:
            return op, payload
        if opcode is None:
            opcode, compressed = op, bool(b0 & 0x40)
        parts.append(payload)
        if b0 & 0x80:
            data = b"".join(parts)
            if compressed:
                data = inflate.decompress(data + b"\x00\x00\xff\xff")
            return opcode, data


def open_conn(port, tls):
    c = Conn(port, tls)
    c.send(PREFACE + frame(TYPES["SETTINGS"], 0, 0))
    # The server's SETTINGS must announce SETTINGS_ENABLE_CONNECT_PROTOCOL = 1.
    deadline = time.time() + 10
    while True:
        f = c.next_frame(deadline)
        if f is None or f == "EOF":
            fail("no SETTINGS from the server")
        if f[0] == TYPES["SETTINGS"] and not f[1] & ACK:
            entries = {struct.unpack(">H", f[3][i:i + 2])[0]: struct.unpack(">I", f[3][i + 2:i + 6])[0]
                       for i in range(0, len(f[3]), 6)}
            return c, entries.get(8)


def opened(c, s):
    pump(c, [s], lambda: s.headers is not None or s.ended)
    return (s.headers or {}).get(":status")


def case_echo(port, tls):
    c, connect = open_conn(port, tls)
    check("SETTINGS_ENABLE_CONNECT_PROTOCOL = 1", connect == 1, str(connect))
    s = WsStream(c, 1, "/echo")
    status = opened(c, s)
    check("extended CONNECT answered 200", status == "200", str(s.headers))
    check("no Sec-WebSocket-Accept or Upgrade over HTTP/2",
          not {"sec-websocket-accept", "upgrade", "connection"} & set(s.headers or {}))
    check("no END_STREAM on the answer", not s.ended)
    s.send(OP_TEXT, b"hello over h2")
    check("a text message echoed", next_message(c, s) == (OP_TEXT, b"hello over h2"))
    s.send(OP_TEXT, b"!http")
    op, info = next_message(c, s)
    check("the handler saw an HTTP/2 handshake from the client's address",
          info.startswith(b"version=20 peer=127.0.0.1"), info.decode())
    big = os.urandom(300000)
    s.send(OP_BINARY, big)  # five times the stream window each way: WINDOW_UPDATEs flow
    check("a 300 kB binary message echoed byte-exact", next_message(c, s) == (OP_BINARY, big))
    s.send(OP_PING, b"pp")
    check("a ping answered with its pong", next_message(c, s) == (OP_PONG, b"pp"))
    # A second WebSocket and a plain request on the same connection.
    t = WsStream(c, 3, "/echo")
    check("a second WebSocket on the same connection", opened(c, t) == "200")
    c.send(frame(TYPES["HEADERS"], EH | ES, 5, c.enc.encode(
        [(":method", "GET"), (":scheme", "http"), (":path", "/"), (":authority", "x")])))
    t.send(OP_TEXT, b"two")
    s.send(OP_TEXT, b"one")
    check("each stream echoes its own", next_message(c, t, [s, t]) == (OP_TEXT, b"two") and
          next_message(c, s, [s, t]) == (OP_TEXT, b"one"))
    r = c.responses
    pump(c, [s, t], lambda: 5 in r and r[5][2])
    check("a plain GET alongside them", r[5][0] == 200, str(r.get(5)))
    # The closing handshake, then END_STREAM from the server.
    s.send(OP_CLOSE, struct.pack(">H", 1000) + b"bye")
    op, payload = next_message(c, s)
    check("close answered with close 1000", op == OP_CLOSE and payload[:2] == b"\x03\xe8",
          repr(payload))
    pump(c, [s], lambda: s.ended)
    check("the server ends the stream after the closing handshake", s.reset is None,
          "RST_STREAM %s" % s.reset)
    c.send(frame(TYPES["DATA"], ES, 1, b""))
    # The other WebSocket still works.
    t.send(OP_TEXT, b"still here")
    check("the other WebSocket goes on", next_message(c, t) == (OP_TEXT, b"still here"))
    # The client resets it: the server's handler sees it closed (the script checks the log).
    c.send(frame(TYPES["RST_STREAM"], 0, 3, struct.pack(">I", CODES["CANCEL"])))
    expect(c, ["alive"])
    ok("the connection goes on after the client reset the second WebSocket")


def case_refusals(port, tls):
    c, _ = open_conn(port, tls)
    s = WsStream(c, 1, "/")
    check("extended CONNECT to a path with no WebSocket route: 404", opened(c, s) == "404")
    c.send(frame(TYPES["HEADERS"], EH, 3, c.enc.encode(
        [(":method", "CONNECT"), (":protocol", "bogus"), (":scheme", "http"), (":path", "/echo"),
         (":authority", "x")])))
    t = WsStream.watch(c, 3)
    check("a :protocol other than websocket: 501", opened(c, t) == "501")
    u = WsStream(c, 5, "/echo", [("sec-websocket-version", "8")])
    check("Sec-WebSocket-Version other than 13: 426", opened(c, u) == "426")
    c.send(frame(TYPES["HEADERS"], EH, 7, c.enc.encode(
        [(":method", "GET"), (":protocol", "websocket"), (":scheme", "http"), (":path", "/echo"),
         (":authority", "x")])))
    v = WsStream.watch(c, 7)
    pump(c, [v], lambda: v.ended)
    check(":protocol on a GET is malformed: RST_STREAM PROTOCOL_ERROR",
          v.reset == CODES["PROTOCOL_ERROR"], str(v.reset))


def case_subprotocol_and_deflate(port, tls):
    c, _ = open_conn(port, tls)
    s = WsStream(c, 1, "/proto", [("sec-websocket-protocol", "chat.v1, chat.v2")])
    check("/proto answered 200", opened(c, s) == "200")
    check("the subprotocol chosen in the client's order",
          s.headers.get("sec-websocket-protocol") == "chat.v1", str(s.headers))
    t = WsStream(c, 3, "/echo-deflate", [("sec-websocket-extensions", "permessage-deflate")])
    check("/echo-deflate answered 200", opened(c, t) == "200")
    check("permessage-deflate agreed",
          t.headers.get("sec-websocket-extensions", "").startswith("permessage-deflate"),
          str(t.headers))
    inflate = zlib.decompressobj(-15)
    deflate = zlib.compressobj(9, zlib.DEFLATED, -15)
    text = b"compress me " * 200
    body = deflate.compress(text) + deflate.flush(zlib.Z_SYNC_FLUSH)
    t.send(OP_TEXT, body[:-4], rsv1=True)
    check("a compressed message echoed", next_message(c, t, inflate=inflate) == (OP_TEXT, text))
    t.send(OP_TEXT, b"!info")
    check("the socket says compressed",
          next_message(c, t, inflate=inflate) == (OP_TEXT, b"protocol= compressed=1"))


def case_stop(port, tls, pid):
    c, _ = open_conn(port, tls)
    s = WsStream(c, 1, "/echo")
    check("open before the stop", opened(c, s) == "200")
    os.kill(pid, 15)
    op, payload = next_message(c, s)
    check("server stop: close 1001 going away", op == OP_CLOSE and payload[:2] == b"\x03\xe9",
          repr(payload))
    s.send(OP_CLOSE, struct.pack(">H", 1001), end_stream=True)
    pump(c, [s], lambda: s.ended)
    check("then the stream ends", s.reset in (None, 0), "RST_STREAM %s" % s.reset)


def main():
    args = sys.argv[1:]
    tls = args[0] == "--tls"
    if tls:
        args = args[1:]
    port, case = int(args[0]), args[1]
    try:
        if case == "echo":
            case_echo(port, tls)
        elif case == "refusals":
            case_refusals(port, tls)
        elif case == "subprotocol_and_deflate":
            case_subprotocol_and_deflate(port, tls)
        elif case == "stop":
            case_stop(port, tls, int(args[2]))
        else:
            fail("unknown case " + case)
    except (CaseFailed, OSError) as e:
        fail("%s: %s" % (case, e))


if __name__ == "__main__":
    main()
