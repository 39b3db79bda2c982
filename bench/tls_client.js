'use strict';
// The TLS echo load client: `node bench/tls_client.js <port> <conns> <size>
// <warmup_ms> <measure_ms>`. The C client (bench/c/loadclient.c) has no TLS,
// so this one is Node's tls module; it is the same client for every server.
// Opens <conns> TLS connections to 127.0.0.1:<port>, keeps one <size>-byte
// message in flight on each, echoes for warmup_ms, then counts round trips
// for measure_ms, and prints loadclient's JSON line:
// {mode, count, seconds, perSec, p50us, p99us, maxus}.
const tls = require('tls');

const [port, conns, size, warmMs, measureMs] = process.argv.slice(2).map(Number);
if (!(port > 0 && conns > 0 && size > 0 && warmMs >= 0 && measureMs > 0)) {
  process.stderr.write('usage: node bench/tls_client.js <port> <conns> <size> <warmup_ms> <measure_ms>\n');
  process.exit(2);
}

const message = Buffer.alloc(size, 'x');
const samples = []; // round-trip times (ns) in the measured window
let phase = 'connect'; // connect -> warm -> measure -> done
let count = 0;
let measureStart = 0n;
const connections = []; // { socket, left: bytes still to come back, sentAt }

function fail(err) {
  process.stderr.write(`tls_client: ${err.message || err}\n`);
  process.exit(1);
}

function finish() {
  phase = 'done';
  const measureEnd = process.hrtime.bigint();
  for (const c of connections) c.socket.destroy();
  const seconds = Number(measureEnd - measureStart) / 1e9;
  samples.sort((a, b) => a - b);
  const pct = (p) => (samples.length === 0 ? 0 : samples[Math.round(p * (samples.length - 1))] / 1000);
  const r = { mode: 'tls-echo', count, seconds, perSec: count / seconds, p50us: pct(0.5), p99us: pct(0.99), maxus: pct(1) };
  process.stdout.write(JSON.stringify(r) + '\n');
  process.exit(0);
}

function start() {
  phase = 'warm';
  setTimeout(() => {
    phase = 'measure';
    measureStart = process.hrtime.bigint();
    setTimeout(finish, measureMs);
  }, warmMs);
  for (const c of connections) send(c);
}

function send(c) {
  c.left = size;
  c.sentAt = process.hrtime.bigint();
  c.socket.write(message);
}

let connected = 0;
for (let i = 0; i < conns; i++) {
  const s = tls.connect({ port, host: '127.0.0.1', rejectUnauthorized: false }, () => {
    if (++connected === conns) start();
  });
  s.setNoDelay(true);
  const c = { socket: s, left: 0, sentAt: 0n };
  s.on('data', (d) => {
    if (phase === 'done') return;
    c.left -= d.length;
    if (c.left > 0) return;
    if (c.left < 0) fail(new Error('more bytes came back than were sent'));
    // A round trip counts when it ends inside the measured window.
    if (phase === 'measure') {
      count++;
      samples.push(Number(process.hrtime.bigint() - c.sentAt));
    }
    send(c);
  });
  s.on('error', (err) => phase !== 'done' && fail(err));
  s.on('close', () => phase !== 'done' && fail(new Error('server closed a connection')));
  connections.push(c);
}
// bounded: never more than the run plus a minute for connecting
setTimeout(() => fail(new Error('timed out')), warmMs + measureMs + 60000).unref();
