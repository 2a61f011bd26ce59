"""A Digest-checking HTTP server for tests/interop/http_digest.sh, written
from RFC 7616 §3.4's formulas with hashlib (independent of lwspp's code).

    python3 digest_server.py PORT_FILE

GET /<algorithm>[/userhash][/anything] answers 401 with two
WWW-Authenticate fields (Basic, then Digest with that algorithm, qop
"auth, auth-int", a fresh nonce and an opaque) until an Authorization
proves the password of a user below. Then 200 with "ok USER nc=N". The
check: known nonce, echoed opaque, uri equal to the request-target, the
algorithm echoed, qop=auth, nc strictly above the last nc seen for that
nonce (replays fail), and the response (userhash: the hashed name).
"""
import hashlib
import http.server
import os
import re
import sys
import threading

USERS = {"Mufasa": "Circle of Life", 'o"brien\\x': "p@ss:word"}
REALM = "lwspp-digest@example.org"
HASHES = {"MD5": "md5", "SHA-256": "sha256", "SHA-512-256": "sha512_256"}

lock = threading.Lock()
nonces = {}  # nonce -> last nc seen (0: none yet)
PARAM = re.compile(r'\s*([^\s=,]+)\s*=\s*("((?:[^"\\]|\\.)*)"|[^\s,]*)\s*,?')


def H(alg, text):
    return hashlib.new(HASHES[alg.removesuffix("-sess")], text.encode()).hexdigest()


def parse_authorization(value):
    if not value.startswith("Digest "):
        return None
    params, pos, rest = {}, 0, value[len("Digest "):]
    while pos < len(rest):
        m = PARAM.match(rest, pos)
        if not m:
            return None
        quoted = m.group(3)
        params[m.group(1).lower()] = re.sub(r"\\(.)", r"\1", quoted) if quoted is not None else m.group(2)
        pos = m.end()
    return params


def verify(alg, userhash, path, header):
    p = parse_authorization(header or "")
    if p is None:
        return None, "no Digest authorization"
    for key in ("username", "realm", "nonce", "uri", "response", "nc", "cnonce", "qop", "opaque", "algorithm"):
        if key not in p:
            return None, "missing " + key
    if p["realm"] != REALM or p["uri"] != path or p["qop"] != "auth" or p["opaque"] != "opq-" + alg:
        return None, "realm, uri, qop or opaque wrong"
    if p["algorithm"] != alg:
        return None, "algorithm not echoed"
    if userhash != (p.get("userhash") == "true"):
        return None, "userhash flag"
    user = None
    for name in USERS:
        wanted = H(alg, name + ":" + REALM) if userhash else name
        if p["username"] == wanted:
            user = name
    if user is None:
        return None, "unknown user"
    nc = int(p["nc"], 16)
    with lock:
        if p["nonce"] not in nonces or nc <= nonces[p["nonce"]]:
            return None, "unknown nonce or nc not increasing"
    ha1 = H(alg, f"{user}:{REALM}:{USERS[user]}")
    if alg.endswith("-sess"):
        ha1 = H(alg, f"{ha1}:{p['nonce']}:{p['cnonce']}")
    ha2 = H(alg, f"GET:{path}")
    expect = H(alg, f"{ha1}:{p['nonce']}:{p['nc']}:{p['cnonce']}:auth:{ha2}")
    if p["response"] != expect:
        return None, "wrong response"
    with lock:
        nonces[p["nonce"]] = nc
    return user, nc


class Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, *args):
        pass

    def reply(self, status, body, extra=()):
        self.send_response(status)
        for k, v in extra:
            self.send_header(k, v)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def do_GET(self):
        parts = self.path.split("/")
        alg = parts[1] if len(parts) > 1 else ""
        if alg.removesuffix("-sess") not in HASHES:
            return self.reply(404, b"no such algorithm\n")
        userhash = len(parts) > 2 and parts[2] == "userhash"
        user, why = verify(alg, userhash, self.path, self.headers.get("Authorization"))
        if user is not None:
            return self.reply(200, f"ok {user} nc={why}\n".encode())
        nonce = os.urandom(18).hex()
        with lock:
            nonces[nonce] = 0
        digest = (f'Digest realm="{REALM}", qop="auth, auth-int", algorithm={alg}, '
                  f'nonce="{nonce}", opaque="opq-{alg}"' + (", userhash=true" if userhash else ""))
        self.reply(401, f"denied: {why}\n".encode(),
                   [("WWW-Authenticate", f'Basic realm="{REALM}"'), ("WWW-Authenticate", digest)])


server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
with open(sys.argv[1] + ".tmp", "w") as f:
    f.write(str(server.server_address[1]))
os.rename(sys.argv[1] + ".tmp", sys.argv[1])
server.serve_forever()
