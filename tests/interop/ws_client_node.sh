#!/usr/bin/env bash
# Our WebSocket client (examples/ws-client --echo) against Node's `ws`
# package as the SERVER, over ws:// and wss://, with and without
# permessage-deflate: the server sends text and binary messages from 0 B to
# 4 MiB and a fragmented one, pings, and closes with 1000, checking every
# echo and the pong.
#
# `ws` comes from the npm registry into a cache directory (LWSPP_NPM_CACHE,
# default ~/.cache/lwspp-npm), installed once and reused (as ws_node.sh).
#
# ctest runs it with LWSPP_BUILD_DIR set; by hand:
#   LWSPP_BUILD_DIR=build/dev bash tests/interop/ws_client_node.sh
# Exit: 0 all passed, 1 something failed, 77 skipped (no node or npm, or
# the package could not be installed, or no openssl for the certificate).
set -euo pipefail

source "$(dirname "${BASH_SOURCE[0]}")/lib/ws_client_common.bash"
ws_need_node_ws
ws_client_find

ws_client_make_cert

cat >"$tmp/server.js" <<'EOF'
const {WebSocketServer} = require(process.env.WS_MODULE);
const fs = require('fs');
const https = require('https');
const crypto = require('crypto');
const [portsFile, cert, key] = process.argv.slice(2);

const check = (what, ok, detail) =>
  console.log((ok ? 'ok:   ' : 'FAIL: ') + what + (ok || detail === undefined ? '' : ': ' + detail));

function queue(ws) {
  const q = [], waiters = [];
  ws.on('message', (data, isBinary) => {
    const m = {data, isBinary};
    if (waiters.length) waiters.shift()(m); else q.push(m);
  });
  return () => new Promise((resolve, reject) => {
    if (q.length) return resolve(q.shift());
    const t = setTimeout(() => reject(new Error('no echo within 10 s')), 10000);
    waiters.push((m) => { clearTimeout(t); resolve(m); });
  });
}

async function drive(ws, tag, deflate) {
  const next = queue(ws);
  check(tag + 'permessage-deflate as offered', (ws.extensions !== '') === deflate, ws.extensions);
  let ok = true;
  for (const n of [0, 1, 125, 126, 65535, 65536, 1 << 20, 4 << 20]) {
    const bin = crypto.randomBytes(n);
    ws.send(bin);
    const b = await next();
    ok = ok && b.isBinary && Buffer.compare(b.data, bin) === 0;
    const text = 'é'.repeat(n >> 1);
    ws.send(text);
    const t = await next();
    ok = ok && !t.isBinary && t.data.toString() === text;
  }
  check(tag + 'text and binary, 0 B to 4 MiB, echoed exactly', ok);
  ws.send('frag', {fin: false});
  ws.send('ment', {fin: false});
  ws.send('ed', {fin: true});
  const f = await next();
  check(tag + 'a fragmented message echoed whole', f.data.toString() === 'fragmented', f.data.toString());
  const pong = new Promise((resolve) => ws.once('pong', (d) => resolve(d.toString())));
  ws.ping('node-ping');
  check(tag + 'ping answered', (await pong) === 'node-ping');
  const closed = new Promise((resolve) => ws.once('close', (code) => resolve(code)));
  ws.close(1000, 'done');
  const code = await closed;
  check(tag + 'close 1000 answered with 1000', code === 1000, code);
}

function serve(server, scheme, deflate) {
  const wss = new WebSocketServer({server, perMessageDeflate: deflate, maxPayload: 64 << 20});
  wss.on('connection', (ws) => {
    const tag = `[${scheme}${deflate ? ', deflate' : ''}] `;
    drive(ws, tag, deflate).catch((e) => check(tag + 'ran to its end', false, e.stack));
  });
}

const servers = [];
for (const tls of [false, true])
  for (const deflate of [false, true]) {
    const s = tls ? https.createServer({cert: fs.readFileSync(cert), key: fs.readFileSync(key)})
                  : require('http').createServer();
    serve(s, tls ? 'wss' : 'ws', deflate);
    servers.push(new Promise((resolve) => s.listen(0, '127.0.0.1', () => resolve(s.address().port))));
  }
Promise.all(servers).then((ports) => fs.writeFileSync(portsFile, ports.join('\n') + '\n'));
EOF

WS_MODULE=$ws_module node "$tmp/server.js" "$tmp/ports" "$tmp/cert.pem" "$tmp/key.pem" \
  >"$tmp/server.log" 2>&1 &
server_pid=$!
for ((i = 0; i < 100; i++)); do
  [[ -s $tmp/ports ]] && break
  sleep 0.1
done
[[ -s $tmp/ports ]] || { echo "FAIL: the node server did not start:" >&2; indent <"$tmp/server.log" >&2; exit 1; }
mapfile -t ports <"$tmp/ports"
echo "server:   node ws on ${ports[*]}"

ws_client_run ws-echo 0 --echo "ws://localhost:${ports[0]}/"
ws_client_run ws-echo-deflate 0 --echo --deflate "ws://localhost:${ports[1]}/"
ws_client_run wss-echo 0 --echo --ca "$tmp/cert.pem" "wss://localhost:${ports[2]}/"
ws_client_run wss-echo-deflate 0 --echo --deflate --ca "$tmp/cert.pem" "wss://localhost:${ports[3]}/"

sleep 0.3
ws_client_collect "$tmp/server.log" 20
ws_finish
