// Regression tests of issue 11's native-safety items: every case here used to
// abort the process, hang, leak or send bytes the caller did not give.
import { strict as assert } from 'assert';
import { spawnSync } from 'child_process';
import * as path from 'path';
import { Idle, Timer } from '../lib/index';
import { root, useLoop } from './helpers';

// Runs a script in a child Node (cwd: the package root) with extra env.
function child(script: string, env: Record<string, string> = {}, timeout = 60000) {
  return spawnSync(process.execPath, ['--expose-gc', '-e', script], {
    cwd: root, encoding: 'utf8', timeout, env: { ...process.env, ...env },
  });
}

describe('hardening (issue 11)', function () {
  this.timeout(60000);
  const t = useLoop();

  describe('item 2: a callback throwing a non-object', () => {
    for (const value of ['a string', 42, undefined, null, false, 0n]) {
      it(`run() rethrows ${String(value)} as that value, excepthook gets it as is`, () => {
        const idle = new Idle(t.loop);
        idle.start(() => {
          idle.stop();
          throw value;
        });
        let caught: unknown = 'nothing';
        try {
          t.loop.run();
        } catch (err) {
          caught = err;
        }
        assert.equal(caught, value);
        const seen: unknown[] = [];
        t.loop.excepthook = (err) => seen.push(err);
        const timer = new Timer(t.loop);
        timer.start(() => { throw value; }, 0);
        idle.start(() => {
          idle.stop();
          throw value;
        });
        assert.equal(t.loop.run(), false);
        assert.deepEqual(seen, [value, value]);
      });
    }
  });

  describe('item 8: queueWork with an uncloneable argument', () => {
    it('gives the DataCloneError with its message', () => {
      let got = null as Error | null;
      t.loop.queueWork((f: unknown) => f, [() => 1], (err) => (got = err));
      t.loop.run();
      assert.ok(got instanceof Error, String(got));
      assert.equal(got.name, 'DataCloneError');
      assert.match(got.message, /could not be cloned/);
    });
  });

  describe('item 5: a pool thread that dies mid-job', () => {
    // In a child: before the fix run() never returned. (Running out of memory
    // ends the thread the same way, through its teardown, but costs the
    // machine gigabytes: not run here.)
    const cases: Array<[string, string]> = [
      ['calls process.exit()', '() => process.exit(7)'],
      ['throws at the top level',
        "() => { setTimeout(() => { throw new Error('thrown at the top level'); }, 0); return new Promise(() => {}); }"],
    ];
    for (const [label, work] of cases) {
      it(`fails its job with an error that says so when the work ${label}; the pool goes on`, () => {
        const res = child(`
          const uv = require('./');
          const loop = new uv.Loop();
          let first = 'not called';
          loop.queueWork(${work}, [], (err) => (first = err));
          loop.run(); // returns: done ran, the loop is no longer kept alive
          // The dead thread is replaced: more jobs than threads all finish.
          const results = [];
          for (let i = 0; i < 6; i++) loop.queueWork((n) => n * 2, [i], (err, r) => results.push(r));
          loop.run();
          loop.close();
          console.log(JSON.stringify({ code: first.code, message: first.message, results: results.sort((a, b) => a - b) }));
        `, {}, 40000);
        assert.equal(res.signal, null, `killed by ${res.signal} (hung): ${res.stderr.slice(0, 1000)}`);
        assert.equal(res.status, 0, res.stderr.slice(0, 2000));
        const out = JSON.parse(res.stdout);
        assert.equal(out.code, 'ERR_WORKER_DIED');
        assert.match(out.message, /ended before the job finished/);
        assert.deepEqual(out.results, [0, 2, 4, 6, 8, 10]);
      });
    }
  });

  describe('item 4: writes own their bytes', () => {
    // In a child (fresh heap): the clone's memory is reliably freed there.
    const detached = (mode: string) => {
      const res = spawnSync(process.execPath, ['--expose-gc', path.join(__dirname, 'fixtures', 'detach.js'), mode], {
        cwd: root, encoding: 'utf8', timeout: 30000,
      });
      assert.equal(res.status, 0, res.stderr);
      return JSON.parse(res.stdout);
    };

    it('TCP: a queued write whose ArrayBuffer is detached still sends the bytes given', () => {
      assert.deepEqual(detached('tcp'), { err: null, received: 16 * 1024 * 1024, bad: -1 });
    });

    it('TCP without a callback: the part not written at once is sent as given', () => {
      assert.deepEqual(detached('tcp-nocb'), { err: null, received: 16 * 1024 * 1024, bad: -1 });
    });

    it('UDP: a queued send whose ArrayBuffer is detached sends the datagram given', () => {
      assert.deepEqual(detached('udp'), { err: null, received: 60000, bad: -1, tail: 'end' });
    });

    it('fs.write: a queued write whose ArrayBuffer is detached writes the bytes given', () => {
      // One pool thread, held by an open of a FIFO with no writer, so the
      // write waits in the queue while its buffer is detached.
      const res = child(`
        const fs = require('fs'), os = require('os'), path = require('path'), cp = require('child_process');
        const uv = require('./');
        const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'uvkit-hard-'));
        const fifo = path.join(dir, 'fifo');
        cp.execFileSync('mkfifo', [fifo]);
        const loop = new uv.Loop();
        let fifoFd = -1;
        uv.fs.open(loop, fifo, fs.constants.O_RDONLY, 0, (err, fd) => { fifoFd = fd; });
        const file = path.join(dir, 'out');
        const fd = fs.openSync(file, 'w');
        const buf = Buffer.alloc(4 * 1024 * 1024, 0x44);
        let result;
        uv.fs.write(loop, fd, buf, 0, (err, n) => { result = err || n; });
        structuredClone(buf.buffer, { transfer: [buf.buffer] });
        gc();
        for (let i = 0; i < 8; i++) Buffer.alloc(4 * 1024 * 1024, 0xee);
        const w = fs.openSync(fifo, fs.constants.O_WRONLY | fs.constants.O_NONBLOCK);
        loop.run();
        fs.closeSync(w); fs.closeSync(fifoFd); fs.closeSync(fd);
        const data = fs.readFileSync(file);
        fs.rmSync(dir, { recursive: true });
        console.log(JSON.stringify({ result: String(result), size: data.length, good: data.every((b) => b === 0x44) }));
      `, { UV_THREADPOOL_SIZE: '1' });
      assert.equal(res.status, 0, res.stderr);
      assert.deepEqual(JSON.parse(res.stdout), { result: String(4 * 1024 * 1024), size: 4 * 1024 * 1024, good: true });
    });
  });

  describe('item 3: the caller closes an fd under a handle', () => {
    // In a child: before the fix libuv aborted the process (uv__epoll_ctl_prep).
    const run = (script: string) => {
      const res = child(`
        const fs = require('fs');
        const uv = require('./');
        const loop = new uv.Loop();
        const fifo = require('path').join(require('os').tmpdir(), 'uvkit-hard-' + process.pid);
        require('child_process').execFileSync('mkfifo', [fifo]);
        const fifoFd = () => fs.openSync(fifo, fs.constants.O_RDWR | fs.constants.O_NONBLOCK);
        const r = fifoFd(), w = fifoFd();
        const out = {};
        ${script}
        loop.run();
        try { fs.closeSync(w); } catch {}
        fs.unlinkSync(fifo);
        console.log(JSON.stringify(out));
      `, {}, 20000);
      assert.equal(res.signal, null, `killed by ${res.signal}: ${res.stderr.slice(0, 1000)}`);
      assert.equal(res.status, 0, res.stderr.slice(0, 2000));
      return JSON.parse(res.stdout);
    };

    it('Poll started, fd closed before the next iteration: the callback gets EBADF', () => {
      const out = run(`
        const poll = new uv.Poll(loop, r);
        poll.start(uv.UV_READABLE, (err, events) => { out.err = err && err.code; out.active = poll.active; poll.close(); });
        fs.writeSync(w, 'x');
        fs.closeSync(r);
      `);
      assert.deepEqual(out, { err: 'EBADF', active: false });
    });

    it('Poll running, fd closed, events changed: start() throws EBADF', () => {
      const out = run(`
        const poll = new uv.Poll(loop, r);
        poll.start(uv.UV_READABLE, () => {});
        loop.run(uv.UV_RUN_NOWAIT);
        fs.closeSync(r);
        try { poll.start(uv.UV_READABLE | uv.UV_WRITABLE, () => {}); } catch (e) { out.code = e.code; out.cls = e.constructor.name; }
        poll.close();
      `);
      assert.deepEqual(out, { code: 'EBADF', cls: 'PollError' });
    });

    it('Pipe.open(fd) + startRead(), fd closed before the next iteration: the read fails with EBADF', () => {
      const out = run(`
        const p = new uv.Pipe(loop);
        p.open(r);
        p.startRead((err, data) => { out.err = err && err.code; out.data = data; p.close(); });
        fs.writeSync(w, 'x');
        fs.closeSync(r);
      `);
      assert.deepEqual(out, { err: 'EBADF', data: null });
    });

    it('Pipe.open(fd), fd closed and its number reused: startRead() throws EBADF, close() leaves the new fd open', () => {
      const out = run(`
        const p = new uv.Pipe(loop);
        p.open(r);
        fs.closeSync(r);
        const r2 = fs.openSync(process.execPath, 'r'); // another file, the lowest free number: r again
        out.reused = r2 === r;
        try { p.startRead(() => {}); } catch (e) { out.code = e.code; }
        p.close();
        loop.run();
        out.open = (() => { try { fs.fstatSync(r2); return true; } catch { return false; } })();
        fs.closeSync(r2);
      `);
      assert.deepEqual(out, { reused: true, code: 'EBADF', open: true });
    });
  });

  describe('item 9: a worker that ends with an fs request stuck in the threadpool', () => {
    it('leaves no fd of its loop open (only the loop memory stays, for the request)', () => {
      const res = child(`
        const fs = require('fs'), os = require('os'), path = require('path'), cp = require('child_process');
        const { Worker } = require('worker_threads');
        const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'uvkit-hard-'));
        const fifo = path.join(dir, 'fifo');
        cp.execFileSync('mkfifo', [fifo]);
        const fds = () => fs.readdirSync('/proc/self/fd').length;
        const body = \`
          const uv = require(\${JSON.stringify(process.cwd())});
          const { parentPort } = require('worker_threads');
          const fs = require('fs');
          const loop = new uv.Loop();
          uv.fs.open(loop, \${JSON.stringify(fifo)}, fs.constants.O_RDONLY, 0, () => {});
          parentPort.postMessage('stuck');
        \`;
        const one = () => new Promise((resolve) => {
          const w = new Worker(body, { eval: true });
          w.on('message', () => w.terminate());
          w.on('exit', resolve);
        });
        (async () => {
          await one(); // warm: process-wide fds (the sink eventfd, the pool's)
          const before = fds();
          await one();
          await one();
          const after = fds();
          // Unblock the stuck opens so the pool threads are free again.
          for (let i = 0; i < 3; i++) fs.closeSync(fs.openSync(fifo, fs.constants.O_WRONLY | fs.constants.O_NONBLOCK));
          fs.rmSync(dir, { recursive: true });
          console.log(JSON.stringify({ leaked: after - before }));
        })();
      `, { UV_THREADPOOL_SIZE: '8' });
      assert.equal(res.status, 0, res.stderr.slice(0, 2000));
      // Before: 4 fds per worker (epoll, eventfd, signal pipe), and on
      // libuv >= 1.49 one more, the loop's io_uring ring (native/loop_rings.h).
      assert.deepEqual(JSON.parse(res.stdout), { leaked: 0 });
    });
  });

  describe('item 1: worker termination', () => {
    it('terminating workers at random moments (loading, running, attached, queueWork, process.exit) never aborts', () => {
      const res = spawnSync(process.execPath, [path.join(__dirname, 'fixtures', 'terminate.js'), '120'], {
        cwd: root, encoding: 'utf8', timeout: 90000,
      });
      assert.equal(res.signal, null, `killed by ${res.signal}: ${res.stderr.slice(0, 2000)}`);
      assert.equal(res.status, 0, res.stderr.slice(0, 2000));
      assert.match(res.stdout, /^ok 120/);
    });
  });
});
