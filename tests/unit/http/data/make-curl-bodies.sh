#!/usr/bin/env bash
# Regenerates the curl_*.http files here: the raw bytes of requests that
# `curl -F` sends, captured by a throwaway Python listener on loopback (it
# reads the head and Content-Length bytes, saves them, answers 204).
# Usage: tests/unit/http/data/make-curl-bodies.sh   (needs curl, python3)
# The boundaries are random, so every run gives new files; the tests read
# the boundary from each file's Content-Type.
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

capture() {  # capture <out-file> <curl args...>
  local out=$1
  shift
  python3 - "$out" "$work/port" <<'PY' &
import socket, sys
out, portfile = sys.argv[1], sys.argv[2]
s = socket.socket()
s.bind(("127.0.0.1", 0))
s.listen(1)
open(portfile, "w").write(str(s.getsockname()[1]))
c, _ = s.accept()
data = b""
while b"\r\n\r\n" not in data:
    data += c.recv(65536)
head, _, body = data.partition(b"\r\n\r\n")
length = 0
for line in head.split(b"\r\n")[1:]:
    k, _, v = line.partition(b":")
    if k.strip().lower() == b"content-length":
        length = int(v)
while len(body) < length:
    body += c.recv(65536)
open(out, "wb").write(head + b"\r\n\r\n" + body)
c.sendall(b"HTTP/1.1 204 No Content\r\nConnection: close\r\n\r\n")
c.close()
PY
  local pid=$!
  while [ ! -s "$work/port" ]; do sleep 0.05; done
  curl -sS -H 'Expect:' -A 'curl' "$@" "http://127.0.0.1:$(cat "$work/port")/upload" >/dev/null
  wait "$pid"
  rm -f "$work/port"
}

printf 'hello from a text file\nsecond line\r\nthird line with CRLF before\n' >"$work/notes.txt"
# Binary: every byte value, then lines that look like delimiters of some
# other boundary, lone CRs and LFs, and dashes.
python3 -c '
import sys
b = bytes(range(256)) * 4
b += b"\r\n--\r\n----\r\n--not-the-boundary\r\n\r\r\n\n\r-" * 50
b += bytes((i * 7) & 0xff for i in range(3000))
sys.stdout.buffer.write(b)' >"$work/blob.bin"
: >"$work/empty.dat"

capture "$here/curl_fields.http" -F 'name=lwspp' -F 'comment=hello world & more = less' \
  -F 'empty='
capture "$here/curl_file.http" -F 'title=notes' -F "upload=@$work/notes.txt;type=text/plain"
capture "$here/curl_binary.http" -F "blob=@$work/blob.bin" -F 'after=yes'
capture "$here/curl_names.http" \
  -F "doc=@$work/notes.txt;filename=\"../../etc/pass\\\"wd ü.txt\"" \
  -F "doc=@$work/empty.dat" -F 'quote"name=x'
echo "wrote $(ls "$here"/curl_*.http | wc -l) files"
