// A synchronous HTTPS GET: the whole request (DNS, TCP connect, TLS
// handshake with certificate and name check, request, response head) runs
// inside one blocking loop.run(), the way start-up code or a worker's
// blocking loop would fetch something. Prints the status and the headers.
//
//   node examples/https-get.js https://example.com/ [--cacert ca.pem]
//
// --cacert trusts that CA instead of Node's root certificates.
'use strict';
const fs = require('fs');
const uv = require('..');

const args = process.argv.slice(2);
const caAt = args.indexOf('--cacert');
const ca = caAt >= 0 ? fs.readFileSync(args.splice(caAt, 2)[1]) : undefined;
if (args.length !== 1) {
  console.error('usage: node examples/https-get.js https://host[:port]/path [--cacert ca.pem]');
  process.exit(2);
}
const url = new URL(args[0]);
if (url.protocol !== 'https:') {
  console.error('only https: URLs');
  process.exit(2);
}
const host = url.hostname.replace(/^\[|\]$/g, ''); // [::1] -> ::1
const port = Number(url.port || 443);

const loop = new uv.Loop();
let failure = null;
let head = null;

function fail(err) {
  failure = failure || err;
  for (const h of loop.handles) h.close();
}

// Whatever happens, the loop ends within 15 s.
const deadline = new uv.Timer(loop);
deadline.ref = false;
deadline.start(() => fail(new Error('timed out')), 15000);

uv.dns.getaddrinfo(loop, host, port, { socktype: uv.dns.SOCK_STREAM }, (err, addrs) => {
  if (err) return fail(err);
  connect(addrs.map((a) => a.address), 0);
});

// Tries each address in turn, as a browser would (localhost may be ::1 or 127.0.0.1).
function connect(addresses, i) {
  if (i >= addresses.length) return fail(new Error(`cannot connect to ${host}:${port}`));
  const tcp = new uv.TCP(loop);
  tcp.connect(addresses[i].address, addresses[i].port, (err) => {
    if (err) {
      tcp.close();
      return connect(addresses, i + 1);
    }
    get(tcp);
  });
}

function get(tcp) {
  const tls = new uv.TLS(loop, tcp, { servername: host, ca, ALPNProtocols: ['http/1.1'] });
  tls.handshake((err) => {
    if (err) fail(err);
  });
  // Held until the handshake has succeeded; never sent if it fails.
  tls.write(`GET ${url.pathname}${url.search} HTTP/1.1\r\nHost: ${url.host}\r\n` +
    'User-Agent: uvkit-https-get\r\nAccept: */*\r\nConnection: close\r\n\r\n');
  const chunks = [];
  tls.startRead((err, data) => {
    if (err) return fail(err);
    if (data !== null) chunks.push(data);
    const text = Buffer.concat(chunks).toString('latin1');
    const end = text.indexOf('\r\n\r\n');
    if (end >= 0 || data === null) {
      head = end >= 0 ? text.slice(0, end) : text;
      tls.close(); // the body is not needed
      deadline.close();
    }
  });
}

loop.run();

if (failure !== null || head === null) {
  const err = failure || new Error('the connection ended before a response');
  console.error(`error: ${err.code ? `${err.code}: ` : ''}${err.message}`);
  process.exit(1);
}
const [statusLine, ...headers] = head.split('\r\n');
const status = Number(statusLine.split(' ')[1]);
console.log(`status: ${status}`);
for (const line of headers) console.log(line);
