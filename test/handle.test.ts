import { strict as assert } from 'assert';
import { Handle, HandleClosedError, HandleError, Timer, TimerError, UVError, errno } from '../lib/index';
import { runNode, throwsLike, useLoop } from './helpers';

describe('Handle base', () => {
  const t = useLoop();

  it('close(cb) calls back once with the handle; loop is null afterwards', () => {
    const timer = new Timer(t.loop);
    timer.start(() => assert.fail('a closed timer fired'), 1);
    let calls = 0;
    timer.close((h) => {
      assert.equal(h, timer);
      calls++;
    });
    assert.equal(timer.closed, true);
    assert.equal(timer.loop, t.loop, 'loop is kept until the close callback');
    assert.equal(timer.active, false);
    t.loop.run();
    assert.equal(calls, 1);
    assert.equal(timer.loop, null);
    assert.equal(timer.closed, true);
  });

  it('close() on a closing handle throws HandleClosedError', () => {
    const timer = new Timer(t.loop);
    timer.close();
    throwsLike(() => timer.close(), HandleClosedError, { code: 'EBADF', message: 'handle is closed' });
    assert.ok(new HandleClosedError() instanceof HandleError);
    assert.ok(new HandleClosedError() instanceof UVError);
  });

  it('data is free for the user; ref reflects uv_ref', () => {
    const timer = new Timer(t.loop);
    assert.equal(timer.data, undefined);
    timer.data = { any: 'thing' };
    assert.deepEqual(timer.data, { any: 'thing' });
    assert.equal(timer.ref, true);
    timer.ref = false;
    assert.equal(timer.ref, false);
    assert.throws(() => (timer.ref = 1 as any), TypeError);
  });

  it('fileno() of a handle without an fd throws EBADF of the handle class', () => {
    throwsLike(() => new Timer(t.loop).fileno(), TimerError, {
      code: 'EBADF', errno: errno.UV_EBADF, syscall: 'fileno',
    });
  });

  it('close() checks its callback type', () => {
    const timer = new Timer(t.loop);
    assert.throws(() => timer.close(7 as any), TypeError);
    assert.equal(timer.closed, false);
  });

  it('handle classes can be subclassed', () => {
    class Countdown extends Timer {
      left = 3;
      begin(done: () => void) {
        this.start(() => {
          if (--this.left === 0) {
            this.close();
            done();
          }
        }, 1, 1);
      }
    }
    const c = new Countdown(t.loop);
    let done = false;
    c.begin(() => (done = true));
    assert.ok(c instanceof Handle && c instanceof Timer);
    assert.deepEqual(t.loop.handles, [c]);
    t.loop.run();
    assert.equal(done, true);
    assert.equal(c.left, 0);
    assert.throws(() => new Countdown(t.loop).again(), TimerError); // the class's errors follow it
  });

  it('dropped idle handles are collected: 100000 unstarted timers, bounded memory and handles, no fd leak', function () {
    this.timeout(60000);
    const res = runNode(
      `const uv = require('./');
       const fds = () => require('fs').readdirSync('/proc/self/fd').length;
       const loop = new uv.Loop();
       const fd0 = fds();
       const rss0 = process.memoryUsage().rss;
       let maxHandles = 0;
       (async () => {
         for (let round = 0; round < 20; round++) {
           for (let i = 0; i < 5000; i++) new uv.Timer(loop);
           maxHandles = Math.max(maxHandles, loop.handles.length);
           global.gc();
           await new Promise((r) => setImmediate(r)); // finalizers run from Node's loop
           loop.run(); // lets the closes of collected handles land
         }
         global.gc();
         await new Promise((r) => setImmediate(r));
         loop.run();
         console.log(JSON.stringify({ maxHandles, left: loop.handles.length,
           rssGrowth: process.memoryUsage().rss - rss0, fdDelta: fds() - fd0 }));
       })();`,
      { args: ['--expose-gc'], timeout: 60000 },
    );
    assert.equal(res.status, 0, res.stderr);
    const r = JSON.parse(res.stdout);
    assert.ok(r.maxHandles <= 10000, `handles grew to ${r.maxHandles}`);
    assert.ok(r.left < 5000, `${r.left} handles left`);
    assert.ok(r.rssGrowth < 50 * 1024 * 1024, `RSS grew by ${r.rssGrowth} bytes`);
    assert.equal(r.fdDelta, 0);
  });
});
