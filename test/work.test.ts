import { strict as assert } from 'assert';
import { Worker } from 'worker_threads';
import { Async, Loop, Timer, UVError, WorkRequest, errno } from '../lib/index';
import { runNode, throwsLike, useLoop } from './helpers';

const indexPath = JSON.stringify(require.resolve('../dist/index.js'));

describe('Loop.queueWork', () => {
  // The pool's threads live as long as the process (as libuv's threadpool
  // does): start all four before the per-test fd counts.
  before(() => {
    const warm = new Loop();
    for (let i = 0; i < 4; i++) warm.queueWork(() => Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 50), []);
    warm.run();
    warm.close();
  });
  const t = useLoop();

  it('3 jobs give 3 results while run() blocks', () => {
    const results: number[] = [];
    for (let i = 1; i <= 3; i++) {
      const req = t.loop.queueWork((a: number, b: number) => a * b, [i, 10], (err, result) => {
        assert.equal(err, null);
        results.push(result!);
      });
      assert.ok(req instanceof WorkRequest);
    }
    assert.equal(t.loop.alive, true, 'outstanding work keeps the loop alive');
    assert.equal(t.loop.run(), false);
    assert.deepEqual(results.sort(), [10, 20, 30]);
  });

  it('1000 small jobs all return the right results', function () {
    this.timeout(60000);
    const got = new Map<number, number>();
    for (let i = 0; i < 1000; i++) {
      t.loop.queueWork((x: number) => x * x + 1, [i], (err, r) => {
        assert.equal(err, null);
        got.set(i, r as number);
      });
    }
    t.loop.run();
    assert.equal(got.size, 1000);
    for (let i = 0; i < 1000; i++) assert.equal(got.get(i), i * i + 1);
  });

  it('work runs off the loop thread, and async work is awaited', () => {
    let result: any;
    t.loop.queueWork(async (delay: number) => {
      const { isMainThread, threadId } = require('worker_threads');
      await new Promise((r) => setTimeout(r, delay));
      return { isMainThread, threadId };
    }, [5], (err, r) => {
      assert.equal(err, null);
      result = r;
    });
    t.loop.run();
    assert.equal(result.isMainThread, false);
    assert.ok(result.threadId > 0);
  });

  it('args and results are structured-cloned', () => {
    let result: any;
    const arg = { when: new Date(0), map: new Map([[1, 'a']]), big: 2n ** 70n, bytes: new Uint8Array([0, 255]) };
    t.loop.queueWork((a: typeof arg) => ({ ...a, bigger: a.big * 2n, size: a.map.size }), [arg], (err, r) => {
      assert.equal(err, null);
      result = r;
    });
    t.loop.run();
    assert.deepEqual(result.when, new Date(0));
    assert.equal(result.map.get(1), 'a');
    assert.equal(result.bigger, 2n ** 71n);
    assert.deepEqual([...result.bytes], [0, 255]);
    assert.equal(result.size, 1);
  });

  it('a throwing job and a rejecting async job give err', () => {
    const errs: Error[] = [];
    t.loop.queueWork(() => {
      throw new RangeError('thrown in work');
    }, [], (err, r) => {
      assert.equal(r, undefined);
      errs.push(err!);
    });
    t.loop.queueWork(async () => {
      await null;
      throw new Error('rejected in work');
    }, [], (err) => errs.push(err!));
    t.loop.queueWork(() => () => 'a function cannot be cloned', [], (err) => errs.push(err!));
    t.loop.run();
    const byMessage = errs.map((e) => `${e.constructor.name}: ${e.message}`).sort();
    assert.equal(byMessage.length, 3);
    assert.equal(byMessage[0], 'Error: () => \'a function cannot be cloned\' could not be cloned.');
    assert.equal(byMessage[1], 'Error: rejected in work');
    assert.equal(byMessage[2], 'RangeError: thrown in work');
  });

  it('cancel() of a queued job gives ECANCELED; a running job cannot be cancelled', () => {
    // Occupy the whole pool (4 threads) so the fifth job stays queued.
    const slow = (ms: number) => {
      const end = Date.now() + ms;
      while (Date.now() < end);
      return ms;
    };
    const running: WorkRequest[] = [];
    let finished = 0;
    for (let i = 0; i < 4; i++) running.push(t.loop.queueWork(slow, [150], () => finished++));
    let cancelled: Error | null | undefined;
    const queued = t.loop.queueWork(slow, [1], (err) => (cancelled = err));
    assert.equal(queued.cancel(), true);
    assert.equal(queued.cancel(), false, 'only once');
    assert.equal(running[0].cancel(), false);
    t.loop.run();
    assert.equal(finished, 4);
    assert.ok(cancelled instanceof UVError);
    assert.equal((cancelled as UVError).code, 'ECANCELED');
    assert.equal((cancelled as UVError).errno, errno.UV_ECANCELED);
  });

  it('an exception in done goes through the loop like any callback', () => {
    t.loop.queueWork(() => 1, [], () => {
      throw new Error('from done');
    });
    assert.throws(() => t.loop.run(), /from done/);
  });

  it('the pool does not keep the process alive, and done also runs on an attached loop', () => {
    const res = runNode(`
      const uv = require('./');
      const loop = new uv.Loop();
      loop.attach();
      const start = Date.now();
      loop.queueWork((a) => a + 1, [41], (err, r) => console.log('done', r));
      process.on('exit', () => console.log('exit after work', Date.now() - start < 5000));`);
    assert.equal(res.status, 0, res.stderr);
    assert.equal(res.stdout, 'done 42\nexit after work true\n');
  });

  it('checks its arguments', () => {
    assert.throws(() => t.loop.queueWork('x' as any, []), TypeError);
    assert.throws(() => t.loop.queueWork(() => 1, 'args' as any), TypeError);
    assert.throws(() => t.loop.queueWork(() => 1, [], 5 as any), TypeError);
  });

  it('close() is EBUSY while work is outstanding', () => {
    let done = false;
    t.loop.queueWork(() => 1, [], () => (done = true));
    throwsLike(() => t.loop.close(), UVError, { code: 'EBUSY' });
    t.loop.run();
    assert.equal(done, true);
  });
});

describe('Async across threads', () => {
  const t = useLoop();

  it('an Async sent 10000 times from 4 workers calls back, then the loop exits when closed', async function () {
    this.timeout(30000);
    let calls = 0;
    const async = new Async(t.loop, () => calls++);
    const v = async.transferable();
    const workers = [];
    for (let i = 0; i < 4; i++) {
      workers.push(new Worker(
        `const uv = require(${indexPath});
         const { workerData } = require('worker_threads');
         const sender = uv.Async.fromTransferable(workerData);
         for (let i = 0; i < 2500; i++) sender.send();`,
        { eval: true, workerData: v },
      ));
    }
    const exited = workers.map((w) => new Promise((resolve) => w.once('exit', resolve)));
    // The sends wake this loop while Node's loop is not running.
    const timer = new Timer(t.loop);
    timer.start(() => {
      if (calls > 0) {
        timer.close();
        async.close();
      }
    }, 5, 5);
    assert.equal(t.loop.run(), false, 'the loop exits once the Async is closed');
    assert.ok(calls >= 1 && calls <= 10000, `${calls} callbacks`);
    assert.deepEqual(await Promise.all(exited), [0, 0, 0, 0]);
  });

  it('a send after the handle closed is harmless', async () => {
    const async = new Async(t.loop, () => assert.fail('closed async called back'));
    const v = async.transferable();
    async.close();
    t.loop.run();
    const w = new Worker(
      `const uv = require(${indexPath});
       uv.Async.fromTransferable(require('worker_threads').workerData).send();`,
      { eval: true, workerData: v },
    );
    assert.equal(await new Promise((resolve) => w.once('exit', resolve)), 0);
    assert.throws(() => Async.fromTransferable({} as any), TypeError);
  });
});
