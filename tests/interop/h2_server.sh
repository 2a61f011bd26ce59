#!/usr/bin/env bash
# The HTTP/2 server (src/h2/server_session.*) against real clients, on the
# routes of tests/interop/servers/http_test_server.cpp (handlers written for
# HTTP/1.1, unchanged):
#
#   curl --http2-prior-knowledge (h2c) and --http2 over TLS (ALPN h2):
#     GET, HEAD, a POST body echoed (3 MB), a streamed upload, 404, a
#     chunked (streamed) response, response trailers, a deferred one, a 5 MiB static file
#     byte-exact (flow control: curl's windows are smaller than the file)
#   nghttp -m 100: 100 concurrent streams on one connection, then 100 of
#     the 5 MiB file; several URLs on one connection
#   python3-h2 (hyperframe + hpack, tests/interop/lib/h2_server_cases.py):
#     SETTINGS and their ACK, PING ACK, HEADERS on an even stream id (GOAWAY
#     PROTOCOL_ERROR), an upper-case field name (RST_STREAM PROTOCOL_ERROR),
#     window exhaustion and WINDOW_UPDATE resuming, RST_STREAM from the
#     client mid-response, MAX_CONCURRENT_STREAMS (REFUSED_STREAM), rapid
#     reset (GOAWAY ENHANCE_YOUR_CALM), GOAWAY on server stop
#   server_options::http2 = false: h2c is refused and ALPN picks http/1.1
#
# ctest runs it with LWSPP_BUILD_DIR set; by hand:
#   LWSPP_BUILD_DIR=build/dev bash tests/interop/h2_server.sh
# Exit: 0 all passed, 1 something failed, 77 skipped (no curl, nghttp or python3-h2).
set -euo pipefail

source "$(dirname "${BASH_SOURCE[0]}")/lib/tls_common.bash"
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)

command -v curl >/dev/null || { echo "skip: curl is needed"; exit 77; }
command -v nghttp >/dev/null || { echo "skip: nghttp (nghttp2-client) is needed"; exit 77; }
command -v openssl >/dev/null || { echo "skip: openssl is needed"; exit 77; }
curl --version | grep -q HTTP2 || { echo "skip: this curl has no HTTP/2"; exit 77; }
need_python python3-h2 h2 hyperframe hpack

server=$(find_bin http_test_server)
echo "server: $server"
echo "curl:   $(curl --version | head -n 1)"
echo "nghttp: $(nghttp --version | head -n 1)"

make_pki "$tmp/pki"
root=$tmp/www
mkdir -p "$root"
head -c $((5 << 20)) /dev/urandom >"$root/big.bin"
head -c 200000 /dev/urandom >"$root/mid.bin"
head -c 3000000 /dev/urandom >"$tmp/body.bin"

# start NAME [ENV...]: the server with TLS; sets $port, $tls_port, $pid.
start() {
  local name=$1
  shift
  rm -f "$tmp/$name.port" "$tmp/$name.port.tls"
  env LWSPP_TEST_TLS_CERT="$tmp/pki/localhost.crt" LWSPP_TEST_TLS_KEY="$tmp/pki/localhost.key" \
    "$@" "$server" "$tmp/$name.port" "$root" 2>"$tmp/$name.log" &
  pid=$!
  server_pids[$name]=$pid
  for ((i = 0; i < 100; i++)); do
    [[ -s $tmp/$name.port ]] && break
    sleep 0.1
  done
  [[ -s $tmp/$name.port ]] || { fail "$name did not start"; indent <"$tmp/$name.log" >&2; finish; }
  port=$(cat "$tmp/$name.port")
  tls_port=$(cat "$tmp/$name.port.tls")
}

# req NAME CURL-ARGS...: body → $tmp/NAME.body; "$status $version" → $got
got=
req() {
  local name=$1
  shift
  got=$(curl -sS --max-time 60 -o "$tmp/$name.body" -w '%{http_code} %{http_version}' "$@" \
    2>"$tmp/$name.err") || got="curl failed: $(tr '\n' ' ' <"$tmp/$name.err")"
}

start main

# --- curl, h2c with prior knowledge and h2 over TLS -----------------------------------------

for mode in h2c tls; do
  if [[ $mode == h2c ]]; then
    base=http://127.0.0.1:$port
    opts=(--http2-prior-knowledge)
  else
    base=https://localhost:$tls_port
    opts=(--http2 --cacert "$tmp/pki/ca.crt" --resolve "localhost:$tls_port:127.0.0.1")
  fi
  req get "${opts[@]}" "$base/hello"
  expect_eq "$mode GET /hello" "$got $(cat "$tmp/get.body")" "200 2 Hello, world!"
  head=$(curl -sS -I "${opts[@]}" "$base/hello")
  expect_match "$mode HEAD: status" "$head" '^HTTP/2 200'
  expect_match "$mode HEAD: content-length of the GET" "$head" '^content-length: 13'
  expect_match "$mode HEAD: the server's field" "$head" '^x-served-by: lwspp-test'
  expect_no_match "$mode HEAD: no connection-specific fields" "$head" '^(connection|keep-alive|transfer-encoding):'
  req echo "${opts[@]}" --data-binary @"$tmp/body.bin" -H 'content-type: application/x-test' "$base/echo"
  expect_eq "$mode POST /echo 3 MB" "$got" "200 2"
  if cmp -s "$tmp/body.bin" "$tmp/echo.body"; then pass "$mode POST /echo body byte-exact"; else fail "$mode POST /echo body differs"; fi
  req upload "${opts[@]}" -T "$tmp/body.bin" "$base/upload"
  want_sum=$("$py" -c 'import sys; d=open(sys.argv[1],"rb").read(); print("length=%d sum=%d" % (len(d), sum(d) % 2**32))' "$tmp/body.bin")
  expect_eq "$mode PUT /upload (streamed handler)" "$got $(cat "$tmp/upload.body")" "200 2 $want_sum"
  req missing "${opts[@]}" "$base/nope"
  expect_eq "$mode GET /nope" "$got" "404 2"
  req chunked "${opts[@]}" "$base/chunked?n=500"
  expect_eq "$mode streamed response: 500 pieces" "$got $(wc -l <"$tmp/chunked.body")" "200 2 500"
  req slow "${opts[@]}" "$base/slow"
  expect_eq "$mode deferred response (response_handle)" "$got $(cat "$tmp/slow.body")" "200 2 slow done"
  out=$(curl -sS --max-time 20 -D - "${opts[@]}" "$base/trailers" 2>&1 | tr -d '\r' | tail -n 4 | paste -sd '|') || true
  expect_eq "$mode trailers after the body (curl)" "$out" "part one|part two|x-checksum: sha256=abc|grpc-status: 0"
  req big "${opts[@]}" "$base/static/big.bin"
  expect_eq "$mode 5 MiB static file" "$got" "200 2"
  if cmp -s "$root/big.bin" "$tmp/big.body"; then pass "$mode 5 MiB file byte-exact"; else fail "$mode 5 MiB file differs"; fi
done

# Several requests on one connection (curl 7.88 does not reuse an h2c
# prior-knowledge connection, so over TLS).
out=$(curl -sS -v --http2 --cacert "$tmp/pki/ca.crt" --resolve "localhost:$tls_port:127.0.0.1" \
  "https://localhost:$tls_port/hello" "https://localhost:$tls_port/static/mid.bin" \
  "https://localhost:$tls_port/hello" -o /dev/null -o /dev/null -o /dev/null 2>&1)
expect_match "TLS: three requests, the connection reused" "$out" 'Re-using existing connection'
expect_eq "TLS: one connection for three requests" "$(grep -c '^\* Connected to' <<<"$out")" "1"

# HTTP/1.1 carries the same trailers in the chunked trailer section.
out=$(curl -sS --max-time 20 --raw "http://127.0.0.1:$port/trailers" 2>&1 | od -An -c | tr -s ' \n' ' ') || true
expect_match "HTTP/1.1 trailers in the chunked trailer section" "$out" \
  '\\r \\n 0 \\r \\n x - c h e c k s u m : s h a 2 5 6 = a b c \\r \\n g r p c - s t a t u s : 0 \\r \\n \\r \\n $'
# nghttp -v: the DATA without END_STREAM, then the trailer fields, then their
# HEADERS frame with END_STREAM|END_HEADERS (0x05).
out=$(nghttp -v "http://127.0.0.1:$port/trailers" 2>&1 | grep -oE 'recv (DATA|HEADERS) frame <length=[0-9]+, flags=0x0[0-9]|recv \(stream_id=[0-9]+\) (x-checksum|grpc-status): .*' |
  sed -E 's/stream_id=[0-9]+/S/' | paste -sd '|') || true
expect_match "nghttp: DATA, then the trailers' HEADERS with END_STREAM" "$out" \
  'recv DATA frame <length=18, flags=0x00\|recv \(S\) x-checksum: sha256=abc\|recv \(S\) grpc-status: 0\|recv HEADERS frame <length=[0-9]+, flags=0x05$'

# RFC 9218: the server announces SETTINGS_NO_RFC7540_PRIORITIES, and
# nghttp (which then leaves RFC 7540 priorities out) gets answers to
# requests that carry priority fields, urgent and incremental.
out=$(nghttp -v --no-rfc7540-pri -H 'priority: u=0, i' "http://127.0.0.1:$port/hello" \
  "http://127.0.0.1:$port/static/mid.bin" 2>&1) || true
expect_match "nghttp: the server sends SETTINGS_NO_RFC7540_PRIORITIES=1" "$out" \
  'SETTINGS_NO_RFC7540_PRIORITIES\(0x09\):1'
expect_eq "nghttp --no-rfc7540-pri: both prioritized requests answered" \
  "$(grep -cE 'recv \(stream_id=[0-9]+\) :status: 200' <<<"$out")" "2"

# --- nghttp: many concurrent streams ------------------------------------------------------------

out=$(nghttp -n -s -m 100 "http://127.0.0.1:$port/hello" 2>&1) || true
expect_eq "nghttp -m 100 h2c: 100 responses 200" "$(grep -cE ' 200 +13 /hello' <<<"$out")" "100"
out=$(nghttp -n -s -m 20 "https://127.0.0.1:$tls_port/static/big.bin" 2>&1) || true
expect_eq "nghttp -m 20 TLS: 20 x 5 MiB concurrently" "$(grep -cE ' 200 +5M /static/big.bin' <<<"$out")" "20"
nghttp -s "http://127.0.0.1:$port/hello" "http://127.0.0.1:$port/static/mid.bin" \
  "http://127.0.0.1:$port/nope" -n >"$tmp/multi.out" 2>&1 || true
expect_match "nghttp: three URLs on one connection" "$(cat "$tmp/multi.out")" ' 404 .*/nope'

# --- frame-level cases with python3-h2 ----------------------------------------------------------

for c in settings ping even_stream uppercase window reset max_streams rapid_reset; do
  if out=$(timeout 60 "$py" "$here/lib/h2_server_cases.py" "$port" "$c" "$pid" "$root/mid.bin" 2>&1); then
    while read -r line; do pass "h2 $c: ${line#ok:   }"; done <<<"$out"
  else
    fail "h2 $c:"
    indent <<<"$out" >&2
  fi
done

# The server still serves after all that, and stops gracefully with an
# in-flight stream (the last case: it stops the server).
req after --http2-prior-knowledge "http://127.0.0.1:$port/hello"
expect_eq "still serving after the frame cases" "$got" "200 2"
if out=$(timeout 60 "$py" "$here/lib/h2_server_cases.py" "$port" stop "$pid" 2>&1); then
  while read -r line; do pass "h2 stop: ${line#ok:   }"; done <<<"$out"
else
  fail "h2 stop:"
  indent <<<"$out" >&2
fi
expect_clean_exit main "$tmp/main.log"

# --- HTTP/2 off -------------------------------------------------------------------------------

start off LWSPP_TEST_HTTP2=0
req off_tls --http2 --cacert "$tmp/pki/ca.crt" --resolve "localhost:$tls_port:127.0.0.1" \
  "https://localhost:$tls_port/hello"
expect_eq "http2=false: ALPN picks http/1.1" "$got" "200 1.1"
req off_h2c --http2-prior-knowledge "http://127.0.0.1:$port/hello"
expect_match "http2=false: h2c is not spoken" "$got" '^(curl failed|000|400|505)'

finish
