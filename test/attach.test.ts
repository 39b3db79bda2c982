import { strict as assert } from 'assert';
import { AsyncLocalStorage } from 'async_hooks';
import { Idle, Timer } from '../lib/index';
import { runNode, useLoop } from './helpers';

describe('attach()', () => {
  const t = useLoop();

  it('drives the loop from Node: a promise resolved in a timer callback can be awaited', async () => {
    t.loop.attach();
    assert.equal(t.loop.attached, true);
    const timer = new Timer(t.loop);
    const value = await new Promise((resolve) => timer.start(() => resolve('fired'), 10));
    assert.equal(value, 'fired');
    t.loop.detach();
    assert.equal(t.loop.attached, false);
  });

  it('microtasks and nextTicks queued by one callback run before the next callback', async () => {
    t.loop.attach();
    const order: string[] = [];
    const a = new Timer(t.loop);
    const b = new Timer(t.loop);
    await new Promise<void>((resolve) => {
      a.start(() => {
        order.push('a');
        Promise.resolve().then(() => order.push('a-microtask'));
        process.nextTick(() => order.push('a-tick'));
      }, 5);
      b.start(() => {
        order.push('b');
        resolve();
      }, 5);
    });
    assert.deepEqual(order, ['a', 'a-tick', 'a-microtask', 'b']);
  });

  it('run() on an attached loop throws ERR_LOOP_ATTACHED; after detach() it runs', () => {
    t.loop.attach();
    t.loop.attach(); // attaching twice is harmless
    assert.throws(() => t.loop.run(), { code: 'ERR_LOOP_ATTACHED' });
    t.loop.detach();
    let fired = false;
    new Timer(t.loop).start(() => (fired = true), 1);
    t.loop.run();
    assert.equal(fired, true);
  });

  it("an active Idle runs on every Node iteration without starving Node's own timers", async () => {
    const idle = new Idle(t.loop);
    let idles = 0;
    idle.start(() => idles++);
    t.loop.attach();
    const started = Date.now();
    await new Promise((resolve) => setTimeout(resolve, 30));
    assert.ok(Date.now() - started < 1000, 'Node timer starved');
    assert.ok(idles > 10, `idle ran ${idles} times`);
  });

  it('a handle started later, from a Node callback, is picked up', async () => {
    t.loop.attach();
    await new Promise((resolve) => setTimeout(resolve, 10));
    const fired = await new Promise((resolve) => {
      setImmediate(() => new Timer(t.loop).start(() => resolve(true), 5));
    });
    assert.equal(fired, true);
  });

  it('keeps the async context of where the handle was made', async () => {
    t.loop.attach();
    const als = new AsyncLocalStorage<string>();
    const store = await als.run('request-42', () => {
      const timer = new Timer(t.loop);
      return new Promise((resolve) => timer.start(() => resolve(als.getStore()), 1));
    });
    assert.equal(store, 'request-42');
  });

  it('an exception goes to excepthook when set, and the loop goes on', async () => {
    t.loop.attach();
    const seen: string[] = [];
    t.loop.excepthook = (err) => seen.push((err as Error).message);
    let idles = 0;
    const idle = new Idle(t.loop);
    await new Promise<void>((resolve) => {
      idle.start(() => {
        if (++idles === 3) {
          idle.stop();
          resolve();
        }
        throw new Error(`idle ${idles}`);
      });
    });
    assert.deepEqual(seen, ['idle 1', 'idle 2', 'idle 3']);
  });

  it("without excepthook an exception reaches process 'uncaughtException'", () => {
    const res = runNode(
      `const uv = require('./');
       const loop = new uv.Loop();
       loop.attach();
       process.on('uncaughtException', (err) => {
         console.log('caught ' + err.message);
         loop.detach();
       });
       new uv.Timer(loop).start(() => { throw new Error('from timer'); }, 1);`,
    );
    assert.equal(res.status, 0, res.stderr);
    assert.equal(res.stdout.trim(), 'caught from timer');
  });

  it('keeps Node alive exactly while the loop has active referenced handles', () => {
    const script = (unref: boolean) => `
      const uv = require('./');
      const loop = new uv.Loop();
      loop.attach();
      const start = Date.now();
      const timer = new uv.Timer(loop);
      timer.start(() => console.log('fired after ' + (Date.now() - start)), 300);
      ${unref ? 'timer.ref = false;' : ''}
      process.on('exit', () => console.log('exit after ' + (Date.now() - start)));`;
    const alive = runNode(script(false));
    assert.equal(alive.status, 0, alive.stderr);
    const lines = alive.stdout.trim().split('\n');
    assert.equal(lines.length, 2, alive.stdout);
    assert.match(lines[0], /^fired after (\d+)$/);
    assert.ok(Number(lines[0].split(' ')[2]) >= 290, lines[0]);
    const unrefd = runNode(script(true));
    assert.equal(unrefd.status, 0, unrefd.stderr);
    const [line] = unrefd.stdout.trim().split('\n');
    assert.match(line, /^exit after \d+$/, 'the unreferenced timer must not fire');
    assert.ok(Number(line.split(' ')[2]) < 200, line);
  });

  it('a timer started from setImmediate after attach() keeps Node alive until it fires', () => {
    const res = runNode(
      `const uv = require('./');
       const loop = new uv.Loop();
       loop.attach();
       setImmediate(() => new uv.Timer(loop).start(() => console.log('fired'), 50));`,
    );
    assert.equal(res.status, 0, res.stderr);
    assert.equal(res.stdout.trim(), 'fired');
  });
  it('a handle collected while attached and closed by loop.close() still ends its async context', () => {
    const res = runNode(
      `const uv = require('./');
       const ah = require('async_hooks');
       const made = new Set(), destroyed = new Set();
       ah.createHook({
         init(id, type) { if (type === 'uvkit.Handle') made.add(id); },
         destroy(id) { if (made.has(id)) destroyed.add(id); },
       }).enable();
       const loop = new uv.Loop();
       loop.attach();
       (() => { new uv.Idle(loop); })();
       global.gc(); // the Idle is collected; its finalizer waits for Node's loop
       loop.detach();
       loop.close(); // closes the collected Idle's handle
       const later = (n, f) => (n === 0 ? f() : setImmediate(() => later(n - 1, f)));
       later(3, () => console.log(JSON.stringify({ made: made.size, destroyed: destroyed.size })));`,
      { args: ['--expose-gc'] },
    );
    assert.equal(res.status, 0, res.stderr);
    assert.deepEqual(JSON.parse(res.stdout), { made: 1, destroyed: 1 });
  });

  it('dropped idle handles made while attached are collected (Node 25+ holds async resources strongly)', () => {
    const res = runNode(
      `const uv = require('./');
       const loop = new uv.Loop();
       loop.attach();
       (async () => {
         for (let i = 0; i < 10000; i++) new uv.Idle(loop);
         for (let i = 0; i < 3; i++) {
           global.gc();
           await new Promise((r) => setImmediate(r)); // finalizers run from Node's loop
         }
         loop.detach();
         loop.run(); // lets the closes of collected handles land
         const left = loop.handles.length;
         loop.close();
         console.log(JSON.stringify({ left }));
       })();`,
      { args: ['--expose-gc'], timeout: 60000 },
    );
    assert.equal(res.status, 0, res.stderr);
    assert.deepEqual(JSON.parse(res.stdout), { left: 0 });
  });

  it('1,000 timers due together fire in one Node loop iteration, microtasks drained between them', async () => {
    const order: string[] = [];
    let iterations = 0;
    let counting = true;
    const count = () => {
      iterations++;
      if (counting) setImmediate(count); // one per Node loop iteration
    };
    await new Promise<void>((resolve) => {
      let fired = 0;
      for (let i = 0; i < 1000; i++) {
        new Timer(t.loop).start(() => {
          if (fired === 0) setImmediate(count);
          order.push(`t${i}`);
          Promise.resolve().then(() => order.push(`m${i}`));
          if (++fired === 1000) Promise.resolve().then(() => resolve());
        }, 5);
      }
      // Attached only now: while attached, every start updates the loop time,
      // and on a loaded machine 1,000 starts can span several ms (due apart).
      t.loop.attach();
    });
    counting = false;
    // libuv >= 1.48 would run a timer re-armed as due only on the next
    // iteration: about one iteration per timer.
    assert.ok(iterations <= 1, `${iterations} Node loop iterations`);
    assert.deepEqual(order.slice(0, 4), ['t0', 'm0', 't1', 'm1']);
    assert.equal(order.length, 2000);
  });
});
