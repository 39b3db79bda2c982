import { strict as assert } from 'assert';
import { inspect } from 'util';
import { Handle, HandleClosedError, HandleError, Loop, Prepare, TCP, TCPError, Timer, TimerError, UVError, errno } from '../lib/index';
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

  it('close() of a closing or closed handle does nothing; its callback runs once, after the close (issue 11)', () => {
    for (const make of [() => new Timer(t.loop), () => new Prepare(t.loop), () => new TCP(t.loop)]) {
      const h: Handle = make();
      const calls: string[] = [];
      h.close(() => calls.push(`first, loop ${h.loop === null ? 'null' : 'set'}`));
      h.close(); // closing: nothing
      h.close((x) => {
        assert.equal(x, h);
        calls.push(`second, loop ${h.loop === null ? 'null' : 'set'}`);
      });
      assert.equal(calls.length, 0);
      t.loop.run();
      assert.deepEqual(calls, ['first, loop null', 'second, loop null'], h.constructor.name);
      // Closed: close() does nothing, and a callback runs in the loop's close phase.
      h.close();
      h.close(() => calls.push('third'));
      assert.deepEqual(calls.length, 2, 'not called synchronously');
      t.loop.run();
      assert.deepEqual(calls.slice(2), ['third']);
      assert.equal(h.loop, null);
      t.loop.run();
      assert.equal(calls.length, 3, 'once');
      assert.throws(() => h.close(7 as any), { code: 'ERR_INVALID_ARG_TYPE' }); // arguments are still checked
    }
    assert.ok(new HandleClosedError() instanceof HandleError);
    assert.ok(new HandleClosedError() instanceof UVError);
  });

  it('"on error, close": closing in a connect callback after the socket was closed throws nothing (issue 11)', () => {
    const holder = new TCP(t.loop);
    holder.bind('127.0.0.1', 0);
    const client = new TCP(t.loop);
    let got: UVError | null = null;
    client.connect('127.0.0.1', holder.getsockname().port, (err) => {
      got = err;
      if (err) client.close(() => holder.close());
    });
    client.close(); // a timeout gave up on it first
    t.loop.run();
    assert.equal(got!.code, 'ECANCELED');
    assert.equal(holder.closed, true);
  });

  it('a close callback given to a closed handle of a closed loop runs on Node\'s loop', async () => {
    const loop = new Loop();
    const h = new Prepare(loop);
    h.close();
    loop.run();
    loop.close();
    let calls = 0;
    h.close((x) => {
      assert.equal(x, h);
      calls++;
    });
    assert.equal(calls, 0);
    await new Promise((r) => setImmediate(r));
    assert.equal(calls, 1);
  });

  it('HandleClosedError names the class and the method (issue 11)', () => {
    class MyTCP extends TCP {}
    const tcp = new TCP(t.loop);
    const mine = new MyTCP(t.loop);
    tcp.close();
    mine.close();
    throwsLike(() => tcp.write('x'), HandleClosedError, { code: 'EBADF', message: 'TCP.write(): handle is closed' });
    throwsLike(() => mine.bind('127.0.0.1', 0), HandleClosedError, { message: 'MyTCP.bind(): handle is closed' });
    throwsLike(() => (tcp.ref = true), HandleClosedError, { message: 'TCP.ref(): handle is closed' });
    const server = new TCP(t.loop);
    throwsLike(() => server.accept(tcp), HandleClosedError, { message: 'TCP.accept(): client is closed' });
  });

  it('util.inspect shows the class, the state and useful facts, never internals (issue 11)', () => {
    const internals = /_native|_loop|_queue|TimerQueue|_closeCallback|_home|\[Object: null prototype\]/;
    const server = new TCP(t.loop);
    server.bind('127.0.0.1', 0);
    server.listen(() => {});
    const port = server.getsockname().port;
    const text = inspect(server, { breakLength: Infinity });
    assert.equal(text, `TCP { active: true, ref: true, closed: false, fd: ${server.fileno()}, family: 'IPv4', local: '127.0.0.1:${port}' }`);
    const timer = new Timer(t.loop);
    timer.start(() => {}, 60000, 5);
    timer.ref = false;
    assert.match(inspect(timer), /^Timer \{ active: true, ref: false, closed: false, dueIn: \d+, repeat: 5 \}$/);
    const prepare = new Prepare(t.loop);
    prepare.close();
    assert.equal(inspect(prepare), 'Prepare { active: false, ref: true, closed: true, closing: true }');
    const all = inspect(t.loop.handles, { breakLength: Infinity });
    assert.doesNotMatch(all, internals);
    assert.doesNotMatch(all, /\[object Object\]/);
    assert.match(all, /^\[ \w+ \{.*\}, \w+ \{.*\}, \w+ \{.*\} \]$/s);
    for (const name of ['TCP', 'Timer', 'Prepare']) assert.match(all, new RegExp(`\\b${name} \\{ active`));
    assert.equal(String(server), '[object TCP]');
    assert.equal(inspect({ h: { deeper: timer } }, { depth: 1 }), '{ h: { deeper: [Timer] } }');
    assert.match(inspect(t.loop), /^Loop \{ alive: true, running: false, attached: false, handles: 3 \}$/);
    for (const h of [server, timer, prepare, t.loop]) assert.doesNotMatch(inspect(h, { showHidden: false }), internals);
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

  it('a handle with a native wrap is one object: the wrap\'s own, with its native methods under the lib/ class (session 8)', () => {
    const native = require('../lib/binding').binding;
    const tcp = new TCP(t.loop);
    const prepare = new Prepare(t.loop);
    for (const [h, cls, Native] of [[tcp, TCP, native.TCP], [prepare, Prepare, native.Prepare]] as const) {
      assert.ok(h instanceof Native, 'the wrapped object is the handle');
      assert.equal((h as unknown as { _native: unknown })._native, h);
      assert.ok(!Object.prototype.hasOwnProperty.call(h, '_native'));
      // Chain: the lib/ class, then the native class (only "_$" methods:
      // none can hide a lib/ method of a base), then the lib/ base.
      const nativeProto = Object.getPrototypeOf(cls.prototype);
      assert.equal(nativeProto, Native.prototype);
      const names = Object.getOwnPropertyNames(nativeProto).filter((n) => n !== 'constructor');
      assert.ok(names.length > 5 && names.every((n) => n.startsWith('_$')), names.join());
      assert.ok(h instanceof Handle);
    }
    // The lib/ methods of the bases are the ones that run.
    assert.equal(tcp.close, Handle.prototype.close);
    tcp.close();
    tcp.close(); // lib/'s idempotent close, not the native one (which would throw)
    prepare.close();
    t.loop.run();
  });

  it('a subclass of a wrapped handle type works as the type: its own fields, the native methods, its errors (session 8)', () => {
    class Server extends TCP {
      accepted = 0;
    }
    class Client extends TCP {
      got: Buffer[] = [];
    }
    const server = new Server(t.loop);
    server.bind('127.0.0.1', 0);
    let client: Client | null = null;
    server.listen((err) => {
      assert.equal(err, null);
      const c = new TCP(t.loop);
      server.accept(c);
      server.accepted++;
      c.write(Buffer.from('hello'));
      c.shutdown(() => c.close());
    });
    client = new Client(t.loop);
    client.connect('127.0.0.1', server.getsockname().port, (err) => {
      assert.equal(err, null);
      client!.startRead((e, data) => {
        if (data !== null) client!.got.push(data);
        else {
          client!.close();
          server.close();
        }
      });
    });
    assert.ok(client instanceof Client && client instanceof TCP && client instanceof Handle);
    assert.deepEqual(new Set(t.loop.handles), new Set([server, client]));
    t.loop.run();
    assert.equal(server.accepted, 1);
    assert.equal(Buffer.concat(client.got).toString(), 'hello');
    const unconnected = new Server(t.loop);
    unconnected.bind('127.0.0.1', 0);
    throwsLike(() => unconnected.getpeername(), TCPError, { code: 'ENOTCONN' }); // the class's own errors
    unconnected.close();
    assert.match(inspect(new Client(t.loop)), /^Client \{ active: false/);
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

  it('dropped idle wrapped handles are collected and closed: 10000 bound TCPs (each a socket) and Prepares, no socket kept (session 8)', function () {
    this.timeout(60000);
    const res = runNode(
      `const uv = require('./');
       const fs = require('fs');
       const sockets = () => fs.readdirSync('/proc/self/fd').filter((f) => {
         try { return fs.readlinkSync('/proc/self/fd/' + f).startsWith('socket:'); } catch { return false; }
       }).length;
       const loop = new uv.Loop();
       const s0 = sockets();
       let maxHandles = 0, maxSockets = 0;
       class Mine extends uv.TCP {}
       function make(n) { // in a function: no reference to the last one stays in the caller
         for (let i = 0; i < n; i++) {
           const t = new (i % 2 ? Mine : uv.TCP)(loop);
           t.bind('127.0.0.1', 0); // a socket of its own
           new uv.Prepare(loop);
         }
       }
       (async () => {
         for (let round = 0; round < 10; round++) {
           make(1000);
           maxHandles = Math.max(maxHandles, loop.handles.length);
           maxSockets = Math.max(maxSockets, sockets() - s0);
           global.gc();
           await new Promise((r) => setImmediate(r)); // finalizers run from Node's loop
           loop.run(); // lets the closes of collected handles land
         }
         for (let i = 0; i < 3; i++) {
           global.gc();
           await new Promise((r) => setImmediate(r));
           loop.run();
         }
         console.log(JSON.stringify({ maxHandles, maxSockets, left: loop.handles.length, socketDelta: sockets() - s0 }));
       })();`,
      { args: ['--expose-gc'], timeout: 60000 },
    );
    assert.equal(res.status, 0, res.stderr);
    const r = JSON.parse(res.stdout);
    assert.ok(r.maxSockets >= 1000, `the TCPs had sockets (${r.maxSockets})`);
    assert.ok(r.maxHandles <= 6000, `handles grew to ${r.maxHandles}`);
    assert.equal(r.left, 0);
    assert.equal(r.socketDelta, 0);
  });
});
