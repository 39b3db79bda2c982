import { strict as assert } from 'assert';
import { Check, HandleClosedError, Loop, Timer, TimerError, UV_RUN_NOWAIT, errno } from '../lib/index';
import { runNode, throwsClosed, throwsLike, useLoop } from './helpers';

describe('Timer', () => {
  const t = useLoop();

  it('fires a one-shot timer once, after its timeout', () => {
    const timer = new Timer(t.loop);
    const start = t.loop.now();
    let calls = 0;
    timer.start((h) => {
      calls++;
      assert.equal(h, timer);
    }, 20);
    assert.equal(timer.active, true);
    assert.equal(t.loop.run(), false);
    assert.equal(calls, 1);
    assert.ok(t.loop.now() - start >= 20, 'fired early');
    assert.equal(timer.active, false);
  });

  it('repeats until stopped', () => {
    const timer = new Timer(t.loop);
    let calls = 0;
    timer.start(() => {
      if (++calls === 5) timer.stop();
    }, 1, 2);
    assert.equal(timer.repeat, 2);
    t.loop.run();
    assert.equal(calls, 5);
  });

  it('again() restarts a repeating timer and throws TimerError if never started', () => {
    const timer = new Timer(t.loop);
    throwsLike(() => timer.again(), TimerError, { errno: errno.UV_EINVAL, code: 'EINVAL' });
    let calls = 0;
    timer.start(() => {
      calls++;
      timer.stop();
    }, 10000, 5);
    timer.again(); // due now in `repeat` ms, not 10 s
    assert.ok(timer.dueIn <= 5);
    t.loop.run();
    assert.equal(calls, 1);
  });

  it('repeat can be changed and dueIn reports the time left', () => {
    const timer = new Timer(t.loop);
    assert.equal(timer.dueIn, 0);
    timer.start(() => {}, 1000);
    assert.ok(timer.dueIn > 900 && timer.dueIn <= 1000);
    timer.repeat = 7;
    assert.equal(timer.repeat, 7);
    timer.stop();
    assert.equal(timer.dueIn, 0);
  });

  it('an unreferenced timer does not keep the loop alive', () => {
    const timer = new Timer(t.loop);
    let fired = false;
    timer.start(() => (fired = true), 50);
    timer.ref = false;
    assert.equal(timer.ref, false);
    assert.equal(t.loop.alive, false);
    assert.equal(t.loop.run(), false);
    assert.equal(fired, false);
    timer.ref = true;
    assert.equal(t.loop.alive, true);
    t.loop.run();
    assert.equal(fired, true);
  });

  it('fires with no JS reference to it', () => {
    let fired = 0;
    (() => {
      new Timer(t.loop).start(() => fired++, 5);
    })();
    if (global.gc) global.gc();
    t.loop.run();
    assert.equal(fired, 1);
  });

  it('rejects negative, non-finite and wrongly typed arguments', () => {
    const timer = new Timer(t.loop);
    assert.throws(() => timer.start(() => {}, -1), RangeError);
    assert.throws(() => timer.start(() => {}, 1, -5), RangeError);
    assert.throws(() => timer.start(() => {}, Infinity), RangeError);
    assert.throws(() => timer.start(() => {}, NaN), RangeError);
    assert.throws(() => timer.start(() => {}, '10' as any), TypeError);
    assert.throws(() => timer.start(null as any, 10), TypeError);
    assert.throws(() => (timer.repeat = -1), RangeError);
    assert.throws(() => new Timer({} as Loop), TypeError);
    assert.equal(timer.active, false);
  });

  it('a timeout or repeat beyond what a number holds exactly is ERR_OUT_OF_RANGE, never a timer at 0 (issue 11)', () => {
    const timer = new Timer(t.loop);
    for (const huge of [1e300, 2 ** 64, 2 ** 53, Number.MAX_VALUE, Infinity, NaN]) {
      throwsLike(() => timer.start(() => {}, huge), RangeError, {
        code: 'ERR_OUT_OF_RANGE',
        message: `The value of "timeout" is out of range. It must be >= 0 && <= 9007199254740991. Received ${
          Number.isInteger(huge) && huge > 2 ** 32 ? String(huge).replace(/\B(?=(\d{3})+(?!\d))/g, '_') : String(huge)}`,
      });
      throwsLike(() => timer.start(() => {}, 1, huge), RangeError, { code: 'ERR_OUT_OF_RANGE' });
      throwsLike(() => (timer.repeat = huge), RangeError, { code: 'ERR_OUT_OF_RANGE' });
    }
    assert.equal(timer.active, false);
    // The largest timeout taken waits (libuv: at most INT_MAX ms per poll), it does not spin.
    timer.start(() => assert.fail('fired'), Number.MAX_SAFE_INTEGER, Number.MAX_SAFE_INTEGER);
    try {
      assert.equal(timer.repeat, Number.MAX_SAFE_INTEGER);
      assert.equal(t.loop.run(UV_RUN_NOWAIT), true); // libuv answers 0 until a first run
      assert.equal(t.loop.getTimeout(), 2 ** 31 - 1);
    } finally {
      timer.stop();
    }
    timer.start(() => {}, -0, -0); // -0 is 0
    assert.ok(Object.is(timer.repeat, 0));
    t.loop.run();
  });

  it('the native timer driver never turns a huge due time into 0 (issue 11)', () => {
    // lib/ never arms it beyond 2**53; the driver itself clamps what it is given.
    const native = (t.loop as any)._native;
    const idle = new Timer(t.loop); // the loop's timers exist: the driver may fire
    try {
      for (const due of [1e300, 2 ** 64, 2 ** 63, Infinity]) {
        native.timerArm(due, true);
        assert.equal(t.loop.run(UV_RUN_NOWAIT), true);
        assert.equal(t.loop.getTimeout(), 2 ** 31 - 1, `due ${due}`);
      }
      native.timerArm(NaN, true); // stops it, as a negative due does
      assert.equal(t.loop.alive, false);
    } finally {
      native.timerArm(-1, false);
      idle.close();
    }
  });

  it('every method of a closed timer throws HandleClosedError naming it; close() does nothing', () => {
    const timer = new Timer(t.loop);
    timer.close();
    assert.equal(timer.closed, true);
    throwsClosed(() => timer.start(() => {}, 1), 'Timer', 'start');
    throwsClosed(() => timer.stop(), 'Timer', 'stop');
    throwsClosed(() => timer.again(), 'Timer', 'again');
    throwsClosed(() => (timer.repeat = 1), 'Timer', 'repeat');
    throwsClosed(() => (timer.ref = false), 'Timer', 'ref');
    throwsClosed(() => timer.fileno(), 'Timer', 'fileno');
    timer.close();
    assert.equal(timer.active, false);
    assert.equal(timer.dueIn, 0);
  });
  it('fires in due order, then in start order, whatever the timeouts', () => {
    const order: number[] = [];
    const timeouts = [30, 10, 20, 10, 0, 20];
    timeouts.forEach((ms, i) => new Timer(t.loop).start(() => order.push(i), ms));
    t.loop.run();
    assert.deepEqual(order, [4, 1, 3, 2, 5, 0]);
  });

  it('500 timers of random timeouts fire sorted by due time and start order', () => {
    let seed = 7;
    const random = () => (seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648;
    const timeouts: number[] = [];
    const order: number[] = [];
    for (let i = 0; i < 500; i++) {
      const ms = Math.floor(random() * 40);
      timeouts.push(ms);
      new Timer(t.loop).start(() => order.push(i), ms);
    }
    t.loop.run();
    const expected = timeouts.map((_, i) => i).sort((a, b) => timeouts[a] - timeouts[b] || a - b);
    assert.deepEqual(order, expected);
  });

  it('a timer started later with a shorter timeout is ordered by its due time', () => {
    const order: string[] = [];
    const t0 = t.loop.now();
    new Timer(t.loop).start(() => order.push('a'), 20);
    while (t.loop.now() < t0 + 5) t.loop.updateTime();
    const t1 = t.loop.now();
    new Timer(t.loop).start(() => order.push('b'), 10);
    t.loop.run();
    // equal due times fire in start order
    assert.deepEqual(order, t1 + 10 < t0 + 20 ? ['b', 'a'] : ['a', 'b']);
  });

  it('timers of different timeouts due at the same time fire in start order (longer timeout first)', () => {
    // The lists of different timeouts are ordered by their first timers' due
    // time, then by start order, which for equal due times is the longer
    // timeout first: b and d were started later than a and e, for the same
    // due time.
    for (const stopFirst of [false, true]) {
      const order: string[] = [];
      const t0 = t.loop.now();
      const a = new Timer(t.loop);
      a.start(() => order.push('a'), 30);
      new Timer(t.loop).start(() => order.push('e'), 30);
      while (t.loop.now() === t0) t.loop.updateTime();
      const d = t.loop.now() - t0;
      assert.ok(d < 30, `the loop time moved ${d} ms`);
      new Timer(t.loop).start(() => order.push('b'), 30 - d);
      new Timer(t.loop).start(() => order.push('c'), 30);
      new Timer(t.loop).start(() => order.push('d'), 30 - d);
      if (stopFirst) a.stop(); // the first list's head goes: the heap reorders
      t.loop.run();
      assert.deepEqual(order, stopFirst ? ['e', 'b', 'd', 'c'] : ['a', 'e', 'b', 'd', 'c']);
    }
  });

  it('a due time past 2**31 ms keeps its order and dueIn', () => {
    const fired: string[] = [];
    const far = new Timer(t.loop);
    far.start(() => fired.push('far'), 2 ** 40);
    const near = new Timer(t.loop);
    near.start(() => fired.push('near'), 2);
    assert.ok(far.dueIn > 2 ** 40 - 1000 && far.dueIn <= 2 ** 40, `dueIn ${far.dueIn}`);
    far.ref = false;
    t.loop.run();
    assert.deepEqual(fired, ['near']);
    assert.equal(far.active, true);
    near.start(() => fired.push('near again'), 1);
    t.loop.run();
    assert.deepEqual(fired, ['near', 'near again']);
    far.stop();
  });

  it('data, ref and repeat are each timer\'s own', () => {
    const a = new Timer(t.loop);
    const b = new Timer(t.loop);
    a.data = 'a';
    a.ref = false;
    a.repeat = 9;
    assert.deepEqual([b.data, b.ref, b.repeat], [undefined, true, 0]);
    assert.deepEqual([a.data, a.ref, a.repeat], ['a', false, 9]);
    b.start(() => {}, 1, 3);
    assert.deepEqual([a.repeat, b.repeat], [9, 3]);
    b.start(() => {}, 1);
    assert.equal(b.repeat, 0);
    const attached = new Loop();
    attached.attach();
    const c = new Timer(attached);
    c.close();
    attached.detach();
    attached.run();
    attached.close();
  });

  it('a closed timer still referenced is not listed and does not keep close() from succeeding', () => {
    const loop = new Loop();
    const kept = [new Timer(loop), new Timer(loop)];
    kept[0].start(() => {}, 1000);
    for (const timer of kept) timer.close();
    assert.equal(loop.handles.length, 2, 'closing timers are listed once');
    loop.run();
    assert.deepEqual(loop.handles, []);
    loop.close();
    assert.equal(kept[1].closed, true);
  });

  it('a timer stopped or closed by an earlier callback of the same pass does not fire', () => {
    const fired: string[] = [];
    const a = new Timer(t.loop);
    const b = new Timer(t.loop);
    const c = new Timer(t.loop);
    a.start(() => {
      fired.push('a');
      b.stop();
      c.close(() => fired.push('c closed'));
    }, 5);
    b.start(() => fired.push('b'), 5);
    c.start(() => fired.push('c'), 5);
    t.loop.run();
    assert.deepEqual(fired, ['a', 'c closed']);
    assert.equal(b.active, false);
  });

  it('a timer started with timeout 0 from a callback fires in the same run', () => {
    const fired: string[] = [];
    const later = new Timer(t.loop);
    new Timer(t.loop).start(() => {
      fired.push('first');
      later.start(() => fired.push('later'), 0);
    }, 1);
    assert.equal(t.loop.run(), false);
    assert.deepEqual(fired, ['first', 'later']);
  });

  it('getTimeout() follows the earliest timer as timers start and stop', () => {
    const a = new Timer(t.loop);
    const b = new Timer(t.loop);
    a.start(() => {}, 1000);
    t.loop.run(UV_RUN_NOWAIT); // libuv answers 0 until a first run
    assert.ok(t.loop.getTimeout() > 900);
    b.start(() => {}, 50);
    assert.ok(t.loop.getTimeout() <= 50);
    b.stop();
    assert.ok(t.loop.getTimeout() > 900);
    a.stop();
    assert.equal(t.loop.getTimeout(), 0); // nothing left: libuv does not block
    assert.equal(t.loop.alive, false);
  });

  it('run() returns once only unreferenced timers are left', () => {
    const bg = new Timer(t.loop);
    let bgFired = false;
    bg.start(() => (bgFired = true), 5000);
    bg.ref = false;
    let fired = 0;
    new Timer(t.loop).start(() => fired++, 5);
    assert.equal(t.loop.run(), false);
    assert.equal(fired, 1);
    assert.equal(bgFired, false);
    assert.equal(bg.active, true);
  });

  it('with excepthook, the other due timers still fire in the same run', () => {
    const seen: string[] = [];
    t.loop.excepthook = (err) => seen.push((err as Error).message);
    new Timer(t.loop).start(() => {
      throw new Error('boom');
    }, 5);
    new Timer(t.loop).start(() => seen.push('second'), 5);
    assert.equal(t.loop.run(), false);
    assert.deepEqual(seen, ['boom', 'second']);
  });

  it('without excepthook, run() throws once the pass is done; the next run() goes on', () => {
    const fired: string[] = [];
    new Timer(t.loop).start(() => {
      throw new Error('boom');
    }, 5);
    new Timer(t.loop).start(() => fired.push('second'), 5); // same pass, as in libuv
    new Timer(t.loop).start(() => fired.push('later'), 30);
    assert.throws(() => t.loop.run(), /boom/);
    assert.deepEqual(fired, ['second']);
    t.loop.run();
    assert.deepEqual(fired, ['second', 'later']);
  });

  it('is listed in loop.handles while open, started or not, and while closing', () => {
    const a = new Timer(t.loop);
    const b = new Timer(t.loop);
    a.start(() => {}, 1);
    assert.deepEqual(new Set(t.loop.handles), new Set([a, b]));
    t.loop.run();
    assert.deepEqual(new Set(t.loop.handles), new Set([a, b]), 'a fired timer stays open');
    let closed = 0;
    a.close(() => closed++);
    assert.deepEqual(new Set(t.loop.handles), new Set([a, b]), 'a closing timer is listed');
    assert.throws(() => t.loop.close(), { code: 'EBUSY' });
    t.loop.run();
    assert.equal(closed, 1);
    assert.equal(a.loop, null);
    assert.deepEqual(t.loop.handles, [b]);
  });

  it('the close callback runs in the close phase, after check callbacks', () => {
    const order: string[] = [];
    const timer = new Timer(t.loop);
    timer.start(() => {}, 1000);
    const check = new Check(t.loop);
    check.start(() => {
      order.push('check');
      check.close();
    });
    timer.close(() => order.push('timer closed'));
    t.loop.run();
    assert.deepEqual(order, ['check', 'timer closed']);
  });

  it('dropped timers that have fired are collected: bounded handles, no fd leak', function () {
    this.timeout(60000);
    const res = runNode(
      `const uv = require('./');
       const loop = new uv.Loop();
       let fired = 0, maxHandles = 0;
       for (let round = 0; round < 20; round++) {
         for (let i = 0; i < 5000; i++) new uv.Timer(loop).start(() => fired++, i % 3);
         loop.run();
         global.gc();
         maxHandles = Math.max(maxHandles, loop.handles.length);
       }
       console.log(JSON.stringify({ fired, maxHandles, left: loop.handles.length }));`,
      { args: ['--expose-gc'], timeout: 60000 },
    );
    assert.equal(res.status, 0, res.stderr);
    const r = JSON.parse(res.stdout);
    assert.equal(r.fired, 100000);
    assert.ok(r.maxHandles <= 10000, `handles grew to ${r.maxHandles}`);
    assert.ok(r.left <= 5000, `${r.left} handles left`);
  });
});
