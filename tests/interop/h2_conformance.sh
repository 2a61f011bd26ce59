#!/usr/bin/env bash
# The HTTP/2 server against a conformance set organised like h2spec's groups
# (tests/interop/cases/h2_conformance.txt: generic behaviour, RFC 9113 §3-8,
# RFC 7541), run by tests/interop/lib/h2_conformance.py, once over h2c (prior
# knowledge) and once over TLS (ALPN h2), each case on a new connection.
# Afterwards the server must still serve, stop on SIGTERM with status 0, and
# leave no sanitizer report.
#
# ctest runs it with LWSPP_BUILD_DIR set; by hand:
#   LWSPP_BUILD_DIR=build/dev bash tests/interop/h2_conformance.sh [CASE_PREFIX]
# Exit: 0 all passed, 1 something failed, 77 skipped (no python3-hpack or curl).
set -euo pipefail

source "$(dirname "${BASH_SOURCE[0]}")/lib/tls_common.bash"
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
prefix=${1:-}

command -v curl >/dev/null || { echo "skip: curl is needed"; exit 77; }
command -v openssl >/dev/null || { echo "skip: openssl is needed"; exit 77; }
need_python python3-hpack hpack

make_pki "$tmp/pki"
start_http_test_server LWSPP_TEST_TLS_CERT="$tmp/pki/localhost.crt" \
  LWSPP_TEST_TLS_KEY="$tmp/pki/localhost.key"
tls_port=$(cat "$tmp/port.tls")

cases=$here/cases/h2_conformance.txt
for mode in h2c tls; do
  args=("$port")
  [[ $mode == tls ]] && args=(--tls "$tls_port")
  out=$(timeout 600 "$py" "$here/lib/h2_conformance.py" "${args[@]}" "$cases" "$prefix" 2>&1) || true
  while IFS= read -r line; do
    case $line in
      "ok:   "*) pass "$mode ${line#ok:   }" ;;
      "FAIL: "*) fail "$mode ${line#FAIL: }" ;;
      *) fail "$mode: $line" ;;
    esac
  done <<<"$out"
  want=$(grep -c "^case $prefix" "$cases")
  expect_eq "$mode: every case ran" "$(grep -c '^ok:   ' <<<"$out")" "$want"
done

got=$(curl -sS --max-time 10 --http2-prior-knowledge "http://127.0.0.1:$port/hello" 2>&1) || true
expect_eq "still serving after the conformance set" "$got" "Hello, world!"
kill -TERM "$pid"
expect_clean_exit main "$tmp/server.log"
finish
