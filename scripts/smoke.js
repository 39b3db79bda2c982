// A smoke test of an installed uvkit: which addon it loaded, then a TCP echo
// on 127.0.0.1 port 0, a timer, an fs call (sync and on the loop), a spawn and
// a queueWork, all on one private loop. Exits 0 and prints "smoke: pass", or
// prints what failed and exits 1.
//
//   node scripts/smoke.js <package dir> [<expected prebuild, e.g. linux-arm64>]
//
// scripts/arm64-smoke.sh runs it with Node for arm64 under qemu.
'use strict';
const assert = require('assert');
const path = require('path');

const dir = path.resolve(process.argv[2] || path.join(__dirname, '..'));
const expected = process.argv[3];
const deadline = setTimeout(() => fail(new Error('timed out after 60 s')), 60000);
deadline.unref();

function fail(err) {
  console.error('smoke: FAIL:', err && err.stack ? err.stack : err);
  process.exit(1);
}
process.on('uncaughtException', fail);

const uv = require(dir);
const addon = require(require.resolve('node-gyp-build', { paths: [dir] })).resolve(dir);
console.log(`node ${process.version} ${process.arch}, libuv ${uv.libuvVersion}, uvkit ${uv.version}`);
console.log(`addon ${path.relative(dir, addon)}`);
if (expected) {
  assert.equal(path.relative(dir, addon), path.join('prebuilds', expected, 'node.napi.glibc.node'));
}

const loop = new uv.Loop();
const done = new Set();

// Timer.
new uv.Timer(loop).start((t) => {
  done.add('timer');
  t.close();
}, 10);

// TCP echo on an ephemeral port.
const message = Buffer.from('hello from ' + process.arch);
const server = new uv.TCP(loop);
server.bind('127.0.0.1', 0);
server.listen((err) => {
  if (err) throw err;
  const conn = new uv.TCP(loop);
  server.accept(conn);
  conn.startRead((err, data) => {
    if (err || data === null) return conn.close();
    conn.write(data);
  });
});
const { port } = server.getsockname();
const client = new uv.TCP(loop);
client.connect('127.0.0.1', port, (err) => {
  if (err) throw err;
  const got = [];
  client.startRead((err, data) => {
    if (err) throw err;
    got.push(data);
    const all = Buffer.concat(got);
    if (all.length < message.length) return;
    assert.ok(all.equals(message), `echo differs: ${all}`);
    done.add(`tcp echo (port ${port})`);
    client.close();
    server.close();
  });
  client.write(message);
});

// fs: a sync call and one on the loop.
assert.equal(uv.fs.stat(loop, dir).mode & 0o170000, 0o040000, 'stat of the package dir: not a directory');
uv.fs.stat(loop, path.join(dir, 'package.json'), (err, st) => {
  if (err) throw err;
  assert.ok(st.size > 0, 'stat size');
  done.add('fs.stat');
});

// spawn: a child that exits with status 3.
uv.Process.spawn(loop, { args: ['/bin/sh', '-c', 'exit 3'] }, (status, signal, proc) => {
  assert.equal(status, 3);
  assert.equal(signal, 0);
  done.add('spawn');
  proc.close();
});

// queueWork: off the loop thread, result structured-cloned back.
loop.queueWork((a, b) => a * b, [6, 7], (err, result) => {
  if (err) throw err;
  assert.equal(result, 42);
  done.add('queueWork');
});

loop.run();
loop.close();
const want = ['timer', `tcp echo (port ${port})`, 'fs.stat', 'spawn', 'queueWork'];
for (const w of want) assert.ok(done.has(w), `${w} did not complete`);
console.log(`ran: ${want.join(', ')}`);
console.log('smoke: pass');
process.exit(0);
