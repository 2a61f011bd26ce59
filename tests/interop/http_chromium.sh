#!/usr/bin/env bash
# The HTTP server (tests/interop/servers/http_test_server.cpp) against a
# real browser: headless Chromium loads /static/index.html, whose inline
# script and external app.js (served compressed, as Chromium asks for gzip
# and br) fetch /hello, /chunked, a POST to /echo and the deferred /slow,
# and write what came back into the DOM; a stylesheet must apply. The DOM
# that --dump-dom prints shows those results only if the scripts ran and
# every fetch worked. Twice: over http:// (HTTP/1.1) and over https://
# (ALPN picks HTTP/2); the access log shows each request with its version.
#
# ctest runs it with LWSPP_BUILD_DIR set; by hand:
#   LWSPP_BUILD_DIR=build/dev bash tests/interop/http_chromium.sh
# Exit: 0 all passed, 1 something failed, 77 skipped (no chromium).
set -euo pipefail

source "$(dirname "${BASH_SOURCE[0]}")/lib/common.bash"

chromium=
for c in chromium chromium-browser google-chrome; do
  if command -v "$c" >/dev/null; then
    chromium=$(command -v "$c")
    break
  fi
done
[[ -n $chromium ]] || { echo "skip: chromium is not installed (scripts/install-deps test)"; exit 77; }

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
build_dir=${LWSPP_BUILD_DIR:-$(cd "$here/../.." && pwd)/build}
server=$build_dir/tests/http_test_server
if [[ ! -x $server ]]; then
  server=$(find "$build_dir" -name http_test_server -type f -perm -u+x -printf '%T@ %p\n' \
    2>/dev/null | sort -rn | head -n 1 | cut -d' ' -f2-)
fi
if [[ -z $server ]]; then
  echo "FAIL: http_test_server not found under $build_dir (set LWSPP_BUILD_DIR)" >&2
  exit 1
fi
echo "server:   $server"
echo "browser:  $("$chromium" --version 2>/dev/null | tail -n 1)"

tmp=$(mktemp -d "${TMPDIR:-/tmp}/lwspp-http-chromium.XXXXXX")
server_pid=
cleanup() {
  if [[ -n $server_pid ]]; then
    kill -TERM "$server_pid" 2>/dev/null || true
    wait "$server_pid" 2>/dev/null || true
  fi
  rm -rf "$tmp"
}
trap cleanup EXIT

root=$tmp/www
mkdir -p "$root"
cat >"$root/index.html" <<'HTML'
<!doctype html>
<html>
<head>
<meta charset="utf-8">
<title>lwspp interop</title>
<link rel="stylesheet" href="style.css">
</head>
<body>
<p id="static">written by the server</p>
<p id="hello">not fetched</p>
<p id="chunked">not fetched</p>
<p id="echo">not fetched</p>
<p id="slow">not fetched</p>
<p id="compressed">not measured</p>
<p id="styled">not styled</p>
<p id="done">not done</p>
<script>
  // Inline: the simplest proof that the page's script ran and fetch() worked.
  fetch('/hello')
    .then(r => r.text())
    .then(t => { document.getElementById('hello').textContent = 'fetched: ' + t; })
    .catch(e => { document.getElementById('hello').textContent = 'error: ' + e; });
</script>
<script src="app.js"></script>
</body>
</html>
HTML
{
  cat <<'JS'
// External script: served from /static with on-the-fly compression (it is
// well over 256 bytes), so it runs only if the browser could decode it.
async function show(id, what) {
  const el = document.getElementById(id);
  try {
    el.textContent = await what();
  } catch (e) {
    el.textContent = 'error: ' + e;
  }
}

async function main() {
  await show('chunked', async () => {
    const r = await fetch('/chunked?n=4');
    return 'chunked: ' + (await r.text()).trim().split('\n').join('|');
  });
  await show('echo', async () => {
    const r = await fetch('/echo', {
      method: 'POST',
      headers: {'Content-Type': 'text/x-from-browser'},
      body: 'posted by chromium',
    });
    return 'echo: ' + (await r.text()) + ' as ' + r.headers.get('content-type');
  });
  await show('slow', async () => 'slow: ' + (await (await fetch('/slow')).text()).trim());
  await show('compressed', async () => {
    const e = performance.getEntriesByType('resource').find(x => x.name.endsWith('/app.js'));
    if (!e) return 'no timing entry for app.js';
    return (e.encodedBodySize > 0 && e.encodedBodySize < e.decodedBodySize ? 'app.js compressed' : 'app.js not compressed') +
           ' (' + e.encodedBodySize + ' of ' + e.decodedBodySize + ' bytes)';
  });
  await show('styled', async () => 'width ' + getComputedStyle(document.getElementById('styled')).width);
  document.getElementById('done').textContent = 'all done';
}
main();
JS
  # Padding, so that compression is worth it.
  for i in $(seq 1 60); do echo "// padding line $i: lorem ipsum dolor sit amet, consectetur adipiscing elit"; done
} >"$root/app.js"
printf '#styled { width: 123px; }\n' >"$root/style.css"

# A test PKI for the TLS port (made with the openssl CLI, as tls_common.bash does).
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 2 \
  -subj /CN=localhost -addext subjectAltName=DNS:localhost,IP:127.0.0.1 \
  -keyout "$tmp/key.pem" -out "$tmp/cert.pem" 2>/dev/null
LWSPP_TEST_TLS_CERT="$tmp/cert.pem" LWSPP_TEST_TLS_KEY="$tmp/key.pem" \
  "$server" "$tmp/port" "$root" "" "$tmp/access.log" 2>"$tmp/server.log" &
server_pid=$!
for ((i = 0; i < 100; i++)); do
  [[ -s $tmp/port ]] && break
  kill -0 "$server_pid" 2>/dev/null || break
  sleep 0.1
done
if [[ ! -s $tmp/port ]]; then
  echo "FAIL: the server did not start; its log:" >&2
  indent <"$tmp/server.log" >&2
  exit 1
fi
port=$(cat "$tmp/port")
tls_port=$(cat "$tmp/port.tls")

# expect_in_dom WHAT TEXT: the dumped DOM contains TEXT.
expect_in_dom() {
  if grep -qF -- "$2" "$tmp/dom.html"; then pass "$1"; else fail "$1: no '$2' in the DOM"; fi
}

for scheme in http https; do
  if [[ $scheme == http ]]; then
    url=http://127.0.0.1:$port/static/index.html
    version=HTTP/1.1
  else
    url=https://127.0.0.1:$tls_port/static/index.html
    version=HTTP/2.0
  fi
  echo "loading $url"
  lines_before=$(cat "$tmp/access.log" 2>/dev/null | wc -l)
  rc=0
  timeout 120 "$chromium" --headless --disable-gpu --no-sandbox --no-first-run \
    --disable-dev-shm-usage --disable-extensions --user-data-dir="$tmp/profile-$scheme" \
    --ignore-certificate-errors \
    --virtual-time-budget=5000 --dump-dom "$url" >"$tmp/dom.html" 2>"$tmp/chromium.log" || rc=$?
  if [[ $rc -ne 0 || ! -s $tmp/dom.html ]]; then
    if grep -qiE 'error while loading shared libraries|cannot open display|Missing X server' "$tmp/chromium.log"; then
      echo "skip: chromium cannot run here (exit $rc):"
      tail -n 5 "$tmp/chromium.log" | indent
      exit 77
    fi
    fail "$scheme: chromium exited $rc with an empty DOM; its log:"
    tail -n 20 "$tmp/chromium.log" | indent >&2
  fi
  echo "the DOM:"
  indent <"$tmp/dom.html"

  expect_in_dom "$scheme: the page itself" '<p id="static">written by the server</p>'
  expect_in_dom "$scheme: inline script: fetch('/hello')" '<p id="hello">fetched: Hello, world!</p>'
  expect_in_dom "$scheme: app.js: fetch of a chunked response" '<p id="chunked">chunked: chunk 0|chunk 1|chunk 2|chunk 3</p>'
  expect_in_dom "$scheme: app.js: POST /echo with its content-type back" '<p id="echo">echo: posted by chromium as text/x-from-browser</p>'
  expect_in_dom "$scheme: app.js: the deferred /slow" '<p id="slow">slow: slow done</p>'
  expect_in_dom "$scheme: app.js: served compressed and decoded by the browser" '<p id="compressed">app.js compressed ('
  expect_in_dom "$scheme: style.css applied" '<p id="styled">width 123px</p>'
  expect_in_dom "$scheme: app.js ran to its end" '<p id="done">all done</p>'

  sleep 0.2
  log=$tmp/access.log
  for path in /static/index.html /static/app.js /static/style.css /hello '/chunked?n=4' /echo /slow; do
    if tail -n +"$((lines_before + 1))" "$log" |
      grep -F "\"$(if [[ $path == /echo ]]; then echo POST; else echo GET; fi) $path $version\" 200 " |
      grep -q 'HeadlessChrome'; then
      pass "$scheme: access log: $path from HeadlessChrome over $version, 200"
    else
      fail "$scheme: access log: no $version 200 for $path from HeadlessChrome; the log:"
      indent <"$log" >&2
    fi
  done
done

kill -TERM "$server_pid"
rc=0
wait "$server_pid" || rc=$?
server_pid=
if [[ $rc -eq 0 ]]; then pass "the server exits 0 after SIGTERM"; else fail "the server exits $rc after SIGTERM"; fi
if grep -qE 'AddressSanitizer|LeakSanitizer|runtime error:' "$tmp/server.log"; then
  fail "a sanitizer report in the server's log:"
  indent <"$tmp/server.log" >&2
else
  pass "no sanitizer report in the server's log"
fi

finish
