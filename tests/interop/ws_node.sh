#!/usr/bin/env bash
# The WebSocket server (tests/interop/servers/ws_test_server.cpp) against
# Node's `ws` package as the client, over ws:// and wss://, with and without
# permessage-deflate: text and binary echo up to 4 MiB, fragments sent with
# fin: false, pings, and close codes from either side.
#
# `ws` comes from the npm registry into a cache directory (LWSPP_NPM_CACHE,
# default ~/.cache/lwspp-npm), installed once and reused.
#
# ctest runs it with LWSPP_BUILD_DIR set; by hand:
#   LWSPP_BUILD_DIR=build/dev bash tests/interop/ws_node.sh
# Exit: 0 all passed, 1 something failed, 77 skipped (no node or npm, or
# the package could not be installed).
set -euo pipefail

source "$(dirname "${BASH_SOURCE[0]}")/lib/ws_common.bash"
ws_need_node_ws
ws_start_server

cat >"$tmp/client.js" <<'EOF'
const WebSocket = require(process.env.WS_MODULE);
const fs = require('fs');
const crypto = require('crypto');
const [wsPort, wssPort, certFile] = process.argv.slice(2);
const ca = fs.readFileSync(certFile);
let failures = 0;
const check = (what, ok, detail) => {
  if (ok) console.log('ok:   ' + what);
  else {
    failures++;
    console.error('FAIL: ' + what + (detail !== undefined ? ': ' + detail : ''));
  }
};

function open(scheme, path, deflate) {
  const port = scheme === 'ws' ? wsPort : wssPort;
  const ws = new WebSocket(`${scheme}://localhost:${port}${path}`,
                           {ca, perMessageDeflate: deflate, maxPayload: 64 << 20});
  const queue = [];
  const waiters = [];
  ws.on('message', (data, isBinary) => {
    const m = {data, isBinary};
    if (waiters.length) waiters.shift()(m); else queue.push(m);
  });
  ws.next = () => new Promise((resolve, reject) => {
    if (queue.length) return resolve(queue.shift());
    const t = setTimeout(() => reject(new Error('no message within 10 s')), 10000);
    waiters.push((m) => { clearTimeout(t); resolve(m); });
  });
  return new Promise((resolve, reject) => {
    ws.once('open', () => resolve(ws));
    ws.once('error', reject);
  });
}

const closed = (ws) => new Promise((resolve) => ws.once('close', (code, reason) =>
    resolve({code, reason: reason.toString()})));

async function run(scheme, deflate) {
  const tag = `[${scheme}${deflate ? ', deflate' : ''}] `;
  const ws = await open(scheme, deflate ? '/echo-deflate' : '/echo', deflate);
  check(tag + 'extension as asked', (ws.extensions !== '') === deflate, ws.extensions);
  let ok = true;
  for (const n of [0, 1, 125, 126, 65535, 65536, 1 << 20, 4 << 20]) {
    const bin = crypto.randomBytes(n);
    ws.send(bin);
    const b = await ws.next();
    ok = ok && b.isBinary && Buffer.compare(b.data, bin) === 0;
    const text = 'é'.repeat(n >> 1);
    ws.send(text);
    const t = await ws.next();
    ok = ok && !t.isBinary && t.data.toString() === text;
  }
  check(tag + 'text and binary, 0 B to 4 MiB, echoed exactly', ok);
  const repetitive = 'lwspp '.repeat(100000);
  ws.send(repetitive);
  const r = await ws.next();
  check(tag + 'a 600 kB repetitive text echoed', r.data.toString() === repetitive);

  ws.send('frag', {fin: false});
  ws.send('ment', {fin: false});
  ws.send('ed', {fin: true});
  const f = await ws.next();
  check(tag + 'fragments sent with fin: false come back as one message',
        f.data.toString() === 'fragmented', f.data.toString());

  const pong = new Promise((resolve) => ws.once('pong', (d) => resolve(d.toString())));
  ws.ping('node-ping');
  check(tag + 'ping answered', (await pong) === 'node-ping');

  ws.send('!ping from-server');
  const p = await ws.next();
  check(tag + 'server ping answered by ws', p.data.toString() === 'pong: from-server', p.data.toString());

  const done = closed(ws);
  ws.close(4010, 'node says bye');
  const c = await done;
  check(tag + 'client close 4010 echoed', c.code === 4010, c.code);

  const ws2 = await open(scheme, deflate ? '/echo-deflate' : '/echo', deflate);
  const done2 = closed(ws2);
  ws2.send('!close 4011 server says bye');
  const c2 = await done2;
  check(tag + 'server close 4011 with its reason',
        c2.code === 4011 && c2.reason === 'server says bye', JSON.stringify(c2));
}

(async () => {
  try {
    for (const scheme of ['ws', 'wss'])
      for (const deflate of [false, true]) await run(scheme, deflate);
  } catch (e) {
    check('no exception', false, e.stack);
  }
  process.exit(failures ? 1 : 0);
})();
EOF

rc=0
WS_MODULE=$ws_module timeout 120 node "$tmp/client.js" "$ws_port" "$wss_port" "$cert" || rc=$?
if [[ $rc -eq 0 ]]; then pass "the node checks"; else fail "the node checks (exit $rc)"; fi
sleep 0.3
n=$(grep -c "closed code=4010 reason='node says bye' why='closed by peer" "$server_log" || true)
if [[ $n -eq 4 ]]; then pass "server log: four client closes 4010 (ws, wss; deflate on and off)"; else fail "server log: $n client closes 4010, want 4"; fi
ws_stop_server
ws_finish
