#!/usr/bin/env python3
"""Clients that send their first bytes a few at a time to a cleartext port
that takes both HTTP/1.1 and HTTP/2 with prior knowledge (RFC 9113 §3.3):
the server must wait until the bytes tell the two apart.

  h2c_split_preface.py PORT CASE [TIMEOUT_MS]

CASE:
  h2-bytewise     the 24-byte client preface one byte per write, then
                  python3-h2 sends SETTINGS and GET /hello: expects 200
                  "Hello, world!" over HTTP/2
  h2-pri          "PRI" in one write, then the rest of the preface with
                  SETTINGS and the request in one write
  h1-bytewise     "P", "O", "S", "T", ... : a POST /echo request one byte per
                  write: expects an HTTP/1.1 200 with the body echoed
  h1-propfind     "PR" then "OPFIND / HTTP/1.1...": an HTTP/1.1 answer
                  (any status), not an HTTP/2 frame
  p-then-close    "P", then the client closes: the server closes too
  pr-timeout      "PR", then nothing: the server closes the connection
                  after its header timeout (TIMEOUT_MS), not much before

Prints "ok: CASE ..." or "FAIL: CASE: why"; exits 1 on failure.
"""
import socket
import sys
import time

import h2.config
import h2.connection
import h2.events

PREFACE = b"PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n"
# Between writes that must reach the server as separate reads: long enough
# for a busy machine to read each one before the next is sent.
GAP = 0.05


def connect(port):
    s = socket.create_connection(("127.0.0.1", port), timeout=10)
    s.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    return s


def drip(s, data, gap=GAP):
    for i in range(len(data)):
        s.sendall(data[i:i + 1])
        time.sleep(gap)


def read_all(s):
    out = b""
    while True:
        chunk = s.recv(65536)
        if not chunk:
            return out
        out += chunk


def h2_get(s, sent_preface):
    """The rest of an HTTP/2 exchange with python3-h2, after `sent_preface`
    bytes of the preface were written by hand."""
    conn = h2.connection.H2Connection(h2.config.H2Configuration(client_side=True))
    conn.initiate_connection()
    conn.send_headers(1, [(":method", "GET"), (":scheme", "http"),
                          (":authority", "127.0.0.1"), (":path", "/hello")],
                      end_stream=True)
    out = conn.data_to_send()
    assert out.startswith(PREFACE)
    s.sendall(out[sent_preface:])
    status, body = None, b""
    while True:
        data = s.recv(65536)
        if not data:
            raise AssertionError("the server closed before the response ended")
        for ev in conn.receive_data(data):
            if isinstance(ev, h2.events.ResponseReceived):
                status = dict(ev.headers).get(b":status")
            elif isinstance(ev, h2.events.DataReceived):
                body += ev.data
                conn.acknowledge_received_data(ev.flow_controlled_length, ev.stream_id)
            elif isinstance(ev, h2.events.StreamEnded):
                s.sendall(conn.data_to_send())
                return status, body
            elif isinstance(ev, (h2.events.StreamReset, h2.events.ConnectionTerminated)):
                raise AssertionError(f"the server ended the exchange: {ev}")
        s.sendall(conn.data_to_send())


def expect_hello(status, body):
    if status != b"200" or body != b"Hello, world!":
        raise AssertionError(f"got status {status!r} body {body!r}")
    return "HTTP/2 200 Hello, world!"


def case_h2_bytewise(port, _):
    with connect(port) as s:
        drip(s, PREFACE)
        return expect_hello(*h2_get(s, len(PREFACE)))


def case_h2_pri(port, _):
    with connect(port) as s:
        s.sendall(b"PRI")
        time.sleep(GAP)
        return expect_hello(*h2_get(s, 3))


def case_h1_bytewise(port, _):
    body = b"split request body"
    req = (b"POST /echo HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: text/plain\r\n"
           b"Content-Length: %d\r\nConnection: close\r\n\r\n" % len(body)) + body
    with connect(port) as s:
        drip(s, req, gap=0.01)
        resp = read_all(s)
    if not resp.startswith(b"HTTP/1.1 200 ") or not resp.endswith(b"\r\n\r\n" + body):
        raise AssertionError(f"got {resp[:200]!r}")
    return "HTTP/1.1 200 with the body echoed"


def case_h1_propfind(port, _):
    with connect(port) as s:
        s.sendall(b"PR")
        time.sleep(GAP)
        s.sendall(b"OPFIND / HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n")
        resp = read_all(s)
    if not resp.startswith(b"HTTP/1.1 "):
        raise AssertionError(f"not an HTTP/1.1 answer: {resp[:100]!r}")
    return resp.split(b"\r\n", 1)[0].decode()


def case_p_then_close(port, _):
    with connect(port) as s:
        s.sendall(b"P")
        time.sleep(GAP)
        s.shutdown(socket.SHUT_WR)
        rest = read_all(s)
    if rest:
        raise AssertionError(f"the server answered {rest[:100]!r}")
    return "closed by the server with nothing sent"


def case_pr_timeout(port, timeout_ms):
    with connect(port) as s:
        t0 = time.monotonic()
        s.sendall(b"PR")
        s.settimeout(timeout_ms / 1000 + 10)
        rest = read_all(s)
        waited = time.monotonic() - t0
    if rest:
        raise AssertionError(f"the server answered {rest[:100]!r}")
    if waited < timeout_ms / 1000 * 0.9:
        raise AssertionError(f"closed after {waited:.2f} s, before the {timeout_ms} ms timeout")
    return f"closed after {waited:.2f} s (timeout {timeout_ms} ms)"


CASES = {"h2-bytewise": case_h2_bytewise, "h2-pri": case_h2_pri,
         "h1-bytewise": case_h1_bytewise, "h1-propfind": case_h1_propfind,
         "p-then-close": case_p_then_close, "pr-timeout": case_pr_timeout}


def main():
    port, name = int(sys.argv[1]), sys.argv[2]
    timeout_ms = int(sys.argv[3]) if len(sys.argv) > 3 else 0
    try:
        print(f"ok: {name}: {CASES[name](port, timeout_ms)}")
    except Exception as e:  # one line per case for the shell runner
        print(f"FAIL: {name}: {type(e).__name__}: {e}")
        sys.exit(1)


if __name__ == "__main__":
    main()
