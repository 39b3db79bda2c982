// The README's demo: a TCP echo server and clients on one private loop, in
// one process. Each client sends messages, checks every echo byte for byte,
// and the demo prints what happened, then exits.
//
//   node examples/echo-demo.js [clients=20] [messages=500] [size=1024]
'use strict';
const uv = require('..');

const [clients = 20, messages = 500, size = 1024] = process.argv.slice(2).map(Number);
const loop = new uv.Loop();
const server = new uv.TCP(loop);
server.bind('127.0.0.1', 0);
let served = 0;
server.listen((err) => {
  if (err) throw err;
  const conn = new uv.TCP(loop);
  server.accept(conn);
  served++;
  conn.startRead((err, data) => {
    if (data === null) return conn.close(); // EOF (or an error): done
    conn.write(data);
  });
});
const { port } = server.getsockname();
console.log(`echo server listening on 127.0.0.1:${port}`);

let roundTrips = 0;
let finished = 0;
const started = process.hrtime.bigint();
for (let c = 0; c < clients; c++) {
  const message = Buffer.alloc(size, 97 + (c % 26)); // 'aaaa…', 'bbbb…'
  const client = new uv.TCP(loop);
  let sent = 0;
  let received = [];
  let receivedBytes = 0;
  client.connect('127.0.0.1', port, (err) => {
    if (err) throw err;
    client.startRead((err, data) => {
      if (err) throw err;
      received.push(data);
      receivedBytes += data.length;
      if (receivedBytes < size) return;
      if (!Buffer.concat(received).equals(message)) throw new Error(`client ${c}: echo differs`);
      received = [];
      receivedBytes = 0;
      roundTrips++;
      if (++sent < messages) return client.write(message);
      client.close();
      if (++finished === clients) server.close();
    });
    client.write(message);
  });
}

loop.run();
const seconds = Number(process.hrtime.bigint() - started) / 1e9;
console.log(`${clients} clients, ${served} connections served`);
console.log(`${roundTrips} round trips of ${size} bytes, all echoed intact, in ${seconds.toFixed(2)} s`);
console.log(`${Math.round(roundTrips / seconds)} round trips/s on one private libuv loop`);
loop.close();
