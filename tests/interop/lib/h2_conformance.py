#!/usr/bin/env python3
"""A conformance run against an HTTP/2 server, organised like h2spec's groups
(generic, RFC 9113 §3-8, RFC 7541), from a data file of cases: each case is
a fresh connection, a few steps that send frames (well-formed or not), and
the outcome the RFC requires. Frames are built here byte by byte (only
header blocks use the hpack package's encoder) so that any malformed frame
can be sent.

  h2_conformance.py [--tls] PORT CASES_FILE [CASE_PREFIX]

--tls: over TLS with ALPN "h2" (the certificate is not checked).

Prints one "ok: ID title" or "FAIL: ID title: why" line per case; exits 1
when any case failed.

The case language (see tests/interop/cases/h2_conformance.txt):

  case ID TITLE                  starts a case (one connection)
  no-preface                     the client preface and SETTINGS are not sent
  raw TEXT                       bytes, with \\r \\n \\xHH escapes
  settings [ack] [NAME=V ...]    NAME: table, push, streams, window, frame, list, or a number
  headers SID FLAGS [FIELDS]     a request head (default GET /hello); FLAGS es|eh|pad=N|prio|split
                                 FIELDS: name=value overrides a default pseudo field in place or is
                                 appended; name=! drops it; a leading "exact" sends only FIELDS
  block SID FLAGS HEX            HEADERS with a raw header block fragment
  continuation SID FLAGS [HEX]   the rest of a split block (or HEX)
  data SID FLAGS LEN|text=T      pad=N gives padding
  frame TYPE FLAGS SID [HEX]     any frame; TYPE and FLAGS are numbers
  ping [ack] [HEX]  window SID INC  rst SID CODE  priority SID DEP  goaway LAST CODE
  sleep MS
  expect status SID CODE [BYTES] a response with that status (and body length)
  expect goaway CODE             a GOAWAY with that code (connection error)
  expect rst SID CODE            RST_STREAM on SID with that code (stream error)
  expect error CODE              either of the two (h2spec's "stream or connection error")
  expect maxframe SID N          every DATA frame on SID up to its END_STREAM is at most N bytes
  expect ping-ack HEX | settings-ack | alive (a PING round trip, no error) | close
  repeat N STEP                  STEP N times in one write, "$" standing for stream 1, 3, 5...
"""
import re
import socket
import ssl
import struct
import sys
import time

from hpack import Encoder, Decoder

PREFACE = b"PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n"
TYPES = {"DATA": 0, "HEADERS": 1, "PRIORITY": 2, "RST_STREAM": 3, "SETTINGS": 4,
         "PUSH_PROMISE": 5, "PING": 6, "GOAWAY": 7, "WINDOW_UPDATE": 8, "CONTINUATION": 9}
NAMES = {v: k for k, v in TYPES.items()}
CODES = {"NO_ERROR": 0, "PROTOCOL_ERROR": 1, "INTERNAL_ERROR": 2, "FLOW_CONTROL_ERROR": 3,
         "SETTINGS_TIMEOUT": 4, "STREAM_CLOSED": 5, "FRAME_SIZE_ERROR": 6, "REFUSED_STREAM": 7,
         "CANCEL": 8, "COMPRESSION_ERROR": 9, "CONNECT_ERROR": 10, "ENHANCE_YOUR_CALM": 11,
         "INADEQUATE_SECURITY": 12, "HTTP_1_1_REQUIRED": 13}
CODE_NAMES = {v: k for k, v in CODES.items()}
SETTING_IDS = {"table": 1, "push": 2, "streams": 3, "window": 4, "frame": 5, "list": 6,
               "connect": 8}
ES, EH, PADDED, PRIO, ACK = 0x1, 0x4, 0x8, 0x20, 0x1


class CaseFailed(Exception):
    pass


def frame(ftype, flags, sid, payload=b""):
    return struct.pack(">I", len(payload))[1:] + bytes([ftype, flags]) + \
        struct.pack(">I", sid) + payload


def unescape(text):
    return text.encode("latin-1").decode("unicode_escape").encode("latin-1")


def code_of(name):
    return CODES[name] if name in CODES else int(name, 0)


class Conn:
    def __init__(self, port, tls):
        self.sock = socket.create_connection(("127.0.0.1", port), timeout=5)
        self.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        if tls:
            ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
            ctx.check_hostname = False
            ctx.verify_mode = ssl.CERT_NONE
            ctx.set_alpn_protocols(["h2"])
            self.sock = ctx.wrap_socket(self.sock, server_hostname="localhost")
            if self.sock.selected_alpn_protocol() != "h2":
                raise CaseFailed("ALPN chose %r, not h2" % self.sock.selected_alpn_protocol())
        self.enc, self.dec = Encoder(), Decoder()
        self.buf = b""
        self.pending_block = {}  # stream id -> the rest of a split header block
        self.responses = {}      # stream id -> [status, body bytes, ended]
        self.eof = False
        self.largest = {}        # stream id -> the largest DATA frame payload seen
        self.batch = None        # while a repeat runs: its frames, sent in one write

    def send(self, data):
        if self.batch is not None:
            self.batch.append(data)
            return
        try:
            self.sock.sendall(data)
        except (BrokenPipeError, ConnectionResetError):
            self.eof = True  # the server closed first: the expectation decides

    def next_frame(self, deadline):
        """(type, flags, sid, payload), None on timeout, or "EOF"."""
        while True:
            if len(self.buf) >= 9:
                length = int.from_bytes(self.buf[:3], "big")
                if len(self.buf) >= 9 + length:
                    ftype, flags = self.buf[3], self.buf[4]
                    sid = struct.unpack(">I", self.buf[5:9])[0] & 0x7FFFFFFF
                    payload = self.buf[9:9 + length]
                    self.buf = self.buf[9 + length:]
                    self.note(ftype, flags, sid, payload)
                    return ftype, flags, sid, payload
            left = deadline - time.time()
            if left <= 0:
                return None
            self.sock.settimeout(left)
            try:
                chunk = self.sock.recv(65536)
            except socket.timeout:
                return None
            except (ConnectionResetError, BrokenPipeError, ssl.SSLError):
                chunk = b""
            if not chunk:
                self.eof = True
                return "EOF"
            self.buf += chunk

    def note(self, ftype, flags, sid, payload):
        """Keeps the HPACK decoder in step and collects responses; answers
        SETTINGS (ACK) and credits DATA so that bodies keep flowing."""
        if ftype == TYPES["SETTINGS"] and not flags & ACK:
            self.send(frame(TYPES["SETTINGS"], ACK, 0))
        elif ftype == TYPES["HEADERS"]:
            block = payload
            if flags & PADDED:
                block = block[1:len(block) - block[0]]
            if flags & PRIO:
                block = block[5:]
            fields = dict(self.dec.decode(block))
            r = self.responses.setdefault(sid, [None, 0, False])
            if ":status" in fields and r[0] is None:
                r[0] = int(fields[":status"])
            r[2] = r[2] or bool(flags & ES)
        elif ftype == TYPES["DATA"]:
            r = self.responses.setdefault(sid, [None, 0, False])
            self.largest[sid] = max(self.largest.get(sid, 0), len(payload))
            body = payload
            if flags & PADDED:
                body = body[1:len(body) - body[0]]
            r[1] += len(body)
            r[2] = r[2] or bool(flags & ES)
            if payload:
                inc = struct.pack(">I", len(payload))
                self.send(frame(TYPES["WINDOW_UPDATE"], 0, 0, inc) +
                          frame(TYPES["WINDOW_UPDATE"], 0, sid, inc))


def request_fields(words):
    fields = [(":method", "GET"), (":scheme", "http"), (":authority", "127.0.0.1"),
              (":path", "/hello")]
    exact = bool(words) and words[0] == "exact"
    if exact:
        fields, words = [], words[1:]
    for w in words:
        name, _, value = w.partition("=")
        if re.fullmatch(r"\*\d+", value):
            value = "a" * int(value[1:])  # a long value: name=*N
        else:
            value = unescape(value).decode("latin-1")
        at = [i for i, (n, _) in enumerate(fields) if n == name]
        if value == "!":
            fields = [f for f in fields if f[0] != name]
        elif at and name.startswith(":") and not exact:
            fields[at[0]] = (name, value)
        else:
            fields.append((name, value))
    return fields


def parse_flags(word):
    flags, pad, split = 0, None, False
    for f in word.split("|"):
        if f in ("", "-"):
            continue
        if f == "es":
            flags |= ES
        elif f == "eh":
            flags |= EH
        elif f == "prio":
            flags |= PRIO
        elif f == "split":
            split = True
        elif f.startswith("pad="):
            flags |= PADDED
            pad = int(f[4:])
        else:
            flags |= int(f, 0)
    return flags, pad, split


def padded(body, pad, flags):
    if pad is None:
        return body
    if flags & PADDED and pad >= 0:
        return bytes([pad]) + body + b"\0" * pad
    return body


def step(c, words):
    op, args = words[0], words[1:]
    if op == "repeat":
        # repeat N STEP...: STEP N times, "$" standing for stream 1, 3, 5...
        c.batch = []
        for i in range(int(args[0])):
            step(c, [w.replace("$", str(1 + 2 * i)) for w in args[1:]])
        frames, c.batch = b"".join(c.batch), None
        c.send(frames)
    elif op == "raw":
        c.send(unescape(" ".join(args)))
    elif op == "settings":
        flags = ACK if args and args[0] == "ack" else 0
        body = b""
        for a in args[1 if flags else 0:]:
            k, _, v = a.partition("=")
            body += struct.pack(">HI", SETTING_IDS.get(k) or int(k, 0), int(v, 0))
        c.send(frame(TYPES["SETTINGS"], flags, 0, body))
    elif op in ("headers", "block"):
        sid = int(args[0])
        flags, pad, split = parse_flags(args[1])
        if op == "block":
            block = bytes.fromhex(args[2]) if len(args) > 2 else b""
        else:
            block = c.enc.encode(request_fields(args[2:]))
        if split:
            cut = max(1, len(block) // 2)
            c.pending_block[sid] = block[cut:]
            block = block[:cut]
        body = (b"\0\0\0\0\x0f" if flags & PRIO else b"") + block
        c.send(frame(TYPES["HEADERS"], flags, sid, padded(body, pad, flags)))
    elif op == "continuation":
        sid = int(args[0])
        flags, _, _ = parse_flags(args[1])
        block = bytes.fromhex(args[2]) if len(args) > 2 else c.pending_block.pop(sid, b"")
        c.send(frame(TYPES["CONTINUATION"], flags, sid, block))
    elif op == "data":
        sid = int(args[0])
        flags, pad, _ = parse_flags(args[1])
        body = unescape(args[2][5:]) if args[2].startswith("text=") else b"x" * int(args[2])
        c.send(frame(TYPES["DATA"], flags, sid, padded(body, pad, flags)))
    elif op == "frame":
        ftype = TYPES.get(args[0]) if args[0] in TYPES else int(args[0], 0)
        c.send(frame(ftype, int(args[1], 0), int(args[2], 0),
                     bytes.fromhex(args[3]) if len(args) > 3 else b""))
    elif op == "ping":
        flags = ACK if args and args[0] == "ack" else 0
        rest = args[1:] if flags else args
        c.send(frame(TYPES["PING"], flags, 0, bytes.fromhex(rest[0]) if rest else b"01234567"))
    elif op == "window":
        c.send(frame(TYPES["WINDOW_UPDATE"], 0, int(args[0]), struct.pack(">I", int(args[1], 0))))
    elif op == "rst":
        c.send(frame(TYPES["RST_STREAM"], 0, int(args[0]), struct.pack(">I", code_of(args[1]))))
    elif op == "priority":
        c.send(frame(TYPES["PRIORITY"], 0, int(args[0]), struct.pack(">IB", int(args[1]), 15)))
    elif op == "goaway":
        c.send(frame(TYPES["GOAWAY"], 0, 0, struct.pack(">II", int(args[0]), code_of(args[1]))))
    elif op == "sleep":
        time.sleep(int(args[0]) / 1000)
    else:
        raise CaseFailed("unknown step " + op)


def describe(f):
    ftype, flags, sid, payload = f
    name = NAMES.get(ftype, "type%d" % ftype)
    if ftype == TYPES["GOAWAY"] and len(payload) >= 8:
        code = struct.unpack(">I", payload[4:8])[0]
        return "GOAWAY(%s, %r)" % (CODE_NAMES.get(code, code), payload[8:60])
    if ftype == TYPES["RST_STREAM"] and len(payload) == 4:
        code = struct.unpack(">I", payload)[0]
        return "RST_STREAM(%d, %s)" % (sid, CODE_NAMES.get(code, code))
    return "%s(%d)" % (name, sid)


def error_frame(f):
    return f[0] in (TYPES["GOAWAY"], TYPES["RST_STREAM"])


def error_code(f):
    p = f[3]
    return struct.unpack(">I", p[4:8] if f[0] == TYPES["GOAWAY"] else p[:4])[0]


def expect(c, words, timeout=5.0):
    kind, args = words[0], words[1:]
    deadline = time.time() + timeout
    seen = []
    if kind == "alive":
        c.send(frame(TYPES["PING"], 0, 0, b"alive!!!"))
    while True:
        if kind == "maxframe":
            sid, most = int(args[0]), int(args[1])
            r = c.responses.get(sid)
            if c.largest.get(sid, 0) > most:
                raise CaseFailed("a DATA frame of %d bytes, over the window of %d" % (
                    c.largest[sid], most))
            if r and r[2]:
                return
        if kind == "status":
            sid = int(args[0])
            r = c.responses.get(sid)
            if r and r[2]:
                if r[0] != int(args[1]):
                    raise CaseFailed("status %s, wanted %s" % (r[0], args[1]))
                if len(args) > 2 and r[1] != int(args[2]):
                    raise CaseFailed("body of %d bytes, wanted %s" % (r[1], args[2]))
                return
        f = c.next_frame(deadline)
        if f is None:
            raise CaseFailed("timed out waiting for %s (saw %s)" % (
                " ".join(words), ", ".join(seen[-10:]) or "nothing"))
        if f == "EOF":
            if kind == "close":
                return
            raise CaseFailed("connection closed before %s (saw %s)" % (
                " ".join(words), ", ".join(seen[-10:]) or "nothing"))
        seen.append(describe(f))
        ftype, flags, sid, payload = f
        if kind == "close":
            continue  # any frame (a GOAWAY among them) may come before the EOF
        if kind in ("goaway", "rst", "error") and error_frame(f):
            want = code_of(args[-1])
            got = error_code(f)
            is_goaway = ftype == TYPES["GOAWAY"]
            if kind == "goaway" and not is_goaway:
                raise CaseFailed("stream error %s, wanted a connection error" % describe(f))
            if kind == "rst" and (is_goaway or sid != int(args[0])):
                raise CaseFailed("%s, wanted RST_STREAM on stream %s" % (describe(f), args[0]))
            if got != want:
                # A GOAWAY NO_ERROR from a graceful close is not the answer.
                raise CaseFailed("%s, wanted %s" % (describe(f), CODE_NAMES.get(want, want)))
            return
        if kind in ("alive", "ping-ack", "settings-ack", "status", "maxframe") and error_frame(f):
            raise CaseFailed("unexpected %s" % describe(f))
        if kind == "alive" and ftype == TYPES["PING"] and flags & ACK:
            if payload != b"alive!!!":
                raise CaseFailed("a PING ACK with %r: a PING ACK was answered?" % payload)
            return
        if kind == "ping-ack" and ftype == TYPES["PING"] and flags & ACK:
            want = bytes.fromhex(args[0]) if args else b"01234567"
            if payload != want:
                raise CaseFailed("PING ACK with %r, wanted %r" % (payload, want))
            return
        if kind == "settings-ack" and ftype == TYPES["SETTINGS"] and flags & ACK:
            return


def run_case(port, case, tls):
    c = Conn(port, tls)
    try:
        if not case["no_preface"]:
            c.send(PREFACE + frame(TYPES["SETTINGS"], 0, 0))
        for words in case["steps"]:
            if words[0] == "expect":
                expect(c, words[1:])
            else:
                step(c, words)
    finally:
        c.sock.close()


def load(path):
    cases, cur = [], None
    for n, line in enumerate(open(path, encoding="utf-8"), 1):
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        words = line.split()
        if words[0] == "case":
            cur = {"id": words[1], "title": " ".join(words[2:]), "steps": [],
                   "no_preface": False, "line": n}
            cases.append(cur)
        elif words[0] == "no-preface":
            cur["no_preface"] = True
        else:
            cur["steps"].append(words)
    for case in cases:
        if not any(w[0] == "expect" for w in case["steps"]):
            raise SystemExit("%s:%d: case %s has no expectation" % (path, case["line"], case["id"]))
    return cases


def main():
    args = sys.argv[1:]
    tls = bool(args) and args[0] == "--tls"
    if tls:
        args = args[1:]
    port, path = int(args[0]), args[1]
    prefix = args[2] if len(args) > 2 else ""
    failed = 0
    for case in load(path):
        if not case["id"].startswith(prefix):
            continue
        try:
            run_case(port, case, tls)
            print("ok:   %s %s" % (case["id"], case["title"]))
        except (CaseFailed, OSError) as e:
            failed += 1
            print("FAIL: %s %s: %s" % (case["id"], case["title"], e))
        sys.stdout.flush()
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
