import { strict as assert } from 'assert';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import {
  HandleClosedError, Loop, Timer, UDP, UDPError, UVError, errno,
  UV_JOIN_GROUP, UV_LEAVE_GROUP, UV_UDP_IPV6ONLY, UV_UDP_PARTIAL, UV_UDP_REUSEADDR,
} from '../lib/index';
import { openFds, runNode, throwsClosed, throwsLike, useLoop } from './helpers';

type Got = { err: UVError | null; data: Buffer | null; addr: any; flags: number };

/** A receiver bound to ip:0 that records datagrams and closes itself after `count`. */
function receiver(loop: Loop, ip: string, count: number, family?: 'IPv4' | 'IPv6') {
  deadline(loop, 3000);
  const h = new UDP(loop, family);
  h.bind(ip, 0);
  const got: Got[] = [];
  h.startRecv((err, data, addr, flags, handle) => {
    assert.equal(handle, h);
    got.push({ err, data, addr, flags });
    if (got.length === count) h.close();
  });
  return { h, got, port: h.getsockname().port };
}

/**
 * Bounds a test: after `ms`, closes every handle of the loop. Unreferenced,
 * so it does not delay a loop that finishes on its own.
 */
function deadline(loop: Loop, ms: number) {
  const t = new Timer(loop);
  t.start(() => {
    for (const h of loop.handles) if (!h.closed) h.close();
  }, ms);
  t.ref = false;
}

describe('UDP', () => {
  const t = useLoop();

  it('sends without a callback made in the receive callback reach the sender in order, whatever follows them', () => {
    // The echo side answers each datagram with sends made inside its receive
    // callback (one to the sender is held until it returns, lib/udp.ts) mixed
    // with calls that must send a held one first.
    const echo = new UDP(t.loop);
    echo.bind('127.0.0.1', 0);
    const peer = new UDP(t.loop);
    peer.bind('127.0.0.1', 0);
    const other = new UDP(t.loop);
    other.bind('127.0.0.1', 0);
    let n = 0;
    let thrown: unknown = null;
    t.loop.excepthook = (err) => {
      thrown = err;
    };
    echo.startRecv((err, data, addr) => {
      assert.equal(err, null);
      const to = addr!;
      n++;
      if (n === 1) {
        echo.send(to.address, to.port, 'a');
      } else if (n === 2) {
        echo.send(to.address, to.port, 'b');
        echo.send(to.address, to.port, 'c', (e) => assert.equal(e, null));
        echo.send(to.address, to.port, 'd');
      } else if (n === 3) {
        echo.send(to.address, to.port, 'e');
        assert.equal(echo.trySend(to.address, to.port, 'f'), 1);
        echo.send(to.address, other.getsockname().port, 'x'); // another port: not held
        assert.equal(typeof echo.sendQueueSize, 'number');
        echo.send(to.address, to.port, 'g');
        throw new Error('after a send');
      } else {
        echo.send(to.address, to.port, 'h');
        echo.close();
      }
    });
    const got: string[] = [];
    other.startRecv((err, data) => {
      assert.equal(data!.toString(), 'x');
      other.close();
    });
    peer.startRecv((err, data) => {
      assert.equal(err, null);
      got.push(data!.toString());
      if (['a', 'd', 'g'].includes(got[got.length - 1])) peer.send('127.0.0.1', echo.getsockname().port, 'next');
      if (got.length === 8) peer.close();
    });
    peer.send('127.0.0.1', echo.getsockname().port, 'first');
    t.loop.run();
    assert.deepEqual(got, ['a', 'b', 'c', 'd', 'e', 'f', 'g', 'h']);
    assert.equal((thrown as Error | null)?.message, 'after a send');
    assert.equal(n, 4);
  });

  describe('echoes of one poll phase (held sends, sent together in the check phase)', () => {
    /**
     * An echo socket and a peer; the peer sends `datagrams` at once, so that
     * the echo socket reads them all in one poll phase. `onEcho` answers each
     * (its index, the data, the sender); the peer's datagrams are collected.
     * run(done) runs the loop until done() holds, then closes both.
     */
    function echoPair(datagrams: string[], onEcho: (i: number, data: Buffer, to: { address: string; port: number }, echo: UDP) => void) {
      deadline(t.loop, 3000);
      const echo = new UDP(t.loop);
      echo.bind('127.0.0.1', 0);
      const peer = new UDP(t.loop);
      peer.bind('127.0.0.1', 0);
      let i = 0;
      echo.startRecv((err, data, addr) => {
        assert.equal(err, null);
        onEcho(i++, data!, addr!, echo);
      });
      const got: string[] = [];
      peer.startRecv((err, data) => {
        assert.equal(err, null);
        got.push(data!.toString());
      });
      for (const d of datagrams) assert.equal(peer.trySend('127.0.0.1', echo.getsockname().port, d), d.length);
      const run = (done: () => boolean) => {
        const timer = new Timer(t.loop);
        timer.start(() => {
          if (!done()) return;
          peer.close();
          if (!echo.closed) echo.close();
          timer.close();
        }, 5, 5);
        t.loop.run();
      };
      return { echo, peer, got, run };
    }

    it('100 datagrams read in one go are all echoed, in order', () => {
      const sent = Array.from({ length: 100 }, (_, i) => `datagram ${i} `.padEnd(64, String.fromCharCode(97 + (i % 26))));
      const p = echoPair(sent, (i, data, to, echo) => {
        echo.send(to.address, to.port, data);
        if (i === sent.length - 1) echo.close();
      });
      p.run(() => p.got.length === sent.length);
      assert.deepEqual(p.got, sent);
    });

    it('an echo sends the bytes its buffer held when the callback returned, though the next echo reuses the buffer', () => {
      const sent = ['one', 'two', 'three', 'four', 'five'];
      const out = Buffer.alloc(16);
      const p = echoPair(sent, (i, data, to, echo) => {
        // The same memory for every echo: each is sent or copied before the
        // next callback writes over it.
        const n = data.copy(out.fill(0x58));
        echo.send(to.address, to.port, out.subarray(0, n));
        if (i === sent.length - 1) echo.close();
      });
      p.run(() => p.got.length === sent.length);
      assert.deepEqual(p.got, sent);
    });

    it('a trySend or a send with a callback in a later callback goes after the echoes held before it', () => {
      const sent = ['1', '2', '3', '4', '5', '6'];
      let calledBack = 0;
      const p = echoPair(sent, (i, data, to, echo) => {
        if (i === 2) assert.equal(echo.trySend(to.address, to.port, 'x'), 1);
        if (i === 4) echo.send(to.address, to.port, 'y', (err) => (assert.equal(err, null), calledBack++));
        echo.send(to.address, to.port, data);
      });
      p.run(() => p.got.length === 8);
      assert.deepEqual(p.got, ['1', '2', 'x', '3', '4', 'y', '5', '6']);
      assert.equal(calledBack, 1);
    });

    it('a held echo that fails goes to excepthook (UDPError, syscall send); the others of the poll phase are sent', () => {
      const sent = ['a', 'b', 'c', 'd'];
      const errs: UVError[] = [];
      t.loop.excepthook = (err) => void errs.push(err as UVError);
      const p = echoPair(sent, (i, data, to, echo) => {
        echo.send(to.address, i === 1 ? 0 : to.port, data); // port 0: the kernel refuses it
      });
      p.run(() => p.got.length === 3 && errs.length === 1);
      t.loop.excepthook = null;
      assert.deepEqual(p.got, ['a', 'c', 'd']);
      assert.equal(errs.length, 1);
      assert.ok(errs[0] instanceof UDPError, String(errs[0]));
      assert.equal(errs[0].code, 'EINVAL');
      assert.equal(errs[0].syscall, 'send');
      assert.equal(errs[0].handle, p.echo);
    });

    it('on a connected socket an echo naming the sender fails with EISCONN, as any send naming an address does', () => {
      const sent = ['a', 'b'];
      const errs: UVError[] = [];
      t.loop.excepthook = (err) => void errs.push(err as UVError);
      const p = echoPair(sent, (i, data, to, echo) => {
        if (i === 0) echo.send(to.address, to.port, data);
        else echo.send(null, null, 'via the peer');
      });
      p.echo.connect('127.0.0.1', p.peer.getsockname().port);
      p.run(() => p.got.length === 1 && errs.length === 1);
      t.loop.excepthook = null;
      assert.deepEqual(p.got, ['via the peer']);
      assert.deepEqual(errs.map((e) => [e.code, e.syscall, e.handle === p.echo]), [['EISCONN', 'send', true]]);
    });
  });

  it('exchanges datagrams over IPv4, with the sender address and flags 0', () => {
    const server = new UDP(t.loop);
    server.bind('127.0.0.1', 0);
    const port = server.getsockname().port;
    assert.ok(port > 0);
    const client = new UDP(t.loop);
    let serverRecv = 0;
    let clientRecv = 0;
    let sendCbs = 0;
    server.startRecv((err, data, addr, flags, h) => {
      serverRecv++;
      assert.equal(err, null);
      assert.equal(h, server);
      assert.equal(data!.toString(), 'ping');
      assert.equal(flags, 0);
      // The client was bound to 0.0.0.0 by its first send.
      assert.deepEqual(client.getsockname(), { address: '0.0.0.0', port: addr!.port, family: 'IPv4' });
      assert.equal(addr!.address, '127.0.0.1');
      h.send(addr!.address, addr!.port, Buffer.from('pong'), (e, hh) => {
        assert.equal(e, null);
        assert.equal(hh, server);
        sendCbs++;
        server.close();
      });
    });
    client.startRecv((err, data, addr) => {
      clientRecv++;
      assert.equal(err, null);
      assert.ok(Buffer.isBuffer(data));
      assert.equal(data!.toString(), 'pong');
      assert.deepEqual(addr, { address: '127.0.0.1', port, family: 'IPv4' });
      client.close();
    });
    client.send('127.0.0.1', port, 'ping', (e) => {
      assert.equal(e, null);
      sendCbs++;
    });
    assert.equal(client.family, 'IPv4'); // the send bound it
    t.loop.run();
    assert.deepEqual([serverRecv, clientRecv, sendCbs], [1, 1, 2]);
  });

  it('exchanges datagrams over IPv6 (::1) with flowinfo and scopeId', () => {
    const r = receiver(t.loop, '::1', 1, 'IPv6');
    const client = new UDP(t.loop, 'IPv6');
    assert.equal(client.family, 'IPv6');
    assert.equal(r.h.family, 'IPv6');
    client.bind('::1', 0);
    client.send('::1', r.port, 'six');
    t.loop.run();
    assert.equal(r.got.length, 1);
    assert.equal(r.got[0].data!.toString(), 'six');
    assert.deepEqual(r.got[0].addr, {
      address: '::1', port: client.getsockname().port, family: 'IPv6', flowinfo: 0, scopeId: 0,
    });
    client.close();
    t.loop.run();
  });

  it("'' binds the wildcard of the handle's family", () => {
    const a = new UDP(t.loop);
    a.bind('', 0);
    assert.equal(a.getsockname().address, '0.0.0.0');
    const b = new UDP(t.loop, 'IPv6');
    b.bind('', 0);
    assert.equal(b.getsockname().address, '::');
  });

  it('an empty datagram arrives as an empty Buffer with err null', () => {
    const r = receiver(t.loop, '127.0.0.1', 2);
    const c = new UDP(t.loop);
    c.send('127.0.0.1', r.port, Buffer.alloc(0));
    c.send('127.0.0.1', r.port, '');
    t.loop.run();
    assert.equal(r.got.length, 2);
    for (const g of r.got) {
      assert.equal(g.err, null);
      assert.ok(Buffer.isBuffer(g.data));
      assert.equal(g.data!.length, 0);
      assert.equal(g.flags, 0);
    }
    c.close();
  });

  it('an array is one datagram; the array may change after send()', () => {
    const r = receiver(t.loop, '127.0.0.1', 2);
    const c = new UDP(t.loop);
    const parts: (string | Buffer | Uint8Array)[] = ['ab', Buffer.from('cd'), new Uint8Array([101, 102])];
    c.send('127.0.0.1', r.port, parts, (err) => assert.equal(err, null));
    parts.length = 0;
    const many = Array.from({ length: 40 }, (_, i) => String.fromCharCode(65 + (i % 26)));
    c.send('127.0.0.1', r.port, many); // more buffers than native keeps on its stack
    t.loop.run();
    assert.equal(r.got.length, 2);
    assert.equal(r.got[0].data!.toString(), 'abcdef');
    assert.equal(r.got[1].data!.toString(), many.join(''));
    c.close();
  });

  it('calls send callbacks once each, in order, and counts the send queue', () => {
    const r = receiver(t.loop, '127.0.0.1', 10);
    const c = new UDP(t.loop);
    const order: number[] = [];
    for (let i = 0; i < 10; i++) {
      c.send('127.0.0.1', r.port, `m${i}`, (err, h) => {
        assert.equal(err, null);
        assert.equal(h, c);
        order.push(i);
      });
    }
    // libuv tries the first at once; all count until their callbacks run.
    assert.equal(c.sendQueueCount, 10);
    assert.equal(c.sendQueueSize, 20);
    assert.equal(c.active, true);
    t.loop.run();
    assert.deepEqual(order, [0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
    assert.deepEqual(r.got.map((g) => g.data!.toString()), order.map((i) => `m${i}`));
    assert.equal(c.sendQueueCount, 0);
    assert.equal(c.active, false);
    c.close();
  });

  it('a too-large datagram fails with EMSGSIZE in the send callback', () => {
    const r = receiver(t.loop, '127.0.0.1', 2);
    deadline(t.loop, 2000);
    const c = new UDP(t.loop);
    const errs: (UVError | null)[] = [];
    c.send('127.0.0.1', r.port, Buffer.alloc(70000), (err, h) => {
      assert.equal(h, c);
      errs.push(err);
    });
    r.h.ref = false; // run until the send callback only
    t.loop.run();
    r.h.ref = true;
    assert.equal(errs.length, 1);
    assert.ok(errs[0] instanceof UDPError);
    assert.equal(errs[0]!.code, 'EMSGSIZE');
    assert.equal(errs[0]!.errno, errno.UV_EMSGSIZE);
    assert.equal(errs[0]!.syscall, 'send');
    assert.equal(errs[0]!.address, '127.0.0.1');
    assert.equal(errs[0]!.port, r.port);
    assert.equal(errs[0]!.message, `EMSGSIZE: message too long, send 127.0.0.1:${r.port}`);
    // Without a callback the failure, known at once, is thrown; the socket goes on working.
    throwsLike(() => c.send('127.0.0.1', r.port, Buffer.alloc(70000)), UDPError, {
      code: 'EMSGSIZE', syscall: 'send', address: '127.0.0.1', port: r.port,
    });
    c.send('127.0.0.1', r.port, 'after', (err) => errs.push(err));
    c.send('127.0.0.1', r.port, 'and more');
    t.loop.run();
    assert.equal(errs.length, 2);
    assert.equal(errs[1], null);
    assert.deepEqual(r.got.map((g) => g.data!.toString()), ['after', 'and more']);
    c.close();
  });

  it('a send without a callback that fails later is reported: run() throws it, or excepthook gets it (issue 11)', () => {
    const r = receiver(t.loop, '127.0.0.1', 1);
    for (const hooked of [false, true]) {
      const u = new UDP(t.loop); // no socket yet: the send is queued, and fails once the loop runs
      const hookErrs: UVError[] = [];
      t.loop.excepthook = hooked ? (err) => void hookErrs.push(err as UVError) : null;
      u.send('127.0.0.1', r.port, Buffer.alloc(70000));
      r.h.ref = false;
      let thrown: unknown = null;
      try {
        t.loop.run();
      } catch (err) {
        thrown = err;
      }
      const err = (hooked ? hookErrs[0] : thrown) as UVError;
      assert.ok(err instanceof UDPError, String(err));
      assert.equal(err.code, 'EMSGSIZE');
      assert.equal(err.syscall, 'send');
      assert.equal(err.handle, u);
      assert.equal(hookErrs.length, hooked ? 1 : 0);
      u.close();
      t.loop.excepthook = null;
    }
    // A send cancelled by close() is not a failure.
    const c = new UDP(t.loop);
    c.send('127.0.0.1', r.port, 'x');
    c.close();
    t.loop.run();
    r.h.close();
  });

  it('bind twice without UV_UDP_REUSEADDR is EADDRINUSE; with it both bind', () => {
    const a = new UDP(t.loop);
    a.bind('127.0.0.1', 0);
    const port = a.getsockname().port;
    const b = new UDP(t.loop);
    throwsLike(() => b.bind('127.0.0.1', port), UDPError, {
      code: 'EADDRINUSE', errno: errno.UV_EADDRINUSE, syscall: 'bind',
    });
    const c = new UDP(t.loop);
    c.bind('127.0.0.1', 0, UV_UDP_REUSEADDR);
    const d = new UDP(t.loop);
    d.bind('127.0.0.1', c.getsockname().port, UV_UDP_REUSEADDR);
    assert.equal(d.getsockname().port, c.getsockname().port);
  });

  it('UV_UDP_IPV6ONLY leaves the IPv4 port free; EINVAL for an IPv4 address or a family mismatch', () => {
    const dual = fs.readFileSync('/proc/sys/net/ipv6/bindv6only', 'utf8').trim() === '0';
    const a = new UDP(t.loop);
    a.bind('::', 0);
    const v4 = new UDP(t.loop);
    if (dual) {
      throwsLike(() => v4.bind('0.0.0.0', a.getsockname().port), UDPError, { code: 'EADDRINUSE' });
    }
    const b = new UDP(t.loop);
    b.bind('::', 0, UV_UDP_IPV6ONLY);
    const v4b = new UDP(t.loop);
    v4b.bind('0.0.0.0', b.getsockname().port);
    assert.equal(v4b.getsockname().port, b.getsockname().port);
    const c = new UDP(t.loop);
    throwsLike(() => c.bind('127.0.0.1', 0, UV_UDP_IPV6ONLY), UDPError, { code: 'EINVAL', syscall: 'bind' });
    const d = new UDP(t.loop, 'IPv4'); // the socket exists: an IPv6 address does not fit it
    throwsLike(() => d.bind('::1', 0), UDPError, { code: 'EINVAL', syscall: 'bind' });
  });

  it('connect() sets the peer: sends to ip null go there, explicit ones fail', () => {
    const r = receiver(t.loop, '127.0.0.1', 2);
    const c = new UDP(t.loop);
    throwsLike(() => c.getpeername(), UDPError, { code: 'EBADF', syscall: 'getpeername' }); // no socket yet
    c.bind('127.0.0.1', 0);
    throwsLike(() => c.getpeername(), UDPError, { code: 'ENOTCONN', syscall: 'getpeername' });
    throwsLike(() => c.send(null, null, 'x'), UDPError, { code: 'EDESTADDRREQ', syscall: 'send' });
    throwsLike(() => c.trySend(null, null, 'x'), UDPError, { code: 'EDESTADDRREQ', syscall: 'send' });
    c.connect('127.0.0.1', r.port);
    assert.deepEqual(c.getpeername(), { address: '127.0.0.1', port: r.port, family: 'IPv4' });
    throwsLike(() => c.connect('127.0.0.1', r.port), UDPError, { code: 'EISCONN', syscall: 'connect' });
    throwsLike(() => c.send('127.0.0.1', r.port, 'x'), UDPError, { code: 'EISCONN', syscall: 'send' });
    throwsLike(() => c.trySend('127.0.0.1', r.port, 'x'), UDPError, { code: 'EISCONN', syscall: 'send' });
    assert.equal(c.trySend(null, null, 'one'), 3);
    let cbs = 0;
    c.send(null, null, 'two', (err) => {
      assert.equal(err, null);
      cbs++;
    });
    throwsLike(() => c.send('127.0.0.1', r.port, 'x', () => {}), UDPError, { code: 'EISCONN', syscall: 'send' });
    deadline(t.loop, 2000);
    t.loop.run();
    assert.equal(cbs, 1);
    assert.deepEqual(r.got.map((g) => g.data!.toString()), ['one', 'two']);
    c.close();
  });

  it('a connected socket whose peer is gone gets ECONNREFUSED in the receive callback', () => {
    const dead = new UDP(t.loop);
    dead.bind('127.0.0.1', 0);
    const port = dead.getsockname().port;
    dead.close();
    t.loop.run(); // the port is closed before anything is sent to it
    const c = new UDP(t.loop);
    c.connect('127.0.0.1', port);
    const got: Got[] = [];
    c.startRecv((err, data, addr, flags) => {
      got.push({ err, data, addr, flags });
      c.close();
    });
    c.send(null, null, 'x');
    deadline(t.loop, 2000);
    t.loop.run();
    assert.equal(got.length, 1);
    assert.ok(got[0].err instanceof UDPError);
    assert.equal(got[0].err!.code, 'ECONNREFUSED');
    assert.equal(got[0].err!.syscall, 'recv');
    assert.deepEqual([got[0].data, got[0].addr, got[0].flags], [null, null, 0]);
  });

  it('trySend sends at once, and is EAGAIN while sends are queued', () => {
    const r = receiver(t.loop, '127.0.0.1', 2);
    const c = new UDP(t.loop);
    assert.equal(c.trySend('127.0.0.1', r.port, ['tr', 'y']), 3);
    c.send('127.0.0.1', r.port, 'queued', () => {});
    throwsLike(() => c.trySend('127.0.0.1', r.port, 'no'), UDPError, {
      code: 'EAGAIN', errno: errno.UV_EAGAIN, syscall: 'send',
    });
    t.loop.run();
    assert.deepEqual(r.got.map((g) => g.data!.toString()), ['try', 'queued']);
    c.close();
  });

  it('the sender address is right for every datagram as the sender changes address, port or family', () => {
    deadline(t.loop, 5000);
    // An IPv4 receiver: senders a and b share an address, c has another one.
    const r4 = new UDP(t.loop);
    r4.bind('127.0.0.1', 0);
    // A dual-stack receiver: IPv4 senders arrive as ::ffff:127.0.0.1.
    const r6 = new UDP(t.loop, 'IPv6');
    r6.bind('::', 0);
    const a = new UDP(t.loop);
    a.bind('127.0.0.1', 0);
    const b = new UDP(t.loop);
    b.bind('127.0.0.1', 0);
    const c = new UDP(t.loop);
    c.bind('127.0.0.2', 0);
    const d = new UDP(t.loop, 'IPv6');
    d.bind('::1', 0);
    const plan: [UDP, UDP][] = [
      [a, r4], [a, r4], [b, r4], [c, r4], [c, r4], [a, r4], [b, r4],
      [a, r6], [d, r6], [d, r6], [b, r6], [c, r6], [a, r6],
    ];
    const want = plan.map(([from, to]) => {
      const addr = from.getsockname();
      if (to === r4) return addr;
      const mapped = addr.family === 'IPv4' ? `::ffff:${addr.address}` : addr.address;
      return { address: mapped, port: addr.port, family: 'IPv6', flowinfo: 0, scopeId: 0 };
    });
    const got: any[] = [];
    // One datagram at a time, in plan order.
    const next = () => {
      if (got.length === plan.length) {
        for (const h of [r4, r6, a, b, c, d]) h.close();
        return;
      }
      const [from, to] = plan[got.length];
      from.send(from === d ? '::1' : '127.0.0.1', to.getsockname().port, `#${got.length}`);
    };
    for (const r of [r4, r6]) {
      r.startRecv((err, data, addr) => {
        assert.equal(err, null);
        assert.equal(data!.toString(), `#${got.length}`);
        got.push(addr);
        next();
      });
    }
    next();
    t.loop.run();
    assert.deepEqual(got, want);
  });

  it('the sender address is still right after a receive callback threw', () => {
    const r = new UDP(t.loop);
    r.bind('127.0.0.1', 0);
    const c = new UDP(t.loop);
    c.bind('127.0.0.1', 0);
    const got: any[] = [];
    r.startRecv((err, data, addr) => {
      got.push(addr);
      if (got.length === 1) throw new Error('boom');
      r.close();
    });
    c.send('127.0.0.1', r.getsockname().port, 'a');
    c.send('127.0.0.1', r.getsockname().port, 'b');
    deadline(t.loop, 3000);
    assert.throws(() => t.loop.run(), /boom/);
    t.loop.run();
    assert.deepEqual(got, [c.getsockname(), c.getsockname()]);
    c.close();
  });

  it('sends reach each new address and port after repeated sends to one; failed sends in between change nothing', () => {
    deadline(t.loop, 5000);
    const rs = [new UDP(t.loop), new UDP(t.loop), new UDP(t.loop)];
    rs[0].bind('127.0.0.1', 0);
    rs[1].bind('127.0.0.1', 0);
    rs[2].bind('127.0.0.2', 0);
    const [p0, p1, p2] = rs.map((r) => r.getsockname().port);
    const got: string[][] = [[], [], []];
    rs.forEach((r, k) =>
      r.startRecv((err, data) => {
        assert.equal(err, null);
        got[k].push(data!.toString());
        if (got.flat().length === 10) for (const h of rs) h.close();
      }),
    );
    const s = new UDP(t.loop);
    s.bind('127.0.0.1', 0);
    s.send('127.0.0.1', p0, '1');
    s.send('127.0.0.1', p0, '2');
    s.send('127.0.0.1', p1, '3'); // same ip, another port
    assert.equal(s.trySend('127.0.0.1', p1, '4'), 1);
    s.send('127.0.0.2', p2, '5'); // another ip
    s.send('127.0.0.1', p0, '6'); // and back
    // Argument checks still apply to the ip sent to last.
    throwsLike(() => s.send('127.0.0.1', 65536, 'x'), RangeError);
    throwsLike(() => s.send('127.0.0.1', -1, 'x'), RangeError);
    throwsLike(() => s.trySend('127.0.0.1', '1' as any, 'x'), TypeError);
    throwsLike(() => s.send('127.0.0.1', p0, 5 as any), TypeError);
    throwsLike(() => s.send('127.0.0.1', p0, 'x', 5 as any), TypeError);
    throwsLike(() => s.send('127.0.0.1.1', p0, 'x'), TypeError);
    // An IPv6 address on this IPv4 socket: parsed, then refused by the kernel.
    throwsLike(() => s.trySend('::1', p0, 'x'), UDPError, { code: 'EAFNOSUPPORT', syscall: 'send', address: '::1', port: p0 });
    s.send('127.0.0.1', p0, '7');
    // No callback: the failure, known at once, is thrown.
    throwsLike(() => s.send('::1', p0, 'lost'), UDPError, {
      code: 'EAFNOSUPPORT', syscall: 'send', address: '::1', port: p0,
      message: `EAFNOSUPPORT: address family not supported, send ::1:${p0}`,
    });
    s.send('127.0.0.1', p2 === p0 ? p1 : p0, '8');
    s.send('127.0.0.2', p2, '9');
    let sendErr = null as UVError | null;
    s.send('::1', p2, 'x', (err) => {
      sendErr = err;
      s.send('127.0.0.2', p2, '10');
    });
    t.loop.run();
    assert.ok(sendErr! instanceof UDPError);
    assert.equal(sendErr!.code, 'EAFNOSUPPORT');
    assert.equal(sendErr!.address, '::1');
    assert.equal(sendErr!.port, p2);
    assert.deepEqual(got, [['1', '2', '6', '7', '8'], ['3', '4'], ['5', '9', '10']]);
    s.close();
  });

  it('stopRecv() stops delivery; startRecv() resumes with the queued datagram', () => {
    deadline(t.loop, 3000);
    const s = new UDP(t.loop);
    s.bind('127.0.0.1', 0);
    const c = new UDP(t.loop);
    const got: string[] = [];
    s.startRecv((err, data) => {
      got.push(data!.toString());
      s.stopRecv();
      assert.equal(s.active, false);
    });
    c.send('127.0.0.1', s.getsockname().port, 'a');
    c.send('127.0.0.1', s.getsockname().port, 'b');
    t.loop.run();
    assert.deepEqual(got, ['a']);
    s.startRecv((err, data) => {
      got.push(`again:${data!.toString()}`);
      s.close();
    });
    t.loop.run();
    assert.deepEqual(got, ['a', 'again:b']);
    c.close();
  });

  it('startRecv on an unbound handle binds it to 0.0.0.0 on a free port', () => {
    const u = new UDP(t.loop);
    assert.equal(u.family, null);
    u.startRecv(() => {});
    const a = u.getsockname();
    assert.equal(a.address, '0.0.0.0');
    assert.ok(a.port > 0);
    assert.equal(u.family, 'IPv4');
    assert.equal(u.active, true);
  });

  it('a receiving handle works with no reference to it', () => {
    deadline(t.loop, 3000);
    let port = 0;
    let got = 0;
    (() => {
      const s = new UDP(t.loop);
      s.bind('127.0.0.1', 0);
      port = s.getsockname().port;
      s.startRecv((err, data, addr, flags, h) => {
        got++;
        h.close();
      });
    })();
    if (global.gc) global.gc();
    const c = new UDP(t.loop);
    c.send('127.0.0.1', port, 'x');
    t.loop.run();
    assert.equal(got, 1);
    c.close();
  });

  it('a pending send keeps a dropped handle alive until its callback', () => {
    const r = receiver(t.loop, '127.0.0.1', 1);
    let cbs = 0;
    (() => {
      new UDP(t.loop).send('127.0.0.1', r.port, 'x', (err, h) => {
        cbs++;
        h.close();
      });
    })();
    if (global.gc) global.gc();
    t.loop.run();
    assert.equal(cbs, 1);
    assert.equal(r.got.length, 1);
  });

  it('close() with sends queued: ECANCELED for those not sent yet, before the close callback', () => {
    const r = receiver(t.loop, '127.0.0.1', 1);
    const c = new UDP(t.loop);
    const events: string[] = [];
    for (let i = 0; i < 3; i++) {
      c.send('127.0.0.1', r.port, `${i}`, (err, h) => {
        assert.equal(h, c);
        if (err !== null) assert.ok(err instanceof UDPError);
        events.push(`send${i}:${err === null ? 'ok' : `${err.code}/${err.syscall}`}`);
      });
    }
    c.close(() => events.push('close'));
    t.loop.run();
    // libuv sends the first at once (the queue was empty); the rest wait for POLLOUT.
    assert.deepEqual(events, ['send0:ok', 'send1:ECANCELED/send', 'send2:ECANCELED/send', 'close']);
    assert.deepEqual(r.got.map((g) => g.data!.toString()), ['0']);
  });

  it('receives the largest IPv4 datagram (65507 bytes) whole, flags without UV_UDP_PARTIAL', () => {
    const r = receiver(t.loop, '127.0.0.1', 1);
    r.h.receiveBufferSize = 1 << 20;
    const c = new UDP(t.loop);
    const big = Buffer.alloc(65507, 'z');
    c.send('127.0.0.1', r.port, big, (err) => assert.equal(err, null));
    t.loop.run();
    assert.equal(r.got.length, 1);
    assert.equal(r.got[0].data!.length, 65507);
    assert.ok(r.got[0].data!.equals(big));
    assert.equal(r.got[0].flags & UV_UDP_PARTIAL, 0);
    c.close();
  });

  it('an idle UDP with no reference is closed by garbage collection, fd included', async function () {
    if (!global.gc) this.skip();
    const fds = openFds();
    (() => {
      const u = new UDP(t.loop, 'IPv4');
      u.bind('127.0.0.1', 0);
    })();
    assert.equal(openFds(), fds + 1);
    for (let i = 0; i < 3 && openFds() > fds; i++) {
      global.gc!();
      await new Promise((r) => setImmediate(r)); // finalizers may run after the GC
      t.loop.run();
    }
    assert.equal(openFds(), fds);
    assert.equal(t.loop.handles.length, 0);
  });

  it('works in a worker thread, which cleans up pending sends, receives and dns requests at exit', () => {
    const res = runNode(`
      const { Worker } = require('worker_threads');
      const w = new Worker(\`
        const u = require(\${JSON.stringify(process.cwd())});
        const { parentPort } = require('worker_threads');
        const loop = new u.Loop();
        const r = new u.UDP(loop);
        r.bind('127.0.0.1', 0);
        const port = r.getsockname().port;
        const got = [];
        r.startRecv((err, data) => { got.push(String(data)); if (got.length === 2) loop.stop(); });
        const s = new u.UDP(loop);
        s.send('127.0.0.1', port, 'one', () => {});
        s.send('127.0.0.1', port, 'two', () => {});
        loop.run();
        parentPort.postMessage(got.join(','));
        // Left pending at exit: no callback may run then.
        const boom = () => { throw new Error('JS ran at teardown'); };
        for (let i = 0; i < 5; i++) s.send('127.0.0.1', port, 'x' + i, boom);
        u.dns.getaddrinfo(loop, '127.0.0.1', 80, {}, boom);
        u.dns.getnameinfo(loop, '127.0.0.1', 80, 0, boom);
      \`, { eval: true });
      w.on('message', (m) => console.log(m));
      w.on('error', (e) => console.log('error', e.message));
      w.on('exit', (c) => console.log('exit', c));
    `);
    assert.equal(res.stderr, '');
    assert.equal(res.stdout, 'one,two\nexit 0\n');
    assert.equal(res.status, 0);
  });

  it("works on an attached loop: datagrams and send callbacks arrive from Node's loop", async () => {
    t.loop.attach();
    const r = new UDP(t.loop);
    r.bind('127.0.0.1', 0);
    const c = new UDP(t.loop);
    const events: string[] = [];
    await new Promise<void>((resolve) => {
      r.startRecv((err, data) => {
        events.push(`recv:${data}`);
        r.close();
        c.close(() => resolve());
      });
      c.send('127.0.0.1', r.getsockname().port, 'attached', (err) => events.push(`sent:${err}`));
    });
    assert.deepEqual(events, ['sent:null', 'recv:attached']);
    t.loop.detach();
  });

  it('open(fd) takes over an existing UDP socket (in a child, which owns both handles)', () => {
    const res = runNode(`
      const u = require('./');
      const a = new u.UDP(new u.Loop());
      a.bind('127.0.0.1', 0);
      const loop = new u.Loop();
      const b = new u.UDP(loop);
      b.open(a.fileno());
      const port = b.getsockname().port;
      if (port !== a.getsockname().port) throw new Error('other socket');
      b.startRecv((err, data) => { console.log('got ' + data); b.close(); c.close(); });
      const c = new u.UDP(loop);
      c.send('127.0.0.1', port, 'via open');
      loop.run();
    `);
    assert.equal(res.stderr, '');
    assert.equal(res.stdout, 'got via open\n');
    assert.equal(res.status, 0);
  });

  it('open() errors: ENOTSOCK for a file, EBUSY when the handle has a socket', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'uvkit-udp-'));
    const fd = fs.openSync(path.join(dir, 'f'), 'w');
    try {
      const u = new UDP(t.loop);
      throwsLike(() => u.open(fd), UDPError, { code: 'ENOTSOCK', syscall: 'open' });
      const v = new UDP(t.loop, 'IPv4');
      throwsLike(() => v.open(fd), UDPError, { code: 'EBUSY', syscall: 'open' });
    } finally {
      fs.closeSync(fd);
      fs.rmSync(dir, { recursive: true });
    }
  });

  it('broadcast needs setBroadcast(true) (EACCES without), then reaches 127.255.255.255', () => {
    const r = receiver(t.loop, '0.0.0.0', 1);
    const c = new UDP(t.loop);
    c.bind('127.0.0.1', 0);
    const errs: (UVError | null)[] = [];
    c.send('127.255.255.255', r.port, 'nope', (err) => errs.push(err));
    deadline(t.loop, 2000);
    r.h.ref = false; // run until the send callback only
    t.loop.run();
    r.h.ref = true;
    c.setBroadcast(true);
    c.send('127.255.255.255', r.port, 'all', (err) => errs.push(err));
    t.loop.run();
    assert.equal(errs.length, 2);
    assert.ok(errs[0] instanceof UDPError);
    assert.equal(errs[0]!.code, 'EACCES');
    assert.equal(errs[1], null);
    assert.deepEqual(r.got.map((g) => g.data!.toString()), ['all']);
    c.setBroadcast(false);
    c.close();
  });

  it('multicast on the loopback interface: join, send to the group, receive', () => {
    const r = receiver(t.loop, '0.0.0.0', 1);
    r.h.setMembership('239.255.42.99', '127.0.0.1', UV_JOIN_GROUP);
    const c = new UDP(t.loop);
    c.bind('127.0.0.1', 0);
    c.setMulticastInterface('127.0.0.1');
    c.setMulticastLoop(true);
    c.setMulticastTTL(1);
    c.send('239.255.42.99', r.port, 'group', (err) => assert.equal(err, null));
    deadline(t.loop, 2000);
    t.loop.run();
    assert.deepEqual(r.got.map((g) => g.data!.toString()), ['group']);
    c.close();
  });

  it('membership and multicast errors come from the kernel', () => {
    const u = new UDP(t.loop);
    u.bind('0.0.0.0', 0);
    throwsLike(() => u.setMembership('10.0.0.1', null, UV_JOIN_GROUP), UDPError, {
      code: 'EINVAL', syscall: 'setMembership',
    });
    throwsLike(() => u.setMembership('239.255.0.3', null, UV_LEAVE_GROUP), UDPError, {
      code: 'EADDRNOTAVAIL', syscall: 'setMembership',
    });
    u.setMembership('239.255.0.4', null, UV_JOIN_GROUP);
    u.setMembership('239.255.0.4', null, UV_LEAVE_GROUP);
    throwsLike(() => u.setMembership('ff02::1', null, UV_JOIN_GROUP), UDPError, { code: 'ENOPROTOOPT' });
    throwsLike(() => u.setMulticastInterface('::1'), UDPError, {
      code: 'ENOPROTOOPT', syscall: 'setMulticastInterface',
    });
    u.setMulticastInterface('');
    u.setMulticastInterface(null);
    const six = new UDP(t.loop, 'IPv6');
    six.bind('::1', 0);
    six.setMembership('ff02::1', null, UV_JOIN_GROUP);
    six.setMulticastInterface('::1');
    six.setMulticastTTL(3);
  });

  it('socket options need a socket: EBADF before one exists', () => {
    const u = new UDP(t.loop);
    throwsLike(() => u.setTTL(5), UDPError, { code: 'EBADF', syscall: 'setTTL' });
    throwsLike(() => u.setBroadcast(true), UDPError, { code: 'EBADF', syscall: 'setBroadcast' });
    throwsLike(() => u.sendBufferSize, UDPError, { code: 'EBADF', syscall: 'sendBufferSize' });
    throwsLike(() => u.getsockname(), UDPError, { code: 'EBADF', syscall: 'getsockname' });
    throwsLike(() => u.fileno(), UDPError, { code: 'EBADF' });
    const v = new UDP(t.loop, 'IPv4');
    assert.ok(v.fileno() > 2);
    v.setTTL(5);
    v.setMulticastTTL(0);
    v.setMulticastLoop(false);
  });

  it('buffer sizes: Linux reports twice the value set', () => {
    const u = new UDP(t.loop, 'IPv4');
    u.sendBufferSize = 65536;
    assert.equal(u.sendBufferSize, 131072);
    u.receiveBufferSize = 32768;
    assert.equal(u.receiveBufferSize, 65536);
  });

  it('rejects wrong argument types and values', () => {
    const u = new UDP(t.loop);
    assert.throws(() => new UDP(t.loop, 'IPv5' as any), TypeError);
    assert.throws(() => new UDP({} as Loop), TypeError);
    assert.throws(() => u.bind('localhost', 0), TypeError);
    assert.throws(() => u.bind(1 as any, 0), TypeError);
    assert.throws(() => u.bind('127.0.0.1', 65536), RangeError);
    assert.throws(() => u.bind('127.0.0.1', '1' as any), TypeError);
    assert.throws(() => u.bind('127.0.0.1', 0, 'x' as any), TypeError);
    assert.throws(() => u.bind('127.0.0.1', 0, 256), RangeError);
    assert.throws(() => u.connect('example.com', 1), TypeError);
    assert.throws(() => u.connect('127.0.0.1', -1), RangeError);
    assert.throws(() => u.send('127.0.0.1', 1, 42 as any), TypeError);
    assert.throws(() => u.send('127.0.0.1', 1, [] as any), RangeError);
    assert.throws(() => u.send('127.0.0.1', 1, [1] as any), TypeError);
    assert.throws(() => u.send('127.0.0.1', 1, 'x', 'cb' as any), TypeError);
    assert.throws(() => u.send('127.0.0.1', 1.5, 'x'), RangeError);
    assert.throws(() => u.send(undefined as any, 1, 'x'), TypeError);
    assert.throws(() => u.send(null, 'x' as any, 'x'), TypeError);
    assert.throws(() => u.trySend('127.0.0.1', 1, {} as any), TypeError);
    assert.throws(() => u.trySend('nope', 1, 'x'), TypeError);
    assert.throws(() => u.startRecv(null as any), TypeError);
    assert.throws(() => u.open(-1), RangeError);
    assert.throws(() => u.open('3' as any), TypeError);
    assert.throws(() => u.setMembership('nope', null, UV_JOIN_GROUP), TypeError);
    assert.throws(() => u.setMembership('239.1.1.1', 'lo', UV_JOIN_GROUP), TypeError);
    assert.throws(() => u.setMembership('239.1.1.1', null, 7), RangeError);
    assert.throws(() => u.setMulticastInterface('eth0'), TypeError);
    assert.throws(() => u.setMulticastTTL(256), RangeError);
    assert.throws(() => u.setMulticastTTL('1' as any), TypeError);
    assert.throws(() => u.setTTL(0), RangeError);
    assert.throws(() => u.setBroadcast(1 as any), TypeError);
    assert.throws(() => u.setMulticastLoop('yes' as any), TypeError);
    assert.throws(() => (u.sendBufferSize = 0), RangeError);
    assert.throws(() => (u.receiveBufferSize = 'big' as any), TypeError);
    assert.throws(() => (u.ref = 1 as any), TypeError);
    // Nothing reached libuv: still no socket.
    assert.equal(u.family, null);
    assert.equal(u.active, false);
  });

  it('every method of a closed UDP throws HandleClosedError naming it; read-only properties answer', () => {
    const u = new UDP(t.loop, 'IPv6');
    u.close();
    const calls: [string, () => unknown][] = [
      ['bind', () => u.bind('::1', 0)], ['connect', () => u.connect('::1', 1)], ['getpeername', () => u.getpeername()],
      ['getsockname', () => u.getsockname()], ['send', () => u.send('::1', 1, 'x')], ['trySend', () => u.trySend('::1', 1, 'x')],
      ['startRecv', () => u.startRecv(() => {})], ['stopRecv', () => u.stopRecv()], ['open', () => u.open(5)],
      ['setMembership', () => u.setMembership('ff02::1', null, UV_JOIN_GROUP)],
      ['setMulticastInterface', () => u.setMulticastInterface('::1')], ['setMulticastTTL', () => u.setMulticastTTL(1)],
      ['setMulticastLoop', () => u.setMulticastLoop(true)], ['setBroadcast', () => u.setBroadcast(true)],
      ['setTTL', () => u.setTTL(1)], ['sendBufferSize', () => u.sendBufferSize], ['receiveBufferSize', () => u.receiveBufferSize],
      ['sendBufferSize', () => (u.sendBufferSize = 1)], ['receiveBufferSize', () => (u.receiveBufferSize = 1)],
      ['ref', () => (u.ref = true)], ['fileno', () => u.fileno()],
    ];
    for (const [method, call] of calls) throwsClosed(call, 'UDP', method);
    // Checked before the arguments, too.
    throwsClosed(() => u.send(1 as any, 1, 42 as any), 'UDP', 'send');
    u.close(); // does nothing
    assert.equal(u.family, 'IPv6');
    assert.equal(u.sendQueueSize, 0);
    assert.equal(u.sendQueueCount, 0);
    assert.equal(u.active, false);
    t.loop.run();
    assert.equal(u.loop, null);
    assert.equal(u.sendQueueCount, 0);
  });
});
