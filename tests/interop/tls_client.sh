#!/usr/bin/env bash
# lwspp's TLS client (tests/interop/servers/tls_test_client.cpp) against
# `openssl s_server -www` and nginx with TLS, with a PKI made here by the
# openssl CLI. Each server certificate case must end as it should:
#   good chain (leaf + intermediate)  verified, the answer read, a clean close
#   leaf without its intermediate     "unable to get local issuer certificate"
#   expired                           "certificate has expired"
#   wrong host                        "hostname mismatch" (and "IP address mismatch")
#   self-signed                       "self-signed certificate"
#   unknown CA                        "unable to get local issuer certificate"
# and the close reason is tls_error::verify_failed (lwspp.tls:2). Also:
# insecure_skip_verify, an IP-address target, a server_name override (SNI
# picks nginx's second server), ALPN, TLS 1.2-only servers and a client that
# wants 1.3, client certificates for a server that requires one, resumption
# of the first connection's session by the second, and odd peers written in
# python3: a close without close_notify (tls_error::truncated), a record that
# does not decrypt (bad_record), plaintext HTTP instead of a ServerHello
# (handshake_failed), silence (handshake_timeout).
#
# ctest runs it with LWSPP_BUILD_DIR set; by hand:
#   LWSPP_BUILD_DIR=build/dev bash tests/interop/tls_client.sh
# Exit: 0 all passed, 1 something failed, 77 skipped (no openssl or python3;
# without nginx only its part is skipped).
set -euo pipefail

command -v openssl >/dev/null || { echo "skip: openssl is needed (scripts/install-deps test)"; exit 77; }
command -v python3 >/dev/null || { echo "skip: python3 is needed"; exit 77; }

source "$(dirname "${BASH_SOURCE[0]}")/lib/tls_common.bash"
client_bin=$(find_bin tls_test_client)
echo "openssl: $(openssl version)"
make_pki "$tmp/pki"
p=$tmp/pki

# client NAME TARGET [tls_test_client args]: stdout → $tmp/NAME.out, stderr → $tmp/NAME.err,
# exit code → $rc.
rc=0
client() {
  local name=$1
  shift
  rc=0
  timeout 30 "$client_bin" "$@" >"$tmp/$name.out" 2>"$tmp/$name.err" || rc=$?
}
err() { cat "$tmp/$1.err"; }
# opened NAME KEY: KEY's value on the first "open" line.
opened() { sed -n "s/^tls_test_client: open .*\\b$2=\\([^ ]*\\).*/\\1/p" "$tmp/$1.err" | head -n 1; }
# expect_good WHAT NAME FIRST-LINE-ERE: exit 0, verified, the answer's first line.
expect_good() {
  if [[ $rc -eq 0 ]] && [[ $(opened "$2" peer_verified) == 1 ]] &&
    head -n 1 "$tmp/$2.out" | grep -qE -- "$3"; then
    pass "$1: verified, answer read ($(head -n 1 "$tmp/$2.out" | tr -d '\r'))"
  else
    fail "$1: exit $rc; stderr and the first lines of stdout:"
    { err "$2"; head -n 3 "$tmp/$2.out"; } | indent >&2
  fi
}
# expect_verify_failed WHAT NAME TEXT: exit 1, never opened, closed with
# "TLS certificate verification failed: TEXT [code=lwspp.tls:2 ...]".
expect_verify_failed() {
  local want="^tls_test_client: closed: TLS certificate verification failed: $3 \\[code=lwspp\\.tls:2"
  if [[ $rc -eq 1 ]] && ! grep -q '^tls_test_client: open' "$tmp/$2.err" && [[ ! -s $tmp/$2.out ]] &&
    grep -qE -- "$want" "$tmp/$2.err"; then
    pass "$1: \"$3\""
  else
    fail "$1: exit $rc, want the close reason \"$3\" (lwspp.tls:2); stderr:"
    indent <"$tmp/$2.err" >&2
  fi
}

# --- openssl s_server ---------------------------------------------------------------

# s_server NAME ARGS...: `openssl s_server -www` on 127.0.0.1 (any port); sets $sport.
s_server() {
  local name=$1 pid i
  shift
  : >"$tmp/$name.s_server.log"
  bg pid openssl s_server -accept 127.0.0.1:0 -www -naccept 20 "$@" >"$tmp/$name.s_server.log" 2>&1
  for ((i = 0; i < 100; i++)); do
    sport=$(sed -n 's/^ACCEPT .*:\([0-9]*\)$/\1/p' "$tmp/$name.s_server.log")
    [[ -n $sport ]] && return 0
    kill -0 "$pid" 2>/dev/null || break
    sleep 0.1
  done
  echo "FAIL: openssl s_server ($name) did not start:" >&2
  indent <"$tmp/$name.s_server.log" >&2
  exit 1
}
ca=(--ca "$p/ca.crt")

s_server good -cert "$p/chained.crt" -key "$p/chained.key" -cert_chain "$p/inter.crt" -alpn x-other,http/1.1
client good "localhost:$sport" "${ca[@]}"
expect_good "s_server, good chain" good '^HTTP/1\.0 200 ok'
expect_eq "s_server, good chain: the peer's CN" "$(opened good peer_cn)" localhost
expect_eq "s_server, good chain: TLS 1.3" "$(opened good version)" TLSv1.3
expect_match "s_server, good chain: closed by the peer, cleanly" "$(err good)" \
  '^tls_test_client: closed: closed by peer \[code=lwspp:3\]$'
client good_ip "127.0.0.1:$sport" "${ca[@]}"
expect_good "s_server, good chain, to 127.0.0.1 (the IP SAN)" good_ip '^HTTP/1\.0 200 ok'
client alpn "localhost:$sport" "${ca[@]}" --alpn h2,http/1.1
expect_eq "s_server -alpn x-other,http/1.1, client offers h2,http/1.1: http/1.1" "$(opened alpn alpn)" http/1.1
client resume "localhost:$sport" "${ca[@]}" --count 2
expect_eq "s_server: the second connection resumes the first's session" \
  "$(sed -n 's/^tls_test_client: open .*resumed=\([01]\).*/\1/p' "$tmp/resume.err" | tr '\n' ' ')" "0 1 "
expect_eq "s_server: both resumption connections read their answer" "$rc" 0

s_server leaf_only -cert "$p/chained.crt" -key "$p/chained.key"
client leaf_only "localhost:$sport" "${ca[@]}"
expect_verify_failed "s_server, leaf without its intermediate" leaf_only "unable to get local issuer certificate"

s_server expired -cert "$p/expired.crt" -key "$p/expired.key"
client expired "localhost:$sport" "${ca[@]}"
expect_verify_failed "s_server, expired certificate" expired "certificate has expired"

s_server wrong_host -cert "$p/a.crt" -key "$p/a.key"
client wrong_host "localhost:$sport" "${ca[@]}"
expect_verify_failed "s_server, a.example.test's certificate for localhost" wrong_host "hostname mismatch"
client wrong_ip "127.0.0.1:$sport" "${ca[@]}"
expect_verify_failed "s_server, a.example.test's certificate for 127.0.0.1" wrong_ip "IP address mismatch"
client name_override "127.0.0.1:$sport" "${ca[@]}" --name a.example.test
expect_good "s_server, to 127.0.0.1 with server_name a.example.test" name_override '^HTTP/1\.0 200 ok'

s_server self_signed -cert "$p/self_signed.crt" -key "$p/self_signed.key"
client self_signed "localhost:$sport" "${ca[@]}"
expect_verify_failed "s_server, self-signed certificate" self_signed "self-signed certificate"
client system_store "localhost:$sport"
expect_verify_failed "s_server, self-signed, against the system trust store" system_store "self-signed certificate"
client insecure "localhost:$sport" --insecure
if [[ $rc -eq 0 && $(opened insecure peer_verified) == 0 ]] && head -n 1 "$tmp/insecure.out" | grep -q '^HTTP/1.0 200'; then
  pass "s_server, self-signed, insecure_skip_verify: connects, peer not verified"
else
  fail "s_server, self-signed, insecure_skip_verify: exit $rc:"
  indent <"$tmp/insecure.err" >&2
fi

s_server unknown_ca -cert "$p/unknown_ca.crt" -key "$p/unknown_ca.key"
client unknown_ca "localhost:$sport" "${ca[@]}"
expect_verify_failed "s_server, certificate from an unknown CA" unknown_ca "unable to get local issuer certificate"

s_server tls12 -cert "$p/localhost.crt" -key "$p/localhost.key" -tls1_2
client tls12 "localhost:$sport" "${ca[@]}"
expect_eq "s_server -tls1_2: the client settles on TLSv1.2" "$(opened tls12 version)" TLSv1.2
client tls12_min13 "localhost:$sport" "${ca[@]}" --min 1.3
if [[ $rc -eq 1 ]] && grep -qE '^tls_test_client: closed: TLS (alert from peer|handshake failed): .*protocol version' "$tmp/tls12_min13.err"; then
  pass "s_server -tls1_2, client min 1.3: refused ($(sed -n 's/^tls_test_client: closed: //p' "$tmp/tls12_min13.err"))"
else
  fail "s_server -tls1_2, client min 1.3: exit $rc:"
  indent <"$tmp/tls12_min13.err" >&2
fi

s_server mtls -cert "$p/localhost.crt" -key "$p/localhost.key" -Verify 1 -CAfile "$p/ca.crt"
client mtls_alice "localhost:$sport" "${ca[@]}" --cert "$p/alice.crt" --key "$p/alice.key"
expect_good "s_server -Verify 1, client certificate alice" mtls_alice '^HTTP/1\.0 200 ok'
if grep -q '^depth=0 CN = alice$' "$tmp/mtls.s_server.log"; then
  pass "s_server -Verify 1: s_server verified alice's certificate"
else
  fail "s_server -Verify 1: no 'depth=0 CN = alice' in its log:"
  indent <"$tmp/mtls.s_server.log" >&2
fi
client mtls_none "localhost:$sport" "${ca[@]}"
if [[ $rc -eq 1 ]] && grep -qE '^tls_test_client: closed: TLS alert from peer: .*certificate required .*\[code=lwspp\.tls:3 alert=116\]' "$tmp/mtls_none.err"; then
  pass "s_server -Verify 1, no client certificate: the alert is the close reason"
else
  fail "s_server -Verify 1, no client certificate: exit $rc:"
  indent <"$tmp/mtls_none.err" >&2
fi

# --- odd peers (python3) -------------------------------------------------------------------

# odd_peer MODE: a one-connection server on 127.0.0.1 (any port); sets $sport.
#   truncate   TLS; answers, then closes TCP without close_notify
#   tamper     TLS; answers, then a record whose bytes do not decrypt
#   plaintext  not TLS: answers the ClientHello with an HTTP/1.1 400
#   silent     accepts and says nothing
cat >"$tmp/odd_peer.py" <<'PY'
import os, socket, ssl, sys, time
mode, cert, key, portfile = sys.argv[1:5]
ls = socket.socket()
ls.bind(("127.0.0.1", 0))
ls.listen(1)
with open(portfile + ".tmp", "w") as f:
    f.write("%d\n" % ls.getsockname()[1])
os.replace(portfile + ".tmp", portfile)
ls.settimeout(20)
c, _ = ls.accept()
c.settimeout(10)
if mode in ("truncate", "tamper"):
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    ctx.load_cert_chain(cert, key)
    s = ctx.wrap_socket(c, server_side=True)
    s.recv(4096)
    s.sendall(b"HTTP/1.0 200 ok\r\n\r\npartial")
    time.sleep(0.2)
    raw = socket.socket(fileno=s.detach())  # the TCP socket under TLS
    if mode == "tamper":
        raw.sendall(b"\x17\x03\x03\x00\x20" + os.urandom(32))
        time.sleep(1)
    raw.close()  # FIN, no close_notify
elif mode == "plaintext":
    c.recv(4096)
    c.sendall(b"HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\nConnection: close\r\n\r\n")
    time.sleep(0.5)
    c.close()
elif mode == "silent":
    time.sleep(8)
    c.close()
PY
odd_peer() {
  local pid i
  rm -f "$tmp/odd.port"
  bg pid python3 "$tmp/odd_peer.py" "$1" "$p/localhost.crt" "$p/localhost.key" "$tmp/odd.port"
  for ((i = 0; i < 100; i++)); do
    [[ -s $tmp/odd.port ]] && break
    sleep 0.1
  done
  sport=$(cat "$tmp/odd.port")
}
# expect_closed WHAT NAME EXIT TEXT: exit code EXIT and the close line "closed: TEXT".
expect_closed() {
  if [[ $rc -eq $3 ]] && grep -qxF -- "tls_test_client: closed: $4" "$tmp/$2.err"; then
    pass "$1: $4"
  else
    fail "$1: exit $rc (want $3), want \"closed: $4\"; stderr:"
    indent <"$tmp/$2.err" >&2
  fi
}

odd_peer truncate
client truncate "localhost:$sport" "${ca[@]}"
expect_eq "a server that closes without close_notify: its answer arrived" "$(tail -c 7 "$tmp/truncate.out")" partial
expect_closed "a server that closes without close_notify" truncate 0 \
  "TLS connection closed without close_notify: the peer closed the connection without close_notify [code=lwspp.tls:6]"
odd_peer tamper
client tamper "localhost:$sport" "${ca[@]}"
expect_closed "a server that sends a record that does not decrypt" tamper 0 \
  "bad TLS record: decryption failed or bad record mac [code=lwspp.tls:4 alert=20]"
odd_peer plaintext
client plaintext "localhost:$sport" "${ca[@]}"
expect_closed "a server that answers in plaintext HTTP" plaintext 1 \
  "TLS handshake failed: wrong version number [code=lwspp.tls:1]"
odd_peer silent
start_ns=$(date +%s%N)
client silent "localhost:$sport" "${ca[@]}" --timeout 1000
elapsed_ms=$((($(date +%s%N) - start_ns) / 1000000))
expect_closed "a server that never answers the ClientHello" silent 1 \
  "TLS handshake timed out: no TLS handshake within 1000 ms [code=lwspp.tls:7]"
if ((elapsed_ms >= 900 && elapsed_ms < 4000)); then
  pass "a server that never answers: given up after ${elapsed_ms} ms (timeout 1000 ms)"
else
  fail "a server that never answers: given up after ${elapsed_ms} ms (timeout 1000 ms)"
fi

# --- nginx ------------------------------------------------------------------------------------

nginx_bin=$(command -v nginx || true)
[[ -z $nginx_bin && -x /usr/sbin/nginx ]] && nginx_bin=/usr/sbin/nginx
if [[ -z $nginx_bin ]]; then
  note "nginx is not installed (scripts/install-deps test): its part is skipped"
  finish
fi
echo "nginx: $("$nginx_bin" -v 2>&1 | sed 's/^nginx version: //')"
declare -A np=()
for n in good expired self_signed unknown_ca wrong_host; do np[$n]=$(free_port); done
nd=$tmp/nginx
mkdir -p "$nd"
server_block() {  # PORT CERT KEY [server_name [default]]
  cat <<EOF
  server {
    listen 127.0.0.1:$1 ssl${5:+ default_server};
    server_name ${4:-localhost};
    ssl_certificate $2;
    ssl_certificate_key $3;
    location / {
      default_type text/plain;
      return 200 "hello from nginx ${4:-localhost}\\n";
    }
  }
EOF
}
{
  cat <<EOF
worker_processes 1;
daemon off;
master_process on;
pid $nd/nginx.pid;
error_log $nd/error.log info;
events { worker_connections 64; }
http {
  access_log off;
  client_body_temp_path $nd/client_body;
  proxy_temp_path $nd/proxy;
  fastcgi_temp_path $nd/fastcgi;
  uwsgi_temp_path $nd/uwsgi;
  scgi_temp_path $nd/scgi;
  ssl_protocols TLSv1.2 TLSv1.3;
EOF
  server_block "${np[good]}" "$p/chained_full.crt" "$p/chained.key" localhost default
  server_block "${np[good]}" "$p/a.crt" "$p/a.key" a.example.test
  server_block "${np[expired]}" "$p/expired.crt" "$p/expired.key"
  server_block "${np[self_signed]}" "$p/self_signed.crt" "$p/self_signed.key"
  server_block "${np[unknown_ca]}" "$p/unknown_ca.crt" "$p/unknown_ca.key"
  server_block "${np[wrong_host]}" "$p/a.crt" "$p/a.key"
  echo "}"
} >"$nd/nginx.conf"
bg nginx_pid "$nginx_bin" -p "$nd/" -c "$nd/nginx.conf" -e "$nd/error.log"
for n in "${!np[@]}"; do
  if ! wait_port "${np[$n]}"; then
    echo "FAIL: nginx does not listen on ${np[$n]} ($n); its log:" >&2
    indent <"$nd/error.log" >&2
    exit 1
  fi
done

get=(--send 'GET / HTTP/1.0\r\nHost: localhost\r\n\r\n')
client ng_good "localhost:${np[good]}" "${ca[@]}" "${get[@]}"
expect_good "nginx, good chain" ng_good '^HTTP/1\.1 200 OK'
if grep -q '^hello from nginx localhost' "$tmp/ng_good.out"; then pass "nginx, good chain: the body"; else fail "nginx, good chain: no body"; fi
expect_match "nginx, good chain: closed by the peer, cleanly" "$(err ng_good)" \
  '^tls_test_client: closed: closed by peer \[code=lwspp:3\]$'
client ng_alpn "localhost:${np[good]}" "${ca[@]}" "${get[@]}" --alpn h2,http/1.1
expect_eq "nginx (no http2), client offers h2,http/1.1: http/1.1" "$(opened ng_alpn alpn)" http/1.1
client ng_sni "localhost:${np[good]}" "${ca[@]}" --name a.example.test \
  --send 'GET / HTTP/1.0\r\nHost: a.example.test\r\n\r\n'
expect_eq "nginx, server_name a.example.test: SNI picks nginx's second server" \
  "$(opened ng_sni peer_cn) $(grep -o 'hello from nginx [a-z.]*' "$tmp/ng_sni.out")" \
  "a.example.test hello from nginx a.example.test"
client ng_12 "localhost:${np[good]}" "${ca[@]}" "${get[@]}" --max 1.2
expect_eq "nginx, client max TLS 1.2: TLSv1.2" "$(opened ng_12 version) $rc" "TLSv1.2 0"
client ng_resume "localhost:${np[good]}" "${ca[@]}" "${get[@]}" --count 2
expect_eq "nginx: the second connection resumes the first's session" \
  "$(sed -n 's/^tls_test_client: open .*resumed=\([01]\).*/\1/p' "$tmp/ng_resume.err" | tr '\n' ' ')" "0 1 "

client ng_expired "localhost:${np[expired]}" "${ca[@]}" "${get[@]}"
expect_verify_failed "nginx, expired certificate" ng_expired "certificate has expired"
client ng_self "localhost:${np[self_signed]}" "${ca[@]}" "${get[@]}"
expect_verify_failed "nginx, self-signed certificate" ng_self "self-signed certificate"
client ng_unknown "localhost:${np[unknown_ca]}" "${ca[@]}" "${get[@]}"
expect_verify_failed "nginx, certificate from an unknown CA" ng_unknown "unable to get local issuer certificate"
client ng_wrong "localhost:${np[wrong_host]}" "${ca[@]}" "${get[@]}"
expect_verify_failed "nginx, a.example.test's certificate for localhost" ng_wrong "hostname mismatch"

if grep -qE 'AddressSanitizer|LeakSanitizer|runtime error:' "$tmp"/*.err; then
  fail "a sanitizer report from tls_test_client:"
  grep -lE 'AddressSanitizer|LeakSanitizer|runtime error:' "$tmp"/*.err | indent >&2
else
  pass "no sanitizer report from any tls_test_client run"
fi

finish
