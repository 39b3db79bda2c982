import { strict as assert } from 'assert';
import {
  Async, Check, CheckError, HandleClosedError, Idle, IdleError, Prepare, PrepareError, Signal,
  SignalError, Timer, UV_RUN_ONCE,
} from '../lib/index';
import { throwsLike, useLoop } from './helpers';

describe('Prepare, Check, Idle', () => {
  const t = useLoop();

  it('run in libuv order within one iteration: idle, prepare, (poll), check', () => {
    const order: string[] = [];
    const prepare = new Prepare(t.loop);
    const check = new Check(t.loop);
    const idle = new Idle(t.loop);
    prepare.start((h) => {
      assert.equal(h, prepare);
      order.push('prepare');
    });
    check.start(() => order.push('check'));
    idle.start(() => order.push('idle'));
    t.loop.run(UV_RUN_ONCE);
    assert.deepEqual(order, ['idle', 'prepare', 'check']);
    t.loop.run(UV_RUN_ONCE);
    assert.deepEqual(order, ['idle', 'prepare', 'check', 'idle', 'prepare', 'check']);
  });

  it('stop() ends the calls, start() again resumes them', () => {
    const idle = new Idle(t.loop);
    let calls = 0;
    idle.start(() => {
      if (++calls === 3) idle.stop();
    });
    assert.equal(idle.active, true);
    t.loop.run();
    assert.equal(calls, 3);
    assert.equal(idle.active, false);
    idle.start(() => {
      calls++;
      idle.close();
    });
    t.loop.run();
    assert.equal(calls, 4);
  });

  it('an idle handle keeps the loop from blocking', () => {
    const idle = new Idle(t.loop);
    const timer = new Timer(t.loop);
    let idles = 0;
    idle.start(() => idles++);
    timer.start(() => idle.stop(), 20);
    t.loop.run();
    assert.ok(idles > 1, `idle ran ${idles} times while the timer was pending`);
  });

  for (const [Cls, Err] of [[Prepare, PrepareError], [Check, CheckError], [Idle, IdleError]] as const) {
    it(`${Cls.name}: wrong types throw TypeError, a closed one HandleClosedError`, () => {
      const h = new Cls(t.loop);
      assert.equal((Cls as any).errorClass, Err);
      assert.throws(() => h.start(undefined as any), TypeError);
      assert.throws(() => h.start(42 as any), TypeError);
      h.close();
      throwsLike(() => h.start(() => {}), HandleClosedError);
      throwsLike(() => h.stop(), HandleClosedError);
    });
  }
});

describe('Async', () => {
  const t = useLoop();

  it('send() wakes the loop and calls back; sends coalesce', () => {
    let calls = 0;
    const async = new Async(t.loop, (h) => {
      assert.equal(h, async);
      calls++;
      h.close();
    });
    assert.equal(async.active, true);
    async.send();
    async.send();
    async.send();
    t.loop.run();
    assert.equal(calls, 1);
  });

  it('is active (keeps the loop alive) until closed or unreferenced', () => {
    const async = new Async(t.loop);
    assert.equal(t.loop.alive, true);
    async.ref = false;
    assert.equal(t.loop.alive, false);
    assert.equal(t.loop.run(), false);
  });

  it('a send from a timer callback arrives in the same run', () => {
    const order: string[] = [];
    const async = new Async(t.loop, () => {
      order.push('async');
      async.close();
    });
    new Timer(t.loop).start(() => {
      order.push('timer');
      async.send();
    }, 5);
    t.loop.run();
    assert.deepEqual(order, ['timer', 'async']);
  });

  it('checks its arguments and refuses use after close', () => {
    assert.throws(() => new Async(t.loop, 5 as any), TypeError);
    const async = new Async(t.loop);
    async.close();
    throwsLike(() => async.send(), HandleClosedError);
  });
});

describe('Signal', () => {
  const t = useLoop();

  it('SIGUSR1 sent to the own process arrives in the loop', () => {
    const sig = new Signal(t.loop);
    const got: number[] = [];
    sig.start((signum, h) => {
      assert.equal(h, sig);
      got.push(signum);
      if (got.length === 2) sig.stop();
    }, 'SIGUSR1');
    assert.equal(sig.signum, 10);
    process.kill(process.pid, 'SIGUSR1');
    t.loop.run(UV_RUN_ONCE);
    process.kill(process.pid, 'SIGUSR1');
    t.loop.run();
    assert.deepEqual(got, [10, 10]);
    sig.close();
  });

  it('startOneshot() stops after the first signal; numbers work as well as names', () => {
    const sig = new Signal(t.loop);
    let calls = 0;
    sig.startOneshot(() => calls++, 12);
    assert.equal(sig.signum, 12);
    process.kill(process.pid, 'SIGUSR2');
    t.loop.run();
    assert.equal(calls, 1);
    assert.equal(sig.active, false);
  });

  it('rejects unknown names, bad numbers and wrong types', () => {
    const sig = new Signal(t.loop);
    assert.throws(() => sig.start(() => {}, 'SIGNOPE'), TypeError);
    assert.throws(() => sig.start(() => {}, 0), RangeError);
    assert.throws(() => sig.start(() => {}, 65), RangeError);
    assert.throws(() => sig.start(() => {}, {} as any), TypeError);
    assert.throws(() => sig.start('x' as any, 'SIGUSR1'), TypeError);
    // SIGKILL cannot be caught: libuv's error surfaces as a SignalError.
    throwsLike(() => sig.start(() => {}, 'SIGKILL'), SignalError, { code: 'EINVAL', syscall: 'uv_signal_start' });
    sig.close();
    throwsLike(() => sig.start(() => {}, 'SIGUSR1'), HandleClosedError);
    throwsLike(() => sig.startOneshot(() => {}, 'SIGUSR1'), HandleClosedError);
    throwsLike(() => sig.stop(), HandleClosedError);
  });
});
