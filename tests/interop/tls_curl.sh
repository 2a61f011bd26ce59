#!/usr/bin/env bash
# The HTTPS server (tests/interop/servers/tls_test_server.cpp) against curl
# (--cacert with a PKI made here by the openssl CLI): GET over TLS with the
# certificate verified, SNI with three vhosts on one port (what curl saw and
# what the server's connection says), an IP-address URL (no SNI, the IP
# SAN), a name no certificate has, no trust anchor, TLS 1.2 and 1.3 pinned,
# ALPN (--http1.1 and --http2 offers), keep-alive and session resumption
# across connections of one curl, a 4 MiB file down and a 4 MiB body up and
# back, client certificates (required / optional / unknown CA), and
# plaintext http:// to the TLS port in its three settings (the 400 page, the
# redirect to https that curl -L follows, a silent close).
#
# ctest runs it with LWSPP_BUILD_DIR set; by hand:
#   LWSPP_BUILD_DIR=build/dev bash tests/interop/tls_curl.sh
# Exit: 0 all passed, 1 something failed, 77 skipped (no curl, openssl or python3).
set -euo pipefail

command -v curl >/dev/null || { echo "skip: curl is needed"; exit 77; }
command -v openssl >/dev/null || { echo "skip: openssl is needed (scripts/install-deps test)"; exit 77; }
command -v python3 >/dev/null || { echo "skip: python3 is needed"; exit 77; }

source "$(dirname "${BASH_SOURCE[0]}")/lib/tls_common.bash"
echo "curl: $(curl --version | head -n 1)"
make_pki "$tmp/pki"
p=$tmp/pki
mkdir -p "$tmp/www"
head -c $((4 << 20)) /dev/urandom >"$tmp/www/big.bin"

# req NAME CURL-ARGS...: body → $tmp/NAME.body, curl -v → $tmp/NAME.err,
# the status (or "curl exit N") → $status.
status=
req() {
  local name=$1 rc=0
  shift
  status=$(curl -sS -v --max-time 20 -o "$tmp/$name.body" -w '%{http_code}' "$@" \
    2>"$tmp/$name.err") || rc=$?
  [[ $rc -eq 0 ]] || status="curl exit $rc"
}
body() { cat "$tmp/$1.body" 2>/dev/null || true; }
field() { sed -n "s/^$2=//p" "$tmp/$1.body" 2>/dev/null | head -n 1; }
# subject NAME: the server certificate's subject as curl -v printed it.
subject() { sed -n 's/^\*  subject: //p' "$tmp/$1.err" | head -n 1; }
# expect_curl_error WHAT NAME EXIT-CODES-ERE TEXT-ERE
expect_curl_error() {
  if [[ $status =~ ^curl\ exit\ ($3)$ ]] && grep -qE -- "$4" "$tmp/$2.err"; then
    pass "$1: $status ($(grep -oE -- "$4" "$tmp/$2.err" | head -n 1))"
  else
    fail "$1: $status, want curl exit $3 and /$4/; curl said:"
    grep -vE '^[*<>{}] ?(TLS|  |Trying|Connected|ALPN|SSL conn|Server cert|Closing)' "$tmp/$2.err" |
      head -n 20 | indent >&2
  fi
}
stats() { curl -sS --max-time 10 --cacert "$p/ca.crt" "https://localhost:$port/stats"; }
stat_of() { sed -n "s/.*$1=\([0-9]*\).*/\1/p" <<<"$2"; }

start_tls_server main --cert "$p/localhost.crt" --key "$p/localhost.key" \
  --vhost a.example.test "$p/a.crt" "$p/a.key" --vhost b.example.test "$p/b.crt" "$p/b.key" \
  --alpn http/1.1 --docroot "$tmp/www"
echo "server main on 127.0.0.1:$port"
base=https://localhost:$port
resolve=(--resolve "a.example.test:$port:127.0.0.1" --resolve "b.example.test:$port:127.0.0.1"
  --resolve "c.example.test:$port:127.0.0.1")

# --- GET, certificates, SNI -----------------------------------------------------------

req hello --cacert "$p/ca.crt" -w '%{http_code} %{ssl_verify_result}' "$base/hello"
expect_eq "GET https://localhost/hello: status and verify result" "$status" "200 0"
expect_eq "GET https://localhost/hello: body" "$(body hello)" "Hello, world!"
expect_eq "GET https://localhost/hello: the certificate curl saw" "$(subject hello)" "CN=localhost"

req sni_a --cacert "$p/ca.crt" "${resolve[@]}" "https://a.example.test:$port/info"
expect_eq "SNI a.example.test: status" "$status" 200
expect_eq "SNI a.example.test: the certificate curl saw" "$(subject sni_a)" "CN=a.example.test"
expect_eq "SNI a.example.test: the vhost and name the server saw" \
  "$(field sni_a vhost) $(field sni_a sni)" "a.example.test a.example.test"

req sni_b --cacert "$p/ca.crt" "${resolve[@]}" "https://b.example.test:$port/info"
expect_eq "SNI b.example.test (RSA): the certificate curl saw" "$(subject sni_b)" "CN=b.example.test"
expect_eq "SNI b.example.test: the vhost that answered" "$(field sni_b vhost)" b.example.test

req by_ip --cacert "$p/ca.crt" "https://127.0.0.1:$port/info"
expect_eq "https://127.0.0.1 (no SNI; the IP SAN verifies): status" "$status" 200
expect_eq "https://127.0.0.1: the default vhost, no server name" \
  "$(field by_ip vhost) sni=$(field by_ip sni)" "a sni="

req sni_c --cacert "$p/ca.crt" "${resolve[@]}" "https://c.example.test:$port/hello"
expect_curl_error "https://c.example.test (gets the default certificate)" sni_c 60 \
  'no alternative certificate subject name matches'

req no_ca "$base/hello"
expect_curl_error "no --cacert: the test CA is not trusted" no_ca 60 'unable to get local issuer certificate'

req wrong_ca --cacert "$p/rogue_ca.crt" "$base/hello"
expect_curl_error "--cacert with another CA" wrong_ca 60 'unable to get local issuer certificate'

# --- versions and ALPN -------------------------------------------------------------------

req v12 --cacert "$p/ca.crt" --tlsv1.2 --tls-max 1.2 "$base/info"
expect_eq "curl --tls-max 1.2: TLSv1.2" "$(field v12 version)" TLSv1.2
req v13 --cacert "$p/ca.crt" --tlsv1.3 "$base/info"
expect_eq "curl --tlsv1.3: TLSv1.3" "$(field v13 version)" TLSv1.3
req h11 --cacert "$p/ca.crt" --http1.1 "$base/info"
expect_eq "curl --http1.1: ALPN http/1.1" "$(field h11 alpn)" http/1.1
req h2 --cacert "$p/ca.crt" --http2 "$base/info"
expect_eq "curl --http2 (offers h2,http/1.1): ALPN http/1.1" "$(field h2 alpn)" http/1.1
expect_match "curl --http2: curl saw http/1.1 chosen" "$(cat "$tmp/h2.err")" 'ALPN: server accepted http/1\.1'
expect_match "curl --http2: the answer is HTTP/1.1" "$(cat "$tmp/h2.err")" '^< HTTP/1\.1 200'

# --- connections: keep-alive, resumption -------------------------------------------------------

before=$(stats)
out=$(curl -sS --max-time 20 --cacert "$p/ca.crt" -o /dev/null -o /dev/null -o /dev/null \
  -w '%{num_connects} ' "$base/hello" "$base/info" "$base/hello")
expect_eq "keep-alive: three requests, one TLS connection" "$out" "1 0 0 "
after=$(stats)
# The second /stats is one more handshake.
expect_eq "keep-alive: one handshake for the three (the server's count)" \
  "$(($(stat_of handshakes "$after") - $(stat_of handshakes "$before")))" 2

curl -sS --max-time 20 --cacert "$p/ca.crt" -H 'Connection: close' "$base/info" \
  -H 'Connection: close' "$base/info" >"$tmp/resume.body" 2>"$tmp/resume.err" || true
expect_eq "two connections of one curl: the second one resumes" \
  "$(sed -n 's/^resumed=//p' "$tmp/resume.body" | tr '\n' ' ')" "0 1 "

# --- bodies over TLS ------------------------------------------------------------------------

req big --cacert "$p/ca.crt" "$base/static/big.bin"
if cmp -s "$tmp/big.body" "$tmp/www/big.bin"; then
  pass "GET a 4 MiB file over TLS: the same bytes"
else
  fail "GET a 4 MiB file over TLS: $status, $(stat -c %s "$tmp/big.body" 2>/dev/null || echo 0) bytes"
fi
req up --cacert "$p/ca.crt" -H 'Expect:' -H 'Content-Type: application/octet-stream' \
  --data-binary "@$tmp/www/big.bin" "$base/echo"
if cmp -s "$tmp/up.body" "$tmp/www/big.bin"; then
  pass "POST 4 MiB over TLS to /echo: the same bytes back"
else
  fail "POST 4 MiB over TLS to /echo: $status, $(stat -c %s "$tmp/up.body" 2>/dev/null || echo 0) bytes back"
fi

# --- plaintext HTTP to the TLS port ----------------------------------------------------------

req plain "http://127.0.0.1:$port/hello"
expect_eq "http:// to the TLS port: 400" "$status" 400
expect_eq "http:// to the TLS port: the page says what to do" "$(body plain)" \
  "This port speaks HTTPS: use an https:// URL."
expect_match "http:// to the TLS port: Connection: close" "$(cat "$tmp/plain.err")" '^< Connection: close'
req after_plain --cacert "$p/ca.crt" "$base/hello"
expect_eq "https:// still served after plaintext" "$(body after_plain)" "Hello, world!"
stop_tls_server main

start_tls_server redirect --cert "$p/localhost.crt" --key "$p/localhost.key" --plaintext redirect
req redir "http://localhost:$port/some/path?q=1"
expect_eq "plaintext redirect setting: 301" "$status" 301
expect_match "plaintext redirect setting: Location is the https URL" "$(cat "$tmp/redir.err")" \
  "^< Location: https://localhost:$port/some/path\\?q=1"
req follow -L --cacert "$p/ca.crt" "http://localhost:$port/hello"
expect_eq "curl -L http:// follows the redirect to https" "$status $(body follow)" "200 Hello, world!"
stop_tls_server redirect

start_tls_server close --cert "$p/localhost.crt" --key "$p/localhost.key" --plaintext close
req shut "http://127.0.0.1:$port/hello"
expect_curl_error "plaintext close setting: closed without a word" shut 52 'Empty reply from server'
stop_tls_server close

# --- client certificates ---------------------------------------------------------------------

start_tls_server mtls --cert "$p/localhost.crt" --key "$p/localhost.key" \
  --client-auth required --client-ca "$p/ca.crt"
base=https://localhost:$port
req alice --cacert "$p/ca.crt" --cert "$p/alice.crt" --key "$p/alice.key" "$base/info"
expect_eq "client_auth required, alice: 200, CN alice, verified" \
  "$status $(field alice client_cn) $(field alice client_verified)" "200 alice 1"
req anon --cacert "$p/ca.crt" "$base/info"
expect_curl_error "client_auth required, no certificate" anon '56|35' 'alert certificate required'
req mallory --cacert "$p/ca.crt" --cert "$p/mallory.crt" --key "$p/mallory.key" "$base/info"
expect_curl_error "client_auth required, a certificate from an unknown CA" mallory '56|35' 'alert unknown ca'
stop_tls_server mtls

start_tls_server mtls_opt --cert "$p/localhost.crt" --key "$p/localhost.key" \
  --client-auth optional --client-ca "$p/ca.crt"
base=https://localhost:$port
req opt_anon --cacert "$p/ca.crt" "$base/info"
expect_eq "client_auth optional, no certificate: 200 without a client CN" \
  "$status cn=$(field opt_anon client_cn)" "200 cn="
req opt_alice --cacert "$p/ca.crt" --cert "$p/alice.crt" --key "$p/alice.key" "$base/info"
expect_eq "client_auth optional, alice: CN alice" "$(field opt_alice client_cn)" alice
stop_tls_server mtls_opt

finish
