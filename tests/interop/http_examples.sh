#!/usr/bin/env bash
# The HTTP examples against curl: examples/http-server (a route, a query
# parameter, static files), examples/file-upload (a multipart upload of a
# 3 MB binary file and a text field, streamed to disk, byte-identical; a
# non-multipart body refused with 415) and examples/https-server (its
# self-signed certificate verified by curl, what the handshake negotiated
# (h2 by ALPN, or http/1.1 when curl asks only for that),
# a reload on SIGHUP).
#
# ctest runs it with LWSPP_BUILD_DIR set. Exit: 0 passed, 1 failed, 77 skipped.
set -euo pipefail

command -v curl >/dev/null || { echo "skip: curl is needed"; exit 77; }
build_dir=${LWSPP_BUILD_DIR:?LWSPP_BUILD_DIR must name the build directory}
server_bin=$build_dir/examples/http-server
upload_bin=$build_dir/examples/file-upload
https_bin=$build_dir/examples/https-server
[[ -x $server_bin && -x $upload_bin && -x $https_bin ]] || { echo "skip: examples not built"; exit 77; }

source "$(dirname "${BASH_SOURCE[0]}")/lib/common.bash"

work=$(mktemp -d)
pids=()
cleanup() {
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
  wait 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT


wait_http() {
  for _ in $(seq 100); do
    curl -s -o /dev/null "http://127.0.0.1:$1/" && return 0
    sleep 0.05
  done
  return 1
}

# --- http-server ---------------------------------------------------------------
mkdir -p "$work/www/sub"
printf 'static text\n' >"$work/www/sub/a.txt"
port=$(free_port)
"$server_bin" "$port" "$work/www" >"$work/server.log" 2>&1 &
pids+=($!)
wait_http "$port" || fail "http-server did not start"

got=$(curl -s "http://127.0.0.1:$port/hello")
[[ $got == "Hello, world!" ]] && pass "http-server /hello" || fail "http-server /hello: '$got'"
got=$(curl -s "http://127.0.0.1:$port/greet?name=Ada%20L")
[[ $got == "Hello, Ada L!" ]] && pass "http-server query parameter" || fail "greet: '$got'"
got=$(curl -s --raw "http://127.0.0.1:$port/count" | tr -d '\r' | tail -n 5 | paste -sd '|')
[[ $got == "5||0|x-sum: 15|" ]] && pass "http-server trailer after the last chunk" || fail "count: '$got'"
got=$(curl -s --http2-prior-knowledge -D - "http://127.0.0.1:$port/count" | tr -d '\r' | tail -n 2 | paste -sd '|')
[[ $got == "5|x-sum: 15" ]] && pass "http-server trailer over HTTP/2" || fail "count h2: '$got'"
got=$(curl -s "http://127.0.0.1:$port/sub/a.txt")
[[ $got == "static text" ]] && pass "http-server static file" || fail "static: '$got'"
code=$(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$port/sub/../../etc/passwd")
[[ $code == 404 ]] && pass "http-server traversal clamped to the root (404)" || fail "traversal: $code"

# --- file-upload -----------------------------------------------------------------
mkdir -p "$work/uploads"
port=$(free_port)
"$upload_bin" "$port" "$work/uploads" >"$work/upload.log" 2>&1 &
pids+=($!)
wait_http "$port" || fail "file-upload did not start"

head -c 3000000 /dev/urandom >"$work/big.bin"
out=$(curl -s -F note=hello -F "file=@$work/big.bin" "http://127.0.0.1:$port/upload")
if cmp -s "$work/big.bin" "$work/uploads/big.bin"; then
  pass "file-upload: 3 MB file stored byte-identical"
else
  fail "file-upload: stored file differs or is missing ($out)"
fi
grep -q "note = hello" <<<"$out" && pass "file-upload: text field reported" || fail "field: $out"
code=$(curl -s -o /dev/null -w '%{http_code}' -H 'content-type: text/plain' -d x \
  "http://127.0.0.1:$port/upload")
[[ $code == 415 ]] && pass "file-upload: non-multipart body refused (415)" || fail "non-multipart: $code"
# A file name that tries to climb out of the upload directory lands inside it.
printf 'x' >"$work/evil.txt"
curl -s -F "file=@$work/evil.txt;filename=../../escape.txt" "http://127.0.0.1:$port/upload" >/dev/null
if [[ -e $work/escape.txt || -e $work/../escape.txt ]]; then
  fail "file-upload: a ../ file name escaped the directory"
else
  pass "file-upload: ../ in a file name stays inside the directory"
fi

# --- https-server ----------------------------------------------------------------
mkdir -p "$work/https"
port=$(free_port)
(cd "$work/https" && exec "$https_bin" "$port") >"$work/https.log" 2>&1 &
https_pid=$!
pids+=($https_pid)
cert=$work/https/https-server-cert.pem
for _ in $(seq 100); do
  grep -q "serving on" "$work/https.log" 2>/dev/null && break
  sleep 0.05
done
got=$(curl -s --cacert "$cert" "https://localhost:$port/hello") || true
[[ $got == "Hello, world!" ]] && pass "https-server /hello, certificate verified" ||
  fail "https-server /hello: '$got' (log: $(cat "$work/https.log"))"
got=$(curl -s --http1.1 --tlsv1.2 --tls-max 1.2 --cacert "$cert" "https://localhost:$port/tls") || true
[[ $got == "TLSv1.2 "*" alpn=http/1.1 sni=localhost" ]] && pass "https-server /tls over TLS 1.2: $got" ||
  fail "https-server /tls (1.2): '$got'"
got=$(curl -s --cacert "$cert" "https://localhost:$port/tls") || true
[[ $got == "TLSv1.3 "*" alpn=h2 sni=localhost" ]] && pass "https-server /tls over TLS 1.3 and HTTP/2: $got" ||
  fail "https-server /tls (1.3, h2): '$got'"
got=$(curl -s --http1.1 --cacert "$cert" "https://localhost:$port/tls") || true
[[ $got == "TLSv1.3 "*" alpn=http/1.1 sni=localhost" ]] && pass "https-server /tls over HTTP/1.1: $got" ||
  fail "https-server /tls (1.3, http/1.1): '$got'"
code=$(curl -s -o /dev/null -w '%{http_code}' "https://localhost:$port/hello") || true
[[ $code == 000 ]] && pass "https-server: curl without --cacert refuses the self-signed certificate" ||
  fail "https-server: an unverified curl got $code"
kill -HUP "$https_pid"
for _ in $(seq 100); do
  grep -q "certificate reloaded" "$work/https.log" && break
  sleep 0.05
done
grep -q "certificate reloaded" "$work/https.log" && pass "https-server: SIGHUP reloads the certificate" ||
  fail "https-server: no reload after SIGHUP"

finish
