// A TCP echo server: every connection gets back what it sends. Ctrl-C
// (SIGINT) closes the server and every connection, the loop ends and the
// process exits 0.
//
//   node examples/tcp-echo.js [port=0]        (0 = any free port)
//   then e.g.: nc 127.0.0.1 <port>
'use strict';
const uv = require('..');

const port = Number(process.argv[2] ?? 0);
const loop = uv.Loop.default();
const connections = new Set();

// Echo writes have no callback: one that fails after the call (the client
// reset the connection) comes here with its handle, as a Node socket emits
// 'error'. That client is done.
loop.excepthook = (err) => {
  if (!err || !err.handle) return console.error('uncaught:', err);
  console.log(`write: ${err.code}, closing that connection`);
  connections.delete(err.handle);
  err.handle.close();
};

const server = new uv.TCP(loop);
server.bind('127.0.0.1', port);
server.listen((err) => {
  if (err) return console.error('listen:', err.message);
  const conn = new uv.TCP(loop);
  server.accept(conn);
  connections.add(conn);
  const peer = conn.getpeername();
  console.log(`connection from ${peer.address}:${peer.port}`);
  conn.startRead((err, data) => {
    if (data === null) {
      // EOF, or a read error such as ECONNRESET: either way this client is done.
      if (err) console.log(`${peer.address}:${peer.port}: ${err.code}`);
      console.log(`${peer.address}:${peer.port} closed`);
      connections.delete(conn);
      return conn.close();
    }
    conn.write(data);
  });
});
console.log(`echo server listening on 127.0.0.1:${server.getsockname().port}`);

const sigint = new uv.Signal(loop);
sigint.start(() => {
  console.log(`SIGINT: closing the server and ${connections.size} connection(s)`);
  for (const conn of connections) conn.close();
  server.close();
  sigint.close();
}, 'SIGINT');

loop.run(); // returns once every handle is closed
console.log('bye');
