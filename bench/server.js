'use strict';
// One server under test, in its own process: `node bench/server.js <impl> <kind>`.
//   impl: uvkit (blocking run()), uvkit-attached (loop.attach()), node (net /
//         dgram), c (bench/c/baseline.cc: libuv in C, no JavaScript per event);
//         uvkit-buffer (blocking run(), kinds echo and sink: every read
//         lands in one 64 KiB buffer, startRead's options.buffer);
//         the uvloop peer is bench/uvloop_server.py
//   kind: echo | sink (TCP, reads and drops) | udp (datagram echo) |
//         hold (TCP, keeps connections idle; reports RSS, see below) |
//         tls (TLS echo over TCP; impl uvkit or node; the certificate and
//         key are the PEM files named by UVKIT_BENCH_TLS_CERT and
//         UVKIT_BENCH_TLS_KEY)
// It prints one JSON line {"port": n} once listening and serves until killed.
// hold: also prints {"rss": bytes} after listen and {"held": n, "rss": bytes}
// each time the count of accepted connections reaches a multiple of
// HOLD_REPORT (both after a full GC when run with --expose-gc).
const path = require('path');
const [impl, kind] = process.argv.slice(2);
const HOLD_REPORT = Number(process.env.HOLD_REPORT || 1000);

function ready(port) {
  process.stdout.write(JSON.stringify({ port }) + '\n');
}

// Anonymous RSS (RssAnon): the process's private memory. Whole RSS also
// counts pages of the node executable that run for the first time, such as
// the optimizing compiler's when the accept path turns hot: on Node 24 that
// is 4.6 MB of file-backed text faulted in once, between 6,000 and 7,000
// connections, which does not grow with them.
function rss() {
  if (global.gc) {
    global.gc();
    global.gc();
  }
  const m = /RssAnon:\s+(\d+) kB/.exec(require('fs').readFileSync('/proc/self/status', 'utf8'));
  return Number(m[1]) * 1024;
}

function report(obj) {
  process.stdout.write(JSON.stringify(obj) + '\n');
}

function tlsFiles() {
  const fs = require('fs');
  const { UVKIT_BENCH_TLS_CERT: cert, UVKIT_BENCH_TLS_KEY: key } = process.env;
  if (!cert || !key) throw new Error('tls: set UVKIT_BENCH_TLS_CERT and UVKIT_BENCH_TLS_KEY');
  return { cert: fs.readFileSync(cert), key: fs.readFileSync(key) };
}

// A uvkit loop for a server. Writes have no callback: one that fails (a
// client that reset) comes to the hook, as Node's sockets emit 'error'.
function uvkitLoop(uv) {
  const loop = new uv.Loop();
  loop.excepthook = (err) => {
    if (err && err.handle) return err.handle.close();
    console.error(err);
    process.exit(1);
  };
  return loop;
}

// A uvkit TCP server on 127.0.0.1 that hands each accepted connection (with
// TCP_NODELAY set) to onConnection; reports its port.
function uvkitTCPServer(uv, loop, onConnection) {
  const server = new uv.TCP(loop);
  server.bind('127.0.0.1', 0);
  server.listen((err) => {
    if (err) throw err;
    const c = new uv.TCP(loop);
    server.accept(c);
    c.nodelay(true);
    onConnection(c);
  }, 4096);
  return server;
}

if (impl === 'c') {
  const b = require(path.join(__dirname, 'bin', 'baseline.node'));
  ready(b.listen(kind));
  b.run();
} else if (impl === 'node') {
  if (kind === 'udp') {
    const dgram = require('dgram');
    const s = dgram.createSocket('udp4');
    s.on('message', (msg, rinfo) => s.send(msg, rinfo.port, rinfo.address));
    s.bind(0, '127.0.0.1', () => ready(s.address().port));
  } else if (kind === 'tls') {
    const tls = require('tls');
    const server = tls.createServer(tlsFiles(), (sock) => {
      sock.setNoDelay(true);
      sock.on('data', (d) => sock.write(d));
      sock.on('error', () => {});
    });
    server.on('tlsClientError', () => {});
    server.listen({ port: 0, host: '127.0.0.1', backlog: 4096 }, () => ready(server.address().port));
  } else {
    const net = require('net');
    const held = [];
    const server = net.createServer({ noDelay: true }, (sock) => {
      sock.setNoDelay(true);
      if (kind === 'echo') {
        sock.on('data', (d) => sock.write(d));
      } else if (kind === 'sink') {
        sock.on('data', () => {});
      } else {
        held.push(sock);
        sock.on('data', () => {});
        if (held.length % HOLD_REPORT === 0) report({ held: held.length, rss: rss() });
      }
      sock.on('error', () => {});
    });
    server.listen({ port: 0, host: '127.0.0.1', backlog: 4096 }, () => {
      if (kind === 'hold') report({ rss: rss() });
      ready(server.address().port);
    });
  }
} else if (impl === 'uvkit-buffer') {
  // Every read of every connection lands in the same 64 KiB buffer (reads
  // are delivered one at a time); the echo writes a view of it back, which
  // is safe: what the socket does not take at once is copied by the write.
  if (kind !== 'echo' && kind !== 'sink') throw new Error(`uvkit-buffer: no ${kind} server`);
  const uv = require('..');
  const loop = uvkitLoop(uv);
  const buffer = Buffer.allocUnsafe(65536);
  const onEcho = (err, nread, buf, h) => {
    if (nread > 0) h.write(buf.subarray(0, nread));
    else h.close();
  };
  const onSink = (err, nread, buf, h) => {
    if (nread === 0) h.close();
  };
  const onRead = kind === 'echo' ? onEcho : onSink;
  const server = uvkitTCPServer(uv, loop, (c) => c.startRead(onRead, { buffer }));
  ready(server.getsockname().port);
  loop.run();
} else if (impl === 'uvkit' || impl === 'uvkit-attached') {
  const uv = require('..');
  const loop = uvkitLoop(uv);
  if (kind === 'udp') {
    const s = new uv.UDP(loop);
    s.bind('127.0.0.1', 0);
    s.startRecv((err, data, addr) => {
      if (data !== null && addr !== null) s.send(addr.address, addr.port, data);
    });
    ready(s.getsockname().port);
  } else if (kind === 'tls') {
    // Each accepted connection becomes a server TLS stream that echoes; a
    // failed handshake or read closes it.
    const context = new uv.TLSContext(tlsFiles());
    const server = uvkitTCPServer(uv, loop, (c) => {
      const t = new uv.TLS(loop, c, { isServer: true, context });
      t.handshake((e) => {
        if (e) t.close();
      });
      t.startRead((e, data) => {
        if (e || data === null) t.close();
        else t.write(data);
      });
    });
    ready(server.getsockname().port);
  } else {
    const held = [];
    const onEcho = (err, data, h) => {
      if (data !== null) h.write(data);
      else h.close();
    };
    const onSink = (err, data, h) => {
      if (data === null) h.close();
    };
    const onHold = (err, data, h) => {
      if (data === null) h.close();
    };
    const onRead = kind === 'echo' ? onEcho : kind === 'sink' ? onSink : onHold;
    const server = uvkitTCPServer(uv, loop, (c) => {
      c.startRead(onRead);
      if (kind === 'hold') {
        held.push(c);
        if (held.length % HOLD_REPORT === 0) report({ held: held.length, rss: rss() });
      }
    });
    if (kind === 'hold') report({ rss: rss() });
    ready(server.getsockname().port);
  }
  if (impl === 'uvkit-attached') loop.attach();
  else loop.run();
} else {
  throw new Error(`unknown impl ${impl}`);
}
