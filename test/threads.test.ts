import { strict as assert } from 'assert';
import * as fs from 'fs';
import { Worker } from 'worker_threads';
import { Async, Loop } from '../lib/index';
import { openFds, runNode } from './helpers';

const indexPath = JSON.stringify(require.resolve('../dist/index.js'));
const threads = () => fs.readdirSync('/proc/self/task').length;

function start(source: string, workerData?: unknown): { worker: Worker; exit: Promise<number> } {
  const worker = new Worker(`const uv = require(${indexPath});\n${source}`, { eval: true, workerData });
  const exit = new Promise<number>((resolve) => worker.once('exit', resolve));
  return { worker, exit };
}

function message(worker: Worker): Promise<any> {
  return new Promise((resolve, reject) => {
    worker.once('message', resolve);
    worker.once('error', reject);
  });
}

describe('threads', () => {
  it('terminate() ends a worker blocked in run() with nothing due, leaking no fd or thread', async () => {
    const fds = openFds();
    const tasks = threads();
    const { worker, exit } = start(`
      const loop = new uv.Loop();
      new uv.Async(loop);                          // keeps run() blocked, no timeout
      new uv.Signal(loop).start(() => {}, 'SIGUSR2');
      require('worker_threads').parentPort.postMessage('blocking');
      loop.run();`);
    assert.equal(await message(worker), 'blocking');
    await new Promise((r) => setTimeout(r, 200)); // surely inside epoll_wait now
    assert.equal(await worker.terminate(), 1);
    await exit;
    assert.equal(openFds(), fds);
    assert.equal(threads(), tasks);
  });

  it('a worker blocked in run() can be stopped from another thread', async () => {
    const { worker, exit } = start(`
      const { parentPort } = require('worker_threads');
      const loop = uv.Loop.default();
      const wake = new uv.Async(loop, () => loop.stop());
      parentPort.postMessage(wake.transferable());
      const more = loop.run();
      wake.close();
      loop.run();
      parentPort.postMessage({ returned: true, more });`);
    const v = await message(worker);
    await new Promise((r) => setTimeout(r, 100));
    Async.fromTransferable(v).send();
    assert.deepEqual(await message(worker), { returned: true, more: true });
    assert.equal(await exit, 0);
  });

  it('the process exits on process.exit() while a worker is blocked in run()', () => {
    const res = runNode(`
      const { Worker } = require('worker_threads');
      const w = new Worker("const uv = require('./'); const l = new uv.Loop(); new uv.Async(l); " +
        "require('worker_threads').parentPort.postMessage(1); l.run();", { eval: true });
      w.on('message', () => setTimeout(() => { console.log('exiting'); process.exit(3); }, 100));`,
    { timeout: 10000 });
    assert.equal(res.signal, null, 'the child hung and was killed');
    assert.equal(res.status, 3, res.stderr);
    assert.equal(res.stdout, 'exiting\n');
  });

  it('a worker that throws with open handles leaks no fd', async () => {
    const fds = openFds();
    const { worker, exit } = start(`
      const loop = new uv.Loop();
      new uv.Timer(loop).start(() => { throw new Error('worker failure'); }, 1);
      new uv.Signal(loop).start(() => {}, 'SIGUSR2');
      loop.run();`);
    const err = await new Promise<Error>((resolve) => worker.once('error', resolve));
    assert.equal(err.message, 'worker failure');
    assert.equal(await exit, 1);
    assert.equal(openFds(), fds);
  });

  it('8 workers run their own loops with timers, a TCP echo and queued work at the same time', async function () {
    this.timeout(30000);
    const fds = openFds();
    const runs = [];
    const alive = new Int32Array(new SharedArrayBuffer(4));
    for (let i = 0; i < 8; i++) {
      const { worker, exit } = start(`
        const { parentPort, workerData: { id, alive } } = require('worker_threads');
        const loop = uv.Loop.default();
        const fd = loop.fileno();
        // Go on once all 8 loops exist: their fds are then open at the same
        // time, so equal numbers would mean a shared loop (a loop that has
        // gone may leave its fd number to another).
        Atomics.add(alive, 0, 1);
        for (let n; (n = Atomics.load(alive, 0)) < 8;) Atomics.wait(alive, 0, n, 50);
        let ticks = 0, worked = null, echoed = 0, connects = 0, closes = 0, waiting = true;
        const timer = new uv.Timer(loop);
        // Each echo round trip starts on a tick once the previous one is back:
        // the socket and the timer are served by the same run() in turns.
        timer.start(() => {
          ++ticks;
          if (!waiting && echoed < 5) {
            waiting = true;
            client.write(msg(echoed));
          }
          if (ticks >= 20 && echoed === 5) timer.close();
        }, 1, 1);
        loop.queueWork((x) => x * 2, [id], (err, r) => { worked = r; });
        // An echo server and its client in this worker's loop.
        const server = new uv.TCP(loop);
        server.bind('127.0.0.1', 0);
        server.listen((err, s) => {
          const conn = new uv.TCP(loop);
          s.accept(conn);
          server.close(() => closes++);
          conn.startRead((e, d) => (d === null ? conn.close(() => closes++) : conn.write(d)));
        });
        const client = new uv.TCP(loop);
        const msg = (n) => 'worker ' + id + ' round ' + n;
        let got = '';
        client.connect('127.0.0.1', server.getsockname().port, (err) => {
          if (err) throw err;
          connects++;
          waiting = false;
          client.startRead((e, d) => {
            if (e || d === null) throw e || new Error('early EOF');
            got += d;
            if (got !== msg(echoed)) return; // the rest of this round trip is still on its way
            got = '';
            waiting = false;
            if (++echoed === 5) client.close(() => closes++);
          });
        });
        loop.run();
        parentPort.postMessage({ ticks, worked, echoed, connects, closes, fd });`, { id: i, alive });
      runs.push(message(worker).then(async (m) => ({ ...m, code: await exit })));
    }
    const results = await Promise.all(runs);
    assert.deepEqual(results.map((r) => [r.ticks >= 20, r.worked, r.echoed, r.connects, r.closes, r.code]),
      Array.from({ length: 8 }, (_, i) => [true, i * 2, 5, 1, 3, 0]));
    assert.equal(new Set(results.map((r) => r.fd)).size, 8, 'each worker has its own loop');
    assert.notEqual(Loop.default().fileno(), results[0].fd);
    assert.equal(openFds(), fds);
  });
});
