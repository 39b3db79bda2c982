// A multi-core TCP echo server: one uvkit loop per worker thread, all
// accepting on the same listening socket. The main thread binds the socket
// and hands it to every worker over an IPC pipe (as Node's cluster does
// between processes with schedulingPolicy 'none'): it listens on a Unix
// socket, each worker connects to it, and the TCP handle travels with the
// first message.
// Whichever worker's loop wakes first accepts a connection. Ctrl-C (SIGINT)
// stops the workers; each reports how many connections it served; exit 0.
//
//   node examples/multicore-echo.js [port=0] [workers=cores]
'use strict';
const { Worker, isMainThread, workerData } = require('worker_threads');
const fs = require('fs');
const os = require('os');
const path = require('path');
const uv = require('..');

// Newline-delimited text messages over a pipe: calls onLine(line) per line.
function readLines(pipe, onLine, onEnd) {
  let rest = '';
  pipe.startRead((err, data) => {
    if (data === null) return onEnd(err);
    const lines = (rest + data).split('\n');
    rest = lines.pop();
    lines.forEach(onLine);
  });
}

if (isMainThread) {
  const port = Number(process.argv[2] ?? 0);
  const count = Number(process.argv[3] ?? uv.util.availableParallelism());
  const loop = uv.Loop.default();

  const server = new uv.TCP(loop);
  server.bind('127.0.0.1', port); // the workers listen(); this thread never accepts
  const address = server.getsockname();

  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'multicore-echo-'));
  const ipcPath = path.join(dir, 'ipc.sock');
  const ipcServer = new uv.Pipe(loop);
  ipcServer.bind(ipcPath);
  const workers = []; // IPC pipes to the workers
  let ready = 0;
  ipcServer.listen((err) => {
    if (err) throw err;
    const ipc = new uv.Pipe(loop, true);
    ipcServer.accept(ipc);
    const id = workers.push(ipc) - 1;
    ipc.write('listen\n', null, server); // the server's socket goes along with the message
    if (workers.length === count) stopSharing(); // every worker has its own copy now
    readLines(ipc, (line) => {
      if (line === 'ready' && ++ready === count) {
        console.log(`echo server listening on ${address.address}:${address.port} with ${count} worker threads`);
      } else if (line.startsWith('served ')) {
        console.log(`worker ${id} served ${line.slice(7)} connections`);
      }
    }, () => ipc.close());
  });

  function stopSharing() {
    if (ipcServer.closed) return;
    server.close();
    ipcServer.close();
    fs.rmSync(dir, { recursive: true, force: true });
  }

  for (let i = 0; i < count; i++) new Worker(__filename, { workerData: { ipcPath } });

  const sigint = new uv.Signal(loop);
  sigint.start(() => {
    console.log('SIGINT: stopping the workers');
    stopSharing(); // workers that have not joined yet fail to connect and end
    for (const ipc of workers) ipc.write('stop\n');
    sigint.close();
  }, 'SIGINT');

  loop.run(); // until every worker has reported and hung up
  // Node then waits for the worker threads to end.
} else {
  const loop = uv.Loop.default(); // this thread's own loop
  const connections = new Set();
  let server = null;
  let served = 0;

  const ipc = new uv.Pipe(loop, true);
  ipc.connect(workerData.ipcPath, (err) => {
    if (err) return ipc.close(); // stopped before this worker could join
    readLines(ipc, (line) => {
      if (line === 'listen' && ipc.pendingHandleType() === uv.UV_TCP) {
        server = new uv.TCP(loop);
        ipc.accept(server); // the socket that arrived with this message
        server.listen(onConnection);
        ipc.write('ready\n');
      } else if (line === 'stop') {
        stop();
      }
    }, stop); // the main thread went away
  });

  function stop() {
    for (const conn of connections) conn.close();
    if (server !== null && !server.closed) server.close();
    if (!ipc.closed) ipc.write(`served ${served}\n`, () => ipc.close());
  }

  // A failed echo write (a client that reset) arrives here with its handle.
  loop.excepthook = (err) => {
    if (!err || !err.handle) return console.error('uncaught:', err);
    connections.delete(err.handle);
    err.handle.close();
  };

  function onConnection(err) {
    if (err) return;
    const conn = new uv.TCP(loop);
    server.accept(conn);
    served++;
    connections.add(conn);
    conn.startRead((err, data) => {
      if (data === null) {
        connections.delete(conn);
        return conn.close();
      }
      conn.write(data);
    });
  }

  loop.run(); // until stopped
}
