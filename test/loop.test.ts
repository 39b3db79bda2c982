import { strict as assert } from 'assert';
import { Worker } from 'worker_threads';
import {
  Idle, Loop, Timer, UVError, UV_RUN_DEFAULT, UV_RUN_NOWAIT, UV_RUN_ONCE, errno,
} from '../lib/index';
import { openFds, runNode, throwsLike, useLoop } from './helpers';

describe('Loop', () => {
  const t = useLoop();

  it('run() with nothing to do returns false at once', () => {
    assert.equal(t.loop.alive, false);
    assert.equal(t.loop.run(), false);
    assert.equal(t.loop.run(UV_RUN_ONCE), false);
    assert.equal(t.loop.run(UV_RUN_NOWAIT), false);
  });

  it('UV_RUN_ONCE and UV_RUN_NOWAIT return true while there is more to do', () => {
    const timer = new Timer(t.loop);
    let calls = 0;
    timer.start(() => calls++, 10, 10);
    assert.equal(t.loop.run(UV_RUN_NOWAIT), true);
    assert.equal(calls, 0);
    // Blocks until the timer is due; an early wake-up may take one more round.
    for (let i = 0; i < 3 && calls === 0; i++) assert.equal(t.loop.run(UV_RUN_ONCE), true);
    assert.equal(calls, 1);
    timer.stop();
    assert.equal(t.loop.run(UV_RUN_DEFAULT), false);
  });

  it('stop() ends run() after the current iteration', () => {
    const timer = new Timer(t.loop);
    let calls = 0;
    timer.start(() => {
      if (++calls === 3) t.loop.stop();
    }, 1, 1);
    assert.equal(t.loop.run(), true);
    assert.equal(calls, 3);
    assert.equal(t.loop.alive, true);
  });

  it('running, now(), updateTime(), fileno() and getTimeout()', () => {
    assert.equal(t.loop.running, false);
    const before = t.loop.now();
    const end = Date.now() + 15;
    while (Date.now() < end);
    assert.equal(t.loop.now(), before, 'now() is cached');
    t.loop.updateTime();
    // The loop clock is CLOCK_MONOTONIC_COARSE: it may lag by a few ms.
    assert.ok(t.loop.now() >= before + 10, `now() advanced by ${t.loop.now() - before}`);
    assert.ok(t.loop.fileno() > 2);
    const timer = new Timer(t.loop);
    timer.start(() => {}, 500);
    // From the first call, before any run (libuv's own watchers are settled when the loop is made).
    assert.ok(t.loop.getTimeout() > 400 && t.loop.getTimeout() <= 500, `getTimeout() ${t.loop.getTimeout()}`);
    t.loop.run(UV_RUN_NOWAIT);
    assert.ok(t.loop.getTimeout() > 400 && t.loop.getTimeout() <= 500);
    let seen: boolean | undefined;
    timer.start(() => (seen = t.loop.running), 1);
    t.loop.run();
    assert.equal(seen, true);
    assert.equal(t.loop.running, false);
  });

  it('refuses to re-enter a running loop, but runs another loop from a callback', () => {
    const other = new Loop();
    const inner = new Timer(other);
    const outer = new Timer(t.loop);
    const order: string[] = [];
    outer.start(() => {
      assert.throws(() => t.loop.run(), { code: 'ERR_LOOP_RUNNING' });
      inner.start(() => order.push('inner'), 1);
      other.run();
      order.push('outer');
    }, 1);
    t.loop.run();
    assert.deepEqual(order, ['inner', 'outer']);
    inner.close();
    other.run();
    other.close();
  });

  it('an exception without excepthook stops the loop; run() rethrows it, a later run() goes on', () => {
    const a = new Timer(t.loop);
    const b = new Timer(t.loop);
    let bCalls = 0;
    a.start(() => {
      throw new Error('boom');
    }, 1);
    b.start(() => bCalls++, 30);
    assert.throws(() => t.loop.run(), /boom/);
    assert.equal(bCalls, 0);
    assert.equal(t.loop.running, false);
    assert.equal(t.loop.run(), false);
    assert.equal(bCalls, 1);
  });

  it('excepthook receives the error and the loop goes on', () => {
    const seen: unknown[] = [];
    t.loop.excepthook = (err, loop) => {
      assert.equal(loop, t.loop);
      seen.push(err);
    };
    const timer = new Timer(t.loop);
    let calls = 0;
    timer.start(() => {
      if (++calls <= 2) throw new Error(`e${calls}`);
      timer.stop();
    }, 1, 1);
    assert.equal(t.loop.run(), false);
    assert.equal(calls, 3);
    assert.deepEqual(seen.map((e) => (e as Error).message), ['e1', 'e2']);
  });

  it('an excepthook that throws stops the loop with its own error', () => {
    t.loop.excepthook = () => {
      throw new Error('hook failed');
    };
    new Timer(t.loop).start(() => {
      throw new Error('original');
    }, 1);
    assert.throws(() => t.loop.run(), /hook failed/);
  });

  it('handles lists every open or closing handle of this loop only', () => {
    const a = new Timer(t.loop);
    const b = new Idle(t.loop);
    const other = new Loop();
    const c = new Timer(other);
    assert.deepEqual(new Set(t.loop.handles), new Set([a, b]));
    b.close();
    assert.deepEqual(new Set(t.loop.handles), new Set([a, b]), 'closing handles are listed');
    t.loop.run();
    assert.deepEqual(t.loop.handles, [a]);
    c.close();
    other.run();
    other.close();
  });

  it('close() throws EBUSY while handles are open and works once they are closed', () => {
    const loop = new Loop();
    const timer = new Timer(loop);
    throwsLike(() => loop.close(), UVError, { code: 'EBUSY', errno: errno.UV_EBUSY });
    timer.close();
    loop.close(); // finishes the pending close first
    assert.equal(timer.loop, null);
    assert.throws(() => loop.run(), { code: 'ERR_LOOP_CLOSED' });
    assert.throws(() => new Timer(loop), { code: 'ERR_LOOP_CLOSED' });
  });

  it('rejects a bad run mode', () => {
    assert.throws(() => t.loop.run(7), RangeError);
    assert.throws(() => t.loop.run('once' as any), TypeError);
  });

  it('Loop.default() is one loop per thread', async () => {
    assert.equal(Loop.default(), Loop.default());
    assert.notEqual(Loop.default(), t.loop);
    const timer = new Timer(); // the loop argument defaults to Loop.default()
    assert.equal(timer.loop, Loop.default());
    timer.close();
    Loop.default().run();
    const worker = new Worker(
      `const { parentPort } = require('worker_threads');
       const uv = require(${JSON.stringify(require.resolve('../dist/index.js'))});
       const d = uv.Loop.default();
       let fired = 0;
       new uv.Timer().start(() => fired++, 1);
       d.run();
       parentPort.postMessage({ same: d === uv.Loop.default(), fired, fd: d.fileno() });`,
      { eval: true },
    );
    const exited = new Promise((resolve) => worker.once('exit', resolve));
    const msg = await new Promise<any>((resolve, reject) => {
      worker.once('message', resolve);
      worker.once('error', reject);
    });
    assert.equal(msg.same, true);
    assert.equal(msg.fired, 1);
    assert.notEqual(msg.fd, Loop.default().fileno(), 'the worker has its own loop');
    await exited;
  });

  it('a worker that ends with open handles and loops leaks no fd', async () => {
    const fds = openFds();
    const worker = new Worker(
      `const uv = require(${JSON.stringify(require.resolve('../dist/index.js'))});
       for (let i = 0; i < 5; i++) {
         const l = new uv.Loop();
         new uv.Timer(l).start(() => {}, 100000);
         new uv.Signal(l).start(() => {}, 'SIGUSR2');
         new uv.Async(l);
       }
       new uv.Idle().start(() => {});`,
      { eval: true },
    );
    const code = await new Promise((resolve) => worker.once('exit', resolve));
    assert.equal(code, 0);
    assert.equal(openFds(), fds);
  });

  it('a dropped loop with open handles is cleaned up by GC without leaking fds', async function () {
    const res = runNode(
      `const uv = require('./');
       const fds = () => require('fs').readdirSync('/proc/self/fd').length;
       const before = fds();
       (function () {
         for (let i = 0; i < 20; i++) {
           const l = new uv.Loop();
           new uv.Timer(l); new uv.Idle(l); new uv.Signal(l);
         }
       })();
       const during = fds();
       (async () => {
         for (let i = 0; i < 10 && fds() > before; i++) {
           global.gc();
           await new Promise((r) => setImmediate(r));
         }
         console.log(JSON.stringify({ before, during, after: fds() }));
       })();`,
      { args: ['--expose-gc'] },
    );
    assert.equal(res.status, 0, res.stderr);
    const r = JSON.parse(res.stdout);
    assert.ok(r.during > r.before, 'the loops opened fds');
    assert.equal(r.after, r.before);
  });
});
