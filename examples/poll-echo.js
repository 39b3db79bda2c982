// A TCP echo server whose sockets are driven by hand with Poll, the handle
// that watches ANY file descriptor for readiness (what you would use for an
// fd that some other library opened). A uvkit TCP server accepts each
// connection and owns its fd, but never reads or writes it: a Poll reports
// when the fd is readable or writable, and the data moves with plain
// non-blocking read(2)/write(2) calls (Node's fs.readSync/fs.writeSync on
// the fd), including the EAGAIN and partial-write cases that TCP.write()
// would otherwise handle for you. Ctrl-C (SIGINT) closes everything, exit 0.
//
//   node examples/poll-echo.js [port=0]       (0 = any free port)
'use strict';
const fs = require('fs');
const uv = require('..');

const port = Number(process.argv[2] ?? 0);
const loop = uv.Loop.default();
const connections = new Set();
const buffer = Buffer.allocUnsafe(64 * 1024);

const server = new uv.TCP(loop);
server.bind('127.0.0.1', port);
server.listen((err) => {
  if (err) return console.error('listen:', err.message);
  const conn = new uv.TCP(loop);
  server.accept(conn); // non-blocking already: libuv set O_NONBLOCK on it
  const fd = conn.fileno();
  const poll = new uv.Poll(loop, fd);
  const c = { conn, poll, fd, events: uv.UV_READABLE, pending: null, bytes: 0 };
  connections.add(c);
  console.log(`connection on fd ${fd}`);
  // Read while there is nothing left to send; while the peer is not taking
  // our echoes, wait for the socket to be writable instead (backpressure).
  poll.start(c.events, function onReady(err, events) {
    // libuv reports an error condition on the fd (POLLERR: e.g. the peer
    // reset the connection) as EBADF, and stops the Poll.
    if (err) return close(c, err.code);
    try {
      if (events & uv.UV_READABLE) {
        const n = fs.readSync(fd, buffer, 0, buffer.length, null);
        if (n === 0) return close(c, 'EOF');
        c.bytes += n;
        c.pending = Buffer.from(buffer.subarray(0, n)); // copy: `buffer` is reused
      }
      if (c.pending !== null) {
        const sent = fs.writeSync(fd, c.pending);
        c.pending = sent === c.pending.length ? null : c.pending.subarray(sent);
      }
    } catch (e) {
      if (e.code !== 'EAGAIN') return close(c, e.code); // ECONNRESET, EPIPE…
    }
    const want = c.pending === null ? uv.UV_READABLE : uv.UV_WRITABLE;
    if (want !== c.events) poll.start((c.events = want), onReady);
  });
});
console.log(`poll echo server listening on 127.0.0.1:${server.getsockname().port}`);

function close(c, why) {
  console.log(`fd ${c.fd}: ${why} after ${c.bytes} bytes`);
  connections.delete(c);
  c.poll.close(); // the Poll first: the fd must outlive its watcher
  c.conn.close(); // closes the fd
}

const sigint = new uv.Signal(loop);
sigint.start(() => {
  console.log(`SIGINT: closing the server and ${connections.size} connection(s)`);
  for (const c of connections) close(c, 'SIGINT');
  server.close();
  sigint.close();
}, 'SIGINT');

loop.run(); // returns once every handle is closed
console.log('bye');
