import { strict as assert } from 'assert';
import { HandleClosedError, Loop, Timer, TimerError, errno } from '../lib/index';
import { throwsLike, useLoop } from './helpers';

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

  it('every method of a closed timer throws HandleClosedError', () => {
    const timer = new Timer(t.loop);
    timer.close();
    assert.equal(timer.closed, true);
    throwsLike(() => timer.start(() => {}, 1), HandleClosedError);
    throwsLike(() => timer.stop(), HandleClosedError);
    throwsLike(() => timer.again(), HandleClosedError);
    throwsLike(() => (timer.repeat = 1), HandleClosedError);
    throwsLike(() => (timer.ref = false), HandleClosedError);
    throwsLike(() => timer.fileno(), HandleClosedError);
    throwsLike(() => timer.close(), HandleClosedError);
    assert.equal(timer.active, false);
    assert.equal(timer.dueIn, 0);
  });
});
