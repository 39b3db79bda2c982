import { strict as assert } from 'assert';
import {
  HandleClosedError, Loop, Pipe, StreamError, TCP, TCPError, Timer, UDP, UVError, UV_RUN_NOWAIT, UV_RUN_ONCE, UV_TCP_IPV6ONLY, errno,
} from '../lib/index';
import { spawnSync } from 'child_process';
import * as net from 'net';
import { listenTCP as listen, root, runNode, throwsClosed, throwsLike, useLoop } from './helpers';

/** Reads `c` to EOF, then closes it and calls done with everything read. */
function readAll(c: TCP, done: (data: Buffer, reads: number) => void): void {
  const chunks: Buffer[] = [];
  c.startRead((err, data, h) => {
    assert.equal(err, null);
    assert.equal(h, c);
    if (data === null) {
      c.close();
      done(Buffer.concat(chunks), chunks.length);
    } else {
      assert.ok(Buffer.isBuffer(data));
      chunks.push(data);
    }
  });
}

describe('TCP', () => {
  const t = useLoop();

  for (const ip of ['127.0.0.1', '::1']) {
    it(`echoes over ${ip} with the right addresses and callback counts`, () => {
      const family = ip === '::1' ? 'IPv6' : 'IPv4';
      const server = listen(t.loop, ip, (c) => {
        assert.deepEqual(c.getsockname().address, ip);
        c.startRead((err, data) => {
          assert.equal(err, null);
          if (data === null) {
            c.shutdown(() => c.close());
            return;
          }
          c.write(data);
        });
      });
      const addr = server.getsockname();
      assert.equal(addr.address, ip);
      assert.equal(addr.family, family);
      assert.ok(addr.port > 0);
      assert.equal(server.family, family);
      const client = new TCP(t.loop);
      let connects = 0;
      let writes = 0;
      let echoed: Buffer | null = null;
      client.connect(ip, addr.port, (err, h) => {
        connects++;
        assert.equal(err, null);
        assert.equal(h, client);
        assert.equal(client.readable, true);
        assert.equal(client.writable, true);
        assert.deepEqual(client.getpeername().port, addr.port);
        assert.equal(client.getpeername().family, family);
        client.write('hello ', (e) => {
          assert.equal(e, null);
          writes++;
        });
        client.write(Buffer.from('world'), () => writes++);
        client.shutdown((e) => {
          assert.equal(e, null);
          assert.equal(client.writable, false);
        });
        readAll(client, (data) => {
          echoed = data;
          server.close();
        });
      });
      t.loop.run();
      assert.equal(connects, 1);
      assert.equal(writes, 2);
      assert.equal(echoed!.toString(), 'hello world');
    });
  }

  it('1024 writes then close give 1024 callbacks, the unsent ones ECANCELED, before the close callback', () => {
    const chunk = Buffer.alloc(64 * 1024, 7); // 64 MiB in all: far more than socket buffers hold
    let peer: TCP | null = null;
    const server = listen(t.loop, '127.0.0.1', (c) => (peer = c)); // never reads
    const client = new TCP(t.loop);
    let calls = 0;
    let cancelled = 0;
    let closed = false;
    client.connect('127.0.0.1', server.getsockname().port, () => {
      for (let i = 0; i < 1024; i++) {
        client.write(chunk, (err, h) => {
          assert.equal(closed, false, 'write callback after close callback');
          assert.equal(h, client);
          calls++;
          if (err !== null) {
            assert.ok(err instanceof TCPError);
            assert.equal(err.code, 'ECANCELED');
            assert.equal(err.errno, errno.UV_ECANCELED);
            assert.equal(err.syscall, 'write');
            cancelled++;
          }
        });
      }
      assert.ok(client.writeQueueSize > 0);
      client.close(() => {
        closed = true;
        peer!.close();
        server.close();
      });
    });
    t.loop.run();
    assert.equal(calls, 1024);
    assert.ok(cancelled > 900, `only ${cancelled} cancelled`);
  });

  it('closing cancels a pending connect, and queued writes and shutdown: each callback once, ECANCELED', () => {
    const connecting = new TCP(t.loop);
    const connectErrs: (UVError | null)[] = [];
    // Closed before the loop runs: the connect cannot have completed.
    connecting.connect('127.0.0.1', 9, (err) => connectErrs.push(err));
    connecting.close();

    let peer: TCP | null = null;
    const server = listen(t.loop, '127.0.0.1', (c) => (peer = c));
    const client = new TCP(t.loop);
    const results: string[] = [];
    client.connect('127.0.0.1', server.getsockname().port, () => {
      const big = Buffer.alloc(64 << 20); // more than loopback buffers take
      client.write(big, (err) => results.push(`write ${err && err.code}`));
      client.shutdown((err) => results.push(`shutdown ${err && err.code}`));
      client.close(() => {
        results.push('close');
        peer!.close();
        server.close();
      });
    });
    t.loop.run();
    assert.equal(connectErrs.length, 1);
    assert.ok(connectErrs[0] instanceof TCPError);
    assert.equal(connectErrs[0]!.code, 'ECANCELED');
    assert.deepEqual(results, ['write ECANCELED', 'shutdown ECANCELED', 'close']);
  });

  it('accept into a handle that already has a socket throws TCPError EBUSY', () => {
    let err: unknown = null;
    const server = new TCP(t.loop);
    server.bind('127.0.0.1', 0);
    server.listen((e, s) => {
      try {
        s.accept(new TCP(t.loop, 'IPv4'));
      } catch (x) {
        err = x;
      }
      server.close();
    });
    const client = new TCP(t.loop);
    client.connect('127.0.0.1', server.getsockname().port, () => client.close());
    t.loop.run();
    assert.ok(err instanceof TCPError, String(err));
    assert.equal((err as UVError).code, 'EBUSY');
    assert.equal((err as UVError).syscall, 'accept');
  });

  it('a 12-buffer write arrives as one concatenated read', () => {
    const parts = Array.from({ length: 12 }, (_, i) => (i % 3 === 0 ? `s${i}` : Buffer.from(`b${i}|`)));
    const expected = Buffer.concat(parts.map((p) => Buffer.from(p)));
    let result: Buffer | null = null;
    let reads = 0;
    const server = listen(t.loop, '127.0.0.1', (c) =>
      readAll(c, (data, n) => {
        result = data;
        reads = n;
        server.close();
      }),
    );
    const client = new TCP(t.loop);
    let written = 0;
    client.connect('127.0.0.1', server.getsockname().port, () => {
      client.write(parts, (err) => {
        assert.equal(err, null);
        written++;
        client.close();
      });
    });
    t.loop.run();
    assert.equal(written, 1);
    assert.deepEqual(result, expected);
    assert.equal(reads, 1);
  });

  it('a large write without a callback is partly written at once and the rest queued, in order and intact', () => {
    const parts = [1, 3, 2, 5].map((mb, i) => {
      const b = Buffer.alloc(mb << 20);
      for (let j = 0; j < b.length; j += 4) b.writeUInt32LE((j * 2654435761 + i) >>> 0, j);
      return b;
    });
    const expected = Buffer.concat([...parts, Buffer.from('tail')]);
    let result: Buffer | null = null;
    const server = listen(t.loop, '127.0.0.1', (c) =>
      readAll(c, (data) => {
        result = data;
        server.close();
      }),
    );
    const client = new TCP(t.loop);
    let queued = 0;
    client.connect('127.0.0.1', server.getsockname().port, () => {
      client.write(parts);
      queued = client.writeQueueSize;
      client.write('tail');
      client.shutdown(() => client.close());
    });
    t.loop.run();
    assert.ok(queued > 0 && queued < expected.length - 4, `queued ${queued}`);
    assert.equal(result!.length, expected.length);
    assert.ok(result!.equals(expected));
  });

  it('passes NUL and 0xff bytes (every byte value) intact, in Buffers, Uint8Arrays and strings', () => {
    const all = Buffer.alloc(256);
    for (let i = 0; i < 256; i++) all[i] = i;
    const u8 = new Uint8Array([0, 0xff, 0, 0xff]);
    const str = 'a\0b\u00ff';
    const expected = Buffer.concat([all, Buffer.from(u8), Buffer.from(str, 'utf8')]);
    let result: Buffer | null = null;
    const server = listen(t.loop, '127.0.0.1', (c) =>
      readAll(c, (data) => {
        result = data;
        server.close();
      }),
    );
    const client = new TCP(t.loop);
    client.connect('127.0.0.1', server.getsockname().port, () => {
      client.write(all);
      client.write(u8);
      client.write(str, () => client.close());
    });
    t.loop.run();
    assert.deepEqual(result, expected);
  });

  it('tryWrite returns the bytes written and throws TCPError EAGAIN once the socket is full', () => {
    let peer: TCP | null = null;
    const server = listen(t.loop, '127.0.0.1', (c) => (peer = c));
    const client = new TCP(t.loop);
    let total = 0;
    let eagain: unknown = null;
    client.connect('127.0.0.1', server.getsockname().port, () => {
      assert.equal(client.tryWrite('abc'), 3);
      total = 3;
      const chunk = Buffer.alloc(256 * 1024);
      for (let i = 0; i < 10000 && eagain === null; i++) {
        try {
          const n = client.tryWrite([chunk, 'x']);
          assert.ok(n > 0 && n <= chunk.length + 1);
          total += n;
        } catch (e) {
          eagain = e;
        }
      }
      client.close();
      peer!.close();
      server.close();
    });
    t.loop.run();
    assert.ok(eagain instanceof TCPError, String(eagain));
    assert.ok(eagain instanceof StreamError);
    assert.equal((eagain as UVError).code, 'EAGAIN');
    assert.equal((eagain as UVError).errno, errno.UV_EAGAIN);
    assert.ok(total > 3);
  });

  it('reports EOF once as (null, null, handle) and stops reading', () => {
    let eofs = 0;
    const server = listen(t.loop, '127.0.0.1', (c) => {
      c.startRead((err, data, h) => {
        assert.equal(err, null);
        assert.equal(data, null);
        assert.equal(h, c);
        eofs++;
        assert.equal(c.active, false);
        c.close();
        server.close();
      });
    });
    const client = new TCP(t.loop);
    client.connect('127.0.0.1', server.getsockname().port, () => client.shutdown(() => client.close()));
    t.loop.run();
    assert.equal(eofs, 1);
  });

  it('a connection reset (closeReset) is a read error that stops reading', () => {
    const errors: UVError[] = [];
    const client = new TCP(t.loop);
    let closes = 0;
    const server = listen(t.loop, '127.0.0.1', (c) => {
      c.startRead((err, data) => {
        if (data !== null) {
          // The connection is established on both sides: reset it now.
          client.closeReset((h) => {
            assert.equal(h, client);
            closes++;
          });
          return;
        }
        errors.push(err!);
        assert.equal(c.active, false, 'still reading after an error');
        // Stays stopped: nothing more arrives even though the handle is open.
        const timer = new Timer(t.loop);
        timer.start(() => {
          timer.close();
          c.close();
          server.close();
        }, 20);
      });
    });
    client.connect('127.0.0.1', server.getsockname().port, () => client.write('x'));
    t.loop.run();
    assert.equal(closes, 1);
    assert.equal(errors.length, 1);
    assert.ok(errors[0] instanceof TCPError);
    assert.equal(errors[0].code, 'ECONNRESET');
    assert.equal(errors[0].errno, errno.UV_ECONNRESET);
    assert.equal(errors[0].syscall, 'read');
  });

  it('closeReset after shutdown() throws TCPError EINVAL and leaves the handle open', () => {
    const server = listen(t.loop, '127.0.0.1', (c) => c.close());
    const client = new TCP(t.loop);
    client.connect('127.0.0.1', server.getsockname().port, () => {
      client.shutdown();
      throwsLike(() => client.closeReset(), TCPError, { code: 'EINVAL' });
      assert.equal(client.closed, false);
      client.close();
      server.close();
    });
    t.loop.run();
  });

  it('writes without a callback made in a read callback reach the peer in order, whatever follows them', () => {
    // The server answers each message with writes made inside its read
    // callback (held until it returns, lib/stream.ts) mixed with calls that
    // must send a held write first; the client checks the bytes and order.
    const steps: ((c: TCP, n: number) => void)[] = [
      (c, n) => c.write(`a${n};`),
      (c, n) => {
        c.write(`b${n};`);
        c.write(`c${n};`, (err) => assert.equal(err, null));
        c.write(`d${n};`);
      },
      (c, n) => {
        c.write(`e${n};`);
        assert.equal(c.tryWrite(`f${n};`), 3);
        c.write([Buffer.from(`g`), Buffer.from(`${n};`)]);
        assert.equal(typeof c.writeQueueSize, 'number');
        c.write(`h${n};`);
      },
      (c, n) => {
        c.write(`i${n};`);
        c.shutdown();
      },
    ];
    let n = 0;
    let thrown: unknown = null;
    t.loop.excepthook = (err) => {
      thrown = err;
    };
    const server = listen(t.loop, '127.0.0.1', (c) => {
      c.startRead((err, data) => {
        assert.equal(err, null);
        if (data === null) return c.close();
        steps[n](c, n);
        n++;
        if (n === 2) throw new Error('after a write');
      });
    });
    const client = new TCP(t.loop);
    let got = '';
    client.connect('127.0.0.1', server.getsockname().port, (err) => {
      assert.equal(err, null);
      client.startRead((err, data) => {
        assert.equal(err, null);
        if (data === null) {
          client.close();
          server.close();
          return;
        }
        got += data.toString();
        // one request per complete answer
        if (/a0;$|d1;$|h2;$/.test(got)) client.write('next');
      });
      client.write('first');
    });
    t.loop.run();
    assert.equal(got, 'a0;b1;c1;d1;e2;f2;g2;h2;i3;');
    assert.equal((thrown as Error | null)?.message, 'after a write');
  });

  it('a large write held in a read callback (4 MiB) arrives whole, before a write made after it', () => {
    const big = Buffer.alloc(4 * 1024 * 1024);
    for (let i = 0; i < big.length; i += 4096) big.writeUInt32BE(i, i);
    const server = listen(t.loop, '127.0.0.1', (c) => {
      c.startRead((err, data) => {
        if (data === null) return c.close();
        c.write(big); // held, then copied into the loop's batch
        const timer = new Timer(t.loop);
        timer.start(() => {
          timer.close();
          c.write('end', () => c.shutdown());
        }, 0);
      });
    });
    const client = new TCP(t.loop);
    client.connect('127.0.0.1', server.getsockname().port, (err) => {
      assert.equal(err, null);
      readAll(client, (data) => {
        assert.equal(data.length, big.length + 3);
        assert.ok(data.subarray(0, big.length).equals(big));
        assert.equal(data.subarray(big.length).toString(), 'end');
        server.close();
      });
      client.write('go');
    });
    t.loop.run();
  });

  for (const how of ['close', 'closeReset'] as const) {
    it(`a write held in a read callback is sent before ${how}() ends the stream`, () => {
      const server = listen(t.loop, '127.0.0.1', (c) => {
        c.startRead((err, data) => {
          if (data !== null) {
            c.write('bye');
            c[how]();
          }
        });
      });
      const client = new TCP(t.loop);
      let got = '';
      let end: string | null = null;
      client.connect('127.0.0.1', server.getsockname().port, (err) => {
        assert.equal(err, null);
        client.startRead((e, data) => {
          if (data !== null) return void (got += data.toString());
          end = e === null ? 'EOF' : e.code;
          client.close();
          server.close();
        });
        client.write('hi');
      });
      t.loop.run();
      assert.equal(got, 'bye');
      // A reset may reach the client before or after it has read to the end.
      assert.ok(end === 'EOF' || (how === 'closeReset' && end === 'ECONNRESET'), String(end));
    });
  }

  it('a write without a callback that fails is reported: run() throws it, or excepthook gets it with err.handle (issue 11)', () => {
    for (const hooked of [false, true]) {
      // The server resets the connection once the client has said hello.
      const server = listen(t.loop, '127.0.0.1', (c) => c.startRead(() => c.closeReset()));
      const client = new TCP(t.loop);
      const hookErrs: UVError[] = [];
      t.loop.excepthook = hooked
        ? (err) => {
            hookErrs.push(err as UVError);
            (err as UVError).handle!.close();
          }
        : null;
      let readEnd = false;
      let syncErr: UVError | null = null;
      client.connect('127.0.0.1', server.getsockname().port, (err) => {
        assert.equal(err, null);
        client.write('hello', (err) => assert.equal(err, null));
        client.startRead((err, data) => {
          if (data !== null) return;
          readEnd = true; // EOF or ECONNRESET
          server.close();
          try {
            client.write('after the reset'); // no callback
          } catch (err) {
            syncErr = err as UVError; // libuv knew at once (after ECONNRESET it does)
          }
        });
      });
      let thrown: unknown = null;
      try {
        t.loop.run();
      } catch (err) {
        thrown = err;
      }
      assert.equal(readEnd, true, String(thrown));
      const err = (syncErr ?? (hooked ? hookErrs[0] : thrown)) as UVError;
      assert.ok(err instanceof TCPError, String(err));
      assert.ok(['EPIPE', 'ECONNRESET'].includes(err.code), err.code);
      assert.equal(err.syscall, 'write');
      if (syncErr === null) {
        assert.equal(err.handle, client);
        assert.ok(!Object.keys(err).includes('handle'), 'not shown when logged');
        assert.equal(hookErrs.length, hooked ? 1 : 0);
      }
      if (hooked) assert.equal(thrown, null);
      client.close();
      t.loop.excepthook = null;
      t.loop.run();
    }
  });

  it('ECONNREFUSED arrives in the connect callback as a TCPError naming the address', () => {
    // A port that is bound but not listening refuses connections.
    const holder = new TCP(t.loop);
    holder.bind('127.0.0.1', 0);
    const port = holder.getsockname().port;
    const client = new TCP(t.loop);
    const errs: (UVError | null)[] = [];
    client.connect('127.0.0.1', port, (err) => {
      errs.push(err);
      client.close();
      holder.close();
    });
    t.loop.run();
    assert.equal(errs.length, 1);
    assert.ok(errs[0] instanceof TCPError);
    assert.equal(errs[0]!.code, 'ECONNREFUSED');
    assert.equal(errs[0]!.errno, errno.UV_ECONNREFUSED);
    assert.equal(errs[0]!.syscall, 'connect');
    assert.equal(errs[0]!.message, `ECONNREFUSED: connection refused, connect 127.0.0.1:${port}`);
    assert.equal(errs[0]!.address, '127.0.0.1');
    assert.equal(errs[0]!.port, port);
  });

  it('EADDRINUSE: libuv defers it from bind to listen or to the connect callback; EADDRNOTAVAIL at bind', () => {
    const a = new TCP(t.loop);
    a.bind('127.0.0.1', 0);
    a.listen(() => {});
    const port = a.getsockname().port;
    const b = new TCP(t.loop);
    b.bind('127.0.0.1', port); // accepted: the error is kept for the next call
    throwsLike(() => b.listen(() => {}), TCPError, {
      code: 'EADDRINUSE', errno: errno.UV_EADDRINUSE, syscall: 'listen', address: '127.0.0.1', port,
      message: `EADDRINUSE: address already in use, listen 127.0.0.1:${port}`,
    });
    const c = new TCP(t.loop);
    c.bind('127.0.0.1', port);
    const errs: (UVError | null)[] = [];
    c.connect('127.0.0.1', port, (err) => {
      errs.push(err);
      for (const h of [a, b, c]) h.close();
    });
    const d = new TCP(t.loop);
    throwsLike(() => d.bind('192.0.2.1', 0), TCPError, {
      code: 'EADDRNOTAVAIL', errno: errno.UV_EADDRNOTAVAIL, syscall: 'bind', address: '192.0.2.1', port: 0,
      message: 'EADDRNOTAVAIL: address not available, bind 192.0.2.1:0',
    });
    t.loop.run();
    assert.equal(errs.length, 1);
    assert.ok(errs[0] instanceof TCPError);
    assert.equal(errs[0]!.code, 'EADDRINUSE');
    assert.equal(errs[0]!.syscall, 'connect');
    assert.equal(errs[0]!.address, '127.0.0.1');
    assert.equal(errs[0]!.port, port);
  });

  it('a family creates the socket at once; without one there is none until bind', () => {
    const v6 = new TCP(t.loop, 'IPv6');
    assert.equal(v6.family, 'IPv6');
    assert.ok(v6.fileno() >= 0);
    v6.bind('', 0); // '' is :: for an IPv6 handle
    assert.equal(v6.getsockname().address, '::');
    const v4 = new TCP(t.loop, 'IPv4');
    assert.equal(v4.family, 'IPv4');
    const none = new TCP(t.loop);
    assert.equal(none.family, null);
    throwsLike(() => none.fileno(), TCPError, { code: 'EBADF' });
    none.bind('', 0);
    assert.equal(none.family, 'IPv4');
    assert.equal(none.getsockname().address, '0.0.0.0');
    const only6 = new TCP(t.loop);
    only6.bind('::1', 0, UV_TCP_IPV6ONLY);
    assert.equal(only6.getsockname().address, '::1');
    const bad = new TCP(t.loop);
    throwsLike(() => bad.bind('127.0.0.1', 0, UV_TCP_IPV6ONLY), TCPError, { code: 'EINVAL', syscall: 'bind' });
    none.close();
    assert.equal(none.family, null);
  });

  it('open(fd) adopts a listening socket made by another process', () => {
    // python3 makes the socket and hands it to a child Node process as an fd.
    const host = `
import socket, subprocess, sys
s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
s.bind(('127.0.0.1', 0))
s.listen(8)
r = subprocess.run([sys.argv[1], '-e', sys.argv[2], str(s.fileno())], cwd=sys.argv[3],
                   pass_fds=[s.fileno()], capture_output=True, text=True, timeout=20)
sys.stdout.write('PORT %d\\n%s%s' % (s.getsockname()[1], r.stdout, r.stderr))
sys.exit(r.returncode)`;
    const script = `
      const { Loop, TCP } = require('./');
      const loop = new Loop();
      const server = new TCP(loop);
      server.open(Number(process.argv[1]));
      console.log('OPENED ' + server.getsockname().port + ' ' + server.family);
      server.listen((err, s) => {
        const c = new TCP(loop);
        s.accept(c);
        c.startRead((e, d) => {
          if (d) console.log('GOT ' + d);
          else { c.close(); server.close(); }
        });
      });
      const client = new TCP(loop);
      client.connect('127.0.0.1', server.getsockname().port, () => client.write('hi', () => client.close()));
      loop.run();
      loop.close();`;
    const res = spawnSync('python3', ['-c', host, process.execPath, script, root], { encoding: 'utf8', timeout: 30000 });
    assert.equal(res.status, 0, res.stdout + res.stderr);
    const port = /PORT (\d+)/.exec(res.stdout)![1];
    assert.match(res.stdout, new RegExp(`OPENED ${port} IPv4\n`));
    assert.match(res.stdout, /GOT hi\n/);
  });

  it('open(fd) refuses a file (ENOTSOCK) and a UDP socket (EINVAL) instead of letting libuv abort', () => {
    const fd = require('fs').openSync(__filename, 'r');
    const tcp = new TCP(t.loop);
    throwsLike(() => tcp.open(fd), TCPError, { code: 'ENOTSOCK', syscall: 'open' });
    require('fs').closeSync(fd);
    const udp = new UDP(t.loop, 'IPv4');
    throwsLike(() => tcp.open(udp.fileno()), TCPError, { code: 'EINVAL', syscall: 'open' });
  });

  it('open(fd) of a bad fd throws TCPError EBADF', () => {
    throwsLike(() => new TCP(t.loop).open(0x7ffffff0), TCPError, { code: 'EBADF', errno: errno.UV_EBADF, syscall: 'open' });
  });

  it('socket options work on a connected socket', () => {
    const server = listen(t.loop, '127.0.0.1', (c) => c.close());
    const client = new TCP(t.loop);
    client.connect('127.0.0.1', server.getsockname().port, () => {
      client.nodelay(true);
      client.nodelay(false);
      client.keepalive(true, 1500);
      client.keepalive(true);
      client.keepalive(false);
      client.simultaneousAccepts(true);
      client.setBlocking(true);
      client.setBlocking(false);
      client.sendBufferSize = 32768;
      assert.ok(client.sendBufferSize >= 32768);
      client.receiveBufferSize = 32768;
      assert.ok(client.receiveBufferSize >= 32768);
      client.close();
      server.close();
    });
    t.loop.run();
  });

  it('an active stream with pending writes works with no JS reference to it', () => {
    let written = 0;
    const server = listen(t.loop, '127.0.0.1', (c) => readAll(c, () => server.close()));
    const port = server.getsockname().port;
    (() => {
      const client = new TCP(t.loop);
      client.connect('127.0.0.1', port, () => {
        client.write(Buffer.alloc(1024), () => {
          written++;
          client.close();
        });
      });
    })();
    if (global.gc) global.gc();
    t.loop.run();
    assert.equal(written, 1);
  });

  it('a thread that ends with connections and queued writes open tears down cleanly', () => {
    const body = `
      const { Loop, TCP } = require(${JSON.stringify(root)});
      const loop = new Loop();
      const server = new TCP(loop);
      server.bind('127.0.0.1', 0);
      server.listen((e, s) => s.accept(new TCP(loop)));
      const client = new TCP(loop);
      let ran = false;
      client.connect('127.0.0.1', server.getsockname().port, () => {
        const big = Buffer.alloc(1 << 20);
        for (let i = 0; i < 32; i++) client.write(big, () => { if (ran) throw new Error('no JS at teardown'); });
        client.write(big);
        loop.stop();
      });
      loop.run();
      ran = true;
      if (client.writeQueueSize === 0) throw new Error('nothing queued');`;
    const res = runNode(`
      const { Worker } = require('worker_threads');
      const body = ${JSON.stringify(body)};
      new Worker(body, { eval: true }).on('exit', (code) => {
        console.log('worker ' + code);
        eval(body); // and the main thread at process exit
        console.log('main');
      });`);
    assert.equal(res.stderr, '');
    assert.equal(res.status, 0);
    assert.equal(res.stdout, 'worker 0\nmain\n');
  });

  // Node opens a /dev/null fd for good with its first net socket: open it
  // before the fd count of the next test.
  before((done) => {
    const s = net.connect(1, '127.0.0.1');
    s.on('error', () => done());
    s.on('connect', () => (s.destroy(), done()));
  });

  it('attached to Node\'s loop, a uvkit server talks to a net client in the same process', (done) => {
    const server = listen(t.loop, '127.0.0.1', (c) => {
      c.startRead((err, data) => {
        if (data === null) {
          c.close();
          server.close();
        } else c.write(Buffer.concat([Buffer.from('echo:'), data]));
      });
    });
    t.loop.attach();
    const sock = net.connect(server.getsockname().port, '127.0.0.1', () => sock.end('ping'));
    let got = '';
    sock.on('data', (d) => (got += d));
    sock.on('close', () => {
      try {
        assert.equal(got, 'echo:ping');
        done();
      } catch (e) {
        done(e);
      }
    });
  });

  it('dropped idle streams are closed by GC and never keep loop.close() busy', function () {
    if (!global.gc) this.skip();
    const loop = new Loop();
    for (let i = 0; i < 50; i++) {
      new TCP(loop, 'IPv4');
      new Pipe(loop);
    }
    global.gc!();
    assert.equal(loop.handles.length, 0);
    loop.close(); // their finalizers may not have run yet
  });

  it('rejects wrong argument types and values before libuv', () => {
    const h = new TCP(t.loop);
    const fn = () => {};
    assert.throws(() => new TCP(t.loop, 'IPv5' as any), TypeError);
    assert.throws(() => new TCP({} as any), TypeError);
    assert.throws(() => h.bind(1 as any, 0), TypeError);
    assert.throws(() => h.bind('localhost', 0), TypeError);
    assert.throws(() => h.bind('127.0.0.1', 70000), RangeError);
    assert.throws(() => h.bind('127.0.0.1', '80' as any), TypeError);
    assert.throws(() => h.bind('127.0.0.1', 0, 99), RangeError);
    assert.throws(() => h.connect('127.0.0.1', -1, fn), RangeError);
    assert.throws(() => h.connect('127.0.0.1', 80, null as any), TypeError);
    assert.throws(() => h.connect('example.com', 80, fn), TypeError);
    assert.throws(() => h.listen(null as any), TypeError);
    assert.throws(() => h.listen(fn, -1), RangeError);
    assert.throws(() => h.listen(fn, 1.5), RangeError);
    assert.throws(() => h.accept(null as any), TypeError);
    assert.throws(() => h.accept({} as any), TypeError);
    assert.throws(() => h.accept(new Timer(t.loop) as any), { name: 'TypeError', code: 'ERR_INVALID_ARG_VALUE' });
    assert.throws(() => h.accept(new Pipe(t.loop)), {
      name: 'TypeError', code: 'ERR_INVALID_ARG_VALUE',
      message: /^The argument 'client' must be an empty TCP handle to accept this connection\. Received Pipe \{/,
    });
    const otherLoop = new Loop();
    const foreign = new TCP(otherLoop);
    assert.throws(() => h.accept(foreign), { code: 'ERR_INVALID_ARG_VALUE', message: /'client' must belong to the server's loop/ }); // libuv would abort
    foreign.close();
    otherLoop.run();
    otherLoop.close();
    assert.throws(() => h.startRead('x' as any), TypeError);
    assert.throws(() => h.write(42 as any), TypeError);
    assert.throws(() => h.write([] as any), RangeError);
    assert.throws(() => h.write(['a', 5] as any), TypeError);
    assert.throws(() => h.write(new DataView(new ArrayBuffer(2)) as any), TypeError);
    assert.throws(() => h.write('a', 'cb' as any), TypeError);
    assert.throws(() => h.tryWrite(null as any), TypeError);
    assert.throws(() => h.tryWrite([]), RangeError);
    assert.throws(() => h.shutdown(1 as any), TypeError);
    assert.throws(() => h.setBlocking(1 as any), TypeError);
    assert.throws(() => h.open(-1), RangeError);
    assert.throws(() => h.open('3' as any), TypeError);
    assert.throws(() => h.nodelay('yes' as any), TypeError);
    assert.throws(() => h.keepalive(1 as any), TypeError);
    assert.throws(() => h.keepalive(true, -5), RangeError);
    assert.throws(() => h.keepalive(true, NaN), RangeError);
    assert.throws(() => h.simultaneousAccepts(0 as any), TypeError);
    assert.throws(() => h.closeReset(5 as any), TypeError);
    assert.throws(() => (h.sendBufferSize = 0), RangeError);
    assert.throws(() => (h.receiveBufferSize = 'big' as any), TypeError);
    assert.throws(() => h.close(1 as any), TypeError);
    assert.equal(h.closed, false);
    assert.equal(h.active, false);
  });

  it('every method of a closed TCP throws HandleClosedError naming it; read-only properties still answer', () => {
    const h = new TCP(t.loop);
    const other = new TCP(t.loop);
    h.close();
    const fn = () => {};
    for (const [method, call] of [
      ['bind', () => h.bind('127.0.0.1', 0)], ['connect', () => h.connect('127.0.0.1', 1, fn)], ['listen', () => h.listen(fn)],
      ['accept', () => h.accept(other)], ['startRead', () => h.startRead(fn)], ['stopRead', () => h.stopRead()],
      ['write', () => h.write('x')], ['write', () => h.write('x', fn)], ['tryWrite', () => h.tryWrite('x')],
      ['shutdown', () => h.shutdown()], ['setBlocking', () => h.setBlocking(true)],
      ['open', () => h.open(0)], ['getsockname', () => h.getsockname()], ['getpeername', () => h.getpeername()],
      ['nodelay', () => h.nodelay(true)], ['keepalive', () => h.keepalive(true, 1000)],
      ['simultaneousAccepts', () => h.simultaneousAccepts(true)],
      ['sendBufferSize', () => h.sendBufferSize], ['sendBufferSize', () => (h.sendBufferSize = 1)],
      ['receiveBufferSize', () => h.receiveBufferSize], ['receiveBufferSize', () => (h.receiveBufferSize = 1)],
      ['fileno', () => h.fileno()], ['ref', () => (h.ref = false)],
      // Arguments are not even looked at.
      ['write', () => h.write(42 as any)], ['bind', () => h.bind(null as any, 0)],
    ] as const) {
      throwsClosed(call, 'TCP', method);
    }
    // close() and closeReset() do nothing on a closed handle (as destroy()).
    h.close();
    h.closeReset();
    assert.equal(h.readable, false);
    assert.equal(h.writable, false);
    assert.equal(h.writeQueueSize, 0);
    assert.equal(h.active, false);
    assert.equal(h.family, null);
    // A closed handle cannot be accepted into either.
    throwsLike(() => other.accept(h), HandleClosedError);
  });

  describe('every method in every state works or throws a clear error', () => {
    type State = 'new' | 'bound' | 'listening' | 'connecting' | 'connected' | 'reading' | 'shut' | 'closing';
    const states: State[] = ['new', 'bound', 'listening', 'connecting', 'connected', 'reading', 'shut', 'closing'];
    const calls: Record<string, (h: TCP, loop: Loop, port: number) => void> = {
      bind: (h) => h.bind('127.0.0.1', 0),
      listen: (h) => h.listen(() => {}),
      connect: (h, _l, port) => h.connect('127.0.0.1', port, () => {}),
      accept: (h, loop) => h.accept(new TCP(loop)),
      startRead: (h) => h.startRead(() => {}),
      stopRead: (h) => h.stopRead(),
      write: (h) => h.write('data', () => {}),
      writeNoCb: (h) => h.write(['da', 'ta']),
      tryWrite: (h) => h.tryWrite('data'),
      shutdown: (h) => h.shutdown(() => {}),
      setBlocking: (h) => h.setBlocking(false),
      open: (h) => h.open(0x7ffffff0),
      getsockname: (h) => h.getsockname(),
      getpeername: (h) => h.getpeername(),
      nodelay: (h) => h.nodelay(true),
      keepalive: (h) => h.keepalive(true, 2000),
      simultaneousAccepts: (h) => h.simultaneousAccepts(false),
      bufferSizes: (h) => {
        h.sendBufferSize = 8192;
        return h.receiveBufferSize;
      },
      fileno: (h) => h.fileno(),
      closeReset: (h) => h.closeReset(),
      close: (h) => h.close(),
    };

    for (const state of states) {
      it(`state ${state}`, () => {
        const loop = t.loop;
        const server = new TCP(loop);
        server.bind('127.0.0.1', 0);
        server.listen((err, s) => s.accept(new TCP(loop)));
        const port = server.getsockname().port;
        for (const [name, call] of Object.entries(calls)) {
          const h = new TCP(loop);
          let ready = false;
          const enter = () => {
            if (state === 'bound') h.bind('127.0.0.1', 0);
            if (state === 'listening') h.bind('127.0.0.1', 0), h.listen(() => {});
            if (state === 'connecting') h.connect('127.0.0.1', port, () => {});
            if (state === 'closing') h.close();
            if (state === 'connected' || state === 'reading' || state === 'shut') {
              h.connect('127.0.0.1', port, (err) => {
                assert.equal(err, null);
                if (state === 'reading') h.startRead(() => {});
                if (state === 'shut') h.shutdown();
                ready = true;
              });
              while (!ready) loop.run(UV_RUN_ONCE);
            }
          };
          enter();
          try {
            call(h, loop, port);
          } catch (e) {
            const clear = e instanceof UVError || e instanceof TypeError;
            assert.ok(clear, `${state}.${name}: ${String(e)}`);
            if (state === 'closing') assert.ok(e instanceof HandleClosedError, `${state}.${name}`);
          }
          loop.run(UV_RUN_NOWAIT); // let callbacks land
        }
        for (const x of loop.handles) if (!x.closed) x.close();
        loop.run();
      });
    }
  });
});
