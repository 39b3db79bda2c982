// The rest of libuv (issue 14): loop options, metrics, printHandles,
// getTimeout() of a new loop, socketpair(), pipe(), thread affinity and the
// UVKIT_DEBUG_RUN report.
import { strict as assert } from 'assert';
import * as fs from 'fs';
import { Worker } from 'worker_threads';
import {
  Loop, Pipe, Prepare, Timer, UDP, UVError, UV_RUN_NOWAIT, errno, features, fs as uvfs, pipe, socketpair, util,
} from '../lib/index';
import { spawnSync } from 'child_process';
import { openFds, root, throwsLike, useLoop } from './helpers';

describe('Loop options and metrics', () => {
  const t = useLoop();

  it('getTimeout() of a new loop is -1 with only a Prepare, about 1000 with a 1 s timer, from the first call', () => {
    const p = new Prepare(t.loop);
    p.start(() => {});
    assert.equal(t.loop.getTimeout(), -1);
    assert.equal(t.loop.getTimeout(), -1);
    const timer = new Timer(t.loop);
    timer.start(() => {}, 1000);
    const first = t.loop.getTimeout();
    assert.ok(first > 900 && first <= 1000, `getTimeout() ${first}`);
    t.loop.run(UV_RUN_NOWAIT);
    const later = t.loop.getTimeout();
    assert.ok(later > 900 && later <= 1000, `getTimeout() ${later}`);
    timer.stop();
    assert.equal(t.loop.getTimeout(), -1);
  });

  it('getTimeout() of a new loop with options, on a worker thread too', async () => {
    const l = new Loop({ metricsIdleTime: true });
    const p = new Prepare(l);
    p.start(() => {});
    assert.equal(l.getTimeout(), -1);
    p.close();
    l.run();
    l.close();
    const w = new Worker(
      `const uv = require(${JSON.stringify(require.resolve('../dist/index.js'))});
       const l = new uv.Loop(); const p = new uv.Prepare(l); p.start(() => {});
       const a = l.getTimeout(); p.close(); l.run(); l.close();
       require('worker_threads').parentPort.postMessage(a);`,
      { eval: true },
    );
    const got = await new Promise((resolve, reject) => {
      w.once('message', resolve);
      w.once('error', reject);
    });
    await new Promise((resolve) => w.once('exit', resolve)); // its fds are gone once it has ended
    assert.equal(got, -1);
  });

  it('metrics() of a new loop are 0, then count iterations and events', () => {
    assert.deepEqual(t.loop.metrics(), { idleTime: 0, loopCount: 0, events: 0, eventsWaiting: 0 });
    const timer = new Timer(t.loop);
    let n = 0;
    timer.start(() => {
      if (++n === 3) timer.stop();
    }, 1, 1);
    t.loop.run();
    const m = t.loop.metrics();
    assert.ok(m.loopCount >= 1, `loopCount ${m.loopCount}`);
    assert.equal(m.idleTime, 0, 'idle time is measured only with metricsIdleTime');
    // A readable fd is an event.
    const [r, w] = socketpair('stream', true);
    const p = new Pipe(t.loop);
    p.open(r);
    fs.writeSync(w, 'x');
    p.startRead((err, data) => {
      assert.equal(err, null);
      assert.equal(String(data), 'x');
      p.close();
    });
    t.loop.run();
    fs.closeSync(w);
    const after = t.loop.metrics();
    assert.ok(after.events >= 1, `events ${after.events}`);
    assert.ok(after.loopCount > m.loopCount);
  });

  it('metricsIdleTime: idleTime counts the ms spent waiting in the poll', () => {
    const l = new Loop({ metricsIdleTime: true });
    try {
      // The timer counts from the loop's cached time: refresh it, so that
      // time spent before run() (a loaded machine) is not taken off the wait.
      l.updateTime();
      new Timer(l).start((h) => h.close(), 150);
      const t0 = performance.now();
      l.run();
      const wall = performance.now() - t0;
      const m = l.metrics();
      assert.ok(m.idleTime >= 100 && m.idleTime <= wall + 1, `idleTime ${m.idleTime}, run() ${wall} ms`);
      assert.ok(m.loopCount >= 1);
    } finally {
      l.run();
      l.close();
    }
  });

  it("blockSignal: 'SIGPROF' and its number are accepted; another signal is UVError EINVAL", () => {
    const fds = openFds();
    for (const blockSignal of ['SIGPROF', 27] as const) {
      const l = new Loop({ blockSignal, metricsIdleTime: false });
      new Timer(l).start((h) => h.close(), 1);
      l.run();
      l.close();
    }
    throwsLike(() => new Loop({ blockSignal: 'SIGUSR1' }), UVError, {
      code: 'EINVAL', errno: errno.UV_EINVAL, syscall: 'uv_loop_configure',
    });
    assert.equal(openFds(), fds, 'a loop whose options failed leaves no fd');
  });

  it('bad options throw TypeError/RangeError before any loop is made', () => {
    throwsLike(() => new Loop({ blockSignal: 'SIGNOPE' }), TypeError);
    throwsLike(() => new Loop({ blockSignal: 0 }), RangeError);
    throwsLike(() => new Loop({ metricsIdleTime: 1 as unknown as boolean }), TypeError);
    throwsLike(() => new Loop({ ioUringSqpoll: 'yes' as unknown as boolean }), TypeError);
    throwsLike(() => new Loop(5 as unknown as {}), TypeError, { code: 'ERR_INVALID_ARG_TYPE' });
  });

  it('ioUringSqpoll where features.ioUringSqpoll, else UVError ENOTSUP', () => {
    if (features.ioUringSqpoll) {
      const l = new Loop({ ioUringSqpoll: true });
      const path = `/tmp/uvkit-sqpoll-${process.pid}`;
      fs.writeFileSync(path, 'hello');
      try {
        // fs work still completes (whether libuv uses io_uring or not).
        let size = -1;
        uvfs.stat(l, path, (err, st) => {
          assert.equal(err, null);
          size = st!.size;
        });
        uvfs.open(l, path, 0, 0, (err, fd) => {
          assert.equal(err, null);
          uvfs.read(l, fd!, 5, 0, (err2, data) => {
            assert.equal(err2, null);
            assert.equal(String(data), 'hello');
            uvfs.close(l, fd!, () => {});
          });
        });
        l.run();
        assert.equal(size, 5);
      } finally {
        fs.unlinkSync(path);
        l.close();
      }
    } else {
      throwsLike(() => new Loop({ ioUringSqpoll: true }), UVError, { code: 'ENOTSUP', syscall: 'uv_loop_configure' });
    }
    new Loop({ ioUringSqpoll: false }).close();
  });

  it("printHandles() lists libuv's handles, 'active' only the active ones", () => {
    const p = new Prepare(t.loop);
    p.start(() => {});
    const idle = new Prepare(t.loop);
    const all = t.loop.printHandles();
    const active = t.loop.printHandles('active');
    assert.equal(all, t.loop.printHandles('all'));
    assert.equal(all.match(/\] prepare /g)?.length, 2, all);
    assert.equal(active.match(/\] prepare /g)?.length, 1, active);
    assert.match(active, /^\[RA-\] prepare /m);
    assert.match(all, /^\[R--\] prepare /m);
    assert.doesNotMatch(active, /\[R--\]/);
    p.ref = false;
    assert.match(t.loop.printHandles('active'), /^\[-A-\] prepare /m);
    idle.close();
    throwsLike(() => t.loop.printHandles('some' as 'all'), TypeError, { code: 'ERR_INVALID_ARG_VALUE' });
  });

  it('metrics() and printHandles() on a closed loop throw ERR_LOOP_CLOSED', () => {
    const l = new Loop();
    l.close();
    throwsLike(() => l.metrics(), Error, { code: 'ERR_LOOP_CLOSED' });
    throwsLike(() => l.printHandles(), Error, { code: 'ERR_LOOP_CLOSED' });
  });
});

describe('socketpair() and pipe()', () => {
  const t = useLoop();

  it('socketpair() gives a connected stream pair, blocking by default', () => {
    const [a, b] = socketpair();
    try {
      assert.equal(util.guessHandleType(a), util.guessHandleType(b));
      fs.writeSync(a, 'ping');
      const buf = Buffer.alloc(8);
      assert.equal(fs.readSync(b, buf), 4);
      assert.equal(buf.toString('utf8', 0, 4), 'ping');
      fs.writeSync(b, 'pong');
      assert.equal(fs.readSync(a, buf), 4);
      assert.equal(fcntlFlags(a) & 0o4000, 0, 'blocking'); // O_NONBLOCK
      assert.equal(fdFlags(a) & 1, 1, 'close-on-exec');
    } finally {
      fs.closeSync(a);
      fs.closeSync(b);
    }
  });

  it("socketpair('stream', true) is non-blocking and works under a Pipe", () => {
    const [a, b] = socketpair('stream', true);
    assert.equal(fcntlFlags(a) & 0o4000, 0o4000);
    assert.equal(fcntlFlags(b) & 0o4000, 0o4000);
    assert.throws(() => fs.readSync(a, Buffer.alloc(1)), { code: 'EAGAIN' });
    const pa = new Pipe(t.loop);
    const pb = new Pipe(t.loop);
    pa.open(a);
    pb.open(b);
    let got = '';
    pb.startRead((err, data) => {
      assert.equal(err, null);
      got += String(data);
      pa.close();
      pb.close();
    });
    pa.write('hello');
    t.loop.run();
    assert.equal(got, 'hello');
  });

  it("socketpair('dgram') keeps datagram boundaries (under UDP too)", () => {
    const [a, b] = socketpair('dgram', true);
    const u = new UDP(t.loop);
    u.open(b);
    fs.writeSync(a, 'one');
    fs.writeSync(a, 'two');
    const got: string[] = [];
    u.startRecv((err, data) => {
      assert.equal(err, null);
      if (data === null) return; // nothing more to read for now
      got.push(String(data));
      if (got.length === 2) u.close();
    });
    t.loop.run();
    fs.closeSync(a);
    assert.deepEqual(got, ['one', 'two']);
  });

  it('pipe() gives [read fd, write fd]; nonblock sets O_NONBLOCK on both', () => {
    const [r, w] = pipe();
    try {
      assert.equal(util.guessHandleType(r), util.guessHandleType(w));
      fs.writeSync(w, 'abc');
      const buf = Buffer.alloc(8);
      assert.equal(fs.readSync(r, buf), 3);
      assert.equal(fcntlFlags(r) & 0o4000, 0);
      assert.equal(fdFlags(r) & 1, 1, 'close-on-exec');
      assert.throws(() => fs.writeSync(r, 'x'), { code: 'EBADF' }, 'the read end is not writable');
    } finally {
      fs.closeSync(r);
      fs.closeSync(w);
    }
    const [r2, w2] = pipe(true);
    assert.equal(fcntlFlags(r2) & 0o4000, 0o4000);
    assert.equal(fcntlFlags(w2) & 0o4000, 0o4000);
    assert.throws(() => fs.readSync(r2, Buffer.alloc(1)), { code: 'EAGAIN' });
    fs.closeSync(r2);
    fs.closeSync(w2);
  });

  it('bad arguments throw before any fd is made', () => {
    const fds = openFds();
    throwsLike(() => socketpair('seqpacket' as 'stream'), TypeError, { code: 'ERR_INVALID_ARG_VALUE' });
    throwsLike(() => socketpair('stream', 1 as unknown as boolean), TypeError);
    throwsLike(() => pipe('yes' as unknown as boolean), TypeError);
    assert.equal(openFds(), fds);
  });

  it('running out of fds is UVError EMFILE', () => {
    const r = runWith({}, `
      const uv = require('./');
      const held = [];
      let err = null;
      for (let i = 0; i < 1000 && err === null; i++) {
        try { held.push(...(i % 2 ? uv.pipe() : uv.socketpair())); } catch (e) { err = e; }
      }
      console.log(JSON.stringify({ name: err && err.constructor.name, code: err && err.code, syscall: err && err.syscall }));
    `, 200);
    assert.equal(r.status, 0, r.stderr);
    const got = JSON.parse(r.stdout.trim().split('\n').pop()!);
    assert.equal(got.name, 'UVError');
    assert.equal(got.code, 'EMFILE');
    assert.ok(got.syscall === 'uv_pipe' || got.syscall === 'uv_socketpair', got.syscall);
  });
});

describe('util thread affinity', () => {
  it('cpumaskSize(), threadGetAffinity(), threadGetCPU()', () => {
    const size = util.cpumaskSize();
    assert.ok(Number.isInteger(size) && size >= 1, String(size));
    const mask = util.threadGetAffinity();
    assert.equal(mask.length, size);
    assert.ok(mask.every((x) => typeof x === 'boolean'));
    assert.ok(mask.filter(Boolean).length >= 1);
    const cpu = util.threadGetCPU();
    assert.ok(Number.isInteger(cpu) && cpu >= 0 && cpu < size);
    assert.equal(mask[cpu], true, 'runs on a CPU of its mask');
  });

  it('threadSetAffinity() pins the calling thread only, returns the old mask; EINVAL for no CPU', async () => {
    // In a worker, so the main thread's mask never changes.
    const w = new Worker(
      `const uv = require(${JSON.stringify(require.resolve('../dist/index.js'))});
       const { parentPort } = require('worker_threads');
       const before = uv.util.threadGetAffinity();
       const first = before.indexOf(true);
       const only = []; only[first] = true;
       for (let i = 0; i < first; i++) only[i] = false;
       const old = uv.util.threadSetAffinity(only);
       const now = uv.util.threadGetAffinity();
       const cpu = uv.util.threadGetCPU();
       let err = null;
       try { uv.util.threadSetAffinity([]); } catch (e) { err = { cls: e.constructor.name, code: e.code, syscall: e.syscall }; }
       parentPort.postMessage({ first, same: JSON.stringify(old) === JSON.stringify(before),
         count: now.filter(Boolean).length, on: now[first], cpu, err, after: uv.util.threadGetAffinity()[first] });`,
      { eval: true },
    );
    const got = await new Promise<any>((resolve, reject) => {
      w.once('message', resolve);
      w.once('error', reject);
    });
    await new Promise((resolve) => w.once('exit', resolve));
    assert.equal(got.same, true, 'returns the previous mask');
    assert.equal(got.count, 1);
    assert.equal(got.on, true);
    assert.equal(got.cpu, got.first, 'runs on the one CPU it may use');
    assert.deepEqual(got.err, { cls: 'UVError', code: 'EINVAL', syscall: 'uv_thread_setaffinity' });
    assert.equal(got.after, true, 'a failed call leaves the mask');
    assert.ok(util.threadGetAffinity().filter(Boolean).length >= 1);
  });

  it('bad masks throw TypeError/RangeError', () => {
    throwsLike(() => util.threadSetAffinity('1' as unknown as boolean[]), TypeError, { code: 'ERR_INVALID_ARG_TYPE' });
    throwsLike(() => util.threadSetAffinity([1] as unknown as boolean[]), TypeError);
    throwsLike(() => util.threadSetAffinity(new Array(util.cpumaskSize() + 1).fill(true)), RangeError, {
      code: 'ERR_OUT_OF_RANGE',
    });
  });
});

describe('UVKIT_DEBUG_RUN', () => {
  const blocked = `
    const uv = require('./');
    const fs = require('fs');
    const loop = new uv.Loop();
    const server = new uv.TCP(loop);
    server.bind('127.0.0.1', 0);
    server.listen(() => {}, 5);
    const port = server.getsockname().port;
    const [rfd, wfd] = uv.pipe(true);
    const p = new uv.Pipe(loop); p.open(rfd); p.startRead(() => {});
    const t = new uv.Timer(loop); t.start(() => {}, 60000, 0);
    const bg = new uv.Timer(loop); bg.start(() => {}, 50000, 0); bg.ref = false;
    const idle = new uv.Prepare(loop);
    const stop = new uv.Timer(loop);
    stop.start(() => { for (const h of loop.handles) h.close(); fs.closeSync(wfd); }, 2600, 0);
    console.log('port', port);
    loop.run();
    console.log('returned');
    loop.close();
  `;

  it('a blocked run() reports what it waits for on stderr, again while it lasts', () => {
    const r = runWith({}, blocked);
    assert.equal(r.status, 0, r.stderr);
    assert.equal(r.stderr, '', 'nothing without the variable');
    const d = runWith({ UVKIT_DEBUG_RUN: '1' }, blocked);
    assert.equal(d.status, 0, d.stderr);
    assert.match(d.stdout, /returned/);
    const port = /port (\d+)/.exec(d.stdout)![1];
    const reports = d.stderr.split(/^(?=uvkit: Loop #)/m).filter((s) => s !== '');
    assert.equal(reports.length, 2, d.stderr); // at 1 s and 2 s, not after run() returned
    const first = reports[0];
    assert.match(first, /^uvkit: Loop #1 has been in run\(\) for 1\.\d s \(pid \d+\); it waits for:/);
    assert.match(first, new RegExp(`TCP \\(active, ref, fd \\d+, local 127\\.0\\.0\\.1:${port}\\)`));
    assert.match(first, /Pipe \(active, ref, fd \d+/);
    assert.match(first, /Timer \(active, ref, due in (5\d{4}|60000) ms\)/);
    assert.match(first, /Timer \(active, unref, due in (4\d{4}|50000) ms\)/);
    assert.match(first, /Timer \(active, ref, due in \d{1,4} ms\)/);
    assert.doesNotMatch(first, /Prepare/, 'inactive handles are only counted');
    assert.match(first, /\(1 inactive handle not listed\)/);
    assert.match(first, /libuv requests in flight \(fs, dns\): 0; queueWork jobs not done: 0/);
    assert.match(first, /^ {4}\[RA-\] tcp /m);
    assert.match(first, /^ {4}\[RA-\] pipe /m);
    assert.match(first, /^ {4}\[RA-\] timer /m, 'the timer driver');
    assert.equal(first.match(/\] timer /g)?.length, 1, 'the report timer does not list itself');
    assert.match(reports[1], /for 2\.\d s/);
  });

  it('counts fs requests and queueWork jobs in flight', () => {
    const dir = fs.mkdtempSync(`${require('os').tmpdir()}/uvkit-debug-`);
    const fifo = `${dir}/fifo`;
    require('child_process').execFileSync('mkfifo', [fifo]);
    try {
      const d = runWith({ UVKIT_DEBUG_RUN: '1,5' }, `
        const uv = require('./');
        const fs = require('fs');
        const loop = new uv.Loop();
        uv.fs.open(loop, ${JSON.stringify(fifo)}, fs.constants.O_RDONLY, 0, (err, fd) => uv.fs.close(loop, fd));
        loop.queueWork(() => { const t = Date.now(); while (Date.now() - t < 1600); return 1; }, [], () => {});
        new uv.Timer(loop).start((h) => {
          fs.closeSync(fs.openSync(${JSON.stringify(fifo)}, fs.constants.O_WRONLY | fs.constants.O_NONBLOCK));
          h.close();
        }, 1500, 0);
        loop.run();
        loop.close();
        process.exit(0);
      `);
      assert.equal(d.status, 0, d.stderr);
      assert.equal((d.stderr.match(/^uvkit: Loop #1/gm) ?? []).length, 1, d.stderr);
      assert.match(d.stderr, /libuv requests in flight \(fs, dns\): 1; queueWork jobs not done: 1/);
    } finally {
      fs.rmSync(dir, { recursive: true });
    }
  });

  it('accepts <after>,<every>; ignores values that are not positive numbers', () => {
    const script = `
      const uv = require('./');
      const loop = new uv.Loop();
      new uv.Timer(loop).start((h) => h.close(), 1100, 0);
      loop.run();
      loop.close();
    `;
    const a = runWith({ UVKIT_DEBUG_RUN: '0.3,0.3' }, script);
    assert.equal(a.status, 0, a.stderr);
    const n = (a.stderr.match(/^uvkit: Loop #1/gm) ?? []).length;
    assert.ok(n >= 2 && n <= 4, a.stderr);
    for (const v of ['0', '-1', 'abc']) {
      const b = runWith({ UVKIT_DEBUG_RUN: v }, script);
      assert.equal(b.status, 0, b.stderr);
      assert.equal(b.stderr, '');
    }
  });
});

// Runs `script` in a child Node (in the package root: require('./') is
// uvkit) with `env` added, and an fd limit if given.
function runWith(env: Record<string, string>, script: string, nofile?: number) {
  const args = nofile === undefined
    ? [process.execPath, ['-e', script]] as const
    : ['/bin/sh', ['-c', `ulimit -n ${nofile} && exec "$0" -e "$1"`, process.execPath, script]] as const;
  return spawnSync(args[0], [...args[1]], {
    cwd: root, encoding: 'utf8', timeout: 20000, env: { ...process.env, ...env },
  });
}

// fcntl(F_GETFL) and F_GETFD, read from /proc (Node has no fcntl).
function fcntlFlags(fd: number): number {
  const info = fs.readFileSync(`/proc/self/fdinfo/${fd}`, 'utf8');
  return parseInt(/flags:\s*([0-7]+)/.exec(info)![1], 8);
}
function fdFlags(fd: number): number {
  return fcntlFlags(fd) & 0o2000000 ? 1 : 0; // O_CLOEXEC as fdinfo shows it
}

describe('util: time, memory, interfaces', () => {
  it('getAvailableMemory() is a positive number of bytes, at most the free memory of a limit or the system', () => {
    const m = util.getAvailableMemory();
    assert.ok(Number.isInteger(m) && m > 0, String(m));
    assert.ok(m <= util.getTotalMemory());
  });

  it("clockGettime('monotonic' | 'realtime') and gettimeofday()", () => {
    const mono = util.clockGettime();
    assert.ok(mono.sec >= 0 && mono.nsec >= 0 && mono.nsec < 1e9);
    const hr = Number(util.hrtime() / 1000000n);
    assert.ok(Math.abs(mono.sec * 1000 + mono.nsec / 1e6 - hr) < 1000, 'the monotonic clock is hrtime()');
    const real = util.clockGettime('realtime');
    assert.ok(Math.abs(real.sec * 1000 + real.nsec / 1e6 - Date.now()) < 1000);
    const tv = util.gettimeofday();
    assert.ok(tv.usec >= 0 && tv.usec < 1e6);
    assert.ok(Math.abs(tv.sec * 1000 + tv.usec / 1000 - Date.now()) < 1000);
    throwsLike(() => util.clockGettime('cpu' as 'realtime'), TypeError, { code: 'ERR_INVALID_ARG_VALUE' });
  });

  it('sleep(ms) blocks the calling thread', () => {
    const start = Date.now();
    util.sleep(30);
    assert.ok(Date.now() - start >= 25);
    util.sleep(0);
    throwsLike(() => util.sleep(-1), RangeError);
    throwsLike(() => util.sleep('1' as unknown as number), TypeError);
  });

  it('ifIndexToName() / ifIndexToIid(): interface 1 (loopback) has a name; ENXIO for none', () => {
    const name = util.ifIndexToName(1);
    assert.ok(typeof name === 'string' && name.length > 0);
    assert.equal(util.ifIndexToIid(1), name, 'on Unix the iid is the name');
    throwsLike(() => util.ifIndexToName(0x7ffffff0), UVError, { code: 'ENXIO', syscall: 'uv_if_indextoname' });
    throwsLike(() => util.ifIndexToName(-1), RangeError);
  });
});
