#!/usr/bin/env bash
# A cleartext port that takes HTTP/1.1 and HTTP/2 with prior knowledge, fed
# its first bytes a few at a time (tests/interop/lib/h2c_split_preface.py):
# the preface one byte per write then a python3-h2 request; "PRI" then the
# rest; an HTTP/1.1 POST one byte per write; "PR" + "OPFIND ..." (HTTP/1.1);
# "P" then the client's FIN; "PR" then silence until the header timeout.
# Afterwards the server must still serve, stop on SIGTERM with status 0, and
# leave no sanitizer report.
#
# ctest runs it with LWSPP_BUILD_DIR set; by hand:
#   LWSPP_BUILD_DIR=build/dev bash tests/interop/h2c_split_preface.sh
# Exit: 0 all passed, 1 something failed, 77 skipped (no python3-h2 or curl).
set -euo pipefail

source "$(dirname "${BASH_SOURCE[0]}")/lib/tls_common.bash"
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)

command -v curl >/dev/null || { echo "skip: curl is needed"; exit 77; }
need_python python3-h2 h2

# Short, so that the timeout case is quick; long enough for the byte-by-byte
# cases (their gaps are 10-50 ms) on a busy machine.
timeout_ms=2000
start_http_test_server LWSPP_TEST_HEADER_TIMEOUT_MS=$timeout_ms

for c in h2-bytewise h2-pri h1-bytewise h1-propfind p-then-close pr-timeout; do
  line=$(timeout 60 "$py" "$here/lib/h2c_split_preface.py" "$port" "$c" "$timeout_ms" 2>&1) || true
  case $line in
    "ok: "*) pass "${line#ok: }" ;;
    "FAIL: "*) fail "${line#FAIL: }" ;;
    *) fail "$c: $line" ;;
  esac
done

got=$(curl -sS --max-time 10 --http2-prior-knowledge "http://127.0.0.1:$port/hello" 2>&1) || true
expect_eq "still serving h2c" "$got" "Hello, world!"
got=$(curl -sS --max-time 10 --http1.1 "http://127.0.0.1:$port/hello" 2>&1) || true
expect_eq "still serving HTTP/1.1" "$got" "Hello, world!"
kill -TERM "$pid"
expect_clean_exit main "$tmp/server.log"
finish
