#!/usr/bin/env bash
# The HTTP client (examples/http-get) against nginx, plain and TLS: small
# and large files byte-exact, chunked responses (sub_filter) and gzip on the
# fly decoded byte-exact, keep-alive reuse counted on nginx's side (its
# access log's $connection and $connection_requests), redirects (each status,
# a chain, a loop, the method after 301/303/307/308 seen in nginx's log,
# http:// to https://), uploads whole and streamed (Content-Length and
# chunked) stored by nginx's DAV module and compared, a large download and
# a large upload with bounded memory (peak RSS of http-get measured), and
# TLS failures (another name, expired, unknown CA) with the X.509 reason.
#
# Large transfers: 1 GiB down (a quarter of it over TLS), 256 MiB up;
# LWSPP_BIG_MIB=N overrides the download's size.
#
# ctest runs it with LWSPP_BUILD_DIR set; by hand:
#   LWSPP_BUILD_DIR=build/dev bash tests/interop/http_client_nginx.sh
# Exit: 0 all passed, 1 something failed, 77 skipped (no nginx).
set -euo pipefail

source "$(dirname "${BASH_SOURCE[0]}")/lib/http_client_common.bash"
[[ -n $nginx_bin ]] || { echo "skip: nginx is needed (scripts/install-deps test)"; exit 77; }
echo "nginx: $("$nginx_bin" -v 2>&1 | sed 's/^nginx version: //')"

make_pki "$tmp/pki"
p=$tmp/pki
www=$tmp/www
nd=$tmp/nginx
mkdir -p "$www/dav" "$nd"
printf 'hello from nginx\n' >"$www/small.txt"
head -c $((16 << 20)) /dev/urandom >"$www/big.bin"
# Text that compresses, with words for sub_filter to replace.
seq 1 400000 | sed 's/$/ foo lorem ipsum/' >"$www/text.txt"
sed 's/foo/bar/g' "$www/text.txt" >"$tmp/text_sub.txt"
big_mib=${LWSPP_BIG_MIB:-1024}
truncate -s "${big_mib}M" "$www/huge.bin"  # sparse: no disk, and nginx sends it with sendfile

declare -A port=()
for n in plain tls other_name expired; do port[$n]=$(free_port); done
{
  nginx_prelude "$nd"
  cat <<EOF
  ssl_protocols TLSv1.2 TLSv1.3;
  server {
    listen 127.0.0.1:${port[plain]};
    listen 127.0.0.1:${port[tls]} ssl;
    server_name localhost;
    ssl_certificate $p/localhost.crt;
    ssl_certificate_key $p/localhost.key;
    root $www;
    client_max_body_size 0;
    location / { }
    # nginx cannot know the length after a substitution: chunked.
    location /sub/ {
      alias $www/;
      sub_filter foo bar;
      sub_filter_once off;
      sub_filter_types *;
    }
    location /gz/ {
      alias $www/;
      gzip on;
      gzip_types *;
      gzip_min_length 0;
    }
    location /dav/ {
      dav_methods PUT DELETE;
      create_full_put_path on;
    }
    # A POST stored as a file: nginx sends it on to its own DAV location.
    location = /post {
      proxy_pass http://127.0.0.1:${port[plain]}/dav/posted.bin;
      proxy_method PUT;
    }
    # Connections nginx will not keep: none, or only for 2 requests.
    location = /nokeep/small.txt { alias $www/small.txt; keepalive_timeout 0; }
    location = /two/small.txt { alias $www/small.txt; keepalive_requests 2; }
    location = /empty { return 204; }
    location /tiny/ {
      dav_methods PUT;
      client_max_body_size 1k;
    }
    location = /r/301 { return 301 /small.txt; }
    location = /r/302 { return 302 /small.txt; }
    location = /r/303 { return 303 /small.txt; }
    location = /r/307 { return 307 /small.txt; }
    location = /r/308 { return 308 /small.txt; }
    location = /r/chain1 { return 301 /r/chain2; }
    location = /r/chain2 { return 302 /r/chain3; }
    location = /r/chain3 { return 307 /r/chain4; }
    location = /r/chain4 { return 308 /small.txt; }
    location = /r/loop { return 302 /r/loop; }
    location = /r/post307 { return 307 /post; }
    location = /r/post308 { return 308 /post; }
    location = /r/post301 { return 301 /small.txt; }
    location = /r/tohttps { return 302 https://localhost:${port[tls]}/small.txt; }
  }
  server {
    listen 127.0.0.1:${port[other_name]} ssl;
    ssl_certificate $p/a.crt;
    ssl_certificate_key $p/a.key;
    return 200 "wrong name\n";
  }
  server {
    listen 127.0.0.1:${port[expired]} ssl;
    ssl_certificate $p/expired.crt;
    ssl_certificate_key $p/expired.key;
    return 200 "expired\n";
  }
}
EOF
} >"$nd/nginx.conf"
run_nginx "$nd" "${port[@]}"
log=$nd/access.log
plain=http://127.0.0.1:${port[plain]}
tls=https://localhost:${port[tls]}
ca=(--ca "$p/ca.crt")

# --- GET, plain and TLS ----------------------------------------------------------------------
for scheme in plain tls; do
  base=${!scheme}
  extra=()
  [[ $scheme == tls ]] && extra=("${ca[@]}")
  hg "small_$scheme" -v "${extra[@]}" "$base/small.txt"
  expect_eq "$scheme: small GET (exit, body)" "$rc $(cat "$tmp/small_$scheme.out")" "0 hello from nginx"
  expect_match "$scheme: status line and Content-Length" "$(err "small_$scheme")" '^< Content-Length: 17$'
  hg "big_$scheme" "${extra[@]}" -o "$tmp/big_$scheme.bin" "$base/big.bin"
  expect_eq "$scheme: 16 MiB GET exits 0" "$rc" 0
  expect_same "$scheme: 16 MiB GET byte-exact" "$tmp/big_$scheme.bin" "$www/big.bin"
done
hg missing -v "$plain/nope"
expect_eq "a 404 exits 22 (as curl -f)" "$rc" 22

# --- chunked and gzip --------------------------------------------------------------------------
hg chunked -v -o "$tmp/chunked.txt" "$plain/sub/text.txt"
expect_match "sub_filter: the response really was chunked" "$(err chunked)" '^< Transfer-Encoding: chunked$'
expect_no_match "sub_filter: no Content-Length" "$(err chunked)" '^< Content-Length'
expect_same "sub_filter: the chunked body byte-exact" "$tmp/chunked.txt" "$tmp/text_sub.txt"
hg gzip -v -o "$tmp/gzip.txt" "$tls/gz/text.txt" "${ca[@]}"
expect_match "gzip: nginx compressed it (Content-Encoding: gzip)" "$(err gzip)" '^< Content-Encoding: gzip$'
expect_match "gzip: chunked on the fly" "$(err gzip)" '^< Transfer-Encoding: chunked$'
expect_same "gzip: decoded byte-exact" "$tmp/gzip.txt" "$www/text.txt"
hg gzip_raw -v --raw -o "$tmp/gzip_raw.gz" "$plain/gz/text.txt"
expect_no_match "--raw: no Content-Encoding asked, none given" "$(err gzip_raw)" '^< Content-Encoding'
hg gzip_bin -o "$tmp/gzip_bin.bin" "$plain/gz/big.bin"
expect_same "gzip of 16 MiB of random bytes: decoded byte-exact" "$tmp/gzip_bin.bin" "$www/big.bin"

# --- keep-alive, counted by nginx --------------------------------------------------------------
# expect_one_connection WHAT MARK N URI: nginx logged N requests for URI after
# MARK, all on one connection, numbered 1..N on it.
expect_one_connection() {
  local what=$1 mark=$2 n=$3 uri=$4 lines conns seqs
  wait_log "$log" "$mark" "$n" || true
  lines=$(log_since "$log" "$mark" | awk -v u="$uri" '$4 == u')
  conns=$(awk '{print $1}' <<<"$lines" | sort -u | wc -l)
  seqs=$(awk '{printf "%s ", $2}' <<<"$lines")
  expect_eq "$what: nginx saw $n requests on one connection, numbered 1..$n" "$conns $seqs" \
    "1 $(seq -s ' ' 1 "$n") "
}
for scheme in plain tls; do
  base=${!scheme}
  extra=()
  [[ $scheme == tls ]] && extra=("${ca[@]}")
  mark=$(log_mark "$log")
  hg "ka_$scheme" -v -n 5 "${extra[@]}" "$base/small.txt"
  expect_eq "$scheme: -n 5 exits 0 with 5 bodies" "$rc $(grep -c 'hello from nginx' "$tmp/ka_$scheme.out")" "0 5"
  expect_eq "$scheme: -n 5: http-get says new, then reused x4" \
    "$(grep -o '[a-z]* connection;' "$tmp/ka_$scheme.err" | tr '\n' ' ')" \
    "new connection; reused connection; reused connection; reused connection; reused connection; "
  expect_one_connection "$scheme: keep-alive" "$mark" 5 /small.txt
done
# Reuse after each kind of framing: chunked, gzip on the fly, a large body.
for what in "sub/text.txt chunked" "gz/text.txt gzip" "big.bin 16-MiB"; do
  path=${what% *}
  mark=$(log_mark "$log")
  hg reuse -n 3 -o /dev/null "$plain/$path"
  expect_eq "-n 3 ${what#* } exits 0" "$rc" 0
  expect_one_connection "after a ${what#* } response" "$mark" 3 "/$path"
done

# Connections nginx closes, and answers without a body.
mark=$(log_mark "$log")
hg nokeep -v -n 3 "$plain/nokeep/small.txt"
expect_eq "keepalive_timeout 0 (Connection: close): 3 requests on 3 connections" \
  "$rc $(grep -o '[0-9]* connection(s) opened, [0-9]* reused' "$tmp/nokeep.err")" \
  "0 3 connection(s) opened, 0 reused"
mark=$(log_mark "$log")
hg two -v -n 5 "$plain/two/small.txt"
wait_log "$log" "$mark" 5 || true
expect_eq "keepalive_requests 2: -n 5 on 3 connections, as nginx numbered them" \
  "$rc $(log_since "$log" "$mark" | awk '{printf "%s ", $2}')$(log_since "$log" "$mark" | awk '{print $1}' | sort -u | wc -l)" \
  "0 1 2 1 2 1 3"
for what in "HEAD big.bin" "GET empty"; do
  mark=$(log_mark "$log")
  path=${what#* }
  hg nobody -v -n 3 -X "${what% *}" "$plain/$path"
  expect_eq "$what (no body): -n 3 on one connection, nothing written" \
    "$rc $(stat -c %s "$tmp/nobody.out") $(grep -o '[0-9]* connection(s) opened' "$tmp/nobody.err")" \
    "0 0 1 connection(s) opened"
done
hg too_big -v --upload "$www/big.bin" "$plain/tiny/big.bin"
expect_eq "16 MiB PUT where nginx takes 1k: nginx's 413 while the body is still going, exit 22" \
  "$rc $(grep -oE '^< HTTP/1.1 [0-9]+' "$tmp/too_big.err")" "22 < HTTP/1.1 413"

# --- redirects ----------------------------------------------------------------------------------
for s in 301 302 303 307 308; do
  hg "r$s" -v "$plain/r/$s"
  expect_eq "$s followed to /small.txt" "$rc $(cat "$tmp/r$s.out")" "0 hello from nginx"
done
expect_match "the URL that answered, 1 redirect" "$(err r308)" "^\* $plain/small.txt: 1 redirect\(s\)"
hg chain -v "$plain/r/chain1"
expect_eq "a chain 301 302 307 308" "$rc $(cat "$tmp/chain.out")" "0 hello from nginx"
expect_match "a chain: 4 redirects" "$(err chain)" ': 4 redirect\(s\)'
hg chain_short --max-redirs 3 "$plain/r/chain1"
expect_eq "a chain of 4 with --max-redirs 3: exit 1" "$rc" 1
expect_match "a chain of 4 with --max-redirs 3: too many redirects" "$(err chain_short)" 'too many redirects'
hg loop "$plain/r/loop"
expect_eq "a redirect loop: exit 1" "$rc" 1
expect_match "a redirect loop: too many redirects, after 10" "$(err loop)" 'too many redirects.*after 10 redirects'
hg noredir -v --max-redirs 0 "$plain/r/302"
expect_match "--max-redirs 0: the 302 is the response" "$(err noredir)" '^< HTTP/1.1 302'
hg tohttps -v "${ca[@]}" "$plain/r/tohttps"
expect_eq "http:// redirected to https:// (another origin)" "$rc $(cat "$tmp/tohttps.out")" "0 hello from nginx"

# The method after a redirect, as nginx logged it.
# methods_logged MARK N [sort]: "METHOD URI, " of the N requests after MARK,
# in the log's order or sorted.
methods_logged() {
  wait_log "$log" "$1" "$2" || true
  log_since "$log" "$1" | awk '{print $3, $4}' | if [[ -n ${3:-} ]]; then sort; else cat; fi |
    awk '{printf "%s, ", $0}'
}
mark=$(log_mark "$log")
hg post303 -d 'form=1' "$plain/r/303"
expect_eq "POST, 303: then GET" "$rc $(methods_logged "$mark" 2)" "0 POST /r/303, GET /small.txt, "
mark=$(log_mark "$log")
hg post301 -d 'form=1' "$plain/r/post301"
expect_eq "POST, 301: then GET (as browsers)" "$rc $(methods_logged "$mark" 2)" \
  "0 POST /r/post301, GET /small.txt, "
for s in 307 308; do
  rm -f "$www/dav/posted.bin"
  mark=$(log_mark "$log")
  hg "post$s" -d "kept by $s" "$plain/r/post$s"
  # Sorted: nginx logs its own PUT (from /post) and the POST around it in either order.
  expect_eq "POST, $s: POST again with its body (stored through /post)" \
    "$rc $(methods_logged "$mark" 3 sort)$(cat "$www/dav/posted.bin" 2>/dev/null)" \
    "0 POST /post, POST /r/post$s, PUT /dav/posted.bin, kept by $s"
done
hg put307 -v --upload "$www/small.txt" "$plain/r/307"
expect_match "a streamed PUT cannot be replayed: the 307 is the response" "$(err put307)" \
  '^< HTTP/1.1 307'

# --- uploads ------------------------------------------------------------------------------------
# expect_upload WHAT MARK FILE STORED TE: nginx stored FILE byte-exact, and
# logged the request with Transfer-Encoding TE ("-": none, so Content-Length).
expect_upload() {
  local what=$1 mark=$2 file=$3 stored=$4 te=$5
  expect_eq "$what: exit 0" "$rc" 0
  expect_same "$what: stored byte-exact" "$stored" "$file"
  wait_log "$log" "$mark" 1 || true
  expect_match "$what: framing as nginx saw it (te=$te)" "$(log_since "$log" "$mark")" \
    " te=$te cl=[-0-9]+$"
}
head -c 60000 /dev/urandom | base64 -w 0 >"$tmp/form.txt"
mark=$(log_mark "$log")
hg put_whole -X PUT -d "$(cat "$tmp/form.txt")" "$plain/dav/whole.txt"
expect_upload "PUT, a whole body" "$mark" "$tmp/form.txt" "$www/dav/whole.txt" -
mark=$(log_mark "$log")
hg put_len --upload "$www/big.bin" "$plain/dav/up-len.bin"
expect_upload "PUT 16 MiB streamed with Content-Length" "$mark" "$www/big.bin" "$www/dav/up-len.bin" -
mark=$(log_mark "$log")
hg put_chunked --upload "$www/big.bin" --chunked "$tls/dav/up-chunked.bin" "${ca[@]}"
expect_upload "PUT 16 MiB streamed chunked, over TLS" "$mark" "$www/big.bin" "$www/dav/up-chunked.bin" chunked
rm -f "$www/dav/posted.bin"
mark=$(log_mark "$log")
hg post_len -X POST --upload "$www/big.bin" "$plain/post"
expect_upload "POST 16 MiB streamed (stored through /post)" "$mark" "$www/big.bin" "$www/dav/posted.bin" -
rm -f "$www/dav/posted.bin"
mark=$(log_mark "$log")
hg post_chunked -X POST --chunked --upload "$www/text.txt" "$plain/post"
expect_upload "POST streamed chunked (stored through /post)" "$mark" "$www/text.txt" "$www/dav/posted.bin" chunked
mark=$(log_mark "$log")
hg put_reuse -v -n 3 --upload "$www/text.txt" "$plain/dav/again.txt"
expect_eq "-n 3 streamed PUTs exit 0" "$rc" 0
expect_one_connection "streamed PUTs" "$mark" 3 /dav/again.txt

# --- large transfers with bounded memory ------------------------------------------------------
# rss_run NAME CMD...: runs CMD under /usr/bin/time; $rss_kib its peak RSS, $secs its time.
# Under ASan, freed blocks wait in a quarantine (256 MiB by default) that
# counts in the RSS: OpenSSL frees and allocates its record buffer for each
# read (SSL_MODE_RELEASE_BUFFERS), so a TLS download filled it (394 MiB of
# RSS for 256 MiB, 45 MiB without the quarantine). The quarantine is made
# small here so that the figure is what the client keeps, not what ASan
# delays; release builds ignore the option.
rss_run() {
  local name=$1
  shift
  ASAN_OPTIONS=$ASAN_OPTIONS:quarantine_size_mb=4 \
    /usr/bin/time -f '%M %e' -o "$tmp/$name.time" "$@" || true
  # The last line: a failed command adds "Command exited with ..." before it.
  read -r rss_kib secs < <(tail -n 1 "$tmp/$name.time")
}
rss_limit_kib=$((64 << 10))
mib_per_s() { awk -v m="$1" -v s="$2" 'BEGIN { printf "%.0f", (s > 0 ? m / s : 0) }'; }
if [[ -x /usr/bin/time ]]; then
  rss_run huge bash -c "'$http_get' '$plain/huge.bin' 2>'$tmp/huge.err' | wc -c >'$tmp/huge.count'"
  expect_eq "${big_mib} MiB download: every byte arrived" "$(cat "$tmp/huge.count")" $((big_mib << 20))
  echo "figure: ${big_mib} MiB download (plain, to a pipe): peak RSS $((rss_kib / 1024)) MiB," \
    "${secs} s, $(mib_per_s "$big_mib" "$secs") MiB/s"
  if ((rss_kib < rss_limit_kib)); then
    pass "${big_mib} MiB download: peak RSS $((rss_kib / 1024)) MiB < 64 MiB"
  else
    fail "${big_mib} MiB download: peak RSS $((rss_kib / 1024)) MiB, not < 64 MiB"
  fi
  # A quarter of it over TLS (under ASan TLS runs at about 60 MiB/s here).
  tls_mib=$((big_mib / 4))
  truncate -s "${tls_mib}M" "$www/huge_tls.bin"
  rss_run huge_tls "$http_get" -o /dev/null "${ca[@]}" "$tls/huge_tls.bin"
  echo "figure: ${tls_mib} MiB download (TLS, -o /dev/null): peak RSS $((rss_kib / 1024)) MiB," \
    "${secs} s, $(mib_per_s "$tls_mib" "$secs") MiB/s"
  ((rss_kib < rss_limit_kib)) && pass "${tls_mib} MiB TLS download: peak RSS < 64 MiB" ||
    fail "${tls_mib} MiB TLS download: peak RSS $((rss_kib / 1024)) MiB, not < 64 MiB"
  up_mib=256
  truncate -s "${up_mib}M" "$tmp/up.bin"
  rss_run up "$http_get" --upload "$tmp/up.bin" "$plain/dav/up.bin"
  echo "figure: ${up_mib} MiB upload (plain, Content-Length): peak RSS $((rss_kib / 1024)) MiB," \
    "${secs} s, $(mib_per_s "$up_mib" "$secs") MiB/s"
  expect_eq "${up_mib} MiB upload: nginx stored all of it" "$(stat -c %s "$www/dav/up.bin" 2>/dev/null)" \
    $((up_mib << 20))
  ((rss_kib < rss_limit_kib)) && pass "${up_mib} MiB upload: peak RSS < 64 MiB (backpressure)" ||
    fail "${up_mib} MiB upload: peak RSS $((rss_kib / 1024)) MiB, not < 64 MiB"
  rm -f "$www/dav/up.bin" "$tmp/up.bin"
else
  note "/usr/bin/time is missing (Debian package time): the memory checks are skipped"
fi

# --- TLS failures ---------------------------------------------------------------------------------
hg tls_name "${ca[@]}" "https://localhost:${port[other_name]}/"
expect_eq "a certificate for another name: exit 1" "$rc" 1
expect_match "a certificate for another name: the X.509 reason" "$(err tls_name)" \
  'verif.*(hostname mismatch|does not match)'
hg tls_expired "${ca[@]}" "https://localhost:${port[expired]}/"
expect_eq "an expired certificate: exit 1" "$rc" 1
expect_match "an expired certificate: the X.509 reason" "$(err tls_expired)" 'verif.*certificate has expired'
hg tls_unknown "$tls/small.txt"
expect_eq "a CA not trusted (the system store): exit 1" "$rc" 1
expect_match "a CA not trusted: the X.509 reason" "$(err tls_unknown)" \
  'verif.*unable to get local issuer certificate'

if grep -qE '\[(alert|crit|emerg)\]' "$nd/error.log"; then
  fail "nginx logged an alert:"
  grep -E '\[(alert|crit|emerg)\]' "$nd/error.log" | indent >&2
else
  pass "nginx logged no alert"
fi
finish
