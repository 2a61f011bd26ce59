#!/usr/bin/env bash
# Our WebSocket client (examples/ws-client) against libwebsockets' own
# libwebsockets-test-server (Debian package libwebsockets-test-server), over
# ws:// and wss://, offering permessage-deflate or not:
#   dumb-increment-protocol  the server counts up: we receive increasing numbers
#   lws-mirror-protocol      what we send comes back (to every mirror client)
# Offering permessage-deflate or not: this server (Debian's 4.1.6) declines
# the offer on both protocols (for dumb-increment its log says the
# protocol's receive buffer is under the 128 bytes lws wants for deflate),
# so the runs with the offer check that a declined offer is handled and the
# messages flow uncompressed. Deflate itself is checked against python3-
# websockets and Node's ws (ws_client_python.sh, ws_client_node.sh).
#
# ctest runs it with LWSPP_BUILD_DIR set; by hand:
#   LWSPP_BUILD_DIR=build/dev bash tests/interop/ws_client_lws.sh
# Exit: 0 all passed, 1 something failed, 77 skipped (no test server).
set -euo pipefail

lws=$(command -v libwebsockets-test-server || true)
[[ -n $lws ]] || { echo "skip: libwebsockets-test-server is not installed (scripts/install-deps test)"; exit 77; }

source "$(dirname "${BASH_SOURCE[0]}")/lib/ws_client_common.bash"
ws_client_find
echo "server:   $lws ($(dpkg-query -W -f '${Version}' libwebsockets-test-server 2>/dev/null || echo '?'))"
pids=()
cleanup_lws() {
  local p
  for p in "${pids[@]}"; do kill -TERM "$p" 2>/dev/null || true; done
  for p in "${pids[@]}"; do wait "$p" 2>/dev/null || true; done
  ws_cleanup
}
trap cleanup_lws EXIT

start_lws() {  # start_lws NAME ARGS... ; sets lws_port
  local name=$1
  shift
  lws_port=$(free_port)
  "$lws" --port="$lws_port" "$@" >"$tmp/lws-$name.log" 2>&1 &
  pids+=($!)
  wait_port "$lws_port" || {
    echo "FAIL: libwebsockets-test-server $* did not start:" >&2
    indent <"$tmp/lws-$name.log" >&2
    exit 1
  }
}

start_lws plain
plain=$lws_port
# Its own test certificate has a key OpenSSL 3 refuses as too small: ours.
ws_client_make_cert
start_lws tls --ssl --ssl-cert="$tmp/cert.pem" --ssl-key="$tmp/key.pem"
tls=$lws_port
ca=$tmp/cert.pem

# Numbers from dumb-increment, one a line: at least 5, each one more than the last.
check_counting() {
  local name=$1
  if awk 'NR == 1 { prev = $1; next } $1 != prev + 1 { bad = 1 } { prev = $1 } END { exit (NR >= 5 && !bad) ? 0 : 1 }' \
    "$tmp/$name.out"; then
    pass "$name: $(wc -l <"$tmp/$name.out") increasing numbers ($(head -1 "$tmp/$name.out")..$(tail -1 "$tmp/$name.out"))"
  else
    fail "$name: not a count; got:"
    head -20 "$tmp/$name.out" | indent >&2
  fi
}

check_deflate() {
  local name=$1 want=$2
  if grep -q 'permessage-deflate' "$tmp/$name.err"; then have=yes; else have=no; fi
  if [[ $have == "$want" ]]; then pass "$name: permessage-deflate agreed: $want"; else
    fail "$name: permessage-deflate agreed: $have, expected $want"
    indent <"$tmp/$name.err" >&2
  fi
}

printf 'hello mirror\nsecond line\n' >"$tmp/mirror-in"
for scheme in ws wss; do
  if [[ $scheme == ws ]]; then url="ws://localhost:$plain/"; args=(); else
    url="wss://localhost:$tls/"
    args=(--ca "$ca")
  fi
  for deflate in no yes; do
    d=()
    [[ $deflate == yes ]] && d=(--deflate)
    name=$scheme-increment${d:+-deflate}
    # stdin stays open 1.5 s: the numbers come meanwhile, then we close (1000).
    client_stdin=<(sleep 1.5) ws_client_run "$name" 0 -p dumb-increment-protocol "${d[@]}" "${args[@]}" "$url"
    check_counting "$name"
    check_deflate "$name" no

    name=$scheme-mirror${d:+-deflate}
    client_stdin=<(cat "$tmp/mirror-in"; sleep 1) ws_client_run "$name" 0 -p lws-mirror-protocol "${d[@]}" "${args[@]}" "$url"
    if grep -qx 'hello mirror' "$tmp/$name.out" && grep -qx 'second line' "$tmp/$name.out"; then
      pass "$name: what we sent came back"
    else
      fail "$name: the mirror did not send our lines back; got:"
      indent <"$tmp/$name.out" >&2
    fi
    check_deflate "$name" no
  done
done
ws_finish
