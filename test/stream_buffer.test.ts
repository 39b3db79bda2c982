import { strict as assert } from 'assert';
import * as fs from 'fs';
import * as net from 'net';
import * as os from 'os';
import * as path from 'path';
import { HandleClosedError, Loop, Pipe, StreamError, TCP, TCPError, Timer, UV_RUN_ONCE, UVError } from '../lib/index';
import { listenTCP, runBounded, runNode, throwsClosed, throwsLike, useLoop } from './helpers';

// startRead(cb, { buffer }): reads land in one caller's buffer (Node's
// onread), on TCP and Pipe (TTY: test/tty.test.ts; TLS refuses it:
// test/tls.test.ts).

/** Bytes that differ at every offset of a long stream (a skipped or repeated chunk shows). */
function pattern(size: number): Buffer {
  const b = Buffer.allocUnsafe(size);
  for (let i = 0; i < size; i++) b[i] = (i * 7 + (i >>> 10) * 13) & 255;
  return b;
}

/** A client to `server` that writes `data` (in one write) then closes; `then` after the connect. */
function sendAndClose(loop: Loop, server: TCP, data: Uint8Array | Uint8Array[]): TCP {
  const client = new TCP(loop);
  client.connect('127.0.0.1', server.getsockname().port, (err) => {
    assert.equal(err, null);
    client.write(data, (e) => {
      assert.equal(e, null);
      client.close();
    });
  });
  return client;
}

type Read = { err: UVError | null; nread: number; buffer: Uint8Array };

describe('Stream.startRead into a caller\'s buffer', () => {
  const t = useLoop();

  // Node opens a /dev/null fd for good with its first net socket: open it
  // before the fd count of a test.
  before((done) => {
    const s = net.connect(1, '127.0.0.1');
    s.on('error', () => done());
    s.on('connect', () => (s.destroy(), done()));
  });

  for (const [size, what] of [[1024, 'a 1 KiB Uint8Array'], [65536, 'a 64 KiB Buffer']] as const) {
    it(`TCP: 8 MiB arrive byte for byte in ${what}, always at offset 0, then EOF as (null, 0)`, () => {
      const data = pattern(8 << 20);
      const got = Buffer.alloc(data.length);
      let received = 0;
      let reads = 0;
      let eofs = 0;
      const buffer = size === 1024 ? new Uint8Array(size) : Buffer.alloc(size);
      const server = listenTCP(t.loop, '127.0.0.1', (c) => {
        c.startRead((err, nread, buf, h) => {
          assert.equal(err, null);
          assert.equal(buf, buffer);
          assert.equal(h, c);
          if (nread === 0) {
            eofs++;
            assert.equal(c.active, false, 'reading has stopped at EOF');
            c.close();
            server.close();
            return;
          }
          assert.ok(nread > 0 && nread <= size, `nread ${nread}`);
          got.set(buf.subarray(0, nread), received);
          received += nread;
          reads++;
        }, { buffer });
      });
      sendAndClose(t.loop, server, data);
      runBounded(t.loop);
      assert.equal(eofs, 1);
      assert.equal(received, data.length);
      assert.ok(got.equals(data), 'the bytes differ');
      assert.ok(reads >= data.length / size, `${reads} reads`);
    });
  }

  it('a view into a larger ArrayBuffer: reads land at the view\'s offset 0 and never past its end', () => {
    const ab = new ArrayBuffer(3000);
    const whole = new Uint8Array(ab);
    whole.fill(0xee);
    const view = new Uint8Array(ab, 1000, 1000);
    const data = pattern(300000);
    const got: Buffer[] = [];
    const server = listenTCP(t.loop, '127.0.0.1', (c) => {
      c.startRead((err, nread, buf) => {
        assert.equal(err, null);
        assert.equal(buf, view);
        if (nread === 0) return void (c.close(), server.close());
        assert.ok(nread <= 1000);
        got.push(Buffer.from(buf.subarray(0, nread)));
      }, { buffer: view });
    });
    sendAndClose(t.loop, server, data);
    runBounded(t.loop);
    assert.ok(Buffer.concat(got).equals(data));
    assert.ok(whole.subarray(0, 1000).every((b) => b === 0xee), 'written before the view');
    assert.ok(whole.subarray(2000).every((b) => b === 0xee), 'written past the view');
  });

  it('Pipe: 2 MiB arrive byte for byte, then EOF', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'uvkit-onread-'));
    try {
      const name = path.join(dir, 'p.sock');
      const data = pattern(2 << 20);
      const got: Buffer[] = [];
      let eof = false;
      const buffer = new Uint8Array(4096);
      const server = new Pipe(t.loop);
      server.bind(name);
      server.listen((err, s) => {
        assert.equal(err, null);
        const c = new Pipe(t.loop);
        s.accept(c);
        c.startRead((e, nread, buf, h) => {
          assert.equal(e, null);
          assert.equal(h, c);
          if (nread === 0) {
            eof = true;
            c.close();
            server.close();
            return;
          }
          got.push(Buffer.from(buf.subarray(0, nread)));
        }, { buffer });
      });
      const client = new Pipe(t.loop);
      client.connect(name, (err) => {
        assert.equal(err, null);
        client.write(data, () => client.close());
      });
      runBounded(t.loop);
      assert.equal(eof, true);
      assert.ok(Buffer.concat(got).equals(data));
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it('the function form: called once by startRead and after each read, rotating two buffers', () => {
    const data = pattern(1 << 20);
    const bufs = [new Uint8Array(1500), Buffer.alloc(700)];
    let calls = 0;
    const seen: Uint8Array[] = [];
    const got: Buffer[] = [];
    const server = listenTCP(t.loop, '127.0.0.1', (c) => {
      c.startRead((err, nread, buf) => {
        assert.equal(err, null);
        if (nread === 0) return void (c.close(), server.close());
        assert.equal(buf, bufs[(calls - 1) % 2], 'the read is in the buffer the function gave last');
        assert.ok(nread <= buf.length);
        seen.push(buf);
        got.push(Buffer.from(buf.subarray(0, nread)));
      }, { buffer: () => bufs[calls++ % 2] });
      assert.equal(calls, 1, 'startRead asks for the first buffer');
    });
    sendAndClose(t.loop, server, data);
    runBounded(t.loop);
    assert.ok(Buffer.concat(got).equals(data));
    assert.equal(calls, seen.length + 1, 'once per read, after it, and once at the start (none after EOF)');
    assert.ok(seen.includes(bufs[0]) && seen.includes(bufs[1]));
  });

  it('a read error is (err, 0, buffer) and ends reading', () => {
    const buffer = new Uint8Array(64);
    const reads: Read[] = [];
    let client: TCP | null = null;
    const server = listenTCP(t.loop, '127.0.0.1', (c) => {
      c.startRead((err, nread, buf) => {
        reads.push({ err, nread, buffer: buf });
        if (nread === 0) {
          assert.equal(c.active, false);
          c.close();
          server.close();
        }
      }, { buffer });
    });
    // The peer resets the connection: ECONNRESET for the reader.
    client = new TCP(t.loop);
    client.connect('127.0.0.1', server.getsockname().port, (err) => {
      assert.equal(err, null);
      client!.closeReset();
    });
    runBounded(t.loop);
    assert.equal(reads.length, 1);
    const r = reads[0];
    assert.ok(r.err instanceof TCPError, String(r.err));
    assert.equal(r.err!.code, 'ECONNRESET');
    assert.equal(r.err!.syscall, 'read');
    assert.equal(r.nread, 0);
    assert.equal(r.buffer, buffer);
  });

  it('stopRead() stops and drops nothing: a later startRead (either form) reads the rest', () => {
    const data = pattern(200000);
    const got: Buffer[] = [];
    const phases: string[] = [];
    const buffer = new Uint8Array(1000);
    const server = listenTCP(t.loop, '127.0.0.1', (c) => {
      c.startRead((err, nread, buf) => {
        assert.equal(err, null);
        got.push(Buffer.from(buf.subarray(0, nread)));
        phases.push('into');
        c.stopRead();
        assert.equal(c.active, false);
        const timer = new Timer(t.loop);
        timer.start(() => {
          timer.close();
          c.startRead((e, d) => {
            assert.equal(e, null);
            if (d === null) return void (c.close(), server.close());
            phases.push('default');
            got.push(d);
          });
        }, 20);
      }, { buffer });
    });
    sendAndClose(t.loop, server, data);
    runBounded(t.loop);
    assert.equal(phases[0], 'into');
    assert.equal(phases.filter((p) => p === 'into').length, 1, 'no read after stopRead');
    assert.ok(Buffer.concat(got).equals(data));
  });

  it('switching forms and buffers while reading, inside the read callback, loses and repeats nothing', () => {
    // The client sends message i only once the server has acknowledged
    // message i - 1; the server switches form after each message.
    const size = 10000;
    const messages = [0, 1, 2, 3, 4].map((i) => Buffer.alloc(size, 0x41 + i));
    const a = new Uint8Array(3000);
    const b = Buffer.alloc(5000);
    const byPhase: string[][] = [[], [], [], [], []];
    let phase = 0;
    let inPhase = 0;
    const got: Buffer[] = [];
    const server = listenTCP(t.loop, '127.0.0.1', (c) => {
      const account = (n: number, how: string) => {
        byPhase[phase].push(how);
        inPhase += n;
        if (inPhase < size) return;
        assert.equal(inPhase, size, 'no byte of the next message before the ack');
        inPhase = 0;
        phase++;
        start[phase]?.();
        c.write('k');
      };
      const into = (name: string) => (err: UVError | null, nread: number, buf: Uint8Array) => {
        assert.equal(err, null);
        if (nread === 0) return void (c.close(), server.close());
        assert.equal(buf, name === 'a' ? a : b);
        got.push(Buffer.from(buf.subarray(0, nread)));
        account(nread, name);
      };
      const plain = (err: UVError | null, data: Buffer | null) => {
        assert.equal(err, null);
        if (data === null) return void (c.close(), server.close());
        got.push(data);
        account(data.length, 'default');
      };
      const start: Array<() => void> = [
        () => c.startRead(into('a'), { buffer: a }),
        () => c.startRead(plain),
        () => c.startRead(into('b'), { buffer: b }),
        () => c.startRead(into('a'), { buffer: a }),
        () => c.startRead(plain),
      ];
      start[0]();
    });
    const client = new TCP(t.loop);
    let sent = 0;
    client.connect('127.0.0.1', server.getsockname().port, (err) => {
      assert.equal(err, null);
      client.write(messages[sent++]);
      client.startRead((e, d) => {
        assert.equal(e, null);
        if (d === null) return;
        if (sent < messages.length) client.write(messages[sent++]);
        else client.close();
      });
    });
    runBounded(t.loop);
    assert.ok(Buffer.concat(got).equals(Buffer.concat(messages)));
    assert.deepEqual(byPhase.map((p) => [...new Set(p)]), [['a'], ['default'], ['b'], ['a'], ['default']]);
  });

  it('validates options, options.buffer and the function\'s result with Node\'s codes; a refused call starts nothing', () => {
    const c = new TCP(t.loop);
    const cb = () => {};
    const start = (options: unknown) => () => c.startRead(cb, options as never);
    throwsLike(start(null), TypeError, { code: 'ERR_INVALID_ARG_TYPE' });
    throwsLike(start(7), TypeError, { code: 'ERR_INVALID_ARG_TYPE' });
    throwsLike(start({}), TypeError, { code: 'ERR_INVALID_ARG_TYPE' });
    throwsLike(() => c.startRead(7 as never, { buffer: new Uint8Array(1) }), TypeError, { code: 'ERR_INVALID_ARG_TYPE' });
    for (const bad of [new DataView(new ArrayBuffer(8)), new Uint16Array(8), new Uint8ClampedArray(8), new Int8Array(8),
      new ArrayBuffer(8), 'text', [1, 2, 3]]) {
      throwsLike(start({ buffer: bad }), TypeError, { code: 'ERR_INVALID_ARG_TYPE' });
    }
    assert.throws(start({ buffer: new DataView(new ArrayBuffer(8)) }),
      /The "options\.buffer" property must be of type function or an instance of Uint8Array\. Received an instance of DataView/);
    throwsLike(start({ buffer: new Uint8Array(0) }), RangeError, { code: 'ERR_INVALID_ARG_VALUE' });
    throwsLike(start({ buffer: Buffer.alloc(0) }), RangeError, { code: 'ERR_INVALID_ARG_VALUE' });
    const detached = new Uint8Array(16);
    structuredClone(detached.buffer, { transfer: [detached.buffer] });
    throwsLike(start({ buffer: detached }), RangeError, { code: 'ERR_INVALID_ARG_VALUE' });
    for (const bad of [undefined, new Uint16Array(4), new Uint8Array(0), 'x']) {
      throwsLike(start({ buffer: () => bad }), TypeError, { code: 'ERR_INVALID_RETURN_VALUE' });
    }
    const boom = new Error('boom');
    assert.throws(start({ buffer: () => { throw boom; } }), (e) => e === boom);
    // An unconnected TCP: the buffer is fine, libuv refuses (ENOTCONN), nothing reads.
    throwsLike(start({ buffer: new Uint8Array(8) }), TCPError, { code: 'ENOTCONN', syscall: 'read' });
    assert.equal(c.active, false);
    c.close();
    throwsClosed(start({ buffer: new Uint8Array(8) }), 'TCP', 'startRead');
    assert.throws(start({ buffer: new Uint8Array(8) }), HandleClosedError);
  });

  describe('a detached or shrunk buffer: ENOBUFS, reading stops', () => {
    function detachCase(when: 'inside' | 'transfer' | 'before' | 'shrink' | 'timer') {
      const reads: Read[] = [];
      // 'shrink': a resizable ArrayBuffer, and a view that tracks its length
      const ab = when === 'shrink'
        ? new (ArrayBuffer as any)(4096, { maxByteLength: 8192 }) as ArrayBuffer & { resize(n: number): void }
        : new ArrayBuffer(4096);
      const buffer = new Uint8Array(ab);
      const server = listenTCP(t.loop, '127.0.0.1', (c) => {
        c.startRead((err, nread, buf) => {
          reads.push({ err, nread, buffer: buf });
          if (nread === 0) {
            assert.equal(c.active, false, 'reading has stopped');
            c.close();
            server.close();
            return;
          }
          if (reads.length !== 1) return;
          if (when === 'inside') structuredClone(ab, { transfer: [ab] });
          if (when === 'transfer') (ab as any).transfer();
          if (when === 'shrink') (ab as any).resize(0);
          if (when === 'timer') {
            // from JavaScript that is not this stream's: before the second write
            const timer = new Timer(t.loop);
            timer.start(() => {
              timer.close();
              structuredClone(ab, { transfer: [ab] });
            }, 5);
          }
        }, { buffer });
        if (when === 'before') structuredClone(ab, { transfer: [ab] });
      });
      // Two writes far enough apart to be two reads.
      const client = new TCP(t.loop);
      client.connect('127.0.0.1', server.getsockname().port, (err) => {
        assert.equal(err, null);
        client.write('first', () => {
          const timer = new Timer(t.loop);
          timer.start(() => {
            timer.close();
            client.write('second', () => client.close());
          }, 30);
        });
      });
      runBounded(t.loop);
      return { reads, buffer };
    }

    const described = {
      inside: 'transferred (structuredClone) from inside the read callback',
      transfer: 'ArrayBuffer.prototype.transfer() from inside the read callback',
      shrink: 'a resizable ArrayBuffer shrunk to 0 in the callback',
      timer: 'transferred by a timer callback between two reads',
    };
    for (const when of ['inside', 'transfer', 'shrink', 'timer'] as const) {
      it(`${described[when]}: the next read is ENOBUFS`, function () {
        if (when === 'transfer' && typeof (ArrayBuffer.prototype as any).transfer !== 'function') this.skip(); // Node 20
        const { reads, buffer } = detachCase(when);
        assert.equal(reads.length, 2, JSON.stringify(reads.map((r) => [r.err?.code, r.nread])));
        assert.equal(reads[0].err, null);
        assert.equal(reads[0].nread, 5);
        const r = reads[1];
        assert.ok(r.err instanceof StreamError, String(r.err));
        assert.equal(r.err!.code, 'ENOBUFS');
        assert.equal(r.err!.syscall, 'read');
        assert.equal(r.nread, 0);
        assert.equal(r.buffer, buffer);
      });
    }

    it('transferred between startRead and the first read: the first read is ENOBUFS', () => {
      const { reads } = detachCase('before');
      assert.equal(reads.length, 1);
      assert.equal(reads[0].err!.code, 'ENOBUFS');
      assert.equal(reads[0].nread, 0);
    });

    it('a resizable ArrayBuffer shrunk between reads: reads fit the new length', () => {
      const ab = new (ArrayBuffer as any)(4096, { maxByteLength: 4096 }) as ArrayBuffer & { resize(n: number): void };
      const buffer = new Uint8Array(ab);
      const data = pattern(100000);
      const got: Buffer[] = [];
      let max = 0;
      const server = listenTCP(t.loop, '127.0.0.1', (c) => {
        c.startRead((err, nread, buf) => {
          assert.equal(err, null);
          if (nread === 0) return void (c.close(), server.close());
          if (got.length > 0) max = Math.max(max, nread);
          got.push(Buffer.from(buf.subarray(0, nread)));
          ab.resize(100);
        }, { buffer });
      });
      sendAndClose(t.loop, server, data);
      runBounded(t.loop);
      assert.ok(Buffer.concat(got).equals(data));
      assert.ok(max > 0 && max <= 100, `a read of ${max} bytes after the shrink`);
    });

    it('the function form returning a buffer detached since: the error is thrown to run(), reading stops', () => {
      const buffer = new Uint8Array(64);
      const reads: number[] = [];
      let c: TCP | null = null;
      const server = listenTCP(t.loop, '127.0.0.1', (conn) => {
        c = conn;
        conn.startRead((err, nread, buf) => {
          assert.equal(err, null);
          reads.push(nread);
          structuredClone(buf.buffer, { transfer: [buf.buffer as ArrayBuffer] });
        }, { buffer: () => buffer });
      });
      const client = sendAndClose(t.loop, server, Buffer.from('hello'));
      assert.throws(() => t.loop.run(), (e: any) => e instanceof TypeError && (e as any).code === 'ERR_INVALID_RETURN_VALUE');
      assert.deepEqual(reads, [5]);
      assert.equal(c!.active, false, 'reading has stopped');
      void client;
      server.close();
      c!.close();
      runBounded(t.loop);
    });
  });

  it('the function form throwing after a read: excepthook gets the error, reading stops, the read callback is not called again', () => {
    const boom = new Error('no buffer');
    const hooked: unknown[] = [];
    t.loop.excepthook = (err) => hooked.push(err);
    const reads: number[] = [];
    let calls = 0;
    let conn: TCP | null = null;
    const buffer = new Uint8Array(3);
    const server = listenTCP(t.loop, '127.0.0.1', (c) => {
      conn = c;
      c.startRead((err, nread) => {
        assert.equal(err, null);
        reads.push(nread);
      }, {
        buffer: () => {
          if (++calls === 3) throw boom;
          return buffer;
        },
      });
    });
    const client = sendAndClose(t.loop, server, Buffer.from('abcdefghij'));
    const timer = new Timer(t.loop);
    timer.start(() => {
      server.close();
      conn!.close();
    }, 100);
    runBounded(t.loop);
    t.loop.excepthook = null;
    void client;
    assert.deepEqual(hooked, [boom]);
    assert.deepEqual(reads, [3, 3], 'two reads, then the function threw');
  });

  it('close() inside the read callback, and from a timer while data is waiting: no callback after it', () => {
    for (const where of ['callback', 'timer']) {
      const buffer = new Uint8Array(10);
      let after = 0;
      let closed = false;
      let server: TCP | null = null;
      server = listenTCP(t.loop, '127.0.0.1', (c) => {
        c.startRead((err, nread) => {
          if (closed) after++;
          assert.equal(err, null);
          if (where === 'callback' && nread > 0) {
            c.close(() => (closed = true));
            closed = true;
            server!.close();
          }
        }, { buffer });
        if (where === 'timer') {
          const timer = new Timer(t.loop);
          timer.start(() => {
            timer.close();
            c.close();
            closed = true;
            server!.close();
          }, 30);
        }
      });
      const client = new TCP(t.loop);
      client.connect('127.0.0.1', server.getsockname().port, () => {
        client.write(pattern(1 << 20), () => {});
      });
      const stop = new Timer(t.loop);
      stop.start(() => (stop.close(), client.close()), 200);
      runBounded(t.loop);
      assert.equal(closed, true);
      assert.equal(after, 0, `${where}: a read callback after close`);
    }
  });

  it('allocates no ArrayBuffer per read: 10,000+ reads leave arrayBuffers flat', () => {
    const data = pattern(12 << 20);
    const buffer = new Uint8Array(1024);
    let reads = 0;
    let before = 0;
    let after = 0;
    const server = listenTCP(t.loop, '127.0.0.1', (c) => {
      c.startRead((err, nread) => {
        assert.equal(err, null);
        if (nread === 0) {
          after = process.memoryUsage().arrayBuffers;
          c.close();
          server.close();
          return;
        }
        if (++reads === 1) before = process.memoryUsage().arrayBuffers;
      }, { buffer });
    });
    global.gc?.();
    sendAndClose(t.loop, server, data);
    runBounded(t.loop);
    assert.ok(reads >= 10000, `${reads} reads`);
    // The default form would have made at least 12 MiB of ArrayBuffers here.
    assert.ok(after - before < 64 * 1024, `arrayBuffers grew by ${after - before} bytes over ${reads} reads`);
  });

  for (const how of ['stopRead', 'close', 'startRead']) {
    it(`the stream holds the buffer while reading, and ${how}() lets it go`, async function () {
      if (!global.gc) this.skip();
      const server = listenTCP(t.loop, '127.0.0.1', () => {});
      const c = new TCP(t.loop);
      let connected = false;
      c.connect('127.0.0.1', server.getsockname().port, (err) => {
        assert.equal(err, null);
        connected = true;
      });
      while (!connected) t.loop.run(UV_RUN_ONCE);
      // Made in a function of its own: only the stream may hold the buffer.
      const ref = ((): WeakRef<Uint8Array> => {
        const buf = new Uint8Array(128);
        c.startRead(() => {}, { buffer: buf });
        return new WeakRef(buf);
      })();
      const collected = async () => {
        await new Promise((r) => setImmediate(r)); // WeakRefs hold their target until the job ends
        global.gc!();
        return ref.deref() === undefined;
      };
      assert.equal(await collected(), false, 'collected while reading into it');
      if (how === 'stopRead') c.stopRead();
      else if (how === 'close') c.close();
      else c.startRead(() => {});
      assert.equal(await collected(), true, `still held after ${how}()`);
    });
  }

  it('attached to Node\'s loop: a net client\'s data arrives in the buffer', (done) => {
    const data = pattern(1 << 20);
    const got: Buffer[] = [];
    const buffer = Buffer.alloc(16384);
    let eof = false;
    const server = listenTCP(t.loop, '127.0.0.1', (c) => {
      c.startRead((err, nread, buf) => {
        assert.equal(err, null);
        if (nread > 0) return void got.push(Buffer.from(buf.subarray(0, nread)));
        eof = true;
        c.close();
        server.close();
      }, { buffer });
    });
    t.loop.attach();
    const sock = net.connect(server.getsockname().port, '127.0.0.1', () => sock.end(data));
    sock.on('close', () => {
      try {
        assert.equal(eof, true);
        assert.ok(Buffer.concat(got).equals(data));
        done();
      } catch (e) {
        done(e);
      }
    });
  });

  it('in a worker_thread, into a SharedArrayBuffer view', () => {
    const res = runNode(`
      const { Worker } = require('worker_threads');
      const body = \`
        const uv = require(${JSON.stringify(path.join(__dirname, '..'))});
        const { parentPort } = require('worker_threads');
        const loop = new uv.Loop();
        const server = new uv.TCP(loop);
        server.bind('127.0.0.1', 0);
        const buffer = new Uint8Array(new SharedArrayBuffer(512));
        let total = 0, sum = 0;
        server.listen((e, s) => {
          const c = new uv.TCP(loop);
          s.accept(c);
          c.startRead((err, n, buf) => {
            if (err) throw err;
            if (n === 0) return (c.close(), s.close());
            for (let i = 0; i < n; i++) sum = (sum + buf[i]) % 65521;
            total += n;
          }, { buffer });
        });
        const cl = new uv.TCP(loop);
        const data = Buffer.alloc(100000, 3);
        cl.connect('127.0.0.1', server.getsockname().port, () => cl.write(data, () => cl.close()));
        loop.run();
        loop.close();
        parentPort.postMessage(total + ' ' + sum);
      \`;
      new Worker(body, { eval: true }).on('message', (m) => console.log(m)).on('exit', (code) => console.log('exit ' + code));
    `);
    assert.equal(res.stderr, '');
    assert.equal(res.stdout, `100000 ${300000 % 65521}\nexit 0\n`);
  });
});
