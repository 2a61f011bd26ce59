#!/usr/bin/env bash
# The HTTP client over HTTP/2 (examples/http2-client) against real servers:
#   nghttpd (nghttp2-server): h2c by prior knowledge and TLS (ALPN h2), with
#     --echo-upload (POST bodies echoed: a 300 KB body past the 64 KiB
#     default windows, compared byte for byte) and a 2-stream limit, so
#     that requests sent before its SETTINGS arrive are reset with
#     REFUSED_STREAM (a real server RST) and must be sent again;
#   nginx (http2 on TLS): GET, 1 MiB byte-exact, a 300 KB PUT stored by its
#     DAV module and read back, 200 concurrent requests on one connection
#     ($connection in its access log), http2_max_concurrent_streams 8;
#   h2o (TLS and h2c): GET, 1 MiB byte-exact, 200 concurrent requests on one
#     connection (%{connection-id}x in its access log).
# Each peer also counts the connections: the client's own stats say 1, and
# the server's log agrees.
#
# ctest runs it with LWSPP_BUILD_DIR set; by hand:
#   LWSPP_BUILD_DIR=build/dev bash tests/interop/h2_client.sh
# Exit: 0 all passed, 1 something failed, 77 skipped (none of the servers).
set -euo pipefail

source "$(dirname "${BASH_SOURCE[0]}")/lib/http_client_common.bash"
client=$build_dir/examples/http2-client
[[ -x $client ]] || { echo "FAIL: $client is not built" >&2; exit 1; }
nghttpd_bin=$(command -v nghttpd || true)
h2o_bin=$(command -v h2o || true)
[[ -n $nghttpd_bin || -n $nginx_bin || -n $h2o_bin ]] ||
  { echo "skip: nghttpd, nginx or h2o is needed (scripts/install-deps test)"; exit 77; }

make_pki "$tmp/pki"
p=$tmp/pki
ca=(--ca "$p/ca.crt")
www=$tmp/www
mkdir -p "$www/dav"
printf 'hello over h2\n' >"$www/small.txt"
head -c $((1 << 20)) /dev/urandom >"$www/big.bin"
head -c 300000 /dev/urandom >"$tmp/upload.bin"

# h2c NAME ARGS...: runs http2-client; stdout in $tmp/NAME.out, stderr in
# $tmp/NAME.err, exit status in $rc; a sanitizer report is a failure.
h2c() {
  local name=$1
  shift
  rc=0
  "$client" "$@" >"$tmp/$name.out" 2>"$tmp/$name.err" || rc=$?
  if grep -qE 'AddressSanitizer|LeakSanitizer|runtime error:' "$tmp/$name.err"; then
    fail "$name: a sanitizer report from http2-client:"
    indent <"$tmp/$name.err" >&2
  fi
}
out() { cat "$tmp/$1.out"; }
# expect_all RUN WHAT N: run RUN got N responses, all "200 HTTP/2", over one connection.
expect_all() {
  expect_eq "$2: exit status" "$rc" 0
  expect_eq "$2: $3 responses 200 over HTTP/2" "$(grep -c '^200 HTTP/2 ' "$tmp/$1.out" || true)" "$3"
  expect_eq "$2: one connection (client's stats)" "$(tail -n 1 "$tmp/$1.out")" "requests $3 connections 1"
}

# --- nghttpd ---------------------------------------------------------------------------
if [[ -n $nghttpd_bin ]]; then
  echo "nghttpd: $("$nghttpd_bin" --version | head -n 1)"
  np=$(free_port)
  nt=$(free_port)
  nl=$(free_port)
  bg nghttpd_plain "$nghttpd_bin" --no-tls --echo-upload -v -d "$www" "$np" >"$tmp/nghttpd_plain.log"
  bg nghttpd_tls "$nghttpd_bin" --echo-upload -d "$www" "$nt" "$p/localhost.key" "$p/localhost.crt"
  bg nghttpd_lim "$nghttpd_bin" --no-tls -v -m 2 -d "$www" "$nl" >"$tmp/nghttpd_lim.log" 2>&1
  for port in "$np" "$nt" "$nl"; do wait_port "$port" || { echo "FAIL: nghttpd on $port" >&2; exit 1; }; done
  for scheme in plain tls; do
    if [[ $scheme == plain ]]; then base=http://127.0.0.1:$np extra=(--prior-knowledge)
    else base=https://localhost:$nt extra=("${ca[@]}"); fi
    h2c "ng_get_$scheme" "${extra[@]}" "$base/small.txt"
    expect_eq "nghttpd $scheme: GET" "$(head -n 1 "$tmp/ng_get_$scheme.out")" "200 HTTP/2 14"
    h2c "ng_big_$scheme" "${extra[@]}" -o "$tmp/ng_big_$scheme.bin" "$base/big.bin"
    expect_same "nghttpd $scheme: 1 MiB byte-exact" "$tmp/ng_big_$scheme.bin" "$www/big.bin"
    h2c "ng_post_$scheme" "${extra[@]}" --body-file "$tmp/upload.bin" -o "$tmp/ng_echo_$scheme.bin" \
      "$base/small.txt"
    expect_same "nghttpd $scheme: 300 KB POST echoed" "$tmp/ng_echo_$scheme.bin" "$tmp/upload.bin"
    mark=$(log_mark "$tmp/nghttpd_plain.log")
    h2c "ng_many_$scheme" "${extra[@]}" -n 200 "$base/small.txt"
    [[ $scheme == plain ]] && sessions=$(log_since "$tmp/nghttpd_plain.log" "$mark" |
      grep -o '^\[id=[0-9]*\]' | sort -u | wc -l)
    expect_all "ng_many_$scheme" "nghttpd $scheme: 200 concurrent" 200
  done
  expect_eq "nghttpd h2c: one session for the 200 requests (its log)" "$sessions" 1
  # A 2-stream limit: the requests sent before nghttpd's SETTINGS arrive
  # are refused (RST_STREAM REFUSED_STREAM) and go again.
  h2c ng_limit --prior-knowledge -n 50 "http://127.0.0.1:$nl/small.txt"
  expect_all ng_limit "nghttpd -m 2: 50 requests" 50
  refused=$(grep -A1 'send RST_STREAM' "$tmp/nghttpd_lim.log" | grep -c 'REFUSED_STREAM' || true)
  # Whether nghttpd resets any depends on a race (its SETTINGS against our
  # first requests; a loaded machine often lets SETTINGS win). The resend
  # itself is checked deterministically in h2_client_test
  # (a_refused_stream_is_sent_again); here every request must be answered.
  if ((refused > 0)); then
    pass "nghttpd -m 2: it reset $refused streams with REFUSED_STREAM, all answered in the end"
  else
    note "nghttpd -m 2: its SETTINGS came first this time: no stream was refused"
  fi
fi

# --- nginx -------------------------------------------------------------------------------
if [[ -n $nginx_bin ]]; then
  echo "nginx: $("$nginx_bin" -v 2>&1 | sed 's/^nginx version: //')"
  nd=$tmp/nginx
  mkdir -p "$nd"
  gp=$(free_port)
  {
    nginx_prelude "$nd"
    cat <<EOF
  server {
    listen 127.0.0.1:$gp ssl http2;
    http2_max_concurrent_streams 8;
    server_name localhost;
    ssl_certificate $p/localhost.crt;
    ssl_certificate_key $p/localhost.key;
    root $www;
    client_max_body_size 0;
    location /dav/ { dav_methods PUT; create_full_put_path on; }
  }
}
EOF
  } >"$nd/nginx.conf"
  run_nginx "$nd" "$gp"
  base=https://localhost:$gp
  h2c nx_get "${ca[@]}" "$base/small.txt"
  expect_eq "nginx: GET over h2" "$(head -n 1 "$tmp/nx_get.out")" "200 HTTP/2 14"
  h2c nx_big "${ca[@]}" -o "$tmp/nx_big.bin" "$base/big.bin"
  expect_same "nginx: 1 MiB byte-exact" "$tmp/nx_big.bin" "$www/big.bin"
  h2c nx_put "${ca[@]}" -X PUT --body-file "$tmp/upload.bin" "$base/dav/up.bin"
  expect_eq "nginx: 300 KB PUT" "$(head -n 1 "$tmp/nx_put.out")" "201 HTTP/2 0"
  expect_same "nginx: the PUT stored byte-exact" "$www/dav/up.bin" "$tmp/upload.bin"
  mark=$(log_mark "$nd/access.log")
  h2c nx_many "${ca[@]}" -n 200 "$base/small.txt"
  expect_all nx_many "nginx: 200 concurrent (8 streams at a time)" 200
  wait_log "$nd/access.log" "$mark" 200 || true
  expect_eq "nginx: one connection for the 200 (access log)" \
    "$(log_since "$nd/access.log" "$mark" | cut -d' ' -f1 | sort -u | wc -l)" 1
fi

# --- h2o -------------------------------------------------------------------------------------
if [[ -n $h2o_bin ]]; then
  echo "h2o: $("$h2o_bin" --version | head -n 1)"
  hd=$tmp/h2o
  mkdir -p "$hd"
  hp=$(free_port)
  ht=$(free_port)
  {
    [[ $(id -u) != 0 ]] || echo "user: root"
    cat <<EOF
num-threads: 1
pid-file: $hd/h2o.pid
error-log: $hd/error.log
access-log:
  path: $hd/access.log
  format: "%{connection-id}x %H %m %U %s"
hosts:
  "default":
    listen:
      host: 127.0.0.1
      port: $hp
    listen:
      host: 127.0.0.1
      port: $ht
      ssl:
        certificate-file: $p/localhost.crt
        key-file: $p/localhost.key
        ocsp-update-interval: 0
    paths:
      /:
        file.dir: $www
EOF
  } >"$hd/h2o.conf"
  bg h2o_pid "$h2o_bin" -c "$hd/h2o.conf"
  for port in "$hp" "$ht"; do
    wait_port "$port" || { echo "FAIL: h2o on $port" >&2; indent <"$hd/error.log" >&2; exit 1; }
  done
  for scheme in plain tls; do
    if [[ $scheme == plain ]]; then base=http://127.0.0.1:$hp extra=(--prior-knowledge)
    else base=https://localhost:$ht extra=("${ca[@]}"); fi
    h2c "ho_get_$scheme" "${extra[@]}" "$base/small.txt"
    expect_eq "h2o $scheme: GET over h2" "$(head -n 1 "$tmp/ho_get_$scheme.out")" "200 HTTP/2 14"
    h2c "ho_big_$scheme" "${extra[@]}" -o "$tmp/ho_big_$scheme.bin" "$base/big.bin"
    expect_same "h2o $scheme: 1 MiB byte-exact" "$tmp/ho_big_$scheme.bin" "$www/big.bin"
    mark=$(log_mark "$hd/access.log")
    h2c "ho_many_$scheme" "${extra[@]}" -n 200 "$base/small.txt"
    expect_all "ho_many_$scheme" "h2o $scheme: 200 concurrent" 200
    wait_log "$hd/access.log" "$mark" 200 || true
    expect_eq "h2o $scheme: one connection for the 200, all HTTP/2 (access log)" \
      "$(log_since "$hd/access.log" "$mark" | cut -d' ' -f1,2 | sort -u | wc -l) $(log_since "$hd/access.log" "$mark" | cut -d' ' -f2 | sort -u)" \
      "1 HTTP/2"
  done
fi

finish
