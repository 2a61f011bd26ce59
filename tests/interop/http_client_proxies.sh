#!/usr/bin/env bash
# The HTTP client (examples/http-get) through real proxies to nginx:
# tinyproxy (plain http:// sent in absolute form, https:// through CONNECT,
# Basic credentials right and wrong) and microsocks (SOCKS5, with and
# without username/password), given by --proxy or by the environment
# (http_proxy, HTTPS_PROXY, all_proxy) with no_proxy/NO_PROXY matches that
# go around the proxy. Large bodies byte-exact, keep-alive through a tunnel
# counted by nginx, and what the proxies logged.
#
# ctest runs it with LWSPP_BUILD_DIR set; by hand:
#   LWSPP_BUILD_DIR=build/dev bash tests/interop/http_client_proxies.sh
# Exit: 0 all passed, 1 something failed, 77 skipped (no nginx, tinyproxy or microsocks).
set -euo pipefail

source "$(dirname "${BASH_SOURCE[0]}")/lib/http_client_common.bash"
for b in tinyproxy microsocks; do
  command -v "$b" >/dev/null || { echo "skip: $b is needed (scripts/install-deps test)"; exit 77; }
done
[[ -n $nginx_bin ]] || { echo "skip: nginx is needed (scripts/install-deps test)"; exit 77; }
echo "tinyproxy: $(tinyproxy -v 2>&1 | head -n 1)"

make_pki "$tmp/pki"
p=$tmp/pki
www=$tmp/www
nd=$tmp/nginx
mkdir -p "$www" "$nd"
printf 'hello through a proxy\n' >"$www/small.txt"
head -c $((8 << 20)) /dev/urandom >"$www/big.bin"
np=$(free_port)
nt=$(free_port)
{
  nginx_prelude "$nd"
  cat <<EOF
  server {
    listen 127.0.0.1:$np;
    listen 127.0.0.1:$nt ssl;
    ssl_certificate $p/localhost.crt;
    ssl_certificate_key $p/localhost.key;
    root $www;
  }
}
EOF
} >"$nd/nginx.conf"
run_nginx "$nd" "$np" "$nt"
log=$nd/access.log
plain=http://127.0.0.1:$np
tls=https://localhost:$nt
ca=(--ca "$p/ca.crt")
dead=$(free_port)  # nothing listens there: a proxy that must not be used

# start_tinyproxy NAME [USER PASSWORD]: sets $tp_port; the log in $tmp/NAME.log.
start_tinyproxy() {
  local name=$1 conf=$tmp/$1.conf
  tp_port=$(free_port)
  {
    printf 'Port %s\nListen 127.0.0.1\nTimeout 30\nMaxClients 20\nLogLevel Info\n' "$tp_port"
    printf 'Allow 127.0.0.1\nPidFile "%s"\nLogFile "%s"\nConnectPort %s\n' \
      "$tmp/$name.pid" "$tmp/$name.log" "$nt"
    [[ -z ${2:-} ]] || printf 'BasicAuth %s %s\n' "$2" "$3"
  } >"$conf"
  bg tp_pid tinyproxy -d -c "$conf"
  wait_port "$tp_port" || { echo "FAIL: tinyproxy did not start" >&2; exit 1; }
}
start_microsocks() {
  ms_port=$(free_port)
  bg ms_pid microsocks -i 127.0.0.1 -p "$ms_port" "$@"
  wait_port "$ms_port" || { echo "FAIL: microsocks did not start" >&2; exit 1; }
}
# expect_ok WHAT NAME BODY-FILE: run NAME exited 0 with that body.
expect_ok() {
  expect_eq "$1: exit 0" "$rc" 0
  expect_same "$1: the body" "$tmp/$2.out" "$3"
}

# --- tinyproxy ------------------------------------------------------------------------------------
start_tinyproxy tp
tp=http://127.0.0.1:$tp_port
hg tp_plain --proxy "$tp" "$plain/small.txt"
expect_ok "tinyproxy, http://" tp_plain "$www/small.txt"
expect_match "tinyproxy, http://: it got the request in absolute form" "$(cat "$tmp/tp.log")" \
  "GET $plain/small.txt HTTP/1.1"
hg tp_big --proxy "$tp" "$plain/big.bin"
expect_ok "tinyproxy, http://, 8 MiB" tp_big "$www/big.bin"
hg tp_tls --proxy "$tp" "${ca[@]}" "$tls/small.txt"
expect_ok "tinyproxy, https:// (CONNECT)" tp_tls "$www/small.txt"
expect_match "tinyproxy, https://: it got a CONNECT" "$(cat "$tmp/tp.log")" "CONNECT localhost:$nt"
hg tp_tls_big --proxy "$tp" "${ca[@]}" "$tls/big.bin"
expect_ok "tinyproxy, https://, 8 MiB" tp_tls_big "$www/big.bin"
mark=$(log_mark "$log")
hg tp_ka -v -n 4 --proxy "$tp" "${ca[@]}" "$tls/small.txt"
expect_eq "tinyproxy, https://, -n 4: exit 0, reused x3" \
  "$rc $(grep -c 'reused connection' "$tmp/tp_ka.err")" "0 3"
wait_log "$log" "$mark" 4 || true
expect_eq "tinyproxy, https://, -n 4: nginx saw one connection (the tunnel), requests 1..4" \
  "$(log_since "$log" "$mark" | awk '{print $1}' | sort -u | wc -l) $(log_since "$log" "$mark" | awk '{printf "%s ", $2}')" \
  "1 1 2 3 4 "
hg tp_plain_n -v -n 3 --proxy "$tp" "$plain/small.txt"
expect_eq "tinyproxy, http://, -n 3: exit 0, 3 bodies" \
  "$rc $(grep -c 'hello through a proxy' "$tmp/tp_plain_n.out")" "0 3"

# The environment, as curl reads it.
hg env_http http_proxy="$tp" \
  "$plain/small.txt"
expect_ok "http_proxy=tinyproxy" env_http "$www/small.txt"
hg env_https HTTPS_PROXY="$tp" \
  "${ca[@]}" "$tls/small.txt"
expect_ok "HTTPS_PROXY=tinyproxy (CONNECT)" env_https "$www/small.txt"
hg env_dead http_proxy="http://127.0.0.1:$dead" \
  "$plain/small.txt"
expect_eq "http_proxy to a closed port: exit 1" "$rc" 1
expect_match "http_proxy to a closed port: the proxy's address in the message" \
  "$(err env_dead)" "refused.*127\.0\.0\.1:$dead"
for var in no_proxy NO_PROXY; do
  for match in 127.0.0.1 '*' '127.0.0.1:'"$np" ' example.com, 127.0.0.1' 127.0.0.0/8; do
    hg np http_proxy="http://127.0.0.1:$dead" all_proxy="http://127.0.0.1:$dead" "$var=$match" \
      "$plain/small.txt"
    expect_ok "$var=$match: goes around the (dead) proxy" np "$www/small.txt"
  done
done
hg np_tls https_proxy="http://127.0.0.1:$dead" no_proxy=localhost \
  "${ca[@]}" "$tls/small.txt"
expect_ok "no_proxy=localhost for https://localhost" np_tls "$www/small.txt"
hg np_miss http_proxy="http://127.0.0.1:$dead" no_proxy=example.com \
  "$plain/small.txt"
expect_eq "no_proxy that does not match: the proxy is used (and refuses)" "$rc" 1
hg over http_proxy="http://127.0.0.1:$dead" \
  --proxy "$tp" "$plain/small.txt"
expect_ok "--proxy wins over http_proxy" over "$www/small.txt"

# Credentials.
start_tinyproxy tpa alice s3cret
hg tpa_ok --proxy "http://alice:s3cret@127.0.0.1:$tp_port" "$plain/small.txt"
expect_ok "tinyproxy BasicAuth, http://, right credentials" tpa_ok "$www/small.txt"
hg tpa_ok_tls --proxy "http://alice:s3cret@127.0.0.1:$tp_port" "${ca[@]}" "$tls/small.txt"
expect_ok "tinyproxy BasicAuth, https://, right credentials" tpa_ok_tls "$www/small.txt"
hg tpa_bad_tls --proxy "http://alice:wrong@127.0.0.1:$tp_port" "${ca[@]}" "$tls/small.txt"
expect_eq "tinyproxy BasicAuth, https://, wrong password: exit 1" "$rc" 1
expect_match "tinyproxy BasicAuth, https://, wrong password: why" "$(err tpa_bad_tls)" \
  'proxy authentication required.*HTTP 40[17]'
hg tpa_none_tls --proxy "http://127.0.0.1:$tp_port" "${ca[@]}" "$tls/small.txt"
expect_match "tinyproxy BasicAuth, https://, no credentials: why" "$(err tpa_none_tls)" \
  'proxy authentication required.*no credentials'
hg tpa_bad -v --proxy "http://alice:wrong@127.0.0.1:$tp_port" "$plain/small.txt"
expect_eq "tinyproxy BasicAuth, http://, wrong password: the proxy's 401/407, exit 22" \
  "$rc $(grep -oE '^< HTTP/1\.[01] 40[17]' "$tmp/tpa_bad.err")" "22 < HTTP/1.0 401"

# --- microsocks ------------------------------------------------------------------------------------
start_microsocks
for scheme in socks5 socks5h; do
  hg "ms_plain_$scheme" --proxy "$scheme://127.0.0.1:$ms_port" "$plain/big.bin"
  expect_ok "microsocks ($scheme), http://, 8 MiB" "ms_plain_$scheme" "$www/big.bin"
  hg "ms_tls_$scheme" --proxy "$scheme://127.0.0.1:$ms_port" "${ca[@]}" "$tls/big.bin"
  expect_ok "microsocks ($scheme), https://localhost, 8 MiB" "ms_tls_$scheme" "$www/big.bin"
done
mark=$(log_mark "$log")
hg ms_ka -v -n 4 --proxy "socks5://127.0.0.1:$ms_port" "$plain/small.txt"
wait_log "$log" "$mark" 4 || true
expect_eq "microsocks, -n 4: nginx saw one connection, requests 1..4" \
  "$rc $(log_since "$log" "$mark" | awk '{print $1}' | sort -u | wc -l) $(log_since "$log" "$mark" | awk '{printf "%s ", $2}')" \
  "0 1 1 2 3 4 "
hg ms_env all_proxy="socks5h://127.0.0.1:$ms_port" \
  "${ca[@]}" "$tls/small.txt"
expect_ok "all_proxy=socks5h://microsocks" ms_env "$www/small.txt"
start_microsocks -u bob -P pa55
hg ms_auth --proxy "socks5://bob:pa55@127.0.0.1:$ms_port" "$plain/small.txt"
expect_ok "microsocks with username/password" ms_auth "$www/small.txt"
hg ms_auth_bad --proxy "socks5://bob:nope@127.0.0.1:$ms_port" "$plain/small.txt"
expect_eq "microsocks, wrong password: exit 1" "$rc" 1
expect_match "microsocks, wrong password: why" "$(err ms_auth_bad)" 'proxy authentication failed: user "bob"'
hg ms_auth_none --proxy "socks5://127.0.0.1:$ms_port" "$plain/small.txt"
expect_match "microsocks, no credentials: why" "$(err ms_auth_none)" 'username and password'
finish
