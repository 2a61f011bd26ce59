#!/usr/bin/env bash
# Certificate reload under load: the HTTPS server (tests/interop/servers/
# tls_test_server.cpp) serves localhost and, by SNI on the same port,
# a.example.test from certificate files that this script swaps (each file
# replaced whole with mv) and then signals with SIGHUP (vhost::reload_tls),
# while two python3 ssl clients keep making new verified connections to both
# names and a third keeps one connection open across every reload.
# Ten more reloads follow back to back. Checked: after each reload the next handshake gets the new certificate
# (ECDSA and RSA in turn), a broken certificate file and a key that does
# not match are reported and the old certificate stays in use, no
# handshake of the load fails (client side and the server's count), the
# load saw every generation of both certificates, the connection opened
# before the first reload still works afterwards with its old certificate.
#
# ctest runs it with LWSPP_BUILD_DIR set; by hand:
#   LWSPP_BUILD_DIR=build/dev bash tests/interop/tls_reload.sh
# Exit: 0 all passed, 1 something failed, 77 skipped (no openssl or python3).
set -euo pipefail

command -v openssl >/dev/null || { echo "skip: openssl is needed (scripts/install-deps test)"; exit 77; }
command -v python3 >/dev/null || { echo "skip: python3 is needed"; exit 77; }

source "$(dirname "${BASH_SOURCE[0]}")/lib/tls_common.bash"
make_pki "$tmp/pki"
p=$tmp/pki
host_san="DNS:localhost,IP:127.0.0.1"
{
  pki=$p
  pki_leaf gen1 localhost ca "$host_san" serverAuth
  pki_leaf gen2 localhost ca "$host_san" serverAuth rsa
  pki_leaf gen3 localhost ca "$host_san" serverAuth
  pki_leaf a2 a.example.test ca DNS:a.example.test serverAuth
} >"$tmp/gens.log" 2>&1 || { indent <"$tmp/gens.log" >&2; exit 1; }

live=$tmp/live
mkdir -p "$live"
# install SRC DST: SRC.crt and SRC.key become DST.crt and DST.key, each by a rename.
install_pair() {
  cp "$p/$1.crt" "$live/$2.crt.new" && mv -f "$live/$2.crt.new" "$live/$2.crt"
  cp "$p/$1.key" "$live/$2.key.new" && mv -f "$live/$2.key.new" "$live/$2.key"
}
install_pair localhost site
install_pair a site_a

fp_of() { openssl x509 -in "$1" -noout -fingerprint -sha256 | sed 's/.*=//; s/://g' | tr 'A-F' 'a-f'; }
# served NAME: the fingerprint of the certificate a new handshake for NAME gets.
served() {
  timeout 10 openssl s_client -connect "127.0.0.1:$port" -servername "$1" -CAfile "$p/ca.crt" \
    -verify_return_error </dev/null 2>/dev/null | openssl x509 -outform DER 2>/dev/null |
    sha256sum | cut -d' ' -f1
}
declare -A fp=()
for g in localhost gen1 gen2 gen3 a a2; do fp[$g]=$(fp_of "$p/$g.crt"); done

start_tls_server reload --cert "$live/site.crt" --key "$live/site.key" \
  --vhost a.example.test "$live/site_a.crt" "$live/site_a.key" --verbose
echo "server on 127.0.0.1:$port"
expect_eq "before any reload: localhost gets the first certificate" "$(served localhost)" "${fp[localhost]}"
expect_eq "before any reload: a.example.test gets its first certificate" "$(served a.example.test)" "${fp[a]}"

# --- the load ----------------------------------------------------------------------------

cat >"$tmp/load.py" <<'EOF'
# Two threads of new connections (each verified, each a full handshake, one GET
# /hello), one long-lived keep-alive connection; runs until STOPFILE exists (at
# most 50 s), then writes a JSON summary.
import hashlib, http.client, json, os, socket, ssl, sys, threading, time
port, cafile, stopfile, progress, result = int(sys.argv[1]), *sys.argv[2:]
ctx = ssl.create_default_context(cafile=cafile)
lock = threading.Lock()
stats = {"ok": 0, "failed": 0, "errors": [], "seen": {"localhost": [], "a.example.test": []}}

def one(name):
    with socket.create_connection(("127.0.0.1", port), timeout=10) as raw:
        with ctx.wrap_socket(raw, server_hostname=name) as s:
            digest = hashlib.sha256(s.getpeercert(binary_form=True)).hexdigest()
            s.sendall(b"GET /hello HTTP/1.1\r\nHost: " + name.encode() + b"\r\nConnection: close\r\n\r\n")
            data = b""
            while True:
                chunk = s.recv(65536)
                if not chunk:
                    break
                data += chunk
    if not data.startswith(b"HTTP/1.1 200 ") or not data.endswith(b"Hello, world!"):
        raise RuntimeError("unexpected answer %r" % data[:80])
    return digest

def worker(names):
    deadline = time.monotonic() + 50
    i = 0
    while not os.path.exists(stopfile) and time.monotonic() < deadline:
        name = names[i % len(names)]
        i += 1
        try:
            digest = one(name)
            with lock:
                stats["ok"] += 1
                if digest not in stats["seen"][name]:
                    stats["seen"][name].append(digest)
        except Exception as e:  # any failure at all is what this test looks for
            with lock:
                stats["failed"] += 1
                if len(stats["errors"]) < 10:
                    stats["errors"].append("%s: %s" % (name, e))

keeper = http.client.HTTPSConnection("localhost", port, context=ctx, timeout=10)
keeper.request("GET", "/hello")
first = keeper.getresponse().read()
keeper_fp = hashlib.sha256(keeper.sock.getpeercert(binary_form=True)).hexdigest()
threads = [threading.Thread(target=worker, args=(n,)) for n in
           (["localhost", "a.example.test"], ["a.example.test", "localhost"])]
for t in threads:
    t.start()
while any(t.is_alive() for t in threads):
    with lock:
        with open(progress + ".tmp", "w") as f:
            f.write("%d %d\n" % (stats["ok"], stats["failed"]))
    os.replace(progress + ".tmp", progress)
    time.sleep(0.1)
for t in threads:
    t.join()
try:
    keeper.request("GET", "/hello")
    second = keeper.getresponse().read()
    stats["keeper"] = "ok" if first == second == b"Hello, world!" else "answer %r" % second
    stats["keeper_fp"] = hashlib.sha256(keeper.sock.getpeercert(binary_form=True)).hexdigest()
    stats["keeper_first_fp"] = keeper_fp
except Exception as e:
    stats["keeper"] = "failed: %s" % e
with open(result, "w") as f:
    json.dump(stats, f)
EOF
bg load_pid python3 "$tmp/load.py" "$port" "$p/ca.crt" "$tmp/stop" "$tmp/progress" "$tmp/result.json"

# wait_ok N: until the load has made N more good connections (at most 20 s).
wait_ok() {
  local start now i
  start=$(cut -d' ' -f1 "$tmp/progress" 2>/dev/null || echo 0)
  for ((i = 0; i < 200; i++)); do
    now=$(cut -d' ' -f1 "$tmp/progress" 2>/dev/null || echo 0)
    ((now - start >= $1)) && return 0
    sleep 0.1
  done
  fail "the load made only $((now - start)) connections in 20 s (wanted $1)"
}
# reload N: SIGHUP, then wait for "reload N: ..." in the log; its outcome → $outcome.
outcome=
reload() {
  local i
  kill -HUP "${server_pids[reload]}"
  for ((i = 0; i < 100; i++)); do
    outcome=$(sed -n "s/^tls_test_server: reload $1: //p" "$tmp/reload.log")
    [[ -n $outcome ]] && return 0
    sleep 0.1
  done
  outcome="(no answer in 10 s)"
}

wait_ok 20
for round in 1 2 3; do
  install_pair "gen$round" site
  [[ $round == 2 ]] && install_pair a2 site_a
  reload "$round"
  expect_eq "reload $round: the server says ok" "$outcome" ok
  expect_eq "reload $round: a new handshake for localhost gets gen$round" "$(served localhost)" "${fp[gen$round]}"
  wait_ok 20
done
expect_eq "after reload 2: a.example.test gets its second certificate" "$(served a.example.test)" "${fp[a2]}"

printf 'this is not a certificate\n' >"$live/site.crt.new"
mv -f "$live/site.crt.new" "$live/site.crt"
reload 4
expect_match "reload 4 (a broken certificate file): reported, naming the file" "$outcome" \
  '^failed: .*site\.crt'
expect_eq "reload 4: localhost still gets gen3" "$(served localhost)" "${fp[gen3]}"
wait_ok 10

cp "$p/gen1.crt" "$live/site.crt.new" && mv -f "$live/site.crt.new" "$live/site.crt"
cp "$p/gen2.key" "$live/site.key.new" && mv -f "$live/site.key.new" "$live/site.key"
reload 5
expect_match "reload 5 (a key that does not match the certificate): reported" "$outcome" \
  '^failed: .*site\.crt.*does not match private key .*site\.key'
expect_eq "reload 5: localhost still gets gen3" "$(served localhost)" "${fp[gen3]}"
wait_ok 10

install_pair localhost site
reload 6
expect_eq "reload 6 (the first certificate back): ok" "$outcome" ok
expect_eq "reload 6: localhost gets the first certificate again" "$(served localhost)" "${fp[localhost]}"
wait_ok 10

# Ten more, back to back (each as soon as the last one is done), files unchanged.
burst=()
for round in $(seq 7 16); do
  reload "$round"
  burst+=("$outcome")
done
expect_eq "reloads 7-16 back to back under load: all ok" "${burst[*]}" "$(printf 'ok %.0s' $(seq 7 15))ok"
wait_ok 10

touch "$tmp/stop"
wait "$load_pid" || true
if [[ ! -s $tmp/result.json ]]; then
  fail "the load wrote no result"
  finish
fi
r() { python3 -c 'import json, sys; print(eval(sys.argv[2], {}, json.load(open(sys.argv[1]))))' "$tmp/result.json" "$1"; }
ok=$(r ok)
echo "the load: $ok connections, $(r failed) failed"
expect_eq "no handshake or request of the load failed" "$(r failed)" 0
[[ $(r failed) == 0 ]] || r 'errors' | indent >&2
if ((ok >= 100)); then pass "the load made $ok connections (>= 100)"; else fail "the load made only $ok connections"; fi
expect_eq "the load saw localhost's four certificates, in order" \
  "$(r '" ".join(seen["localhost"])')" "${fp[localhost]} ${fp[gen1]} ${fp[gen2]} ${fp[gen3]}"
expect_eq "the load saw a.example.test's two certificates, in order" \
  "$(r '" ".join(seen["a.example.test"])')" "${fp[a]} ${fp[a2]}"
expect_eq "the connection opened before the reloads still answers" "$(r keeper)" ok
expect_eq "... with the certificate it began with" "$(r keeper_fp)" "${fp[localhost]}"

stats=$(curl -sS --max-time 10 --cacert "$p/ca.crt" "https://localhost:$port/stats" 2>&1 || true)
expect_eq "the server counted no failed handshake; 16 reloads, 2 refused" \
  "$(sed 's/handshakes=[0-9]* //' <<<"$stats")" "failures=0 reloads=16 reload_errors=2"
stop_tls_server reload

finish
