#!/usr/bin/env bash
# The HTTP client (examples/http-get) against h2o and Python's http.server:
#   h2o (plain and TLS): small and large files byte-exact, on-the-fly br and
#     gzip (chunked) decoded byte-exact, keep-alive reuse counted in h2o's
#     access log (%{connection-id}x, %{http1.request-index}x);
#   python3 -m http.server: HTTP/1.0 answers that close the connection (each
#     request of -n N on a new connection, none reused), a 404;
#   a handler on Python's http.server that sends bodies delimited by the
#     close (no Content-Length, no chunking), and one that keeps HTTP/1.1
#     connections alive (reuse counted by the client port it logs).
#
# ctest runs it with LWSPP_BUILD_DIR set; by hand:
#   LWSPP_BUILD_DIR=build/dev bash tests/interop/http_client_peers.sh
# Exit: 0 all passed, 1 something failed, 77 skipped (neither h2o nor python3).
set -euo pipefail

source "$(dirname "${BASH_SOURCE[0]}")/lib/http_client_common.bash"
h2o_bin=$(command -v h2o || true)
py=$(command -v python3 || true)
[[ -n $h2o_bin || -n $py ]] || { echo "skip: h2o or python3 is needed"; exit 77; }

make_pki "$tmp/pki"
p=$tmp/pki
www=$tmp/www
mkdir -p "$www"
printf 'hello from a peer\n' >"$www/small.txt"
head -c $((16 << 20)) /dev/urandom >"$www/big.bin"
seq 1 400000 | sed 's/$/ lorem ipsum dolor/' >"$www/text.txt"
ca=(--ca "$p/ca.crt")

# expect_reuse WHAT NAME N: http-get's -v output of run NAME says new, then reused N-1 times.
expect_reuse() {
  local want="new connection; " i
  for ((i = 1; i < $3; i++)); do want+="reused connection; "; done
  expect_eq "$1: http-get says new, then reused x$(($3 - 1))" \
    "$(grep -o '[a-z]* connection;' "$tmp/$2.err" | tr '\n' ' ')" "$want"
}

# --- h2o ---------------------------------------------------------------------------------------
if [[ -n $h2o_bin ]]; then
  echo "h2o: $("$h2o_bin" --version | head -n 1)"
  hd=$tmp/h2o
  mkdir -p "$hd"
  hp=$(free_port)
  ht=$(free_port)
  h2o_paths() {
    cat <<EOF
    paths:
      /:
        file.dir: $www
      /c:
        file.dir: $www
        compress: [br, gzip]
        compress-minimum-size: 1
EOF
  }
  {
    # As root h2o switches to "nobody" unless told otherwise: it could not
    # write its logs here.
    [[ $(id -u) != 0 ]] || echo "user: root"
    cat <<EOF
num-threads: 1
pid-file: $hd/h2o.pid
error-log: $hd/error.log
access-log:
  path: $hd/access.log
  format: "%{connection-id}x %{http1.request-index}x %m %U %s %{content-encoding}o"
hosts:
  "127.0.0.1:$hp":
    listen:
      host: 127.0.0.1
      port: $hp
EOF
    h2o_paths
    cat <<EOF
  "localhost:$ht":
    listen:
      host: 127.0.0.1
      port: $ht
      ssl:
        certificate-file: $p/localhost.crt
        key-file: $p/localhost.key
        ocsp-update-interval: 0
EOF
    h2o_paths
  } >"$hd/h2o.conf"
  bg h2o_pid "$h2o_bin" -c "$hd/h2o.conf"
  for port in "$hp" "$ht"; do
    wait_port "$port" || {
      echo "FAIL: h2o does not listen on $port; its log:" >&2
      indent <"$hd/error.log" >&2
      exit 1
    }
  done
  hlog=$hd/access.log
  for scheme in plain tls; do
    # HTTP/1.1 over TLS too (h2o would pick h2 by ALPN): what is checked here is h1 keep-alive and chunking.
    if [[ $scheme == plain ]]; then base=http://127.0.0.1:$hp extra=(); else base=https://localhost:$ht extra=("${ca[@]}" --http1.1); fi
    hg "h2o_small_$scheme" -v "${extra[@]}" "$base/small.txt"
    expect_eq "h2o $scheme: small GET" "$rc $(cat "$tmp/h2o_small_$scheme.out")" "0 hello from a peer"
    hg "h2o_big_$scheme" "${extra[@]}" -o "$tmp/h2o_big_$scheme.bin" "$base/big.bin"
    expect_same "h2o $scheme: 16 MiB byte-exact" "$tmp/h2o_big_$scheme.bin" "$www/big.bin"
    for coding in br gzip; do
      hg "h2o_${coding}_$scheme" -v -H "Accept-Encoding: $coding" "${extra[@]}" \
        -o "$tmp/h2o_$coding.txt" "$base/c/text.txt"
      expect_match "h2o $scheme: Content-Encoding: $coding" "$(err "h2o_${coding}_$scheme")" \
        "^< content-encoding: $coding$"
      expect_match "h2o $scheme, $coding: chunked on the fly" "$(err "h2o_${coding}_$scheme")" \
        '^< transfer-encoding: chunked$'
      expect_same "h2o $scheme: $coding decoded byte-exact" "$tmp/h2o_$coding.txt" "$www/text.txt"
    done
    hg "h2o_both_$scheme" -v "${extra[@]}" -o /dev/null "$base/c/text.txt"
    expect_match "h2o $scheme: with the client's own Accept-Encoding, h2o picks br" \
      "$(err "h2o_both_$scheme")" '^< content-encoding: br$'
    mark=$(log_mark "$hlog")
    hg "h2o_ka_$scheme" -v -n 4 "${extra[@]}" -o /dev/null "$base/c/text.txt"
    expect_eq "h2o $scheme: -n 4 exits 0" "$rc" 0
    expect_reuse "h2o $scheme" "h2o_ka_$scheme" 4
    wait_log "$hlog" "$mark" 4 || true
    expect_eq "h2o $scheme: h2o saw 4 requests on one connection, numbered 1..4" \
      "$(log_since "$hlog" "$mark" | awk '{print $1}' | sort -u | wc -l) $(log_since "$hlog" "$mark" | awk '{printf "%s ", $2}')" \
      "1 1 2 3 4 "
  done
else
  note "h2o is not installed (scripts/install-deps test): its part is skipped"
fi

# --- python3 -m http.server ----------------------------------------------------------------------
if [[ -z $py ]]; then
  note "python3 is not installed: its part is skipped"
  finish
fi
echo "python: $("$py" --version)"
pyp=$(free_port)
bg py_pid "$py" -m http.server --bind 127.0.0.1 --directory "$www" "$pyp" 2>"$tmp/pyserver.log"
wait_port "$pyp" || { echo "FAIL: python3 -m http.server did not start" >&2; exit 1; }
base=http://127.0.0.1:$pyp
hg py_small -v "$base/small.txt"
expect_eq "http.server: small GET" "$rc $(cat "$tmp/py_small.out")" "0 hello from a peer"
expect_match "http.server: an HTTP/1.0 answer" "$(err py_small)" '^< HTTP/1.0 200'
hg py_big -o "$tmp/py_big.bin" "$base/big.bin"
expect_same "http.server: 16 MiB byte-exact" "$tmp/py_big.bin" "$www/big.bin"
hg py_n -v -n 3 "$base/small.txt"
expect_eq "http.server: -n 3 exits 0 with 3 bodies" "$rc $(grep -c 'hello from a peer' "$tmp/py_n.out")" "0 3"
expect_eq "http.server: HTTP/1.0 closes: 3 new connections, none reused" \
  "$(grep -o '[a-z]* connection;' "$tmp/py_n.err" | tr '\n' ' ')$(grep -o '[0-9]* connection(s) opened, [0-9]* reused' "$tmp/py_n.err")" \
  "new connection; new connection; new connection; 3 connection(s) opened, 0 reused"
hg py_404 "$base/nope"
expect_eq "http.server: a 404 exits 22" "$rc" 22

# Python's http.server with handlers of our own: bodies delimited by the
# close, and HTTP/1.1 keep-alive (each request's client port logged).
cat >"$tmp/server.py" <<'EOF'
import http.server, os, sys

root = sys.argv[2]


class Handler(http.server.BaseHTTPRequestHandler):
    def do_GET(self):
        kind, _, name = self.path.lstrip("/").partition("/")
        data = open(os.path.join(root, name), "rb").read()
        sys.stdout.write("%d %s %s\n" % (self.client_address[1], self.command, self.path))
        sys.stdout.flush()
        if kind == "close10" or kind == "close11":
            # No Content-Length, no chunking: the body ends with the connection.
            self.protocol_version = "HTTP/1.0" if kind == "close10" else "HTTP/1.1"
            self.send_response(200)
            self.send_header("Content-Type", "application/octet-stream")
            if kind == "close11":
                self.send_header("Connection", "close")
            self.end_headers()
            for i in range(0, len(data), 65536):
                self.wfile.write(data[i:i + 65536])
            self.close_connection = True
        else:
            self.send_response(200)
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

    def log_message(self, *args):
        pass


Handler.protocol_version = "HTTP/1.1"
http.server.ThreadingHTTPServer(("127.0.0.1", int(sys.argv[1])), Handler).serve_forever()
EOF
pyq=$(free_port)
bg pyq_pid "$py" -u "$tmp/server.py" "$pyq" "$www" >"$tmp/pyq.log" 2>"$tmp/pyq.err"
wait_port "$pyq" || { echo "FAIL: the Python server did not start:" >&2; indent <"$tmp/pyq.err" >&2; exit 1; }
base=http://127.0.0.1:$pyq
for kind in close10 close11; do
  hg "py_$kind" -v -o "$tmp/py_$kind.bin" "$base/$kind/big.bin"
  expect_no_match "$kind: no Content-Length, no Transfer-Encoding" "$(err "py_$kind")" \
    '^< (Content-Length|Transfer-Encoding)'
  expect_same "$kind: a body delimited by the close, byte-exact" "$tmp/py_$kind.bin" "$www/big.bin"
  hg "py_${kind}_n" -v -n 3 -o /dev/null "$base/$kind/small.txt"
  expect_eq "$kind: -n 3 exits 0 on 3 new connections" \
    "$rc $(grep -o '[0-9]* connection(s) opened, [0-9]* reused' "$tmp/py_${kind}_n.err")" \
    "0 3 connection(s) opened, 0 reused"
done
mark=$(log_mark "$tmp/pyq.log")
hg py_ka -v -n 4 -o /dev/null "$base/ka/big.bin"
expect_reuse "Python HTTP/1.1" py_ka 4
wait_log "$tmp/pyq.log" "$mark" 4 || true
expect_eq "Python HTTP/1.1: the server saw 4 requests from one client port" \
  "$(log_since "$tmp/pyq.log" "$mark" | awk '{print $1}' | sort -u | wc -l)" 1
finish
