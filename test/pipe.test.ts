import { strict as assert } from 'assert';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { spawnSync } from 'child_process';
import {
  HandleClosedError, Loop, Pipe, PipeError, StreamError, TCP, Timer, UVError,
  UV_NAMED_PIPE, UV_READABLE, UV_RUN_NOWAIT, UV_RUN_ONCE, UV_TCP, UV_UNKNOWN_HANDLE, UV_WRITABLE, errno,
} from '../lib/index';
import { libuvAtLeast, root, throwsClosed, throwsLike, useLoop } from './helpers';

describe('Pipe', () => {
  const t = useLoop();
  let dir = '';
  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'uvkit-pipe-'));
  });
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  /** A listening pipe server at `name` handing each connection (a Pipe with `ipc`) to onClient. */
  function serve(name: string, ipc: boolean, onClient: (c: Pipe) => void): Pipe {
    const server = new Pipe(t.loop);
    server.bind(name);
    server.listen((err, s) => {
      assert.equal(err, null);
      const c = new Pipe(t.loop, ipc);
      s.accept(c);
      onClient(c);
    });
    return server;
  }

  for (const kind of ['path', 'abstract']) {
    it(`echoes over a ${kind} name, with getsockname/getpeername`, () => {
      const name = kind === 'path' ? path.join(dir, 'echo.sock') : `\0uvkit-test-${process.pid}-${Date.now()}`;
      const server = serve(name, false, (c) => {
        assert.equal(c.getsockname(), name);
        c.startRead((err, data) => {
          assert.equal(err, null);
          if (data === null) return c.close();
          c.write(data);
        });
      });
      assert.equal(server.getsockname(), name);
      if (kind === 'path') assert.ok(fs.statSync(name).isSocket());
      if (kind === 'abstract') {
        // libuv < 1.48 pads an abstract name with NULs to the whole sun_path
        // (108 bytes), as Node's net does with that libuv; 1.48 on binds the
        // exact length. /proc shows each NUL as '@'.
        const line = fs.readFileSync('/proc/net/unix', 'utf8').split('\n').find((l) => l.includes(name.slice(1)))!;
        const shown = line.trim().split(/\s+/).pop();
        const bare = '@' + name.slice(1);
        assert.equal(shown, libuvAtLeast(48) ? bare : bare + '@'.repeat(108 - name.length));
      }
      const client = new Pipe(t.loop);
      const got: Buffer[] = [];
      let connects = 0;
      let writes = 0;
      client.connect(name, (err, h) => {
        connects++;
        assert.equal(err, null);
        assert.equal(h, client);
        assert.equal(client.getpeername(), name);
        client.write(['ping', Buffer.from([0, 0xff])], () => writes++);
        client.startRead((e, data) => {
          assert.equal(e, null);
          got.push(data!);
          if (Buffer.concat(got).length === 6) {
            client.close();
            server.close();
          }
        });
      });
      t.loop.run();
      assert.equal(connects, 1);
      assert.equal(writes, 1);
      assert.deepEqual(Buffer.concat(got), Buffer.concat([Buffer.from('ping'), Buffer.from([0, 0xff])]));
    });
  }

  it('a write without a callback that fails after the call goes to excepthook or run(), with err.handle (issue 11)', () => {
    // A FIFO whose reader is gone: write() tries at once (EPIPE), then libuv
    // reports the queued write's EPIPE from the loop.
    const fifo = path.join(dir, 'epipe.fifo');
    assert.equal(spawnSync('mkfifo', [fifo]).status, 0);
    for (const hooked of [false, true]) {
      const reader = fs.openSync(fifo, fs.constants.O_RDONLY | fs.constants.O_NONBLOCK);
      const writer = fs.openSync(fifo, fs.constants.O_WRONLY | fs.constants.O_NONBLOCK);
      fs.closeSync(reader);
      const p = new Pipe(t.loop);
      p.open(writer);
      const hookErrs: UVError[] = [];
      t.loop.excepthook = hooked ? (err) => void hookErrs.push(err as UVError) : null;
      p.write('nobody reads this'); // returns: the failure comes from the loop
      let thrown: unknown = null;
      try {
        t.loop.run();
      } catch (err) {
        thrown = err;
      }
      const err = (hooked ? hookErrs[0] : thrown) as UVError;
      assert.ok(err instanceof PipeError, String(err));
      assert.equal(err.code, 'EPIPE');
      assert.equal(err.syscall, 'write');
      assert.equal(err.handle, p);
      assert.ok(!Object.keys(err).includes('handle'), 'not shown when logged');
      assert.equal(hookErrs.length, hooked ? 1 : 0);
      if (hooked) assert.equal(thrown, null);
      p.close();
      t.loop.excepthook = null;
      t.loop.run();
    }
  });

  it('ENOENT for a missing name arrives in the connect callback as a PipeError naming the path', () => {
    const client = new Pipe(t.loop);
    const errs: (UVError | null)[] = [];
    const missing = path.join(dir, 'missing.sock');
    client.connect(missing, (err, h) => {
      assert.equal(h, client);
      errs.push(err);
      client.close();
    });
    t.loop.run();
    assert.equal(errs.length, 1);
    assert.ok(errs[0] instanceof PipeError);
    assert.ok(errs[0] instanceof StreamError);
    assert.equal(errs[0]!.code, 'ENOENT');
    assert.equal(errs[0]!.errno, errno.UV_ENOENT);
    assert.equal(errs[0]!.syscall, 'connect');
    assert.equal(errs[0]!.address, missing);
    assert.equal(errs[0]!.port, undefined);
    assert.ok(!('port' in errs[0]!));
    assert.equal(errs[0]!.message, `ENOENT: no such file or directory, connect ${missing}`);
  });

  it('bind errors: EADDRINUSE for a taken name, EACCES (libuv) for a missing directory, EINVAL for a too long path', () => {
    const name = path.join(dir, 'taken.sock');
    const a = new Pipe(t.loop);
    a.bind(name);
    const b = new Pipe(t.loop);
    throwsLike(() => b.bind(name), PipeError, {
      code: 'EADDRINUSE', errno: errno.UV_EADDRINUSE, syscall: 'bind', address: name,
      message: `EADDRINUSE: address already in use, bind ${name}`,
    });
    // libuv turns bind's ENOENT into EACCES, as on Windows.
    throwsLike(() => b.bind(path.join(dir, 'no', 'such.sock')), PipeError, {
      code: 'EACCES', errno: errno.UV_EACCES, syscall: 'bind',
    });
    throwsLike(() => b.bind(path.join(dir, 'x'.repeat(200))), PipeError, { code: 'EINVAL', syscall: 'bind' });
    throwsLike(() => a.bind(path.join(dir, 'again.sock')), PipeError, { code: 'EINVAL' });
  });

  it('an IPC pipe cannot listen (libuv EINVAL)', () => {
    const p = new Pipe(t.loop, true);
    p.bind(path.join(dir, 'ipc-listen.sock'));
    throwsLike(() => p.listen(() => {}), PipeError, { code: 'EINVAL', syscall: 'listen' });
  });

  it('chmod, pendingInstances and the ipc flag', () => {
    const name = path.join(dir, 'mode.sock');
    const p = new Pipe(t.loop);
    assert.equal(p.ipc, false);
    assert.equal(new Pipe(t.loop, true).ipc, true);
    throwsLike(() => p.chmod(UV_READABLE), PipeError, { code: 'EBADF', syscall: 'chmod' });
    p.bind(name);
    // The mode is set exactly on every libuv (1.46 would only add bits).
    fs.chmodSync(name, 0o600);
    p.chmod(UV_READABLE);
    assert.equal(fs.statSync(name).mode & 0o777, 0o444);
    p.chmod(UV_WRITABLE);
    assert.equal(fs.statSync(name).mode & 0o777, 0o222);
    p.chmod(UV_READABLE | UV_WRITABLE);
    assert.equal(fs.statSync(name).mode & 0o777, 0o666);
    p.pendingInstances(4);
    assert.equal(p.pendingHandleType(), UV_UNKNOWN_HANDLE);
    const abstract = new Pipe(t.loop);
    abstract.bind(`\0uvkit-chmod-${process.pid}`);
    throwsLike(() => abstract.chmod(UV_READABLE), PipeError, { code: 'ENOENT', syscall: 'chmod' });
  });

  it('open(fd) refuses fds epoll cannot watch (a file, /dev/null) instead of letting libuv abort', () => {
    for (const file of [__filename, '/dev/null']) {
      const fd = fs.openSync(file, 'r');
      const p = new Pipe(t.loop);
      throwsLike(() => p.open(fd), PipeError, { code: 'EINVAL', syscall: 'open' });
      p.close();
      fs.closeSync(fd);
    }
    t.loop.run();
  });

  it('open(fd) adopts a socket fd given by the parent process (child process)', () => {
    const script = `
      const { Loop, Pipe } = require('./');
      const loop = new Loop();
      const p = new Pipe(loop);
      p.open(3);
      p.write(['hello ', 'from fd 3'], (err) => { if (err) throw err; p.close(); });
      loop.run();
      loop.close();`;
    const res = spawnSync(process.execPath, ['-e', script], {
      cwd: root, encoding: 'utf8', timeout: 15000, stdio: ['pipe', 'pipe', 'pipe', 'pipe'],
    });
    assert.equal(res.stderr, '');
    assert.equal(res.status, 0);
    assert.equal(res.output[3], 'hello from fd 3');
  });

  describe('IPC handle passing', () => {
    /** An IPC pair in this process: `send` connected to `recv` through a bound name. */
    function ipcPair(ready: (send: Pipe, recv: Pipe) => void): void {
      const name = path.join(dir, 'ipc.sock');
      let send: Pipe | null = null;
      let recv: Pipe | null = null;
      const both = () => send !== null && recv !== null && ready(send, recv);
      const listener = serve(name, true, (c) => {
        listener.close();
        recv = c;
        both();
      });
      const s = new Pipe(t.loop, true);
      s.connect(name, (err) => {
        assert.equal(err, null);
        send = s;
        both();
      });
    }

    it('a listening TCP server sent over an IPC pipe (and closed by the sender at once) accepts on the receiving side', () => {
      const server = new TCP(t.loop);
      server.bind('127.0.0.1', 0);
      server.listen(() => assert.fail('the sender closed its copy'));
      const port = server.getsockname().port;
      let sent = 0;
      let received = '';
      ipcPair((send, recv) => {
        send.write('srv', (err, h) => {
          assert.equal(err, null);
          assert.equal(h, send);
          sent++;
        }, server);
        server.close(); // the socket travels on a private duplicate
        recv.startRead((err, data) => {
          assert.equal(err, null);
          assert.equal(data!.toString(), 'srv');
          assert.equal(recv.pendingHandleType(), UV_TCP);
          throwsLike(() => recv.accept(new Pipe(t.loop)), TypeError);
          const got = new TCP(t.loop);
          recv.accept(got);
          assert.equal(recv.pendingHandleType(), UV_UNKNOWN_HANDLE);
          assert.equal(got.getsockname().port, port);
          recv.close();
          send.close();
          got.listen((e, s) => {
            assert.equal(e, null);
            const conn = new TCP(t.loop);
            s.accept(conn);
            conn.startRead((re, d) => {
              if (d === null) {
                conn.close();
                got.close();
                return;
              }
              received += d.toString();
            });
          });
          const client = new TCP(t.loop);
          client.connect('127.0.0.1', port, (ce) => {
            assert.equal(ce, null);
            client.write('through the passed server', () => client.close());
          });
        });
      });
      t.loop.run();
      assert.equal(sent, 1);
      assert.equal(received, 'through the passed server');
    });

    it('a connected TCP socket and a Pipe can be sent; the receiver sees their types', () => {
      const server = new TCP(t.loop);
      server.bind('127.0.0.1', 0);
      let serverSide = '';
      server.listen((err, s) => {
        const c = new TCP(t.loop);
        s.accept(c);
        c.startRead((e, d) => {
          if (d === null) {
            c.close();
            server.close();
          } else serverSide += d.toString();
        });
      });
      const conn = new TCP(t.loop);
      const types: number[] = [];
      conn.connect('127.0.0.1', server.getsockname().port, () => {
        ipcPair((send, recv) => {
          send.write('tcp', null, conn);
          conn.close();
          send.write('pipe', () => send.close(), send); // a Pipe to send: the sender's own IPC end
          let step = 0;
          recv.startRead((err, data) => {
            if (data === null) return recv.close();
            types.push(recv.pendingHandleType());
            if (step++ === 0) {
              assert.equal(data.toString(), 'tcp');
              const got = new TCP(t.loop);
              recv.accept(got);
              got.write('hi from the receiver', () => got.close());
            } else {
              assert.equal(data.toString(), 'pipe');
              const got = new Pipe(t.loop, true);
              recv.accept(got);
              assert.equal(got.getsockname(), '');
              got.close();
            }
          });
        });
      });
      t.loop.run();
      assert.deepEqual(types, [UV_TCP, UV_NAMED_PIPE]);
      assert.equal(serverSide, 'hi from the receiver');
    });

    it('sendHandle errors: wrong type is a TypeError, a non-IPC pipe gives PipeError EINVAL', () => {
      const name = path.join(dir, 'plain.sock');
      const server = serve(name, false, (c) => c.close());
      const plain = new Pipe(t.loop);
      const tcp = new TCP(t.loop, 'IPv4');
      plain.connect(name, () => {
        throwsLike(() => plain.write('x', null, tcp), PipeError, { code: 'EINVAL', syscall: 'write' });
        assert.throws(() => plain.write('x', null, new Timer(t.loop) as any), TypeError);
        assert.throws(() => plain.write('x', null, {} as any), TypeError);
        const closed = new TCP(t.loop);
        closed.close();
        throwsLike(() => plain.write('x', null, closed), HandleClosedError);
        // A TCP handle with no socket has nothing to send.
        const ipc = new Pipe(t.loop, true);
        const fifo = path.join(dir, 'fifo');
        spawnSync('mkfifo', [fifo]);
        ipc.open(fs.openSync(fifo, fs.constants.O_RDWR | fs.constants.O_NONBLOCK));
        throwsLike(() => ipc.write('x', null, new TCP(t.loop)), PipeError, { code: 'EBADF' });
        plain.close();
        server.close();
      });
      t.loop.run();
    });
  });

  it('rejects wrong argument types and values before libuv', () => {
    const p = new Pipe(t.loop);
    const fn = () => {};
    assert.throws(() => new Pipe(t.loop, 1 as any), TypeError);
    assert.throws(() => p.bind(5 as any), TypeError);
    assert.throws(() => p.bind('a\0b'), TypeError);
    assert.throws(() => p.connect(null as any, fn), TypeError);
    assert.throws(() => p.connect('/x', 'cb' as any), TypeError);
    assert.throws(() => p.open(-1), RangeError);
    assert.throws(() => p.open(1.5), RangeError);
    assert.throws(() => p.pendingInstances(-1), RangeError);
    assert.throws(() => p.chmod(0), RangeError);
    assert.throws(() => p.chmod('rw' as any), TypeError);
    assert.throws(() => p.listen(fn, 'x' as any), TypeError);
    assert.throws(() => p.accept(undefined as any), TypeError);
    assert.throws(() => p.startRead(undefined as any), TypeError);
    assert.throws(() => p.write(undefined as any), TypeError);
    assert.throws(() => p.write([]), RangeError);
    assert.throws(() => p.write([null] as any), TypeError);
    assert.throws(() => p.write('x', 5 as any), TypeError);
    assert.throws(() => p.tryWrite({} as any), TypeError);
    assert.throws(() => p.shutdown({} as any), TypeError);
    assert.throws(() => p.setBlocking('no' as any), TypeError);
  });

  it('every method of a closed Pipe throws HandleClosedError naming it; close() does nothing', () => {
    const p = new Pipe(t.loop, true);
    const other = new Pipe(t.loop);
    p.close();
    const fn = () => {};
    for (const [method, call] of [
      ['bind', () => p.bind('/tmp/x')], ['connect', () => p.connect('/tmp/x', fn)], ['open', () => p.open(0)],
      ['pendingInstances', () => p.pendingInstances(1)], ['chmod', () => p.chmod(UV_READABLE)],
      ['getsockname', () => p.getsockname()], ['getpeername', () => p.getpeername()],
      ['pendingHandleType', () => p.pendingHandleType()], ['listen', () => p.listen(fn)], ['accept', () => p.accept(other)],
      ['startRead', () => p.startRead(fn)], ['stopRead', () => p.stopRead()], ['write', () => p.write('x')],
      ['write', () => p.write('x', fn, other)], ['tryWrite', () => p.tryWrite('x')], ['shutdown', () => p.shutdown()],
      ['setBlocking', () => p.setBlocking(false)], ['fileno', () => p.fileno()],
    ] as const) {
      throwsClosed(call, 'Pipe', method);
    }
    p.close();
    assert.equal(p.ipc, true);
    assert.equal(p.readable, false);
    assert.equal(p.writeQueueSize, 0);
  });

  describe('every method in every state works or throws a clear error', () => {
    const states = ['new', 'bound', 'listening', 'connecting', 'connected', 'closing'];
    const calls: Record<string, (p: Pipe, loop: Loop, name: string) => void> = {
      bind: (p, _l, name) => p.bind(name + '.other'),
      listen: (p) => p.listen(() => {}),
      connect: (p, _l, name) => p.connect(name, () => {}),
      accept: (p, loop) => p.accept(new Pipe(loop)),
      startRead: (p) => p.startRead(() => {}),
      stopRead: (p) => p.stopRead(),
      write: (p) => p.write('x', () => {}),
      writeHandle: (p, loop) => p.write('x', () => {}, new TCP(loop, 'IPv4')),
      tryWrite: (p) => p.tryWrite('x'),
      shutdown: (p) => p.shutdown(() => {}),
      setBlocking: (p) => p.setBlocking(true),
      open: (p) => p.open(0x7ffffff0),
      chmod: (p) => p.chmod(UV_WRITABLE),
      pendingInstances: (p) => p.pendingInstances(2),
      getsockname: (p) => p.getsockname(),
      getpeername: (p) => p.getpeername(),
      pendingHandleType: (p) => p.pendingHandleType(),
      fileno: (p) => p.fileno(),
      close: (p) => p.close(),
    };
    for (const state of states) {
      it(`state ${state}`, () => {
        const loop = t.loop;
        const name = path.join(dir, 'states.sock');
        const server = new Pipe(loop);
        server.bind(name);
        server.listen((err, s) => s.accept(new Pipe(loop)));
        let i = 0;
        for (const [method, call] of Object.entries(calls)) {
          const p = new Pipe(loop, state !== 'listening'); // libuv refuses listen() on an IPC pipe
          const own = path.join(dir, `own${i++}.sock`);
          if (state === 'bound') p.bind(own);
          if (state === 'listening') p.bind(own), p.listen(() => {});
          if (state === 'connecting') p.connect(name, () => {});
          if (state === 'closing') p.close();
          if (state === 'connected') {
            let ready = false;
            p.connect(name, () => (ready = true));
            while (!ready) loop.run(UV_RUN_ONCE);
          }
          try {
            call(p, loop, name);
          } catch (e) {
            assert.ok(e instanceof UVError || e instanceof TypeError, `${state}.${method}: ${String(e)}`);
            if (state === 'closing') assert.ok(e instanceof HandleClosedError, `${state}.${method}`);
          }
          loop.run(UV_RUN_NOWAIT);
        }
        for (const x of loop.handles) if (!x.closed) x.close();
        loop.run();
      });
    }
  });
});
