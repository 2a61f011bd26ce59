#!/usr/bin/env bash
# The HTTPS server (tests/interop/servers/tls_test_server.cpp) against
# `openssl s_client`, with a PKI made here by the openssl CLI: the handshake
# and the served certificate (verified, with the host name checked), SNI
# with three vhosts on one port (ECDSA, ECDSA, RSA) and the default for no
# or an unknown name, ALPN choice and the no_application_protocol alert,
# TLS 1.2-only and 1.3-only clients against servers limited both ways,
# client certificates required / optional / from an unknown CA, resumption
# (-sess_out / -sess_in) in TLS 1.3 and 1.2 and none without tickets, SNI in
# another letter case, a KeyUpdate, a refused TLS 1.2 renegotiation, and
# hostile peers from python3 raw sockets (garbage before the ClientHello, a
# record header announcing too much, half a ClientHello then EOF, half a
# ClientHello then silence until the handshake timeout, a truncated record
# after the handshake): each is closed with a reason in the log, and the
# server goes on serving.
#
# ctest runs it with LWSPP_BUILD_DIR set; by hand:
#   LWSPP_BUILD_DIR=build/dev bash tests/interop/tls_openssl.sh
# Exit: 0 all passed, 1 something failed, 77 skipped (no openssl or python3).
set -euo pipefail

command -v openssl >/dev/null || { echo "skip: openssl is needed (scripts/install-deps test)"; exit 77; }
command -v python3 >/dev/null || { echo "skip: python3 is needed"; exit 77; }

source "$(dirname "${BASH_SOURCE[0]}")/lib/tls_common.bash"
echo "openssl: $(openssl version)"
make_pki "$tmp/pki"
p=$tmp/pki

# sc NAME [s_client args]: `openssl s_client` to 127.0.0.1:$port; stdin is
# $send (nothing when empty); stdout and stderr to $tmp/NAME.out; exit code in $rc.
# With a request, -ign_eof keeps it reading until the server closes.
send=
rc=0
sc() {
  local name=$1
  shift
  rc=0
  if [[ -n $send ]]; then
    printf '%s' "$send" | timeout 20 openssl s_client -connect "127.0.0.1:$port" -ign_eof "$@" \
      >"$tmp/$name.out" 2>&1 || rc=$?
  else
    timeout 20 openssl s_client -connect "127.0.0.1:$port" "$@" </dev/null \
      >"$tmp/$name.out" 2>&1 || rc=$?
  fi
}
# get NAME PATH [s_client args]: sc with "GET PATH" (Connection: close).
get() {
  local name=$1 path=$2
  shift 2
  printf -v send 'GET %s HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n' "$path"
  sc "$name" "$@"
  send=
}
out() { cat "$tmp/$1.out"; }
# field NAME KEY: KEY's value in the /info answer in NAME's output.
field() { sed -n "s/^$2=//p" "$tmp/$1.out" | tr -d '\r' | head -n 1; }
# served NAME: the subject of the certificate the server sent.
served() { openssl x509 -noout -subject <"$tmp/$1.out" 2>/dev/null | sed 's/^subject=//'; }
# expect_ok WHAT NAME: the handshake verified and s_client exited 0.
expect_ok() {
  if [[ $rc -eq 0 ]] && grep -q 'Verify return code: 0 (ok)' "$tmp/$2.out"; then
    pass "$1: handshake done and verified"
  else
    fail "$1: s_client exit $rc; its output:"
    indent <"$tmp/$2.out" >&2
  fi
}
# expect_refused WHAT NAME ERE: s_client failed, with ERE in its output, and
# no HTTP answer came.
expect_refused() {
  if [[ $rc -ne 0 ]] && grep -qE -- "$3" "$tmp/$2.out" && ! grep -q '^HTTP/1.1' "$tmp/$2.out"; then
    pass "$1: refused ($(grep -oE -- "$3" "$tmp/$2.out" | head -n 1))"
  else
    fail "$1: s_client exit $rc, want a failure matching /$3/ and no answer; its output:"
    indent <"$tmp/$2.out" >&2
  fi
}
# stats: "handshakes=H failures=F ..." of the server on $port.
stats() {
  printf -v send 'GET /stats HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n'
  sc stats -CAfile "$p/ca.crt"
  send=
  grep -E '^handshakes=' "$tmp/stats.out" | tr -d '\r'
}
stat_of() { sed -n "s/.*$1=\([0-9]*\).*/\1/p" <<<"$2"; }

verify=(-CAfile "$p/ca.crt" -verify_return_error)

# --- one port, three vhosts ---------------------------------------------------------

start_tls_server main --cert "$p/localhost.crt" --key "$p/localhost.key" \
  --vhost a.example.test "$p/a.crt" "$p/a.key" --vhost b.example.test "$p/b.crt" "$p/b.key" \
  --alpn http/1.1,x-lwspp --handshake-timeout 1500 --echo --verbose
echo "server main on 127.0.0.1:$port"

get hello /hello -servername localhost -verify_hostname localhost "${verify[@]}"
expect_ok "SNI localhost" hello
expect_eq "SNI localhost: served certificate" "$(served hello)" "CN = localhost"
expect_match "SNI localhost: GET /hello answered" "$(out hello)" '^Hello, world!'
expect_match "SNI localhost: TLS 1.3 by default" "$(out hello)" '^New, TLSv1\.3, Cipher is TLS_'

get sni_a /info -servername a.example.test -verify_hostname a.example.test "${verify[@]}"
expect_ok "SNI a.example.test" sni_a
expect_eq "SNI a.example.test: served certificate" "$(served sni_a)" "CN = a.example.test"
expect_eq "SNI a.example.test: the vhost that answered" "$(field sni_a vhost)" a.example.test
expect_eq "SNI a.example.test: the name the server saw" "$(field sni_a sni)" a.example.test

get sni_b /info -servername b.example.test -verify_hostname b.example.test "${verify[@]}"
expect_ok "SNI b.example.test" sni_b
expect_eq "SNI b.example.test: served certificate" "$(served sni_b)" "CN = b.example.test"
expect_match "SNI b.example.test: an RSA certificate" "$(out sni_b)" 'Peer signature type: RSA'
expect_eq "SNI b.example.test: the vhost that answered" "$(field sni_b vhost)" b.example.test

get no_sni /info -noservername "${verify[@]}"
expect_ok "no SNI" no_sni
expect_eq "no SNI: the default vhost's certificate" "$(served no_sni)" "CN = localhost"
expect_eq "no SNI: the default vhost answered" "$(field no_sni vhost)" a
expect_eq "no SNI: no server name seen" "$(field no_sni sni)" ""

get sni_c /info -servername c.example.test "${verify[@]}"
expect_eq "unknown SNI c.example.test: the default certificate" "$(served sni_c)" "CN = localhost"
expect_eq "unknown SNI c.example.test: the default vhost answered" "$(field sni_c vhost)" a

sc wrong_name -servername a.example.test -verify_hostname localhost "${verify[@]}"
expect_refused "s_client checks the name: a.example.test's certificate is not localhost's" \
  wrong_name 'hostname mismatch'

# --- ALPN -------------------------------------------------------------------------------

get alpn_h2 /info -alpn h2,http/1.1 "${verify[@]}"
expect_match "ALPN h2,http/1.1: http/1.1 chosen" "$(out alpn_h2)" '^ALPN protocol: http/1\.1$'
expect_eq "ALPN h2,http/1.1: the server's connection says http/1.1" "$(field alpn_h2 alpn)" http/1.1
get alpn_pref /info -alpn x-lwspp,http/1.1 "${verify[@]}"
expect_match "ALPN x-lwspp,http/1.1: the server's preference (http/1.1) wins" \
  "$(out alpn_pref)" '^ALPN protocol: http/1\.1$'
get alpn_x /info -alpn x-lwspp "${verify[@]}"
expect_eq "ALPN x-lwspp alone: x-lwspp" "$(field alpn_x alpn)" x-lwspp
sc alpn_none_common -alpn h2,spdy/3 "${verify[@]}"
expect_refused "ALPN h2,spdy/3 (nothing in common)" alpn_none_common 'alert no application protocol'
get alpn_off /info "${verify[@]}"
expect_match "no ALPN offered: none negotiated" "$(out alpn_off)" '^No ALPN negotiated$'
expect_eq "no ALPN offered: the connection has none" "$(field alpn_off alpn)" ""

# --- protocol versions ------------------------------------------------------------------

get v12 /info -tls1_2 "${verify[@]}"
expect_ok "TLS 1.2-only client" v12
expect_eq "TLS 1.2-only client: the connection is TLSv1.2" "$(field v12 version)" TLSv1.2
get v13 /info -tls1_3 "${verify[@]}"
expect_eq "TLS 1.3-only client: the connection is TLSv1.3" "$(field v13 version)" TLSv1.3

# --- client certificates --------------------------------------------------------------------

get acceptable /info -cert "$p/alice.crt" -key "$p/alice.key" "${verify[@]}"
expect_eq "no client_auth: a client certificate is not even asked for" "$(field acceptable client_cn)" ""

# --- resumption -----------------------------------------------------------------------------

get sess1 /info -sess_out "$tmp/sess13.pem" "${verify[@]}"
get sess2 /info -sess_in "$tmp/sess13.pem" "${verify[@]}"
expect_match "TLS 1.3 first connection: a full handshake" "$(out sess1)" '^New, TLSv1\.3'
expect_match "TLS 1.3 -sess_in: s_client says Reused" "$(out sess2)" '^Reused, TLSv1\.3'
expect_eq "TLS 1.3 -sess_in: the server's connection says resumed" "$(field sess2 resumed)" 1
get sess12a /info -tls1_2 -sess_out "$tmp/sess12.pem" "${verify[@]}"
get sess12b /info -tls1_2 -sess_in "$tmp/sess12.pem" "${verify[@]}"
expect_match "TLS 1.2 -sess_in: s_client says Reused" "$(out sess12b)" '^Reused, TLSv1\.2'
expect_eq "TLS 1.2 -sess_in: the server's connection says resumed" "$(field sess12b resumed)" 1
get sess_b /info -servername b.example.test -sess_out "$tmp/sessb.pem" "${verify[@]}"
get sess_b2 /info -servername b.example.test -sess_in "$tmp/sessb.pem" "${verify[@]}"
expect_eq "resumption on the SNI vhost b.example.test" \
  "$(field sess_b2 vhost) $(field sess_b2 resumed)" "b.example.test 1"
# b.example.test's session offered with SNI a.example.test: a full handshake
# with a.example.test's certificate, never b's session (vhost confusion).
get sess_cross /info -servername a.example.test -sess_in "$tmp/sessb.pem" "${verify[@]}"
expect_eq "b.example.test's session offered to a.example.test: not resumed, a's certificate" \
  "$(grep -oE '^(New|Reused)' "$tmp/sess_cross.out") $(field sess_cross resumed) $(served sess_cross)" \
  "New 0 CN = a.example.test"
get sess_cross12a /info -tls1_2 -servername b.example.test -sess_out "$tmp/sessb12.pem" "${verify[@]}"
get sess_cross12 /info -tls1_2 -servername a.example.test -sess_in "$tmp/sessb12.pem" "${verify[@]}"
expect_eq "the same in TLS 1.2" \
  "$(grep -oE '^(New|Reused)' "$tmp/sess_cross12.out") $(field sess_cross12 resumed) $(served sess_cross12)" \
  "New 0 CN = a.example.test"

# --- names and mid-connection messages -----------------------------------------------------

get sni_upper /info -servername A.Example.TEST "${verify[@]}"
expect_eq "SNI A.Example.TEST (case differs): vhost a.example.test" "$(field sni_upper vhost)" a.example.test
# s_client's commands: K is a KeyUpdate asking for one back, R a TLS 1.2
# renegotiation. Each is followed by a request a moment later.
ask() {
  local name=$1 cmd=$2
  shift 2
  { printf '%s\n' "$cmd"; sleep 0.3; printf 'GET /info HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n'; sleep 3; } |
    timeout 20 openssl s_client -connect "127.0.0.1:$port" -msg "$@" >"$tmp/$name.out" 2>&1 || true
}
ask keyupdate K "${verify[@]}"
expect_match "TLS 1.3 KeyUpdate (update requested): the server updates its keys too" \
  "$(out keyupdate)" '^<<< TLS 1\.3, Handshake \[length 0005\], KeyUpdate'
expect_eq "TLS 1.3 KeyUpdate: the request after it is answered" "$(field keyupdate vhost)" a
ask reneg R -tls1_2 "${verify[@]}"
expect_match "TLS 1.2 renegotiation by the client: refused with a no_renegotiation alert" \
  "$(out reneg)" 'no renegotiation'
get after_reneg /hello "${verify[@]}"
expect_match "after the refused renegotiation the server still answers" "$(out after_reneg)" '^Hello, world!'

# --- hostile peers ----------------------------------------------------------------------------

before=$(stats)
# hostile.py CASE: one raw-socket connection; prints what happened.
cat >"$tmp/hostile.py" <<'EOF'
import socket, ssl, sys, time
port, case = int(sys.argv[1]), sys.argv[2]

def client_hello():
    # A real ClientHello, made by Python's ssl with memory BIOs.
    ctx = ssl.create_default_context()
    incoming, outgoing = ssl.MemoryBIO(), ssl.MemoryBIO()
    obj = ctx.wrap_bio(incoming, outgoing, server_hostname="localhost")
    try:
        obj.do_handshake()
    except ssl.SSLWantReadError:
        pass
    return outgoing.read()

def read_all(s, limit):
    # Everything until the server closes; "timeout" if it does not within limit.
    s.settimeout(limit)
    got = b""
    try:
        while True:
            chunk = s.recv(65536)
            if not chunk:
                return got, "closed"
            got += chunk
    except socket.timeout:
        return got, "timeout"
    except ConnectionResetError:
        return got, "reset"

s = socket.create_connection(("127.0.0.1", port), timeout=10)
start = time.monotonic()
if case == "garbage":
    s.sendall(b"\x00\x01garbage that is no TLS record at all\r\n" * 8 + client_hello())
elif case == "huge_record":
    s.sendall(b"\x16\x03\x01\xff\xff" + b"\x01" * 100)
elif case == "half_hello_eof":
    hello = client_hello()
    s.sendall(hello[: len(hello) // 2])
    s.shutdown(socket.SHUT_WR)
elif case == "half_hello_stall":
    hello = client_hello()
    s.sendall(hello[: len(hello) // 2])
elif case in ("truncated_after_handshake", "tamper_after_handshake"):
    ctx = ssl.create_default_context(cafile=sys.argv[3])
    t = ctx.wrap_socket(s, server_hostname="localhost")
    sock = socket.socket(fileno=t.detach())  # the TCP socket under TLS
    if case == "truncated_after_handshake":
        # A record header announcing 200 bytes of application data, then 20
        # of them, then EOF: no close_notify, no complete record.
        sock.sendall(b"\x17\x03\x03\x00\xc8" + b"\xaa" * 20)
        sock.shutdown(socket.SHUT_WR)
    else:
        # A whole record whose bytes are not what the keys encrypted.
        sock.sendall(b"\x17\x03\x03\x00\x20" + b"\x55" * 32)
    s = sock
got, how = read_all(s, 8)
elapsed = time.monotonic() - start
alert = got[:1] == b"\x15"
print("%s after %.1f s, %d bytes back%s" % (how, elapsed, len(got), " (an alert)" if alert else ""))
EOF
hostile() {
  python3 "$tmp/hostile.py" "$port" "$@" 2>&1 || true
}

r=$(hostile garbage)
expect_match "garbage before the ClientHello: closed at once" "$r" '^(closed|reset) after [0-2]\.'
r=$(hostile huge_record)
expect_match "a record header announcing 65535 bytes: closed at once" "$r" '^(closed|reset) after [0-2]\.'
r=$(hostile half_hello_eof)
expect_match "half a ClientHello, then EOF: closed at once" "$r" '^(closed|reset) after [0-2]\.'
r=$(hostile half_hello_stall)
expect_match "half a ClientHello, then silence: closed by the 1.5 s handshake timeout" "$r" \
  '^(closed|reset) after (1\.[4-9]|[23]\.)'
r=$(hostile truncated_after_handshake "$p/ca.crt")
expect_match "a truncated record after the handshake, then EOF: closed" "$r" '^(closed|reset) after [0-2]\.'

# The same after the handshake on the raw echo vhost, which logs why each
# connection closed: an orderly close first.
# wait_log TEXT: until the server's log has the line TEXT (5 s); then ok.
wait_log() {
  local i
  for ((i = 0; i < 50; i++)); do
    grep -qxF -- "$1" "$tmp/main.log" && return 0
    sleep 0.1
  done
  return 1
}
{ printf 'ping\n'; sleep 1; } | timeout 20 openssl s_client -connect "127.0.0.1:$echo_port" \
  "${verify[@]}" >"$tmp/echo.out" 2>&1 || true
expect_match "the TLS echo vhost echoes" "$(out echo)" '^ping$'
if wait_log "tls_test_server: echo connection closed: closed by peer [code=lwspp:3]"; then
  pass "s_client's close_notify, then FIN: the echo role sees an orderly close"
else
  fail "s_client's close_notify, then FIN: no 'closed by peer' line in the server's log"
fi
port_was=$port
port=$echo_port
r=$(hostile truncated_after_handshake "$p/ca.crt")
expect_match "a truncated record after the handshake, then EOF (echo vhost): closed" "$r" '^(closed|reset) after [0-2]\.'
want="tls_test_server: echo connection closed: TLS connection closed without close_notify: the peer closed the connection without close_notify [code=lwspp.tls:6]"
if wait_log "$want"; then
  pass "... and the echo role's close reason is tls_error::truncated"
else
  fail "... no '$want' in the server's log:"
  grep 'echo connection closed' "$tmp/main.log" | indent >&2
fi
r=$(hostile tamper_after_handshake "$p/ca.crt")
expect_match "a record that does not decrypt (echo vhost): closed" "$r" '^(closed|reset) after [0-2]\.'
want="tls_test_server: echo connection closed: bad TLS record: decryption failed or bad record mac [code=lwspp.tls:4]"
if wait_log "$want"; then
  pass "... and the echo role's close reason is tls_error::bad_record"
else
  fail "... no '$want' in the server's log:"
  grep 'echo connection closed' "$tmp/main.log" | indent >&2
fi
port=$port_was

get after_hostile /hello "${verify[@]}"
expect_match "after the hostile peers the server still answers" "$(out after_hostile)" '^Hello, world!'
after=$(stats)
expect_eq "the four hostile handshakes are counted as failed handshakes" \
  "$(($(stat_of failures "$after") - $(stat_of failures "$before")))" 4
log=$(cat "$tmp/main.log")
expect_match "the log gives the reason for the garbage" "$log" 'TLS handshake with .* failed: .*(wrong version number|unknown protocol|record)'
expect_match "the log gives the reason for the oversized record" "$log" 'TLS handshake with .* failed: .*packet length too long'
expect_match "the log gives the reason for the EOF in the handshake" "$log" 'TLS handshake with .* failed: .*closed the connection during the handshake'
expect_match "the log gives the reason for the stall" "$log" 'TLS handshake with .* failed: TLS handshake timed out'
stop_tls_server main

# --- servers limited to one version ------------------------------------------------------------

start_tls_server max12 --cert "$p/localhost.crt" --key "$p/localhost.key" --max 1.2 --verbose
sc max12_13 -tls1_3 "${verify[@]}"
expect_refused "server max TLS 1.2, TLS 1.3-only client" max12_13 'alert protocol version'
get max12_12 /info -tls1_2 "${verify[@]}"
expect_eq "server max TLS 1.2, TLS 1.2-only client: TLSv1.2" "$(field max12_12 version)" TLSv1.2
get max12_any /info "${verify[@]}"
expect_eq "server max TLS 1.2, any client: TLSv1.2" "$(field max12_any version)" TLSv1.2
expect_match "server max TLS 1.2: the refusal is logged with its reason" "$(cat "$tmp/max12.log")" \
  'TLS handshake with .* failed: .*unsupported protocol'
stop_tls_server max12

start_tls_server min13 --cert "$p/localhost.crt" --key "$p/localhost.key" --min 1.3 --verbose
sc min13_12 -tls1_2 "${verify[@]}"
expect_refused "server min TLS 1.3, TLS 1.2-only client" min13_12 'alert protocol version'
get min13_13 /info -tls1_3 "${verify[@]}"
expect_eq "server min TLS 1.3, TLS 1.3-only client: TLSv1.3" "$(field min13_13 version)" TLSv1.3
stop_tls_server min13

# --- client certificates -----------------------------------------------------------------------

start_tls_server mtls --cert "$p/localhost.crt" --key "$p/localhost.key" \
  --client-auth required --client-ca "$p/ca.crt" --verbose
get req_alice /info -cert "$p/alice.crt" -key "$p/alice.key" "${verify[@]}"
expect_ok "client_auth required, alice's certificate" req_alice
expect_eq "client_auth required, alice: the server sees CN alice" "$(field req_alice client_cn)" alice
expect_eq "client_auth required, alice: verified" "$(field req_alice client_verified)" 1
expect_match "client_auth required: the server names its CA" "$(out req_alice)" \
  '^Acceptable client certificate CA names$'
expect_match "client_auth required: ... lwspp interop CA" "$(out req_alice)" '^CN = lwspp interop CA$'
get req_alice12 /info -tls1_2 -cert "$p/alice.crt" -key "$p/alice.key" "${verify[@]}"
expect_eq "client_auth required, alice over TLS 1.2" "$(field req_alice12 client_cn) $(field req_alice12 version)" "alice TLSv1.2"
get req_none /info "${verify[@]}"
expect_refused "client_auth required, no certificate" req_none 'alert certificate required'
get req_none12 /info -tls1_2 "${verify[@]}"
expect_refused "client_auth required, no certificate, TLS 1.2" req_none12 'alert handshake failure'
get req_mallory /info -cert "$p/mallory.crt" -key "$p/mallory.key" "${verify[@]}"
expect_refused "client_auth required, a certificate from an unknown CA" req_mallory 'alert unknown ca'
expect_match "client_auth required: the refusal is logged with the X.509 reason" "$(cat "$tmp/mtls.log")" \
  'TLS handshake with .* failed: .*(unable to get local issuer certificate|certificate verify failed)'
stop_tls_server mtls

start_tls_server mtls_opt --cert "$p/localhost.crt" --key "$p/localhost.key" \
  --client-auth optional --client-ca "$p/ca.crt"
get opt_none /info "${verify[@]}"
expect_ok "client_auth optional, no certificate" opt_none
expect_eq "client_auth optional, no certificate: no client CN" "$(field opt_none client_cn)" ""
expect_eq "client_auth optional, no certificate: not verified" "$(field opt_none client_verified)" 0
get opt_alice /info -cert "$p/alice.crt" -key "$p/alice.key" "${verify[@]}"
expect_eq "client_auth optional, alice: CN alice, verified" \
  "$(field opt_alice client_cn) $(field opt_alice client_verified)" "alice 1"
get opt_mallory /info -cert "$p/mallory.crt" -key "$p/mallory.key" "${verify[@]}"
expect_refused "client_auth optional, a certificate from an unknown CA" opt_mallory 'alert unknown ca'
stop_tls_server mtls_opt

# --- no session tickets ---------------------------------------------------------------------------

start_tls_server notickets --cert "$p/localhost.crt" --key "$p/localhost.key" --no-tickets
get nt1 /info -sess_out "$tmp/sess_nt.pem" "${verify[@]}"
expect_no_match "no tickets, TLS 1.3: no NewSessionTicket arrives" "$(out nt1)" 'New Session Ticket arrived'
if [[ -e $tmp/sess_nt.pem ]]; then
  fail "no tickets, TLS 1.3: s_client had a session to save"
else
  pass "no tickets, TLS 1.3: s_client had no session to save"
fi
get nt12 /info -tls1_2 -sess_out "$tmp/sess_nt12.pem" "${verify[@]}"
expect_match "no tickets, TLS 1.2: no session ID either" "$(out nt12)" '^ +Session-ID: *$'
expect_no_match "no tickets, TLS 1.2: no ticket" "$(out nt12)" 'TLS session ticket:'
stop_tls_server notickets

finish
