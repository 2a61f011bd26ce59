#!/usr/bin/env python3
"""Frame-level cases against the HTTP/2 server, written with python3-h2's
frame (hyperframe) and HPACK (hpack) layers so that the client can send what
a well-behaved library refuses to: even stream ids, upper-case names, resets
at chosen moments, tiny windows.

  h2_server_cases.py PORT CASE [SERVER_PID] [FILE]

Prints "ok: ..." lines; exits 1 with "FAIL: ..." on the first failure.
"""
import os
import signal
import socket
import sys
import time

from hpack import Decoder, Encoder
from hyperframe.frame import (DataFrame, Frame, GoAwayFrame, HeadersFrame, PingFrame,
                              RstStreamFrame, SettingsFrame, WindowUpdateFrame)

PREFACE = b"PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n"
PROTOCOL_ERROR, REFUSED_STREAM, CANCEL, ENHANCE_YOUR_CALM = 0x1, 0x7, 0x8, 0xB


def fail(msg):
    print("FAIL: " + msg)
    sys.exit(1)


def ok(msg):
    print("ok:   " + msg)


class Client:
    def __init__(self, port, settings=None):
        self.sock = socket.create_connection(("127.0.0.1", port), timeout=10)
        self.enc, self.dec = Encoder(), Decoder()
        self.buf = b""
        sf = SettingsFrame(0)
        for k, v in (settings or {}).items():
            sf.settings[k] = v
        self.sock.sendall(PREFACE + sf.serialize())

    def send(self, *frames):
        self.sock.sendall(b"".join(f.serialize() for f in frames))

    def headers(self, sid, path, method="GET", extra=(), end_stream=True):
        f = HeadersFrame(sid)
        f.data = self.enc.encode([(":method", method), (":scheme", "http"),
                                  (":authority", "127.0.0.1"), (":path", path)] + list(extra))
        f.flags.add("END_HEADERS")
        if end_stream:
            f.flags.add("END_STREAM")
        return f

    def read_frame(self, timeout=10.0):
        """The next frame, or None when nothing came within timeout; 'EOF' at close."""
        self.sock.settimeout(timeout)
        while True:
            if len(self.buf) >= 9:
                f, length = Frame.parse_frame_header(memoryview(self.buf[:9]))
                if len(self.buf) >= 9 + length:
                    f.parse_body(memoryview(self.buf[9:9 + length]))
                    self.buf = self.buf[9 + length:]
                    if isinstance(f, HeadersFrame):
                        f.decoded = self.dec.decode(f.data)
                    return f
            try:
                chunk = self.sock.recv(65536)
            except socket.timeout:
                return None
            except ConnectionResetError:
                return "EOF"
            if not chunk:
                return "EOF"
            self.buf += chunk

    def until(self, pred, what, timeout=10.0):
        """Reads frames until pred(frame) holds; returns it (frames before it are kept)."""
        seen = []
        deadline = time.time() + timeout
        while time.time() < deadline:
            f = self.read_frame(max(0.05, deadline - time.time()))
            if f is None:
                break
            if f == "EOF":
                fail("%s: the connection closed first (saw %s)" % (what, names(seen)))
            seen.append(f)
            if pred(f):
                self.seen = seen
                return f
        fail("%s: not seen (saw %s)" % (what, names(seen)))


def names(frames):
    return ", ".join("%s(%d)" % (type(f).__name__, f.stream_id) for f in frames[-12:])


def status_of(f):
    return dict(f.decoded).get(":status")


def ping_round(c, what):
    c.send(PingFrame(0, opaque_data=b"roundtrp"))
    c.until(lambda f: isinstance(f, PingFrame) and "ACK" in f.flags, what)


def case_settings(port, pid, path):
    c = Client(port, {SettingsFrame.INITIAL_WINDOW_SIZE: 100000})
    f = c.until(lambda f: isinstance(f, SettingsFrame) and "ACK" not in f.flags, "server SETTINGS")
    s = f.settings
    if s.get(SettingsFrame.MAX_CONCURRENT_STREAMS) != 100:
        fail("MAX_CONCURRENT_STREAMS %r" % s.get(SettingsFrame.MAX_CONCURRENT_STREAMS))
    if s.get(SettingsFrame.ENABLE_PUSH) != 0:
        fail("ENABLE_PUSH not 0")
    ok("server SETTINGS: %s" % dict(s))
    c.until(lambda f: isinstance(f, SettingsFrame) and "ACK" in f.flags, "SETTINGS ACK")
    ok("our SETTINGS acknowledged")


def case_ping(port, pid, path):
    c = Client(port)
    c.send(PingFrame(0, opaque_data=b"8bytes!!"))
    f = c.until(lambda f: isinstance(f, PingFrame), "PING ACK")
    if "ACK" not in f.flags or f.opaque_data != b"8bytes!!":
        fail("PING answer %r %r" % (f.flags, f.opaque_data))
    ok("PING ACK echoes the opaque bytes")


def case_even_stream(port, pid, path):
    c = Client(port)
    c.send(c.headers(2, "/hello"))
    f = c.until(lambda f: isinstance(f, GoAwayFrame), "GOAWAY")
    if f.error_code != PROTOCOL_ERROR:
        fail("GOAWAY code %d" % f.error_code)
    ok("HEADERS on stream 2 -> GOAWAY PROTOCOL_ERROR (%s)" % f.additional_data.decode())
    if c.read_frame(5) != "EOF":
        fail("the connection stayed open after GOAWAY")
    ok("connection closed after GOAWAY")


def case_uppercase(port, pid, path):
    c = Client(port)
    c.send(c.headers(1, "/hello", extra=[("X-Upper", "1")]))
    f = c.until(lambda f: isinstance(f, (RstStreamFrame, HeadersFrame, GoAwayFrame)), "RST_STREAM")
    if not isinstance(f, RstStreamFrame) or f.error_code != PROTOCOL_ERROR:
        fail("want RST_STREAM PROTOCOL_ERROR, got %s" % names([f]))
    ok("upper-case field name -> RST_STREAM(1) PROTOCOL_ERROR")
    c.send(c.headers(3, "/hello"))
    f = c.until(lambda f: isinstance(f, HeadersFrame) and f.stream_id == 3, "next response")
    if status_of(f) != "200":
        fail("stream 3 status %r" % status_of(f))
    ok("the connection goes on: stream 3 answered 200")


def read_body(c, sid, want, grant):
    """Reads DATA of stream sid until END_STREAM, granting credit as it goes."""
    body = b""
    while True:
        f = c.until(lambda f: isinstance(f, (DataFrame, RstStreamFrame)) and f.stream_id == sid,
                    "DATA of stream %d" % sid)
        if isinstance(f, RstStreamFrame):
            fail("stream %d reset (%d)" % (sid, f.error_code))
        body += f.data
        if grant and f.flow_controlled_length:
            c.send(WindowUpdateFrame(0, window_increment=f.flow_controlled_length),
                   WindowUpdateFrame(sid, window_increment=f.flow_controlled_length))
        if "END_STREAM" in f.flags:
            return body


def case_window(port, pid, path):
    want = open(path, "rb").read()
    c = Client(port, {SettingsFrame.INITIAL_WINDOW_SIZE: 1000})
    c.send(c.headers(1, "/static/" + os.path.basename(path)))
    h = c.until(lambda f: isinstance(f, HeadersFrame) and f.stream_id == 1, "response head")
    if status_of(h) != "200":
        fail("status %r" % status_of(h))
    got = b""
    while True:
        f = c.read_frame(0.5)
        if f is None:
            break
        if isinstance(f, DataFrame) and f.stream_id == 1:
            got += f.data
    if len(got) != 1000:
        fail("with a 1000-byte window the server sent %d bytes" % len(got))
    ok("window of 1000 bytes: exactly 1000 sent, then the server waits")
    c.send(WindowUpdateFrame(1, window_increment=500))
    time.sleep(0.3)
    more = b""
    while True:
        f = c.read_frame(0.3)
        if f is None:
            break
        if isinstance(f, DataFrame):
            more += f.data
    if len(more) != 500:
        fail("after WINDOW_UPDATE 500 the server sent %d bytes" % len(more))
    ok("WINDOW_UPDATE of 500 on the stream: 500 more bytes")
    # The connection window (65535 at first) is the next limit: open it wide.
    c.send(WindowUpdateFrame(0, window_increment=len(want)),
           WindowUpdateFrame(1, window_increment=len(want)))
    rest = read_body(c, 1, want, False)
    if got + more + rest != want:
        fail("body differs: %d bytes, want %d" % (len(got + more + rest), len(want)))
    ok("after WINDOW_UPDATEs the whole file arrives, byte-exact (%d bytes)" % len(want))


def case_reset(port, pid, path):
    c = Client(port, {SettingsFrame.INITIAL_WINDOW_SIZE: 16384})
    c.send(c.headers(1, "/static/" + os.path.basename(path)))
    c.until(lambda f: isinstance(f, DataFrame) and f.stream_id == 1, "first DATA")
    c.send(RstStreamFrame(1, error_code=CANCEL), WindowUpdateFrame(1, window_increment=1 << 20),
           PingFrame(0, opaque_data=b"afterrst"))
    c.until(lambda f: isinstance(f, PingFrame) and "ACK" in f.flags, "PING ACK after RST_STREAM")
    f = c.read_frame(0.5)
    while f is not None and f != "EOF":
        if isinstance(f, DataFrame) and f.stream_id == 1:
            fail("DATA for stream 1 after it was reset")
        f = c.read_frame(0.5)
    ok("RST_STREAM mid-response: no more DATA on that stream")
    c.send(c.headers(3, "/hello"))
    f = c.until(lambda f: isinstance(f, HeadersFrame) and f.stream_id == 3, "stream 3 head")
    if status_of(f) != "200":
        fail("stream 3 status %r" % status_of(f))
    if read_body(c, 3, None, False) != b"Hello, world!":
        fail("stream 3 body")
    ok("the connection goes on after the reset")


def case_max_streams(port, pid, path):
    c = Client(port)
    c.send(*[c.headers(1 + 2 * i, "/slow") for i in range(101)])
    f = c.until(lambda f: isinstance(f, RstStreamFrame), "RST_STREAM REFUSED_STREAM")
    if f.stream_id != 201 or f.error_code != REFUSED_STREAM:
        fail("RST_STREAM(%d) code %d, want (201) REFUSED_STREAM" % (f.stream_id, f.error_code))
    ok("101st concurrent stream refused with REFUSED_STREAM")
    done = 0
    deadline = time.time() + 10
    while done < 100 and time.time() < deadline:
        f = c.read_frame(2)
        if f is None or f == "EOF":
            break
        if isinstance(f, DataFrame) and "END_STREAM" in f.flags:
            done += 1
    if done != 100:
        fail("%d of the 100 admitted streams completed" % done)
    ok("the 100 admitted streams completed")


def case_rapid_reset(port, pid, path):
    c = Client(port)
    frames = []
    for i in range(1000):
        sid = 1 + 2 * i
        frames += [c.headers(sid, "/slow"), RstStreamFrame(sid, error_code=CANCEL)]
    try:
        c.send(*frames)
    except (BrokenPipeError, ConnectionResetError):
        pass
    f = c.until(lambda f: isinstance(f, GoAwayFrame), "GOAWAY ENHANCE_YOUR_CALM")
    if f.error_code != ENHANCE_YOUR_CALM:
        fail("GOAWAY code %d" % f.error_code)
    ok("1000 streams opened and reset at once -> GOAWAY ENHANCE_YOUR_CALM (last stream %d)"
       % f.last_stream_id)


def case_stop(port, pid, path):
    c = Client(port)
    c.send(c.headers(1, "/slow"))
    time.sleep(0.05)
    os.kill(pid, signal.SIGTERM)
    f = c.until(lambda f: isinstance(f, GoAwayFrame), "GOAWAY on stop")
    if f.error_code != 0 or f.last_stream_id != 1:
        fail("GOAWAY code %d last %d, want NO_ERROR and 1" % (f.error_code, f.last_stream_id))
    ok("server stop -> GOAWAY NO_ERROR, last stream 1")
    if read_body(c, 1, None, False) != b"slow done\n":
        fail("the in-flight /slow response")
    ok("the in-flight stream finished after GOAWAY")
    f = c.read_frame(5)
    while f not in (None, "EOF"):
        f = c.read_frame(5)
    if f != "EOF":
        fail("the connection did not close")
    ok("then the connection closed")


CASES = {n[5:]: f for n, f in globals().items() if n.startswith("case_")}

if __name__ == "__main__":
    port, case = int(sys.argv[1]), sys.argv[2]
    pid = int(sys.argv[3]) if len(sys.argv) > 3 and sys.argv[3] else 0
    path = sys.argv[4] if len(sys.argv) > 4 else ""
    CASES[case](port, pid, path)
