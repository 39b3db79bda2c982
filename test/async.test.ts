// Async sends from the loop's own thread (no eventfd: a pending flag and
// internal idle/check handles, native/async.cc) and from other threads
// (uv_async_send), and the uv_async_t semantics both keep: sends coalesce, a
// send from the callback gives another callback in a later iteration, close()
// drops a pending send, ref/unref, attached mode.
import { strict as assert } from 'assert';
import { Worker } from 'worker_threads';
import { Async, Loop, Poll, Prepare, Timer, UV_READABLE, UV_RUN_NOWAIT, UV_RUN_ONCE } from '../lib/index';
import { runNode, useLoop } from './helpers';

const indexPath = JSON.stringify(require.resolve('../dist/index.js'));

describe('Async sends', () => {
  const t = useLoop();

  it('same-thread sends before the callback runs give one callback, in the next iteration', () => {
    let calls = 0;
    const a = new Async(t.loop, () => calls++);
    a.send();
    a.send();
    a.send();
    assert.equal(calls, 0, 'send() never calls back synchronously');
    t.loop.run(UV_RUN_NOWAIT);
    assert.equal(calls, 1);
    t.loop.run(UV_RUN_NOWAIT);
    t.loop.run(UV_RUN_NOWAIT);
    assert.equal(calls, 1, 'no callback without a new send');
    a.send();
    t.loop.run(UV_RUN_NOWAIT);
    assert.equal(calls, 2);
  });

  it('a send from inside the callback gives another callback in a later iteration', () => {
    let iteration = 0;
    const seen: number[] = [];
    const prepare = new Prepare(t.loop);
    prepare.start(() => iteration++);
    const a = new Async(t.loop, () => {
      seen.push(iteration);
      if (seen.length < 4) {
        a.send();
        a.send();
      } else {
        a.close();
        prepare.close();
      }
    });
    a.send();
    t.loop.run();
    assert.deepEqual(seen, [1, 2, 3, 4]);
  });

  it('run(UV_RUN_ONCE) delivers one callback per call to a callback that sends again', () => {
    let calls = 0;
    const a = new Async(t.loop, () => {
      calls++;
      a.send();
    });
    a.send();
    for (let i = 1; i <= 5; i++) {
      assert.equal(t.loop.run(UV_RUN_ONCE), true);
      assert.equal(calls, i);
    }
  });

  it('the loop does not block in poll while a send is pending: getTimeout() is 0, run() returns at once with a long timer alive', () => {
    const timer = new Timer(t.loop);
    timer.start(() => assert.fail('the 60 s timer fired'), 60000);
    let calls = 0;
    const a = new Async(t.loop, () => calls++);
    assert.ok(t.loop.getTimeout() > 50000, `timeout ${t.loop.getTimeout()} before the send`);
    a.send();
    assert.equal(t.loop.getTimeout(), 0, 'a pending send is work due now');
    const started = Date.now();
    assert.equal(t.loop.run(UV_RUN_ONCE), true);
    assert.ok(Date.now() - started < 5000, `run(UV_RUN_ONCE) took ${Date.now() - started} ms`);
    assert.equal(calls, 1);
    assert.ok(t.loop.getTimeout() > 50000, 'the timer rules the timeout again once delivered');
    // The same in a default run that the callback ends.
    const b = new Async(t.loop, () => {
      timer.close();
      a.close();
      b.close();
    });
    b.send();
    const started2 = Date.now();
    assert.equal(t.loop.run(), false);
    assert.ok(Date.now() - started2 < 5000, `run() took ${Date.now() - started2} ms`);
  });

  it("a same-thread send does not wake the loop's fd; a send through an AsyncSender does", () => {
    let calls = 0;
    const a = new Async(t.loop, () => calls++);
    t.loop.run(UV_RUN_NOWAIT); // libuv's async eventfd is in the loop's epoll from here on
    const probe = new Loop();
    let readable = 0;
    const poll = new Poll(probe, t.loop.fileno());
    poll.start(UV_READABLE, () => readable++);
    try {
      a.send();
      probe.run(UV_RUN_NOWAIT);
      assert.equal(readable, 0, 'the same-thread send made the epoll fd readable');
      t.loop.run(UV_RUN_NOWAIT);
      assert.equal(calls, 1);
      // The control: the other-thread path (uv_async_send) is seen on the fd.
      Async.fromTransferable(a.transferable()).send();
      probe.run(UV_RUN_NOWAIT);
      assert.equal(readable, 1, 'an eventfd wake is visible to the probe');
      t.loop.run(UV_RUN_NOWAIT);
      assert.equal(calls, 2);
    } finally {
      poll.close();
      probe.run();
      probe.close();
    }
  });

  it('same-thread and other-thread sends before the callback coalesce into one callback, in either order', () => {
    let calls = 0;
    const a = new Async(t.loop, () => calls++);
    const sender = Async.fromTransferable(a.transferable()); // the uv_async_send path
    sender.send();
    a.send();
    t.loop.run(UV_RUN_NOWAIT);
    assert.equal(calls, 1);
    a.send();
    sender.send();
    a.send();
    t.loop.run(UV_RUN_NOWAIT);
    assert.equal(calls, 2);
    t.loop.run(UV_RUN_NOWAIT);
    assert.equal(calls, 2, 'no second callback for sends made before the first');
  });

  it('a send of either kind from inside the callback gives one more callback', () => {
    const kinds: string[] = [];
    const a = new Async(t.loop, () => {
      kinds.push(kinds.length === 0 ? 'first' : 'again');
      if (kinds.length === 1) sender.send();
      else if (kinds.length === 2) a.send();
      else a.close();
    });
    const sender = Async.fromTransferable(a.transferable());
    a.send();
    t.loop.run();
    assert.deepEqual(kinds, ['first', 'again', 'again']);
  });

  it('a send from a worker thread and same-thread sends coalesce; a later worker send calls back again', async function () {
    this.timeout(20000);
    let calls = 0;
    const a = new Async(t.loop, () => calls++);
    const source = `const uv = require(${indexPath});
      const { parentPort, workerData } = require('worker_threads');
      const sender = uv.Async.fromTransferable(workerData);
      parentPort.on('message', (m) => {
        if (m === 'send') { sender.send(); parentPort.postMessage('sent'); }
        else parentPort.close();
      });
      parentPort.postMessage('ready');`;
    const worker = new Worker(source, { eval: true, workerData: a.transferable() });
    const exit = new Promise((resolve) => worker.once('exit', resolve));
    const next = () => new Promise((resolve, reject) => {
      worker.once('message', resolve);
      worker.once('error', reject);
    });
    try {
      assert.equal(await next(), 'ready');
      a.send();
      worker.postMessage('send');
      assert.equal(await next(), 'sent'); // the worker's uv_async_send has returned
      a.send();
      t.loop.run(UV_RUN_NOWAIT);
      assert.equal(calls, 1);
      t.loop.run(UV_RUN_NOWAIT);
      assert.equal(calls, 1);
      worker.postMessage('send');
      assert.equal(await next(), 'sent');
      t.loop.run(UV_RUN_NOWAIT);
      assert.equal(calls, 2);
    } finally {
      worker.postMessage('end');
      await exit;
    }
  });

  it('send() then close() gives no callback, from either path, and the close callback runs', () => {
    let calls = 0;
    let closed = 0;
    const a = new Async(t.loop, () => calls++);
    a.send();
    a.close(() => closed++);
    const b = new Async(t.loop, () => calls++);
    const sender = Async.fromTransferable(b.transferable());
    b.send();
    sender.send();
    b.close(() => closed++);
    sender.send(); // after close: dropped
    assert.equal(t.loop.run(), false);
    assert.equal(calls, 0);
    assert.equal(closed, 2);
  });

  it('a send then close() inside the callback gives no further callback', () => {
    let calls = 0;
    const a = new Async(t.loop, () => {
      calls++;
      a.send();
      a.close();
    });
    a.send();
    assert.equal(t.loop.run(), false);
    assert.equal(calls, 1);
  });

  it('an unreferenced Async with a pending send does not keep the loop alive; the send arrives when the loop turns', () => {
    let calls = 0;
    const a = new Async(t.loop, () => calls++);
    a.ref = false;
    a.send();
    assert.equal(t.loop.alive, false);
    assert.equal(t.loop.run(), false);
    assert.equal(calls, 0, 'a loop with nothing referenced does not turn');
    let fired = false;
    new Timer(t.loop).start(() => (fired = true), 1);
    t.loop.run();
    assert.equal(calls, 1);
    assert.equal(fired, true);
    a.ref = true;
    assert.equal(t.loop.alive, true);
    a.close();
  });

  it('attached: sends from a Node callback coalesce into one callback, delivered without blocking Node', async () => {
    t.loop.attach();
    let calls = 0;
    let wake: () => void = () => {};
    const a = new Async(t.loop, () => {
      calls++;
      wake();
    });
    await new Promise<void>((resolve) => {
      wake = resolve;
      setImmediate(() => {
        a.send();
        a.send();
        a.send();
      });
    });
    await new Promise((resolve) => setTimeout(resolve, 20));
    assert.equal(calls, 1);
    await new Promise<void>((resolve) => {
      wake = resolve;
      a.send();
    });
    assert.equal(calls, 2);
  });
});

describe('Async sends, attached, in a process of its own', () => {
  it("a callback that sends again runs once per Node iteration, Node's immediates run in between, and the process exits once it closes", () => {
    const res = runNode(`
      const uv = require('./');
      const loop = new uv.Loop();
      loop.attach();
      const order = [];
      let n = 0, immediates = 0;
      const a = new uv.Async(loop, () => {
        if (++n === 1) order.push('async');
        if (n < 50) a.send();
        else a.close(() => order.push('closed'));
      });
      setImmediate(() => { a.send(); a.send(); order.push('sent'); });
      (function tick() { immediates++; if (n < 50) setImmediate(tick); })();
      process.on('exit', () => console.log(JSON.stringify({ order, n, immediates })));`);
    assert.equal(res.signal, null, 'the process hung and was killed');
    assert.equal(res.status, 0, res.stderr);
    const out = JSON.parse(res.stdout);
    assert.deepEqual(out.order, ['sent', 'async', 'closed']);
    assert.equal(out.n, 50);
    assert.ok(out.immediates >= 25, `${out.immediates} Node immediates ran while 50 callbacks did`);
  });
});
