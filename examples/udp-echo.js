// A UDP echo server: every datagram is sent back to where it came from.
// Ctrl-C (SIGINT) closes the socket, the loop ends and the process exits 0.
//
//   node examples/udp-echo.js [port=0]        (0 = any free port)
//   then e.g.: nc -u 127.0.0.1 <port>
'use strict';
const uv = require('..');

const port = Number(process.argv[2] ?? 0);
const loop = uv.Loop.default();

const server = new uv.UDP(loop);
server.bind('127.0.0.1', port);
server.startRecv((err, data, addr) => {
  if (err) return console.error('recv:', err.message);
  console.log(`${data.length} bytes from ${addr.address}:${addr.port}`);
  server.send(addr.address, addr.port, data, (err) => {
    if (err) console.error('send:', err.message);
  });
});
console.log(`echo server listening on udp 127.0.0.1:${server.getsockname().port}`);

const sigint = new uv.Signal(loop);
sigint.start(() => {
  console.log('SIGINT: closing');
  server.close();
  sigint.close();
}, 'SIGINT');

loop.run(); // returns once every handle is closed
console.log('bye');
