#!/usr/bin/env bash
# The HTTP/1.1 server (tests/interop/servers/http_test_server.cpp) against
# Python's http.client: many requests on one keep-alive HTTPConnection
# (fixed-length, chunked, deferred, HEAD and 304 responses between them must
# not break the framing), chunked uploads (encode_chunked=True), reading a
# chunked response, and 1 MiB bodies both ways.
#
# ctest runs it with LWSPP_BUILD_DIR set; by hand:
#   LWSPP_BUILD_DIR=build/dev bash tests/interop/http_python.sh
# Exit: 0 all passed, 1 something failed, 77 skipped (no python3).
set -euo pipefail

command -v python3 >/dev/null || { echo "skip: python3 is needed"; exit 77; }

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
build_dir=${LWSPP_BUILD_DIR:-$(cd "$here/../.." && pwd)/build}
server=$build_dir/tests/http_test_server
if [[ ! -x $server ]]; then
  server=$(find "$build_dir" -name http_test_server -type f -perm -u+x -printf '%T@ %p\n' \
    2>/dev/null | sort -rn | head -n 1 | cut -d' ' -f2-)
fi
if [[ -z $server ]]; then
  echo "FAIL: http_test_server not found under $build_dir (set LWSPP_BUILD_DIR)" >&2
  exit 1
fi
echo "server: $server"
echo "python: $(python3 --version)"

tmp=$(mktemp -d "${TMPDIR:-/tmp}/lwspp-http-python.XXXXXX")
server_pid=
cleanup() {
  if [[ -n $server_pid ]]; then
    kill -TERM "$server_pid" 2>/dev/null || true
    wait "$server_pid" 2>/dev/null || true
  fi
  rm -rf "$tmp"
}
trap cleanup EXIT

root=$tmp/www
mkdir -p "$root"
printf 'hello from a file\n' >"$root/hello.txt"
head -c $((1 << 20)) /dev/urandom >"$root/big.bin"
printf 'alice:s3cret\n' >"$tmp/users"

"$server" "$tmp/port" "$root" "$tmp/users" "$tmp/access.log" 2>"$tmp/server.log" &
server_pid=$!
for ((i = 0; i < 100; i++)); do
  [[ -s $tmp/port ]] && break
  kill -0 "$server_pid" 2>/dev/null || break
  sleep 0.1
done
if [[ ! -s $tmp/port ]]; then
  echo "FAIL: the server did not start; its log:" >&2
  sed 's/^/    /' <"$tmp/server.log" >&2
  exit 1
fi
port=$(cat "$tmp/port")
echo "listening on 127.0.0.1:$port"

rc=0
python3 - "$port" "$root" <<'EOF' || rc=$?
import base64, http.client, os, sys, time

port, root = int(sys.argv[1]), sys.argv[2]
big = open(os.path.join(root, "big.bin"), "rb").read()
failures = 0
checks = 0


def check(what, cond, detail=""):
    global failures, checks
    checks += 1
    if cond:
        print("ok:   " + what)
    else:
        failures += 1
        print("FAIL: %s%s" % (what, (": " + detail) if detail else ""), file=sys.stderr)


def checksum(data):
    return "length=%d sum=%d\n" % (len(data), sum(data) % 2**32)


def accepted():
    c = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    c.request("GET", "/stats")
    text = c.getresponse().read().decode()
    c.close()
    return int(text.split()[0].split("=")[1])


def run(what, fn):
    try:
        fn()
    except Exception as e:  # a protocol error is a failed check, not a crash
        check(what, False, repr(e))


# --- keep-alive: many kinds of response on one connection --------------------------

def keep_alive():
    before = accepted()
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=20)
    conn.connect()
    sock = conn.sock
    local = sock.getsockname()

    conn.request("GET", "/hello")
    r = conn.getresponse()
    body = r.read()
    check("GET /hello: 200 'Hello, world!'", r.status == 200 and body == b"Hello, world!", "%d %r" % (r.status, body))
    check("GET /hello: not closing", not r.will_close and r.getheader("connection") is None,
          "will_close=%s connection=%r" % (r.will_close, r.getheader("connection")))
    check("GET /hello: x-served-by", r.getheader("x-served-by") == "lwspp-test", repr(r.getheader("x-served-by")))

    conn.request("HEAD", "/static/big.bin")
    r = conn.getresponse()
    body = r.read()
    check("HEAD /static/big.bin: 200, content-length 1048576, no body",
          r.status == 200 and r.getheader("content-length") == "1048576" and body == b"",
          "%d %r %d bytes" % (r.status, r.getheader("content-length"), len(body)))
    etag = r.getheader("etag")

    conn.request("GET", "/static/big.bin", headers={"If-None-Match": etag})
    r = conn.getresponse()
    body = r.read()
    check("If-None-Match with the HEAD's ETag: 304, no body", r.status == 304 and body == b"", "%d, %d bytes" % (r.status, len(body)))

    conn.request("GET", "/chunked?n=500")
    r = conn.getresponse()
    body = r.read()
    want = "".join("chunk %d\n" % i for i in range(500)).encode()
    check("GET /chunked?n=500: read as chunked", r.chunked and r.getheader("transfer-encoding") == "chunked",
          "chunked=%s te=%r" % (r.chunked, r.getheader("transfer-encoding")))
    check("GET /chunked?n=500: the 500 pieces in order", body == want, "%d bytes" % len(body))

    conn.request("GET", "/slow")
    r = conn.getresponse()
    check("GET /slow (deferred) on the same connection", r.status == 200 and r.read() == b"slow done\n")

    conn.request("GET", "/static/big.bin")
    r = conn.getresponse()
    body = r.read()
    check("GET /static/big.bin: 1 MiB exactly", r.status == 200 and body == big, "%d, %d bytes" % (r.status, len(body)))

    conn.request("POST", "/echo", body=big, headers={"Content-Type": "application/x-python"})
    r = conn.getresponse()
    body = r.read()
    check("POST /echo 1 MiB: the same bytes back", r.status == 200 and body == big, "%d, %d bytes" % (r.status, len(body)))
    check("POST /echo: the request's content-type back", r.getheader("content-type") == "application/x-python",
          repr(r.getheader("content-type")))

    conn.request("GET", "/static/big.bin", headers={"Range": "bytes=1000-1999"})
    r = conn.getresponse()
    body = r.read()
    check("Range 1000-1999: 206 and those bytes", r.status == 206 and body == big[1000:2000], "%d, %d bytes" % (r.status, len(body)))

    conn.request("GET", "/nope")
    r = conn.getresponse()
    r.read()
    check("GET /nope: 404, connection kept", r.status == 404 and not r.will_close, "%d will_close=%s" % (r.status, r.will_close))

    auth = base64.b64encode(b"alice:s3cret").decode()
    conn.request("GET", "/private/hello.txt", headers={"Authorization": "Basic " + auth})
    r = conn.getresponse()
    check("GET /private with basic auth", r.status == 200 and r.read() == b"hello from a file\n")

    for i in range(20):
        conn.request("GET", "/hello")
        r = conn.getresponse()
        if r.read() != b"Hello, world!":
            check("20 more GET /hello", False, "request %d" % i)
            break
    else:
        check("20 more GET /hello", True)

    check("one socket all along", conn.sock is sock and conn.sock.getsockname() == local)
    conn.close()
    after = accepted()
    # +2: this connection and the /stats one that asked.
    check("one connection accepted for all of it", after - before == 2,
          "accepted went from %d to %d" % (before, after))


run("keep-alive", keep_alive)

# --- chunked uploads -------------------------------------------------------------------

def chunked_uploads():
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=20)

    def pieces(data, size):
        for i in range(0, len(data), size):
            yield data[i:i + size]

    conn.request("POST", "/upload", body=pieces(big, 7919), encode_chunked=True)
    r = conn.getresponse()
    body = r.read().decode()
    check("POST /upload 1 MiB, chunked (7919-byte chunks): checksum", body == checksum(big), body.strip())

    conn.request("PUT", "/upload", body=pieces(big, 65536), encode_chunked=True)
    r = conn.getresponse()
    body = r.read().decode()
    check("PUT /upload 1 MiB, chunked (64 KiB chunks): checksum", body == checksum(big), body.strip())

    conn.request("POST", "/echo", body=iter([b"one ", b"two ", b"three"]),
                 headers={"Transfer-Encoding": "chunked", "Content-Type": "text/plain"}, encode_chunked=True)
    r = conn.getresponse()
    body = r.read()
    check("POST /echo chunked: joined body back", body == b"one two three", repr(body))

    conn.request("POST", "/echo", body=pieces(big, 100003), encode_chunked=True)
    r = conn.getresponse()
    body = r.read()
    check("POST /echo 1 MiB chunked: the same bytes back", body == big, "%d bytes" % len(body))

    conn.request("POST", "/upload", body=iter([]), encode_chunked=True)
    r = conn.getresponse()
    body = r.read().decode()
    check("POST /upload with only the last chunk: length=0", body == "length=0 sum=0\n", body.strip())

    with open(os.path.join(root, "big.bin"), "rb") as f:
        conn.request("PUT", "/upload", body=f, headers={"Content-Length": str(len(big))})
        r = conn.getresponse()
        body = r.read().decode()
    check("PUT /upload from a file object (Content-Length): checksum", body == checksum(big), body.strip())
    conn.close()


run("chunked uploads", chunked_uploads)

# --- HTTP/1.0 through http.client --------------------------------------------------------

def http10():
    class HTTP10Connection(http.client.HTTPConnection):
        _http_vsn = 10
        _http_vsn_str = "HTTP/1.0"

    conn = HTTP10Connection("127.0.0.1", port, timeout=20)
    conn.request("GET", "/chunked?n=50")
    r = conn.getresponse()
    body = r.read()
    want = "".join("chunk %d\n" % i for i in range(50)).encode()
    check("HTTP/1.0 GET /chunked?n=50: not chunked, the whole body", not r.chunked and body == want,
          "chunked=%s %d bytes" % (r.chunked, len(body)))
    conn.close()


run("http/1.0", http10)

print("%d passed, %d failed" % (checks - failures, failures))
sys.exit(1 if failures else 0)
EOF

kill -TERM "$server_pid"
src=0
wait "$server_pid" || src=$?
server_pid=
if [[ $src -ne 0 ]]; then
  echo "FAIL: the server exited $src after SIGTERM; its log:" >&2
  sed 's/^/    /' <"$tmp/server.log" >&2
  rc=1
elif grep -qE 'AddressSanitizer|LeakSanitizer|runtime error:' "$tmp/server.log"; then
  echo "FAIL: a sanitizer report in the server's log:" >&2
  sed 's/^/    /' <"$tmp/server.log" >&2
  rc=1
else
  echo "ok:   the server exits 0 after SIGTERM, no sanitizer report"
fi
exit "$rc"
