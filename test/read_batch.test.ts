import { strict as assert } from 'assert';
import * as fs from 'fs';
import { Pipe, StreamError, Timer, socketpair } from '../lib/index';
import { runBounded, runNode, useLoop } from './helpers';

// The pooled reads of one poll phase reach JavaScript in one batch
// (native/poll_batch.cc, lib/stream.ts onReadBatch). Pipes whose peers wrote
// before the loop runs are readable in the same poll phase, so their reads
// share a batch: these tests change one stream from another's callback.

/** Pipes on socketpairs; their peers have already written `data[i]`. */
function readable(loop: ReturnType<typeof useLoop>['loop'], ...data: (string | Buffer)[]) {
  const pairs = data.map(() => socketpair());
  data.forEach((d, i) => fs.writeSync(pairs[i][1], Buffer.from(d)));
  const pipes = pairs.map(([mine]) => {
    const p = new Pipe(loop);
    p.open(mine);
    return p;
  });
  return { pipes, peers: pairs.map(([, peer]) => peer) };
}

/**
 * Both pipes read; the callback that runs first (whichever libuv reported
 * first) calls `act` with the other pipe, whose read is already in the same
 * batch; the old callback must not run again.
 */
function firstActsOnOther(pipes: Pipe[], act: (other: Pipe) => void): void {
  let first = true;
  pipes.forEach((p, i) => {
    p.startRead(() => {
      assert.ok(first, 'the old callback must not get the read');
      first = false;
      act(pipes[1 - i]);
    });
  });
}

/** Skips the test unless ArrayBuffer transfer() ignores the untransferable mark of a read pool (Node 22). */
function skipUnlessPoolsTransfer(test: Mocha.Context): void {
  const probe = Buffer.allocUnsafeSlow(8).buffer as ArrayBuffer & { transfer?: () => ArrayBuffer };
  require('worker_threads').markAsUntransferable(probe);
  try {
    probe.transfer!();
  } catch {
    test.skip();
  }
}

describe('read batches', function () {
  const t = useLoop();

  it('blocking run(): libuv has read every stream of the poll phase before the first read callback runs', () => {
    const { pipes, peers } = readable(t.loop, 'a', 'b');
    let seen: string | null = null;
    firstActsOnOther(pipes, (other) => {
      // Unbatched, the other stream's bytes would still wait in the kernel.
      try {
        seen = String(fs.readSync(other.fileno(), Buffer.alloc(8)));
      } catch (err) {
        seen = (err as NodeJS.ErrnoException).code!;
      }
      for (const p of pipes) p.close();
    });
    runBounded(t.loop);
    peers.forEach((fd) => fs.closeSync(fd));
    assert.equal(seen, 'EAGAIN');
  });

  it('a stream stopped by an earlier callback of the batch gets its read after startRead(), intact', () => {
    const { pipes, peers } = readable(t.loop, 'first', 'second');
    const got: string[] = [];
    const restart = new Timer(t.loop);
    pipes.forEach((p, i) => {
      const other = pipes[1 - i];
      p.startRead((err, data) => {
        assert.equal(err, null);
        got.push(`${i}:${data}`);
        if (got.length === 1) {
          other.stopRead(); // its read is already in this batch
          restart.start(() => {
            restart.close();
            other.startRead((e, d) => {
              got.push(`${1 - i}:${d}`);
              for (const q of pipes) q.close();
            });
          }, 20);
        }
      });
    });
    runBounded(t.loop);
    peers.forEach((fd) => fs.closeSync(fd));
    assert.equal(got.length, 2);
    assert.deepEqual(got.map((g) => g.split(':')[1]).sort(), ['first', 'second']);
    assert.notEqual(got[0][0], got[1][0]);
  });

  it('a stopped stream restarted in the caller-buffer form gets the kept read copied into its buffers', () => {
    const { pipes, peers } = readable(t.loop, 'abcdefghij', 'abcdefghij');
    const got: string[] = [];
    const restart = new Timer(t.loop);
    firstActsOnOther(pipes, (other) => {
      other.stopRead(); // its read is already in this batch
      restart.start(() => {
        restart.close();
        const buffers = [Buffer.alloc(4), Buffer.alloc(4)];
        let k = 0;
        other.startRead(
          (err, nread, buffer) => {
            assert.equal(err, null);
            assert.equal(buffer, buffers[(k - 1) % 2]);
            got.push(buffer.subarray(0, nread).toString());
            if (got.join('') === 'abcdefghij') for (const q of pipes) q.close();
          },
          { buffer: () => buffers[k++ % 2] },
        );
      }, 20);
    });
    runBounded(t.loop);
    peers.forEach((fd) => fs.closeSync(fd));
    assert.deepEqual(got, ['abcd', 'efgh', 'ij']);
  });

  it('a switch to the caller-buffer form by an earlier callback of the batch copies the read into the buffer', () => {
    const { pipes, peers } = readable(t.loop, 'switched', 'switched');
    const buffer = Buffer.alloc(64);
    const got: string[] = [];
    firstActsOnOther(pipes, (other) =>
      other.startRead(
        (err, nread, b) => {
          assert.equal(err, null);
          assert.equal(b, buffer);
          got.push(b.subarray(0, nread).toString());
          for (const q of pipes) q.close();
        },
        { buffer },
      ),
    );
    runBounded(t.loop);
    peers.forEach((fd) => fs.closeSync(fd));
    assert.deepEqual(got, ['switched']);
  });

  it('a callback that throws does not lose the reads after it in the batch', () => {
    const { pipes, peers } = readable(t.loop, 'x', 'y', 'z');
    const got: string[] = [];
    const errs: unknown[] = [];
    t.loop.excepthook = (e) => {
      errs.push(e);
    };
    pipes.forEach((p) =>
      p.startRead((err, data) => {
        got.push(String(data));
        p.close();
        throw new Error('boom');
      }),
    );
    runBounded(t.loop);
    t.loop.excepthook = null;
    peers.forEach((fd) => fs.closeSync(fd));
    assert.deepEqual(got.sort(), ['x', 'y', 'z']);
    assert.equal(errs.length, 3);
  });

  it('without excepthook, run() throws the first error and the batch\'s other reads are still delivered', () => {
    const { pipes, peers } = readable(t.loop, 'x', 'y');
    const got: string[] = [];
    pipes.forEach((p) =>
      p.startRead((err, data) => {
        got.push(String(data));
        p.close();
        throw new Error(`boom ${data}`);
      }),
    );
    assert.throws(() => t.loop.run(), /boom/);
    runBounded(t.loop);
    peers.forEach((fd) => fs.closeSync(fd));
    assert.deepEqual(got.sort(), ['x', 'y']);
  });

  it('a write held in the batch goes out before a later direct write to the same stream', () => {
    const { pipes, peers } = readable(t.loop, 'a', 'b');
    const order: number[] = [];
    pipes.forEach((p, i) => {
      p.startRead((err, data) => {
        if (data === null) return;
        order.push(i);
        p.write(data); // held, into the batch's table
        pipes[1 - i].write('X', () => {}); // a direct write to the other stream
        p.stopRead();
      });
    });
    const close = new Timer(t.loop);
    close.start(() => {
      close.close();
      for (const p of pipes) p.close();
    }, 50);
    runBounded(t.loop);
    assert.equal(order.length, 2);
    const wire = peers.map((fd) => {
      const b = Buffer.alloc(16);
      const n = fs.readSync(fd, b);
      fs.closeSync(fd);
      return b.subarray(0, n).toString();
    });
    // The stream whose callback ran first got its echo, then the other's X;
    // the second got the first's X before its own echo.
    const first = order[0];
    assert.equal(wire[first], `${first === 0 ? 'a' : 'b'}X`);
    assert.equal(wire[1 - first], `X${first === 0 ? 'b' : 'a'}`);
  });

  it('held writes of the batch: views of its pool, other Buffers, vectored, two in a row; each stream gets its own, in order', () => {
    const { pipes, peers } = readable(t.loop, 'one', 'two', 'three', 'four');
    const expect: string[] = [];
    pipes.forEach((p, i) => {
      p.startRead((err, data) => {
        assert.equal(err, null);
        const d = data!;
        if (i === 0) {
          p.write(d.subarray(1)); // a view into the pool, not at the read's start
          expect[i] = d.subarray(1).toString();
        } else if (i === 1) {
          p.write(Buffer.from(d.toString().toUpperCase())); // not in the pool
          expect[i] = d.toString().toUpperCase();
        } else if (i === 2) {
          p.write([d, Buffer.from('!')]); // vectored
          expect[i] = `${d}!`;
        } else {
          p.write(d);
          p.write(d); // the first one is sent before this one
          expect[i] = `${d}${d}`;
        }
        p.stopRead();
      });
    });
    runBounded(t.loop);
    pipes.forEach((p) => p.close());
    runBounded(t.loop);
    peers.forEach((fd, i) => {
      const b = Buffer.alloc(64);
      const n = fs.readSync(fd, b);
      fs.closeSync(fd);
      assert.equal(b.subarray(0, n).toString(), expect[i], `stream ${i}`);
    });
  });

  it('more reads than one batch holds, and held writes larger than its table, all echo intact', () => {
    // 300 streams (the batch takes 256 entries per call) and 8 echoes of
    // 60 KiB (480 KiB: more than the 256 KiB table).
    const small = Array.from({ length: 300 }, (_, i) => `m${i}`);
    const big = Array.from({ length: 8 }, (_, i) => Buffer.alloc(60 * 1024, 97 + i));
    const { pipes, peers } = readable(t.loop, ...small, ...big);
    let echoed = 0;
    for (const p of pipes) {
      p.startRead((err, data) => {
        assert.equal(err, null);
        p.write(data!);
        p.stopRead();
        if (++echoed === pipes.length) for (const q of pipes) q.close();
      });
    }
    runBounded(t.loop);
    assert.equal(echoed, pipes.length);
    peers.forEach((fd, i) => {
      const want = i < small.length ? small[i] : big[i - small.length].toString();
      const b = Buffer.alloc(64 * 1024);
      let got = '';
      while (got.length < want.length) {
        const n = fs.readSync(fd, b);
        if (n === 0) break;
        got += b.subarray(0, n).toString();
      }
      fs.closeSync(fd);
      assert.equal(got, want, `stream ${i}`);
    });
  });

  it('a pool transferred by an earlier callback of the batch: the later read is a StreamError ENOBUFS', function () {
    skipUnlessPoolsTransfer(this);
    const { pipes, peers } = readable(t.loop, 'one', 'two');
    const got: unknown[] = [];
    pipes.forEach((p) =>
      p.startRead((err, data) => {
        got.push(err ?? String(data));
        if (got.length === 1) (data!.buffer as ArrayBuffer & { transfer(): ArrayBuffer }).transfer();
        if (got.length === 2) for (const q of pipes) q.close();
      }),
    );
    runBounded(t.loop);
    peers.forEach((fd) => fs.closeSync(fd));
    assert.equal(got.length, 2);
    assert.ok(got[0] === 'one' || got[0] === 'two');
    assert.ok(got[1] instanceof StreamError);
    assert.equal((got[1] as StreamError).code, 'ENOBUFS');
    assert.equal((got[1] as StreamError).syscall, 'read');
  });

  for (const size of [100, 20 * 1024]) {
    it(`a pool transferred by a callback: later reads of ${size} B go to a new pool, not the memory it moved to`, function () {
      // Reads check that their pool is still attached only after JavaScript
      // has run (native/readpool.h): the callback's transfer() is such a time.
      skipUnlessPoolsTransfer(this);
      const ROUNDS = 20;
      const message = (round: number) => Buffer.alloc(size, 65 + (round % 26));
      // The second stream gets its first message after the transfer: a read
      // of the same batch would be lost with the pool (the test above).
      const { pipes, peers } = readable(t.loop, message(0), '');
      let moved: ArrayBuffer | null = null;
      let snapshot: Buffer | null = null;
      const got: string[][] = [[], []];
      const pools = new Set<ArrayBufferLike>();
      pipes.forEach((p, i) => {
        let pending = '';
        p.startRead((err, data) => {
          assert.equal(err, null);
          pending += data!.toString('latin1');
          if (pending.length < size) return;
          got[i].push(pending);
          pending = '';
          if (moved === null) {
            moved = (data!.buffer as ArrayBuffer & { transfer(): ArrayBuffer }).transfer();
            snapshot = Buffer.from(new Uint8Array(moved)); // a copy
            fs.writeSync(peers[1 - i], message(0));
          } else {
            pools.add(data!.buffer);
          }
          if (got[i].length < ROUNDS) fs.writeSync(peers[i], message(got[i].length));
          else p.close();
        });
      });
      runBounded(t.loop);
      peers.forEach((fd) => fs.closeSync(fd));
      got.forEach((g) => assert.deepEqual(g, Array.from({ length: ROUNDS }, (_, r) => message(r).toString('latin1'))));
      assert.ok(snapshot!.equals(Buffer.from(moved!)), 'no later read landed in the transferred memory');
      assert.ok(pools.size > 0);
    });
  }

  it('attached, reads of one poll phase are not batched: microtasks run between their callbacks', async () => {
    const { pipes, peers } = readable(t.loop, 'a', 'b');
    const order: string[] = [];
    t.loop.attach();
    await new Promise<void>((resolve) => {
      for (const p of pipes) {
        p.startRead((err, data) => {
          order.push(`read ${data}`);
          queueMicrotask(() => order.push(`tick ${data}`));
          p.close();
          if (order.length === 3) setImmediate(resolve);
        });
      }
    });
    peers.forEach((fd) => fs.closeSync(fd));
    assert.equal(order.length, 4);
    assert.deepEqual([order[0].slice(0, 4), order[1].slice(0, 4), order[2].slice(0, 4)], ['read', 'tick', 'read']);
  });

  it('a stream dropped after the end of its stream is collected (the batch keeps no reference)', () => {
    const r = runNode(
      `const { Loop, Pipe, socketpair } = require('./');
       const fs = require('fs');
       const loop = new Loop();
       let collected = 0;
       const registry = new FinalizationRegistry(() => collected++);
       for (let i = 0; i < 20; i++) {
         const [mine, peer] = socketpair();
         fs.writeSync(peer, 'bye');
         fs.closeSync(peer);
         const p = new Pipe(loop);
         p.open(mine);
         p.startRead(() => {});
         registry.register(p, i);
       }
       loop.run(); // every read and EOF delivered; no handle is closed
       setImmediate(() => {
         global.gc();
         setImmediate(() => {
           loop.run(); // collected handles close
           console.log(collected);
         });
       });`,
      { args: ['--expose-gc'] },
    );
    assert.equal(r.status, 0, r.stderr);
    assert.equal(r.stdout.trim(), '20');
  });

  for (const seed of [1, 2, 3, 4]) {
    it(`seed ${seed}: random stops, restarts in both forms and throws across streams lose, repeat and reorder no byte`, () => {
      let state = seed * 0x9e3779b9;
      const rand = () => { // mulberry32
        state = (state + 0x6d2b79f5) | 0;
        let x = Math.imul(state ^ (state >>> 15), 1 | state);
        x = (x + Math.imul(x ^ (x >>> 7), 61 | x)) ^ x;
        return ((x ^ (x >>> 14)) >>> 0) / 4294967296;
      };
      const N = 6;
      const { pipes, peers } = readable(t.loop, ...Array.from({ length: N }, (_, i) => `start${i};`));
      const sent = pipes.map((_, i) => [`start${i};`]);
      const got: string[][] = pipes.map(() => []);
      let throws = 0;
      const errors: unknown[] = [];
      t.loop.excepthook = (e) => {
        throws--;
        if (!(e instanceof Error && e.message === 'thrown by a read callback')) errors.push(e);
      };
      const restarts: Timer[] = [];
      // Starts reading pipe i in a random form; every callback may act on any pipe.
      const start = (i: number): void => {
        const p = pipes[i];
        const act = () => {
          const r = rand();
          const j = Math.floor(rand() * N);
          if (r < 0.15 && pipes[j].active) {
            pipes[j].stopRead();
            const timer = new Timer(t.loop);
            restarts.push(timer);
            timer.start(() => {
              timer.close();
              if (!pipes[j].closed) start(j);
            }, Math.floor(rand() * 3));
          } else if (r < 0.22 && pipes[j].active) {
            start(j); // a switch of form (or callback) while reading
          } else if (r < 0.26) {
            throws++;
            throw new Error('thrown by a read callback');
          }
        };
        const form = rand();
        if (form < 0.4) {
          p.startRead((err, data) => {
            assert.equal(err, null);
            if (data === null) return;
            got[i].push(data.toString());
            act();
          });
        } else {
          const buffers = [Buffer.alloc(1 + Math.floor(rand() * 16)), Buffer.alloc(1 + Math.floor(rand() * 16))];
          let k = 0;
          p.startRead(
            (err, nread, buffer) => {
              assert.equal(err, null);
              if (nread === 0) return;
              got[i].push(buffer.subarray(0, nread).toString());
              act();
            },
            { buffer: form < 0.7 ? buffers[0] : () => buffers[k++ % 2] },
          );
        }
      };
      pipes.forEach((_, i) => start(i));
      // Writers: each tick a few peers get a chunk, so reads of several
      // streams meet in one poll phase.
      let ticks = 0;
      const writer = new Timer(t.loop);
      writer.start(() => {
        for (let w = 0; w < 3; w++) {
          const i = Math.floor(rand() * N);
          const chunk = `<${i}:${ticks}:${w}:${'x'.repeat(Math.floor(rand() * 40))}>`;
          fs.writeSync(peers[i], chunk);
          sent[i].push(chunk);
        }
        if (++ticks === 150) {
          writer.close();
          // Every stream reads until all of its bytes are in.
          const done = new Timer(t.loop);
          done.start(() => {
            for (const tm of restarts) if (!tm.closed) return;
            if (got.every((g, i) => g.join('').length === sent[i].join('').length)) {
              done.close();
              for (const p of pipes) p.close();
            }
          }, 2, 2);
        }
      }, 1, 1);
      runBounded(t.loop, 20000);
      t.loop.excepthook = null;
      peers.forEach((fd) => fs.closeSync(fd));
      for (let i = 0; i < N; i++) {
        const a = got[i].join('');
        const b = sent[i].join('');
        let d = 0;
        while (d < a.length && a[d] === b[d]) d++;
        assert.ok(a === b, `stream ${i}: got ${a.length} bytes of ${b.length}, first difference at ${d}: ` +
          `got ...${a.slice(Math.max(0, d - 30), d + 60)}... expected ...${b.slice(Math.max(0, d - 30), d + 60)}...`);
      }
      assert.deepEqual(errors, [], 'no error but the thrown ones');
      assert.equal(throws, 0, 'every throw reached excepthook once');
    });
  }
});

